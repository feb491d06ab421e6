/**
 * The app core: settings -> sources -> queue engine, plus history, tracked ids and secrets, served
 * as the contract's Handlers and events. The Electron app, the browser preview and the CLI all run
 * this; only the platform ports differ (see app-core-types.ts).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { EventName } from '../../preload/contract/channels';
import type { Events, Handlers, PrintRequest, SettingsView } from '../../preload/contract/contract';
import {
  AppFailure,
  SECRET_NAMES,
  isFinal,
  parseJobKey,
  secretNamesFor,
  type Job,
  type JobDetails,
  type Result,
  type SecretName,
  type Settings,
  type SettingsProblem,
  type SourceConfig,
  type SourceHealth,
} from '../../preload/contract/model';
import { snapshotAnswer } from '../../preload/contract/queue-view';
import { HttpClient } from '../http/client';
import { createQueueEngine } from '../queue/engine';
import { pausedAnswer, type DisabledSource, type QueueEngine } from '../queue/engine-types';
import { MAX_PRINT_FILE_BYTES, SourceError, type JobSource, type PrintFile } from '../queue/source';
import type { SourceDeps } from '../sources/deps';
import { spoolerUnavailableReason } from '../sources/windows-spooler/source';
import { createSource, sourceDisplayName } from '../sources/index';
import { planCommands } from '../sources/scriptx/service-control';
import { writeDiagnostics, diagnosticsFileName } from '../state/diagnostics';
import { createHistoryStore, HISTORY_FILE_NAME, type HistoryStore } from '../state/history';
import { createRedactor, type Redactor } from '../state/redact';
import { besideSettings, loadSettings, saveSettings, type LoadedSettings } from '../state/settings';
import { createFileTrackedStore, TRACKED_FILE_NAME } from '../state/tracked';
import type { AppCore, AppCoreOptions } from './app-core-types';
import { systemClock, type Clock, type Logger, type SecretStore, type TrackedStore } from '../ports/ports';
import { keepPrivileged } from './privileged';
import { boundSecretStore, secretDestination, storedValues } from './secret-binding';

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
  const destinationIn = (sourceId: string): string | null => {
    const c = loaded.settings.sources.find((s) => s.id === sourceId);
    return c ? secretDestination(c) : null;
  };
  // Secrets reach a source only while it points where they were entered for.
  const secrets = boundSecretStore(opts.secrets, {
    destination: destinationIn,
    savedDestination: destinationIn,
    redactor,
    onWithheld: (sourceId, name) => logger.warn('a stored secret was not used: its source now points elsewhere; enter it again', { sourceId, name }),
  });
  const tracked: TrackedStore = createFileTrackedStore(besideSettings(opts.configPath, TRACKED_FILE_NAME));
  const http = new HttpClient(platform.fetch ? { fetch: platform.fetch } : {});

  // Loading never writes: an older file is migrated in memory, and on disk only by a save.
  let loaded: LoadedSettings = await loadSettings(opts.configPath, { logger, writeBackMigration: false });
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
    ...(platform.spoolerHost ? { spoolerHost: platform.spoolerHost } : {}),
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
      case 'printers':
        emit('printers:changed', { printers: e.printers });
        break;
      case 'finished':
        history.record({ finishedAt: new Date(clock.now()).toISOString(), job: e.job, timeline: e.timeline });
        break;
      default:
        break;
    }
  });

  /**
   * The sources of `configs`. A source whose settings are unchanged from `previous` keeps running
   * as it is (its jobs, their times, its connection), so saving other settings restarts nothing.
   */
  function buildSources(configs: SourceConfig[], previous: SourceConfig[] = []): { sources: JobSource[]; disabled: DisabledSource[] } {
    const sources: JobSource[] = [];
    const disabled: DisabledSource[] = [];
    for (const config of configs) {
      const name = sourceDisplayName(config);
      if (config.enabled === false) {
        disabled.push({ id: config.id, kind: config.kind, name });
        continue;
      }
      const running = previous.some((p) => p.id === config.id && isDeepStrictEqual(p, config)) ? engine.getSource(config.id) : undefined;
      if (running) {
        sources.push(running);
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
    for (const c of configs) redactor.addSecrets(await storedValues(opts.secrets, c.id));
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

  /** Runs an action the job itself says it allows (hold, release, pause, resume); otherwise says why not. */
  async function permittedAction(key: string, action: 'hold' | 'release' | 'pause' | 'resume', refusal: string): Promise<Job> {
    const job = requireJob(key);
    const permission = job[action];
    if (!permission?.allowed) throw new AppFailure('not-allowed', permission?.reason ?? refusal, { sourceId: job.sourceId });
    return engine.act(key, { type: action });
  }

  /**
   * Cancels jobs one at a time (50 jobs must not become 50 parallel requests to a service); each
   * job's outcome, a refusal included. `check` may refuse a job before anything is sent.
   */
  async function cancelEach(keys: string[], check?: (key: string) => void): Promise<{ key: string; result: Result<Job> }[]> {
    const results: { key: string; result: Result<Job> }[] = [];
    for (const key of keys) {
      try {
        requireJob(key);
        check?.(key);
        results.push({ key, result: { ok: true, value: await engine.act(key, { type: 'cancel' }) } });
      } catch (err) {
        results.push({ key, result: { ok: false, error: redactor.redactError(err) } });
      }
    }
    return results;
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
          has = await secrets.has(c.id, name);
        } catch {
          has = false;
        }
        present.push({ sourceId: c.id, name, present: has });
      }
    }
    const view: SettingsView = { settings: loaded.settings, problems: loaded.problems, secrets: present, configPath: opts.configPath };
    const noSpooler = platform.spoolerHost ? null : spoolerUnavailableReason();
    if (noSpooler) view.unavailableKinds = [{ kind: 'windows-spooler', reason: noSpooler }];
    if (platform.desktopInfo) {
      try {
        view.desktop = platform.desktopInfo(loaded.settings.ui);
      } catch (err) {
        logger.warn('The desktop status could not be read.', { error: (err as Error).message });
      }
    }
    return view;
  }

  function applySettings(next: LoadedSettings | { settings: Settings; problems: SettingsProblem[] }, previous: Settings): void {
    const rebuilt = buildSources(next.settings.sources, previous.sources);
    const kept = new Set(rebuilt.sources);
    for (const s of engine.snapshot().sources) {
      const source = engine.getSource(s.id);
      if (source && !kept.has(source)) source.dispose?.();
    }
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

  /**
   * A source whose secrets now go elsewhere (another URL, authority or kind), or that was removed,
   * loses its stored secrets: they are entered again for the new destination, never carried over
   * (not even by removing a source and adding one with the same id).
   */
  async function forgetMovedSecrets(before: SourceConfig[], after: SourceConfig[]): Promise<void> {
    for (const was of before) {
      const now = after.find((c) => c.id === was.id);
      if (now && secretDestination(was) === secretDestination(now)) continue;
      for (const name of SECRET_NAMES) {
        try {
          await opts.secrets.delete(was.id, name);
        } catch (err) {
          logger.warn('could not remove a secret of a changed source', { sourceId: was.id, name, error: redactor.redactText(String(err)) });
        }
      }
      logger.info(now ? 'the stored secrets of a source were removed: it now points elsewhere' : 'the stored secrets of a removed source were removed', { sourceId: was.id });
    }
  }

  /**
   * The secrets a connection test may use: those typed with it, then stored ones only while the
   * tested configuration points where they were entered for. Nothing is stored by a test.
   */
  function testSecrets(config: SourceConfig, typed: Partial<Record<SecretName, string>>): SecretStore {
    redactor.addSecrets(Object.values(typed).filter((v): v is string => typeof v === 'string'));
    const stored = boundSecretStore(opts.secrets, {
      destination: (sourceId) => (sourceId === config.id ? secretDestination(config) : null),
      savedDestination: destinationIn,
      redactor,
    });
    const store: SecretStore = {
      async get(sourceId, name) {
        if (sourceId !== config.id) return undefined;
        return typed[name] ?? (await stored.get(sourceId, name));
      },
      async set() {},
      async delete() {},
      has: async (sourceId, name) => (await store.get(sourceId, name)) !== undefined,
    };
    return store;
  }

  /** Asks the user, outside the window, before a configured command runs (the exact command). */
  async function confirmServiceCommand(sourceId: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
    const config = loaded.settings.sources.find((c) => c.id === sourceId);
    const plan = config?.kind === 'scriptx' ? planCommands(action, config.service) : null;
    if (!plan) return; // the source explains that nothing is configured
    if (!platform.confirmCommand) {
      throw new AppFailure('not-allowed', `Commands configured in the settings file run only from the desktop app, which asks before running them; nothing was run.`, { sourceId });
    }
    // As a Windows command line: a part with spaces or quotes in double quotes, backslashes as they are.
    const lines = plan.map((c) => [c.file, ...c.args].map((p) => (/[\s"]/.test(p) || p === '' ? `"${p.replace(/"/g, '\\"')}"` : p)).join(' '));
    const confirmed = await platform.confirmCommand({
      title: `${action[0]!.toUpperCase()}${action.slice(1)} ScriptX.Services`,
      message: `Run ${lines.length === 1 ? 'this command' : 'these commands'} to ${action} ScriptX.Services (source "${sourceId}")?`,
      detail: `${lines.join('\n')}\n\nConfigured in ${opts.configPath}.`,
    });
    if (!confirmed) throw new AppFailure('conflict', `Nothing was run: the ${action} was not confirmed.`, { sourceId });
  }

  async function healthAfter(sourceId: string): Promise<SourceHealth> {
    const h = engine.snapshot().sources.find((s) => s.id === sourceId);
    if (!h) throw new AppFailure('not-found', `There is no source "${sourceId}".`, { sourceId });
    return h;
  }

  /**
   * Saves (`write`) or rereads the settings file, one at a time: a save and the reload after it
   * never interleave with another, so the last one asked for is the one in effect (and on disk).
   * Whoever changed them, `settings:changed` tells the shell (tray, updater) and the window.
   */
  function settingsInTurn(write?: (previous: Settings) => Promise<{ settings: Settings }>): Promise<SettingsView> {
    const run = settingsQueue.then(async () => {
      const previous = loaded.settings;
      const saved = write ? await write(previous) : null;
      if (saved) await forgetMovedSecrets(previous.sources, saved.settings.sources);
      loaded = await loadSettings(opts.configPath, { logger, writeBackMigration: false });
      if (saved && loaded.status === 'missing') loaded = { ...loaded, settings: saved.settings };
      await learnSecrets(loaded.settings.sources);
      applySettings(loaded, previous);
      emit('settings:changed', { settings: loaded.settings, problems: loaded.problems });
      return settingsView();
    });
    settingsQueue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The jobs selected in the window (setSelection). */
  let selected: readonly string[] = [];

  const handlers: Handlers = {
    async getSnapshot({ first }) {
      const snap = engine.snapshot();
      return snapshotAnswer({ jobs: snap.jobs, sources: snap.sources, paused: pausedAnswer(engine.pausedUntil()) }, loaded.settings.ui, first);
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
      return cancelEach([...new Set(keys)]);
    },

    async abortJob({ key, reason }) {
      const job = requireJob(key);
      if (!job.abort?.allowed) {
        throw new AppFailure('not-allowed', job.abort?.reason ?? 'Aborting is only offered for processing Universal Print jobs in admin mode.', { sourceId: job.sourceId });
      }
      return engine.act(key, { type: 'abort', reason });
    },

    holdJob: ({ key }) => permittedAction(key, 'hold', 'This source cannot hold jobs.'),
    releaseJob: ({ key }) => permittedAction(key, 'release', 'This source cannot release held jobs.'),
    pauseJob: ({ key }) => permittedAction(key, 'pause', 'This source cannot pause jobs.'),
    resumeJob: ({ key }) => permittedAction(key, 'resume', 'This source cannot resume paused jobs.'),

    async getPrinters() {
      return engine.printers();
    },

    async cancelPrinterJobs({ printerKey }) {
      const printer = engine.printers().find((p) => p.key === printerKey);
      if (!printer) throw new AppFailure('not-found', 'No such printer is watched (it may have been removed, or its source is not polled yet).', { field: 'printerKey' });
      const jobs = engine.snapshot().jobs.filter((j) => j.sourceId === printer.sourceId && j.printer === printer.name && !isFinal(j));
      return cancelEach(
        jobs.map((j) => j.key),
        (key) => {
          const job = engine.getJob(key);
          // What the source says cannot be canceled is not asked for (a PDF job, another user's job).
          if (job?.cancel && !job.cancel.allowed) throw new AppFailure('not-allowed', job.cancel.reason ?? 'This job cannot be canceled.', { sourceId: job.sourceId });
        },
      );
    },

    async retryJob({ key }) {
      const job = requireJob(key);
      const source = requireSource(job.sourceId);
      if (!source.retry) unsupported(source, 'submit a job again');
      const next = await source.retry(job, AbortSignal.timeout(120_000));
      return engine.upsert(next);
    },

    async trackJob({ sourceId, id, ...trackOpts }) {
      requireSource(sourceId);
      return engine.track(sourceId, id, trackOpts);
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

    // The desktop app holds navigations for its window until this arrives (main/desktop/window-gate.ts);
    // elsewhere (the preview, the CLI) events are sent as they happen and there is nothing to release.
    async windowReady() {
      return null;
    },

    async pauseMonitoring({ minutes }) {
      const until = minutes === null ? null : clock.now() + minutes * 60_000;
      engine.pause(until);
      const value = pausedAnswer({ until });
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
      // No request chooses programs to run or the update feed: those stay as in the file.
      return settingsInTurn((previous) => saveSettings(opts.configPath, keepPrivileged(settings, previous, opts.configPath), { logger }));
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

    async testSource({ source: config, secrets: typed }) {
      const source = createSource(config, { ...deps, secrets: testSecrets(config, typed ?? {}) });
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
      let uploading: string | null = null;
      const job = await source.print(req as PrintRequest, file, {
        signal: AbortSignal.timeout(30 * 60_000),
        onProgress: (sentBytes, totalBytes, sent) => {
          // The job's row is in the queue before its first progress: the grid shows the upload on
          // it, and "Stop upload" finds it by the same key.
          if (uploading !== sent.key) engine.upsert(sent);
          uploading = sent.key;
          emit('print:progress', { key: sent.key, sentBytes, totalBytes });
        },
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
      if (req.action === 'start' || req.action === 'stop' || req.action === 'restart') await confirmServiceCommand(req.sourceId, req.action);
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

    async installUpdate() {
      // The desktop app answers this itself (main/index.ts); the preview and the CLI have no updater.
      throw new AppFailure('unsupported', 'Updates are installed by the desktop app; this copy has no updater.');
    },
  };

  let started = false;
  const core: AppCore = {
    handlers,
    // The one conversion of a thrown error into the envelope, at dispatch: no secret leaves in it.
    toError: (err) => redactor.redactError(err),
    redactor,
    on,
    emit,
    settings: () => loaded,
    snapshot: () => engine.snapshot(),
    getJob: (key) => engine.getJob(key),
    printers: () => engine.printers(),
    paused: () => pausedAnswer(engine.pausedUntil()),
    pollOnce: () => engine.pollOnce(),
    onQueueEvent: (listener) => engine.subscribe(listener),
    reloadSettings: () => settingsInTurn(),
    setVisible: (visible) => engine.setVisible(visible),
    setSuspended: (suspended) => engine.setSuspended(suspended),
    setOnline: (online) => engine.setOnline(online),
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
    flushSync() {
      history.flushSync();
    },
  };
  engines.set(core, engine);
  return core;
}

/** The engine behind each core: private to the core (and its own tests, which look inside it). */
const engines = new WeakMap<AppCore, QueueEngine>();

/** The queue engine a core runs, for the core's own tests; the shell and the CLI use the core's methods. */
export function engineOf(core: AppCore): QueueEngine {
  const engine = engines.get(core);
  if (!engine) throw new Error('Not a core made by createAppCore.');
  return engine;
}
