/**
 * Per-source polling: when the next poll happens, which mode it uses, backoff on errors and
 * Retry-After, and the rule that one source never has two polls in flight.
 *
 * The timing rules (pure functions, below) and one SourceRunner per enabled source; the engine
 * owns the runners and tells them when the world changes (visibility, sleep, network, pause).
 */
import { AppFailure, HEALTH_TIMES_EVENT_MS, healthChanged, type HealthStatus, type PollingSettings, type PollInterval, type SourceHealth, type SourceKind } from '../../preload/contract/model';
import type { Clock, Logger } from '../ports/ports';
import { SourceError, sourceCapabilities, type JobSource, type PollResult, type SourcePrinter } from './source';
import type { JobStore } from './store';

/** Used for a source kind the polling settings do not name. */
export const FALLBACK_INTERVAL: PollInterval = { activeMs: 5_000, idleMs: 60_000 };
/** The first retry after an error waits at least this long. */
export const MIN_BACKOFF_MS = 1_000;
/** Jitter takes up to this fraction off a backoff delay, so failing clients do not retry in step. */
export const BACKOFF_JITTER = 0.5;

export function intervalsFor(polling: PollingSettings, kind: SourceKind): PollInterval {
  const v = (polling as unknown as Record<string, PollInterval | undefined>)[kind];
  return v && typeof v.activeMs === 'number' && typeof v.idleMs === 'number' ? v : FALLBACK_INTERVAL;
}

/** The regular interval: the active rate while the source has jobs in progress (not paused or
 * unknown), the idle rate otherwise, stretched by hiddenFactor while the window is hidden. */
export function pollInterval(polling: PollingSettings, kind: SourceKind, fast: boolean, hidden: boolean): number {
  const i = intervalsFor(polling, kind);
  const base = fast ? i.activeMs : i.idleMs;
  return hidden ? Math.round(base * polling.hiddenFactor) : base;
}

/**
 * The wait after `failures` consecutive errors (1 = the first): the regular interval (at least
 * MIN_BACKOFF_MS), doubled per further failure, capped at maxBackoffMs, minus up to
 * BACKOFF_JITTER of it at random (`random` returns [0, 1)).
 */
export function backoffDelay(polling: PollingSettings, intervalMs: number, failures: number, random: () => number): number {
  const base = Math.max(MIN_BACKOFF_MS, intervalMs);
  const exp = Math.min(polling.maxBackoffMs, base * 2 ** Math.min(30, Math.max(0, failures - 1)));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(1, Math.round(exp * (1 - BACKOFF_JITTER * r)));
}

/** What an error thrown by a poll means for the source's health. */
export function healthOfError(err: unknown, sourceName: string): { status: Exclude<HealthStatus, 'ok' | 'disabled'>; message: string; retryAfterMs: number | null; detail?: Record<string, unknown> } {
  if (err instanceof SourceError) {
    const out: ReturnType<typeof healthOfError> = { status: err.status, message: err.message || `${sourceName} failed.`, retryAfterMs: err.retryAfterMs };
    if (err.detail) out.detail = err.detail;
    return out;
  }
  if (err instanceof AppFailure) {
    const status = err.code === 'auth-required' ? 'auth-required' : err.code === 'unreachable' ? 'down' : 'degraded';
    return { status, message: err.message, retryAfterMs: null };
  }
  // The shared HTTP layer's HttpError, recognised by shape so the engine stays transport-free.
  if (err instanceof Error && err.name === 'HttpError' && 'kind' in err) {
    const e = err as Error & { kind: string; status: number | null; retryAfterMs: number | null; serviceMessage?: string | null };
    const retryAfterMs = typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0 ? e.retryAfterMs : null;
    const said = typeof e.serviceMessage === 'string' && e.serviceMessage ? `: ${sentence(e.serviceMessage)}` : '.';
    const waitWords = retryAfterMs !== null ? ` It asked to wait ${Math.ceil(retryAfterMs / 1000)} s before the next request.` : '';
    switch (e.kind) {
      case 'unreachable':
        return { status: 'down', message: `${sourceName} could not be reached (${e.message}). Check that the service is running and the network is available.`, retryAfterMs };
      case 'timeout':
        return { status: 'down', message: `${sourceName} did not answer in time (${e.message}).`, retryAfterMs };
      case 'malformed':
        return { status: 'degraded', message: `${sourceName} sent an answer that could not be read (${e.message}).`, retryAfterMs };
      case 'too-large':
        return { status: 'degraded', message: `${sourceName} sent more data than allowed (${e.message}).`, retryAfterMs };
      case 'http':
        if (e.status === 401) return { status: 'auth-required', message: `${sourceName} refused the credentials (401)${said} Sign in again or check the stored credentials.`, retryAfterMs };
        if (e.status === 429) return { status: 'degraded', message: `${sourceName} is throttling requests (429)${said}${waitWords}`, retryAfterMs };
        if (e.status !== null && e.status >= 500) return { status: 'degraded', message: `${sourceName} reported a server error (${e.status})${said}${waitWords}`, retryAfterMs };
        return { status: 'degraded', message: `${sourceName} answered ${e.status ?? 'with an error'}${said}`, retryAfterMs };
      default:
        return { status: 'degraded', message: `${sourceName} failed (${e.message}).`, retryAfterMs };
    }
  }
  const text = err instanceof Error ? err.message : String(err);
  return { status: 'degraded', message: `${sourceName} failed unexpectedly${text ? `: ${text}` : '.'}`, retryAfterMs: null };
}

/** Ends a service's words with a full stop when they have none. */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export interface RunnerHost {
  clock: Clock;
  store: JobStore;
  logger: Logger;
  random: () => number;
  polling(): PollingSettings;
  /** The window is hidden (tray): a health whose lastSuccessAt alone moved on is not reported. */
  hidden(): boolean;
  /** Keys of the jobs the user is looking at. */
  priorityKeys(): ReadonlySet<string>;
  /** Engine started and this source not held back (sleep, offline for remote, paused). */
  mayPoll(source: JobSource): boolean;
  started(): boolean;
  /** The health to report (see SourceRunner.reportHealth). */
  onHealth(health: SourceHealth): void;
  /** A poll reported the source's printers. */
  onPrinters(sourceId: string, printers: SourcePrinter[]): void;
}

interface PendingPoll {
  /** Explicit (pollOnce): runs even when the schedule is held back. */
  explicit: boolean;
  waiters: (() => void)[];
}

export function initialHealth(source: JobSource): SourceHealth {
  return { id: source.id, kind: source.kind, name: source.name, capabilities: sourceCapabilities(source), status: 'ok', message: 'Not checked yet.', lastSuccessAt: null, lastErrorAt: null };
}

export class SourceRunner {
  health: SourceHealth;
  private timer: unknown = null;
  /** When the timer fires (epoch ms), null when none is set. */
  dueAt: number | null = null;
  private inFlight: { controller: AbortController; done: Promise<void> } | null = null;
  private pending: PendingPoll | null = null;
  failures = 0;
  /** No poll before this time (Retry-After). */
  notBefore = 0;
  lastFullAt: number | null = null;
  lastEndAt: number | null = null;
  /** When the last poll that got an answer was sent. */
  lastStartAt: number | null = null;
  fast = false;
  private halted = false;
  /** The health last reported through host.onHealth, and when (epoch ms); at first the initial
   * health, which every consumer starts from (a snapshot, or the event of a source added). */
  private reported: { health: SourceHealth; at: number };

  constructor(
    readonly source: JobSource,
    private readonly host: RunnerHost,
  ) {
    this.health = initialHealth(source);
    this.reported = { health: this.health, at: host.clock.now() };
    // A source the service pushes changes to asks for a poll at once; polling goes on besides.
    source.watch?.(() => {
      if (!this.halted && host.mayPoll(source)) void this.request(false);
    });
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /**
   * Asks for a full poll as soon as allowed: at once, right after the poll in flight, and never
   * before Retry-After. Resolves when that poll has been applied (or was dropped).
   */
  request(explicit: boolean): Promise<void> {
    this.halted = false;
    return new Promise<void>((resolve) => {
      if (this.pending) {
        this.pending.explicit ||= explicit;
        this.pending.waiters.push(resolve);
      } else {
        this.pending = { explicit, waiters: [resolve] };
      }
      if (!this.inFlight) this.arm(Math.max(this.host.clock.now(), this.notBefore));
    });
  }

  /** Recomputes the regular timer (visibility, settings, a job added outside a poll). */
  reschedule(): void {
    if (this.halted || this.inFlight || this.pending) return;
    if (!this.host.started() || !this.host.mayPoll(this.source)) {
      this.disarm();
      return;
    }
    if (this.failures > 0 && this.dueAt !== null) return; // backing off: keep the backoff timer
    this.fast = this.host.store.hasFastJobs(this.source.id);
    const now = this.host.clock.now();
    const interval = pollInterval(this.host.polling(), this.source.kind, this.fast, this.host.hidden());
    const due = this.regularDue(now, interval);
    if (due !== this.dueAt) this.arm(due);
  }

  /**
   * The next regular poll: start to start, so a slow answer does not stretch the period (freshness
   * stays within one interval); never two at once, and a short breather after a poll that overran
   * the interval. Never before Retry-After.
   */
  private regularDue(now: number, interval: number): number {
    const gap = Math.min(250, interval / 4);
    return Math.max(now, this.notBefore, (this.lastStartAt ?? this.lastEndAt ?? now) + interval, (this.lastEndAt ?? now) + gap);
  }

  /** Stops the timer and drops a queued request; a poll in flight is aborted and its answer
   * discarded. Resolves when that poll has settled. */
  async halt(): Promise<void> {
    this.halted = true;
    this.disarm();
    this.dropPending();
    const f = this.inFlight;
    if (f) {
      f.controller.abort();
      await f.done;
    }
  }

  /** Holds back: no timer; a poll in flight is aborted and discarded. */
  hold(): void {
    this.disarm();
    if (this.pending && !this.pending.explicit) this.dropPending();
    this.inFlight?.controller.abort();
    // An explicit request (a one-shot listing) still runs, never before Retry-After.
    if (this.pending && !this.inFlight) this.arm(Math.max(this.host.clock.now(), this.notBefore));
  }

  private dropPending(): void {
    const p = this.pending;
    this.pending = null;
    p?.waiters.forEach((w) => w());
  }

  private arm(at: number): void {
    this.disarm();
    const now = this.host.clock.now();
    this.dueAt = at;
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = null;
      this.dueAt = null;
      void this.fire();
    }, Math.max(0, at - now));
  }

  private disarm(): void {
    if (this.timer !== null) this.host.clock.clearTimeout(this.timer);
    this.timer = null;
    this.dueAt = null;
  }

  private async fire(): Promise<void> {
    if (this.inFlight) return;
    const pending = this.pending;
    this.pending = null;
    const allowed = pending?.explicit || (this.host.started() && this.host.mayPoll(this.source) && !this.halted);
    if (!allowed) {
      pending?.waiters.forEach((w) => w());
      return;
    }
    const now = this.host.clock.now();
    if (now < this.notBefore) {
      // Never earlier than Retry-After, whatever asked for the poll.
      this.pending = pending;
      this.arm(this.notBefore);
      return;
    }
    const polling = this.host.polling();
    const idleMs = intervalsFor(polling, this.source.kind).idleMs;
    const full = pending !== null || this.lastFullAt === null || this.failures > 0 || now - this.lastFullAt >= idleMs;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const controller = new AbortController();
    this.inFlight = { controller, done };
    try {
      await this.pollOnce(full ? 'full' : 'active', controller, pending?.explicit === true);
    } catch (err) {
      this.host.logger.error('queue: applying a poll failed', { sourceId: this.source.id, error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.inFlight = null;
      finish();
      pending?.waiters.forEach((w) => w());
      this.afterPoll();
    }
  }

  private async pollOnce(mode: 'full' | 'active', controller: AbortController, oneShot: boolean): Promise<void> {
    const { store, clock } = this.host;
    const id = this.source.id;
    const startedAt = clock.now();
    let result: PollResult | undefined;
    let error: unknown;
    let mark = 0;
    try {
      mark = store.mark();
      const interval = intervalsFor(this.host.polling(), this.source.kind);
      result = await this.source.poll({ mode, signal: controller.signal, activeJobs: store.activeJobs(id), priorityKeys: this.host.priorityKeys(), interval, ...(oneShot ? { oneShot } : {}) });
      if (!result || !Array.isArray(result.jobs) || !result.health) throw new Error('the source answered a poll without a job list');
    } catch (err) {
      error = err ?? new Error('unknown error');
    }
    // Aborted (stop, sleep, offline, pause, source replaced): the answer no longer matters.
    if (controller.signal.aborted) return;
    const now = clock.now();
    this.lastEndAt = now;
    this.lastStartAt = startedAt;
    const iso = new Date(now).toISOString();
    if (error === undefined && result) {
      if (mode === 'full') this.lastFullAt = startedAt;
      this.failures = 0;
      this.notBefore = typeof result.retryAfterMs === 'number' && result.retryAfterMs > 0 ? now + result.retryAfterMs : 0;
      this.fast = store.applyPoll(id, result, mark).fast;
      if (Array.isArray(result.printers)) this.host.onPrinters(id, result.printers);
      const h = result.health;
      this.setHealth({ ...this.health, status: h.status, message: h.message, detail: h.detail, lastSuccessAt: iso });
    } else {
      this.failures++;
      const h = healthOfError(error, this.source.name);
      this.notBefore = h.retryAfterMs !== null && h.retryAfterMs > 0 ? now + h.retryAfterMs : 0;
      store.markStale(id);
      this.fast = store.hasFastJobs(id);
      this.setHealth({ ...this.health, status: h.status, message: h.message, detail: h.detail, lastErrorAt: iso });
      this.host.logger.warn('queue: poll failed', { sourceId: id, status: h.status, message: h.message, failures: this.failures });
    }
    store.flush();
  }

  /** Keeps `next` as the source's health (what snapshots answer, times included) and reports it. */
  setHealth(next: SourceHealth): void {
    if (next.detail === undefined) delete next.detail;
    this.health = next;
    this.reportHealth(false);
  }

  /**
   * Reports the health when it differs from the one last reported: at once when what it says
   * changed (healthChanged); when only lastSuccessAt moved on (polls answered as before), while
   * the window is shown and at most once per HEALTH_TIMES_EVENT_MS (`now`: the window was just
   * shown again, so at once). The window's "last successful poll" so keeps up with the polls
   * without an event per poll. Failures that only move lastErrorAt on are not reported again.
   */
  reportHealth(now: boolean): void {
    const last = this.reported;
    const health = this.health;
    const at = this.host.clock.now();
    if (!healthChanged(last.health, health)) {
      if (last.health.lastSuccessAt === health.lastSuccessAt) return;
      // A clock set back since the last report (at < last.at) does not hold the times back meanwhile.
      if (this.host.hidden() || (!now && at >= last.at && at - last.at < HEALTH_TIMES_EVENT_MS)) return;
    }
    this.reported = { health, at };
    this.host.onHealth(health);
  }

  private afterPoll(): void {
    if (this.pending) {
      if (this.pending.explicit || (!this.halted && this.host.started() && this.host.mayPoll(this.source))) {
        this.arm(Math.max(this.host.clock.now(), this.notBefore));
      } else {
        this.dropPending();
      }
      return;
    }
    if (this.halted || !this.host.started() || !this.host.mayPoll(this.source)) return;
    const now = this.host.clock.now();
    const interval = pollInterval(this.host.polling(), this.source.kind, this.fast, this.host.hidden());
    if (this.failures > 0) {
      this.arm(Math.max(now + backoffDelay(this.host.polling(), interval, this.failures, this.host.random), this.notBefore));
      return;
    }
    this.arm(this.regularDue(now, interval));
  }
}

// ---- The request budget: one service's status requests shared by its active jobs ----

/** A job handed in (printed from the app, tracked) this recently is a priority job. */
export const PRIORITY_RECENT_MS = 5 * 60_000;
/** At most this many priority jobs are asked at the full per-job rate; the rest share the budget. */
export const MAX_FULL_RATE_JOBS = 10;
/** A job unchanged for longer than this is asked less often. */
export const UNCHANGED_AFTER_MS = 60_000;
/** How often a job unchanged for UNCHANGED_AFTER_MS is asked: under 0.2 req/s, with room for a
 * request sent a little later in one poll than in the next. */
export const UNCHANGED_INTERVAL_MS = 5_500;
/** Every active job is asked at least this often, whatever the budget. */
export const MAX_ASK_GAP_MS = 10_000;

export interface BudgetJob {
  key: string;
  /** Selected or open in the details panel, or handed in within PRIORITY_RECENT_MS. */
  priority: boolean;
  /** When it was handed in (epoch ms): among more than MAX_FULL_RATE_JOBS priority jobs, the newest win. */
  addedAt: number;
  /** When its last status request was sent (epoch ms), null when never. */
  lastAskedAt: number | null;
  /** When it was first planned for (epoch ms): a job never asked counts its gap from here. */
  waitingSince: number;
  /** When its status last changed (or it was first seen), epoch ms. */
  changedAt: number;
}

/** How far a poll's start may drift early from its schedule (the timer, the time taken before the
 * poll plans) and still not see the poll one second before it: a poll comes at most every
 * `activeMs`, so two polls' requests count in the same second only when the polls are less than a
 * second apart by more than this. */
export const POLL_DRIFT_MS = 50;

/**
 * A service's request allowance: at most `maxPerSecond` requests in any second, counted at the
 * start of the poll that sent them, and no poll more than the share of the time since the previous
 * one (so a fast poll every 500 ms sends at most half the budget, and the budget is spread evenly).
 * A poll two intervals after another less the drift of the timers (999 ms instead of 1000) does not
 * see that one: otherwise a drift of one millisecond would leave a whole poll without requests.
 */
export class RequestBudget {
  private spent: { at: number; n: number }[] = [];
  private lastAt: number | null = null;
  private pollAt = 0;
  /** The time between the last two polls given an allowance (ms); null before the second. */
  periodMs: number | null = null;

  /** The requests one poll starting at `now` may send. */
  available(now: number, maxPerSecond: number, activeMs: number): number {
    const window = 1000 - Math.min(POLL_DRIFT_MS, activeMs / 10);
    this.spent = this.spent.filter((s) => now - s.at < window);
    const inLastSecond = this.spent.reduce((sum, s) => sum + s.n, 0);
    const since = this.lastAt === null ? 1000 : Math.min(1000, Math.max(activeMs, now - this.lastAt));
    this.periodMs = this.lastAt === null ? null : now - this.lastAt;
    this.pollAt = now;
    this.lastAt = now;
    return Math.max(0, Math.min(Math.ceil((maxPerSecond * since) / 1000), maxPerSecond - inLastSecond));
  }

  /** Counts `n` requests sent by the poll last given an allowance. */
  spend(n: number): void {
    if (n > 0) this.spent.push({ at: this.pollAt, n });
  }
}

/** How often a job wants to be asked: the fast interval, or UNCHANGED_INTERVAL_MS once it has
 * been unchanged for UNCHANGED_AFTER_MS (a change snaps it back). Priority jobs never slow down. */
export function askInterval(job: BudgetJob, fullRate: boolean, activeMs: number, now: number): number {
  if (fullRate) return activeMs;
  return now - job.changedAt > UNCHANGED_AFTER_MS ? Math.max(activeMs, UNCHANGED_INTERVAL_MS) : activeMs;
}

/** Room left under MAX_ASK_GAP_MS for a request that goes out a little after its poll starts. */
export const ASK_GAP_SLACK_MS = 250;

/** The share of the budget a poll is expected to have when planning ahead for the jobs that must
 * not go unasked (less than all of it: a poll may come late, or get less). */
const AHEAD_SHARE = 0.8;

/**
 * Which jobs to ask about in the poll starting at `now`, in order, at most `allowance` of them:
 * first the jobs that must be asked now so that no job goes MAX_ASK_GAP_MS unasked (never
 * starved), then the priority jobs (the MAX_FULL_RATE_JOBS newest at the full rate), then the
 * others that are due, longest overdue first.
 *
 * Never starved, planned ahead: each job has a deadline, the last moment a poll may start and
 * still reach the service in time (its last request, or when it started waiting, plus
 * MAX_ASK_GAP_MS less ASK_GAP_SLACK_MS). Polls are expected every `activeMs`, or as far apart as
 * the last two were (`periodMs`) when they come late, each with its share of the budget; taken in
 * order of deadline, a job that the coming polls could not all reach in time is asked now. So a
 * crowd of jobs that fall due together (all asked in the first poll) is spread over the polls
 * before their deadline instead of overrunning the last one.
 */
export function planBudget(
  jobs: readonly BudgetJob[],
  now: number,
  opts: { allowance: number; activeMs: number; maxPerSecond: number; periodMs?: number | null },
): string[] {
  if (opts.allowance <= 0) return [];
  const fullRate = new Set(
    jobs
      .filter((j) => j.priority)
      .sort((a, b) => b.addedAt - a.addedAt || (a.key < b.key ? -1 : 1))
      .slice(0, MAX_FULL_RATE_JOBS)
      .map((j) => j.key),
  );
  const dueAt = (j: BudgetJob) => (j.lastAskedAt === null ? -Infinity : j.lastAskedAt + askInterval(j, fullRate.has(j.key), opts.activeMs, now));
  const urgent = mustAskNow(jobs, now, opts);
  const tier = (j: BudgetJob) => (urgent.has(j.key) ? 0 : fullRate.has(j.key) ? 1 : 2);
  // Requests go out a little after the poll starts: a job due within the slack is taken now.
  // (A job never asked yet is due at once, first among the others.)
  const due = jobs.filter((j) => urgent.has(j.key) || dueAt(j) <= now + Math.min(100, opts.activeMs / 10));
  due.sort((a, b) => tier(a) - tier(b) || dueAt(a) - dueAt(b) || (a.key < b.key ? -1 : 1));
  return due.slice(0, opts.allowance).map((j) => j.key);
}

/** The jobs the poll at `now` must ask so that the coming polls can reach every other job before
 * its deadline (see planBudget). */
function mustAskNow(jobs: readonly BudgetJob[], now: number, opts: { activeMs: number; maxPerSecond: number; periodMs?: number | null }): Set<string> {
  // A period longer than two intervals is a pause (after sleep, or while idle), not a late poll.
  const late = opts.periodMs != null && opts.periodMs <= 2 * opts.activeMs ? opts.periodMs : 0;
  const period = Math.max(opts.activeMs, late);
  // The budget counts any second: the polls within one second share it.
  const perPoll = Math.max(1, Math.floor(AHEAD_SHARE * Math.floor(opts.maxPerSecond / Math.ceil(1000 / period))));
  const byDeadline = jobs
    .map((j) => ({ key: j.key, deadline: (j.lastAskedAt ?? j.waitingSince) + MAX_ASK_GAP_MS - ASK_GAP_SLACK_MS }))
    .sort((a, b) => a.deadline - b.deadline || (a.key < b.key ? -1 : 1));
  let must = 0;
  byDeadline.forEach((j, i) => {
    // The polls after this one that start before the job's deadline.
    const later = Math.max(0, Math.floor((j.deadline - now) / period));
    must = Math.max(must, i + 1 - later * perPoll);
  });
  return new Set(byDeadline.slice(0, must).map((j) => j.key));
}
