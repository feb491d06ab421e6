/**
 * The queue window's state, in signals, fed only by the bridge: one snapshot at start, then
 * patches. Jobs live in a Map keyed by job key and are replaced object by object, so a patch
 * re-renders only the rows it touches. Every action reports its outcome: a notice, a row error, or
 * the job the service answered with; nothing fails silently.
 */
import { batch, computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { Events, PrintQueueBridge, SignInProgress, PrintRequest, RequestInput, RequestOutput, SettingsView, Snapshot } from '../../../preload/contract/contract';
import type { RequestName } from '../../../preload/contract/channels';
import type { AppError, Job, JobPatch, Printer, Result, Settings, SourceHealth, UiSettings } from '../../../preload/contract/model';
import { defaultUi } from './model-lite';
import { isFinal, jobName } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { formatInt } from '../i18n/format';
import { keepsPlace, selectJobs } from '../../../preload/contract/queue-view';
import { requestSafely } from './call';

/** Answers to the first requests, when they were sent before the store existed (see boot.ts). */
export interface FirstAnswers {
  settings?: Promise<Result<SettingsView>>;
  /** The first rows of the queue (getSnapshot `first`), drawn until the whole queue is in. */
  head?: Promise<Result<Snapshot>>;
  snapshot?: Promise<Result<Snapshot>>;
}

export type PendingAction = 'cancel' | 'abort' | 'retry' | 'dismiss' | 'hold' | 'release' | 'pause' | 'resume';
export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** One line per job, shown under "Details" (a bulk action's outcome per document). */
  details?: string[];
  /** How many identical notices arrived (they coalesce into one). */
  count: number;
}

/** Info and warning notices close by themselves after this long, unless hovered or focused; errors stay. */
export const NOTICE_CLOSE_MS: Readonly<Record<Notice['level'], number | null>> = { info: 8000, warning: 15000, error: null };
/** At most this many notices are shown at once; the rest are counted ("and N more"). */
export const MAX_VISIBLE_NOTICES = 3;
/** Notices kept (the oldest go first). */
const MAX_NOTICES = 20;
export type Panel = { kind: 'sources' } | { kind: 'settings'; tab?: SettingsTab } | { kind: 'service'; sourceId: string } | { kind: 'track' } | { kind: 'print' };
export type SettingsTab = 'sources' | 'polling' | 'notifications' | 'history' | 'general';
export interface ConfirmRequest {
  title: string;
  body: string;
  /** Lines listed under the body, e.g. jobs left out and why. */
  list?: string[];
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
}

const UI_SAVE_DELAY_MS = 400;

/** The view choices that hide jobs (every one but the view), each at its "show everything" value. */
export const NO_FILTERS = { mineOnly: false, sourceFilter: [], printerFilter: [], stateFilter: [], stuckOnly: false, search: '' } as const satisfies Partial<UiSettings>;
const FILTER_KEYS = Object.keys(NO_FILTERS) as (keyof typeof NO_FILTERS)[];

/** Whether any filter or the search hides jobs. */
export function isFiltered(ui: UiSettings): boolean {
  return ui.mineOnly || ui.stuckOnly || ui.sourceFilter.length > 0 || ui.printerFilter.length > 0 || ui.stateFilter.length > 0 || ui.search.trim() !== '';
}

function distinct(items: string[]): string[] {
  return [...new Set(items)];
}

export function docName(job: Pick<Job, 'document' | 'nativeId' | 'sourceKind'>): string {
  return jobName(job);
}

export function createStore(bridge: PrintQueueBridge) {
  const jobs = new Map<string, Job>();
  const jobsVersion = signal(0);
  const sources = signal<SourceHealth[]>([]);
  const paused = signal<{ until: string | null } | null>(null);
  const status = signal<'loading' | 'ready' | 'error'>('loading');
  /**
   * Set while only the first rows of the queue are in (FirstAnswers.head): the view choices they
   * were chosen under. The rest of the queue replaces them; until then the window says it is still
   * loading, and shows them only under those same choices.
   */
  const partial = signal<UiSettings | null>(null);
  const loadError = signal<AppError | null>(null);
  const settingsView = signal<SettingsView | null>(null);
  const ui = signal<UiSettings>(defaultUi());
  /** True while the filters or search in use are those saved last time (the window says so), until one is changed. */
  const filtersRestored = signal(false);
  /** Every source's printers as their sources describe them (getPrinters, then printers:changed). */
  const printerList = signal<Printer[]>([]);
  const selection = signal<ReadonlySet<string>>(new Set());
  const activeKey = signal<string | null>(null);
  const detailKey = signal<string | null>(null);
  const pending = signal<ReadonlyMap<string, PendingAction>>(new Map());
  const rowErrors = signal<ReadonlyMap<string, string>>(new Map());
  const notices = signal<Notice[]>([]);
  /** Sign-ins in progress by source id, and where each stands (the browser page, a device code, a failure). */
  const signingIn = signal<ReadonlyMap<string, true>>(new Map());
  const signInProgress = signal<ReadonlyMap<string, SignInProgress>>(new Map());
  const printProgress = signal<ReadonlyMap<string, { sentBytes: number; totalBytes: number }>>(new Map());
  const panel = signal<Panel | null>(null);
  const confirm = signal<ConfirmRequest | null>(null);
  const abortKey = signal<string | null>(null);
  /** Set while the transport to the app is lost (browser preview): the sentence to show. */
  const connection = signal<string | null>(null);

  const sourceNames = computed(() => new Map(sources.value.map((s) => [s.id, s.name])));
  const allJobs = computed(() => {
    void jobsVersion.value;
    return [...jobs.values()];
  });
  const jobCount = computed(() => {
    void jobsVersion.value;
    return jobs.size;
  });
  /** Bumped only when the set of printers may have changed, so a progress patch does not rescan. */
  const printersVersion = signal(0);
  const printers = computed(() => {
    void printersVersion.value;
    const set = new Set<string>();
    for (const j of jobs.values()) if (j.printer) set.add(j.printer);
    return [...set].sort();
  });

  // The visible list. A batch of 'changed' patches that keep every row's place is applied to the
  // previous list in place; anything else (added, removed, a new sort position, other choices)
  // filters and sorts again.
  // The key-to-position index is built only when a patch first needs it, not for the first frame.
  let lastList: { version: number; ui: UiSettings; names: ReadonlyMap<string, string>; rows: Job[]; index: Map<string, number> | null } | null = null;
  const indexOf = (list: { rows: Job[]; index: Map<string, number> | null }): Map<string, number> =>
    (list.index ??= new Map(list.rows.map((j, i) => [j.key, i])));
  let inPlace: { from: number; to: number; changed: Job[] } | null = null;
  const visible: ReadonlySignal<Job[]> = computed(() => {
    const version = jobsVersion.value;
    const choices = ui.value;
    const names = sourceNames.value;
    const prev = lastList;
    if (prev && inPlace && inPlace.from === prev.version && inPlace.to === version && prev.ui === choices && prev.names === names) {
      const rows = prev.rows.slice();
      const index = indexOf(prev);
      for (const job of inPlace.changed) {
        const i = index.get(job.key);
        if (i !== undefined) rows[i] = job;
      }
      lastList = { ...prev, version, rows, index };
      return rows;
    }
    const rows = selectJobs(jobs.values(), choices, names);
    lastList = { version, ui: choices, names, rows, index: null };
    return rows;
  });

  let noticeId = 0;
  let uiSaveTimer: ReturnType<typeof setTimeout> | null = null;
  const unsubs: (() => void)[] = [];

  function call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
    return requestSafely(bridge, name, input);
  }

  const noticeTimers = new Map<number, ReturnType<typeof setTimeout>>();
  /** The notice area is hovered or holds the focus: nothing closes by itself meanwhile. */
  let noticesHeld = false;
  function scheduleClose(n: Notice): void {
    const ms = NOTICE_CLOSE_MS[n.level];
    if (ms === null) return;
    clearTimeout(noticeTimers.get(n.id));
    noticeTimers.set(
      n.id,
      setTimeout(() => {
        noticeTimers.delete(n.id);
        // Held: closed after a full period once the pointer or focus leaves.
        if (!noticesHeld) dismissNotice(n.id);
      }, ms),
    );
  }
  function notify(level: Notice['level'], message: string, details?: string[]): void {
    const same = notices.value.find((n) => n.level === level && n.message === message && (n.details ?? []).join('\n') === (details ?? []).join('\n'));
    if (same) {
      // Identical notices coalesce: one entry, counted, its close timer restarted.
      const bumped = { ...same, count: same.count + 1 };
      notices.value = [...notices.value.filter((n) => n !== same), bumped];
      scheduleClose(bumped);
      return;
    }
    const n: Notice = { id: ++noticeId, level, message, count: 1 };
    if (details?.length) n.details = details;
    const kept = notices.value.slice(-(MAX_NOTICES - 1));
    for (const old of notices.value) if (!kept.includes(old)) clearTimeout(noticeTimers.get(old.id));
    notices.value = [...kept, n];
    scheduleClose(n);
  }
  function dismissNotice(id: number): void {
    clearTimeout(noticeTimers.get(id));
    noticeTimers.delete(id);
    notices.value = notices.value.filter((n) => n.id !== id);
  }
  function dismissAllNotices(): void {
    for (const n of notices.value) clearTimeout(noticeTimers.get(n.id));
    noticeTimers.clear();
    notices.value = [];
  }
  function holdNotices(held: boolean): void {
    noticesHeld = held;
    if (!held) for (const n of notices.value) if (!noticeTimers.has(n.id)) scheduleClose(n);
  }

  function setMapEntry<V>(sig: { value: ReadonlyMap<string, V> }, key: string, v: V | undefined): void {
    const next = new Map(sig.value);
    if (v === undefined) next.delete(key);
    else next.set(key, v);
    sig.value = next;
  }

  function putJob(job: Job): void {
    const old = jobs.get(job.key);
    jobs.set(job.key, job);
    if (!old || old.printer !== job.printer) printersVersion.value++;
    jobsVersion.value++;
  }

  function applyPatches(patches: JobPatch[]): void {
    if (!patches.length) return;
    const choices = ui.value;
    const names = sourceNames.value;
    let keep = lastList !== null && lastList.version === jobsVersion.value;
    let printersMayChange = false;
    const changed: Job[] = [];
    batch(() => {
      for (const p of patches) {
        if (p.type === 'added') {
          keep = false;
          printersMayChange = true;
          jobs.set(p.job.key, p.job);
        } else if (p.type === 'changed') {
          const old = jobs.get(p.key);
          if (old) {
            const next = { ...old, ...p.changes, key: old.key };
            jobs.set(p.key, next);
            if (next.printer !== old.printer) printersMayChange = true;
            if (keep && !keepsPlace(old, next, choices, names)) keep = false;
            changed.push(next);
          }
        } else {
          keep = false;
          printersMayChange = true;
          jobs.delete(p.key);
          if (selection.value.has(p.key)) {
            const s = new Set(selection.value);
            s.delete(p.key);
            selection.value = s;
          }
        }
      }
      if (printersMayChange) printersVersion.value++;
      inPlace = keep && lastList ? { from: lastList.version, to: lastList.version + 1, changed } : null;
      jobsVersion.value++;
    });
  }

  function applyHealth(h: SourceHealth): void {
    const list = sources.value;
    const i = list.findIndex((s) => s.id === h.id);
    sources.value = i < 0 ? [...list, h] : list.map((s, j) => (j === i ? h : s));
  }

  /**
   * Tells main which jobs the user is looking at (the selected rows and the one open in the
   * details panel) whenever that changes: their sources poll them first.
   */
  function reportSelection(): () => void {
    let sent = '';
    return effect(() => {
      const keys = [...selection.value];
      const open = detailKey.value;
      if (open !== null && !selection.value.has(open)) keys.push(open);
      // setSelection takes at most 1000 keys (MAX_SELECTION).
      const list = keys.slice(0, 1000);
      const id = list.join('\n');
      if (id === sent) return;
      sent = id;
      void call('setSelection', { keys: list });
    });
  }

  /** Subscribes to the app's events and loads settings and snapshot (or takes the answers already asked for). */
  async function start(first: FirstAnswers = {}): Promise<void> {
    unsubs.push(
      bridge.on('jobs:patch', (p: Events['jobs:patch']) => applyPatches(p.patches)),
      bridge.on('source:health', applyHealth),
      bridge.on('monitoring:paused', (p) => (paused.value = p)),
      bridge.on('app:navigate', ({ key }) => openDetails(key)),
      bridge.on('signin:progress', (p) => setMapEntry(signInProgress, p.sourceId, p.stage === 'done' ? undefined : p)),
      bridge.on('app:notice', ({ level, message }) => notify(level, message)),
      bridge.on('print:progress', ({ key, sentBytes, totalBytes }) => setMapEntry(printProgress, key, { sentBytes, totalBytes })),
      bridge.on('printers:changed', ({ printers: list }) => (printerList.value = list)),
      reportSelection(),
    );
    // The jobs are put in only once the settings are in: the queue is then filtered and sorted
    // (and drawn) once, under the saved view choices, not first under the defaults.
    const settings = loadSettings(first.settings);
    if (first.head) void loadHead(first.head, settings);
    await loadSnapshot(first.snapshot, settings);
    // Listening, with the queue in: main may now send what it held for the window (the job a link
    // that started the app names), which would otherwise reach a page without a listener or jobs.
    void call('windowReady', {});
    // The printers are not needed for the first frame; asked for once the queue is in.
    void loadPrinters();
  }

  async function loadHead(answer: Promise<Result<Snapshot>>, settings: Promise<boolean>): Promise<void> {
    const [r, settingsIn] = await Promise.all([answer, settings]);
    // A failure is not shown: the whole queue is asked for next and says what is wrong. Without
    // the settings the window's view choices are not those the first rows were picked under, so
    // the whole queue is waited for then too. Once the whole queue (or its failure) is in, the
    // window is no longer loading and the first rows are of no use.
    if (!r.ok || !settingsIn || status.value !== 'loading') return;
    putSnapshot(r.value, ui.value);
  }

  /** Replaces the jobs, the sources' health and the pause with a snapshot's; `head`: see `partial`. */
  function putSnapshot(snap: Snapshot, head: UiSettings | null): void {
    batch(() => {
      jobs.clear();
      for (const j of snap.jobs) jobs.set(j.key, j);
      printersVersion.value++;
      jobsVersion.value++;
      sources.value = snap.sources;
      paused.value = snap.paused;
      partial.value = head;
      loadError.value = null;
      status.value = 'ready';
    });
  }

  /** Loads the jobs; `after` (the settings' loading at start) is awaited before they are put in. */
  async function loadSnapshot(answer?: Promise<Result<Snapshot>>, after?: Promise<unknown>): Promise<void> {
    // A reload after a reconnect keeps the last rows on screen until the fresh ones arrive.
    if (status.value !== 'ready') status.value = 'loading';
    const [r] = await Promise.all([answer ?? call('getSnapshot', {}), after]);
    if (!r.ok) {
      batch(() => {
        loadError.value = r.error;
        partial.value = null;
        status.value = 'error';
      });
      return;
    }
    putSnapshot(r.value, null);
  }

  async function loadPrinters(): Promise<void> {
    const r = await call('getPrinters', {});
    if (r.ok) printerList.value = r.value;
    else notify('warning', t.printersLoadFailed(r.error.message));
  }

  /** Loads the settings; false when they could not be read (the window then says why). */
  async function loadSettings(answer?: Promise<Result<SettingsView>>): Promise<boolean> {
    const r = await (answer ?? call('getSettings', {}));
    if (!r.ok) {
      notify('warning', t.settingsSaveFailed(r.error.message));
      return false;
    }
    batch(() => {
      settingsView.value = r.value;
      ui.value = r.value.settings.ui;
      filtersRestored.value = isFiltered(r.value.settings.ui);
    });
    return true;
  }

  /** Saves the whole settings file; answers the server's error (with its field) on refusal. */
  async function saveSettings(settings: Settings): Promise<Result<SettingsView>> {
    const r = await call('saveSettings', { settings });
    if (r.ok) settingsView.value = r.value;
    return r;
  }

  /** Changes a view choice now and persists it shortly after (typing in search saves once). */
  function updateUi(change: Partial<UiSettings>): void {
    ui.value = { ...ui.value, ...change };
    if (FILTER_KEYS.some((k) => k in change)) filtersRestored.value = false;
    if (uiSaveTimer) clearTimeout(uiSaveTimer);
    uiSaveTimer = setTimeout(() => void persistUi(), UI_SAVE_DELAY_MS);
  }
  async function persistUi(): Promise<void> {
    uiSaveTimer = null;
    const view = settingsView.value;
    if (!view) return;
    const r = await saveSettings({ ...view.settings, ui: ui.value });
    if (!r.ok) notify('error', t.settingsSaveFailed(r.error.message));
  }
  function flushUi(): Promise<void> {
    if (!uiSaveTimer) return Promise.resolve();
    clearTimeout(uiSaveTimer);
    return persistUi();
  }

  function openDetails(key: string): void {
    batch(() => {
      detailKey.value = key;
      activeKey.value = key;
    });
    if (!jobs.has(key)) notify('warning', t.jobNotFound);
  }

  // --- job actions -------------------------------------------------------------------------------

  async function runJobAction(key: string, action: PendingAction, run: () => Promise<Result<Job | null>>, ok: (job: Job) => string, fail: (reason: string) => string): Promise<boolean> {
    const before = jobs.get(key);
    batch(() => {
      setMapEntry(pending, key, action);
      setMapEntry(rowErrors, key, undefined);
    });
    const r = await run();
    setMapEntry(pending, key, undefined);
    if (!r.ok) {
      setMapEntry(rowErrors, key, r.error.message);
      notify('error', fail(r.error.message));
      return false;
    }
    if (r.value) putJob(r.value);
    notify('info', ok(r.value ?? before!));
    return true;
  }

  function cancelJob(key: string): Promise<boolean> {
    const job = jobs.get(key);
    const name = job ? docName(job) : key;
    return runJobAction(key, 'cancel', () => call('cancelJob', { key }), (j) => t.canceled(docName(j)), (reason) => t.cancelFailed(name, reason));
  }

  /**
   * Cancels many at once; jobs that refuse cancellation are never sent. `skipped` are the selected
   * jobs left out, with why; the outcome is one notice naming each job by its document.
   */
  async function cancelJobs(keys: string[], skipped: { job: Job; why: string }[] = []): Promise<void> {
    if (!keys.length) return;
    if (keys.length === 1 && !skipped.length) {
      await cancelJob(keys[0]);
      return;
    }
    const names = new Map(keys.map((k) => [k, jobs.has(k) ? docName(jobs.get(k)!) : k]));
    batch(() => {
      for (const k of keys) {
        setMapEntry(pending, k, 'cancel');
        setMapEntry(rowErrors, k, undefined);
      }
    });
    const r = await call('cancelJobs', { keys });
    let okCount = 0;
    const lines: string[] = [];
    const failures: string[] = [];
    batch(() => {
      for (const k of keys) setMapEntry(pending, k, undefined);
      if (!r.ok) {
        for (const k of keys) {
          setMapEntry(rowErrors, k, r.error.message);
          lines.push(t.jobOutcome(names.get(k)!, t.outcomeNotCanceled(r.error.message)));
        }
        failures.push(r.error.message);
        return;
      }
      for (const item of r.value) {
        const name = names.get(item.key) ?? item.key;
        if (item.result.ok) {
          okCount++;
          jobs.set(item.key, item.result.value);
          lines.push(t.jobOutcome(name, t.outcomeCanceled));
        } else {
          failures.push(item.result.error.message);
          setMapEntry(rowErrors, item.key, item.result.error.message);
          lines.push(t.jobOutcome(name, t.outcomeNotCanceled(item.result.error.message)));
        }
      }
      jobsVersion.value++;
      selection.value = new Set();
    });
    for (const s of skipped) lines.push(t.jobOutcome(docName(s.job), t.outcomeSkipped(s.why)));
    const summary = t.bulkOutcome(formatInt(okCount), formatInt(failures.length), formatInt(skipped.length), distinct(skipped.map((s) => s.why)), distinct(failures));
    notify(failures.length ? (okCount ? 'warning' : 'error') : skipped.length ? 'warning' : 'info', summary, lines);
  }

  function abortJob(key: string, reason: string): Promise<boolean> {
    const job = jobs.get(key);
    const name = job ? docName(job) : key;
    return runJobAction(key, 'abort', () => call('abortJob', { key, reason }), (j) => t.aborted(docName(j)), (why) => t.abortFailed(name, why));
  }

  /** Holds a waiting job at the service (IPP Hold-Job) or releases a held one; pauses or resumes one (the Windows spooler). */
  function holdJob(key: string, action: 'hold' | 'release' | 'pause' | 'resume'): Promise<boolean> {
    const job = jobs.get(key);
    const name = job ? docName(job) : key;
    const request = `${action}Job` as const;
    return runJobAction(key, action, () => call(request, { key }), (j) => t.heldOrReleased(action, docName(j)), (why) => t.holdFailed(action, name, why));
  }

  function retryJob(key: string): Promise<boolean> {
    return runJobAction(key, 'retry', () => call('retryJob', { key }), (j) => t.retried(docName(j)), t.retryFailed);
  }

  async function dismissJob(key: string): Promise<boolean> {
    const job = jobs.get(key);
    const name = job ? docName(job) : key;
    setMapEntry(pending, key, 'dismiss');
    const r = await call('dismissJob', { key });
    setMapEntry(pending, key, undefined);
    if (!r.ok) {
      setMapEntry(rowErrors, key, r.error.message);
      notify('error', t.dismissFailed(r.error.message));
      return false;
    }
    applyPatches([{ type: 'removed', key }]);
    if (detailKey.value === key) detailKey.value = null;
    notify('info', t.dismissed(name));
    return true;
  }

  async function saveJobOutput(key: string): Promise<void> {
    const r = await call('saveJobOutput', { key });
    if (!r.ok) notify('error', t.saveFailed(r.error.message));
    else notify('info', r.value ? t.savedTo(r.value.savedTo) : t.notSaved);
  }

  async function trackJob(input: RequestInput<'trackJob'>): Promise<Result<Job>> {
    const r = await call('trackJob', input);
    if (r.ok) {
      putJob(r.value);
      openDetails(r.value.key);
      notify('info', t.tracked(docName(r.value)));
    }
    return r;
  }

  async function submitPrint(input: PrintRequest): Promise<Result<Job>> {
    const before = new Set(printProgress.value.keys());
    const r = await call('submitPrint', input);
    // The upload is over either way: its row shows the job again, not the bytes sent.
    for (const key of printProgress.value.keys()) if (!before.has(key)) setMapEntry(printProgress, key, undefined);
    if (r.ok) {
      putJob(r.value);
      activeKey.value = r.value.key;
      notify('info', t.printSubmitted(docName(r.value)));
    }
    return r;
  }

  async function refreshNow(sourceId?: string): Promise<void> {
    const r = await call('refreshNow', sourceId ? { sourceId } : {});
    const name = sourceId ? (sourceNames.value.get(sourceId) ?? sourceId) : t.sources;
    if (r.ok) notify('info', t.refreshed(name));
    else notify('error', r.error.message);
  }

  async function signIn(sourceId: string): Promise<void> {
    setMapEntry(signingIn, sourceId, true);
    const r = await call('signIn', { sourceId }).finally(() => setMapEntry(signingIn, sourceId, undefined));
    // The sign-in is over either way: what the window said about it (browser, device code) goes.
    if (r.ok || signInProgress.value.get(sourceId)?.stage !== 'failed') setMapEntry(signInProgress, sourceId, undefined);
    if (!r.ok) setMapEntry(signInProgress, sourceId, { sourceId, stage: 'failed', message: r.error.message });
    if (r.ok) {
      applyHealth(r.value);
      notify(r.value.status === 'ok' ? 'info' : 'warning', t.signInDone(r.value.name, r.value.message || t.health[r.value.status]));
    } else notify('error', r.error.message);
  }

  async function signOut(sourceId: string): Promise<void> {
    const r = await call('signOut', { sourceId });
    if (r.ok) {
      applyHealth(r.value);
      notify('info', t.signInDone(r.value.name, r.value.message || t.health[r.value.status]));
    } else notify('error', r.error.message);
  }

  /** Stops an upload that is still sending the document (Universal Print). */
  async function cancelUpload(key: string): Promise<boolean> {
    const r = await call('cancelUpload', { key });
    setMapEntry(printProgress, key, undefined);
    if (!r.ok) {
      notify('error', t.cancelUploadFailed(r.error.message));
      return false;
    }
    putJob(r.value);
    notify('info', t.uploadCanceled(docName(r.value)));
    return true;
  }

  async function pause(minutes: number | null): Promise<void> {
    const r = await call('pauseMonitoring', { minutes });
    if (r.ok) {
      paused.value = r.value;
      notify('info', t.monitoringPaused);
    } else notify('error', r.error.message);
  }

  async function resume(): Promise<void> {
    const r = await call('resumeMonitoring', {});
    if (r.ok) {
      paused.value = null;
      notify('info', t.monitoringResumed);
    } else notify('error', r.error.message);
  }

  function dispose(): void {
    for (const u of unsubs.splice(0)) u();
    if (uiSaveTimer) clearTimeout(uiSaveTimer);
  }

  return {
    bridge,
    call,
    jobs,
    jobsVersion,
    allJobs,
    jobCount,
    sources,
    sourceNames,
    paused,
    status,
    partial,
    loadError,
    settingsView,
    ui,
    filtersRestored,
    visible,
    printers,
    printerList,
    selection,
    activeKey,
    detailKey,
    pending,
    rowErrors,
    notices,
    printProgress,
    panel,
    confirm,
    abortKey,
    connection,
    start,
    loadSnapshot,
    loadSettings,
    saveSettings,
    updateUi,
    flushUi,
    applyPatches,
    applyHealth,
    openDetails,
    notify,
    dismissNotice,
    dismissAllNotices,
    holdNotices,
    cancelJob,
    cancelJobs,
    abortJob,
    retryJob,
    holdJob,
    dismissJob,
    saveJobOutput,
    trackJob,
    submitPrint,
    refreshNow,
    signIn,
    signingIn,
    signInProgress,
    signOut,
    cancelUpload,
    pause,
    resume,
    dispose,
    isFinal,
  };
}

export type Store = ReturnType<typeof createStore>;
