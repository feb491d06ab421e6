/**
 * A short soak in `npm test`: the real engine and sources against the simulators for 150
 * compressed cycles with faults (one every 10 cycles, and 90 cycles of recovery), held to the same bounds as `npm run soak`
 * (10,000 cycles). Request deadlines run on the soak's fake clock, and nothing waits on a real-time
 * bound, so a loaded machine makes it slower, never wrong.
 */
import { describe, expect, it } from 'vitest';
import { formatSoakReport, HEAP_GROWTH_BOUND_MB, runSoak } from '../soak/run-soak';

describe('soak', () => {
  it('150 cycles with outages, 500s, 429s and malformed answers: bounded heap, no timer, socket or handle left', async () => {
    const report = await runSoak({ cycles: 150, seed: 3, faultRate: 0.1, settleRealMs: Infinity });
    const summary = formatSoakReport(report);
    expect(report.violations, summary).toEqual([]);
    // The run did what it says: faults of every simulator, outages, finished jobs.
    expect(report.workload.outages, summary).toBeGreaterThan(0);
    expect(Object.keys(report.faults).length, summary).toBeGreaterThan(3);
    expect(report.engine.finished, summary).toBeGreaterThan(0);
    expect(report.heap.growthMb, summary).toBeLessThan(HEAP_GROWTH_BOUND_MB);
    expect(report.timers.pendingAfterStop).toBe(0);
    expect(report.resources.after.sockets).toBeLessThanOrEqual(report.resources.before.sockets);
    expect(report.resources.after.servers).toBeLessThanOrEqual(report.resources.before.servers);
    expect(report.finalHealth.map((h) => h.status)).toEqual(['ok', 'ok', 'ok']);
  }, 60_000);
});
