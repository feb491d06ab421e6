/**
 * Soak: the real queue engine with the real sources against the three workload simulators, for
 * many compressed polling cycles with faults mixed in, measuring what a long-running monitor must
 * not accumulate: heap, timers, sockets and other live handles.
 *
 * One cycle is one workload tick and one second of simulated time (a FakeClock shared by the
 * engine, the sources and the simulators): every timer that falls due fires, and the real
 * loopback I/O it starts completes before time moves on. Faults: the workload's outages (one
 * source at a time refuses connections or answers 503 for a while) plus, chosen by the seed,
 * 500s, 429s with Retry-After, malformed JSON and (AODocs) JSON of the wrong shape, through each
 * simulator's fault API.
 *
 * Memory is measured after a forced GC (global.gc when node runs with --expose-gc, otherwise
 * enabled at run time through v8.setFlagsFromString). The simulators run in this process too, so
 * their state is kept bounded as a real service's would be: request logs are cleared, and jobs
 * finished long ago are purged (the engine then sees them gone, as after a service's retention).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PollingSettings, SECRET_NAMES, type SourceHealth } from '../../preload/contract/model';
import type { Logger } from '../../main/ports/ports';
import { HttpClient, type HttpRequest, type HttpResponse } from '../../main/http/client';
import { createQueueEngine } from '../../main/queue/engine';
import type { JobSource } from '../../main/queue/source';
import { createSource } from '../../main/sources/index';
import { FakeClock, settle } from '../helpers/fake-clock';
import { createMemorySecretStore, createMemoryTrackedStore } from '../helpers/memory-stores';
import { createWorkload, seededRandom, startWorkloadSimulators, WORKLOAD_SOURCE_IDS, type WorkloadSimulators } from '../simulators/workload';
import type { z } from 'zod';

/** Heap growth allowed between the end of the warm-up and the end of the run, after GC. */
export const HEAP_GROWTH_BOUND_MB = 30;
/** Finished jobs stay in the live store this long (simulated); the app's default is 24 h. */
export const SOAK_RETAIN_FINISHED_MS = 20 * 60_000;
/** Simulated time of one cycle. */
export const CYCLE_MS = 1_000;

export interface SoakOptions {
  cycles: number;
  seed?: number;
  /** Progress callback every `progressEvery` cycles (the CLI prints it). */
  onProgress?: (p: { cycle: number; heapMb: number; jobs: number; realMs: number }) => void;
  progressEvery?: number;
  /**
   * How long (real time) to wait for sockets and timers to close after the simulators have closed
   * before counting them as left open. Default 3 s, for `npm run soak`; a test passes Infinity and
   * lets its own time limit report a hang, so a loaded machine is never taken for a leak.
   */
  settleRealMs?: number;
  /** Chance of a fault injected per cycle (default 0.04, about one every 25 cycles). */
  faultRate?: number;
}

export interface ResourceCounts {
  /** process.getActiveResourcesInfo() by type, e.g. { TCPSocketWrap: 2, Timeout: 3 }. */
  all: Record<string, number>;
  sockets: number;
  servers: number;
}

export interface SoakReport {
  cycles: number;
  seed: number;
  simulatedMs: number;
  realMs: number;
  gc: 'exposed' | 'enabled at run time' | 'unavailable';
  heap: {
    startMb: number;
    /** After the warm-up cycles. */
    baselineMb: number;
    endMb: number;
    growthMb: number;
    peakMb: number;
    boundMb: number;
    /** heapUsed after GC, every `sampleEvery` cycles. */
    samples: { cycle: number; mb: number }[];
  };
  timers: { maxPendingDuringRun: number; pendingBeforeStop: number; pendingAfterStop: number };
  resources: { before: ResourceCounts; during: ResourceCounts; after: ResourceCounts };
  requests: { total: number; maxInFlight: number; inFlightAfterStop: number };
  faults: Record<string, number>;
  workload: { jobsAdded: number; outages: number; errors: string[] };
  engine: { jobsAtEnd: number; healthChanges: number; finished: number; logWarnings: number; logErrors: number };
  /** Health of every source after the faults cleared. */
  finalHealth: Pick<SourceHealth, 'id' | 'status' | 'message'>[];
  unhandled: string[];
  /** Every bound exceeded, in words; empty when the soak passed. */
  violations: string[];
}

const MB = 1024 * 1024;

/** An HttpClient that counts requests in flight (to let real I/O finish before time moves on). */
class CountingHttpClient extends HttpClient {
  inFlight = 0;
  total = 0;
  maxInFlight = 0;
  private idleWaiters: (() => void)[] = [];
  override async request<T = unknown>(req: HttpRequest, schema?: z.ZodType<T>): Promise<HttpResponse<T>> {
    this.inFlight++;
    this.total++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    try {
      return await super.request(req, schema);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function resolveGc(): { gc: () => void; how: SoakReport['gc'] } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'exposed' };
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    if (typeof fn === 'function') return { gc: fn as () => void, how: 'enabled at run time' };
  } catch {
    /* fall through */
  }
  return { gc: () => undefined, how: 'unavailable' };
}

export function countResources(): ResourceCounts {
  const all: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) all[r] = (all[r] ?? 0) + 1;
  return { all, sockets: all.TCPSocketWrap ?? 0, servers: all.TCPServerWrap ?? 0 };
}

async function heapMb(gc: () => void): Promise<number> {
  await settle();
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / MB) * 10) / 10;
}

/**
 * Waits until no request is in flight and promise chains have settled. No deadline of its own: the
 * requests' deadlines run on the fake clock, which does not move meanwhile, so each one ends with
 * its answer however long a loaded machine takes; a request that never ends is a hang.
 */
async function quiesce(http: CountingHttpClient): Promise<void> {
  let quiet = 0;
  while (quiet < 2) {
    await settle(5);
    if (http.inFlight === 0) quiet++;
    else {
      quiet = 0;
      await http.idle();
    }
  }
}

/** Moves fake time forward one timer at a time, letting the real I/O each one starts complete. */
async function runFor(clock: FakeClock, http: CountingHttpClient, ms: number, onTimers: (n: number) => void): Promise<void> {
  const target = clock.now() + ms;
  await quiesce(http);
  for (let n = 0; n < 10_000; n++) {
    onTimers(clock.pendingTimers());
    const next = clock.nextDueIn();
    if (next === null || clock.now() + next > target) break;
    await clock.advance(next);
    await quiesce(http);
  }
  await clock.advance(Math.max(0, target - clock.now()));
  await quiesce(http);
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const cycles = Math.max(1, Math.floor(opts.cycles));
  const seed = opts.seed ?? 1;
  const warmup = Math.min(1_000, Math.max(20, Math.floor(cycles / 4)));
  const sampleEvery = Math.max(50, Math.floor(cycles / 20));
  const recoveryCycles = 90;
  const { gc, how } = resolveGc();
  const violations: string[] = [];
  const unhandled: string[] = [];
  const onRejection = (reason: unknown) => void unhandled.push(`unhandled rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
  const onException = (err: unknown) => void unhandled.push(`uncaught exception: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);

  const realStart = Date.now();
  const startMb = await heapMb(gc);
  const before = countResources();
  const clock = new FakeClock(Date.UTC(2026, 4, 4, 7, 0, 0));
  const simStart = clock.now();
  const random = seededRandom(seed ^ 0x5eed);
  const faults: Record<string, number> = {};
  const logCounts = { warn: 0, error: 0 };
  const logger: Logger = {
    debug() {},
    info() {},
    warn: () => void logCounts.warn++,
    error: () => void logCounts.error++,
  };

  let sims: WorkloadSimulators | null = null;
  let engine: ReturnType<typeof createQueueEngine> | null = null;
  let maxPending = 0;
  // The request deadline on the fake clock: a loaded machine never times out an answer on its way.
  const http = new CountingHttpClient({ timers: clock });
  const report: Partial<SoakReport> = {};
  try {
    sims = await startWorkloadSimulators({ now: () => clock.now() });
    const s = sims;
    const initialSecrets: Record<string, string> = {};
    for (const [id, values] of Object.entries(s.secrets)) {
      for (const name of SECRET_NAMES) {
        const v = values[name];
        if (v) initialSecrets[`${id}.${name}`] = v;
      }
    }
    const deps = { http, secrets: createMemorySecretStore(initialSecrets), tracked: createMemoryTrackedStore(), clock, logger };
    const sources: JobSource[] = s.sources.map((c) => createSource(c, deps));
    engine = createQueueEngine({
      sources,
      polling: PollingSettings.parse({ maxBackoffMs: 30_000 }),
      clock,
      random: () => 0.5,
      logger,
      retainFinishedMs: SOAK_RETAIN_FINISHED_MS,
    });
    const eng = engine;
    let healthChanges = 0;
    let finished = 0;
    eng.subscribe((e) => {
      if (e.type === 'health') healthChanges++;
      else if (e.type === 'finished') finished++;
    });

    let jobsAdded = 0;
    let outages = 0;
    const workloadErrors: string[] = [];
    /** Jobs the workload added on Universal Print and AODocs, for the simulators' own retention. */
    const added: { source: 'graph' | 'aodocs'; id: string; cycle: number }[] = [];
    let cycle = 0;
    // The workload adds Universal Print jobs by printer; remember which, for the retention below.
    const graphPrinterOf = new Map<string, string>();
    const graph = Object.create(s.graph, {
      addJob: { value: (input: Parameters<typeof s.graph.addJob>[0]) => {
        const job = s.graph.addJob(input);
        graphPrinterOf.set(job.id, input.printerId);
        return job;
      } },
    }) as typeof s.graph;
    const workload = createWorkload({ scriptx: s.scriptx, graph, aodocs: s.aodocs }, {
      seed,
      trackScriptx: async (token, kind) => {
        await eng.track(WORKLOAD_SOURCE_IDS.scriptx, token, { kind });
      },
      onEvent: (e) => {
        if (e.type === 'job-added') {
          jobsAdded++;
          if (e.source !== 'scriptx') added.push({ source: e.source, id: e.id, cycle });
        } else if (e.type === 'source-down') outages++;
        else if (e.type === 'error' && workloadErrors.length < 20) workloadErrors.push(e.message);
      },
    });

    const injectFault = async (): Promise<void> => {
      const r = random();
      const pick = Math.floor(r * 10);
      const name = (k: string) => void (faults[k] = (faults[k] ?? 0) + 1);
      switch (pick) {
        case 0:
          s.graph.injectFault(null, { kind: 'status', status: 500 }, 2);
          return name('graph 500');
        case 1:
          s.graph.injectFault(null, { kind: 'status', status: 429, retryAfter: '7' }, 3);
          return name('graph 429 Retry-After');
        case 2:
          s.graph.injectFault(null, { kind: 'malformed' }, 1);
          return name('graph malformed JSON');
        case 3:
          s.aodocs.injectFault({ fault: { kind: 'status', status: 503 }, times: 2 });
          return name('aodocs 503');
        case 4:
          s.aodocs.injectFault({ fault: { kind: 'status', status: 429, retryAfterSeconds: 5 }, times: 3 });
          return name('aodocs 429 Retry-After');
        case 5:
          s.aodocs.injectFault({ fault: { kind: 'malformed' }, times: 1 });
          return name('aodocs malformed JSON');
        case 6:
          s.aodocs.injectFault({ fault: { kind: 'wrong-shape' }, times: 1 });
          return name('aodocs wrong shape');
        case 7:
          await s.scriptx.setFault({ type: '500' });
          scriptxFaultUntil = cycle + 2;
          return name('scriptx 500');
        case 8:
          await s.scriptx.setFault({ type: 'malformed' });
          scriptxFaultUntil = cycle + 1;
          return name('scriptx malformed JSON');
        default:
          await s.scriptx.setFault({ type: 'json-string-error' });
          scriptxFaultUntil = cycle + 1;
          return name('scriptx 503 with a JSON string');
      }
    };
    let scriptxFaultUntil = 0;

    /** What a real service does with old finished jobs, and logs a simulator must not keep. */
    const simulatorRetention = (): void => {
      s.scriptx.requests.length = 0;
      s.scriptx.prints.length = 0;
      s.graph.resetLog();
      s.aodocs.clearLog();
      while (added.length && added[0].cycle < cycle - 600) {
        const j = added.shift()!;
        if (j.source === 'aodocs') {
          const job = s.aodocs.getJob(j.id);
          if (job && job.status !== 'IN_PROGRESS') s.aodocs.purge(j.id);
          else if (job) added.push({ ...j, cycle });
        } else {
          const printerId = graphPrinterOf.get(j.id);
          const job = printerId ? s.graph.getJob(printerId, j.id) : null;
          if (job && printerId && ['completed', 'canceled', 'aborted'].includes(job.status.state)) {
            s.graph.purgeJob(printerId, j.id);
            graphPrinterOf.delete(j.id);
          } else if (job) added.push({ ...j, cycle });
          else graphPrinterOf.delete(j.id);
          // Not found in either: already purged or never seen; nothing to keep.
        }
      }
    };

    const samples: { cycle: number; mb: number }[] = [];
    let baselineMb = startMb;
    let peakMb = startMb;
    let during: ResourceCounts = before;
    eng.start();
    const onTimers = (n: number) => {
      if (n > maxPending) maxPending = n;
    };
    for (cycle = 1; cycle <= cycles; cycle++) {
      await workload.step();
      if (scriptxFaultUntil && cycle >= scriptxFaultUntil) {
        scriptxFaultUntil = 0;
        await s.scriptx.setFault(null);
      }
      // About one injected fault every 25 cycles by default, none in the last stretch so the end is clean.
      if (cycle < cycles - 30 && random() < (opts.faultRate ?? 0.04)) await injectFault();
      await runFor(clock, http, CYCLE_MS, onTimers);
      if (cycle % 100 === 0) simulatorRetention();
      if (cycle === warmup) {
        baselineMb = await heapMb(gc);
        samples.push({ cycle, mb: baselineMb });
      } else if (cycle % sampleEvery === 0) {
        const mb = await heapMb(gc);
        samples.push({ cycle, mb });
        if (mb > peakMb) peakMb = mb;
      }
      if (cycle === Math.floor(cycles / 2)) during = countResources();
      if (opts.onProgress && opts.progressEvery && cycle % opts.progressEvery === 0) {
        opts.onProgress({ cycle, heapMb: samples.at(-1)?.mb ?? startMb, jobs: eng.snapshot().jobs.length, realMs: Date.now() - realStart });
      }
    }

    // Every fault cleared: the engine recovers without a restart.
    await workload.stop();
    await s.scriptx.setFault(null);
    s.graph.clearFaults();
    s.aodocs.clearFaults();
    for (let i = 0; i < recoveryCycles; i++) await runFor(clock, http, CYCLE_MS, onTimers);
    simulatorRetention();
    const endMb = await heapMb(gc);
    peakMb = Math.max(peakMb, endMb);
    samples.push({ cycle: cycles + recoveryCycles, mb: endMb });
    const snap = eng.snapshot();
    const finalHealth = snap.sources.map((h) => ({ id: h.id, status: h.status, message: h.message }));
    const pendingBeforeStop = clock.pendingTimers();

    await eng.stop();
    for (const src of sources) src.dispose?.();
    engine = null;
    await quiesce(http);
    await clock.flush();
    const pendingAfterStop = clock.pendingTimers();
    await sims.close();
    sims = null;
    const after = await settleResources(before, opts.settleRealMs ?? 3_000);

    const growthMb = Math.round((endMb - baselineMb) * 10) / 10;
    Object.assign(report, {
      heap: { startMb, baselineMb, endMb, growthMb, peakMb, boundMb: HEAP_GROWTH_BOUND_MB, samples },
      timers: { maxPendingDuringRun: maxPending, pendingBeforeStop, pendingAfterStop },
      resources: { before, during, after },
      requests: { total: http.total, maxInFlight: http.maxInFlight, inFlightAfterStop: http.inFlight },
      faults,
      workload: { jobsAdded, outages, errors: workloadErrors },
      engine: { jobsAtEnd: snap.jobs.length, healthChanges, finished, logWarnings: logCounts.warn, logErrors: logCounts.error },
      finalHealth,
    });

    if (how === 'unavailable') violations.push('GC could not be forced, so heap figures are not comparable: run node with --expose-gc.');
    if (growthMb >= HEAP_GROWTH_BOUND_MB) violations.push(`Heap grew ${growthMb} MB after the warm-up (bound: < ${HEAP_GROWTH_BOUND_MB} MB).`);
    if (pendingAfterStop !== 0) violations.push(`${pendingAfterStop} fake timer(s) still pending after engine.stop().`);
    if (http.inFlight !== 0) violations.push(`${http.inFlight} request(s) still in flight after engine.stop().`);
    if (after.sockets > before.sockets) violations.push(`${after.sockets - before.sockets} socket(s) left open after the simulators closed (before ${before.sockets}, after ${after.sockets}).`);
    if (after.servers > before.servers) violations.push(`${after.servers - before.servers} listening server(s) left after the simulators closed.`);
    const timeouts = (after.all.Timeout ?? 0) - (before.all.Timeout ?? 0);
    if (timeouts > 0) violations.push(`${timeouts} real timer(s) left running after the soak (Timeout handles before ${before.all.Timeout ?? 0}, after ${after.all.Timeout ?? 0}).`);
    for (const h of finalHealth) {
      if (h.status !== 'ok') violations.push(`Source ${h.id} did not recover within ${recoveryCycles} s after the faults cleared: ${h.status}: ${h.message}`);
    }
    if (jobsAdded === 0 || finished === 0) violations.push(`The workload did not exercise the engine (jobs added ${jobsAdded}, finished ${finished}).`);
  } finally {
    await engine?.stop().catch(() => undefined);
    await sims?.close().catch(() => undefined);
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
  for (const u of unhandled) violations.push(u);

  return {
    cycles,
    seed,
    simulatedMs: clock.now() - simStart,
    realMs: Date.now() - realStart,
    gc: how,
    ...(report as Omit<SoakReport, 'cycles' | 'seed' | 'simulatedMs' | 'realMs' | 'gc' | 'unhandled' | 'violations'>),
    unhandled,
    violations,
  };
}

/** Sockets close asynchronously after the servers destroy them: wait (real time, bounded) for that. */
async function settleResources(before: ResourceCounts, maxRealMs: number): Promise<ResourceCounts> {
  const until = Date.now() + maxRealMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const now = countResources();
    const settled = now.sockets <= before.sockets && now.servers <= before.servers && (now.all.Timeout ?? 0) <= (before.all.Timeout ?? 0);
    if (settled || Date.now() > until) return now;
  }
}

/** A few lines for a terminal. */
export function formatSoakReport(r: SoakReport): string {
  const lines = [
    `Soak: ${r.cycles} cycles (seed ${r.seed}), ${(r.simulatedMs / 3_600_000).toFixed(2)} h simulated in ${(r.realMs / 1000).toFixed(1)} s real; GC ${r.gc}.`,
    `Heap: ${r.heap?.baselineMb} MB after warm-up -> ${r.heap?.endMb} MB at the end: growth ${r.heap?.growthMb} MB (bound < ${r.heap?.boundMb} MB), peak ${r.heap?.peakMb} MB.`,
    `Heap samples: ${(r.heap?.samples ?? []).map((s) => `${s.cycle}:${s.mb}`).join(' ')}`,
    `Fake timers: max ${r.timers?.maxPendingDuringRun} pending during the run, ${r.timers?.pendingBeforeStop} before stop, ${r.timers?.pendingAfterStop} after stop.`,
    `Sockets: ${r.resources?.before.sockets} before, ${r.resources?.during.sockets} mid-run, ${r.resources?.after.sockets} after; servers ${r.resources?.before.servers} / ${r.resources?.during.servers} / ${r.resources?.after.servers}.`,
    `Live handles after: ${JSON.stringify(r.resources?.after.all)} (before: ${JSON.stringify(r.resources?.before.all)}).`,
    `Requests: ${r.requests?.total} (max ${r.requests?.maxInFlight} in flight, ${r.requests?.inFlightAfterStop} after stop).`,
    `Faults injected: ${Object.entries(r.faults ?? {}).map(([k, v]) => `${k} x${v}`).join(', ') || 'none'}; workload outages: ${r.workload?.outages}.`,
    `Workload: ${r.workload?.jobsAdded} jobs added; engine: ${r.engine?.finished} finished, ${r.engine?.jobsAtEnd} in the live store at the end, ${r.engine?.healthChanges} health changes, ${r.engine?.logWarnings} warnings / ${r.engine?.logErrors} errors logged.`,
    `Health after recovery: ${(r.finalHealth ?? []).map((h) => `${h.id} ${h.status}`).join(', ')}.`,
  ];
  if (r.workload?.errors.length) lines.push(`Workload errors (first ${r.workload.errors.length}): ${r.workload.errors.slice(0, 3).join(' | ')}`);
  lines.push(r.violations.length ? `FAILED:\n  - ${r.violations.join('\n  - ')}` : 'PASSED: every bound held.');
  return lines.join('\n');
}
