/**
 * `pqm watch --json` as a user runs it: the built CLI in its own process against the ScriptX
 * simulator, jobs handed in through the shared tracked-ids file (as `pqm track` or the app does),
 * and the time from each scripted state change to the JSON line on the CLI's stdout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startScriptxSimulator } from '../test/simulators/scriptx/server';
import { createFileTrackedStore, TRACKED_FILE_NAME } from '../main/state/tracked';
import { installedCommand } from '../test/cli/helpers';
import type { BenchFigure } from './types';
import { median, percentile, sleep, waitFor } from './harness';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LICENSE = '6F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9';
/** Jobs handed in at once: the request budget asks up to 10 priority jobs at the full rate. */
const JOBS = 10;

/** Cold starts of `pqm sources --json` measured (median reported). */
const COLD_RUNS = 7;

/** `pqm sources --json` with no sources, in a new process each time: spawn to exit, wall clock. */
async function coldSources(cli: string, dir: string): Promise<number[]> {
  const config = join(dir, 'empty-settings.json');
  await writeFile(config, JSON.stringify({ version: 1, sources: [] }));
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, '--config', config, 'sources', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    times.push(performance.now() - t0);
    if (code !== 0 || !out.trim().startsWith('[')) throw new Error(`pqm sources --json exited with ${code} and printed ${JSON.stringify(out.slice(0, 200))}`);
  }
  return times;
}

/** `pqm watch --json` runs measured, one after another, each with its own simulator and settings (median reported). */
const WATCH_RUNS = 3;

export async function runCliWatchBench(): Promise<BenchFigure[]> {
  const cli = installedCommand();
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js'))) throw new Error('out/main/cli.js is missing: run `npm run build` first.');
  const runs: { lat: number[]; after: number }[] = [];
  for (let r = 0; r < WATCH_RUNS; r++) runs.push(await watchRun(cli));
  const dir = await mkdtemp(join(tmpdir(), 'pqm-bench-cli-'));
  try {
    const cold = await coldSources(cli, dir);
    const coldMedian = percentile(cold, 50);
    const p50s = runs.map((r) => percentile(r.lat, 50) / 1000);
    const p95s = runs.map((r) => percentile(r.lat, 95) / 1000);
    const p95 = median(p95s);
    const after = Math.max(...runs.map((r) => r.after));
    const method = `built CLI (node main/cli/bin.js watch --json) in its own process, ScriptX simulator, ${runs[0]!.lat.length} scripted changes of ${JOBS} jobs handed in through tracked.json; change to JSON line on stdout; median of ${WATCH_RUNS} runs, one after another, each with its own simulator and settings`;
    const listed = (xs: number[]) => `runs: ${xs.map((x) => x.toFixed(3)).join(', ')} s`;
    return [
      { group: 'cli', name: '`pqm sources --json`, no sources, cold start', value: coldMedian / 1000, unit: 's', target: '≤ 0.25 s', met: coldMedian <= 250, method: `built CLI (node main/cli/bin.js) in a new process each time, settings with no sources; spawn to exit, wall clock; median of ${COLD_RUNS} runs (fastest ${(Math.min(...cold) / 1000).toFixed(3)} s, slowest ${(Math.max(...cold) / 1000).toFixed(3)} s), measured after the watch runs` },
      { group: 'freshness', name: '`pqm watch --json`, ScriptX p50', value: median(p50s), unit: 's', target: null, met: null, method: `${method} (${listed(p50s)})` },
      { group: 'freshness', name: '`pqm watch --json`, ScriptX p95', value: p95, unit: 's', target: '≤ 1 s', met: p95 <= 1, method: `${method} (${listed(p95s)})` },
      { group: 'request-cost', name: '`pqm watch`, status requests for finished jobs (3 s after)', value: after, unit: 'req', target: '0', met: after === 0, method: `simulator request log after every job completed; the largest of the ${WATCH_RUNS} runs (runs: ${runs.map((r) => r.after).join(', ')})` },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One `pqm watch --json` run: each scripted change's time to its JSON line, and the status requests for jobs already finished. */
async function watchRun(cli: string): Promise<{ lat: number[]; after: number }> {
  const sim = await startScriptxSimulator({ license: LICENSE, version: '2.23.1.5', serviceClass: 3 });
  const dir = await mkdtemp(join(tmpdir(), 'pqm-bench-cli-'));
  const config = join(dir, 'settings.json');
  await writeFile(config, JSON.stringify({ version: 1, sources: [{ id: 'local', kind: 'scriptx', baseUrl: sim.url }] }));
  const child = spawn(process.execPath, [cli, '--config', config, 'watch', '--json'], {
    env: { ...process.env, PQM_SECRET_LOCAL_LICENSE: LICENSE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = new Map<string, number>();
  let stderr = '';
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    const at = performance.now();
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as { type: string; job?: { key: string; state: string } };
        if (msg.job && !seen.has(`${msg.job.key}|${msg.job.state}`)) seen.set(`${msg.job.key}|${msg.job.state}`, at);
      } catch {
        // not a JSON line: ignored (the CLI writes only JSON lines with --json)
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const changes: { key: string; token: string; state: string; at: number }[] = [];
  try {
    await sleep(1500);
    if (child.exitCode !== null) throw new Error(`pqm watch exited with ${child.exitCode}: ${stderr}`);
    const tracked = createFileTrackedStore(join(dir, TRACKED_FILE_NAME));
    for (let i = 0; i < JOBS; i++) {
      // The first state change comes after the CLI has picked the token up (idle poll: 10 s).
      const printingAfter = 11_000 + ((i * 173) % 2000);
      const doneAfter = printingAfter + 700 + ((i * 311) % 1500);
      const t0 = performance.now();
      const token = sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: printingAfter }, { status: 6, afterMs: doneAfter }] });
      await tracked.add({ sourceId: 'local', id: token, kind: 'html', addedAt: new Date().toISOString() });
      changes.push({ key: `local:${token}`, token, state: 'printing', at: t0 + printingAfter }, { key: `local:${token}`, token, state: 'completed', at: t0 + doneAfter });
      await sleep(100);
    }
    await waitFor(() => changes.every((c) => seen.has(`${c.key}|${c.state}`)), 40_000, 'pqm watch to print every change').catch((err: Error) => {
      const missing = changes.filter((c) => !seen.has(`${c.key}|${c.state}`)).map((c) => `${c.token} ${c.state}`);
      throw new Error(`${err.message}; ${missing.length} of ${changes.length} changes never printed (${missing.slice(0, 4).join(', ')}); stderr: ${stderr.slice(0, 500)}`);
    });
    // A finished job is never asked about again.
    const doneAt = Date.now();
    await sleep(3000);
    const after = sim.requests.filter((r) => r.at > doneAt && changes.some((c) => r.path.endsWith(`/status/${c.token}`))).length;
    return { lat: changes.map((c) => seen.get(`${c.key}|${c.state}`)! - c.at), after };
  } finally {
    child.kill('SIGINT');
    await new Promise<void>((r) => {
      if (child.exitCode !== null) r();
      else child.once('exit', () => r());
    });
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
