/**
 * Engine benchmark: the CPU time of one poll cycle of the real queue engine and the size of the
 * patch it emits for one changed job, with 1,000 and 10,000 jobs tracked. Time is fake (FakeClock),
 * the source is the in-memory FakeSource, so what is measured is the engine itself: applying a
 * listing to the store, flag checks, patch building and event delivery.
 */
import { PollingSettings, type JobPatch } from '../preload/contract/model';
import { createQueueEngine } from '../main/queue/engine';
import type { SourceJob } from '../main/queue/source';
import { FakeClock } from '../test/helpers/fake-clock';
import { FakeSource, sourceJob } from '../test/helpers/fake-source';
import { figure, type BenchFigure } from './types';

const CYCLE_TARGET_MS = 5;
const PATCH_TARGET_BYTES = 1024;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface CycleResult {
  cycleMs: number[];
  patchBytes: number[];
}

async function measure(jobCount: number, warmup: number, cycles: number): Promise<CycleResult> {
  const clock = new FakeClock();
  const source = new FakeSource({ id: 'bench', kind: 'scriptx', loopback: true, clock });
  const polling = PollingSettings.parse({});
  // Two listings of the same jobs whose object fields (cancel, extra) are equal but distinct
  // objects, answered in turn: like a real source that parses a fresh answer at every poll, the
  // engine has to compare them by value. Built up front so the source's own cost is not measured.
  const listings: SourceJob[][] = [[], []];
  for (let i = 0; i < jobCount; i++) {
    for (const list of listings) {
      list.push(
        sourceJob('bench', `job-${i.toString().padStart(6, '0')}`, {
          state: 'printing',
          rawState: '5 Printing',
          progress: 0,
          document: `Quarterly report ${i}.pdf`,
          printer: `Printer ${i % 20}`,
          cancel: { allowed: true },
          extra: { pages: 10 + (i % 7), copies: 1 },
        }),
      );
    }
  }
  // The source's own work (FakeSource records every call with the keys it was told about) is not
  // the engine's: its synchronous CPU time is measured apart and taken off each cycle.
  let sourceCpu = 0;
  const poll = source.poll.bind(source);
  source.poll = (ctx) => {
    const t = cpuMs();
    const answer = poll(ctx);
    sourceCpu += cpuMs() - t;
    return answer;
  };
  const engine = createQueueEngine({ sources: [source], polling, clock, random: () => 0.5 });
  let lastPatches: JobPatch[] = [];
  engine.subscribe((e) => {
    if (e.type === 'patches') lastPatches = e.patches;
  });

  // Each poll answers the whole (complete) list with exactly one job's progress moved on.
  let turn = 0;
  const queueAnswer = () => {
    const i = turn % jobCount;
    const jobs = listings[turn % 2];
    turn++;
    const progress = Math.round(((jobs[i].progress ?? 0) + 0.01) * 100) / 100;
    for (const list of listings) list[i] = { ...list[i], progress };
    source.answer(() => ({ jobs, complete: true, health: { status: 'ok', message: 'Benchmark source is answering.' } }));
  };

  queueAnswer();
  engine.start();
  await clock.advance(0); // the first full poll adds every job
  const interval = polling.scriptx.activeMs;
  const cycleMs: number[] = [];
  const patchBytes: number[] = [];
  for (let n = 0; n < warmup + cycles; n++) {
    queueAnswer();
    lastPatches = [];
    const before = source.pollCount;
    sourceCpu = 0;
    const t0 = cpuMs();
    await clock.advance(interval);
    const spent = cpuMs() - t0 - sourceCpu;
    if (source.pollCount !== before + 1) throw new Error(`engine bench: expected one poll per ${interval} ms cycle, saw ${source.pollCount - before}`);
    if (lastPatches.length !== 1) throw new Error(`engine bench: expected one patch for one changed job, got ${lastPatches.length}`);
    source.calls.length = 0; // the call log would otherwise grow by the whole key list per poll
    if (n >= warmup) {
      cycleMs.push(spent);
      patchBytes.push(JSON.stringify(lastPatches[0]).length);
    }
  }
  await engine.stop();
  if (clock.pendingTimers() !== 0) throw new Error('engine bench: the engine left timers behind after stop()');
  return { cycleMs, patchBytes };
}

export async function runEngineBench(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  for (const [jobCount, label, cycles] of [
    [1_000, '1k', 300],
    [10_000, '10k', 150],
  ] as const) {
    const { cycleMs, patchBytes } = await measure(jobCount, 30, cycles);
    const sorted = cycleMs.slice().sort((a, b) => a - b);
    const method = `real queue engine, FakeSource answering a complete list of ${jobCount} printing jobs with one changed per poll (object fields equal but freshly parsed), FakeClock at the 500 ms active rate (every 20th poll a full one); process.cpuUsage (user+system) around one cycle minus the CPU spent inside the source's poll(), ${cycles} cycles after 30 warm-up`;
    for (const p of [50, 95] as const) {
      const v = Math.round(percentile(sorted, p) * 1000) / 1000;
      out.push(figure({ group: 'engine', name: `engine cycle CPU, ${label} jobs, p${p}`, value: v, unit: 'ms', target: `< ${CYCLE_TARGET_MS} ms`, met: v < CYCLE_TARGET_MS, method }));
    }
    const bytes = Math.max(...patchBytes);
    out.push(
      figure({
        group: 'engine',
        name: `patch bytes for one changed job, ${label} jobs`,
        value: bytes,
        unit: 'bytes',
        target: '< 1 KB',
        met: bytes < PATCH_TARGET_BYTES,
        method: `JSON length of the one 'changed' patch emitted when one of ${jobCount} jobs changes its progress (largest of ${cycles} cycles)`,
      }),
    );
  }
  return out;
}
