/**
 * The app core: settings -> sources -> queue engine, plus history, tracked ids and secrets, served
 * as the contract's Handlers and events. The Electron app, the browser preview and the CLI all run
 * this; only the platform ports differ (see app-core-types.ts). The requests on settings and
 * secrets, on jobs, and on files are in settings-handlers.ts, job-handlers.ts and file-handlers.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Handlers } from '../../preload/contract/contract';
import {
  AppFailure,
  parseJobKey,
  type Job,
  type JobDetails,
  type Settings,
  type SourceConfig,
  type SourceHealth,
} from '../../preload/contract/model';
import { snapshotAnswer } from '../../preload/contract/queue-view';
import { HttpClient } from '../http/client';
import { createQueueEngine } from '../queue/engine';
import { pausedAnswer, type DisabledSource, type QueueEngine } from '../queue/engine-types';
import { disposeSource, type JobSource } from '../queue/source';
import type { SourceDeps } from '../sources/deps';
import { createSource, sourceDisplayName } from '../sources/index';
import { planCommands } from '../sources/scriptx/service-control';
import { createHistoryStore, HISTORY_FILE_NAME, type HistoryStore } from '../state/history';
import { createRedactor, type Redactor } from '../state/redact';
import { besideSettings, loadSettings, type LoadedSettings } from '../state/settings';
import { createFileTrackedStore, TRACKED_FILE_NAME } from '../state/tracked';
import type { AppCore, AppCoreOptions } from './app-core-types';
import { systemClock, type Clock, type Logger, type TrackedStore } from '../ports/ports';
import { createCoreEvents } from './events';
import { createFileHandlers } from './file-handlers';
import { createJobHandlers } from './job-handlers';
import { createSettingsHandlers } from './settings-handlers';
import { boundSecretStore, secretDestination, storedValues } from './secret-binding';

export async function createAppCore(opts: AppCoreOptions): Promise<AppCore> {
  const clock: Clock = opts.clock ?? systemClock;
  const logger: Logger = opts.logger;
  const redactor: Redactor = createRedactor();
  const { emit, on } = createCoreEvents((event, err) => logger.error('event listener failed', { event, error: redactor.redactText(String(err)) }));
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

  function unsupported(source: JobSource, what: string): never {
    throw new AppFailure('unsupported', `${source.name} cannot ${what}.`, { sourceId: source.id });
  }

  function applySettings(next: LoadedSettings, previous: Settings): void {
    const rebuilt = buildSources(next.settings.sources, previous.sources);
    const kept = new Set(rebuilt.sources);
    for (const s of engine.snapshot().sources) {
      const source = engine.getSource(s.id);
      // A source removed, switched off or replaced stops in the background (its subscriptions canceled).
      if (source && !kept.has(source)) void disposeSource(source, logger);
    }
    engine.setSources(rebuilt.sources, rebuilt.disabled);
    engine.setPolling(next.settings.polling);
    history.setRetention(next.settings.history);
    const ui = next.settings.ui;
    if (ui.startAtLogin !== previous.ui.startAtLogin || ui.startMinimized !== previous.ui.startMinimized) {
      platform.setStartAtLogin?.(ui.startAtLogin, ui.startMinimized);
    }
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

  const settingsRequests = createSettingsHandlers({
    configPath: opts.configPath,
    storedSecrets: opts.secrets,
    secrets,
    destinationIn,
    redactor,
    logger,
    clock,
    platform,
    deps,
    engine,
    emit,
    loaded: () => loaded,
    setLoaded: (next) => {
      loaded = next;
    },
    apply: applySettings,
    learnSecrets,
  });
  const settingsView = settingsRequests.view;

  const jobRequests = createJobHandlers({ engine, redactor, requireJob, requireSource, unsupported });
  const fileRequests = createFileHandlers({
    configPath: opts.configPath,
    logFiles: () => opts.logFiles?.() ?? [],
    platform,
    clock,
    redactor,
    engine,
    history,
    emit,
    requireJob,
    requireSource,
    unsupported,
    settingsView,
  });

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

    ...jobRequests,

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

    ...settingsRequests.handlers,

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

    ...fileRequests,

    async cancelUpload({ key }) {
      const job = requireJob(key);
      const source = requireSource(job.sourceId);
      if (!source.cancelUpload) unsupported(source, 'cancel an upload');
      return engine.upsert(await source.cancelUpload(job, AbortSignal.timeout(60_000)));
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

    async queryHistory({ since, limit, timelines }) {
      const entries = await history.query({ ...(since ? { since } : {}), ...(limit ? { limit } : {}) });
      return timelines === false ? entries.map((e) => ({ finishedAt: e.finishedAt, job: e.job, timeline: [] })) : entries;
    },

    async clearHistory() {
      await history.clear();
      return null;
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
    reloadSettings: () => settingsRequests.reload(),
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
      // Each source gives back what it holds on its service (IPP subscriptions), a few seconds at most.
      const running = engine.snapshot().sources.map((s) => engine.getSource(s.id));
      await Promise.all(running.map((s) => s && disposeSource(s, logger)));
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
