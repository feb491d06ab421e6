/**
 * One poll of AODocs. AODocs has no webhooks, so it is polled. The fast ('active') cycle lists only
 * IN_PROGRESS jobs of each library and looks up, one by one, the jobs that were active and have
 * left that list (so their completion is seen); it reports a partial list. The idle ('full') cycle
 * lists each library by last activity, bounded to a few pages, and says the list is complete only
 * when every page of every library answered and every vanished active job was looked up.
 */
import { HttpError } from '../../http/client';
import { SourceError, type PollContext, type PollResult } from '../../queue/source';
import { andMore, errorWords, isAbort, markTrackedFinished } from '../shared';
import type { ApiJob, ListJobsParams } from './client';
import { FINAL_STATUSES, mapJob, type AodocsContext } from './context';
import { describeProblem, toSourceError } from './errors';

interface LibraryProblem {
  libraryId: string | null;
  message: string;
  err: unknown;
}

async function listLibrary(ctx: AodocsContext, libraryId: string, mode: PollContext['mode'], signal: AbortSignal): Promise<{ jobs: ApiJob[]; truncated: boolean }> {
  const params: ListJobsParams = mode === 'active' ? { status: 'IN_PROGRESS', pageSize: ctx.pageSize } : { orderBy: 'lastActivity desc', pageSize: ctx.pageSize };
  const maxPages = mode === 'active' ? ctx.maxActivePages : ctx.maxFullPages;
  const jobs: ApiJob[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await ctx.client.listJobs(libraryId, { ...params, pageToken }, signal);
    jobs.push(...res.jobList);
    pageToken = res.nextPageToken ?? undefined;
    if (!pageToken) return { jobs, truncated: false };
  }
  return { jobs, truncated: true };
}

/** Bounded, and rotating so that none starves: the rest are looked up in a later poll. */
function lookupBatch<T>(ctx: AodocsContext, lookups: Map<string, T>): { batch: [string, T][]; skipped: number } {
  const skipped = Math.max(0, lookups.size - ctx.maxLookups);
  const pending = [...lookups];
  const start = skipped > 0 ? ctx.lookupCursor % pending.length : 0;
  const batch = [...pending.slice(start), ...pending.slice(0, start)].slice(0, ctx.maxLookups);
  ctx.lookupCursor = skipped > 0 ? start + batch.length : 0;
  return { batch, skipped };
}

/**
 * The library's name as AODocs gives it, for the Printer column and filter: asked once (again
 * after a while when that failed), never for a library the settings name. Best effort: a failure
 * leaves the id in the name's place and never changes the poll's health.
 */
async function learnLibraryName(ctx: AodocsContext, libraryId: string, signal: AbortSignal): Promise<void> {
  if (!ctx.readLibraryNames || ctx.libraryNames.has(libraryId)) return;
  const now = ctx.deps.clock.now();
  const asked = ctx.libraryNameAskedAt.get(libraryId);
  if (asked !== undefined && now - asked < ctx.libraryNameRetryMs) return;
  ctx.libraryNameAskedAt.set(libraryId, now);
  try {
    const name = (await ctx.client.getLibrary(libraryId, signal)).name?.trim();
    // Settings saved meanwhile win; a name AODocs does not give leaves the id.
    if (name && !ctx.config.libraryNames?.[libraryId]) ctx.libraryNames.set(libraryId, name);
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    ctx.deps.logger.debug('AODocs: the name of a library could not be read', { sourceId: ctx.config.id, libraryId, error: errorWords(err) });
  }
}

export async function poll(ctx: AodocsContext, pollCtx: PollContext): Promise<PollResult> {
  const { config, deps, client } = ctx;
  const { signal } = pollCtx;
  const found = new Map<string, ApiJob>();
  const problems: LibraryProblem[] = [];
  let truncated = false;
  let retryAfterMs: number | undefined;

  const noteProblem = (err: unknown, libraryId: string | null) => {
    if (err instanceof HttpError && err.retryAfterMs !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, err.retryAfterMs);
    problems.push({ libraryId, message: describeProblem(err, libraryId), err });
  };
  const sourceWide = (err: unknown) => {
    if (isAbort(err, signal)) throw err;
    const wide = toSourceError(err, ctx);
    if (wide) throw wide;
  };

  for (const libraryId of config.libraryIds) {
    try {
      const res = await listLibrary(ctx, libraryId, pollCtx.mode, signal);
      for (const j of res.jobs) found.set(j.jobId, j);
      if (res.truncated) truncated = true;
      await learnLibraryName(ctx, libraryId, signal);
    } catch (err) {
      sourceWide(err);
      noteProblem(err, libraryId);
    }
  }
  if (problems.length === config.libraryIds.length) {
    throw new SourceError('degraded', andMore(problems.map((p) => p.message), ['library', 'libraries']), {
      retryAfterMs: retryAfterMs ?? null,
      detail: { problems: problems.map((p) => ({ libraryId: p.libraryId, message: p.message })) },
      cause: problems[0].err,
    });
  }

  // Jobs to look up one by one: active ones that left the listing, and tracked ids not seen.
  const lookups = new Map<string, { tracked: boolean }>();
  for (const job of pollCtx.activeJobs.values()) {
    if (job.sourceId !== config.id || found.has(job.nativeId)) continue;
    lookups.set(job.nativeId, { tracked: false });
  }
  let trackedIds: string[] = [];
  try {
    trackedIds = (await deps.tracked.list(config.id)).filter((t) => !t.finishedAt).map((t) => t.id);
  } catch (err) {
    noteProblem(new Error(`the tracked AODocs job ids could not be read (${errorWords(err)})`), null);
  }
  for (const id of trackedIds) {
    const f = found.get(id);
    if (f) {
      if (FINAL_STATUSES.has(f.status)) await markTrackedFinished(deps, config.id, id, 'AODocs');
      continue;
    }
    lookups.set(id, { tracked: true });
  }

  const gone: string[] = [];
  const stale: string[] = [];
  const { batch, skipped } = lookupBatch(ctx, lookups);
  for (const [id, { tracked }] of batch) {
    try {
      const job = await client.getJob(id, signal);
      found.set(job.jobId, job);
      if (tracked && FINAL_STATUSES.has(job.status)) await markTrackedFinished(deps, config.id, id, 'AODocs');
    } catch (err) {
      sourceWide(err);
      if (err instanceof HttpError && err.kind === 'http' && err.status === 404) {
        gone.push(`${config.id}:${id}`);
        if (tracked) await markTrackedFinished(deps, config.id, id, 'AODocs');
        continue;
      }
      stale.push(`${config.id}:${id}`);
      noteProblem(err, null);
    }
  }

  const jobs = [...found.values()].map((j) => mapJob(ctx, j));
  const complete = pollCtx.mode === 'full' && problems.length === 0 && !truncated && skipped === 0;
  const active = jobs.filter((j) => j.state === 'processing').length;
  deps.logger.debug('AODocs poll', { sourceId: config.id, mode: pollCtx.mode, jobs: jobs.length, active, problems: problems.length, complete });

  const libraries = config.libraryIds.length;
  const result: PollResult = {
    jobs,
    complete,
    health:
      problems.length === 0
        ? { status: 'ok', message: `${active} AODocs ${active === 1 ? 'job' : 'jobs'} in progress in ${libraries} ${libraries === 1 ? 'library' : 'libraries'}.` }
        : {
            status: 'degraded',
            message: andMore(problems.map((p) => p.message), ['problem', 'problems']),
            detail: { problems: problems.map((p) => ({ libraryId: p.libraryId, message: p.message })) },
          },
  };
  if (gone.length) result.gone = gone;
  if (stale.length) result.stale = stale;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}
