/**
 * The app core as the app, the preview and the CLI run it: settings -> AODocs source (against the
 * simulator on 127.0.0.1) -> engine, with history, tracked ids, secrets and diagnostics, driven
 * through the contract's dispatch exactly as the IPC and the CLI do.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppCore, engineOf } from '../../../main/core/app-core';
import type { AppCore, PlatformPorts } from '../../../main/core/app-core-types';
import { createEnvSecretStore } from '../../../main/state/secrets-env';
import { createRedactor } from '../../../main/state/redact';
import { dispatch } from '../../../preload/contract/contract';
import type { RequestName } from '../../../preload/contract/channels';
import { UiSettings, type HistoryEntry, type Job, type Result, type SourceHealth } from '../../../preload/contract/model';
import { selectJobs } from '../../../preload/contract/queue-view';
import { startAodocsSimulator, type AodocsSimulator } from '../../simulators/aodocs/server';
import { startScriptxSimulator } from '../../simulators/scriptx/server';

const CODE = 'core-sec-code-7Hq2Zr9Kx1';
let sim: AodocsSimulator;
let dir: string;
let config: string;
const cores: AppCore[] = [];
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startAodocsSimulator({
    credentials: [{ scheme: 'securityCode', value: CODE, user: 'ann@example.com' }],
    libraries: [
      { id: 'lib-a', admins: ['ann@example.com'] },
      { id: 'lib-b', admins: [] },
    ],
  });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-core-'));
  config = join(dir, 'settings.json');
  logLines.length = 0;
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.stop();
  sim.clearFaults();
  await rm(dir, { recursive: true, force: true });
});

const ao = (over: Record<string, unknown> = {}) => ({ id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: 'ann@example.com', ...over });

function platform(): PlatformPorts & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    pickFileToPrint: async () => null,
    pickSavePath: async (name) => {
      const p = join(dir, name);
      saved.push(p);
      return p;
    },
    openExternal: async () => undefined,
    versions: () => ({ app: 'test' }),
  };
}

async function core(settings: unknown, env: NodeJS.ProcessEnv = { PQM_SECRET_AO_SECURITY_CODE: CODE }) {
  if (settings !== undefined) await writeFile(config, typeof settings === 'string' ? settings : JSON.stringify(settings));
  const redactor = createRedactor();
  const logger = {
    debug: (m: string, d?: Record<string, unknown>) => logLines.push(JSON.stringify({ m, d })),
    info: (m: string, d?: Record<string, unknown>) => logLines.push(JSON.stringify({ m, d })),
    warn: (m: string, d?: Record<string, unknown>) => logLines.push(JSON.stringify({ m, d })),
    error: (m: string, d?: Record<string, unknown>) => logLines.push(JSON.stringify({ m, d })),
  };
  const p = platform();
  const c = await createAppCore({ configPath: config, secrets: createEnvSecretStore(env, redactor), platform: p, logger });
  cores.push(c);
  const call = <T,>(name: RequestName, input: unknown) => dispatch(c.handlers, name, input, c.toError) as Promise<Result<T>>;
  return { core: c, call, platform: p };
}

describe('the app core over the AODocs source', () => {
  it('polls, tracks (persisted across a restart) and cancels through the handlers', async () => {
    const mine = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 4 });
    const other = sim.addJob({ libraryId: 'lib-b', requestor: 'bob@example.com', totalTasks: 4 });
    const a = await core({ version: 1, sources: [ao()] });
    await a.core.pollOnce();
    const snap = await a.call<{ jobs: Job[]; sources: SourceHealth[] }>('getSnapshot', {});
    expect(snap.ok && snap.value.jobs.map((j) => j.key)).toContain(`ao:${mine.jobId}`);
    expect(snap.ok && snap.value.sources[0]).toMatchObject({ id: 'ao', status: 'ok' });
    // The window's first rows: the queue as it shows it under the saved view choices, and the count.
    const head = await a.call<{ jobs: Job[]; total: number }>('getSnapshot', { first: 1 });
    const expected = snap.ok ? selectJobs(snap.value.jobs, UiSettings.parse({}), new Map([['ao', snap.value.sources[0]!.name]]), 1) : [];
    expect(head.ok && head.value.jobs).toEqual(expected);
    expect(head.ok && head.value.total).toBe(snap.ok ? snap.value.jobs.length : -1);
    expect(await a.call('getSnapshot', { first: 1001 })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'first' } });

    const tracked = await a.call<Job>('trackJob', { sourceId: 'ao', id: other.jobId });
    expect(tracked).toMatchObject({ ok: true, value: { key: `ao:${other.jobId}`, printer: 'lib-b' } });
    await a.core.stop();

    const b = await core(undefined);
    await b.core.pollOnce();
    expect(b.core.getJob(`ao:${other.jobId}`)).toMatchObject({ state: 'processing' });

    const cancelled = await b.call<Job>('cancelJob', { key: `ao:${mine.jobId}` });
    expect(cancelled).toMatchObject({ ok: true, value: { state: 'canceled' } });
    const again = await b.call<Job>('cancelJob', { key: 'ao:nope' });
    expect(again).toMatchObject({ ok: false, error: { code: 'not-found', field: 'key' } });
    const bad = await b.call<Job>('trackJob', { sourceId: 'AO!', id: 'x' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'sourceId' } });
  });

  it('finished jobs go to the history; export (CSV, JSON), query and clear', async () => {
    const done = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', status: 'COMPLETED' });
    const a = await core({ version: 1, sources: [ao()] });
    await a.core.pollOnce();
    const q = await a.call<HistoryEntry[]>('queryHistory', {});
    expect(q.ok && q.value.map((e) => e.job.key)).toContain(`ao:${done.jobId}`);
    // Without timelines on request: the same entries, each with an empty timeline.
    expect(q.ok && q.value.find((e) => e.job.key === `ao:${done.jobId}`)?.timeline.length).toBeGreaterThan(0);
    const bare = await a.call<HistoryEntry[]>('queryHistory', { timelines: false });
    expect(bare).toEqual({ ok: true, value: q.ok && q.value.map((e) => ({ ...e, timeline: [] })) });
    const csv = await a.call<{ savedTo: string }>('exportHistory', { format: 'csv' });
    expect(csv.ok).toBe(true);
    const csvText = await readFile(a.platform.saved[0], 'utf8');
    // Excel on Windows reads a CSV without the UTF-8 byte order mark in the PC's ANSI code page.
    expect(csvText.split('\r\n')[0]).toMatch(/^\uFEFFfinishedAt,finishedLocal,utcOffset,key,/);
    expect(csvText).toContain(`ao:${done.jobId}`);
    await a.call('exportHistory', { format: 'json' });
    expect((JSON.parse(await readFile(a.platform.saved[1], 'utf8')) as HistoryEntry[]).map((e) => e.job.key)).toContain(`ao:${done.jobId}`);
    await a.core.stop();
    // Written to disk on stop, read back by the next start.
    const b = await core(undefined);
    expect((await b.call<HistoryEntry[]>('queryHistory', {})).ok).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')).entries.map((e: HistoryEntry) => e.job.key)).toContain(`ao:${done.jobId}`);
    expect(await b.call('clearHistory', {})).toEqual({ ok: true, value: null });
    expect(await b.call('queryHistory', {})).toEqual({ ok: true, value: [] });
  });
});

describe('errors', () => {
  it('become the envelope once, at dispatch, through the core\'s toError, with every known secret hidden', async () => {
    const a = await core({ version: 1, sources: [ao()] });
    a.core.redactor.addSecrets(['hunter2-secret']);
    const redact = vi.spyOn(a.core.redactor, 'redactError');
    const answer = await a.call('getJobDetails', { key: 'ao:hunter2-secret' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'not-found', field: 'key', sourceId: 'ao' } });
    expect(JSON.stringify(answer)).not.toContain('hunter2-secret');
    expect(redact).toHaveBeenCalledTimes(1);
    // Before dispatch nothing is converted: a handler throws what it threw.
    await expect(a.core.handlers.getJobDetails({ key: 'ao:hunter2-secret' })).rejects.toThrow('The job ao:hunter2-secret is not in the queue.');
  });
});

describe('the jobs the user is looking at', () => {
  it('setSelection and an opened details panel make the engine poll those jobs first; a bad selection is refused', async () => {
    const job = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 4 });
    const a = await core({ version: 1, sources: [ao()] });
    await a.core.pollOnce();
    const given: string[][] = [];
    const real = engineOf(a.core).setPriority.bind(engineOf(a.core));
    engineOf(a.core).setPriority = (keys) => {
      given.push([...keys]);
      real(keys);
    };
    expect(await a.call('setSelection', { keys: ['ao:x', 'ao:y'] })).toEqual({ ok: true, value: null });
    expect(given.at(-1)).toEqual(['ao:x', 'ao:y']);
    await a.call('getJobDetails', { key: `ao:${job.jobId}` });
    expect(given.at(-1)).toEqual(['ao:x', 'ao:y', `ao:${job.jobId}`]);
    expect(await a.call('setSelection', { keys: [] })).toEqual({ ok: true, value: null });
    expect(given.at(-1)).toEqual([]);
    expect(await a.call('setSelection', { keys: Array.from({ length: 1001 }, (_, i) => `ao:j${i}`) })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'keys' } });
    expect(await a.call('setSelection', { keys: ['no-source-id'] })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(given).toHaveLength(3);
  });
});

describe('settings through the core', () => {
  it('an invalid file: the valid source runs, the field is named, saving is refused and the file untouched', async () => {
    const text = JSON.stringify({ version: 1, sources: [ao(), { id: 'x', kind: 'aodocs', libraryIds: [] }] });
    const a = await core(text);
    expect(a.core.settings().problems.map((p) => p.field)).toEqual(['sources.1.libraryIds']);
    await a.core.pollOnce();
    expect(a.core.snapshot().sources.map((s) => [s.id, s.status])).toEqual([['ao', 'ok']]);
    const view = await a.call<{ problems: unknown[]; secrets: unknown[] }>('getSettings', {});
    expect(view.ok && view.value.secrets).toEqual([{ sourceId: 'ao', name: 'SECURITY_CODE', present: true }]);
    const saved = await a.call('saveSettings', { settings: { version: 1, sources: [ao()] } });
    expect(saved).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await readFile(config, 'utf8')).toBe(text);
  });

  it('saves asked for at once are applied one after the other: the last one is in effect and on disk', async () => {
    const a = await core({ version: 1, sources: [ao()] });
    const themes = ['dark', 'light', 'system', 'dark', 'light'] as const;
    const results = await Promise.all(themes.map((theme) => a.call<{ settings: { ui: { theme: string } } }>('saveSettings', { settings: { version: 1, sources: [ao()], ui: { theme } } })));
    // Each answer shows its own save, in the order asked.
    expect(results.map((r) => (r.ok ? r.value.settings.ui.theme : r.error.message))).toEqual([...themes]);
    expect(a.core.settings().settings.ui.theme).toBe('light');
    expect(JSON.parse(await readFile(config, 'utf8')).ui.theme).toBe('light');
  });

  it('what the file gained by hand while the app ran survives the window\'s saves: view choices touch only ui, a save keeps the file\'s service block', async () => {
    const scriptx = { id: 'local', kind: 'scriptx', baseUrl: 'http://127.0.0.1:9' };
    const a = await core({ version: 1, sources: [ao(), scriptx] });
    const windowCopy = a.core.settings().settings;
    // An administrator adds service control by hand, as the service panel says to.
    const service = { restart: { file: 'C:\\Tools\\restart.cmd', args: [] } };
    const edited = { version: 1, sources: [ao(), { ...scriptx, service }], polling: { aodocs: { activeMs: 5000, idleMs: 60000 } } };
    await writeFile(config, JSON.stringify(edited, null, 2));
    // The window saves a view choice: only ui changes in the file.
    const r = await a.call<{ settings: { ui: { search: string } } }>('saveUiSettings', { ui: { ...windowCopy.ui, search: 'invoice' } });
    expect(r).toMatchObject({ ok: true, value: { settings: { ui: { search: 'invoice' } } } });
    const after = JSON.parse(await readFile(config, 'utf8'));
    expect(after.sources[1].service).toEqual(service);
    expect(after.polling.aodocs).toEqual({ activeMs: 5000, idleMs: 60000 });
    expect(after.ui.search).toBe('invoice');
    // A save of the window's older copy (no service block in it) keeps the file's service block.
    const saved = await a.call('saveSettings', { settings: { ...windowCopy, ui: { ...windowCopy.ui, theme: 'dark' } } });
    expect(saved.ok).toBe(true);
    expect(JSON.parse(await readFile(config, 'utf8')).sources[1].service).toEqual(service);
    // A file with a problem is left untouched by a view choice.
    await writeFile(config, '{ "version": 1, ');
    expect(await a.call('saveUiSettings', { ui: windowCopy.ui })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await readFile(config, 'utf8')).toBe('{ "version": 1, ');
  });

  it('a valid save rebuilds the sources and keeps secrets out of the file', async () => {
    const a = await core({ version: 1, sources: [ao()] });
    const r = await a.call('saveSettings', { settings: { version: 1, sources: [ao(), ao({ id: 'ao2', enabled: false })] } });
    expect(r.ok).toBe(true);
    expect(a.core.snapshot().sources.map((s) => [s.id, s.status])).toEqual([
      ['ao', 'ok'],
      ['ao2', 'disabled'],
    ]);
    const file = await readFile(config, 'utf8');
    expect(JSON.parse(file).sources.map((s: { id: string }) => s.id)).toEqual(['ao', 'ao2']);
    expect(file).not.toContain(CODE);
    // The CLI's secrets come from the environment: storing one says where it goes.
    expect(await a.call('setSecret', { sourceId: 'ao', name: 'SECURITY_CODE', value: 'whatever-value' })).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringContaining('PQM_SECRET_AO_SECURITY_CODE') } });
    expect(await a.call('setSecret', { sourceId: 'zz', name: 'TOKEN', value: 'whatever-value' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('start at login is written only when it changes; the desktop status rides on the settings answer', async () => {
    const a = await core({ version: 1, sources: [ao()] });
    const writes: [boolean, boolean][] = [];
    const desktop = { install: 'installed' as const, startAtLogin: { available: true as const, registered: false, enabledInWindows: null, note: null }, update: { state: 'idle' as const }, unavailable: [] };
    const seen: unknown[] = [];
    a.platform.setStartAtLogin = (enabled, minimized) => void writes.push([enabled, minimized]);
    a.platform.desktopInfo = (ui) => (seen.push(ui.startAtLogin), desktop);
    expect(writes).toEqual([]);
    expect(await a.call('getSettings', {})).toMatchObject({ ok: true, value: { desktop } });
    await a.call('saveSettings', { settings: { version: 1, sources: [ao()], ui: { theme: 'dark' } } });
    expect(writes).toEqual([]);
    await a.call('saveSettings', { settings: { version: 1, sources: [ao()], ui: { theme: 'dark', startAtLogin: true } } });
    await a.call('saveSettings', { settings: { version: 1, sources: [ao()], ui: { theme: 'light', startAtLogin: true } } });
    await a.call('saveSettings', { settings: { version: 1, sources: [ao()], ui: { startAtLogin: true, startMinimized: true } } });
    expect(writes).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(seen.at(-1)).toBe(true);
    // Without a desktop (the CLI, the preview) there is no updater to ask.
    expect(await a.call('installUpdate', {})).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });
});

describe('secrets never leave the core', () => {
  it('not in health, errors, events, logs, history or diagnostics, even when the service echoes them', async () => {
    const job = sim.addJob({ libraryId: 'lib-a', requestor: 'ann@example.com', totalTasks: 4 });
    const a = await core({ version: 1, sources: [ao()] });
    const events: string[] = [];
    a.core.on('source:health', (h) => events.push(JSON.stringify(h)));
    a.core.on('jobs:patch', (p) => events.push(JSON.stringify(p)));
    await a.core.pollOnce();
    sim.injectFault({ fault: { kind: 'conflict', retryable: false, message: `refused for ${CODE}` }, times: Infinity });
    await a.core.pollOnce();
    const health = a.core.snapshot().sources[0];
    expect(health.status).toBe('degraded');
    const cancel = await a.call('cancelJob', { key: `ao:${job.jobId}` });
    expect(cancel.ok).toBe(false);
    const diag = await a.call<{ savedTo: string }>('saveDiagnostics', {});
    expect(diag.ok).toBe(true);
    await a.core.stop();
    const files = await readdir(dir);
    const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
    const everything = [JSON.stringify(health), JSON.stringify(cancel), ...events, ...logLines, ...texts].join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(CODE);
    expect(files.some((f) => f.startsWith('print-queue-monitor-diagnostics-'))).toBe(true);
  });
});

describe('saving settings restarts only the sources whose settings changed', () => {
  it('a ScriptX job keeps its Updated time (the time of its last change) across a save of other settings', async () => {
    const LICENSE = '{5091E665-8916-4D21-996E-00A2DE5DE416}';
    const scriptx = await startScriptxSimulator({ license: LICENSE });
    try {
      // The monitor's clock, moved by the test; timers run as usual.
      let now = Date.UTC(2026, 5, 1, 8, 0, 0);
      const clock = { now: () => now, setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
      const sx = { id: 'local', kind: 'scriptx', baseUrl: scriptx.url };
      await writeFile(config, JSON.stringify({ version: 1, sources: [sx, ao()] }));
      const redactor = createRedactor();
      const c = await createAppCore({ configPath: config, secrets: createEnvSecretStore({ PQM_SECRET_LOCAL_LICENSE: LICENSE, PQM_SECRET_AO_SECURITY_CODE: CODE }, redactor), platform: platform(), logger: { debug() {}, info() {}, warn() {}, error() {} }, clock });
      cores.push(c);
      const token = scriptx.addJob({ kind: 'html', steps: [{ status: 5, afterMs: 0 }] });
      await c.handlers.trackJob({ sourceId: 'local', id: token, kind: 'html' });
      await c.pollOnce();
      const before = c.getJob(`local:${token}`)!;
      expect(before).toMatchObject({ state: 'printing', updatedAt: new Date(now).toISOString() });
      const scriptxSource = engineOf(c).getSource('local');
      const aoSource = engineOf(c).getSource('ao');

      now += 5 * 60_000;
      const settings = c.settings().settings;
      const saved = await c.handlers.saveSettings({ settings: { ...settings, sources: [settings.sources[0]!, { ...settings.sources[1]!, libraryIds: ['lib-b'] } as (typeof settings.sources)[number]], polling: { ...settings.polling, stuckAfterMinutes: 20 } } });
      expect(saved.problems).toEqual([]);
      await c.pollOnce();
      // Nothing happened to the job: its Updated time is still that of its last change.
      expect(c.getJob(`local:${token}`)).toMatchObject({ state: 'printing', stale: false, updatedAt: before.updatedAt });
      // Unchanged: the same source runs on; the changed one is new.
      expect(engineOf(c).getSource('local')).toBe(scriptxSource);
      expect(engineOf(c).getSource('ao')).not.toBe(aoSource);
    } finally {
      await scriptx.close();
    }
  });
});
