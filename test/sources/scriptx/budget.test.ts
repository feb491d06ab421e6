/**
 * The ScriptX request budget against the simulator, in fake time: one service's status requests
 * shared by 100 active jobs (polling.scriptx.maxRequestsPerSecond, default 30), priority jobs at
 * the full rate, the others never starved, backing off while unchanged and snapping back on a change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PollContext, PollResult } from '../../../main/queue/source';
import { settle } from '../../helpers/fake-clock';
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
 * does, start to start as the engine schedules them; `drift(i)` moves the i-th poll after the
 * first that many ms later (or earlier) than its schedule, as a busy machine's timers do. Time
 * moves during a poll only when a request waits for its job's rate window (a timer of the poll's
 * own): the poll is never left waiting on time that cannot pass. Returns when each job's raw state
 * was first seen.
 */
async function pollEvery(
  hh: Harness,
  ctx: Omit<PollContext, 'mode' | 'signal' | 'activeJobs'>,
  untilMs: number,
  seen: Map<string, number>,
  drift: (i: number) => number = () => 0,
): Promise<void> {
  const activeMs = ctx.interval?.activeMs ?? 500;
  let lastFull = -Infinity;
  for (let i = 1; hh.clock.now() < untilMs; i++) {
    const now = hh.clock.now();
    const full = now - lastFull >= 10_000;
    if (full) lastFull = now;
    let result: PollResult | null = null;
    const polled = hh.source.poll({ ...ctx, mode: full ? 'full' : 'active', signal: new AbortController().signal, activeJobs: new Map() }).then((r) => (result = r));
    while (!result) {
      await Promise.race([polled, settle()]);
      const waitFor = hh.clock.nextDueIn();
      if (!result && waitFor !== null) await hh.clock.advance(waitFor);
    }
    for (const j of (result as PollResult).jobs) {
      const k = `${j.nativeId}|${j.rawState}`;
      if (!seen.has(k)) seen.set(k, now);
    }
    await hh.clock.advance(Math.max(0, now + activeMs + drift(i) - hh.clock.now()));
  }
}

/** 100 active jobs as in the budget figures: 90 tracked before the app started, 10 handed in now. */
async function hundredJobs(hh: Harness): Promise<{ others: string[]; priority: string[] }> {
  const t0 = hh.clock.now();
  const others: string[] = [];
  const priority: string[] = [];
  for (let i = 0; i < 100; i++) {
    const token = hh.sim.addJob({ steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: HOUR }] });
    (i < 90 ? others : priority).push(token);
    await hh.tracked.add({ sourceId: 'local', id: token, kind: 'html', addedAt: new Date(i < 90 ? t0 - TEN_MINUTES : t0).toISOString() });
  }
  return { others, priority };
}

/** The most requests in any window of `windowMs` (each window starting at a request). */
function mostIn(log: readonly { at: number }[], windowMs: number): number {
  let most = 0;
  for (let a = 0, b = 0; a < log.length; a++) {
    while (b < log.length && log[b]!.at < log[a]!.at + windowMs) b++;
    most = Math.max(most, b - a);
  }
  return most;
}

/** The longest time between two status requests for one of `tokens` (fake time), the run's edges counted. */
function longestGap(log: readonly { token: string; at: number }[], tokens: readonly string[], from: number, to: number): number {
  let longest = 0;
  for (const t of tokens) {
    const times = [from, ...log.filter((r) => r.token === t).map((r) => r.at), to];
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  }
  return longest;
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

  it('never lets a job go 10 s unasked when polls come late: room is left for a late poll and for its requests to go out', async () => {
    h = await harness();
    const t0 = h.clock.now();
    const { others } = await hundredJobs(h);
    // A busy machine: polls 0 to 150 ms late (the scheduler never starts one early).
    const late = (i: number) => (i * 37) % 151;
    await pollEvery(h, { interval: { activeMs: 500, idleMs: 10_000 } }, t0 + 60_000, new Map(), late);
    const log = statusLog(h);
    // In fake time a request goes out the moment its poll starts; a real one takes a little
    // longer, so the gap between polls must leave it room (ASK_GAP_SLACK_MS less what polls drift).
    expect(longestGap(log, others, t0, t0 + 60_000)).toBeLessThanOrEqual(10_000 - 100);
    expect(mostIn(log, 1000)).toBeLessThanOrEqual(30);
  });

  it('loses no poll of the budget when a timer fires a millisecond early, and stays within it', async () => {
    h = await harness();
    const t0 = h.clock.now();
    await hundredJobs(h);
    // Every third poll one millisecond early: 499 ms after the one before, 999 ms after the one before that.
    await pollEvery(h, { interval: { activeMs: 500, idleMs: 10_000 } }, t0 + 30_000, new Map(), (i) => (i % 3 === 0 ? -1 : 0));
    const log = statusLog(h, t0 + 5_000).filter((r) => r.at < t0 + 25_000);
    // The whole budget is used: 30 a second over 20 s (a poll left empty would cost 15).
    expect(log.length).toBeGreaterThanOrEqual(30 * 20 - 15);
    // A poll that comes early by the timers' drift counts in the next second: at most 30 in any
    // 950 ms, and over any second at most what two polls may send.
    expect(mostIn(log, 1000 - 50)).toBeLessThanOrEqual(30);
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
