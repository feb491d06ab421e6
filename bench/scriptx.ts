/**
 * ScriptX.Services: freshness and request cost of the monitor, and of MeadCo's own client library
 * on the same workload as the baseline (it polls one status request per job per second).
 *
 * Real time, default polling (500 ms active, 10 s idle), window visible. The simulator's job
 * lifecycles are scripted, so the moment of each state change is known exactly.
 */
import { startScriptxSimulator, type ScriptxSimulator } from '../test/simulators/scriptx/server';
import type { BenchFigure } from './types';
import { patchTime, percentile, sleep, startBenchCore, waitFor } from './harness';

const LICENSE = '{8a1f0c3e-52b7-4c1d-9e2a-7b3c4d5e6f70}';
const basic = 'Basic ' + Buffer.from(`${LICENSE}:`).toString('base64');

async function withSimulator<T>(fn: (sim: ScriptxSimulator) => Promise<T>): Promise<T> {
  const sim = await startScriptxSimulator({ license: LICENSE, version: '2.23.1.5', serviceClass: 3 });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

function statusRequests(sim: ScriptxSimulator, from: number, to = Number.POSITIVE_INFINITY) {
  return sim.requests.filter((r) => r.server === 'service' && r.path.includes('/status/') && r.at >= from && r.at < to);
}

/**
 * Freshness: 40 jobs whose printing and completion begin at scripted moments. The baseline runs on
 * a second simulator with the same jobs at the same moments (a status read of a final state is
 * consumed by the service, so the two clients must not share jobs).
 */
async function freshness(): Promise<{ monitor: number[]; baseline: number[]; baselineMissed: number }> {
  return withSimulator(async (sim): Promise<{ monitor: number[]; baseline: number[]; baselineMissed: number }> =>
    withSimulator(async (twin) => {
      const bench = await startBenchCore([{ id: 'local', kind: 'scriptx', baseUrl: sim.url }], { local: { LICENSE } });
      const changes: { key: string; twinToken: string; state: 'printing' | 'completed'; at: number }[] = [];
      const baselineSeen = new Map<string, number>();
      const baselineTimers: NodeJS.Timeout[] = [];
      try {
        for (let i = 0; i < 40; i++) {
          const printingAfter = 700 + ((i * 137) % 2000);
          const doneAfter = printingAfter + 800 + ((i * 211) % 1500);
          const steps = [{ status: 1, afterMs: 0 }, { status: 5, afterMs: printingAfter }, { status: 6, afterMs: doneAfter }];
          const t0 = performance.now();
          const token = sim.addJob({ steps });
          const twinToken = twin.addJob({ steps });
          const key = `local:${token}`;
          changes.push({ key, twinToken, state: 'printing', at: t0 + printingAfter }, { key, twinToken, state: 'completed', at: t0 + doneAfter });
          await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' }, { origin: 'cli' });
          // MeadCo's client library: one status request a second from submission.
          const poll = async () => {
            const res = await fetch(`${twin.url}/api/v1/printHtml/status/${encodeURIComponent(twinToken)}`, { headers: { Authorization: basic } }).catch(() => null);
            if (!res || !res.ok) return;
            const body = (await res.json()) as { status: number };
            const at = performance.now();
            if (body.status === 5 && !baselineSeen.has(`${twinToken}|printing`)) baselineSeen.set(`${twinToken}|printing`, at);
            if (body.status === 6 && !baselineSeen.has(`${twinToken}|completed`)) baselineSeen.set(`${twinToken}|completed`, at);
          };
          baselineTimers.push(setInterval(() => void poll(), 1000));
          await sleep(150);
        }
        await waitFor(() => changes.every((c) => patchTime(bench.patches, c.key, c.state) !== null), 20_000, 'every ScriptX change to reach the bridge').catch((err: Error) => {
          const missing = changes.filter((c) => patchTime(bench.patches, c.key, c.state) === null).map((c) => `${c.key} ${c.state}`);
          const seen = missing.slice(0, 3).map((m) => bench.patches.filter((p) => (p.patch.type === 'added' ? p.patch.job.key : p.patch.key) === m.split(' ')[0]).map((p) => JSON.stringify(p.patch).slice(0, 300)));
          throw new Error(`${err.message}; missing: ${missing.slice(0, 5).join(', ')} (${missing.length}); their patches: ${JSON.stringify(seen)}`);
        });
        // A state shorter than its 1 s period can be missed altogether by the baseline client.
        await waitFor(() => changes.every((c) => c.state !== 'completed' || baselineSeen.has(`${c.twinToken}|${c.state}`)), 20_000, 'the baseline client to see every completion');
      } finally {
        for (const t of baselineTimers) clearInterval(t);
        await bench.close();
      }
      return {
        monitor: changes.map((c) => patchTime(bench.patches, c.key, c.state)! - c.at),
        baseline: changes.flatMap((c) => {
          const seen = baselineSeen.get(`${c.twinToken}|${c.state}`);
          return seen === undefined ? [] : [seen - c.at];
        }),
        baselineMissed: changes.filter((c) => !baselineSeen.has(`${c.twinToken}|${c.state}`)).length,
      };
    }),
  );
}

/** Requests per minute with `active` printing jobs (and 10 finished ones tracked alongside). */
async function requestCost(active: number, windowMs: number): Promise<{ perMinute: number; statusPerMinute: number; maxPerJobPerSecond: number; finishedPolled: number }> {
  return withSimulator(async (sim) => {
    // Idle polls are 10 s apart: compressed ×10 so that the window sees several.
    const f = active === 0 ? 10 : 1;
    const bench = await startBenchCore([{ id: 'local', kind: 'scriptx', baseUrl: sim.url }], { local: { LICENSE } }, active === 0 ? { scriptx: { activeMs: 500, idleMs: 1000 } } : {});
    try {
      const finished: string[] = [];
      for (let i = 0; i < 10; i++) {
        const token = sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 6, afterMs: 50 }] });
        finished.push(token);
      }
      await sleep(100);
      for (const token of finished) await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' }, { origin: 'cli' }).catch(() => null);
      const tokens: string[] = [];
      for (let i = 0; i < active; i++) {
        const token = sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: 10 }, { status: 6, afterMs: 3_600_000 }] });
        tokens.push(token);
        await bench.core.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' }, { origin: 'cli' });
      }
      await sleep(1500); // settle into the steady rhythm
      const from = Date.now();
      await sleep(windowMs);
      const to = Date.now();
      const all = sim.requests.filter((r) => r.server === 'service' && r.at >= from && r.at < to);
      const status = statusRequests(sim, from, to);
      const perJobSecond = new Map<string, number>();
      for (const r of status) {
        const token = decodeURIComponent(r.rawPath.split('/status/')[1] ?? '');
        const k = `${token}|${Math.floor((r.at - from) / 1000)}`;
        perJobSecond.set(k, (perJobSecond.get(k) ?? 0) + 1);
      }
      const finishedSet = new Set(finished);
      const finishedPolled = status.filter((r) => finishedSet.has(decodeURIComponent(r.rawPath.split('/status/')[1] ?? ''))).length;
      return {
        perMinute: (all.length / ((to - from) * f)) * 60_000,
        statusPerMinute: (status.length / ((to - from) * f)) * 60_000,
        maxPerJobPerSecond: Math.max(0, ...perJobSecond.values()),
        finishedPolled,
      };
    } finally {
      await bench.close();
    }
  });
}

export async function runScriptxBench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const f = await freshness();
  const m50 = percentile(f.monitor, 50);
  const m95 = percentile(f.monitor, 95);
  const method = `real time, default polling (500 ms active), window visible; ${f.monitor.length} scripted state changes (printing, completed) of 40 jobs; simulator change to patch on the bridge`;
  figures.push(
    { group: 'freshness', name: 'ScriptX p50', value: m50 / 1000, unit: 's', target: null, met: null, method },
    { group: 'freshness', name: 'ScriptX p95', value: m95 / 1000, unit: 's', target: '≤ 0.6 s', met: m95 <= 600, method },
    { group: 'baseline', name: "MeadCo client, ScriptX freshness p50", value: percentile(f.baseline, 50) / 1000, unit: 's', target: null, met: null, method: 'one status request per job per second from submission (MeadCo ScriptX.Services client library), same jobs, same simulator' },
    { group: 'baseline', name: 'MeadCo client, ScriptX state changes never seen', value: f.baselineMissed, unit: `of ${f.monitor.length}`, target: null, met: null, method: 'printing phases shorter than the 1 s period that the client never observed (the monitor saw all)' },
    { group: 'baseline', name: "MeadCo client, ScriptX freshness p95", value: percentile(f.baseline, 95) / 1000, unit: 's', target: null, met: null, method: 'one status request per job per second from submission (MeadCo ScriptX.Services client library), same jobs, same simulator' },
  );
  const windowMs = 6000;
  for (const active of [0, 1, 10, 100]) {
    const c = await requestCost(active, windowMs);
    const label = active === 0 ? 'idle' : `${active} active`;
    figures.push({ group: 'request-cost', name: `ScriptX requests/min, ${label}`, value: Math.round(c.perMinute), unit: 'req/min', target: null, met: null, method: `${active === 0 ? 'idle polling compressed ×10 (10 s → 1 s), rate divided by 10' : 'real time'}, ${windowMs / 1000} s window scaled to a minute, 10 finished jobs tracked alongside` });
    if (active > 0) {
      figures.push({ group: 'request-cost', name: `ScriptX status requests per active job per second (max), ${label}`, value: c.maxPerJobPerSecond, unit: 'req', target: '≤ 2', met: c.maxPerJobPerSecond <= 2, method: 'highest count of status requests for one job in one wall-clock second of the window' });
      figures.push({ group: 'baseline', name: `MeadCo client requests/min, ${label}`, value: active * 60, unit: 'req/min', target: null, met: null, method: 'one status request per job per second, by the client library\'s design' });
    }
    figures.push({ group: 'request-cost', name: `ScriptX status requests for finished jobs, ${label}`, value: c.finishedPolled, unit: 'req', target: '0', met: c.finishedPolled === 0, method: `status requests for the 10 finished jobs during the ${windowMs / 1000} s window` });
  }
  return figures;
}
