/**
 * The app core: settings -> sources -> queue engine, plus history, tracked ids and secrets, served
 * as the contract's Handlers and events. The Electron app, the browser preview and the CLI all run
 * this; only the platform ports differ (see app-core-types.ts).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { EventName } from '../../preload/channels';
import type { Events, Handlers, PrintRequest, SettingsView } from '../../preload/contract';
import {
  AppFailure,
  SECRET_NAMES,
  isFinal,
  parseJobKey,
  type Job,
  type JobDetails,
  type Result,
  type SecretName,
  type Settings,
  type SettingsProblem,
  type SourceConfig,
  type SourceHealth,
} from '../../preload/model';
import { snapshotAnswer } from '../../preload/queue-view';
import { HttpClient } from '../http/client';
import { createQueueEngine } from '../queue/engine';
import type { DisabledSource, QueueEngine } from '../queue/engine-types';
import { MAX_PRINT_FILE_BYTES, SourceError, type JobSource, type PrintFile } from '../queue/source';
import type { SourceDeps } from '../sources/deps';
import { createSource, sourceDisplayName } from '../sources/index';
import { writeDiagnostics, diagnosticsFileName } from '../state/diagnostics';
import { createHistoryStore, HISTORY_FILE_NAME, type HistoryStore } from '../state/history';
import { createRedactor, type Redactor } from '../state/redact';
import { besideSettings, loadSettings, saveSettings, type LoadedSettings } from '../state/settings';
import { createFileTrackedStore, TRACKED_FILE_NAME } from '../state/tracked';
import type { AppCore, AppCoreOptions } from './app-core-types';
import { systemClock, type Clock, type Logger, type SecretStore, type TrackedStore } from './ports';

/** Content types of the files the app prints, by extension. */
const PRINTABLE_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xps': 'application/oxps',
  '.oxps': 'application/oxps',
  '.txt': 'text/plain',
};

/** How long `testSource` waits for a source to answer. */
const TEST_SOURCE_TIMEOUT_MS = 20_000;

type Listener<E extends EventName> = (payload: Events[E]) => void;

export async function createAppCore(opts: AppCoreOptions): Promise<AppCore> {
  const clock: Clock = opts.clock ?? systemClock;
  const logger: Logger = opts.logger;
  const redactor: Redactor = createRedactor();
  const platform = opts.platform;
  const secrets = redactingSecrets(opts.secrets, redactor);
  const tracked: TrackedStore = createFileTrackedStore(besideSettings(opts.configPath, TRACKED_FILE_NAME));
  const http = new HttpClient(platform.fetch ? { fetch: platform.fetch } : {});

  let loaded: LoadedSettings = await loadSettings(opts.configPath, { logger });
  /** Saves of the settings, one after the other. */
  let settingsQueue: Promise<void> = Promise.resolve();
  const history: HistoryStore = createHistoryStore(besideSettings(opts.configPath, HISTORY_FILE_NAME), {
    clock,
    logger,
    retention: loaded.settings.history,
  });

  const deps: SourceDeps = {
    http,
    secrets,
    tracked,
    clock,
    logger,
    openExternal: (url, o) => platform.openExternal(url, o),
    signInProgress: (progress) => emit('signin:progress', progress),
  };

  // Secrets of configured sources are known to the redactor before anything can log them.
  await learnSecrets(loaded.settings.sources);

  const built = buildSources(loaded.settings.sources);
  const engine: QueueEngine = createQueueEngine({
    sources: built.sources,
    disabled: built.disabled,
    polling: loaded.settings.polling,
    clock,
    logger,
  });

  const listeners = new Map<EventName, Set<Listener<EventName>>>();
  function emit<E extends EventName>(event: E, payload: Events[E]): void {
    const set = listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as Listener<E>)(payload);
      } catch (err) {
        logger.error('event listener failed', { event, error: redactor.redactText(String(err)) });
      }
    }
  }
  function on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  engine.subscribe((e) => {
    switch (e.type) {
      case 'patches':
        emit('jobs:patch', { patches: e.patches });
        break;
      case 'health':
        emit('source:health', e.source);
        break;
      case 'finished':
        history.record({ finishedAt: new Date(clock.now()).toISOString(), job: e.job, timeline: e.timeline });
        break;
      default:
        break;
    }
  });

  function buildSources(configs: SourceConfig[]): { sources: JobSource[]; disabled: DisabledSource[] } {
    const sources: JobSource[] = [];
    const disabled: DisabledSource[] = [];
    for (const config of configs) {
      const name = sourceDisplayName(config);
      if (config.enabled === false) {
        disabled.push({ id: config.id, kind: config.kind, name });
        continue;
      }
      try {
        sources.push(createSource(config, deps));
      } catch (err) {
        // A source that cannot even be built is shown, with why, instead of being dropped silently.
        logger.error('source could not be created', { sourceId: config.id, error: redactor.redactText(String(err)) });
        disabled.push({ id: config.id, kind: config.kind, name: `${name} (not started: ${redactor.redactText((err as Error).message)})` });
      }
    }
    return { sources, disabled };
  }

  async function learnSecrets(configs: SourceConfig[]): Promise<void> {
    for (const c of configs) {
      for (const name of SECRET_NAMES) {
        try {
          const v = await opts.secrets.get(c.id, name);
          if (v) redactor.addSecrets([v]);
        } catch {
          /* an unreadable secret is reported by the source that needs it */
        }
      }
    }
  }

  function requireSource(sourceId: string): JobSource {
    const s = engine.getSource(sourceId);
    if (s) return s;
    const configured = loaded.settings.sources.find((c) => c.id === sourceId);
    if (configured) throw new AppFailure('conflict', `The source "${sourceId}" is switched off in the settings.`, { sourceId, field: 'sourceId' });
    throw new AppFailure('not-found', `There is no source "${sourceId}" in the settings.`, { sourceId, field: 'sourceId' });
  }

  function requireJob(key: string): Job {
    const job = engine.getJob(key);
    if (job) return job;
    const parsed = parseJobKey(key);
    throw new AppFailure('not-found', `The job ${key} is not in the queue.`, parsed ? { sourceId: parsed.sourceId, field: 'key' } : { field: 'key' });
  }

  function unsupported(source: JobSource, what: string): never {
    throw new AppFailure('unsupported', `${source.name} cannot ${what}.`, { sourceId: source.id });
  }

  async function settingsView(): Promise<SettingsView> {
    const present: SettingsView['secrets'] = [];
    for (const c of loaded.settings.sources) {
      for (const name of secretNamesFor(c)) {
        let has = false;
        try {
          has = await opts.secrets.has(c.id, name);
        } catch {
          has = false;
        }
        present.push({ sourceId: c.id, name, present: has });
      }
    }
    return { settings: loaded.settings, problems: loaded.problems, secrets: present, configPath: opts.configPath };
  }

  function applySettings(next: LoadedSettings | { settings: Settings; problems: SettingsProblem[] }, previous: Settings): void {
    const rebuilt = buildSources(next.settings.sources);
    for (const s of engine.snapshot().sources) engine.getSource(s.id)?.dispose?.();
    engine.setSources(rebuilt.sources, rebuilt.disabled);
    engine.setPolling(next.settings.polling);
    history.setRetention(next.settings.history);
    const ui = next.settings.ui;
    if (ui.startAtLogin !== previous.ui.startAtLogin || ui.startMinimized !== previous.ui.startMinimized) {
      platform.setStartAtLogin?.(ui.startAtLogin, ui.startMinimized);
    }
  }

  async function readPrintFile(path: string): Promise<PrintFile> {
    const type = PRINTABLE_TYPES[extname(path).toLowerCase()];
    if (!type) {
      throw new AppFailure('invalid-input', `${basename(path)} cannot be printed: choose a PDF, HTML, XPS or text file.`, { field: 'document' });
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      throw new AppFailure('not-found', `The file ${basename(path)} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { field: 'document' });
    }
    if (size > MAX_PRINT_FILE_BYTES) {
      throw new AppFailure('invalid-input', `${basename(path)} is ${(size / 1048576).toFixed(1)} MB; the largest file that can be printed is ${MAX_PRINT_FILE_BYTES / 1048576} MB.`, { field: 'document' });
    }
    if (size === 0) throw new AppFailure('invalid-input', `${basename(path)} is empty.`, { field: 'document' });
    return { name: basename(path), contentType: type, bytes: await readFile(path) };
  }

  async function saveTo(suggestedName: string, filters: { name: string; extensions: string[] }[], data: string | Uint8Array): Promise<{ savedTo: string } | null> {
    const path = await platform.pickSavePath(suggestedName, filters);
    if (!path) return null;
    try {
      await writeFile(path, data);
    } catch (err) {
      throw new AppFailure('internal', `Could not save to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    return { savedTo: path };
  }

  async function healthAfter(sourceId: string): Promise<SourceHealth> {
    const h = engine.snapshot().sources.find((s) => s.id === sourceId);
    if (!h) throw new AppFailure('not-found', `There is no source "${sourceId}".`, { sourceId });
    return h;
  }

  /** The jobs selected in the window (setSelection). */
  let selected: readonly string[] = [];

  const handlers: Handlers = {
    async getSnapshot({ first }) {
      const snap = engine.snapshot();
      const p = engine.pausedUntil();
      const paused = p ? { until: p.until === null ? null : new Date(p.until).toISOString() } : null;
      return snapshotAnswer({ jobs: snap.jobs, sources: snap.sources, paused }, loaded.settings.ui, first);
    },

    async getJobDetails({ key, eventsPageToken }) {
      // The job open in the details panel is polled first, with the selection, until the window
      // sends its next selection.
      engine.setPriority([...selected, key]);
      if (engine.getJob(key)) return engine.details(key, eventsPageToken === undefined ? {} : { eventsPageToken });
      // Older finished jobs live in history.
      const found = (await history.query()).find((e) => e.job.key === key);
      if (found) return { job: found.job, timeline: found.timeline } satisfies JobDetails;
      return requireJob(key) as never;
    },

    async cancelJob({ key }) {
      requireJob(key);
      return engine.act(key, { type: 'cancel' });
    },

    async cancelJobs({ keys }) {
      const unique = [...new Set(keys)];
      const results: { key: string; result: Result<Job> }[] = [];
      // One at a time: a user cancelling 50 jobs should not become 50 parallel requests to a service.
      for (const key of unique) {
        try {
          requireJob(key);
          results.push({ key, result: { ok: true, value: await engine.act(key, { type: 'cancel' }) } });
        } catch (err) {
          results.push({ key, result: { ok: false, error: redactor.redactError(err) } });
        }
      }
      return results;
    },

    async abortJob({ key, reason }) {
      const job = requireJob(key);
      if (!job.abort?.allowed) {
        throw new AppFailure('not-allowed', job.abort?.reason ?? 'Aborting is only offered for processing Universal Print jobs in admin mode.', { sourceId: job.sourceId });
      }
      return engine.act(key, { type: 'abort', reason });
    },

    async retryJob({ key }) {
      const job = requireJob(key);
      const source = requireSource(job.sourceId);
      if (!source.retry) unsupported(source, 'submit a job again');
      const next = await source.retry(job, AbortSignal.timeout(120_000));
      return engine.upsert(next);
    },

    async trackJob({ sourceId, id, kind }) {
      requireSource(sourceId);
      return engine.track(sourceId, id, kind ? { kind } : {});
    },

    async dismissJob({ key }) {
      const job = requireJob(key);
      const source = engine.getSource(job.sourceId);
      if (!isFinal(job) && source?.untrack === undefined) {
        throw new AppFailure('conflict', 'Only finished jobs can be removed from the queue.', { sourceId: job.sourceId });
      }
      await source?.untrack?.(job);
      engine.remove(key);
      return null;
    },

    async refreshNow({ sourceId }) {
      if (sourceId !== undefined) requireSource(sourceId);
      engine.refreshNow(sourceId);
      return null;
    },

    async setSelection({ keys }) {
      // The window's selection names the job open in the details panel too.
      selected = keys;
      engine.setPriority(keys);
      return null;
    },

    async setWindowVisible({ visible }) {
      engine.setVisible(visible);
      return null;
    },

    async pauseMonitoring({ minutes }) {
      const until = minutes === null ? null : clock.now() + minutes * 60_000;
      engine.pause(until);
      const value = { until: until === null ? null : new Date(until).toISOString() };
      emit('monitoring:paused', value);
      return value;
    },

    async resumeMonitoring() {
      engine.resume();
      emit('monitoring:paused', null);
      return null;
    },

    async getSettings() {
      return settingsView();
    },

    async saveSettings({ settings }) {
      // One save at a time: a save and the reload after it never interleave with another save,
      // so the last save asked for is the one in effect (and on disk).
      const run = settingsQueue.then(async () => {
        const previous = loaded.settings;
        const saved = await saveSettings(opts.configPath, settings, { logger });
        loaded = await loadSettings(opts.configPath, { logger });
        if (loaded.status === 'missing') loaded = { ...loaded, settings: saved.settings };
        await learnSecrets(loaded.settings.sources);
        applySettings(loaded, previous);
        return settingsView();
      });
      settingsQueue = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },

    async setSecret({ sourceId, name, value }) {
      if (!loaded.settings.sources.some((s) => s.id === sourceId)) {
        throw new AppFailure('not-found', `There is no source "${sourceId}" in the settings.`, { sourceId, field: 'sourceId' });
      }
      await secrets.set(sourceId, name, value);
      if (engine.getSource(sourceId)) engine.refreshNow(sourceId);
      return null;
    },

    async clearSecret({ sourceId, name }) {
      await secrets.delete(sourceId, name);
      if (engine.getSource(sourceId)) engine.refreshNow(sourceId);
      return null;
    },

    async testSource({ source: config }) {
      const source = createSource(config, deps);
      const base = { id: config.id, kind: config.kind, name: sourceDisplayName(config), lastErrorAt: null as string | null, lastSuccessAt: null as string | null };
      const at = new Date(clock.now()).toISOString();
      try {
        const result = await source.poll({ mode: 'full', signal: AbortSignal.timeout(TEST_SOURCE_TIMEOUT_MS), activeJobs: new Map() });
        const health: SourceHealth = { ...base, status: result.health.status, message: result.health.message, lastSuccessAt: at };
        if (result.health.detail) health.detail = result.health.detail;
        return health;
      } catch (err) {
        const status = err instanceof SourceError ? err.status : 'degraded';
        return { ...base, status, message: redactor.redactText(err instanceof Error ? err.message : String(err)), lastErrorAt: at };
      } finally {
        source.dispose?.();
      }
    },

    async signIn({ sourceId }) {
      const source = requireSource(sourceId);
      if (!source.signIn) unsupported(source, 'sign in');
      await source.signIn(AbortSignal.timeout(10 * 60_000));
      engine.refreshNow(sourceId);
      return healthAfter(sourceId);
    },

    async signOut({ sourceId }) {
      const source = requireSource(sourceId);
      if (!source.signOut) unsupported(source, 'sign out');
      await source.signOut();
      engine.refreshNow(sourceId);
      return healthAfter(sourceId);
    },

    async submitPrint(req) {
      const source = requireSource(req.sourceId);
      if (!source.print) unsupported(source, 'print');
      let file: PrintFile | null = null;
      if (req.document.type === 'file') {
        const picked = await platform.pickFileToPrint();
        if (!picked) throw new AppFailure('invalid-input', 'No file was chosen, so nothing was printed.', { field: 'document' });
        file = await readPrintFile(picked.path);
      }
      const progressKey = `${req.sourceId}:upload`;
      const job = await source.print(req as PrintRequest, file, {
        signal: AbortSignal.timeout(30 * 60_000),
        onProgress: (sentBytes, totalBytes) => emit('print:progress', { key: progressKey, sentBytes, totalBytes }),
      });
      return engine.upsert(job);
    },

    async cancelUpload({ key }) {
      const job = requireJob(key);
      const source = requireSource(job.sourceId);
      if (!source.cancelUpload) unsupported(source, 'cancel an upload');
      return engine.upsert(await source.cancelUpload(job, AbortSignal.timeout(60_000)));
    },

    async saveJobOutput({ key }) {
      const job = requireJob(key);
      const source = requireSource(job.sourceId);
      if (!source.downloadOutput) unsupported(source, 'save the output of a job');
      const output = await source.downloadOutput(job, AbortSignal.timeout(120_000));
      const ext = extname(output.suggestedName).replace('.', '') || 'pdf';
      const saved = await saveTo(output.suggestedName, [{ name: ext.toUpperCase(), extensions: [ext] }], output.bytes);
      engine.refreshNow(job.sourceId);
      return saved;
    },

    async getServiceInfo({ sourceId }) {
      const source = requireSource(sourceId);
      if (!source.serviceInfo) unsupported(source, 'show service details');
      return source.serviceInfo(AbortSignal.timeout(30_000));
    },

    async serviceAction(req) {
      const source = requireSource(req.sourceId);
      if (!source.serviceAction) unsupported(source, 'be controlled from here');
      if (req.action === 'applyLicense' && req.guid) redactor.addSecrets([req.guid]);
      const info = await source.serviceAction(req, AbortSignal.timeout(120_000));
      engine.refreshNow(req.sourceId);
      return info;
    },

    async queryHistory({ since, limit }) {
      return history.query({ ...(since ? { since } : {}), ...(limit ? { limit } : {}) });
    },

    async clearHistory() {
      await history.clear();
      return null;
    },

    async exportHistory({ format }) {
      const stamp = new Date(clock.now()).toISOString().slice(0, 10);
      if (format === 'csv') return saveTo(`print-history-${stamp}.csv`, [{ name: 'CSV', extensions: ['csv'] }], await history.exportCsv());
      return saveTo(`print-history-${stamp}.json`, [{ name: 'JSON', extensions: ['json'] }], await history.exportJson());
    },

    async saveDiagnostics() {
      const path = await platform.pickSavePath(diagnosticsFileName(clock.now()), [{ name: 'JSON', extensions: ['json'] }]);
      if (!path) return null;
      const view = await settingsView();
      await writeDiagnostics(path, {
        now: clock.now(),
        versions: platform.versions(),
        configPath: opts.configPath,
        settings: view.settings,
        problems: view.problems,
        sources: engine.snapshot().sources,
        secrets: view.secrets,
        logFiles: opts.logFiles?.() ?? [],
        redactor,
      });
      return { savedTo: path };
    },
  };

  // Every handler's error leaves redacted: a secret can never travel in an error message.
  const safeHandlers = Object.fromEntries(
    Object.entries(handlers).map(([name, fn]) => [
      name,
      async (input: never, ctx: never) => {
        try {
          return await (fn as (i: never, c: never) => Promise<unknown>)(input, ctx);
        } catch (err) {
          throw toFailure(redactor.redactError(err));
        }
      },
    ]),
  ) as unknown as Handlers;

  let started = false;
  return {
    handlers: safeHandlers,
    engine,
    redactor,
    on,
    emit,
    settings: () => loaded,
    start() {
      if (started) return;
      started = true;
      engine.start();
    },
    async stop() {
      await engine.stop();
      for (const s of engine.snapshot().sources) engine.getSource(s.id)?.dispose?.();
      await history.close();
    },
  };
}

function toFailure(e: { code: AppFailure['code']; message: string; field?: string; sourceId?: string }): AppFailure {
  const o: { field?: string; sourceId?: string } = {};
  if (e.field !== undefined) o.field = e.field;
  if (e.sourceId !== undefined) o.sourceId = e.sourceId;
  return new AppFailure(e.code, e.message, o);
}

/** Which secrets a source of this kind uses (for "stored / not stored" in the settings). */
export function secretNamesFor(config: SourceConfig): SecretName[] {
  switch (config.kind) {
    case 'scriptx':
      return ['LICENSE'];
    case 'graph':
      return config.admin?.enabled ? ['TOKEN', config.admin.credential === 'certificate' ? 'CLIENT_CERTIFICATE' : 'CLIENT_SECRET'] : ['TOKEN'];
    case 'aodocs':
      return config.auth === 'bearer' ? ['TOKEN'] : ['SECURITY_CODE'];
  }
}

/** A SecretStore that tells the redactor every value it reads or writes. */
function redactingSecrets(inner: SecretStore, redactor: Redactor): SecretStore {
  return {
    async get(sourceId, name) {
      const v = await inner.get(sourceId, name);
      if (v) redactor.addSecrets([v]);
      return v;
    },
    async set(sourceId, name, value) {
      redactor.addSecrets([value]);
      await inner.set(sourceId, name, value);
    },
    delete: (sourceId, name) => inner.delete(sourceId, name),
    has: (sourceId, name) => inner.has(sourceId, name),
  };
}

