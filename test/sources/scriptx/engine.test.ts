import { afterEach, describe, expect, it } from 'vitest';
import { createQueueEngine } from '../../../main/queue/engine';
import type { EngineEvent, QueueEngine } from '../../../main/queue/engine-types';
import { PollingSettings } from '../../../preload/contract/model';
import { harness, type Harness } from './helpers';

let h: Harness | null = null;
let engine: QueueEngine | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
  await h?.close();
  h = null;
});

/** Moves fake time in small steps while the real loopback I/O completes. */
async function runFor(hh: Harness, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await hh.clock.advance(step);
    await new Promise((r) => setTimeout(r, 3));
  }
}

describe('ScriptX source in the queue engine', () => {
  it('shows each state change within 1 s, and a finished job causes no further requests', async () => {
    h = await harness({ sim: { stepMs: 2000 } });
    engine = createQueueEngine({ sources: [h.source], polling: PollingSettings.parse({}), clock: h.clock, random: () => 0 });
    const transitions: { at: number; to: string; raw: string }[] = [];
    engine.subscribe((e: EngineEvent) => {
      if (e.type === 'transition') transitions.push({ at: h!.clock.now(), to: e.to, raw: e.job.rawState });
      if (e.type === 'patches') {
        for (const p of e.patches) if (p.type === 'changed' && p.changes.rawState) transitions.push({ at: h!.clock.now(), to: String(p.changes.state ?? ''), raw: p.changes.rawState });
      }
    });
    engine.start();
    await runFor(h, 200);
    const createdAt = h.clock.now();
    const token = h.sim.addJob();
    await engine.track('local', token);
    await runFor(h, 14_000);
    const job = engine.getJob(`local:${token}`)!;
    expect(job).toMatchObject({ state: 'completed', rawState: '6 Completed', gone: false });
    // Each server step begins at createdAt + n*2000; the engine knew it within 1 s.
    for (const [n, raw] of ['2 Starting', '3 Downloading', '4 Downloaded', '5 Printing', '6 Completed'].entries()) {
      const seen = transitions.find((t) => t.raw === raw);
      expect(seen, raw).toBeDefined();
      expect(seen!.at - (createdAt + (n + 1) * 2000)).toBeLessThanOrEqual(1000);
    }
    const n = h.statusRequests(token);
    await runFor(h, 30_000, 250);
    expect(h.statusRequests(token)).toBe(n);
    // Per job, never more than 2 status requests in any second.
    const times = h.sim.requests.filter((r) => r.path.endsWith(`/status/${token}`)).map((r) => r.at);
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 2]).toBeGreaterThanOrEqual(1000);
  });

  it('marks the source down while the service is stopped and recovers by itself', async () => {
    h = await harness({ sim: { stepMs: 600_000 } });
    engine = createQueueEngine({ sources: [h.source], polling: PollingSettings.parse({}), clock: h.clock, random: () => 0 });
    engine.start();
    const token = h.sim.addJob();
    await runFor(h, 100);
    await engine.track('local', token);
    await h.sim.setFault({ type: 'refuse' });
    await runFor(h, 3000);
    const down = engine.snapshot().sources.find((s) => s.id === 'local')!;
    expect(down.status).toBe('down');
    expect(engine.getJob(`local:${token}`)?.stale).toBe(true);
    await h.sim.setFault(null);
    await runFor(h, 30_000, 500);
    expect(engine.snapshot().sources.find((s) => s.id === 'local')!.status).toBe('ok');
    expect(engine.getJob(`local:${token}`)).toMatchObject({ stale: false, state: 'queued' });
  });
});
