/**
 * Engine benchmark: the CPU time of one poll cycle of the real queue engine and the size of the
 * patch it emits for one changed job, with 1,000 and 10,000 jobs tracked. Time is fake (FakeClock),
 * the source is the in-memory FakeSource, so what is measured is the engine itself: applying a
 * listing to the store, flag checks, patch building and event delivery.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PollingSettings, type JobPatch } from '../preload/contract/model';
import { createQueueEngine } from '../main/queue/engine';
import type { SourceJob } from '../main/queue/source';
import { FakeClock } from '../test/helpers/fake-clock';
import { FakeSource, sourceJob } from '../test/helpers/fake-source';
import { median, percentile } from './harness';
import { figure, type BenchFigure } from './types';

const CYCLE_TARGET_MS = 5;
const PATCH_TARGET_BYTES = 1024;

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
  // The service's answer, as text. Before every cycle (untimed, the source's own work) it is parsed
  // afresh, as a real source parses the answer to each poll: every job object, object field and
  // string the engine is given is new, equal by value to what it holds and never the same object,
  // so it compares them all by value, on objects just made (as they are after a real parse).
  const template: SourceJob[] = [];
  for (let i = 0; i < jobCount; i++) {
    template.push(
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
    turn++;
    template[i] = { ...template[i], progress: Math.round(((template[i].progress ?? 0) + 0.01) * 100) / 100 };
    const jobs = JSON.parse(JSON.stringify(template)) as SourceJob[];
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

const REPEATS = 3;

const SIZES = [
  { jobCount: 1_000, label: '1k', cycles: 300 },
  { jobCount: 10_000, label: '10k', cycles: 150 },
] as const;

/**
 * The measurements, in a child process of their own run with V8's GC on the main thread
 * (--single-threaded-gc): process.cpuUsage counts every thread of the process, and the GC's
 * helper threads would otherwise add their work on the source's garbage to whichever cycle they
 * happen to run in. On the main thread a collection counts where it runs: mostly in the untimed
 * parse, which allocates the most, sometimes in the cycle (counted).
 */
async function measureInChild(): Promise<Record<string, CycleResult[]>> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--single-threaded-gc', fileURLToPath(import.meta.url), '--child'], {
    cwd: join(dirname(fileURLToPath(import.meta.url)), '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`engine bench: the measuring process exited with ${code}`);
  return JSON.parse(out) as Record<string, CycleResult[]>;
}

async function childMain(): Promise<void> {
  const results: Record<string, CycleResult[]> = {};
  for (const { jobCount, cycles } of SIZES) {
    results[jobCount] = [];
    for (let r = 0; r < REPEATS; r++) results[jobCount].push(await measure(jobCount, 30, cycles));
  }
  process.stdout.write(JSON.stringify(results));
  process.exit(0);
}

export async function runEngineBench(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  const results = await measureInChild();
  for (const { jobCount, label, cycles } of SIZES) {
    const runs = results[jobCount];
    const method = `real queue engine, FakeSource answering a complete list of ${jobCount} printing jobs with one changed per poll (the listing parsed afresh from JSON before every cycle, untimed, as a real source parses each answer: every object and string new, equal by value), FakeClock at the 500 ms active rate (every 20th poll a full one); process.cpuUsage (user+system) around one cycle minus the CPU spent inside the source's poll(), in a process of its own with the GC on the main thread (--single-threaded-gc): a collection counts where it runs, in the untimed parse that allocates the most or in the cycle, never on a helper thread at random; no forced collections (each one would also drop optimized code and have the engine compiled afresh at every cycle); ${cycles} cycles after 30 warm-up; median of ${REPEATS} runs`;
    for (const p of [50, 95] as const) {
      const each = runs.map((r) => percentile(r.cycleMs, p));
      const v = Math.round(median(each) * 1000) / 1000;
      out.push(
        figure({
          group: 'engine',
          name: `engine cycle CPU, ${label} jobs, p${p}`,
          value: v,
          unit: 'ms',
          target: `< ${CYCLE_TARGET_MS} ms`,
          met: v < CYCLE_TARGET_MS,
          method: `${method} (runs: ${each.map((x) => x.toFixed(2)).join(', ')} ms)`,
        }),
      );
    }
    const bytes = Math.max(...runs.flatMap((r) => r.patchBytes));
    out.push(
      figure({
        group: 'engine',
        name: `patch bytes for one changed job, ${label} jobs`,
        value: bytes,
        unit: 'bytes',
        target: '< 1 KB',
        met: bytes < PATCH_TARGET_BYTES,
        method: `JSON length of the one 'changed' patch emitted when one of ${jobCount} jobs changes its progress (largest of ${cycles} cycles × ${REPEATS} runs)`,
      }),
    );
  }
  return out;
}

if (process.argv.includes('--child') && fileURLToPath(import.meta.url) === process.argv[1]) void childMain();
