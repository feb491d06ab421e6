/**
 * Universal Print and AODocs: freshness (independent changes at random phases of the poll cycle,
 * median of repeated runs), request cost and batching. The app core's memory is bench/memory.ts.
 *
 * Their polling intervals are seconds to minutes, so time is compressed: the intervals in the
 * settings are divided by a factor F and measured durations multiplied by F again (rates divided
 * by F). Freshness multiplies only the wait for the poll that carries a change, not the poll's
 * own request and processing, which take real time at any interval (timeChanges).
 */
import { LIFECYCLES, startGraphSimulator, makeJwt, type GraphSimulator } from '../test/simulators/graph/server';
import { toJobState as toGraphState } from '../main/sources/graph/states';
import { seededRandom } from '../test/helpers/seeded-random';
import { startAodocsSimulator, type AodocsSimulator } from '../test/simulators/aodocs/server';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { JobPatch } from '../preload/contract/model';
import type { BenchFigure } from './types';
import { median, percentile, sideBySide, sleep, startBenchCore, waitFor, type BenchCore } from './harness';

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
/**
 * Freshness runs are compressed less than the request-cost ones: a late timer on a busy machine
 * is multiplied by the factor too, and a p95 against one active interval has a margin of only 5%
 * of the interval once the phase of the change is random.
 */
const GRAPH_FRESH_F = 5;
const AODOCS_FRESH_F = 5;
/** Independent repetitions of each freshness run (a fresh simulator and core each); a figure is their median. */
const REPETITIONS = 3;

/** One scripted change of one job: made at a random moment, timed until the patch that shows it. */
interface Change {
  kind: string;
  key: string;
  apply(): void;
  /** The patch that shows the change. */
  shows(p: JobPatch): boolean;
  /** Whether a request (`METHOD /path?query`) can carry the change in its answer. */
  seenBy(request: string): boolean;
}

const inState = (state: string) => (p: JobPatch) => (p.type === 'changed' ? p.changes.state === state : p.type === 'added' && p.job.state === state);

/** A change's freshness: `interval` multiplies only the wait for the poll that saw it; `whole` multiplies everything. */
interface Freshness {
  interval: number[];
  whole: number[];
}

/**
 * Runs each chain of changes in its own loop, all loops at once: before each change, a seeded
 * random wait of up to one poll cycle, so every change falls at an independent random phase of
 * the cycle; then the change, and the time to the patch showing it.
 *
 * The simulator's requests are timed as they arrive (Node's `http.server.request.start`
 * diagnostics channel). The wait from the change to the last request before the patch that can
 * carry it (`seenBy`) is compressed time and is multiplied by `f`; the rest (that request, the
 * source's parsing, the engine, the patch) is real time and is not. `whole` multiplies everything.
 */
async function timeChanges(bench: BenchCore, chains: Change[][], cycleMs: number, seed: number, f: number, simUrl: string): Promise<Map<string, Freshness>> {
  const port = Number(new URL(simUrl).port);
  const arrivals: { at: number; what: string }[] = [];
  const onRequest = (m: unknown) => {
    const { request } = m as { request: IncomingMessage };
    if (request.socket.localPort === port) arrivals.push({ at: performance.now(), what: `${request.method} ${request.url}` });
  };
  const samples = new Map<string, Freshness>();
  const add = (change: Change, t: number, at: number) => {
    const s = samples.get(change.kind) ?? { interval: [], whole: [] };
    const request = arrivals.filter((r) => r.at <= at && change.seenBy(r.what)).at(-1)?.at;
    if (request === undefined) throw new Error(`no request that could carry ${change.kind} of ${change.key} reached the simulator before the patch showing it`);
    s.interval.push(Math.max(0, request - t) * f + (at - Math.max(request, t)));
    s.whole.push((at - t) * f);
    samples.set(change.kind, s);
  };
  diagnostics.subscribe('http.server.request.start', onRequest);
  try {
    await Promise.all(
      chains.map(async (chain, i) => {
        const random = seededRandom(seed * 101 + i);
        for (const change of chain) {
          await sleep(random() * cycleMs);
          const t = performance.now();
          change.apply();
          await waitFor(() => firstPatchAfter(bench.patches, change.key, t, change.shows) !== null, 60_000, `${change.kind} of ${change.key} to reach the bridge`);
          add(change, t, firstPatchAfter(bench.patches, change.key, t, change.shows)!);
        }
      }),
    );
  } finally {
    diagnostics.unsubscribe('http.server.request.start', onRequest);
  }
  return samples;
}

/** The median over the repetitions of one percentile of each repetition's samples, with each repetition's value. */
function medianOfRuns(runs: number[][], p: number): { value: number; runs: number[] } {
  const each = runs.map((r) => percentile(r, p));
  return { value: percentile(each, 50), runs: each };
}

const GRAPH_SHARES = 6;
const GRAPH_JOBS_PER_SHARE = 2;
/** The steps after 'pending' of a Universal Print job that completes, with the state each shows. */
const GRAPH_STEPS = LIFECYCLES.completed!.slice(1).map((step) => ({ step, state: toGraphState({ state: step.state, details: step.details ?? [] }) }));

async function graphFreshnessRun(seed: number): Promise<Freshness> {
  const { sim, token, shares, printerIds } = await graphSim(GRAPH_SHARES);
  const chains = printerIds.map((printerId, i) =>
    Array.from({ length: GRAPH_JOBS_PER_SHARE }, (_, n) => {
      const job = sim.addJob({ printerId, shareId: shares[i], upn: UPN, displayName: `Report ${i}-${n}.pdf`, lifecycle: 'completed' });
      const key = `up:${shares[i]}/${job.id}`;
      return GRAPH_STEPS.map(({ step, state }): Change => ({
        kind: 'step',
        key,
        apply: () => sim.setJobStatus(printerId, job.id, { state: step.state, details: step.details, description: step.description }),
        shows: inState(state),
        seenBy: (r) => r.startsWith('POST /v1.0/$batch'),
      }));
    }).flat(),
  );
  const activeMs = 5000 / GRAPH_FRESH_F;
  const bench = await startBenchCore(
    [{ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, shares, scope: 'mine', userPrincipalName: UPN }],
    { up: { TOKEN: token } },
    { graph: { activeMs, idleMs: 60000 / GRAPH_FRESH_F } },
  );
  try {
    const keys = [...new Set(chains.flat().map((c) => c.key))];
    await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, 0) !== null), 30_000, 'the Universal Print jobs to appear');
    return (await timeChanges(bench, chains, activeMs, seed, GRAPH_FRESH_F, sim.baseUrl)).get('step') ?? { interval: [], whole: [] };
  } finally {
    await bench.close();
    await sim.close();
  }
}

const AODOCS_CHAINS = 12;
const AODOCS_JOBS_PER_CHAIN = 3;

async function aodocsFreshnessRun(seed: number): Promise<{ progress: Freshness; completed: Freshness }> {
  const sim = await aodocsSim();
  const path = (r: string) => r.split('?')[0];
  const listing = (r: string) => path(r) === 'GET /api/job/v1/libraries/lib-a';
  const chains = Array.from({ length: AODOCS_CHAINS }, () =>
    Array.from({ length: AODOCS_JOBS_PER_CHAIN }, () => {
      const { jobId } = sim.addJob({ libraryId: 'lib-a', requestor: UPN, type: 'EXPORT_FOLDER', status: 'IN_PROGRESS', totalTasks: 100, succeededTasks: 0, remainingTasks: 100 });
      const key = `ao:${jobId}`;
      return [
        { kind: 'progress', key, apply: () => void sim.advance(jobId, { succeeded: 10 }), shows: (p: JobPatch) => p.type === 'changed' && p.changes.progress !== undefined, seenBy: listing },
        { kind: 'completed', key, apply: () => void sim.complete(jobId), shows: inState('completed'), seenBy: (r: string) => listing(r) || path(r) === `GET /api/job/v1/${encodeURIComponent(jobId)}` },
      ];
    }).flat(),
  );
  const activeMs = 10_000 / AODOCS_FRESH_F;
  const bench = await startBenchCore(
    [{ id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: UPN, auth: 'securityCode' }],
    { ao: { SECURITY_CODE } },
    { aodocs: { activeMs, idleMs: 120_000 / AODOCS_FRESH_F } },
  );
  try {
    const keys = [...new Set(chains.flat().map((c) => c.key))];
    await waitFor(() => keys.every((k) => firstPatchAfter(bench.patches, k, 0) !== null), 30_000, 'the AODocs jobs to appear');
    const s = await timeChanges(bench, chains, activeMs, seed, AODOCS_FRESH_F, sim.baseUrl);
    const none = { interval: [], whole: [] };
    return { progress: s.get('progress') ?? none, completed: s.get('completed') ?? none };
  } finally {
    await bench.close();
    await sim.close();
  }
}

async function graphCycleCost(printers: number): Promise<{ listRequests: number; batchCalls: number; httpRequests: number }> {
  const { sim, token, shares, printerIds } = await graphSim(printers);
  for (const [i, p] of printerIds.entries()) sim.addJob({ printerId: p, shareId: shares[i], upn: UPN, displayName: `Doc ${i}.pdf`, lifecycle: [{ state: 'processing', details: ['interpreting'] }] });
  const bench = await startBenchCore([{ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, shares, scope: 'mine', userPrincipalName: UPN }], { up: { TOKEN: token } }, { graph: { activeMs: 3_600_000, idleMs: 3_600_000 } });
  try {
    // The first poll (discovery included) runs at start; measure one full cycle after it.
    await waitFor(() => bench.patches.length >= printers, 20_000, 'the first Universal Print poll');
    sim.resetLog();
    await bench.pollOnce();
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

export async function runRemoteBench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const gRuns: Freshness[] = [];
  for (let r = 0; r < REPETITIONS; r++) gRuns.push(await graphFreshnessRun(r + 1));
  const randomWait = (activeMs: number) => `before each change a seeded random wait of 0–${activeMs} ms (one poll cycle), so that changes fall at independent random phases of the cycle`;
  const timing = (f: number) =>
    `simulator change to patch: the wait until the last request before the patch that can carry the change (arrival at the simulator) ×${f} (compressed time), the rest (that request, parsing, engine, patch) in real time, not multiplied; median of ${REPETITIONS} runs, each with a fresh simulator and core`;
  const runsWords = (r: { runs: number[] }) => `runs: ${r.runs.map((v) => (v / 1000).toFixed(2)).join(', ')} s`;
  /** The figure at percentile p over runs, and the same with everything multiplied (the pessimistic bound). */
  const fresh = (runs: Freshness[], p: number, f: number) => {
    const r = medianOfRuns(runs.map((x) => x.interval), p);
    const whole = medianOfRuns(runs.map((x) => x.whole), p);
    return { value: r.value, words: ` (${runsWords(r)}; everything ×${f}, loopback latency included: ${(whole.value / 1000).toFixed(2)} s)` };
  };
  const gMethod = `compressed ×${GRAPH_FRESH_F} (active polling 5 s → ${5000 / GRAPH_FRESH_F} ms); ${gRuns[0]!.whole.length} independent lifecycle steps per run (${GRAPH_JOBS_PER_SHARE} jobs on each of ${GRAPH_SHARES} shares taken one step at a time through processing, printing, completed, the shares' steps interleaved); ${randomWait(5000 / GRAPH_FRESH_F)}; ${timing(GRAPH_FRESH_F)}`;
  const g50 = fresh(gRuns, 50, GRAPH_FRESH_F);
  const g95 = fresh(gRuns, 95, GRAPH_FRESH_F);
  figures.push(
    { group: 'freshness', name: 'Universal Print p50', value: g50.value / 1000, unit: 's', target: null, met: null, method: gMethod + g50.words },
    { group: 'freshness', name: 'Universal Print p95', value: g95.value / 1000, unit: 's', target: '≤ 5 s (one active interval)', met: g95.value <= 5000, method: gMethod + g95.words },
  );
  const aRuns: { progress: Freshness; completed: Freshness }[] = [];
  for (let r = 0; r < REPETITIONS; r++) aRuns.push(await aodocsFreshnessRun(r + 1));
  const aMethod = (what: string, n: number) => `compressed ×${AODOCS_FRESH_F} (active polling 10 s → ${10000 / AODOCS_FRESH_F} ms, full list 120 s → ${120000 / AODOCS_FRESH_F} ms); ${n} independent ${what} per run (${AODOCS_CHAINS * AODOCS_JOBS_PER_CHAIN} jobs in ${AODOCS_CHAINS} interleaved chains, each job advanced by 10 tasks, then completed); ${randomWait(10000 / AODOCS_FRESH_F)}; ${timing(AODOCS_FRESH_F)}`;
  const ap50 = fresh(aRuns.map((r) => r.progress), 50, AODOCS_FRESH_F);
  const ap95 = fresh(aRuns.map((r) => r.progress), 95, AODOCS_FRESH_F);
  const ac95 = fresh(aRuns.map((r) => r.completed), 95, AODOCS_FRESH_F);
  const pMethod = aMethod('progress changes', aRuns[0]!.progress.whole.length);
  figures.push(
    { group: 'freshness', name: 'AODocs progress p50', value: ap50.value / 1000, unit: 's', target: null, met: null, method: pMethod + ap50.words },
    { group: 'freshness', name: 'AODocs progress p95', value: ap95.value / 1000, unit: 's', target: '≤ 10 s (one active interval)', met: ap95.value <= 10_000, method: pMethod + ap95.words },
    { group: 'freshness', name: 'AODocs completion p95', value: ac95.value / 1000, unit: 's', target: '≤ 10 s (one active interval)', met: ac95.value <= 10_000, method: aMethod('completions', aRuns[0]!.completed.whole.length) + ac95.words },
  );
  // The request counts: REPETITIONS runs side by side, each with its own simulator and core (counts, not
  // latency); a rate is their median, a count per cycle the largest.
  const windowMs = 4000;
  const reps = `${REPETITIONS} runs side by side, each with its own simulator and core`;
  const listed = (xs: number[]) => `runs: ${xs.map((x) => Math.round(x * 10) / 10).join(', ')}`;
  for (const active of [0, 1, 10, 100]) {
    const label = active === 0 ? 'idle' : `${active} active`;
    // Idle polls are a minute or two apart: compressed further so that the window sees several.
    const gf = active === 0 ? 60 : GRAPH_F;
    const gs = await sideBySide(REPETITIONS, () => graphRequestRate(active, windowMs, gf));
    const g = median(gs);
    figures.push({ group: 'request-cost', name: `Universal Print HTTP requests/min, 3 shares, ${label}`, value: Math.round(g * 10) / 10, unit: 'req/min', target: null, met: null, method: `compressed ×${gf}, ${windowMs / 1000} s window; $batch calls count as one request; median of ${reps} (${listed(gs)} req/min)` });
    const af = active === 0 ? 120 : AODOCS_F;
    const as = await sideBySide(REPETITIONS, () => aodocsRequestRate(active, windowMs, af));
    const a = median(as);
    figures.push({ group: 'request-cost', name: `AODocs requests/min, 1 library, ${label}`, value: Math.round(a * 10) / 10, unit: 'req/min', target: null, met: null, method: `compressed ×${af}, ${windowMs / 1000} s window; median of ${reps} (${listed(as)} req/min)` });
  }
  for (const printers of [1, 20, 45]) {
    const cs = await sideBySide(REPETITIONS, () => graphCycleCost(printers));
    const lists = Math.max(...cs.map((c) => c.listRequests));
    const batches = Math.max(...cs.map((c) => c.batchCalls));
    const expectedBatches = Math.ceil(printers / 20);
    figures.push({ group: 'request-cost', name: `Universal Print list requests per cycle, ${printers} printers`, value: lists, unit: 'req', target: `${printers} (one per share)`, met: lists <= printers, method: `one full poll cycle after the first, every share with one job; counted inside $batch; the most of ${reps} (${listed(cs.map((c) => c.listRequests))})` });
    figures.push({ group: 'request-cost', name: `Universal Print $batch calls per cycle, ${printers} printers`, value: batches, unit: 'calls', target: `≤ ${expectedBatches} (20 per batch)`, met: batches <= expectedBatches, method: `HTTP POST $batch during the same cycle; the most of ${reps} (${listed(cs.map((c) => c.batchCalls))})` });
  }
  return figures;
}
