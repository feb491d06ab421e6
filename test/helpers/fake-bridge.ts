/**
 * An in-memory PrintQueueBridge for component tests: every request goes through the contract's
 * dispatch(), so payloads are validated by the same zod schemas main uses, and the handlers behave
 * like the app's (refusals with the envelope's codes, jobs changing state, settings round-trips).
 * Tests can replace any handler, hold a request open to see the pending state, and push events.
 */
import { snapshotAnswer } from '../../preload/contract/queue-view';
import type { EventName, RequestName } from '../../preload/contract/channels';
import {
  dispatch,
  type Events,
  type Handlers,
  type PrintQueueBridge,
  type RequestInput,
  type RequestOutput,
  type DesktopInfo,
  type ServiceInfo,
  type SettingsView,
} from '../../preload/contract/contract';
import {
  AppFailure,
  Settings,
  isFinal,
  makeJobKey,
  noCapabilities,
  secretNamesFor,
  type HistoryEntry,
  type Job,
  type JobDetails,
  type JobPatch,
  type Printer,
  type Result,
  type SecretName,
  type SettingsInput,
  type SourceCapabilities,
  type SourceHealth,
  type SourceKind,
} from '../../preload/contract/model';

export const NOW = '2026-03-02T10:00:00.000Z';

let seq = 0;
/** A valid normalized job; override any field. */
export function makeJob(over: Partial<Job> & { sourceId?: string } = {}): Job {
  seq++;
  const sourceId = over.sourceId ?? 'local';
  const nativeId = over.nativeId ?? `job-${seq}`;
  return {
    key: over.key ?? makeJobKey(sourceId, nativeId),
    sourceId,
    sourceKind: 'scriptx',
    nativeId,
    state: 'queued',
    rawState: '2 Queued',
    detail: null,
    document: `Document ${seq}`,
    owner: 'alice',
    printer: 'Printer A',
    mine: true,
    createdAt: NOW,
    updatedAt: NOW,
    lastSeenAt: NOW,
    progress: null,
    stale: false,
    stuck: false,
    gone: false,
    cancel: { allowed: true },
    extra: {},
    ...over,
  };
}

/**
 * What each kind of source declares it can do, as the app's sources do (main/queue/source.ts
 * `sourceCapabilities`; test/unit/queue/capabilities.test.ts holds this equal to the real sources).
 */
export const KIND_CAPABILITIES: Readonly<Record<SourceKind, SourceCapabilities>> = {
  scriptx: { ...noCapabilities(), track: true, print: true, retry: true, saveOutput: true, servicePanel: true, serviceControl: true },
  graph: { ...noCapabilities(), track: true, print: true, cancelUpload: true, retry: true, signIn: true, signOut: true, details: true },
  aodocs: { ...noCapabilities(), track: true, details: true },
  ipp: { ...noCapabilities(), details: true },
  'windows-spooler': { ...noCapabilities(), details: true },
};

/** A source's health as the app reports it; its capabilities those of its kind, none while switched off;
 * a source in trouble (degraded, down, sign-in needed) has had a failed poll, when it was, as the app
 * keeps it. */
export function makeHealth(over: Partial<SourceHealth> & { id: string }): SourceHealth {
  const kind = over.kind ?? 'scriptx';
  const capabilities = over.status === 'disabled' ? noCapabilities() : { ...KIND_CAPABILITIES[kind] };
  const failed = over.status === 'degraded' || over.status === 'down' || over.status === 'auth-required';
  return { kind, name: over.id, capabilities, status: 'ok', message: '', lastSuccessAt: NOW, lastErrorAt: failed ? NOW : null, ...over };
}

export interface FakeBridgeOptions {
  jobs?: Job[];
  sources?: SourceHealth[];
  settings?: SettingsInput;
  /** Stored secrets, keyed `<sourceId>.<NAME>`. */
  secrets?: Record<string, string>;
  details?: Record<string, Omit<JobDetails, 'job'>>;
  serviceInfo?: ServiceInfo;
  history?: HistoryEntry[];
  /** The printers the sources describe (getPrinters); cancelPrinterJobs knows only these, as the core does. */
  printers?: Printer[];
  /** What the desktop app adds to the settings answer; absent like in the browser preview. */
  desktop?: DesktopInfo;
  /** Kinds of source this computer cannot watch, as the core says them (the Windows spooler off Windows). */
  unavailableKinds?: SettingsView['unavailableKinds'];
  /** The file the user picks to print. Default report.pdf, 4 KiB. */
  printFile?: { name: string; size: number };
  /** The problems the app found in the settings file, as its parser words them (none by default). */
  problems?: SettingsView['problems'];
}

type Call = { name: RequestName; input: unknown };

interface Hold {
  release: () => void;
  /** Resolves once the held request has arrived. */
  arrived: Promise<void>;
}

export class FakeBridge implements PrintQueueBridge {
  readonly jobs = new Map<string, Job>();
  sources: SourceHealth[];
  settings: Settings;
  readonly secrets: Map<string, string>;
  readonly details: Record<string, Omit<JobDetails, 'job'>>;
  serviceInfo: ServiceInfo | null;
  history: HistoryEntry[];
  printers: Printer[];
  paused: { until: string | null } | null = null;
  desktop: DesktopInfo | undefined;
  unavailableKinds: SettingsView['unavailableKinds'];
  problems: SettingsView['problems'];
  readonly calls: Call[] = [];
  readonly handlers: Handlers;
  private readonly listeners = new Map<EventName, Set<(p: never) => void>>();
  private readonly holds = new Map<RequestName, { wait: Promise<void>; arrived: () => void }>();
  private readonly printFile: { name: string; size: number };
  private holdUpload = false;
  /** Uploads held back, by job key: stopping one rejects its print. */
  private readonly uploads = new Map<string, () => void>();
  private printed = 0;

  constructor(opts: FakeBridgeOptions = {}) {
    for (const j of opts.jobs ?? []) this.jobs.set(j.key, j);
    this.sources = opts.sources ?? [];
    this.settings = Settings.parse(opts.settings ?? { version: 1, sources: [] });
    this.secrets = new Map(Object.entries(opts.secrets ?? {}));
    this.details = opts.details ?? {};
    this.desktop = opts.desktop;
    this.unavailableKinds = opts.unavailableKinds;
    this.problems = opts.problems ?? [];
    this.serviceInfo = opts.serviceInfo ?? null;
    this.history = opts.history ?? [];
    this.printers = opts.printers ?? [];
    this.printFile = opts.printFile ?? { name: 'report.pdf', size: 4096 };
    this.handlers = this.defaultHandlers();
  }

  async request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
    this.calls.push({ name, input });
    const hold = this.holds.get(name);
    if (hold) {
      this.holds.delete(name);
      hold.arrived();
      await hold.wait;
    }
    return (await dispatch(this.handlers, name, input)) as Result<RequestOutput<K>>;
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (p: Events[E]) => void)(payload);
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Applies patches to the fake's own jobs and pushes them to the window. */
  patch(patches: JobPatch[]): void {
    for (const p of patches) {
      if (p.type === 'added') this.jobs.set(p.job.key, p.job);
      else if (p.type === 'changed') {
        const old = this.jobs.get(p.key);
        if (old) this.jobs.set(p.key, { ...old, ...p.changes });
      } else this.jobs.delete(p.key);
    }
    this.emit('jobs:patch', { patches });
  }

  /** Replaces one handler (e.g. to answer an error from the source). */
  override<K extends RequestName>(name: K, fn: Handlers[K]): void {
    (this.handlers as Record<RequestName, unknown>)[name] = fn;
  }

  /** The next request of this name waits until released, so a test can see the pending state. */
  hold(name: RequestName): Hold {
    let release!: () => void;
    let arrived!: () => void;
    const wait = new Promise<void>((r) => (release = r));
    const arrivedP = new Promise<void>((r) => (arrived = r));
    this.holds.set(name, { wait, arrived });
    return { release, arrived: arrivedP };
  }

  /** The next file print sends its first bytes, then waits until "Stop upload" stops it. */
  holdNextUpload(): void {
    this.holdUpload = true;
  }

  callsOf<K extends RequestName>(name: K): RequestInput<K>[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input as RequestInput<K>);
  }

  view(): SettingsView {
    // As the app lists them: every secret each source uses, stored or not.
    const secrets: SettingsView['secrets'] = this.settings.sources.flatMap((s) => secretNamesFor(s).map((name) => ({ sourceId: s.id, name, present: this.secrets.has(`${s.id}.${name}`) })));
    const view: SettingsView = { settings: structuredClone(this.settings), problems: structuredClone(this.problems), secrets, configPath: 'C:\\Users\\alice\\AppData\\Roaming\\Print Queue Monitor\\settings.json' };
    if (this.desktop) view.desktop = structuredClone(this.desktop);
    if (this.unavailableKinds) view.unavailableKinds = structuredClone(this.unavailableKinds);
    return view;
  }

  private need(key: string): Job {
    const job = this.jobs.get(key);
    if (!job) throw new AppFailure('not-found', `The job ${key} is not in the queue.`, { field: 'key' });
    return job;
  }

  /** An action the job itself allows (hold, release, pause, resume), refused as the core refuses it. */
  private permitted(key: string, action: 'hold' | 'release' | 'pause' | 'resume', refusal: string, changes: Partial<Job>): Job {
    const permission = this.need(key)[action];
    if (!permission?.allowed) throw new AppFailure('not-allowed', permission?.reason ?? refusal);
    return this.update(key, changes);
  }

  /** Changes a job as the app's queue does: the answer, and a patch to every window. */
  private update(key: string, changes: Partial<Job>): Job {
    const job = { ...this.need(key), ...changes, updatedAt: NOW };
    this.patch([{ type: 'changed', key, changes: { ...changes, updatedAt: NOW } }]);
    return job;
  }

  /** Adds a job as the app's queue does: the answer, and a patch to every window. */
  private add(job: Job): Job {
    this.patch([{ type: 'added', job }]);
    return job;
  }

  /**
   * Printing a file as Universal Print does it: the job is created waiting for its document (the
   * queue shows it), the bytes are sent with progress under its key, then it is queued.
   */
  private async printFileJob(req: RequestInput<'submitPrint'>, kind: SourceHealth['kind']): Promise<Job> {
    const { name, size } = this.printFile;
    const nativeId = `${req.printer ?? 'share'}/${++this.printed}`;
    const job = this.add(makeJob({ sourceId: req.sourceId, sourceKind: kind, nativeId, document: name, printer: req.printer ?? 'Default printer', state: 'paused', rawState: 'paused/uploadPending' }));
    this.emit('print:progress', { key: job.key, sentBytes: 0, totalBytes: size });
    if (this.holdUpload) {
      this.holdUpload = false;
      await new Promise<void>((stopped) => this.uploads.set(job.key, stopped));
      throw new AppFailure('conflict', `The upload of "${name}" was canceled; the job was not printed.`, { sourceId: req.sourceId });
    }
    this.emit('print:progress', { key: job.key, sentBytes: size, totalBytes: size });
    return this.update(job.key, { state: 'queued', rawState: 'pending' });
  }

  private health(sourceId: string): SourceHealth {
    const h = this.sources.find((s) => s.id === sourceId);
    if (!h) throw new AppFailure('not-found', `No source "${sourceId}" is configured.`, { field: 'sourceId' });
    return h;
  }

  /** The source, when it can do what is asked; refused as the core refuses a source without it. */
  private capable(sourceId: string, capability: keyof SourceCapabilities, what: string): SourceHealth {
    const h = this.health(sourceId);
    if (!h.capabilities[capability]) throw new AppFailure('unsupported', `${h.name} cannot ${what}.`, { sourceId });
    return h;
  }

  private setHealth(h: SourceHealth): SourceHealth {
    this.sources = this.sources.map((s) => (s.id === h.id ? h : s));
    this.emit('source:health', h);
    return h;
  }

  private defaultHandlers(): Handlers {
    const cancelOne = async ({ key }: { key: string }): Promise<Job> => {
      const job = this.need(key);
      if (isFinal(job)) throw new AppFailure('conflict', `The job is already ${job.state}.`);
      if (!job.cancel.allowed) throw new AppFailure('too-late', job.cancel.reason ?? 'The service refuses to cancel this job.');
      const canceled = this.update(key, { state: 'canceled', rawState: 'Canceled', cancel: { allowed: false, reason: 'The job is finished.' } });
      // A job that ends goes into the stored history with its timeline, newest first, as the core records it.
      const timeline = [...(this.details[key]?.timeline ?? []), { at: NOW, state: 'canceled' as const, rawState: 'Canceled', detail: null }];
      this.history = [{ finishedAt: NOW, job: canceled, timeline }, ...this.history];
      return canceled;
    };
    return {
      getSnapshot: async ({ first }) => snapshotAnswer({ jobs: [...this.jobs.values()], sources: this.sources, paused: this.paused }, this.settings.ui, first),
      getJobDetails: async ({ key, eventsPageToken }) => {
        const job = this.need(key);
        const d = this.details[key] ?? { timeline: [] };
        if (eventsPageToken) {
          if (eventsPageToken !== d.eventsNextPageToken) throw new AppFailure('invalid-input', 'The events page token is not valid.');
          return { job, timeline: d.timeline, events: [{ message: 'Older event', severity: 'INFO', timestamp: NOW }], eventsNextPageToken: null };
        }
        // The other side of a hand-over, with its own timeline, as the engine answers.
        const otherKey = job.handover?.key ?? job.handedOverBy ?? null;
        const other = otherKey === null ? undefined : this.jobs.get(otherKey);
        return { job, ...d, ...(other ? { linked: { job: other, timeline: this.details[other.key]?.timeline ?? [] } } : {}) };
      },
      cancelJob: cancelOne,
      cancelJobs: async ({ keys }) => {
        const out: { key: string; result: Result<Job> }[] = [];
        for (const key of keys) {
          try {
            out.push({ key, result: { ok: true, value: await cancelOne({ key }) } });
          } catch (err) {
            out.push({ key, result: { ok: false, error: (err as AppFailure).toJSON() } });
          }
        }
        return out;
      },
      holdJob: async ({ key }) => this.permitted(key, 'hold', 'This source cannot hold jobs.', { state: 'paused', rawState: 'pending-held', hold: { allowed: false, reason: 'The job is held.' }, release: { allowed: true } }),
      releaseJob: async ({ key }) => this.permitted(key, 'release', 'This source cannot release held jobs.', { state: 'queued', rawState: 'pending', hold: { allowed: true }, release: { allowed: false, reason: 'The job is not held.' } }),
      pauseJob: async ({ key }) => this.permitted(key, 'pause', 'This source cannot pause jobs.', { state: 'paused', rawState: '1 Paused', pause: { allowed: false, reason: 'The job is paused.' }, resume: { allowed: true } }),
      resumeJob: async ({ key }) => this.permitted(key, 'resume', 'This source cannot resume paused jobs.', { state: 'queued', rawState: '0', pause: { allowed: true }, resume: { allowed: false, reason: 'The job is not paused.' } }),
      getPrinters: async () => this.printers,
      // As the core answers (main/core/job-handlers.ts): one outcome for each key named, or for every unfinished job.
      cancelPrinterJobs: async ({ printerKey, keys }) => {
        const printer = this.printers.find((p) => p.key === printerKey);
        if (!printer) throw new AppFailure('not-found', 'No such printer is watched (it may have been removed, or its source is not polled yet).', { field: 'printerKey' });
        const onPrinter = (j: Job) => j.sourceId === printer.sourceId && j.printer === printer.name;
        const named = keys ? [...new Set(keys)] : [...this.jobs.values()].filter((j) => onPrinter(j) && !isFinal(j)).map((j) => j.key);
        const out: { key: string; result: Result<Job> }[] = [];
        for (const key of named) {
          try {
            const job = this.need(key);
            if (!onPrinter(job)) throw new AppFailure('conflict', `The job is on ${job.printer ?? 'no printer'}, not on ${printer.name}: it is not canceled with this printer's jobs.`, { sourceId: job.sourceId, field: 'keys' });
            if (isFinal(job)) throw new AppFailure('conflict', `The job is already ${job.state}.`, { sourceId: job.sourceId });
            // What the source says cannot be canceled is not asked for.
            if (!job.cancel.allowed) throw new AppFailure('not-allowed', job.cancel.reason ?? 'This job cannot be canceled.', { sourceId: job.sourceId });
            out.push({ key, result: { ok: true, value: await cancelOne({ key }) } });
          } catch (err) {
            out.push({ key, result: { ok: false, error: (err as AppFailure).toJSON() } });
          }
        }
        return out;
      },
      abortJob: async ({ key, reason }) => {
        const job = this.need(key);
        if (!job.abort?.allowed) throw new AppFailure('not-allowed', job.abort?.reason ?? 'Abort needs the admin mode of Universal Print.');
        return this.update(key, { state: 'canceled', rawState: 'aborted', detail: reason });
      },
      retryJob: async ({ key }) => {
        const job = this.need(key);
        this.capable(job.sourceId, 'retry', 'submit a job again');
        if (job.extra.retryable !== true) throw new AppFailure('not-allowed', 'Only jobs this app submitted can be printed again.');
        const again = makeJob({ sourceId: job.sourceId, document: job.document, printer: job.printer, state: 'queued' });
        this.jobs.set(again.key, again);
        return again;
      },
      trackJob: async ({ sourceId, id }) => {
        const h = this.capable(sourceId, 'track', 'track job ids handed in');
        const key = makeJobKey(sourceId, id);
        return this.jobs.get(key) ?? this.add(makeJob({ sourceId, sourceKind: h.kind, nativeId: id, key, document: `Tracked ${id}`, mine: false }));
      },
      dismissJob: async ({ key }) => {
        const job = this.need(key);
        if (!isFinal(job)) throw new AppFailure('conflict', 'Only finished jobs can be dismissed.');
        this.jobs.delete(key);
        return null;
      },
      refreshNow: async ({ sourceId }) => {
        if (sourceId) this.health(sourceId);
        return null;
      },
      setWindowVisible: async () => null,
      windowReady: async () => null,
      setSelection: async () => null,
      pauseMonitoring: async ({ minutes }) => (this.paused = { until: minutes === null ? null : new Date(Date.parse(NOW) + minutes * 60_000).toISOString() }),
      resumeMonitoring: async () => {
        this.paused = null;
        return null;
      },
      getSettings: async () => this.view(),
      saveSettings: async ({ settings }) => {
        const seen = new Set<string>();
        settings.sources.forEach((s, i) => {
          if (seen.has(s.id)) throw new AppFailure('conflict', `Two sources have the id "${s.id}".`, { field: `settings.sources.${i}.id` });
          seen.add(s.id);
        });
        this.settings = structuredClone(settings);
        // As the core: the file is written whole from valid settings, so it has no problems left.
        this.problems = [];
        const view = this.view();
        // As the core: every save is announced, with the settings now in effect.
        this.emit('settings:changed', { settings: view.settings, problems: view.problems });
        return view;
      },
      saveUiSettings: async ({ ui }) => {
        // As the core: only the view choices change; a file with problems is left untouched.
        if (this.problems.length) throw new AppFailure('conflict', 'The view choices were not saved: the settings file has a problem.');
        this.settings = { ...this.settings, ui: structuredClone(ui) };
        const view = this.view();
        this.emit('settings:changed', { settings: view.settings, problems: view.problems });
        return view;
      },
      setSecret: async ({ sourceId, name, value }) => {
        this.secrets.set(`${sourceId}.${name}`, value);
        return null;
      },
      clearSecret: async ({ sourceId, name }) => {
        this.secrets.delete(`${sourceId}.${name}`);
        return null;
      },
      testSource: async ({ source }) => makeHealth({ id: source.id, kind: source.kind, name: source.name ?? source.id, status: 'ok', message: 'Answered.' }),
      signIn: async ({ sourceId }) => {
        this.capable(sourceId, 'signIn', 'sign in');
        // As a device-code sign-in goes: the code to enter, then done.
        const message = 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE1234 to authenticate.';
        this.emit('signin:progress', { sourceId, stage: 'device-code', userCode: 'FAKE1234', verificationUri: 'https://microsoft.com/devicelogin', expiresAt: new Date(Date.now() + 900_000).toISOString(), message });
        this.emit('signin:progress', { sourceId, stage: 'done' });
        return this.setHealth({ ...this.health(sourceId), status: 'ok', message: 'Signed in as alice@contoso.com.' });
      },
      signOut: async ({ sourceId }) => this.setHealth({ ...this.capable(sourceId, 'signOut', 'sign out'), status: 'auth-required', message: 'Sign in to see jobs.' }),
      submitPrint: async (req) => {
        const h = this.capable(req.sourceId, 'print', 'print');
        if (req.document.type === 'file') return this.printFileJob(req, h.kind);
        return this.add(makeJob({ sourceId: req.sourceId, sourceKind: h.kind, document: req.title ?? (req.document.type === 'url' ? req.document.url : 'document'), printer: req.printer ?? 'Default printer' }));
      },
      cancelUpload: async ({ key }) => {
        const job = this.need(key);
        this.capable(job.sourceId, 'cancelUpload', 'cancel an upload');
        const stop = this.uploads.get(key);
        this.uploads.delete(key);
        if (!stop && !job.rawState.includes('uploadPending')) throw new AppFailure('too-late', `The job is ${job.rawState}, not waiting for an upload; cancel the job instead.`, { sourceId: job.sourceId });
        stop?.();
        return this.update(key, { state: 'canceled', rawState: 'canceled', cancel: { allowed: false, reason: 'The job is finished.' } });
      },
      saveJobOutput: async ({ key }) => {
        const job = this.need(key);
        this.capable(job.sourceId, 'saveOutput', 'save the output of a job');
        if (job.extra.outputReady !== true) throw new AppFailure('not-found', 'The service has no output file for this job.');
        return { savedTo: 'C:\\Users\\alice\\Documents\\output.pdf' };
      },
      getServiceInfo: async ({ sourceId }) => {
        this.capable(sourceId, 'servicePanel', 'show service details');
        if (!this.serviceInfo) throw new AppFailure('unreachable', 'ScriptX.Services did not answer on 127.0.0.1:41191.', { sourceId });
        return this.serviceInfo;
      },
      serviceAction: async (req) => {
        this.capable(req.sourceId, 'serviceControl', 'be controlled from here');
        if (!this.serviceInfo) throw new AppFailure('unreachable', 'ScriptX.Services did not answer.');
        const info = this.serviceInfo;
        if (req.action === 'setDefaultPrinter') {
          if (!info.printers.some((p) => p.name === req.printer)) throw new AppFailure('not-found', `The service has no printer "${req.printer}".`);
          this.serviceInfo = { ...info, defaultPrinter: req.printer, printers: info.printers.map((p) => ({ ...p, isDefault: p.name === req.printer })), message: null };
        } else if (req.action === 'addPrinter') {
          this.serviceInfo = { ...info, printers: [...info.printers, { name: req.printer, status: null, isDefault: false, isLocal: false, isNetwork: true, location: null }], message: null };
        } else if (req.action === 'start' || req.action === 'stop' || req.action === 'restart') {
          if (!info.canControl[req.action]) throw new AppFailure('unsupported', `No ${req.action} command is configured.`);
          this.serviceInfo = { ...info, message: `Service ${req.action} done.` };
        }
        return this.serviceInfo!;
      },
      // As the core answers: newest first as stored, from `since`, at most `limit`, timelines unless refused.
      queryHistory: async ({ since, limit, timelines }) => {
        const from = since === undefined ? -Infinity : Date.parse(since);
        const entries = this.history.filter((e) => Date.parse(e.finishedAt) >= from).slice(0, limit);
        return timelines === false ? entries.map((e) => ({ finishedAt: e.finishedAt, job: e.job, timeline: [] })) : entries;
      },
      clearHistory: async () => {
        this.history = [];
        return null;
      },
      exportHistory: async ({ format }) => ({ savedTo: `C:\\Users\\alice\\Documents\\history.${format}` }),
      saveDiagnostics: async () => ({ savedTo: 'C:\\Users\\alice\\Documents\\diagnostics.zip' }),
      installUpdate: async () => {
        if (this.desktop?.update.state !== 'ready') throw new AppFailure('unsupported', 'No update is ready to install.');
        return { restarting: this.desktop.update.waitReason === null, reason: this.desktop.update.waitReason };
      },
    };
  }
}

/** Every secret value the fake received, for asserting none leaked into the settings. */
export function secretValues(bridge: FakeBridge): string[] {
  return [...bridge.secrets.values()];
}

export type { SecretName };
