/**
 * The ScriptX request budget against the simulator, in fake time: one service's status requests
 * shared by 100 active jobs (polling.scriptx.maxRequestsPerSecond, default 30), priority jobs at
 * the full rate, the others never starved, backing off while unchanged and snapping back on a change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PollContext, PollResult } from '../../../main/queue/source';
import { harness, type Harness } from './helpers';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const TEN_MINUTES = 10 * 60_000;
const HOUR = 3_600_000;

/** Status requests the simulator received, with the token asked about and when (fake time). */
function statusLog(hh: Harness, from = 0): { token: string; at: number }[] {
  return hh.sim.requests
    .filter((r) => /\/status\//.test(r.path) && r.at >= from)
    .map((r) => ({ token: decodeURIComponent(r.path.split('/status/')[1] ?? ''), at: r.at }));
}

/**
 * Polls every `activeMs` from now until `untilMs` (fake time), a full poll every 10 s as the engine
 * does, each poll answered before time moves on. Returns when each job's raw state was first seen.
 */
async function pollEvery(hh: Harness, ctx: Omit<PollContext, 'mode' | 'signal' | 'activeJobs'>, untilMs: number, seen: Map<string, number>): Promise<void> {
  const activeMs = ctx.interval?.activeMs ?? 500;
  let lastFull = -Infinity;
  while (hh.clock.now() < untilMs) {
    const now = hh.clock.now();
    const full = now - lastFull >= 10_000;
    if (full) lastFull = now;
    const result: PollResult = await hh.source.poll({ ...ctx, mode: full ? 'full' : 'active', signal: new AbortController().signal, activeJobs: new Map() });
    for (const j of result.jobs) {
      const k = `${j.nativeId}|${j.rawState}`;
      if (!seen.has(k)) seen.set(k, now);
    }
    await hh.clock.advance(activeMs);
  }
}

/** `n` jobs printing for an hour, handed in at `addedAt` (epoch ms). */
async function printingJobs(hh: Harness, n: number, addedAt: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const token = hh.sim.addJob({ steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: HOUR }] });
    tokens.push(token);
    await hh.tracked.add({ sourceId: 'local', id: token, kind: 'html', addedAt: new Date(addedAt).toISOString() });
  }
  return tokens;
}

describe('ScriptX request budget', () => {
  it('keeps 100 active jobs within 30 requests a second: the 10 priority jobs fresh within 0.6 s, the others asked at least every 10 s', async () => {
    h = await harness();
    const t0 = h.clock.now();
    const priority: { token: string; changeAt: number }[] = [];
    const others: { token: string; changeAt: number }[] = [];
    // 90 jobs handed in before the app started (not priority), 20 of which change state later.
    for (let i = 0; i < 90; i++) {
      const changeAt = i < 20 ? 3_000 + i * 997 : HOUR;
      const token = h.sim.addJob({ steps: [{ status: 3, afterMs: 0 }, { status: 5, afterMs: changeAt }, { status: 6, afterMs: 2 * HOUR }] });
      others.push({ token, changeAt: t0 + changeAt });
      await h.tracked.add({ sourceId: 'local', id: token, kind: 'html', addedAt: new Date(t0 - TEN_MINUTES).toISOString() });
    }
    // 10 jobs handed in just now: priority for 5 minutes.
    for (let i = 0; i < 10; i++) {
      const changeAt = 2_000 + i * 1_373;
      const token = h.sim.addJob({ steps: [{ status: 3, afterMs: 0 }, { status: 5, afterMs: changeAt }, { status: 6, afterMs: 2 * HOUR }] });
      priority.push({ token, changeAt: t0 + changeAt });
      await h.tracked.add({ sourceId: 'local', id: token, kind: 'html', addedAt: new Date(t0).toISOString() });
    }
    const seen = new Map<string, number>();
    await pollEvery(h, { interval: { activeMs: 500, idleMs: 10_000 } }, t0 + 40_000, seen);

    const log = statusLog(h);
    // The budget: never more than 30 status requests in any second.
    const perSecond = new Map<number, number>();
    for (const r of log) perSecond.set(Math.floor((r.at - t0) / 1000), (perSecond.get(Math.floor((r.at - t0) / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(30);
    for (let s = 0; s < 40; s++) {
      const windowCount = log.filter((r) => r.at >= t0 + s * 1000 - 500 && r.at < t0 + s * 1000 + 500).length;
      expect(windowCount, `second starting at ${s - 0.5} s`).toBeLessThanOrEqual(30);
    }
    // Priority jobs: every change seen within 0.6 s.
    for (const p of priority) {
      const at = seen.get(`${p.token}|5 Printing`);
      expect(at, p.token).toBeDefined();
      expect(at! - p.changeAt).toBeLessThanOrEqual(600);
    }
    // The others: every change seen within 10 s, and each asked at least every 10 s.
    for (const o of others) {
      if (o.changeAt < t0 + HOUR) {
        const at = seen.get(`${o.token}|5 Printing`);
        expect(at, o.token).toBeDefined();
        expect(at! - o.changeAt).toBeLessThanOrEqual(10_000);
      }
      const times = [t0, ...log.filter((r) => r.token === o.token).map((r) => r.at), t0 + 40_000];
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1], `gap for ${o.token}`).toBeLessThanOrEqual(10_000);
    }
  });

  it('asks about a job the user is looking at (selected, details open) at the full rate', async () => {
    h = await harness();
    const t0 = h.clock.now();
    const tokens = await printingJobs(h, 60, t0 - TEN_MINUTES);
    const looked = tokens[42];
    await pollEvery(h, { interval: { activeMs: 500, idleMs: 10_000 }, priorityKeys: new Set([`local:${looked}`]) }, t0 + 20_000, new Map());
    const asks = statusLog(h, t0 + 5_000).filter((r) => r.token === looked);
    // Every poll from 5 s to 20 s: 2 a second.
    expect(asks.length).toBeGreaterThanOrEqual(29);
    const other = statusLog(h, t0 + 5_000).filter((r) => r.token === tokens[7]);
    expect(other.length).toBeLessThanOrEqual(15);
  });

  it('backs off a job unchanged for more than 60 s to at most 0.2 requests a second, and snaps back on a change', async () => {
    h = await harness();
    const t0 = h.clock.now();
    const token = h.sim.addJob({ steps: [{ status: 3, afterMs: 0 }, { status: 5, afterMs: 90_000 }, { status: 6, afterMs: HOUR }] });
    await h.tracked.add({ sourceId: 'local', id: token, kind: 'html', addedAt: new Date(t0 - TEN_MINUTES).toISOString() });
    const seen = new Map<string, number>();
    await pollEvery(h, { interval: { activeMs: 500, idleMs: 10_000 } }, t0 + 120_000, seen);
    const log = statusLog(h).filter((r) => r.token === token);
    const between = (a: number, b: number) => log.filter((r) => r.at >= t0 + a && r.at < t0 + b).length;
    // Fast while it is new and changing.
    expect(between(10_000, 50_000)).toBeGreaterThanOrEqual(70);
    // Unchanged for more than 60 s: at most 0.2 req/s.
    expect(between(65_000, 85_000)).toBeLessThanOrEqual(4);
    // The change at 90 s is seen within one slow interval, then fast again.
    const at = seen.get(`${token}|5 Printing`);
    expect(at).toBeDefined();
    expect(at! - (t0 + 90_000)).toBeLessThanOrEqual(5_500);
    expect(log.filter((r) => r.at > at! && r.at <= at! + 10_000).length).toBeGreaterThanOrEqual(18);
  });

  it('honours a lower budget from the settings', async () => {
    h = await harness();
    const t0 = h.clock.now();
    await printingJobs(h, 40, t0);
    await pollEvery(h, { interval: { activeMs: 500, idleMs: 10_000, maxRequestsPerSecond: 8 } }, t0 + 20_000, new Map());
    const log = statusLog(h);
    expect(log.length).toBeLessThanOrEqual(8 * 20);
    expect(log.length).toBeGreaterThanOrEqual(8 * 20 - 8);
    for (let s = 0; s < 20; s++) expect(log.filter((r) => r.at >= t0 + s * 1000 && r.at < t0 + (s + 1) * 1000).length).toBeLessThanOrEqual(8);
  });

  it('asks about every job in a one-shot listing (pqm jobs), whatever the budget', async () => {
    h = await harness();
    const t0 = h.clock.now();
    const tokens = await printingJobs(h, 50, t0 - TEN_MINUTES);
    const result = await h.source.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map(), oneShot: true, interval: { activeMs: 500, idleMs: 10_000 } });
    expect(new Set(result.jobs.map((j) => j.nativeId))).toEqual(new Set(tokens));
  });
});
