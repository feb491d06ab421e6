/**
 * The queue window's state, in signals, fed only by the bridge: four parts composed into one
 * store — the queue (queue.ts), what the window asks the app to do (actions.ts), the settings and
 * view choices (settings.ts) and the notices (notices.ts) — plus which panel or dialog is open.
 */
import { effect, signal } from '@preact/signals';
import type { Events, PrintQueueBridge, Snapshot, SettingsView } from '../../../preload/contract/contract';
import type { Result } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { requestSafely, type Call } from './call';
import { createNotices, type Notify } from './notices';
import { createQueue } from './queue';
import { createSettings } from './settings';
import { createActions } from './actions';
import { recordEvents, type EventRecorder } from './early-events';

export { docName } from './queue';
export { NO_FILTERS, isFiltered } from './settings';
export { MAX_VISIBLE_NOTICES, NOTICE_CLOSE_MS, type Notice, type NoticeAction } from './notices';
export type { PendingAction } from './actions';

/** Answers to the first requests, when they were sent before the store existed (see boot.ts). */
export interface FirstAnswers {
  settings?: Promise<Result<SettingsView>>;
  /** The first rows of the queue (getSnapshot `first`), drawn until the whole queue is in. */
  head?: Promise<Result<Snapshot>>;
  snapshot?: Promise<Result<Snapshot>>;
  /** The app's events recorded since before `snapshot` was asked for (boot.ts); recorded from start() on without it. */
  events?: EventRecorder;
}

export type Panel = { kind: 'sources' } | { kind: 'settings'; tab?: SettingsTab; /** The source whose settings open for editing. */ sourceId?: string } | { kind: 'service'; sourceId: string } | { kind: 'track' } | { kind: 'print' };
export type SettingsTab = 'sources' | 'polling' | 'notifications' | 'history' | 'general';
export interface ConfirmRequest {
  title: string;
  body: string;
  /** Lines listed under the body, e.g. jobs left out and why. */
  list?: string[];
  confirmLabel: string;
  /** The safe choice's label ("Keep" when not given). */
  keepLabel?: string;
  onConfirm: () => void | Promise<void>;
  /** Where the focus goes once the dialog closes when what opened it is gone (the row or grid acted on). */
  returnFocus?: () => HTMLElement | null | undefined;
}

export function createStore(bridge: PrintQueueBridge) {
  const call: Call = (name, input) => requestSafely(bridge, name, input);
  const notices = createNotices();
  /** Set while the transport to the app is lost (browser preview): the sentence to show. */
  const connection = signal<string | null>(null);
  /**
   * When the window stopped hearing from the app (the transport was lost), as an ISO time; null
   * while the queue is live. Kept through the reconnect attempts, and cleared only once the queue
   * has been read afresh: until then the rows are the queue as it was at that time.
   */
  const notLiveSince = signal<string | null>(null);
  /** How many times the connection was lost (connectionLost): a reload asked before the last loss is not the queue as it is now. */
  let losses = 0;
  function connectionLost(): void {
    losses++;
    notLiveSince.value ??= new Date().toISOString();
  }
  /**
   * A failure of what the window reads by itself (its settings, the printers): not told while the
   * connection banner already says why nothing can be read, which would repeat it once per request.
   */
  const notifyBackground: Notify = (...notice) => {
    if (connection.value === null) notices.notify(...notice);
  };
  const settings = createSettings({ call, notify: notices.notify, notifyBackground });
  const queue = createQueue({ ui: settings.ui, notify: notices.notify });
  const actions = createActions({ call, queue, notify: notices.notify });
  const panel = signal<Panel | null>(null);
  const confirm = signal<ConfirmRequest | null>(null);
  const abortKey = signal<string | null>(null);
  const unsubs: (() => void)[] = [];

  /**
   * Tells main which jobs the user is looking at (the selected rows and the one open in the
   * details panel) whenever that changes: their sources poll them first.
   */
  function reportSelection(): () => void {
    let sent = '';
    return effect(() => {
      const keys = [...queue.selection.value];
      const open = queue.detailKey.value;
      if (open !== null && !queue.selection.value.has(open)) keys.push(open);
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
    // The app's events until the queue is in are recorded (by boot, before it asked for anything)
    // and handed over once it is: none is lost, none is undone by the answer (early-events.ts).
    const events = first.events ?? recordEvents(bridge);
    unsubs.push(reportSelection());
    // The jobs are put in only once the settings are in: the queue is then filtered and sorted
    // (and drawn) once, under the saved view choices, not first under the defaults.
    const loaded = settings.loadSettings(first.settings);
    settingsLoaded = loaded;
    if (first.head) void loadHead(first.head, loaded);
    const snapshot = first.snapshot ?? call('getSnapshot', {});
    // Boot marked its own snapshot request; any other is marked here.
    if (!first.events || !first.snapshot) events.markAnswer(snapshot);
    await loadSnapshot(snapshot, loaded);
    unsubs.push(
      ...events.handOver({
        'jobs:patch': (p: Events['jobs:patch']) => queue.applyPatches(p.patches),
        'source:health': queue.applyHealth,
        'monitoring:paused': (p) => (queue.paused.value = p),
        'app:navigate': ({ key }) => queue.openDetails(key),
        'signin:progress': actions.onSignInProgress,
        'app:notice': ({ level, message }) => notices.notify(level, message),
        'print:progress': actions.onPrintProgress,
        'printers:changed': ({ printers: list }) => (queue.printerList.value = list),
      }),
    );
    // Listening, with the queue in: main may now send what it held for the window (the job a link
    // that started the app names), which would otherwise reach a page without a listener or jobs.
    void call('windowReady', {});
    // The printers are not needed for the first frame; asked for once the queue is in.
    void loadPrinters();
  }

  /** The settings' loading at start (start()), which the first rows wait for. */
  let settingsLoaded: Promise<boolean> = Promise.resolve(true);

  /**
   * Asks for the queue's first `count` rows now and puts them in as boot's would be: for a page that
   * came with its first frame (boot.ts), which did not ask for them, when the whole queue is slow.
   */
  function loadFirstRows(count: number): Promise<void> {
    return loadHead(call('getSnapshot', { first: count }), settingsLoaded);
  }

  async function loadHead(answer: Promise<Result<Snapshot>>, settingsIn: Promise<boolean>): Promise<void> {
    const [r, haveSettings] = await Promise.all([answer, settingsIn]);
    // A failure is not shown: the whole queue is asked for next and says what is wrong. Without
    // the settings the window's view choices are not those the first rows were picked under, so
    // the whole queue is waited for then too. Once the whole queue (or its failure) is in, the
    // window is no longer loading and the first rows are of no use.
    if (!r.ok || !haveSettings || queue.status.value !== 'loading') return;
    queue.putSnapshot(r.value, settings.ui.value);
  }

  /** Loads the jobs; `after` (the settings' loading at start) is awaited before they are put in. */
  async function loadSnapshot(answer?: Promise<Result<Snapshot>>, after?: Promise<unknown>): Promise<void> {
    // A reload after a reconnect keeps the last rows on screen until the fresh ones arrive.
    if (queue.status.value !== 'ready') queue.status.value = 'loading';
    const lossesBefore = losses;
    const [r] = await Promise.all([answer ?? call('getSnapshot', {}), after]);
    if (!r.ok) queue.failLoad(r.error);
    else {
      queue.putSnapshot(r.value, null);
      // Live again only if the connection held while this answer came: after a loss meanwhile the
      // next reconnect reads the queue again.
      if (losses === lossesBefore) notLiveSince.value = null;
    }
  }

  async function loadPrinters(): Promise<void> {
    const r = await call('getPrinters', {});
    if (r.ok) queue.printerList.value = r.value;
    else notifyBackground('warning', t.printersLoadFailed(r.error.message));
  }

  function dispose(): void {
    for (const u of unsubs.splice(0)) u();
    settings.dispose();
  }

  return {
    ...queue,
    ...settings,
    ...notices,
    ...actions,
    panel,
    confirm,
    abortKey,
    connection,
    notLiveSince,
    connectionLost,
    start,
    loadSnapshot,
    loadFirstRows,
    dispose,
    isFinal,
  };
}

export type Store = ReturnType<typeof createStore>;
