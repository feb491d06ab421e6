/**
 * Universal Print and AODocs: freshness, request cost and batching, and the main process's memory
 * after a long compressed run of the whole workload.
 *
 * Their polling intervals are seconds to minutes, so time is compressed: the intervals in the
 * settings are divided by a factor F and measured durations multiplied by F again (rates divided
 * by F). Loopback latency is multiplied too, which makes these figures slightly pessimistic.
 */
import { startGraphSimulator, makeJwt, type GraphSimulator } from '../test/simulators/graph/server';
import { startAodocsSimulator, type AodocsSimulator } from '../test/simulators/aodocs/server';
import { createWorkload, startWorkloadSimulators } from '../test/simulators/workload';
import type { JobPatch } from '../preload/contract/model';
import type { BenchFigure } from './types';
import { percentile, sleep, startBenchCore, waitFor, type BenchCore } from './harness';

const UPN = 'alex.morgan@contoso.example';
const SECURITY_CODE = 'bench-security-code-2b9e';

function firstPatchAfter(patches: BenchCore['patches'], key: string, after: number, pred: (p: JobPatch) => boolean = () => true): number | null {
  for (const { at, patch } of patches) {
    if (at < after) continue;
    const k = patch.type === 'added' ? patch.job.key : patch.key;
    if (k === key && pred(patch)) return at;
  }
  return null;
}

async function graphSim(printers: number): Promise<{ sim: GraphSimulator; token: string; shares: string[]; printerIds: string[] }> {
  const token = makeJwt({ upn: UPN, preferred_username: UPN, name: 'Alex Morgan' });
  const sim = await startGraphSimulator({ pageSize: 50, tokens: { [token]: { kind: 'delegated', upn: UPN, displayName: 'Alex Morgan' } }, users: [{ upn: UPN, displayName: 'Alex Morgan' }] });
  const shares: string[] = [];
  const printerIds: string[] = [];
  for (let i = 0; i < printers; i++) {
    sim.addPrinter({ id: `printer-${i}`, displayName: `Printer ${i}` });
    sim.addShare({ id: `share-${i}`, displayName: `Printer ${i}`, printerId: `printer-${i}` });
    shares.push(`share-${i}`);
    printerIds.push(`printer-${i}`);
  }
  return { sim, token, shares, printerIds };
}

const GRAPH_F = 10;
const AODOCS_F = 20;

async function graphFreshness(): Promise<number[]> {
  const { sim, token, shares, printerIds } = await graphSim(3);
  const bench = await startBenchCore(
    [{ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, shares, scope: 'mine', userPrincipalName: UPN }],
    { up: { TOKEN: token } },
    { graph: { activeMs: 5000 / GRAPH_F, idleMs: 60000 / GRAPH_F } },
  );
  const samples: number[] = [];
  try {
    const jobs = printerIds.map((p, i) => ({ printerId: p, job: sim.addJob({ printerId: p, shareId: shares[i], upn: UPN, displayName: `Report ${i}.pdf`, lifecycle: 'completed' }) }));
    const keys = jobs.map((j, i) => `up:${shares[i]}/${j.job.id}`);
    await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, 0) !== null), 15_000, 'the Universal Print jobs to appear');
    for (let round = 0; round < 3; round++) {
      await sleep(137 + ((round * 211) % 400));
      const t = performance.now();
      sim.tick();
      await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, t) !== null), 15_000, 'a Universal Print step to reach the bridge');
      for (const k of keys) samples.push((firstPatchAfter(bench.patches, k, t)! - t) * GRAPH_F);
      await bench.core.handlers.refreshNow({}).catch(() => null);
    }
  } finally {
    await bench.close();
    await sim.close();
  }
  return samples;
}

async function graphCycleCost(printers: number): Promise<{ listRequests: number; batchCalls: number; httpRequests: number }> {
  const { sim, token, shares, printerIds } = await graphSim(printers);
  for (const [i, p] of printerIds.entries()) sim.addJob({ printerId: p, shareId: shares[i], upn: UPN, displayName: `Doc ${i}.pdf`, lifecycle: [{ state: 'processing', details: ['interpreting'] }] });
  const bench = await startBenchCore([{ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, shares, scope: 'mine', userPrincipalName: UPN }], { up: { TOKEN: token } }, { graph: { activeMs: 3_600_000, idleMs: 3_600_000 } });
  try {
    // The first poll (discovery included) runs at start; measure one full cycle after it.
    await waitFor(() => bench.patches.length >= printers, 20_000, 'the first Universal Print poll');
    sim.resetLog();
    await bench.core.pollOnce();
    const listRequests = sim.log.filter((l) => l.method === 'GET' && /\/jobs$/.test(l.path)).length;
    return { listRequests, batchCalls: sim.httpRequests(/\$batch/), httpRequests: sim.log.filter((l) => !l.viaBatch).length };
  } finally {
    await bench.close();
    await sim.close();
  }
}

async function graphRequestRate(active: number, windowMs: number, f: number): Promise<number> {
  const { sim, token, shares, printerIds } = await graphSim(3);
  for (let i = 0; i < active; i++) sim.addJob({ printerId: printerIds[i % 3]!, shareId: shares[i % 3], upn: UPN, displayName: `Doc ${i}.pdf`, lifecycle: [{ state: 'processing', details: ['interpreting'] }] });
  const bench = await startBenchCore([{ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, shares, scope: 'mine', userPrincipalName: UPN }], { up: { TOKEN: token } }, { graph: { activeMs: Math.max(200, 5000 / f), idleMs: 60000 / f } });
  try {
    await sleep(1500);
    sim.resetLog();
    const from = performance.now();
    await sleep(windowMs);
    const real = sim.httpRequests();
    return (real / ((performance.now() - from) * f)) * 60_000;
  } finally {
    await bench.close();
    await sim.close();
  }
}

async function aodocsSim(): Promise<AodocsSimulator> {
  return startAodocsSimulator({ credentials: [{ scheme: 'securityCode', value: SECURITY_CODE, user: UPN }], libraries: [{ id: 'lib-a', name: 'Contracts', admins: [UPN] }] });
}

async function aodocsFreshness(): Promise<{ progress: number[]; completed: number[] }> {
  const sim = await aodocsSim();
  const bench = await startBenchCore(
    [{ id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: UPN, auth: 'securityCode' }],
    { ao: { SECURITY_CODE } },
    { aodocs: { activeMs: 10_000 / AODOCS_F, idleMs: 120_000 / AODOCS_F } },
  );
  const progress: number[] = [];
  const completed: number[] = [];
  try {
    const jobs = Array.from({ length: 6 }, () => sim.addJob({ libraryId: 'lib-a', requestor: UPN, type: 'EXPORT_FOLDER', status: 'IN_PROGRESS', totalTasks: 100, succeededTasks: 0, remainingTasks: 100 }));
    const keys = jobs.map((j) => `ao:${j.jobId}`);
    await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, 0) !== null), 20_000, 'the AODocs jobs to appear');
    for (let round = 0; round < 3; round++) {
      await sleep(173 + ((round * 97) % 300));
      const t = performance.now();
      for (const j of jobs) sim.advance(j.jobId, { succeeded: 10 });
      await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, t) !== null), 30_000, 'AODocs progress to reach the bridge');
      for (const k of keys) progress.push((firstPatchAfter(bench.patches, k, t)! - t) * AODOCS_F);
    }
    await sleep(211);
    const t = performance.now();
    for (const j of jobs) sim.complete(j.jobId);
    const done = (p: JobPatch) => (p.type === 'changed' ? p.changes.state === 'completed' : p.type === 'added' && p.job.state === 'completed');
    await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, t, done) !== null), 60_000, 'AODocs completions to reach the bridge');
    for (const k of keys) completed.push((firstPatchAfter(bench.patches, k, t, done)! - t) * AODOCS_F);
  } finally {
    await bench.close();
    await sim.close();
  }
  return { progress, completed };
}

async function aodocsRequestRate(active: number, windowMs: number, f: number): Promise<number> {
  const sim = await aodocsSim();
  for (let i = 0; i < active; i++) sim.addJob({ libraryId: 'lib-a', requestor: UPN, type: 'IMPORT', status: 'IN_PROGRESS', totalTasks: 1000, succeededTasks: 1, remainingTasks: 999 });
  const bench = await startBenchCore(
    [{ id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: UPN, auth: 'securityCode' }],
    { ao: { SECURITY_CODE } },
    { aodocs: { activeMs: Math.max(200, 10_000 / f), idleMs: 120_000 / f } },
  );
  try {
    await sleep(1500);
    sim.clearLog();
    const from = performance.now();
    await sleep(windowMs);
    return (sim.requests.length / ((performance.now() - from) * f)) * 60_000;
  } finally {
    await bench.close();
    await sim.close();
  }
}

/** The whole workload at 20x for 30 s (10 simulated minutes), then the main process's memory. */
async function memory(): Promise<{ heapMb: number; rssMb: number; jobs: number; gc: boolean }> {
  const SPEED = 20;
  const sims = await startWorkloadSimulators();
  const bench = await startBenchCore(sims.sources, sims.secrets, {
    scriptx: { activeMs: 200, idleMs: 1000 },
    graph: { activeMs: 5000 / SPEED, idleMs: 60000 / SPEED },
    aodocs: { activeMs: 10000 / SPEED, idleMs: 120000 / SPEED },
  });
  const workload = createWorkload(sims, {
    seed: 7,
    speed: SPEED,
    trackScriptx: (token, kind) => bench.core.handlers.trackJob({ sourceId: 'scriptx', id: token, kind }).catch(() => null),
  });
  try {
    await workload.start();
    await sleep(30_000);
    await workload.stop();
    const g = (globalThis as { gc?: () => void }).gc;
    if (g) {
      g();
      await sleep(50);
      g();
    }
    const m = process.memoryUsage();
    const snapshot = await bench.core.handlers.getSnapshot({});
    return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20, jobs: snapshot.jobs.length, gc: Boolean(g) };
  } finally {
    await bench.close();
    await sims.close();
  }
}

export async function runRemoteBench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const gf = await graphFreshness();
  const gMethod = `compressed ×${GRAPH_F} (active polling 5 s → ${5000 / GRAPH_F} ms), ${gf.length} lifecycle steps of jobs on 3 shares; simulator step to patch, ×${GRAPH_F}`;
  figures.push(
    { group: 'freshness', name: 'Universal Print p50', value: percentile(gf, 50) / 1000, unit: 's', target: null, met: null, method: gMethod },
    { group: 'freshness', name: 'Universal Print p95', value: percentile(gf, 95) / 1000, unit: 's', target: '≤ 5 s (one active interval)', met: percentile(gf, 95) <= 5000, method: gMethod },
  );
  const af = await aodocsFreshness();
  const aMethod = `compressed ×${AODOCS_F} (active polling 10 s → ${10000 / AODOCS_F} ms, full list 120 s → ${120000 / AODOCS_F} ms); 6 jobs; simulator change to patch, ×${AODOCS_F}`;
  figures.push(
    { group: 'freshness', name: 'AODocs progress p50', value: percentile(af.progress, 50) / 1000, unit: 's', target: null, met: null, method: aMethod },
    { group: 'freshness', name: 'AODocs progress p95', value: percentile(af.progress, 95) / 1000, unit: 's', target: '≤ 10 s (one active interval)', met: percentile(af.progress, 95) <= 10_000, method: aMethod },
    { group: 'freshness', name: 'AODocs completion p95', value: percentile(af.completed, 95) / 1000, unit: 's', target: '≤ 10 s (one active interval)', met: percentile(af.completed, 95) <= 10_000, method: aMethod },
  );
  const windowMs = 4000;
  for (const active of [0, 1, 10, 100]) {
    const label = active === 0 ? 'idle' : `${active} active`;
    // Idle polls are a minute or two apart: compressed further so that the window sees several.
    const gf = active === 0 ? 60 : GRAPH_F;
    const g = await graphRequestRate(active, windowMs, gf);
    figures.push({ group: 'request-cost', name: `Universal Print HTTP requests/min, 3 shares, ${label}`, value: Math.round(g * 10) / 10, unit: 'req/min', target: null, met: null, method: `compressed ×${gf}, ${windowMs / 1000} s window; $batch calls count as one request` });
    const af = active === 0 ? 120 : AODOCS_F;
    const a = await aodocsRequestRate(active, windowMs, af);
    figures.push({ group: 'request-cost', name: `AODocs requests/min, 1 library, ${label}`, value: Math.round(a * 10) / 10, unit: 'req/min', target: null, met: null, method: `compressed ×${af}, ${windowMs / 1000} s window` });
  }
  for (const printers of [1, 20, 45]) {
    const c = await graphCycleCost(printers);
    const expectedBatches = Math.ceil(printers / 20);
    figures.push({ group: 'request-cost', name: `Universal Print list requests per cycle, ${printers} printers`, value: c.listRequests, unit: 'req', target: `${printers} (one per share)`, met: c.listRequests <= printers, method: 'one full poll cycle after the first, every share with one job; counted inside $batch' });
    figures.push({ group: 'request-cost', name: `Universal Print $batch calls per cycle, ${printers} printers`, value: c.batchCalls, unit: 'calls', target: `≤ ${expectedBatches} (20 per batch)`, met: c.batchCalls <= expectedBatches, method: 'HTTP POST $batch during the same cycle' });
  }
  const m = await memory();
  const mMethod = `the whole workload (3 simulated services) at ×20 for 30 s = 10 simulated minutes, ${m.jobs} jobs live at the end; ${m.gc ? 'after a forced GC' : 'no forced GC (run with --expose-gc)'}; the simulators run in the same process`;
  figures.push(
    { group: 'memory', name: 'main-process heap after 10 min of load', value: m.heapMb, unit: 'MB', target: '≤ 100 MB', met: m.heapMb <= 100, method: mMethod },
    { group: 'memory', name: 'main-process RSS after 10 min of load', value: m.rssMb, unit: 'MB', target: '≤ 300 MB', met: m.rssMb <= 300, method: mMethod },
  );
  return figures;
}
