/**
 * The JobSource contract: what every external system (main/sources/<name>/) implements so the
 * source-independent queue engine can poll it, act on its jobs and report its health.
 * Nothing here knows windows, trays or IPC.
 */
import type { ServiceActionRequest, ServiceInfo, PrintRequest } from '../../preload/contract/contract';
import type { HealthStatus, Job, JobDetails, PollInterval, Printer, SourceCapabilities, SourceKind } from '../../preload/contract/model';
import type { Logger } from '../ports/ports';

/** A job as a source reports it. The engine owns the flags it computes itself. */
export type SourceJob = Omit<Job, 'stale' | 'stuck' | 'gone' | 'lastSeenAt'>;

/** How a job handed in by id is followed: the ScriptX endpoint, and what is known of it (title, printer). */
export interface TrackOptions {
  kind?: 'html' | 'pdf';
  title?: string;
  printer?: string;
}

export interface PollContext {
  /**
   * 'active': the fast cycle — a source may poll only what is in progress (and say the list is
   * partial); 'full': the idle cycle and one-shot listings — everything the source can see.
   */
  mode: 'active' | 'full';
  signal: AbortSignal;
  /** The engine's current jobs of this source that are not final (by key). */
  activeJobs: ReadonlyMap<string, Job>;
  /** Keys of the jobs the user is looking at (selected, open in the details panel). */
  priorityKeys?: ReadonlySet<string>;
  /** This source kind's polling settings (intervals, and ScriptX's request budget). */
  interval?: PollInterval & { maxRequestsPerSecond?: number };
  /**
   * A one-shot poll (the CLI's `jobs`, `sources`, a test from Settings): every job is asked about,
   * whatever the budget, and nothing is set up for later polls (no IPP event subscription).
   */
  oneShot?: boolean;
}

export interface PollResult {
  /** The jobs as the service reports them now. */
  jobs: SourceJob[];
  /**
   * true: `jobs` is everything the source watches, so an active job of this source missing from it
   * has been purged (gone). false: a partial list; absent jobs are left as they are.
   */
  complete: boolean;
  /** Keys the service explicitly says it no longer knows (a 404 for a job seen before). */
  gone?: string[];
  /**
   * Keys of known jobs this poll could not refresh (their library, share or own request failed
   * while the rest of the source answered): kept with their last values and marked stale.
   */
  stale?: string[];
  /**
   * 'ok', or 'degraded' when the service answered but not fully (some items failed, throttled
   * items re-queued). Unreachable / auth problems are thrown as SourceError instead.
   */
  health: { status: 'ok' | 'degraded'; message: string; detail?: Record<string, unknown> };
  /** The service asked to wait this long before the next poll (Retry-After). */
  retryAfterMs?: number;
  /**
   * The source's printers as this poll saw them (sources that can say how their printers are).
   * Omitted: unchanged since the last poll that reported them. The engine fills in the job counts.
   */
  printers?: SourcePrinter[];
}

/** A printer as a source reports it; the engine counts its active and stuck jobs. */
export type SourcePrinter = Omit<Printer, 'activeJobs' | 'stuckJobs'>;

export type JobAction = { type: 'cancel' } | { type: 'abort'; reason: string } | { type: 'hold' } | { type: 'release' } | { type: 'pause' } | { type: 'resume' };

/** A poll failure with the health it implies. Thrown by `poll`; the engine backs off. */
export class SourceError extends Error {
  readonly status: Exclude<HealthStatus, 'ok' | 'disabled'>;
  readonly retryAfterMs: number | null;
  readonly detail?: Record<string, unknown>;
  constructor(status: Exclude<HealthStatus, 'ok' | 'disabled'>, message: string, opts: { retryAfterMs?: number | null; detail?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SourceError';
    this.status = status;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    if (opts.detail) this.detail = opts.detail;
  }
}

export interface JobSource {
  readonly id: string;
  readonly kind: SourceKind;
  readonly name: string;
  /** A loopback service (the local ScriptX) keeps being polled while the machine is offline. */
  readonly loopback: boolean;

  /** One poll. Throws SourceError (or anything: treated as degraded) when it fails. */
  poll(ctx: PollContext): Promise<PollResult>;

  /** Cancel / abort. Resolves with the job as the service reports it afterwards; throws AppFailure
   * (too-late, not-allowed, unsupported, ...) with the service's words when refused. */
  act(job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob>;

  /** Starts tracking an id handed in from outside; resolves with its first status. Sources that
   * list their jobs may look the id up instead. */
  track?(id: string, opts: TrackOptions, signal: AbortSignal): Promise<SourceJob>;

  /** Stops tracking a job (dismissed by the user). */
  untrack?(job: Job): Promise<void>;

  /** Details on demand (opened in the detail panel): documents, tasks, events, facts. */
  details?(job: Job, signal: AbortSignal, opts: { eventsPageToken?: string }): Promise<Omit<JobDetails, 'job' | 'timeline'>>;

  // ---- optional capabilities; the app offers an action only where the source has it ----

  /** Submits a print job; resolves with the new job, tracked from its first second. The file, when
   * the request names one, has already been chosen and read by main. A source that uploads reports
   * progress with the job being uploaded (created before its first byte is sent), so that the
   * queue shows its row and "Stop upload" names it by its own key. */
  print?(req: PrintRequest, file: PrintFile | null, ctx: { signal: AbortSignal; onProgress?: PrintProgress }): Promise<SourceJob>;

  /** Submits again a failed or abandoned job the app itself submitted. */
  retry?(job: Job, signal: AbortSignal): Promise<SourceJob>;

  /** Cancels an upload in progress or a job left waiting for its upload (Graph). */
  cancelUpload?(job: Job, signal: AbortSignal): Promise<SourceJob>;

  /** The output of a print-to-file job (ScriptX `download`); the job is Collected afterwards. */
  downloadOutput?(job: Job, signal: AbortSignal): Promise<{ bytes: Uint8Array; suggestedName: string; contentType: string }>;

  /** The service panel (ScriptX): where it was found, version, license, printers. */
  serviceInfo?(signal: AbortSignal): Promise<ServiceInfo>;
  serviceAction?(req: ServiceActionRequest, signal: AbortSignal): Promise<ServiceInfo>;

  /** Interactive sign-in and sign-out (Graph). */
  signIn?(signal: AbortSignal): Promise<void>;
  signOut?(): Promise<void>;

  /**
   * Releases timers and sockets, and gives back what the source holds on the service (the IPP
   * source's event subscriptions). A promise, where it returns one, settles within a few seconds
   * and never rejects: the app waits for it when it quits.
   */
  dispose?(): void | Promise<void>;

  /** Sources the service pushes changes to (the Windows spooler): the engine passes a callback
   * that asks for a poll at once, and polls at its own rates besides. */
  watch?(onChange: () => void): void;
}

/**
 * What a source can do, read from the optional methods it has: the one place that decides what
 * the window offers for a source (the engine puts it into the source's health).
 */
export function sourceCapabilities(source: JobSource): SourceCapabilities {
  return {
    track: typeof source.track === 'function',
    print: typeof source.print === 'function',
    cancelUpload: typeof source.cancelUpload === 'function',
    retry: typeof source.retry === 'function',
    saveOutput: typeof source.downloadOutput === 'function',
    servicePanel: typeof source.serviceInfo === 'function',
    serviceControl: typeof source.serviceAction === 'function',
    signIn: typeof source.signIn === 'function',
    signOut: typeof source.signOut === 'function',
    details: typeof source.details === 'function',
  };
}

/** Stops a source (`dispose`); a failure is logged, never thrown. */
export async function disposeSource(source: JobSource, logger: Logger): Promise<void> {
  try {
    await source.dispose?.();
  } catch (err) {
    logger.warn('A source did not stop cleanly', { sourceId: source.id, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Bytes of the document sent so far, and the job they are sent for. */
export type PrintProgress = (sentBytes: number, totalBytes: number, job: SourceJob) => void;

/** A file main has chosen and read for printing. */
export interface PrintFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** Largest file the app prints (ScriptX sends it as a data URL; Graph uploads it). */
export const MAX_PRINT_FILE_BYTES = 50 * 1024 * 1024;
