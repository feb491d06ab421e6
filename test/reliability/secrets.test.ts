/**
 * Secrets never leave main. Every secret slot of every source (all three kinds, working and
 * refused credentials) holds a known, distinctive value; the real app core, with a real file
 * logger, runs polls against the workload simulators with faults, tracks, cancels, a source whose
 * credentials are refused (401), history recording and export, diagnostics and settings. Then
 * every byte the renderer was sent (handler results and errors, every event), every file written
 * (logs, settings, tracked ids, history, exports, diagnostics) and every URL handed to the browser
 * is searched for each value in every form it travels (plain, URL-encoded, base64, Basic auth).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES, type EventName } from '../../preload/contract/channels';
import { dispatch, type RequestInput, type RequestOutput } from '../../preload/contract/contract';
import { secretEnvName, SECRET_NAMES, type Result, type SourceConfig } from '../../preload/contract/model';
import type { RequestName } from '../../preload/contract/channels';
import { createAppCore } from '../../main/core/app-core';
import type { AppCore, PlatformPorts } from '../../main/core/app-core-types';
import type { Logger } from '../../main/ports/ports';
import { createFileLogger, redactingLogger } from '../../main/state/logger';
import { FakeClock } from '../helpers/fake-clock';
import { createMemorySecretStore } from '../helpers/memory-stores';
import { createWorkload, startWorkloadSimulators, WORKLOAD_SOURCE_IDS, type WorkloadSimulators } from '../simulators/workload';
import { describeLeaks, SecretScanner, type Leak } from './fixtures/secrets-scan';
import { allSlots, secretsOf, slotValue } from './fixtures/secrets-values';
import { installedCommand } from '../cli/helpers';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const ROOT = join(__dirname, '..', '..');

/** What the renderer was sent, in order. */
interface Sent {
  where: string;
  value: unknown;
}

interface Run {
  dir: string;
  sent: Sent[];
  externalUrls: string[];
  secretValues: Record<string, string>;
  snapshotSources: { id: string; status: string; message: string }[];
  historyCount: number;
  exportFiles: string[];
  diagnosticsFile: string | null;
  handlerCalls: string[];
}

let run: Run;
let sims: WorkloadSimulators | null = null;
let core: AppCore | null = null;

/** Lets a promise that waits on real I/O and on the fake clock finish: real time runs, fake time follows. */
async function drive<T>(clock: FakeClock, p: Promise<T>, maxRealMs = 10_000): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  const until = Date.now() + maxRealMs;
  while (!done) {
    await new Promise((r) => setTimeout(r, 2));
    if (done) break;
    if (Date.now() > until) throw new Error(`An operation did not finish within ${maxRealMs} ms of real time.`);
    await clock.advance(100);
  }
  return p;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pqm-secrets-'));
  const clock = new FakeClock(T0);
  sims = await startWorkloadSimulators({ now: () => clock.now() });
  const ids = WORKLOAD_SOURCE_IDS;

  // The working sources of the story, plus one source of each kind whose credentials are refused.
  const sources: SourceConfig[] = [
    ...sims.sources,
    { id: 'bad-scriptx', kind: 'scriptx', name: 'ScriptX with a wrong license', baseUrl: sims.scriptx.url },
    { ...(sims.sources.find((s) => s.id === ids.graph) as SourceConfig), id: 'bad-graph', name: 'Universal Print with a foreign token' },
    { ...(sims.sources.find((s) => s.id === ids.aodocs) as SourceConfig), id: 'bad-aodocs', name: 'AODocs with a wrong security code' },
    { ...(sims.sources.find((s) => s.id === ids.aodocs) as SourceConfig), id: 'bad-aodocs-bearer', name: 'AODocs with a wrong token', auth: 'bearer' } as SourceConfig,
  ];
  const configPath = join(dir, 'settings.json');
  writeFileSync(configPath, JSON.stringify({ version: 1, sources }, null, 2));

  // Every slot of every source holds a distinctive value; the working ones hold what the simulators accept.
  const secretValues: Record<string, string> = {};
  for (const s of sources) Object.assign(secretValues, allSlots(s.id, sims.secrets[s.id] ?? {}));
  const secrets = createMemorySecretStore(secretValues);

  const fileLogger = createFileLogger({ dir: join(dir, 'logs'), fileName: 'main.log', level: 'debug', clock });
  let logger: Logger = fileLogger;
  const log: Logger = {
    debug: (m, d) => logger.debug(m, d),
    info: (m, d) => logger.info(m, d),
    warn: (m, d) => logger.warn(m, d),
    error: (m, d) => logger.error(m, d),
  };
  const exportsDir = join(dir, 'exports');
  mkdirSync(exportsDir);
  const externalUrls: string[] = [];
  const platform: PlatformPorts = {
    pickFileToPrint: async () => null,
    pickSavePath: async (suggested) => join(exportsDir, suggested),
    openExternal: async (url) => {
      externalUrls.push(url);
    },
    versions: () => ({ app: '0.1.0-test' }),
  };
  core = await createAppCore({ configPath, secrets, platform, logger: log, clock, logFiles: () => fileLogger.files() });
  logger = redactingLogger(fileLogger, core.redactor);
  const c = core;

  const sent: Sent[] = [];
  for (const name of EVENT_NAMES) c.on(name as EventName, (payload) => sent.push({ where: `event ${name}`, value: payload }));
  const handlerCalls: string[] = [];
  const mapError = (err: unknown) => c.redactor.redactError(err);
  async function call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
    handlerCalls.push(name);
    const result = (await drive(clock, dispatch(c.handlers, name, input, mapError))) as Result<RequestOutput<K>>;
    sent.push({ where: `result of ${name}`, value: result });
    return result;
  }

  const workload = createWorkload(sims, {
    seed: 16,
    arrivalRate: 0.9,
    outageEveryTicks: 9,
    outageTicks: 2,
    trackScriptx: async (token, kind) => {
      await call('trackJob', { sourceId: ids.scriptx, id: token, kind });
    },
  });

  const poll = async () => {
    await drive(clock, c.pollOnce());
  };
  for (let tick = 1; tick <= 36; tick++) {
    await workload.step();
    // Faults of every simulator mixed in: 500, 429 with Retry-After, malformed answers.
    if (tick === 5) sims.graph.injectFault(null, { kind: 'status', status: 500 }, 2);
    if (tick === 7) sims.aodocs.injectFault({ fault: { kind: 'status', status: 429, retryAfterSeconds: 3 }, times: 2 });
    if (tick === 11) sims.aodocs.injectFault({ fault: { kind: 'malformed' }, times: 1 });
    if (tick === 13) await sims.scriptx.setFault({ type: 'malformed' });
    if (tick === 14) await sims.scriptx.setFault(null);
    if (tick === 17) sims.graph.injectFault(null, { kind: 'malformed' }, 1);
    if (tick === 19) sims.graph.injectFault(null, { kind: 'status', status: 429, retryAfter: '2' }, 2);
    await clock.advance(1_000);
    await poll();

    if (tick % 6 === 0) {
      const snap = await call('getSnapshot', {});
      const jobs = snap.ok ? snap.value.jobs : [];
      for (const j of jobs.slice(0, 4)) await call('getJobDetails', { key: j.key });
      const cancellable = jobs.find((j) => j.cancel.allowed && j.sourceId !== ids.scriptx);
      if (cancellable) await call('cancelJob', { key: cancellable.key });
      const more = jobs.filter((j) => j.cancel.allowed).slice(0, 2);
      if (more.length) await call('cancelJobs', { keys: more.map((j) => j.key) });
    }
  }

  // Outages over; the refused sources once more, and the handlers around them.
  await workload.stop();
  await call('refreshNow', {});
  await poll();
  await call('trackJob', { sourceId: 'bad-scriptx', id: '41', kind: 'html' });
  await call('trackJob', { sourceId: 'bad-aodocs', id: 'no-such-job' });
  await call('trackJob', { sourceId: 'no-such-source', id: 'x' });
  for (const s of sources) await call('testSource', { source: s });
  await call('getServiceInfo', { sourceId: ids.scriptx });
  await call('getServiceInfo', { sourceId: 'bad-scriptx' });
  await call('pauseMonitoring', { minutes: 5 });
  await call('resumeMonitoring', {});
  await call('signOut', { sourceId: 'bad-aodocs' });

  // A secret set (and replaced) through the bridge is a secret too.
  const viaBridge = slotValue('bad-aodocs-bearer', 'TOKEN').replace(/.$/, 'Z');
  secretValues['bad-aodocs-bearer.TOKEN (set through the bridge)'] = viaBridge;
  await call('setSecret', { sourceId: 'bad-aodocs-bearer', name: 'TOKEN', value: viaBridge });
  await poll();

  // Settings: read, and saved back (the settings file is rewritten by the app).
  const view = await call('getSettings', {});
  if (view.ok) await call('saveSettings', { settings: view.value.settings });
  await poll();

  // History: finished jobs are written after the debounce, then queried and exported.
  await clock.advance(5_000);
  const hist = await call('queryHistory', {});
  const historyCount = hist.ok ? hist.value.length : 0;
  const finished = hist.ok ? hist.value[0] : undefined;
  if (finished) await call('getJobDetails', { key: finished.job.key });
  await call('exportHistory', { format: 'csv' });
  await call('exportHistory', { format: 'json' });
  const diag = await call('saveDiagnostics', {});
  const snap = await call('getSnapshot', {});
  const snapshotSources = snap.ok ? snap.value.sources.map((s) => ({ id: s.id, status: s.status, message: s.message })) : [];
  const done = snap.ok ? snap.value.jobs.find((j) => ['completed', 'failed', 'canceled'].includes(j.state)) : undefined;
  if (done) await call('dismissJob', { key: done.key });

  await c.stop();
  core = null;

  run = {
    dir,
    sent,
    externalUrls,
    secretValues,
    snapshotSources,
    historyCount,
    exportFiles: [],
    diagnosticsFile: diag.ok && diag.value ? diag.value.savedTo : null,
    handlerCalls,
  };
}, 120_000);

afterAll(async () => {
  await core?.stop().catch(() => undefined);
  await sims?.close();
  if (run?.dir) rmSync(run.dir, { recursive: true, force: true });
});

function scanner(): SecretScanner {
  return new SecretScanner(secretsOf(run.secretValues));
}

function expectNoLeaks(leaks: Leak[]): void {
  expect(leaks, `secret values found:\n${describeLeaks(leaks)}`).toEqual([]);
}

describe('the leak scanner', () => {
  it('finds a planted secret in every form it travels, and stays quiet without one', () => {
    const license = slotValue('local', 'LICENSE');
    const token = slotValue('up', 'TOKEN');
    const pem = slotValue('up', 'CLIENT_CERTIFICATE');
    const cache = slotValue('up', 'MSAL_CACHE');
    const s = new SecretScanner(secretsOf({ 'local.LICENSE': license, 'up.TOKEN': token, 'up.CLIENT_CERTIFICATE': pem, 'up.MSAL_CACHE': cache }));
    const clean = 'GET /api/v1/printHtml/status/41 -> 401 The request is not authorized [redacted]';
    expect(s.scanText('clean', clean)).toEqual([]);

    const bare = license.replace(/[{}]/g, '');
    const planted: [string, string][] = [
      ['plain', `license ${license} refused`],
      ['without braces, lower case', `guid=${bare.toLowerCase()}`],
      ['URL-encoded', `?license=${encodeURIComponent(license)}`],
      ['Basic auth', `Authorization: Basic ${Buffer.from(`${license}:`).toString('base64')}`],
      ['Basic auth of the bare GUID', `Basic ${Buffer.from(`${bare}:`).toString('base64')}`],
      ['base64', Buffer.from(license).toString('base64')],
      ['JWT payload only', `claims ${token.split('.')[1]}`],
      ['PEM body line', `key: ${pem.split('\n')[1]}`],
      ['refresh token inside the MSAL cache', `rt=${/"secret":"([^"]+)"/.exec(cache)![1]}`],
      ['JSON-escaped PEM', JSON.stringify({ cert: pem })],
    ];
    for (const [form, text] of planted) expect(s.scanText(form, text), form).not.toEqual([]);
    expect(s.scanValue('error', new Error(`boom ${token}`))).not.toEqual([]);
    expect(s.scanValue('event', { patches: [{ detail: `x${encodeURIComponent(license)}y` }] })).not.toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'pqm-scan-'));
    try {
      mkdirSync(join(dir, 'logs'));
      writeFileSync(join(dir, 'logs', 'main.log'), `{"message":"ok"}\n{"message":"sent ${Buffer.from(`${license}:`).toString('base64')}"}\n`);
      const found = s.scanDir(dir);
      expect(found.files).toEqual([join('logs', 'main.log')]);
      expect(found.leaks.map((l) => l.where)).toContain(`file ${join('logs', 'main.log')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a secret too short to be recognised', () => {
    expect(() => new SecretScanner([{ label: 'x.TOKEN', value: 'abc' }])).toThrow(/too short/);
  });
});

describe('secrets never leave main', () => {
  it('exercised what it claims: every slot filled, refused credentials reported, history, exports and diagnostics written', () => {
    const ids = Object.keys(run.secretValues).filter((k) => !k.includes('(')).map((k) => k.split('.')[0]);
    for (const id of new Set(ids)) for (const name of SECRET_NAMES) expect(run.secretValues[`${id}.${name}`], `${id}.${name}`).toBeTruthy();
    const byId = new Map(run.snapshotSources.map((s) => [s.id, s]));
    for (const id of ['bad-scriptx', 'bad-graph', 'bad-aodocs']) expect(byId.get(id)?.status, `${id}: ${byId.get(id)?.message}`).toBe('auth-required');
    for (const id of Object.values(WORKLOAD_SOURCE_IDS)) expect(byId.get(id)?.status, `${id}: ${byId.get(id)?.message}`).not.toBe('auth-required');
    expect(run.historyCount).toBeGreaterThan(0);
    expect(run.diagnosticsFile).not.toBeNull();
    const events = new Set(run.sent.filter((s) => s.where.startsWith('event')).map((s) => s.where));
    expect(events).toContain('event jobs:patch');
    expect(events).toContain('event source:health');
    expect(run.sent.some((s) => s.where === 'result of trackJob' && (s.value as { ok: boolean }).ok)).toBe(true);
    expect(run.sent.some((s) => (s.value as { ok?: boolean }).ok === false)).toBe(true);
  });

  it('no secret in anything sent to the renderer: handler results, handler errors, events', () => {
    const s = scanner();
    const leaks = run.sent.flatMap((x) => s.scanValue(x.where, x.value));
    expectNoLeaks(leaks);
  });

  it('no secret in any file written: logs, settings, tracked ids, history, exports, diagnostics', () => {
    const { leaks, files } = scanner().scanDir(run.dir);
    expect(files).toEqual(expect.arrayContaining(['settings.json', join('logs', 'main.log')]));
    expect(files.some((f) => f.startsWith('history'))).toBe(true);
    expect(files.filter((f) => f.startsWith('exports')).length).toBe(3);
    // The log is not empty: it has lines about the refused sources.
    expect(readFileSync(join(run.dir, 'logs', 'main.log'), 'utf8').length).toBeGreaterThan(0);
    expectNoLeaks(leaks);
  });

  it('no secret in a URL handed to the system browser', () => {
    const s = scanner();
    expectNoLeaks(run.externalUrls.flatMap((u) => s.scanText('openExternal', u)));
  });
});

/** The command as installed. */
const PQM = installedCommand();
const BUILT_CLI = join(ROOT, 'out', 'main', 'cli.js');
describe('the pqm command', () => {
  it('prints no secret with `jobs --json` and `sources --json`, nor on stderr', async () => {
    expect(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run \`npm run build\` first`).toBe(true);
    const local = sims!;
    const dir = mkdtempSync(join(tmpdir(), 'pqm-cli-secrets-'));
    try {
      const sources: SourceConfig[] = [
        ...local.sources,
        { id: 'bad-scriptx', kind: 'scriptx', baseUrl: local.scriptx.url },
        { ...(local.sources.find((x) => x.id === WORKLOAD_SOURCE_IDS.aodocs) as SourceConfig), id: 'bad-aodocs' },
      ];
      const configPath = join(dir, 'settings.json');
      writeFileSync(configPath, JSON.stringify({ version: 1, sources }));
      const values: Record<string, string> = {};
      for (const src of sources) Object.assign(values, allSlots(src.id, local.secrets[src.id] ?? {}));
      const env: NodeJS.ProcessEnv = { ...process.env, PQM_CONFIG: configPath };
      for (const [k, v] of Object.entries(values)) {
        const [id, name] = k.split('.') as [string, (typeof SECRET_NAMES)[number]];
        env[secretEnvName(id, name)] = v;
      }
      const s = new SecretScanner(secretsOf(values));
      const leaks: Leak[] = [];
      for (const args of [['jobs', '--json'], ['sources', '--json'], ['jobs'], ['sources']]) {
        // Asynchronous: the simulators answering the command run in this process.
        // execFile answers once the process has exited and its output streams are closed.
        const r = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
          execFile(process.execPath, [PQM, '--config', configPath, ...args], { env, cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: unknown }).code as number | null) : 0, signal: err?.signal ?? null, stdout, stderr }),
          );
        });
        // 3: some sources refused their credentials (the `bad-*` ones); anything else is a failed run.
        expect({ args, code: r.code, signal: r.signal }, r.stderr).toEqual({ args, code: 3, signal: null });
        expect(`${r.stdout}${r.stderr}`.length, `pqm ${args.join(' ')} printed nothing`).toBeGreaterThan(0);
        leaks.push(...s.scanText(`stdout of pqm ${args.join(' ')}`, r.stdout), ...s.scanText(`stderr of pqm ${args.join(' ')}`, r.stderr));
      }
      leaks.push(...s.scanDir(dir).leaks);
      expectNoLeaks(leaks);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
