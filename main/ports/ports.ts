/**
 * The small interfaces the plain-TypeScript core depends on, so that time, storage, secrets and
 * logging can be injected: real ones in the app and the CLI, fakes in tests.
 */
import type { SecretName } from '../../preload/contract/model';

/** Wall-clock time and timers. Tests inject a fake clock and run in fake time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers must never keep the CLI alive on their own.
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Reads (and in the app, writes) secrets. Values never leave main. */
/** A turn of the event loop: what is waiting (requests, timers, I/O) runs before the caller goes on. */
export const nextTurn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

export interface SecretStore {
  get(sourceId: string, name: SecretName): Promise<string | undefined>;
  set(sourceId: string, name: SecretName, value: string): Promise<void>;
  delete(sourceId: string, name: SecretName): Promise<void>;
  /** Whether a value is stored, without reading it. */
  has(sourceId: string, name: SecretName): Promise<boolean>;
}

/** A job id handed in (printed by the app, `pqm track`, a deep link, a pasted token). */
export interface TrackedJob {
  sourceId: string;
  /** the token / job id as the service names it */
  id: string;
  /** ScriptX: which status endpoint serves this token */
  kind?: 'html' | 'pdf';
  addedAt: string;
  /** The app submitted this job: what to send again on retry (no secrets in it). */
  submission?: Record<string, unknown>;
  /** Set once the job is final or gone: it is kept for retry but never polled again. */
  finishedAt?: string;
  /**
   * ScriptX: the last status code seen once the job was printing or later. The service deletes a
   * job once its final status has been read, so a 404 afterwards means it finished — also for
   * another process (the CLI) or after a restart.
   */
  lastStatus?: number;
}

/** The persisted list of tracked ids, shared by the app and the CLI. */
export interface TrackedStore {
  list(sourceId?: string): Promise<TrackedJob[]>;
  /** Adds, or replaces the entry with the same sourceId and id. */
  add(job: TrackedJob): Promise<void>;
  update(sourceId: string, id: string, patch: Partial<Omit<TrackedJob, 'sourceId' | 'id'>>): Promise<void>;
  remove(sourceId: string, id: string): Promise<void>;
}

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
