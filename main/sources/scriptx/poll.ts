/**
 * One poll of the ScriptX source. The API lists no jobs, so each followed token is asked about
 * with its own status endpoint, never more than twice in any second and never two requests at
 * once, within the service's request budget; a final token is never asked about again. Job
 * statuses never depend on the informational answers (service description, license details):
 * when one cannot be read, the health message says so and the jobs are polled all the same.
 */
import { DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { PRIORITY_RECENT_MS, planBudget } from '../../queue/scheduler';
import { SourceError, type PollContext, type PollResult, type SourceJob } from '../../queue/source';
import { andMore, isAbort } from '../shared';
import { LICENSE_WARNING_DAYS, askStatus, connect, describe, expiresInDays, keyOf, markFinished, type Entry, type ScriptxContext } from './context';
import { formatVersion, type ScriptxClient } from './client';
import { isNotFound, jobProblem, toSourceError } from './errors';
import { forgottenJob } from './mapping';
import { applyAnswer, syncTracked } from './tracked';

/** How often a fast poll re-reads the tracked list for tokens added by another process. */
const TRACKED_SYNC_MS = 2000;

/** What the status requests of one poll brought back. */
interface Asked {
  jobs: SourceJob[];
  gone: string[];
  problems: string[];
  /** Jobs whose status request failed in this poll: last values kept, marked stale. */
  failedKeys: string[];
  answered: number;
  retryAfterMs?: number;
  fatal: SourceError | null;
}

/**
 * Whether a job may be asked about in the poll starting at `now`. Requests go out a little after
 * the poll starts, so a job whose window frees up within the rate's slack is still taken (its
 * request then waits for the window, see askStatus) rather than skipped for a whole cycle.
 */
function mayAsk(ctx: ScriptxContext, e: Entry, now: number): boolean {
  const { windowMs, slackMs, maxPerWindow } = ctx.rate;
  if (e.inFlight) return false;
  e.statusTimes = e.statusTimes.filter((t) => now - t < windowMs);
  return e.statusTimes.filter((t) => now + slackMs - t < windowMs).length < maxPerWindow;
}

/**
 * The jobs this poll asks about within the service's request budget (settings
 * `polling.scriptx.maxRequestsPerSecond`): the jobs the user is looking at and those handed in
 * within PRIORITY_RECENT_MS first, the others sharing what is left (see planBudget).
 */
function withinBudget(ctx: ScriptxContext, askable: Entry[], pollCtx: PollContext, now: number): Entry[] {
  const activeMs = pollCtx.interval?.activeMs ?? 500;
  const maxPerSecond = pollCtx.interval?.maxRequestsPerSecond ?? DEFAULT_SCRIPTX_MAX_REQUESTS_PER_SECOND;
  const allowance = ctx.budget.available(now, maxPerSecond, activeMs);
  const byKey = new Map(askable.map((e) => [keyOf(ctx, e.token), e]));
  const looking = pollCtx.priorityKeys ?? new Set<string>();
  const plan = planBudget(
    askable.map((e) => {
      const key = keyOf(ctx, e.token);
      const addedAt = Date.parse(e.addedAt);
      const changedAt = e.updatedAt ? Date.parse(e.updatedAt) : now;
      e.waitingSince ??= now;
      return {
        key,
        // The jobs the user is looking at come before the newest ones handed in.
        priority: looking.has(key) || now - addedAt < PRIORITY_RECENT_MS,
        addedAt: looking.has(key) ? Number.MAX_SAFE_INTEGER : Number.isFinite(addedAt) ? addedAt : 0,
        lastAskedAt: e.askedAt ?? null,
        waitingSince: e.waitingSince,
        changedAt: Number.isFinite(changedAt) ? changedAt : now,
      };
    }),
    now,
    { allowance, activeMs, maxPerSecond, periodMs: ctx.budget.periodMs },
  );
  ctx.budget.spend(plan.length);
  return plan.map((k) => byKey.get(k)!);
}

/** Asks about `due` with at most `concurrency` requests at once; a lost service or refused license stops it. */
async function askAll(ctx: ScriptxContext, c: ScriptxClient, due: Entry[], signal: AbortSignal, out: Asked): Promise<void> {
  const { clock } = ctx.deps;
  let next = 0;
  const worker = async () => {
    while (next < due.length && !out.fatal && !signal.aborted) {
      const e = due[next++];
      try {
        out.jobs.push(await applyAnswer(ctx, e, await askStatus(ctx, c, e, signal)));
        out.answered++;
      } catch (err) {
        if (isAbort(err, signal)) return;
        if (isNotFound(err)) {
          const { job, finished } = forgottenJob(ctx, e);
          out.jobs.push(job);
          if (!finished) out.gone.push(keyOf(ctx, e.token));
          out.answered++;
          await markFinished(ctx, e);
          continue;
        }
        if (err instanceof HttpError && (err.kind === 'unreachable' || err.kind === 'timeout' || (err.kind === 'http' && err.status === 401))) {
          out.fatal ??= toSourceError(err, ctx);
          continue;
        }
        if (err instanceof HttpError && err.retryAfterMs !== null) {
          out.retryAfterMs = Math.max(out.retryAfterMs ?? 0, err.retryAfterMs);
          ctx.quietUntil = Math.max(ctx.quietUntil, clock.now() + err.retryAfterMs);
        }
        out.problems.push(jobProblem(e, err));
        out.failedKeys.push(keyOf(ctx, e.token));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, due.length) }, worker));
}

/**
 * The informational answers (description, license), read after the statuses: a failure here is
 * named in the health, never a reason to leave jobs unpolled (only an unreachable service or a
 * refused license stops the poll).
 */
async function readInfo(ctx: ScriptxContext, c: ScriptxClient, signal: AbortSignal): Promise<void> {
  const notes: string[] = [];
  const read = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      if (err instanceof HttpError && (err.kind === 'unreachable' || (err.kind === 'http' && err.status === 401))) throw toSourceError(err, ctx);
      notes.push(`${what} could not be read (${toSourceError(err, ctx).message.replace(/\.$/, '')}); job statuses are still followed.`);
    }
  };
  await read('The service description (GET /api/)', () => describe(ctx, c, signal));
  await read('The license details', async () => {
    ctx.lastLicense = await c.licensing(signal);
  });
  ctx.infoNotes = notes;
  if (notes.length === 2 && [...ctx.entries.values()].every((e) => e.finished)) {
    // Nothing answers and there is no job to follow: the service is failing as a whole.
    throw new SourceError('degraded', notes.join(' '), { detail: { baseUrl: ctx.found?.baseUrl ?? null } });
  }
}

/** The health line: where the service is, its version and the license's end when near. */
function serviceHealth(ctx: ScriptxContext): { message: string; detail: Record<string, unknown> } {
  const { found } = ctx;
  const detail: Record<string, unknown> = { baseUrl: found?.baseUrl ?? null, foundBy: found?.foundBy ?? null };
  const version = formatVersion(ctx.description?.serviceVersion);
  if (version) detail.version = version;
  let message = `ScriptX.Services${version ? ` ${version}` : ''} found by ${found?.foundBy ?? 'configured URL'} at ${found?.baseUrl}.`;
  const licenseInfo = ctx.lastLicense;
  if (licenseInfo) {
    const days = expiresInDays(ctx, licenseInfo.to);
    if (days !== null) detail.licenseExpiresInDays = days;
    // The service decides whether it prints with an expired license: the monitor warns and goes on.
    const whose = `The ScriptX license${licenseInfo.company ? ` of ${licenseInfo.company}` : ''}`;
    const end = licenseInfo.to?.slice(0, 10);
    if (days !== null && days < 0) message += ` ${whose} expired on ${end}; jobs are still followed.`;
    else if (days === 0) message += ` ${whose} expires today (${end}).`;
    else if (days !== null && days <= LICENSE_WARNING_DAYS) message += ` ${whose} expires in ${days} day${days === 1 ? '' : 's'} (${end}).`;
  }
  return { message, detail };
}

/** The poll's answer from what was asked: a degraded health names the problems, the engine backs off when all failed. */
function pollResult(ctx: ScriptxContext, a: Asked): PollResult {
  const { jobs, gone, problems, failedKeys, retryAfterMs } = a;
  const { message, detail } = serviceHealth(ctx);
  if (ctx.infoNotes.length > 0 && problems.length === 0 && retryAfterMs === undefined) {
    detail.problems = ctx.infoNotes;
    return { jobs, complete: false, gone, health: { status: 'degraded', message: `${message} ${ctx.infoNotes.join(' ')}`, detail } };
  }
  if (problems.length > 0) {
    detail.problems = problems;
    const summary = andMore(problems);
    // Every status request of this poll failed while the service answers otherwise: a failed
    // poll, so the engine backs off (and obeys Retry-After) instead of asking again at once.
    if (failedKeys.length > 0 && a.answered === 0 && gone.length === 0) {
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

export async function poll(ctx: ScriptxContext, pollCtx: PollContext): Promise<PollResult> {
  const { signal } = pollCtx;
  const { clock } = ctx.deps;
  // The persisted list is re-read now and then (the CLI may add tokens), not on every fast cycle.
  if (!ctx.loaded || pollCtx.mode === 'full' || clock.now() - ctx.lastSyncAt >= TRACKED_SYNC_MS) {
    ctx.lastSyncAt = clock.now();
    await syncTracked(ctx);
  }
  let c: ScriptxClient;
  try {
    c = await connect(ctx, signal);
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    throw toSourceError(err, ctx);
  }

  const asked: Asked = { jobs: [], gone: [], problems: [], failedKeys: [], answered: 0, fatal: null };
  const now = clock.now();
  for (const e of ctx.entries.values()) {
    if (!e.last) continue;
    // ScriptX.Services answers a final status once. One read in a poll that then failed, or whose
    // answer the engine dropped (a poll canceled by sleep or a settings change), is reported again
    // for as long as the engine still has the job in progress.
    const untaken = e.finished && pollCtx.activeJobs.has(e.last.key);
    if (e.unreported || untaken) {
      asked.jobs.push(e.last);
      e.unreported = false;
    }
  }
  const askable = [...ctx.entries.values()].filter((e) => {
    if (e.finished) return false;
    // A job waiting for its output to be collected, or in an unknown state, goes at the idle rate.
    const slow = e.last !== null && (e.last.state === 'paused' || e.last.state === 'unknown');
    if (slow && pollCtx.mode === 'active') return false;
    return mayAsk(ctx, e, now);
  });
  const due = pollCtx.oneShot ? askable : withinBudget(ctx, askable, pollCtx, now);

  if (now >= ctx.quietUntil) await askAll(ctx, c, due, signal, asked);
  else asked.retryAfterMs = ctx.quietUntil - now;
  if (signal.aborted) throw new HttpError('aborted', 'The poll was canceled', { target: 'poll' });
  if (asked.fatal) throw asked.fatal;
  // A poll whose every status failed fails without the informational answers.
  const allStatusesFailed = asked.failedKeys.length > 0 && asked.answered === 0 && asked.gone.length === 0;
  if (pollCtx.mode === 'full' && !allStatusesFailed && asked.retryAfterMs === undefined) await readInfo(ctx, c, signal);
  return pollResult(ctx, asked);
}
