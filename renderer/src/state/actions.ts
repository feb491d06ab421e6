/**
 * Everything the window asks the app to do, as named functions: components call these, never the
 * bridge. Every action reports its outcome (a notice, a row error, or the job the service answered
 * with, put into the queue once); nothing fails silently.
 */
import { batch, signal } from '@preact/signals';
import type { PrintRequest, RequestInput, RequestOutput, ServiceActionRequest, SignInProgress } from '../../../preload/contract/contract';
import { MAX_KEYS_PER_REQUEST } from '../../../preload/contract/keys';
import type { AppError, Job, Result } from '../../../preload/contract/model';
import { t } from '../i18n/messages';
import { formatInt } from '../i18n/format';
import type { Call } from './call';
import type { Notify } from './notices';
import { docName, type Queue } from './queue';

/** One job's answer to a cancel of many. */
type CancelAnswer = { key: string; result: Result<Job> };

export type PendingAction = 'cancel' | 'abort' | 'retry' | 'dismiss' | 'hold' | 'release' | 'pause' | 'resume';

function distinct(items: string[]): string[] {
  return [...new Set(items)];
}

function setMapEntry<V>(sig: { value: ReadonlyMap<string, V> }, key: string, v: V | undefined): void {
  const next = new Map(sig.value);
  if (v === undefined) next.delete(key);
  else next.set(key, v);
  sig.value = next;
}

export function createActions(opts: { call: Call; queue: Queue; notify: Notify }) {
  const { call, queue, notify } = opts;
  const { jobs } = queue;
  const pending = signal<ReadonlyMap<string, PendingAction>>(new Map());
  const rowErrors = signal<ReadonlyMap<string, string>>(new Map());
  /** Sign-ins in progress by source id, and where each stands (the browser page, a device code, a failure). */
  const signingIn = signal<ReadonlyMap<string, true>>(new Map());
  const signInProgress = signal<ReadonlyMap<string, SignInProgress>>(new Map());
  const printProgress = signal<ReadonlyMap<string, { sentBytes: number; totalBytes: number }>>(new Map());

  const nameOf = (key: string): string => {
    const job = jobs.get(key);
    return job ? docName(job) : key;
  };

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
    if (r.value) queue.putAnswers([r.value]);
    notify('info', ok(r.value ?? before!));
    return true;
  }

  /** A job's line in a cancel's notice: canceled, or asked to stop while the service still works on it. */
  function cancelOutcome(after: Job): string {
    return after.state === 'canceled' ? t.outcomeCanceled : t.outcomeCancelAsked(t.states[after.state]);
  }

  function cancelJob(key: string): Promise<boolean> {
    const name = nameOf(key);
    return runJobAction(key, 'cancel', () => call('cancelJob', { key }), (j) => (j.state === 'canceled' ? t.canceled(docName(j)) : t.cancelAsked(docName(j), t.states[j.state])), (reason) => t.cancelFailed(name, reason));
  }

  /**
   * Sends the keys in requests of at most MAX_KEYS_PER_REQUEST, one after another, and gathers
   * every job's answer. A request refused as a whole answers its keys, and those of every later
   * request (not sent), with its reason; the answers before it stay. `refused`: that reason, and
   * whether it was the first request (then no job was asked for).
   */
  async function cancelInRequests(keys: string[], send: (part: string[]) => Promise<Result<CancelAnswer[]>>): Promise<{ answers: CancelAnswer[]; refused: { error: AppError; first: boolean } | null }> {
    const answers: CancelAnswer[] = [];
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_REQUEST) {
      const r = await send(keys.slice(i, i + MAX_KEYS_PER_REQUEST));
      if (!r.ok) {
        for (const key of keys.slice(i)) answers.push({ key, result: { ok: false, error: r.error } });
        return { answers, refused: { error: r.error, first: i === 0 } };
      }
      answers.push(...r.value);
    }
    return { answers, refused: null };
  }

  /**
   * Applies the answers of a cancel of many jobs (the jobs into the queue, each refusal as its row's
   * error) and words each job's outcome for the one notice; the counts for its summary.
   */
  function applyCancelAnswers(answers: CancelAnswer[], names: ReadonlyMap<string, string>): { ok: number; asked: number; failures: string[]; lines: string[] } {
    let ok = 0;
    let asked = 0;
    const failures: string[] = [];
    const lines: string[] = [];
    const jobsAfter: Job[] = [];
    batch(() => {
      for (const { key, result } of answers) {
        const name = names.get(key) ?? nameOf(key);
        if (result.ok) {
          if (result.value.state === 'canceled') ok++;
          else asked++;
          jobsAfter.push(result.value);
          setMapEntry(rowErrors, key, undefined);
          lines.push(t.jobOutcome(name, cancelOutcome(result.value)));
        } else {
          failures.push(result.error.message);
          setMapEntry(rowErrors, key, result.error.message);
          lines.push(t.jobOutcome(name, t.outcomeNotCanceled(result.error.message)));
        }
      }
      queue.putAnswers(jobsAfter);
    });
    return { ok, asked, failures, lines };
  }

  function setPending(keys: string[], on: boolean): void {
    batch(() => {
      for (const k of keys) setMapEntry(pending, k, on ? 'cancel' : undefined);
    });
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
    const names = new Map(keys.map((k) => [k, nameOf(k)]));
    batch(() => {
      setPending(keys, true);
      for (const k of keys) setMapEntry(rowErrors, k, undefined);
    });
    const { answers, refused } = await cancelInRequests(keys, (part) => call('cancelJobs', { keys: part }));
    setPending(keys, false);
    const outcome = applyCancelAnswers(answers, names);
    // Refused before any job was asked for: the selection stays, to try again.
    if (!refused?.first) queue.selection.value = new Set();
    tellCancelOutcome(outcome, skipped);
  }

  /** The one notice of a cancel of many: each job's outcome (then those left out, with why) under the counts. */
  function tellCancelOutcome(outcome: ReturnType<typeof applyCancelAnswers>, skipped: { job: Job; why: string }[] = []): void {
    const { ok, asked, failures, lines } = outcome;
    for (const s of skipped) lines.push(t.jobOutcome(docName(s.job), t.outcomeSkipped(s.why)));
    const summary = t.bulkOutcome(formatInt(ok), formatInt(asked), formatInt(failures.length), formatInt(skipped.length), distinct(skipped.map((s) => s.why)), distinct(failures));
    notify(failures.length ? (ok + asked ? 'warning' : 'error') : skipped.length ? 'warning' : 'info', summary, lines);
  }

  /**
   * "Cancel all on this printer": cancels the jobs of one printer the user confirmed (`keys`), and
   * no other that came since; one notice names each job's outcome.
   */
  async function cancelPrinterJobs(printer: { key: string; name: string }, keys: string[]): Promise<void> {
    if (!keys.length) return notify('info', t.printerNothingToCancel(printer.name));
    const names = new Map(keys.map((k) => [k, nameOf(k)]));
    setPending(keys, true);
    const { answers, refused } = await cancelInRequests(keys, (part) => call('cancelPrinterJobs', { printerKey: printer.key, keys: part }));
    setPending(keys, false);
    // Refused before any job was asked for: one error naming the printer, and nothing changes.
    if (refused?.first) {
      notify('error', t.printerCancelFailed(printer.name, refused.error.message));
      return;
    }
    // Every key named is answered (cancelPrinterJobs), so there is an outcome for each job confirmed.
    tellCancelOutcome(applyCancelAnswers(answers, names));
  }

  function abortJob(key: string, reason: string): Promise<boolean> {
    const name = nameOf(key);
    return runJobAction(key, 'abort', () => call('abortJob', { key, reason }), (j) => t.aborted(docName(j)), (why) => t.abortFailed(name, why));
  }

  /** Holds a waiting job at the service (IPP Hold-Job) or releases a held one; pauses or resumes one (the Windows spooler). */
  function holdJob(key: string, action: 'hold' | 'release' | 'pause' | 'resume'): Promise<boolean> {
    const name = nameOf(key);
    const request = `${action}Job` as const;
    return runJobAction(key, action, () => call(request, { key }), (j) => t.heldOrReleased(action, docName(j)), (why) => t.holdFailed(action, name, why));
  }

  function retryJob(key: string): Promise<boolean> {
    return runJobAction(key, 'retry', () => call('retryJob', { key }), (j) => t.retried(docName(j)), t.retryFailed);
  }

  async function dismissJob(key: string): Promise<boolean> {
    const name = nameOf(key);
    setMapEntry(pending, key, 'dismiss');
    const r = await call('dismissJob', { key });
    setMapEntry(pending, key, undefined);
    if (!r.ok) {
      setMapEntry(rowErrors, key, r.error.message);
      notify('error', t.dismissFailed(r.error.message));
      return false;
    }
    queue.applyPatches([{ type: 'removed', key }]);
    if (queue.detailKey.value === key) queue.detailKey.value = null;
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
      queue.putAnswers([r.value]);
      queue.openDetails(r.value.key);
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
      queue.putAnswers([r.value]);
      queue.activeKey.value = r.value.key;
      notify('info', t.printSubmitted(docName(r.value)));
    }
    return r;
  }

  /** Stops an upload that is still sending the document (Universal Print). */
  async function cancelUpload(key: string): Promise<boolean> {
    const r = await call('cancelUpload', { key });
    setMapEntry(printProgress, key, undefined);
    if (!r.ok) {
      notify('error', t.cancelUploadFailed(r.error.message));
      return false;
    }
    queue.putAnswers([r.value]);
    notify('info', t.uploadCanceled(docName(r.value)));
    return true;
  }

  /** Asks one source, several (one notice for them all) or, with none named, every source for fresh data. */
  async function refreshNow(which?: string | readonly string[]): Promise<void> {
    const ids = which === undefined ? [undefined] : typeof which === 'string' ? [which] : which;
    const results = await Promise.all(ids.map(async (sourceId) => ({ sourceId, r: await call('refreshNow', sourceId ? { sourceId } : {}) })));
    const asked: string[] = [];
    for (const { sourceId, r } of results) {
      if (r.ok) asked.push(sourceId ? (queue.sourceNames.value.get(sourceId) ?? sourceId) : t.sources);
      else notify('error', r.error.message);
    }
    if (asked.length) notify('info', t.refreshed(asked));
  }

  async function signIn(sourceId: string): Promise<void> {
    setMapEntry(signingIn, sourceId, true);
    const r = await call('signIn', { sourceId }).finally(() => setMapEntry(signingIn, sourceId, undefined));
    // The sign-in is over either way: what the window said about it (browser, device code) goes.
    if (r.ok || signInProgress.value.get(sourceId)?.stage !== 'failed') setMapEntry(signInProgress, sourceId, undefined);
    if (!r.ok) setMapEntry(signInProgress, sourceId, { sourceId, stage: 'failed', message: r.error.message });
    if (r.ok) {
      queue.applyHealth(r.value);
      notify(r.value.status === 'ok' ? 'info' : 'warning', t.signInDone(r.value.name, r.value.message || t.health[r.value.status]));
    } else notify('error', r.error.message);
  }

  async function signOut(sourceId: string): Promise<void> {
    const r = await call('signOut', { sourceId });
    if (r.ok) {
      queue.applyHealth(r.value);
      notify('info', t.signInDone(r.value.name, r.value.message || t.health[r.value.status]));
    } else notify('error', r.error.message);
  }

  /** What main says of a sign-in in progress; a finished one is no longer shown. */
  function onSignInProgress(p: SignInProgress): void {
    setMapEntry(signInProgress, p.sourceId, p.stage === 'done' ? undefined : p);
  }

  function onPrintProgress(p: { key: string; sentBytes: number; totalBytes: number }): void {
    setMapEntry(printProgress, p.key, { sentBytes: p.sentBytes, totalBytes: p.totalBytes });
  }

  async function pause(minutes: number | null): Promise<void> {
    const r = await call('pauseMonitoring', { minutes });
    if (r.ok) {
      queue.paused.value = r.value;
      notify('info', t.monitoringPaused);
    } else notify('error', r.error.message);
  }

  async function resume(): Promise<void> {
    const r = await call('resumeMonitoring', {});
    if (r.ok) {
      queue.paused.value = null;
      notify('info', t.monitoringResumed);
    } else notify('error', r.error.message);
  }

  // ---- requests whose answer a panel shows itself (it reports the outcome where it is asked) ----

  const ask =
    <K extends 'getJobDetails' | 'getServiceInfo' | 'setSecret' | 'clearSecret' | 'testSource' | 'queryHistory' | 'clearHistory' | 'exportHistory' | 'saveDiagnostics' | 'installUpdate' | 'setWindowVisible'>(name: K) =>
    (input: RequestInput<K>): Promise<Result<RequestOutput<K>>> =>
      call(name, input);

  return {
    pending,
    rowErrors,
    signingIn,
    signInProgress,
    printProgress,
    cancelJob,
    cancelJobs,
    cancelPrinterJobs,
    abortJob,
    holdJob,
    retryJob,
    dismissJob,
    saveJobOutput,
    trackJob,
    submitPrint,
    cancelUpload,
    refreshNow,
    signIn,
    signOut,
    onSignInProgress,
    onPrintProgress,
    pause,
    resume,
    /** The detail panel's facts, documents and events (a page of older events with its token). */
    jobDetails: ask('getJobDetails'),
    serviceInfo: ask('getServiceInfo'),
    /** A service panel action; its answer is the service as it is afterwards. */
    serviceAction: (req: ServiceActionRequest) => call('serviceAction', req),
    setSecret: ask('setSecret'),
    clearSecret: ask('clearSecret'),
    testSource: ask('testSource'),
    queryHistory: ask('queryHistory'),
    clearHistory: ask('clearHistory'),
    exportHistory: ask('exportHistory'),
    saveDiagnostics: ask('saveDiagnostics'),
    installUpdate: ask('installUpdate'),
    setWindowVisible: ask('setWindowVisible'),
  };
}

export type Actions = ReturnType<typeof createActions>;
