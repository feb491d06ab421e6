/**
 * ScriptX.Services: freshness and request cost of the monitor, and of MeadCo's own client library
 * (npm `scriptxprint-html`, in Debian Chromium through test/meadco/harness.ts) in the same run,
 * against the same simulator.
 *
 * Real time, default polling (500 ms active, 10 s idle, 30 status requests a second per service),
 * window visible. The simulator's job lifecycles are scripted, so the moment of each state change is
 * known exactly. The service forgets a job once its final status is read, so the monitor and MeadCo
 * never watch one job: each MeadCo print has a twin the monitor tracks, with the same timeline.
 * Requests are counted from the simulator's request log (MeadCo's page sends an Origin; the
 * monitor does not).
 */
import type { SimRequest } from '../test/simulators/scriptx/server';
import { startScriptxSimulator, type ScriptxSimulator } from '../test/simulators/scriptx/server';
import { startMeadcoHarness, type MeadcoHarness } from '../test/meadco/harness';
import type { BenchFigure } from './types';
import { median, patchTime, percentile, sideBySide, sleep, startBenchCore, waitFor } from './harness';

/** The license in MeadCo's own form (braces, upper case), as the monitor sends it first. */
const LICENSE = '{8A1F0C3E-52B7-4C1D-9E2A-7B3C4D5E6F70}';
const SIM = { license: LICENSE, version: '2.23.1.5', serviceClass: 3 as const };
/** Repetitions of the freshness run; each figure is their median. */
const REPS = 3;
const HOUR = 3_600_000;

/** A status request (GET): a browser's CORS preflights (OPTIONS) for MeadCo's page are counted apart. */
const isStatus = (r: SimRequest) => r.server === 'service' && r.method === 'GET' && r.path.includes('/status/');
const isPreflight = (r: SimRequest) => r.server === 'service' && r.method === 'OPTIONS' && r.path.includes('/status/');
const tokenOf = (r: SimRequest) => decodeURIComponent(r.rawPath.split('/status/')[1] ?? '');
/** A patch time (performance.now) on the wall clock of the simulator's log (Date.now). */
const wall = (perfAt: number) => performance.timeOrigin + perfAt;

interface FreshnessRun {
  monitor: number[];
  meadco: number[];
  meadcoMissed: number;
  changes: number;
  /** Status requests per job over its whole life. */
  monitorPerJob: number;
  meadcoPerJob: number;
}

/**
 * 20 twin pairs, one started every 500 ms (at most 10 active at once): MeadCo prints one with its
 * own library (the simulator gives it the scripted timeline), the monitor tracks the other, started
 * just after it with the same timeline. Changes: printing, then completed.
 */
async function freshnessRun(): Promise<FreshnessRun> {
  const m = await startMeadcoHarness({ sim: SIM });
  try {
    await m.connect();
    const bench = await startBenchCore([{ id: 'local', kind: 'scriptx', baseUrl: m.sim.url }], { local: { LICENSE } });
    const ours: { key: string; state: 'printing' | 'completed'; at: number }[] = [];
    const theirs: { job: Awaited<ReturnType<MeadcoHarness['printHtml']>>; status: 5 | 6; at: number }[] = [];
    const tokens: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const printingAfter = 700 + ((i * 137) % 2000);
        const doneAfter = printingAfter + 800 + ((i * 211) % 1500);
        const steps = [{ status: 1, afterMs: 0 }, { status: 5, afterMs: printingAfter }, { status: 6, afterMs: doneAfter }];
        const started = performance.now();
        m.sim.setNextPrint({ status: 1, steps });
        const job = await m.printHtml(`<p>Benchmark job ${i}</p>`);
        // The job began when its print was answered at the latest: MeadCo's delays are counted
        // from then (never longer than they were).
        const theirT0 = Date.now();
        theirs.push({ job, status: 5, at: theirT0 + printingAfter }, { job, status: 6, at: theirT0 + doneAfter });
        const ourT0 = Date.now();
        const token = m.sim.addJob({ steps });
        tokens.push(token, job.token);
        const key = `local:${token}`;
        ours.push({ key, state: 'printing', at: ourT0 + printingAfter }, { key, state: 'completed', at: ourT0 + doneAfter });
        await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' });
        await sleep(Math.max(0, 500 - (performance.now() - started)));
      }
      await waitFor(() => ours.every((c) => patchTime(bench.patches, c.key, c.state) !== null), 30_000, 'every ScriptX change to reach the bridge');
      const ended = await Promise.race([Promise.all(theirs.map((t) => t.job.done)), sleep(30_000).then(() => null)]);
      if (ended === null) throw new Error("MeadCo's library did not finish following its jobs within 30 s");
    } finally {
      await bench.close();
    }
    const meadco: number[] = [];
    let meadcoMissed = 0;
    for (const t of theirs) {
      const seen = (await t.job.progress()).find((p) => p.status === t.status);
      if (seen) meadco.push(seen.at - t.at);
      else meadcoMissed++;
    }
    const status = m.sim.requests.filter(isStatus);
    const theirTokens = new Set(theirs.map((t) => t.job.token));
    return {
      monitor: ours.map((c) => wall(patchTime(bench.patches, c.key, c.state)!) - c.at),
      meadco,
      meadcoMissed,
      changes: ours.length,
      monitorPerJob: status.filter((r) => r.origin === undefined && !theirTokens.has(tokenOf(r))).length / 20,
      meadcoPerJob: status.filter((r) => r.origin === m.origin).length / 20,
    };
  } finally {
    await m.close();
  }
}

/**
 * MeadCo's library following `active` jobs in one page: all printed at once (the library itself
 * sends them 750 ms apart), each queued for 10 minutes; its status requests a second once all
 * have started.
 */
async function meadcoRequestRate(active: number, windowMs: number): Promise<{ perSecond: number; preflightsPerSecond: number }> {
  const m = await startMeadcoHarness({ sim: { ...SIM, stepMs: 600_000 } });
  try {
    await m.connect();
    const printed = () => m.sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/printHtml/print' && r.origin === m.origin).length;
    await m.page.evaluate((n) => {
      const w = window as unknown as { MeadCo: { ScriptX: { Print: { HTML: { printHtml(h: string, done: (e: string | null) => void): boolean } } } } };
      for (let i = 0; i < n; i++) w.MeadCo.ScriptX.Print.HTML.printHtml(`<p>Benchmark job ${i}</p>`, () => undefined);
    }, active);
    await waitFor(() => printed() >= active, active * 750 + 30_000, `MeadCo's library to send its ${active} prints`);
    await sleep(1500);
    const from = Date.now();
    await sleep(windowMs);
    const to = Date.now();
    const inWindow = m.sim.requests.filter((r) => r.origin === m.origin && r.at >= from && r.at < to);
    return { perSecond: (inWindow.filter(isStatus).length * 1000) / (to - from), preflightsPerSecond: (inWindow.filter(isPreflight).length * 1000) / (to - from) };
  } finally {
    await m.close();
  }
}

async function withSimulator<T>(fn: (sim: ScriptxSimulator) => Promise<T>): Promise<T> {
  const sim = await startScriptxSimulator(SIM);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/**
 * 100 active jobs on one service: 10 handed in just now (priority), 90 tracked before the app
 * started (in tracked.json, handed in 10 minutes earlier). 30 of the 90 and all 10 priority jobs
 * change state at scripted moments. Status requests a second over the window, and freshness.
 */
async function budgetRun(windowMs: number): Promise<{ perSecond: number; priority: number[]; others: number[]; maxGapMs: number }> {
  return withSimulator(async (sim) => {
    const t0 = Date.now();
    const lead = 3000;
    const others = Array.from({ length: 90 }, (_, i) => {
      const changeAfter = i < 30 ? lead + 2000 + ((i * 613) % (windowMs - 4000)) : HOUR;
      const token = sim.addJob({ steps: [{ status: 3, afterMs: 0 }, { status: 5, afterMs: changeAfter }, { status: 6, afterMs: 2 * HOUR }] });
      return { token, at: i < 30 ? t0 + changeAfter : null };
    });
    const tracked = others.map((o) => ({ sourceId: 'local', id: o.token, kind: 'html' as const, addedAt: new Date(t0 - 10 * 60_000).toISOString() }));
    const bench = await startBenchCore([{ id: 'local', kind: 'scriptx', baseUrl: sim.url }], { local: { LICENSE } }, {}, tracked);
    try {
      const priority: { token: string; at: number }[] = [];
      for (let i = 0; i < 10; i++) {
        const changeAfter = lead + 1000 + ((i * 1_237) % (windowMs - 3000));
        const at = Date.now();
        const token = sim.addJob({ steps: [{ status: 3, afterMs: 0 }, { status: 5, afterMs: changeAfter }, { status: 6, afterMs: 2 * HOUR }] });
        await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' });
        priority.push({ token, at: at + changeAfter });
      }
      const from = t0 + lead;
      await sleep(Math.max(0, from + windowMs - Date.now()));
      const to = Date.now();
      await waitFor(() => [...priority, ...others].every((j) => j.at === null || patchTime(bench.patches, `local:${j.token}`, 'printing') !== null), 15_000, 'every scripted change to reach the bridge');
      const status = sim.requests.filter((r) => isStatus(r) && r.at >= from && r.at < to);
      const delay = (j: { token: string; at: number | null }) => wall(patchTime(bench.patches, `local:${j.token}`, 'printing')!) - j.at!;
      let maxGapMs = 0;
      for (const o of others) {
        const times = [from, ...status.filter((r) => tokenOf(r) === o.token).map((r) => r.at), to];
        for (let i = 1; i < times.length; i++) maxGapMs = Math.max(maxGapMs, times[i]! - times[i - 1]!);
      }
      return {
        perSecond: wholePollRate(sim.requests.filter(isStatus).map((r) => r.at), from, to),
        priority: priority.map(delay),
        others: others.filter((o) => o.at !== null).map(delay),
        maxGapMs,
      };
    } finally {
      await bench.close();
    }
  });
}

/**
 * Status requests a second over whole polls: the requests of the polls that started in [from, to),
 * divided by the time from the first of those polls to the first poll after them. (A count over a
 * window cut at arbitrary moments is off by up to one poll's requests at each edge.) A poll is a
 * burst of requests; polls are at least 500 ms apart and a poll's requests go out within 250 ms.
 */
function wholePollRate(times: number[], from: number, to: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  const starts: { at: number; index: number }[] = [];
  sorted.forEach((t, i) => {
    if (i === 0 || t - sorted[i - 1]! > 250) starts.push({ at: t, index: i });
  });
  const first = starts.find((p) => p.at >= from);
  const next = starts.find((p) => p.at >= to);
  if (!first || !next || next.at <= first.at) throw new Error('the request log has no whole poll in the window');
  return ((next.index - first.index) * 1000) / (next.at - first.at);
}

/** A job tracked before the app started that stays unchanged: its status requests a second after 60 s. */
async function unchangedRun(): Promise<{ perSecond: number; windowS: number }> {
  return withSimulator(async (sim) => {
    const tokens = Array.from({ length: 5 }, () => sim.addJob({ steps: [{ status: 5, afterMs: 0 }, { status: 6, afterMs: HOUR }] }));
    const t0 = Date.now();
    const tracked = tokens.map((id) => ({ sourceId: 'local', id, kind: 'html' as const, addedAt: new Date(t0 - 10 * 60_000).toISOString() }));
    const bench = await startBenchCore([{ id: 'local', kind: 'scriptx', baseUrl: sim.url }], { local: { LICENSE } }, {}, tracked);
    try {
      await sleep(66_000);
      const from = Date.now();
      await sleep(22_000);
      const to = Date.now();
      const status = sim.requests.filter((r) => isStatus(r) && r.at >= from && r.at < to);
      const most = Math.max(...tokens.map((t) => status.filter((r) => tokenOf(r) === t).length));
      return { perSecond: (most * 1000) / (to - from), windowS: (to - from) / 1000 };
    } finally {
      await bench.close();
    }
  });
}

/** Requests with `active` printing jobs (and 10 finished ones tracked alongside). */
async function requestCost(active: number, windowMs: number): Promise<{ perMinute: number; maxPerJobPerSecond: number; finishedPolled: number }> {
  return withSimulator(async (sim) => {
    // Idle polls are 10 s apart: compressed ×10 so that the window sees several.
    const f = active === 0 ? 10 : 1;
    const bench = await startBenchCore([{ id: 'local', kind: 'scriptx', baseUrl: sim.url }], { local: { LICENSE } }, active === 0 ? { scriptx: { activeMs: 500, idleMs: 1000 } } : {});
    try {
      const finished: string[] = [];
      for (let i = 0; i < 10; i++) finished.push(sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 6, afterMs: 50 }] }));
      await sleep(100);
      for (const token of finished) await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' }).catch(() => null);
      for (let i = 0; i < active; i++) {
        const token = sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: 10 }, { status: 6, afterMs: HOUR }] });
        await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' });
      }
      await sleep(1500); // settle into the steady rhythm
      const from = Date.now();
      await sleep(windowMs);
      const to = Date.now();
      const all = sim.requests.filter((r) => r.server === 'service' && r.at >= from && r.at < to);
      const status = all.filter(isStatus);
      const perJobSecond = new Map<string, number>();
      for (const r of status) {
        const k = `${tokenOf(r)}|${Math.floor((r.at - from) / 1000)}`;
        perJobSecond.set(k, (perJobSecond.get(k) ?? 0) + 1);
      }
      const finishedSet = new Set(finished);
      return {
        perMinute: (all.length / ((to - from) * f)) * 60_000,
        maxPerJobPerSecond: Math.max(0, ...perJobSecond.values()),
        finishedPolled: status.filter((r) => finishedSet.has(tokenOf(r))).length,
      };
    } finally {
      await bench.close();
    }
  });
}

const s = (ms: number) => ms / 1000;

export async function runScriptxBench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const runs: FreshnessRun[] = [];
  for (let i = 0; i < REPS; i++) runs.push(await freshnessRun());
  const p95s = runs.map((r) => percentile(r.monitor, 95));
  const meadcoP95s = runs.map((r) => percentile(r.meadco, 95));
  const m95 = median(p95s);
  const mc95 = median(meadcoP95s);
  const spread = (xs: number[]) => `runs: ${xs.map((x) => s(x).toFixed(3)).join(', ')} s`;
  const how = `real time, default polling, window visible; ${runs[0]!.changes} scripted changes (printing, completed) of 20 jobs handed in 500 ms apart (at most 10 active), each with a twin printed through MeadCo's library (scriptxprint-html in Chromium) on the same simulator in the same run; median of ${REPS} runs`;
  figures.push(
    { group: 'freshness', name: 'ScriptX p50, ≤ 10 active jobs', value: s(median(runs.map((r) => percentile(r.monitor, 50)))), unit: 's', target: null, met: null, method: `${how}; simulator change to patch on the bridge` },
    {
      group: 'freshness',
      name: 'ScriptX p95, ≤ 10 active jobs',
      value: s(m95),
      unit: 's',
      target: "≤ 0.6 s and ≤ MeadCo's p95 in the same run",
      met: m95 <= 600 && m95 <= mc95,
      method: `${how}; simulator change to patch on the bridge (${spread(p95s)}; MeadCo ${s(mc95).toFixed(3)} s)`,
    },
    { group: 'baseline', name: "MeadCo's library, ScriptX freshness p50", value: s(median(runs.map((r) => percentile(r.meadco, 50)))), unit: 's', target: null, met: null, method: `${how}; scripted change to MeadCo's progress callback, counted from the moment its print was answered` },
    { group: 'baseline', name: "MeadCo's library, ScriptX freshness p95", value: s(mc95), unit: 's', target: null, met: null, method: `${how}; scripted change to MeadCo's progress callback (${spread(meadcoP95s)})` },
    { group: 'baseline', name: "MeadCo's library, ScriptX changes never reported", value: median(runs.map((r) => r.meadcoMissed)), unit: `of ${runs[0]!.changes}`, target: null, met: null, method: 'printing phases shorter than its 1 s period that MeadCo never reported (median of the runs)' },
    { group: 'baseline', name: "MeadCo's library, status requests per job", value: median(runs.map((r) => r.meadcoPerJob)), unit: 'req', target: null, met: null, method: "simulator request log (GET status requests from MeadCo's page origin, CORS preflights not counted), whole life of each job, median of the runs" },
    { group: 'request-cost', name: 'ScriptX status requests per job, ≤ 10 active jobs', value: median(runs.map((r) => r.monitorPerJob)), unit: 'req', target: null, met: null, method: "simulator request log (the monitor's requests), whole life of each job, the same runs as MeadCo's" },
  );

  const windowMs = 20_000;
  const budgets: Awaited<ReturnType<typeof budgetRun>>[] = [];
  for (let i = 0; i < REPS; i++) budgets.push(await budgetRun(windowMs));
  const budget = {
    perSecond: median(budgets.map((b) => b.perSecond)),
    maxGapMs: Math.max(...budgets.map((b) => b.maxGapMs)),
  };
  // Request counts (no latency), run side by side to keep the suite short: the unchanged job's
  // REPS runs, each with its own simulator and core, and MeadCo's 100 jobs on another simulator.
  const [meadco100, unchangedRuns] = await Promise.all([meadcoRequestRate(100, 10_000), sideBySide(REPS, unchangedRun)]);
  const unchanged = { perSecond: median(unchangedRuns.map((u) => u.perSecond)), windowS: median(unchangedRuns.map((u) => u.windowS)) };
  const budgetHow = `real time, default settings (30 req/s per service); 10 jobs handed in now (priority) and 90 tracked before the app started; ${windowMs / 1000} s window from 3 s after start; simulator request log; median of ${REPS} runs, each with a fresh simulator and core`;
  const pp95s = budgets.map((b) => percentile(b.priority, 95));
  const op95s = budgets.map((b) => percentile(b.others, 95));
  const pp95 = median(pp95s);
  const op95 = median(op95s);
  figures.push(
    { group: 'request-cost', name: 'ScriptX status requests per second to one service, 100 active jobs (10 priority)', value: budget.perSecond, unit: 'req/s', target: '≤ 30 req/s', met: budget.perSecond <= 30, method: `${budgetHow}; the requests of the polls that started in the window over the time from the first of them to the next poll (whole polls, not a window cut mid-poll) (runs: ${budgets.map((b) => b.perSecond.toFixed(2)).join(', ')} req/s)` },
    { group: 'freshness', name: 'ScriptX p95 at 100 active jobs: the 10 priority jobs', value: s(pp95), unit: 's', target: '≤ 0.6 s', met: pp95 <= 600, method: `${budgetHow}; 10 scripted changes, simulator change to patch (${spread(pp95s)})` },
    { group: 'freshness', name: 'ScriptX p95 at 100 active jobs: the 90 others', value: s(op95), unit: 's', target: '≤ 10 s', met: op95 <= 10_000, method: `${budgetHow}; 30 scripted changes, simulator change to patch (${spread(op95s)})` },
    { group: 'request-cost', name: 'ScriptX longest gap between status requests for one job, 100 active jobs', value: s(budget.maxGapMs), unit: 's', target: '≤ 10 s', met: budget.maxGapMs <= 10_000, method: `${budgetHow}; the 90 non-priority jobs, window edges counted as requests; the longest of the ${REPS} runs (runs: ${budgets.map((b) => s(b.maxGapMs).toFixed(2)).join(', ')} s)` },
    { group: 'request-cost', name: 'ScriptX status requests for a non-priority job unchanged for more than 60 s', value: unchanged.perSecond, unit: 'req/s', target: '≤ 0.2 req/s', met: unchanged.perSecond <= 0.2, method: `real time, 5 jobs tracked before the app started, printing and unchanged; the busiest one over ${unchanged.windowS.toFixed(0)} s from 66 s after start; median of ${REPS} runs side by side, each with its own simulator and core (beside MeadCo's 100-job run, on another simulator) (runs: ${unchangedRuns.map((u) => u.perSecond.toFixed(3)).join(', ')} req/s)` },
  );

  figures.push({ group: 'baseline', name: "MeadCo's library, status requests per second to one service, 100 active jobs", value: meadco100.perSecond, unit: 'req/s', target: null, met: null, method: `100 jobs printed through MeadCo's library in one page (scriptxprint-html in Chromium; the library sends them 750 ms apart), all queued; simulator request log over 10 s once all had started; GET status requests only: the browser also sent ${meadco100.preflightsPerSecond.toFixed(0)} CORS preflights (OPTIONS) a second; one run (the library asks each job on a timer of its own, once a second; handing in its 100 jobs takes 75 s)` });

  const costWindowMs = 6000;
  for (const active of [0, 1, 10]) {
    // REPS runs side by side, each with its own simulator and core: request counts, not latency.
    const cs = await sideBySide(REPS, () => requestCost(active, costWindowMs));
    const label = active === 0 ? 'idle' : `${active} active`;
    const reps = `${REPS} runs side by side, each with its own simulator and core`;
    const perMinute = median(cs.map((c) => c.perMinute));
    figures.push({ group: 'request-cost', name: `ScriptX requests/min, ${label}`, value: Math.round(perMinute), unit: 'req/min', target: null, met: null, method: `${active === 0 ? 'idle polling compressed ×10 (10 s → 1 s), rate divided by 10' : 'real time'}, ${costWindowMs / 1000} s window scaled to a minute, 10 finished jobs tracked alongside; median of ${reps} (runs: ${cs.map((c) => Math.round(c.perMinute)).join(', ')} req/min)` });
    if (active > 0) {
      const most = Math.max(...cs.map((c) => c.maxPerJobPerSecond));
      figures.push({ group: 'request-cost', name: `ScriptX status requests per active job per second (max), ${label}`, value: most, unit: 'req', target: '≤ 2', met: most <= 2, method: `highest count of status requests for one job in one wall-clock second of the window; the highest of ${reps} (runs: ${cs.map((c) => c.maxPerJobPerSecond).join(', ')})` });
    }
    const finished = Math.max(...cs.map((c) => c.finishedPolled));
    figures.push({ group: 'request-cost', name: `ScriptX status requests for finished jobs, ${label}`, value: finished, unit: 'req', target: '0', met: finished === 0, method: `status requests for the 10 finished jobs during the ${costWindowMs / 1000} s window; the most of ${reps} (runs: ${cs.map((c) => c.finishedPolled).join(', ')})` });
  }
  return figures;
}
