/**
 * The app core's memory, measured in a process of its own (bench/core-process.ts): the real core
 * (settings file, sources, engine, store) runs in a child forked through tsx with --expose-gc; the
 * simulators and the workload driver stay in the bench process. Figures are process.memoryUsage()
 * of the child after two forced garbage collections, stated beside an empty child measured the
 * same way (tsx's loader and the IPC script: what every such child holds), never subtracted.
 */
import { startAodocsSimulator } from '../test/simulators/aodocs/server';
import { createWorkload, startWorkloadSimulators, WORKLOAD_SOURCE_IDS } from '../test/simulators/workload';
import type { BenchFigure } from './types';
import { median, sideBySide, sleep } from './harness';
import { forkCoreProcess, type CoreMemory } from './core-process';

const UPN = 'alex.morgan@contoso.example';
/** Runs of each measurement (median reported). */
const REPS = 3;
const SECURITY_CODE = 'bench-security-code-2b9e';

async function withCoreProcess<T>(run: (core: Awaited<ReturnType<typeof forkCoreProcess>>) => Promise<T>): Promise<T> {
  const core = await forkCoreProcess();
  try {
    return await run(core);
  } finally {
    await core.close();
  }
}

/** A child that loads nothing of the app, measured as the others are. */
function emptyChild(): Promise<CoreMemory> {
  return withCoreProcess((core) => core.call('memory', {}));
}

/** The whole workload at ×20 for 30 s (10 simulated minutes) against the core in its own process. */
async function afterLoad(): Promise<CoreMemory & { jobs: number }> {
  const SPEED = 20;
  const sims = await startWorkloadSimulators();
  try {
    return await withCoreProcess(async (core) => {
      await core.call('start', {
        sources: sims.sources,
        secrets: sims.secrets,
        polling: {
          scriptx: { activeMs: 200, idleMs: 1000 },
          graph: { activeMs: 5000 / SPEED, idleMs: 60000 / SPEED },
          aodocs: { activeMs: 10000 / SPEED, idleMs: 120000 / SPEED },
        },
      });
      const workload = createWorkload(sims, {
        seed: 7,
        speed: SPEED,
        trackScriptx: (token, kind) => core.call('track', { sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind }).catch(() => null),
      });
      await workload.start();
      await sleep(30_000);
      await workload.stop();
      const jobs = await core.call('jobs', {});
      return { ...(await core.call('memory', {})), jobs };
    });
  } finally {
    await sims.close();
  }
}

const LIBRARIES = 10;
const JOBS_PER_LIBRARY = 1000;

/**
 * 10,000 AODocs jobs in progress (1,000 in each of 10 libraries: within the source's paging of
 * 100 a page, up to 20 pages of IN_PROGRESS jobs per library in an active poll), held by the core.
 */
async function tenThousandJobs(): Promise<CoreMemory & { jobs: number; fillMs: number }> {
  const libraries = Array.from({ length: LIBRARIES }, (_, i) => ({ id: `lib-${i}`, name: `Library ${i}`, admins: [UPN] }));
  const sim = await startAodocsSimulator({ credentials: [{ scheme: 'securityCode', value: SECURITY_CODE, user: UPN }], libraries });
  try {
    for (const lib of libraries) {
      for (let i = 0; i < JOBS_PER_LIBRARY; i++) {
        sim.addJob({ libraryId: lib.id, requestor: UPN, type: i % 2 ? 'IMPORT' : 'EXPORT_FOLDER', status: 'IN_PROGRESS', totalTasks: 100, succeededTasks: i % 100, remainingTasks: 100 - (i % 100) });
      }
    }
    const total = LIBRARIES * JOBS_PER_LIBRARY;
    return await withCoreProcess(async (core) => {
      const t0 = performance.now();
      await core.call('start', {
        sources: [{ id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: libraries.map((l) => l.id), user: UPN, auth: 'securityCode' }],
        secrets: { ao: { SECURITY_CODE } },
        polling: { aodocs: { activeMs: 2000, idleMs: 120_000 } },
      });
      const jobs = await core.call('waitForJobs', { count: total, timeoutMs: 180_000 });
      const fillMs = performance.now() - t0;
      return { ...(await core.call('memory', {})), jobs, fillMs };
    });
  } finally {
    await sim.close();
  }
}

export async function runMemoryBench(): Promise<BenchFigure[]> {
  const empty = await emptyChild();
  const emptyWords = `an empty child measured the same way (tsx's loader and the IPC script, nothing of the app loaded) holds ${empty.heapUsedMb.toFixed(1)} MB heap, ${empty.rssMb.toFixed(0)} MB RSS: included in the figure, not subtracted`;
  const gcWords = (gc: boolean) => (gc ? 'after two forced GCs' : 'NO forced GC (gc() unavailable in the child)');
  const where = 'the real app core (createAppCore: settings file, sources, engine, store; window visible) in a child process of its own (node --import tsx --expose-gc bench/core-process.ts), driven over the IPC channel; the simulators in the bench process';

  // REPS runs of each, side by side, each with its own simulators and child: the figures are the
  // medians, every run listed (memory after forced collections, not latency).
  const loads = await sideBySide(REPS, afterLoad);
  const tens = await sideBySide(REPS, tenThousandJobs);
  const runsOf = (ms: CoreMemory[], k: 'heapUsedMb' | 'rssMb') => `median of ${REPS} runs side by side, each with its own simulators and child (runs: ${ms.map((m) => m[k].toFixed(k === 'rssMb' ? 0 : 2)).join(', ')} MB)`;
  const mid = (ms: CoreMemory[], k: 'heapUsedMb' | 'rssMb') => median(ms.map((m) => m[k]));
  const allGc = (ms: CoreMemory[]) => ms.every((m) => m.gc);
  const loadMethod = `${where}, with the workload driver (3 simulated services: ScriptX, Universal Print, AODocs) at ×20 for 30 s = 10 simulated minutes, ${loads.map((l) => l.jobs).join(', ')} jobs in the queue at the end; process.memoryUsage() of the child ${gcWords(allGc(loads))}; ${emptyWords}`;
  const tenMethod = `${where}: one AODocs source on 10 libraries of 1,000 jobs in progress (pages of 100, the source's own paging), the core's snapshot naming ${tens.map((t) => t.jobs).join(', ')} jobs (all there ${tens.map((t) => (t.fillMs / 1000).toFixed(1)).join(', ')} s after start); process.memoryUsage() of the child ${gcWords(allGc(tens))}; ${emptyWords}`;
  const loadHeap = mid(loads, 'heapUsedMb');
  const loadRss = mid(loads, 'rssMb');
  const tenHeap = mid(tens, 'heapUsedMb');
  return [
    { group: 'memory', name: 'app core heap after 10 min of load, own process, after GC', value: loadHeap, unit: 'MB', target: '≤ 100 MB', met: allGc(loads) && loadHeap <= 100, method: `${loadMethod}; ${runsOf(loads, 'heapUsedMb')}` },
    { group: 'memory', name: 'app core RSS after 10 min of load, own process, after GC', value: loadRss, unit: 'MB', target: '≤ 300 MB', met: allGc(loads) && loadRss <= 300, method: `${loadMethod}; ${runsOf(loads, 'rssMb')}` },
    { group: 'memory', name: 'app core heap with 10k jobs, own process, after GC', value: tenHeap, unit: 'MB', target: '≤ 60 MB', met: allGc(tens) && tens.every((t) => t.jobs >= 10_000) && tenHeap <= 60, method: `${tenMethod}; ${runsOf(tens, 'heapUsedMb')}` },
    { group: 'memory', name: 'app core RSS with 10k jobs, own process, after GC', value: mid(tens, 'rssMb'), unit: 'MB', target: null, met: null, method: `${tenMethod}; ${runsOf(tens, 'rssMb')}` },
    { group: 'memory', name: 'empty child heap (what the figures above include), after GC', value: empty.heapUsedMb, unit: 'MB', target: null, met: null, method: `the same child process (node --import tsx --expose-gc bench/core-process.ts) started and measured without loading the app: tsx's loader and the IPC script; RSS ${empty.rssMb.toFixed(0)} MB; ${gcWords(empty.gc)}; one run (what every child holds before the app loads)` },
  ];
}
