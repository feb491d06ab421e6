/**
 * What every source needs the same way, written once: telling an abort from a failure, waiting on
 * the injected clock, marking a tracked job finished, summing up several problems in one line,
 * saying what is wrong with a printer, and a jittered back-off on the injected random. Each source
 * folder (scriptx/, graph/, aodocs/, ipp/, windows-spooler/) imports these instead of writing its own.
 */
import { userInfo } from 'node:os';
import { HttpError } from '../http/client';
import type { Clock, TrackedJob } from '../ports/ports';
import type { SourcePrinter } from '../queue/source';
import type { SourceDeps } from './deps';

/** True when the work was stopped on purpose (the signal fired, or the HTTP layer says aborted). */
export function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err instanceof HttpError && err.kind === 'aborted');
}

/** An error's own words, for logs and health messages. */
export function errorWords(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Waits `ms` on the injected clock. On abort it settles at once: rejects with the signal's reason,
 * or, with `{ resolveOnAbort: true }`, resolves (for waits whose caller checks the signal itself).
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal, opts: { resolveOnAbort?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => (opts.resolveOnAbort ? resolve() : reject(signal.reason ?? new Error('aborted')));
    if (signal.aborted) return stop();
    const onAbort = () => {
      clock.clearTimeout(timer);
      stop();
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential back-off with jitter (half fixed, half random), capped: for a throttled step without Retry-After. */
export function backoffMs(round: number, random: () => number, capMs = 8000): number {
  const base = Math.min(capMs, 1000 * 2 ** round);
  return Math.round(base / 2 + random() * (base / 2));
}

/** The random numbers a source may use (jitter): the injected one, or Math.random. */
export function randomOf(deps: Pick<SourceDeps, 'random'>): () => number {
  return deps.random ?? Math.random;
}

/**
 * Records a tracked job as finished (kept, never polled again). A store that cannot be written is
 * logged, not thrown: the job itself is final either way.
 */
export async function markTrackedFinished(deps: Pick<SourceDeps, 'tracked' | 'clock' | 'logger'>, sourceId: string, id: string, what: string): Promise<void> {
  try {
    await deps.tracked.update(sourceId, id, { finishedAt: new Date(deps.clock.now()).toISOString() });
  } catch (err) {
    deps.logger.warn(`Could not record a tracked ${what} job as finished`, { sourceId, jobId: id, error: errorWords(err) });
  }
}

/**
 * Several problems in one line: the first in full, then "(and N more …)". `noun` names what the
 * others are (["problem", "problems"], ["library", "libraries"]); without it just "(and N more)".
 */
export function andMore(problems: readonly string[], noun?: readonly [one: string, many: string]): string {
  if (problems.length === 0) return '';
  const rest = problems.length - 1;
  if (rest === 0) return problems[0];
  const what = noun ? ` ${rest === 1 ? noun[0] : noun[1]}` : '';
  return `${problems[0]} (and ${rest} more${what})`;
}

/**
 * What a source's health says of a printer in trouble, from the printer the Printers view shows
 * (its state and its reasons in plain words): "Basement is stopped (Paused, Paper jam)", "Basement
 * is offline", "Front is not accepting jobs"; null for a printer with nothing to say.
 */
export function printerTroubleWords(p: Pick<SourcePrinter, 'name' | 'state' | 'reasons' | 'acceptingJobs'>): string | null {
  const state = p.state === 'paused' || p.state === 'stopped' || p.state === 'offline' ? p.state : p.acceptingJobs === false ? 'not accepting jobs' : null;
  if (state === null) return null;
  return `${p.name} is ${state}${p.reasons.length ? ` (${p.reasons.join(', ')})` : ''}`;
}

/** The signed-in user's name as the OS reports it ("" where it cannot be read): whose jobs are "mine". */
export function safeUserName(): string {
  try {
    return userInfo().username || '';
  } catch {
    return '';
  }
}

/**
 * Windows PowerShell, by its full path: a bare "powershell.exe" is looked up in the working folder
 * before PATH (libuv's search on Windows), where anyone who can write there could put another.
 */
export function powershellPath(env: Record<string, string | undefined> = process.env): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  return `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
}

/**
 * Saves a job just handed to a service to the tracked list (what `pqm jobs` and the next start
 * follow). A failure (a read-only settings folder) is not the print's: the job was sent. It is
 * logged and returned in words, for the job's extra.notTracked, which pqm print says.
 */
export async function trackPrinted(deps: Pick<SourceDeps, 'tracked' | 'logger'>, job: TrackedJob): Promise<string | null> {
  try {
    await deps.tracked.add(job);
    return null;
  } catch (err) {
    deps.logger.warn('A printed job could not be saved for tracking', { sourceId: job.sourceId, error: errorWords(err) });
    return `it could not be saved for tracking (${errorWords(err)}), so it is followed only while this program runs`;
  }
}

/** The job as answered, with why it is not tracked when it is not. */
export function withTracking<J extends { extra: Record<string, unknown> }>(job: J, notTracked: string | null): J {
  return notTracked === null ? job : { ...job, extra: { ...job.extra, notTracked } };
}
