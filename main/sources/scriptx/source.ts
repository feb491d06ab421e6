/**
 * The ScriptX.Services source: the local print service of MeadCo ScriptX (Windows PC edition, found
 * through the orchestrator or by probing ports) or an On-Premise server (a configured URL).
 *
 * The API lists no jobs, so the source follows job tokens: those of jobs the app prints itself, and
 * those handed in (`pqm track`, the track deep link, a pasted token). Tokens are persisted in the
 * tracked store so the app and the CLI share them and tracking survives a restart.
 *
 * Each active token is polled with its own status endpoint (printHtml or printPdf), never more than
 * twice in any second and never two requests at once; a final token is never asked about again.
 * The service deletes a finished job once anyone has read its final status (often the page that
 * printed it): a 404 for a job last seen printing or completed means it finished; earlier, it is gone.
 *
 * Job statuses never depend on the informational answers (service description, license details):
 * when one cannot be read, the health message says so and the jobs are polled all the same.
 */
import { userInfo } from 'node:os';
import { AppFailure, DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND, makeJobKey, type Job, type ScriptxSourceConfig } from '../../../preload/contract/model';
import type { PrintRequest, ServiceActionRequest, ServiceInfo } from '../../../preload/contract/contract';
import type { TrackedJob } from '../../ports/ports';
import { HttpError } from '../../http/client';
import { PRIORITY_RECENT_MS, RequestBudget, planBudget } from '../../queue/scheduler';
import { SourceError, type JobAction, type JobSource, type PollContext, type PollResult, type PrintFile, type SourceJob, type TrackOptions } from '../../queue/source';
import type { SourceDeps } from '../deps';
import {
  ScriptxClient,
  compareVersion,
  formatVersion,
  meadcoLicenseForm,
  tokenProblem,
  type DeviceBody,
  type JobKind,
  type JobStatusAnswer,
  type License,
  type PrintAnswer,
  type PrintHtmlBody,
  type PrintPdfBody,
  type ScriptxClientOptions,
  type ServiceDescription,
} from './client';
import { discoverService, type Discovered, type DiscoveryOptions } from './discovery';
import { canControl, controlService, execFileRunner, needsAdmin, type CommandRunner } from './service-control';
import { CANCELLABLE_CODES, PDF_CANCEL_REASON, PRINTING_CODES, PRINT_ANSWER, TOO_LATE_REASON, rawStateOf, toJobStatus } from './states';

export interface ScriptxSourceOptions {
  /** Orchestrator URL, probe host and ports, timeouts (tests point these at the simulator). */
  discovery?: DiscoveryOptions;
  client?: ScriptxClientOptions;
  /** Runs the configured start/stop/restart commands (execFile by default). */
  runner?: CommandRunner;
  /** process.platform by default. */
  platform?: string;
  /** The environment the commands are resolved in (ComSpec, SystemRoot); process.env by default. */
  env?: Record<string, string | undefined>;
  /** Liveness checks after a start/stop command. */
  livenessAttempts?: number;
  livenessIntervalMs?: number;
  /** Largest file printed (it travels as a data URL). */
  maxFileBytes?: number;
  /** At most this many status requests per job in any `statusWindowMs` (default 2 per 1000 ms). */
  maxStatusPerWindow?: number;
  statusWindowMs?: number;
  /** Status requests run at the same time (different jobs). */
  concurrency?: number;
  /** The signed-in user of this PC, the owner of its jobs (os.userInfo() by default). */
  userName?: string;
}

function thisUser(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

/** The license expiry warning starts this many days before the end date. */
export const LICENSE_WARNING_DAYS = 14;
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;
/** HTML kept in the tracked store for retry; bigger documents are held in memory only. */
const MAX_PERSISTED_HTML = 256 * 1024;
export const LICENSE_PROBLEM = 'the license GUID is missing or not valid for this service';
export const CANCEL_VERSION_MESSAGE = 'cancel needs ScriptX.Services 2.10 or later';
/** A job that answered 404 after it was seen printing or completed: the service read out and deleted it. */
export const FORGOTTEN_REASON = 'finished — no longer reported by the service';
/** A job that answered 404 before it was seen printing. */
export const VANISHED_REASON = 'no longer reported by the service before it was seen printing';
export const CANCEL_REQUESTED_REASON = 'cancel requested — ScriptX.Services was asked to stop the job while it is being prepared';
export const CANCELED_AS_REQUESTED_REASON = 'canceled as requested';
export const CANCEL_TOO_LATE_REASON = 'the cancel request came too late — the job went on to print';
/** How often a fast poll re-reads the tracked list for tokens added by another process. */
const TRACKED_SYNC_MS = 2000;
/** MeadCo's PageOrientation values. */
const ORIENTATION = { portrait: 2, landscape: 1 } as const;
const SERVICE_CLASS: Record<number, string> = { 1: 'Cloud', 2: 'On-Premise', 3: 'Windows PC' };

/** What the app remembers about a job it submitted, to submit it again (no secrets, no file bytes). */
interface Submission {
  request: PrintRequest;
  /** Set for file prints: the file's name and type (the bytes are held in memory for this session). */
  file?: { name: string; contentType: string; size: number };
  /** HTML too big to persist: only in memory. */
  htmlInMemory?: boolean;
}

interface Entry {
  token: string;
  kind: JobKind;
  addedAt: string;
  toFile: boolean;
  submittedByApp: boolean;
  submission: Submission | null;
  document: string | null;
  printer: string | null;
  printAnswer: string | null;
  /** The last status code the service answered. */
  code: number | null;
  /** The code kept in the tracked list (printing or later), see TrackedJob.lastStatus. */
  persistedCode: number | null;
  last: SourceJob | null;
  updatedAt: string | null;
  finished: boolean;
  /** A state learned outside a poll (download, cancel) that the next poll must still report. */
  unreported: boolean;
  /** Cancel was requested while the job was being prepared; polling tells whether it stopped. */
  cancelRequested?: boolean;
  /** Times (ms) of the most recent status requests, oldest first. */
  statusTimes: number[];
  /** When the last status request was sent (ms). */
  askedAt?: number;
  inFlight: boolean;
}

/** Printing or later (not failed): a job that then answers 404 has finished. */
function reachedPrinting(code: number): boolean {
  return PRINTING_CODES.has(code) || code === 6 || code === 100;
}

function errorWords(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof HttpError && err.kind === 'aborted');
}

function safeFileName(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f<>:"/\\|?*]+/g, '_').trim();
  return cleaned.slice(0, 120) || 'output';
}

export function createScriptxSource(config: ScriptxSourceConfig, deps: SourceDeps, opts: ScriptxSourceOptions = {}): JobSource {
  const name = config.name ?? (config.baseUrl ? `ScriptX.Services (${new URL(config.baseUrl).host})` : 'ScriptX.Services on this PC');
  const platform = opts.platform ?? process.platform;
  const runner = opts.runner ?? execFileRunner;
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxPerWindow = opts.maxStatusPerWindow ?? 2;
  const windowMs = opts.statusWindowMs ?? 1000;
  const RATE_SLACK_MS = Math.min(100, windowMs / 10);
  const concurrency = opts.concurrency ?? 8;
  const { clock, logger } = deps;
  const user = opts.userName ?? thisUser();
  const loopback = !config.baseUrl || /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i.test(config.baseUrl);

  const entries = new Map<string, Entry>();
  /** File bytes of jobs submitted in this session, for retry. */
  const heldFiles = new Map<string, PrintFile>();
  const heldHtml = new Map<string, string>();
  let loaded = false;
  let lastSyncAt = 0;
  let found: Discovered | null = null;
  let client: ScriptxClient | null = null;
  let description: ServiceDescription | null = null;
  let describeRefused = false;
  /** The last license details read, and what could not be read, for every poll's health. */
  let lastLicense: License | null = null;
  let infoNotes: string[] = [];
  /** The service asked to wait (429 Retry-After): no status requests before this time. */
  let quietUntil = 0;
  /** Status requests to this service, shared by its jobs. */
  const budget = new RequestBudget();

  const iso = (ms = clock.now()) => new Date(ms).toISOString();
  const license = () => deps.secrets.get(config.id, 'LICENSE');
  const keyOf = (token: string) => makeJobKey(config.id, token);
  /** A guid in the service's words (POST licensing echoes it) never reaches a message. */
  const redactGuids = (text: string) => text.replace(/\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?/g, '(license GUID)');
  const serviceWords = (err: HttpError) => (err.serviceMessage ? redactGuids(err.serviceMessage) : null);

  // -------------------------------------------------------------------------------------------
  // Tracked tokens
  // -------------------------------------------------------------------------------------------

  function entryFromTracked(t: TrackedJob): Entry {
    const sub = (t.submission ?? null) as (Submission & { toFile?: boolean; printAnswer?: string; label?: { title?: unknown; printer?: unknown } }) | null;
    // What was handed in with a token (Track, pqm track, a deep link): the service cannot tell.
    const label = { title: typeof sub?.label?.title === 'string' ? sub.label.title : null, printer: typeof sub?.label?.printer === 'string' ? sub.label.printer : null };
    return {
      token: t.id,
      kind: t.kind ?? 'html',
      addedAt: t.addedAt,
      toFile: sub?.toFile === true,
      submittedByApp: !!sub?.request,
      submission: sub && sub.request ? { request: sub.request, file: sub.file, htmlInMemory: sub.htmlInMemory } : null,
      document: sub?.request?.title ?? sub?.file?.name ?? (sub?.request?.document.type === 'url' ? sub.request.document.url : null) ?? label.title,
      printer: sub?.request?.printer ?? label.printer,
      printAnswer: typeof sub?.printAnswer === 'string' ? sub.printAnswer : null,
      code: t.lastStatus ?? null,
      persistedCode: t.lastStatus ?? null,
      last: null,
      updatedAt: null,
      finished: !!t.finishedAt,
      unreported: false,
      statusTimes: [],
      inFlight: false,
    };
  }

  /** Merges the persisted list (the CLI may have added tokens since). */
  async function syncTracked(): Promise<void> {
    let list: TrackedJob[];
    try {
      list = await deps.tracked.list(config.id);
    } catch (err) {
      if (!loaded) throw new SourceError('degraded', `The list of tracked ScriptX jobs could not be read: ${errorWords(err)}`, { cause: err });
      logger.warn('Could not re-read the tracked ScriptX jobs', { sourceId: config.id, error: errorWords(err) });
      return;
    }
    for (const t of list) {
      if (t.sourceId !== config.id || entries.has(t.id) || tokenProblem(t.id)) continue;
      entries.set(t.id, entryFromTracked(t));
    }
    loaded = true;
  }

  async function markFinished(e: Entry): Promise<void> {
    e.finished = true;
    try {
      await deps.tracked.update(config.id, e.token, { finishedAt: iso() });
    } catch (err) {
      logger.warn('Could not record a tracked ScriptX job as finished', { sourceId: config.id, error: errorWords(err) });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Connection
  // -------------------------------------------------------------------------------------------

  function downError(err: unknown, where: string): SourceError {
    const net = err instanceof HttpError ? /could not be reached \((.+)\)$/.exec(err.message)?.[1] : undefined;
    const how = err instanceof HttpError && err.kind === 'timeout' ? 'it did not answer in time' : (net ?? 'nothing answered');
    const fix = config.baseUrl ? 'Check that the server is running and the address in Settings.' : 'Start ScriptX.Services on this PC.';
    return new SourceError('down', `ScriptX.Services at ${where} could not be reached (${how}). ${fix}`, { cause: err, detail: found ? { baseUrl: found.baseUrl, foundBy: found.foundBy } : undefined });
  }

  function authError(err: HttpError): SourceError {
    const said = serviceWords(err);
    return new SourceError('auth-required', `ScriptX.Services refused the request${said ? ` ("${said}")` : ''}: ${LICENSE_PROBLEM}. Enter the license GUID for "${name}" in Settings.`, { cause: err });
  }

  async function connect(signal: AbortSignal): Promise<ScriptxClient> {
    if (client && found) return client;
    found = await discoverService(config, deps.http, signal, opts.discovery);
    client = new ScriptxClient(deps.http, found.baseUrl, license, opts.client);
    description = null;
    describeRefused = false;
    logger.info('ScriptX.Services found', { sourceId: config.id, baseUrl: found.baseUrl, foundBy: found.foundBy });
    return client;
  }

  /** Forget where the service was: a discovered one may come back on another port. */
  function lost(): void {
    if (!config.baseUrl) {
      found = null;
      client = null;
    }
    description = null;
  }

  /** The service description, read once per connection; tolerates the 401 of older builds. */
  async function describe(c: ScriptxClient, signal: AbortSignal): Promise<ServiceDescription | null> {
    if (description || describeRefused) return description;
    try {
      description = await c.describe(signal);
    } catch (err) {
      if (err instanceof HttpError && err.kind === 'http' && err.status === 401) describeRefused = true;
      else throw err;
    }
    return description;
  }

  /** The description when it can be read; an action never fails for the lack of it. */
  async function describeOrNull(c: ScriptxClient, signal: AbortSignal): Promise<ServiceDescription | null> {
    try {
      return await describe(c, signal);
    } catch (err) {
      if (isAbort(err, signal) || (err instanceof HttpError && (err.kind === 'unreachable' || err.kind === 'timeout'))) throw err;
      logger.debug('The ScriptX service description could not be read', { sourceId: config.id, error: errorWords(err) });
      return null;
    }
  }

  /** Turns a failure of a whole-service call into the SourceError the engine understands. */
  function sourceFailure(err: unknown): SourceError {
    if (err instanceof SourceError) return err;
    if (err instanceof HttpError) {
      if (err.kind === 'unreachable' || err.kind === 'timeout') {
        const where = found?.baseUrl ?? config.baseUrl ?? 'this PC';
        lost();
        return downError(err, where);
      }
      if (err.kind === 'http' && err.status === 401) return authError(err);
      if (err.kind === 'http' && err.status === 429) {
        return new SourceError('degraded', `ScriptX.Services is busy and asked to wait${err.retryAfterMs !== null ? ` ${Math.ceil(err.retryAfterMs / 1000)} s` : ''}.`, { retryAfterMs: err.retryAfterMs, cause: err });
      }
      if (err.kind === 'http') {
        const said = serviceWords(err);
        return new SourceError('degraded', `ScriptX.Services answered ${err.status}${said ? `: "${said}"` : ''}.`, { retryAfterMs: err.retryAfterMs, cause: err });
      }
      if (err.kind === 'malformed' || err.kind === 'too-large') return new SourceError('degraded', `ScriptX.Services sent an answer the monitor cannot read: ${err.message}.`, { cause: err });
    }
    return new SourceError('degraded', `Reading ScriptX.Services failed: ${errorWords(err)}`, { cause: err });
  }

  /** An AppFailure for an action (print, cancel, license, printers) that failed. */
  function actionFailure(err: unknown, what: string): AppFailure {
    if (err instanceof AppFailure) return err;
    if (err instanceof SourceError) return new AppFailure(err.status === 'auth-required' ? 'auth-required' : 'unreachable', err.message, { sourceId: config.id, cause: err });
    if (err instanceof HttpError) {
      const said = serviceWords(err);
      if (err.kind === 'unreachable' || err.kind === 'timeout') {
        const where = found?.baseUrl ?? config.baseUrl ?? 'this PC';
        lost();
        return new AppFailure('unreachable', `${what} failed: ScriptX.Services at ${where} could not be reached.`, { sourceId: config.id, cause: err });
      }
      if (err.kind === 'http' && err.status === 401) return new AppFailure('auth-required', `${what} failed: ${LICENSE_PROBLEM}.`, { sourceId: config.id, cause: err });
      if (err.kind === 'http' && err.status === 429) return new AppFailure('conflict', `${what} failed: ScriptX.Services is busy; try again${err.retryAfterMs !== null ? ` in ${Math.ceil(err.retryAfterMs / 1000)} s` : ' shortly'}.`, { sourceId: config.id, cause: err });
      if (err.kind === 'http' && err.status !== null && err.status >= 400 && err.status < 500) {
        return new AppFailure('invalid-input', `${what} failed: ScriptX.Services answered ${err.status}${said ? `: "${said}"` : ''}.`, { sourceId: config.id, cause: err });
      }
      if (err.kind === 'http') return new AppFailure('internal', `${what} failed: ScriptX.Services answered ${err.status}${said ? `: "${said}"` : ''}.`, { sourceId: config.id, cause: err });
      if (err.kind === 'malformed' || err.kind === 'too-large') return new AppFailure('internal', `${what} failed: ScriptX.Services sent an answer the monitor cannot read (${err.message}).`, { sourceId: config.id, cause: err });
      if (err.kind === 'aborted') return new AppFailure('internal', `${what} was cancelled.`, { sourceId: config.id, cause: err });
    }
    return new AppFailure('internal', `${what} failed: ${errorWords(err)}`, { sourceId: config.id, cause: err });
  }

  // -------------------------------------------------------------------------------------------
  // Jobs
  // -------------------------------------------------------------------------------------------

  function toSourceJob(e: Entry, answer: { status: number; message?: string | null }): SourceJob {
    const st = toJobStatus(answer.status, answer.message, { toFile: e.toFile, kind: e.kind });
    if (e.code !== answer.status || !e.updatedAt) e.updatedAt = iso();
    e.code = answer.status;
    let reason: string | null = null;
    if (e.cancelRequested) {
      if (st.state === 'canceled') reason = CANCELED_AS_REQUESTED_REASON;
      else if (CANCELLABLE_CODES.has(answer.status)) {
        reason = CANCEL_REQUESTED_REASON;
        st.cancel = { allowed: false, reason: 'cancel has already been requested' };
      } else reason = CANCEL_TOO_LATE_REASON;
    }
    const job: SourceJob = {
      key: keyOf(e.token),
      sourceId: config.id,
      sourceKind: 'scriptx',
      nativeId: e.token,
      state: st.state,
      rawState: st.rawState,
      detail: reason && st.state !== 'canceled' ? `${reason[0].toUpperCase()}${reason.slice(1)}.` : st.detail,
      reason: reason ?? st.reason,
      document: e.document,
      // A loopback service prints for this PC only; an On-Premise server serves many.
      owner: e.submittedByApp || loopback ? user : null,
      printer: e.printer,
      mine: e.submittedByApp || loopback,
      createdAt: e.addedAt,
      updatedAt: e.updatedAt,
      progress: st.state === 'completed' ? 1 : null,
      cancel: st.cancel,
      extra: {
        kind: e.kind,
        statusCode: answer.status,
        toFile: e.toFile,
        outputReady: st.outputReady,
        submittedByApp: e.submittedByApp,
        ...(e.printAnswer ? { printAnswer: e.printAnswer } : {}),
        ...(e.cancelRequested ? { cancelRequested: true } : {}),
        ...(e.submittedByApp && (st.state === 'failed' || st.state === 'canceled') ? { retryable: true } : {}),
      },
    };
    e.last = job;
    return job;
  }

  /**
   * A job that answered 404: last seen printing or completed, it finished and the service deleted
   * it after someone read its final status; otherwise it vanished earlier (reported gone as well).
   */
  function forgottenJob(e: Entry): { job: SourceJob; finished: boolean } {
    const finished = e.code !== null && reachedPrinting(e.code);
    const at = iso();
    e.updatedAt = at;
    const reason = finished ? FORGOTTEN_REASON : VANISHED_REASON;
    const base = e.last ?? toSourceJob(e, { status: e.code ?? 0 });
    const job: SourceJob = {
      ...base,
      ...(finished ? { state: 'completed' as const, progress: 1 } : {}),
      rawState: `${base.rawState}, then no longer reported`,
      detail: `${reason[0].toUpperCase()}${reason.slice(1)}.`,
      reason,
      updatedAt: at,
      cancel: { allowed: false, reason: finished ? 'the job has already finished' : 'ScriptX.Services no longer reports this job' },
      extra: { ...base.extra, forgotten: true },
    };
    e.last = job;
    return { job, finished };
  }

  /**
   * Whether a job may be asked about in the poll starting at `now`. Requests go out a little after
   * the poll starts, so a job whose window frees up within RATE_SLACK_MS is still taken (its
   * request then waits for the window, see askStatus) rather than skipped for a whole cycle.
   */
  function mayAsk(e: Entry, now: number): boolean {
    if (e.inFlight) return false;
    e.statusTimes = e.statusTimes.filter((t) => now - t < windowMs);
    return e.statusTimes.filter((t) => now + RATE_SLACK_MS - t < windowMs).length < maxPerWindow;
  }

  /** Waits until one more status request for `e` keeps it within the rate (at most RATE_SLACK_MS). */
  async function waitForRate(e: Entry, signal: AbortSignal): Promise<void> {
    const recent = e.statusTimes.filter((t) => clock.now() - t < windowMs);
    if (recent.length < maxPerWindow) return;
    const wait = Math.min(...recent) + windowMs - clock.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, wait);
      const onAbort = () => {
        clock.clearTimeout(timer);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One status request for a token, counted against its rate. */
  async function askStatus(c: ScriptxClient, e: Entry, signal: AbortSignal): Promise<JobStatusAnswer> {
    e.inFlight = true;
    try {
      await waitForRate(e, signal);
      if (signal.aborted) throw new HttpError('aborted', 'The poll was cancelled', { target: 'status' });
      e.statusTimes.push(clock.now());
      e.askedAt = clock.now();
      return await c.status(e.kind, e.token, signal);
    } finally {
      e.inFlight = false;
    }
  }

  async function applyAnswer(e: Entry, answer: JobStatusAnswer): Promise<SourceJob> {
    const job = toSourceJob(e, answer);
    if (reachedPrinting(answer.status) && e.persistedCode !== answer.status) {
      e.persistedCode = answer.status;
      try {
        await deps.tracked.update(config.id, e.token, { lastStatus: answer.status });
      } catch (err) {
        logger.warn('Could not record the status of a tracked ScriptX job', { sourceId: config.id, error: errorWords(err) });
      }
    }
    const st = toJobStatus(answer.status, answer.message, { toFile: e.toFile });
    if (st.final && !e.finished) await markFinished(e);
    return job;
  }

  /**
   * The jobs this poll asks about within the service's request budget (settings
   * `polling.scriptx.maxRequestsPerSecond`): the jobs the user is looking at and those handed in
   * within PRIORITY_RECENT_MS first, the others sharing what is left (see planBudget).
   */
  function withinBudget(askable: Entry[], ctx: PollContext, now: number): Entry[] {
    const activeMs = ctx.interval?.activeMs ?? 500;
    const allowance = budget.available(now, ctx.interval?.maxRequestsPerSecond ?? DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND, activeMs);
    const byKey = new Map(askable.map((e) => [keyOf(e.token), e]));
    const looking = ctx.priorityKeys ?? new Set<string>();
    const plan = planBudget(
      askable.map((e) => {
        const key = keyOf(e.token);
        const addedAt = Date.parse(e.addedAt);
        const changedAt = e.updatedAt ? Date.parse(e.updatedAt) : now;
        return {
          key,
          // The jobs the user is looking at come before the newest ones handed in.
          priority: looking.has(key) || now - addedAt < PRIORITY_RECENT_MS,
          addedAt: looking.has(key) ? Number.MAX_SAFE_INTEGER : Number.isFinite(addedAt) ? addedAt : 0,
          lastAskedAt: e.askedAt ?? null,
          changedAt: Number.isFinite(changedAt) ? changedAt : now,
        };
      }),
      now,
      { allowance, activeMs },
    );
    budget.spend(plan.length);
    return plan.map((k) => byKey.get(k)!);
  }

  async function poll(ctx: PollContext): Promise<PollResult> {
    const { signal } = ctx;
    // The persisted list is re-read now and then (the CLI may add tokens), not on every fast cycle.
    if (!loaded || ctx.mode === 'full' || clock.now() - lastSyncAt >= TRACKED_SYNC_MS) {
      lastSyncAt = clock.now();
      await syncTracked();
    }
    let c: ScriptxClient;
    try {
      c = await connect(signal);
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      throw sourceFailure(err);
    }


    const jobs: SourceJob[] = [];
    const gone: string[] = [];
    const problems: string[] = [];
    /** Jobs whose status request failed in this poll: last values kept, marked stale. */
    const failedKeys: string[] = [];
    let answered = 0;
    let retryAfterMs: number | undefined;
    let fatal: SourceError | null = null;
    const now = clock.now();

    for (const e of entries.values()) {
      if (e.unreported && e.last) {
        jobs.push(e.last);
        e.unreported = false;
      }
    }

    const askable = [...entries.values()].filter((e) => {
      if (e.finished) return false;
      // A job waiting for its output to be collected, or in an unknown state, goes at the idle rate.
      const slow = e.last !== null && (e.last.state === 'paused' || e.last.state === 'unknown');
      if (slow && ctx.mode === 'active') return false;
      return mayAsk(e, now);
    });
    const due = ctx.oneShot ? askable : withinBudget(askable, ctx, now);

    if (now >= quietUntil) {
      let next = 0;
      const worker = async () => {
        while (next < due.length && !fatal && !signal.aborted) {
          const e = due[next++];
          try {
            jobs.push(await applyAnswer(e, await askStatus(c, e, signal)));
            answered++;
          } catch (err) {
            if (isAbort(err, signal)) return;
            if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
              const { job, finished } = forgottenJob(e);
              jobs.push(job);
              if (!finished) gone.push(keyOf(e.token));
              answered++;
              await markFinished(e);
              continue;
            }
            if (err instanceof HttpError && (err.kind === 'unreachable' || err.kind === 'timeout' || (err.kind === 'http' && err.status === 401))) {
              fatal ??= sourceFailure(err);
              continue;
            }
            if (err instanceof HttpError && err.retryAfterMs !== null) {
              retryAfterMs = Math.max(retryAfterMs ?? 0, err.retryAfterMs);
              quietUntil = Math.max(quietUntil, clock.now() + err.retryAfterMs);
            }
            problems.push(describeJobProblem(e, err));
            failedKeys.push(keyOf(e.token));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, worker));
    } else {
      retryAfterMs = quietUntil - now;
    }
    if (signal.aborted) throw new HttpError('aborted', 'The poll was cancelled', { target: 'poll' });
    if (fatal) throw fatal;
    // Informational, read after the statuses (a poll whose every status failed fails without them):
    // a failure here is named in the health, never a reason to leave jobs unpolled (only an
    // unreachable service or a refused license stops the poll).
    const allStatusesFailed = failedKeys.length > 0 && answered === 0 && gone.length === 0;
    if (ctx.mode === 'full' && !allStatusesFailed && retryAfterMs === undefined) {
      const notes: string[] = [];
      const read = async (what: string, f: () => Promise<unknown>): Promise<void> => {
        try {
          await f();
        } catch (err) {
          if (isAbort(err, signal)) throw err;
          if (err instanceof HttpError && (err.kind === 'unreachable' || (err.kind === 'http' && err.status === 401))) throw sourceFailure(err);
          notes.push(`${what} could not be read (${sourceFailure(err).message.replace(/\.$/, '')}); job statuses are still followed.`);
        }
      };
      await read('The service description (GET /api/)', () => describe(c, signal));
      await read('The license details', async () => {
        lastLicense = await c.licensing(signal);
      });
      if (notes.length === 2 && [...entries.values()].every((e) => e.finished)) {
        // Nothing answers and there is no job to follow: the service is failing as a whole.
        infoNotes = notes;
        throw new SourceError('degraded', notes.join(' '), { detail: { baseUrl: found?.baseUrl ?? null } });
      }
      infoNotes = notes;
    }
    const licenseInfo = lastLicense;

    const detail: Record<string, unknown> = { baseUrl: found?.baseUrl ?? null, foundBy: found?.foundBy ?? null };
    const version = formatVersion(description?.serviceVersion);
    if (version) detail.version = version;
    let message = `ScriptX.Services${version ? ` ${version}` : ''} found by ${found?.foundBy ?? 'configured URL'} at ${found?.baseUrl}.`;
    if (licenseInfo) {
      const days = expiresInDays(licenseInfo.to);
      if (days !== null) detail.licenseExpiresInDays = days;
      // The service decides whether it prints with an expired license: the monitor warns and goes on.
      const whose = `The ScriptX license${licenseInfo.company ? ` of ${licenseInfo.company}` : ''}`;
      if (days !== null && days < 0) message += ` ${whose} expired on ${licenseInfo.to?.slice(0, 10)}; jobs are still followed.`;
      else if (days === 0) message += ` ${whose} expires today (${licenseInfo.to?.slice(0, 10)}).`;
      else if (days !== null && days <= LICENSE_WARNING_DAYS) message += ` ${whose} expires in ${days} day${days === 1 ? '' : 's'} (${licenseInfo.to?.slice(0, 10)}).`;
    }
    if (infoNotes.length > 0 && problems.length === 0 && retryAfterMs === undefined) {
      detail.problems = infoNotes;
      return { jobs, complete: false, gone, health: { status: 'degraded', message: `${message} ${infoNotes.join(' ')}`, detail } };
    }
    if (problems.length > 0) {
      detail.problems = problems;
      const summary = problems.length === 1 ? problems[0] : `${problems[0]} (and ${problems.length - 1} more)`;
      // Every status request of this poll failed while the service answers otherwise: a failed
      // poll, so the engine backs off (and obeys Retry-After) instead of asking again at once.
      if (failedKeys.length > 0 && answered === 0 && gone.length === 0) {
        throw new SourceError('degraded', summary, { retryAfterMs: retryAfterMs ?? null, detail });
      }
      return {
        ...(failedKeys.length > 0 ? { stale: failedKeys } : {}),
        jobs,
        complete: false,
        gone,
        health: { status: 'degraded', message: summary, detail },
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (retryAfterMs !== undefined) {
      return { jobs, complete: false, gone, health: { status: 'degraded', message: `ScriptX.Services asked to wait ${Math.ceil(retryAfterMs / 1000)} s before the next status request.`, detail }, retryAfterMs };
    }
    return { jobs, complete: false, gone, health: { status: 'ok', message, detail } };
  }

  function describeJobProblem(e: Entry, err: unknown): string {
    const job = `job ${e.token}`;
    if (err instanceof HttpError) {
      const said = serviceWords(err);
      if (err.kind === 'http' && err.status === 429) return `ScriptX.Services is busy (429) and asked to wait${err.retryAfterMs !== null ? ` ${Math.ceil(err.retryAfterMs / 1000)} s` : ''} before asking about ${job} again.`;
      if (err.kind === 'http') return `ScriptX.Services answered ${err.status} for the status of ${job}${said ? `: "${said}"` : ''}.`;
      if (err.kind === 'malformed' || err.kind === 'too-large') return `ScriptX.Services sent a status for ${job} that the monitor cannot read (${err.message}).`;
    }
    return `Reading the status of ${job} failed: ${errorWords(err)}`;
  }

  function expiresInDays(to: string | null | undefined): number | null {
    if (!to) return null;
    const at = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(to) ? to : `${to}Z`);
    if (Number.isNaN(at)) return null;
    return Math.floor((at - clock.now()) / 86_400_000);
  }

  // -------------------------------------------------------------------------------------------
  // Tracking
  // -------------------------------------------------------------------------------------------

  async function track(id: string, trackOpts: TrackOptions, signal: AbortSignal): Promise<SourceJob> {
    const problem = tokenProblem(id);
    if (problem) throw new AppFailure('invalid-input', `This is not a ScriptX job id: ${problem}.`, { field: 'id', sourceId: config.id });
    await syncTracked().catch(() => undefined);
    const existing = entries.get(id);
    if (existing?.last && (existing.finished || !trackOpts.kind || trackOpts.kind === existing.kind)) return existing.last;

    let c: ScriptxClient;
    try {
      c = await connect(signal);
    } catch (err) {
      throw actionFailure(err, `Tracking job ${id}`);
    }
    const kinds: JobKind[] = trackOpts.kind ? [trackOpts.kind] : ['html', 'pdf'];
    const label = trackOpts.title || trackOpts.printer ? { ...(trackOpts.title ? { title: trackOpts.title } : {}), ...(trackOpts.printer ? { printer: trackOpts.printer } : {}) } : null;
    const e: Entry = existing ?? entryFromTracked({ sourceId: config.id, id, addedAt: iso(), ...(label ? { submission: { label } } : {}) });
    // A job the app printed keeps its own title and printer; one handed in takes what it is given.
    if (existing && !existing.submittedByApp && label) {
      existing.document = label.title ?? existing.document;
      existing.printer = label.printer ?? existing.printer;
    }
    e.finished = false;
    let lastErr: unknown = null;
    for (const kind of kinds) {
      e.kind = kind;
      try {
        const answer = await askStatus(c, e, signal);
        entries.set(id, e);
        const known = e.document || e.printer ? { label: { ...(e.document ? { title: e.document } : {}), ...(e.printer ? { printer: e.printer } : {}) } } : null;
        await deps.tracked.add({ sourceId: config.id, id, kind, addedAt: e.addedAt, ...(e.submission ? { submission: persistedSubmission(e) } : known ? { submission: known } : {}) });
        return await applyAnswer(e, answer);
      } catch (err) {
        lastErr = err;
        if (err instanceof HttpError && err.kind === 'http' && err.status === 404) continue;
        throw actionFailure(err, `Tracking job ${id}`);
      }
    }
    if (lastErr instanceof HttpError && lastErr.status === 404) {
      throw new AppFailure('not-found', `ScriptX.Services at ${found?.baseUrl} does not know the job "${id}" (it may have finished and been removed already).`, { field: 'id', sourceId: config.id });
    }
    throw actionFailure(lastErr, `Tracking job ${id}`);
  }

  async function untrack(job: Job): Promise<void> {
    entries.delete(job.nativeId);
    heldFiles.delete(job.nativeId);
    heldHtml.delete(job.nativeId);
    await deps.tracked.remove(config.id, job.nativeId);
  }

  function persistedSubmission(e: Entry): Record<string, unknown> {
    return { ...(e.submission ?? {}), toFile: e.toFile, ...(e.printAnswer ? { printAnswer: e.printAnswer } : {}) };
  }

  // -------------------------------------------------------------------------------------------
  // Cancel
  // -------------------------------------------------------------------------------------------

  async function act(job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
    if (action.type !== 'cancel') throw new AppFailure('unsupported', 'ScriptX.Services jobs can be cancelled, not aborted.', { sourceId: config.id });
    const code = typeof job.extra.statusCode === 'number' ? job.extra.statusCode : null;
    if (job.gone || job.state === 'completed' || job.state === 'failed' || job.state === 'canceled') {
      throw new AppFailure('conflict', `This job has already finished (${job.rawState}); there is nothing to cancel.`, { sourceId: config.id });
    }
    if (code === 5 || code === 8) throw new AppFailure('too-late', `The job cannot be cancelled: ${TOO_LATE_REASON}.`, { sourceId: config.id });
    if (job.extra.kind === 'pdf' || entries.get(job.nativeId)?.kind === 'pdf') throw new AppFailure('unsupported', `The job cannot be cancelled: ${PDF_CANCEL_REASON}.`, { sourceId: config.id });
    let c: ScriptxClient;
    try {
      c = await connect(signal);
      const d = await describeOrNull(c, signal);
      if (d?.serviceVersion && d.serviceClass !== 2 && compareVersion(d.serviceVersion, '2.10') < 0) {
        throw new AppFailure('unsupported', `The job cannot be cancelled: ${CANCEL_VERSION_MESSAGE} (this is ${formatVersion(d.serviceVersion)}).`, { sourceId: config.id });
      }
    } catch (err) {
      throw actionFailure(err, 'Cancelling the job');
    }
    const e = entries.get(job.nativeId) ?? entryFromTracked({ sourceId: config.id, id: job.nativeId, kind: job.extra.kind === 'pdf' ? 'pdf' : 'html', addedAt: job.createdAt ?? iso() });
    entries.set(e.token, e);
    let answer: JobStatusAnswer;
    try {
      answer = await c.cancel(e.token, signal);
    } catch (err) {
      if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
        if (err.serviceMessage && /job not found/i.test(err.serviceMessage)) {
          await markFinished(e);
          throw new AppFailure('not-found', 'ScriptX.Services no longer knows this job; it has finished and been removed.', { sourceId: config.id });
        }
        throw new AppFailure('unsupported', `The job cannot be cancelled: ${CANCEL_VERSION_MESSAGE}.`, { sourceId: config.id });
      }
      throw actionFailure(err, 'Cancelling the job');
    }
    if (answer.status === 5 || answer.status === 8) {
      toSourceJob(e, answer);
      e.unreported = true;
      throw new AppFailure('too-late', `The job cannot be cancelled: ${TOO_LATE_REASON}.`, { sourceId: config.id });
    }
    if (CANCELLABLE_CODES.has(answer.status)) {
      // Being prepared: the service was asked to stop it (seed 003). Polling follows the job to -2
      // Abandoned or to a later state, and the job says which happened.
      e.cancelRequested = true;
      if (e.finished) e.finished = false;
      return applyAnswer(e, answer);
    }
    if (answer.status === -2) e.cancelRequested = true;
    const after = await applyAnswer(e, answer);
    if (after.state !== 'canceled') {
      const said = answer.message ? `: "${answer.message}"` : '';
      e.unreported = true;
      throw new AppFailure('conflict', `ScriptX.Services did not cancel the job; it answered ${rawStateOf(answer.status)}${said}.`, { sourceId: config.id });
    }
    return after;
  }

  // -------------------------------------------------------------------------------------------
  // Printing
  // -------------------------------------------------------------------------------------------

  function deviceOf(req: PrintRequest): DeviceBody | undefined {
    const d: DeviceBody = {};
    if (req.printer) d.printerName = req.printer;
    if (req.copies !== undefined) d.copies = req.copies;
    if (req.paperSize) d.paperSizeName = req.paperSize;
    if (req.printToFileName) d.printToFileName = req.printToFileName;
    return Object.keys(d).length ? d : undefined;
  }

  function fileKind(file: PrintFile): 'pdf' | 'html' | null {
    const type = file.contentType.toLowerCase().split(';')[0].trim();
    const ext = file.name.toLowerCase().split('.').pop() ?? '';
    if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
    if (type === 'text/html' || type === 'application/xhtml+xml' || ext === 'html' || ext === 'htm' || ext === 'xhtml') return 'html';
    return null;
  }

  function sizeWords(n: number): string {
    return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
  }

  async function submit(req: PrintRequest, file: PrintFile | null, html: string | null, signal: AbortSignal): Promise<SourceJob> {
    if (req.sourceId !== config.id) throw new AppFailure('invalid-input', `This print request is for source "${req.sourceId}", not "${config.id}".`, { field: 'sourceId' });
    const device = deviceOf(req);
    let kind: JobKind;
    let body: PrintHtmlBody | PrintPdfBody;
    let document: string | null = req.title ?? null;
    if (req.document.type === 'url') {
      kind = 'html';
      body = { ContentType: 1, Content: req.document.url };
      document ??= req.document.url;
    } else if (req.document.type === 'html') {
      kind = 'html';
      body = { ContentType: 2, Content: req.document.html };
      document ??= 'HTML document';
    } else {
      if (!file) throw new AppFailure('invalid-input', 'No file was given to print.', { field: 'document' });
      if (file.bytes.byteLength === 0) throw new AppFailure('invalid-input', `The file "${file.name}" is empty; there is nothing to print.`, { field: 'document' });
      if (file.bytes.byteLength > maxFileBytes) {
        throw new AppFailure('invalid-input', `The file "${file.name}" is ${sizeWords(file.bytes.byteLength)}; ScriptX.Services can be sent files up to ${sizeWords(maxFileBytes)}.`, { field: 'document' });
      }
      const fk = fileKind(file);
      if (!fk) throw new AppFailure('unsupported', `ScriptX prints HTML and PDF files; "${file.name}" (${file.contentType || 'unknown type'}) is neither.`, { field: 'document' });
      document ??= file.name;
      if (fk === 'pdf') {
        if (!Buffer.from(file.bytes.subarray(0, 5)).toString('latin1').startsWith('%PDF')) {
          throw new AppFailure('invalid-input', `The file "${file.name}" is not a PDF (it does not start with %PDF).`, { field: 'document' });
        }
        kind = 'pdf';
        body = { Document: `data:application/pdf;base64,${Buffer.from(file.bytes).toString('base64')}` };
      } else {
        kind = 'html';
        body = { ContentType: 2, Content: Buffer.from(file.bytes).toString('utf8') };
      }
    }
    if (kind === 'html') {
      const settings: PrintHtmlBody['Settings'] = {};
      if (req.title) settings.jobTitle = req.title;
      if (req.orientation) settings.page = { orientation: ORIENTATION[req.orientation] };
      if (Object.keys(settings).length) (body as PrintHtmlBody).Settings = settings;
    } else {
      const settings: PrintPdfBody['Settings'] = {};
      if (req.title) settings.jobDescription = req.title;
      if (req.orientation) settings.orientation = ORIENTATION[req.orientation];
      if (Object.keys(settings).length) (body as PrintPdfBody).Settings = settings;
    }
    if (device) body.Device = device;

    let c: ScriptxClient;
    let answer: PrintAnswer;
    try {
      c = await connect(signal);
      answer = kind === 'pdf' ? await c.printPdf(body as PrintPdfBody, signal) : await c.printHtml(body as PrintHtmlBody, signal);
    } catch (err) {
      throw actionFailure(err, 'Printing');
    }

    const answerName = ['Unknown', 'QueuedToDevice', 'QueuedToFile', 'SoftError', 'Ok'][answer.status] ?? `status ${answer.status}`;
    if (answer.status === PRINT_ANSWER.SoftError || answer.status === PRINT_ANSWER.Unknown || answer.status < 0 || answer.status > 4) {
      const said = answer.message?.trim();
      throw new AppFailure('invalid-input', `ScriptX.Services did not print it (${answerName})${said ? `: ${said}` : '.'}`, { sourceId: config.id });
    }
    const token = answer.jobIdentifier ?? '';
    if (answer.status === PRINT_ANSWER.Ok || token === '') {
      // Printed synchronously: there is nothing to follow.
      const at = iso();
      return {
        key: keyOf(`printed-${clock.now()}`),
        sourceId: config.id,
        sourceKind: 'scriptx',
        nativeId: '',
        state: 'completed',
        rawState: `${answer.status} ${answerName}`,
        detail: answer.message?.trim() || 'ScriptX.Services printed the document.',
        document,
        owner: user,
        printer: req.printer ?? null,
        mine: true,
        createdAt: at,
        updatedAt: at,
        progress: 1,
        cancel: { allowed: false, reason: 'the job has already finished' },
        extra: { kind, printAnswer: answerName, submittedByApp: true },
      };
    }
    if (tokenProblem(token)) throw new AppFailure('internal', `ScriptX.Services answered ${answerName} with a job id the monitor cannot follow (${tokenProblem(token)}).`, { sourceId: config.id });

    const submission: Submission = { request: req };
    if (file) submission.file = { name: file.name, contentType: file.contentType, size: file.bytes.byteLength };
    if (req.document.type === 'html' && req.document.html.length > MAX_PERSISTED_HTML) submission.htmlInMemory = true;
    const e: Entry = {
      token,
      kind,
      addedAt: iso(),
      toFile: answer.status === PRINT_ANSWER.QueuedToFile,
      submittedByApp: true,
      submission,
      document,
      printer: req.printer ?? null,
      printAnswer: answerName,
      code: null,
      persistedCode: null,
      last: null,
      updatedAt: null,
      finished: false,
      unreported: false,
      statusTimes: [],
      inFlight: false,
    };
    entries.set(token, e);
    if (file) heldFiles.set(token, file);
    if (html !== null && submission.htmlInMemory) heldHtml.set(token, html);
    const persisted = persistedSubmission(e);
    if (submission.htmlInMemory) (persisted.request as PrintRequest) = { ...req, document: { type: 'html', html: '' } };
    try {
      await deps.tracked.add({ sourceId: config.id, id: token, kind, addedAt: e.addedAt, submission: persisted });
    } catch (err) {
      logger.warn('Could not persist a ScriptX job for tracking', { sourceId: config.id, error: errorWords(err) });
    }
    try {
      return await applyAnswer(e, await askStatus(c, e, signal));
    } catch {
      // The first status is not there yet: report what the print answer said; polling follows.
      const at = iso();
      e.updatedAt = at;
      const initial: SourceJob = {
        ...toSourceJob(e, { status: 0, message: answer.message?.trim() || `ScriptX.Services answered ${answerName}.` }),
        rawState: `0 NotStarted (${answerName})`,
      };
      e.code = null;
      e.last = initial;
      return initial;
    }
  }

  async function print(req: PrintRequest, file: PrintFile | null, ctx: { signal: AbortSignal }): Promise<SourceJob> {
    return submit(req, file, req.document.type === 'html' ? req.document.html : null, ctx.signal);
  }

  async function retry(job: Job, signal: AbortSignal): Promise<SourceJob> {
    await syncTracked().catch(() => undefined);
    const e = entries.get(job.nativeId);
    if (!e || !e.submittedByApp || !e.submission) {
      throw new AppFailure('not-allowed', 'Only jobs this app printed can be submitted again; this job was handed in from elsewhere.', { sourceId: config.id });
    }
    const state = e.last?.state ?? job.state;
    if (state !== 'failed' && state !== 'canceled') {
      throw new AppFailure('conflict', `Only a failed or abandoned job can be submitted again; this one is ${e.last?.rawState ?? job.rawState}.`, { sourceId: config.id });
    }
    let req = e.submission.request;
    let file: PrintFile | null = null;
    if (req.document.type === 'file') {
      file = heldFiles.get(e.token) ?? null;
      if (!file) throw new AppFailure('not-found', `The file "${e.submission.file?.name ?? 'of this job'}" is no longer held by the app (it was printed before a restart); print it again from the file.`, { sourceId: config.id });
    }
    if (e.submission.htmlInMemory) {
      const html = heldHtml.get(e.token);
      if (!html) throw new AppFailure('not-found', 'The HTML of this job is no longer held by the app (it was printed before a restart); print it again.', { sourceId: config.id });
      req = { ...req, document: { type: 'html', html } };
    }
    return submit(req, file, req.document.type === 'html' ? req.document.html : null, signal);
  }

  // -------------------------------------------------------------------------------------------
  // Print to file
  // -------------------------------------------------------------------------------------------

  async function downloadOutput(job: Job, signal: AbortSignal): Promise<{ bytes: Uint8Array; suggestedName: string; contentType: string }> {
    const e = entries.get(job.nativeId);
    if (!e || !e.toFile) throw new AppFailure('not-allowed', 'This job was printed to a printer, not to a file; there is no output to save.', { sourceId: config.id });
    if (e.finished || !(e.last?.extra.outputReady === true)) {
      throw new AppFailure('conflict', `The output is not waiting to be collected (the job is ${e.last?.rawState ?? job.rawState}).`, { sourceId: config.id });
    }
    let out: { bytes: Uint8Array; contentType: string };
    let c: ScriptxClient;
    try {
      c = await connect(signal);
      out = await c.download(e.kind, e.token, signal);
    } catch (err) {
      if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
        e.finished = true;
        await markFinished(e);
        throw new AppFailure('not-found', 'ScriptX.Services no longer has the output of this job.', { sourceId: config.id });
      }
      throw actionFailure(err, 'Saving the output');
    }
    // The job is Collected now: read that state once so the queue shows it.
    try {
      await applyAnswer(e, await askStatus(c, e, signal));
      e.unreported = true;
    } catch (err) {
      logger.debug('The status after collecting the output was not read', { sourceId: config.id, error: errorWords(err) });
    }
    const base = e.submission?.request.printToFileName?.split(/[\\/]/).pop() || `scriptx-job-${e.token}.pdf`;
    const suggestedName = safeFileName(/\.[a-z0-9]{2,5}$/i.test(base) ? base : `${base}.pdf`);
    return { bytes: out.bytes, suggestedName, contentType: out.contentType };
  }

  // -------------------------------------------------------------------------------------------
  // The service panel
  // -------------------------------------------------------------------------------------------

  async function serviceInfo(signal: AbortSignal, message: string | null = null): Promise<ServiceInfo> {
    const control = canControl(config.service, platform);
    const info: ServiceInfo = {
      sourceId: config.id,
      reachable: false,
      baseUrl: null,
      foundBy: null,
      serviceClass: null,
      version: null,
      license: null,
      printers: [],
      defaultPrinter: null,
      canControl: control,
      needsAdmin: needsAdmin(config.service, platform),
      message,
    };
    const notes: string[] = message ? [message] : [];
    let c: ScriptxClient;
    try {
      c = await connect(signal);
      await c.ping(signal);
    } catch (err) {
      const f = sourceFailure(err);
      info.message = [...notes, f.message].join(' ');
      return info;
    }
    info.reachable = true;
    info.baseUrl = found?.baseUrl ?? null;
    info.foundBy = found?.foundBy ?? null;
    try {
      const d = await describe(c, signal);
      if (d) {
        info.serviceClass = d.serviceClass !== null && d.serviceClass !== undefined ? (SERVICE_CLASS[d.serviceClass] ?? `class ${d.serviceClass}`) : null;
        info.version = formatVersion(d.serviceVersion);
      } else if (describeRefused) notes.push('This service describes itself only with a valid license.');
    } catch (err) {
      notes.push(sourceFailure(err).message);
    }
    try {
      const l = await c.licensing(signal);
      const days = expiresInDays(l.to);
      info.license = { company: l.company ?? null, validFrom: l.from ?? null, validTo: l.to ?? null, expiresInDays: days, options: l.options ?? {}, domains: l.domains ?? [] };
      if (days !== null && days < 0) notes.push(`The license expired on ${l.to?.slice(0, 10)}.`);
      else if (days !== null && days <= LICENSE_WARNING_DAYS) notes.push(`The license expires in ${days} day${days === 1 ? '' : 's'} (${l.to?.slice(0, 10)}).`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) notes.push(`The license was refused: ${LICENSE_PROBLEM}.`);
      else notes.push(sourceFailure(err).message);
    }
    try {
      const defaults = await c.htmlPrintDefaults(2, signal);
      const names = defaults.availablePrinters ?? description?.availablePrinters ?? [];
      info.defaultPrinter = defaults.device?.printerName ?? null;
      for (const printerName of names.slice(0, 50)) {
        try {
          const dev = await c.deviceInfo(printerName, 2, signal);
          info.printers.push({
            name: printerName,
            status: dev.status === null || dev.status === undefined ? null : dev.status === 0 ? 'ready' : `status 0x${dev.status.toString(16)}`,
            isDefault: dev.isDefault === true || printerName === info.defaultPrinter,
            isLocal: dev.isLocal ?? null,
            isNetwork: dev.isNetwork ?? null,
            location: dev.location || null,
          });
        } catch (err) {
          if (isAbort(err, signal)) throw err;
          info.printers.push({ name: printerName, status: 'unknown (no device information)', isDefault: printerName === info.defaultPrinter, isLocal: null, isNetwork: null, location: null });
        }
      }
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) notes.push(`The printers cannot be listed: ${LICENSE_PROBLEM}.`);
      else notes.push(`The printers cannot be listed: ${sourceFailure(err).message}`);
    }
    info.message = notes.length ? notes.join(' ') : null;
    return info;
  }

  async function needsVersion(c: ScriptxClient, min: string, what: string, signal: AbortSignal): Promise<void> {
    const d = await describeOrNull(c, signal);
    if (d?.serviceVersion && compareVersion(d.serviceVersion, min) < 0) {
      throw new AppFailure('unsupported', `${what} needs ScriptX.Services ${min} or later (this is ${formatVersion(d.serviceVersion)}).`, { sourceId: config.id });
    }
  }

  async function serviceAction(req: ServiceActionRequest, signal: AbortSignal): Promise<ServiceInfo> {
    if (req.sourceId !== config.id) throw new AppFailure('invalid-input', `This request is for source "${req.sourceId}", not "${config.id}".`, { field: 'sourceId' });
    switch (req.action) {
      case 'refresh':
        lost();
        found = null;
        client = null;
        return serviceInfo(signal);
      case 'applyLicense': {
        const typed = req.guid ?? (await license());
        const guid = typed ? (meadcoLicenseForm(typed) ?? typed) : undefined;
        if (!guid) throw new AppFailure('invalid-input', `No license GUID is stored for "${name}"; enter it to apply the license.`, { field: 'guid', sourceId: config.id });
        const url = req.url.trim();
        if (url !== 'warehouse' && !/^https:\/\/[^\s]+\.mlf$/i.test(url) && !/^https?:\/\/[^\s]+$/i.test(url)) {
          throw new AppFailure('invalid-input', 'The license location must be "warehouse" or the https URL of an .mlf file.', { field: 'url' });
        }
        let applied: License;
        try {
          const c = await connect(signal);
          applied = await c.applyLicense({ guid, url, revision: req.revision }, signal);
        } catch (err) {
          if (err instanceof HttpError && err.kind === 'http' && err.status !== null && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
            const said = serviceWords(err);
            throw new AppFailure('invalid-input', `ScriptX.Services refused the license${said ? `: "${said}"` : ` (${err.status})`}.`, { field: 'guid', sourceId: config.id });
          }
          throw actionFailure(err, 'Applying the license');
        }
        if (req.guid) await deps.secrets.set(config.id, 'LICENSE', guid);
        description = null;
        describeRefused = false;
        return serviceInfo(signal, `The license${applied.company ? ` of ${applied.company}` : ''} was applied${applied.to ? `; it is valid until ${applied.to.slice(0, 10)}` : ''}.`);
      }
      case 'addPrinter':
      case 'removePrinter': {
        const adding = req.action === 'addPrinter';
        const what = adding ? `Adding the printer connection "${req.printer}"` : `Removing the printer connection "${req.printer}"`;
        try {
          const c = await connect(signal);
          await needsVersion(c, '2.19', adding ? 'Adding a printer connection' : 'Removing a printer connection', signal);
          if (adding) await c.addPrinterConnection(req.printer, signal);
          else await c.removePrinterConnection(req.printer, signal);
        } catch (err) {
          if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
            const said = serviceWords(err);
            if (said && /api endpoint not found/i.test(said)) throw new AppFailure('unsupported', `${what} failed: this ScriptX.Services does not offer printer connections (Windows PC 2.19 or later is needed).`, { sourceId: config.id });
            throw new AppFailure('not-found', `${what} failed: ${said ?? 'the printer was not found'}.`, { field: 'printer', sourceId: config.id });
          }
          throw actionFailure(err, what);
        }
        return serviceInfo(signal, adding ? `The printer connection "${req.printer}" was added.` : `The printer connection "${req.printer}" was removed.`);
      }
      case 'setDefaultPrinter': {
        const what = `Making "${req.printer}" the default printer`;
        try {
          const c = await connect(signal);
          await needsVersion(c, '2.19', 'Setting the default printer', signal);
          await c.setCurrentPrinter(req.printer, signal);
        } catch (err) {
          if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
            const said = serviceWords(err);
            if (said && /api endpoint not found/i.test(said)) throw new AppFailure('unsupported', `${what} failed: this ScriptX.Services does not offer setting the default printer.`, { sourceId: config.id });
            throw new AppFailure('not-found', `${what} failed: ${said ?? 'the printer was not found'}.`, { field: 'printer', sourceId: config.id });
          }
          throw actionFailure(err, what);
        }
        return serviceInfo(signal, `"${req.printer}" is now the default printer.`);
      }
      case 'start':
      case 'stop':
      case 'restart': {
        const where = config.baseUrl ?? 'this PC';
        const result = await controlService(req.action, config.service, {
          runner,
          platform,
          clock,
          signal,
          where,
          livenessAttempts: opts.livenessAttempts,
          livenessIntervalMs: opts.livenessIntervalMs,
          env: opts.env,
          isAlive: async () => {
            // A restarted Windows PC service may come back on another port: look for it afresh.
            lost();
            found = null;
            client = null;
            try {
              const c = await connect(signal);
              await c.ping(signal);
              return true;
            } catch {
              return false;
            }
          },
        });
        return serviceInfo(signal, result);
      }
    }
  }

  return {
    id: config.id,
    kind: 'scriptx',
    name,
    loopback,
    poll,
    act,
    track,
    untrack,
    print,
    retry,
    downloadOutput,
    serviceInfo: (signal) => serviceInfo(signal),
    serviceAction,
  };
}
