/**
 * Universal Print jobs handed in by id (`pqm track`, deep links, printing): looked up, kept in the
 * tracked list and polled with a GET on their share or printer, watched or not, until they finish.
 */
import { AppFailure, makeJobKey, type Job } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import { describeSchemaError } from '../../http/client';
import type { TrackedJob } from '../../ports/ports';
import type { SourceJob } from '../../queue/source';
import { errorWords, markTrackedFinished } from '../shared';
import { jobUrl, placeNameSteps, run, tookPlaceName, withoutPlaceNames, type RunResult } from './batch';
import { PrintJobSchema, type PrintJob } from './client';
import { SAFE_ID, bare, currentUpn, knownUpn, mapCtx, nextStepId, placeName, targetFor, whereOf, type GraphContext, type Step, type StepProblem } from './context';
import { toActionFailure } from './errors';
import { locatorOf, parseTrackedId, toSourceJob, trackedIdOf, type JobWhere, type WatchedTarget } from './mapping';
import { discover } from './discovery';

/** A job the service reports as completed, failed or canceled. */
export const isFinalJob = (j: SourceJob | undefined): boolean => !!j && isFinal({ state: j.state, gone: false });

export interface ActiveTracked {
  entry: TrackedJob;
  where: JobWhere;
  key: string;
}

/** The tracked entries of this source still to poll (one per job). */
export async function activeTracked(ctx: GraphContext): Promise<ActiveTracked[]> {
  const { config, deps } = ctx;
  let list: TrackedJob[];
  try {
    list = await deps.tracked.list(config.id);
  } catch (e) {
    deps.logger.warn('Universal Print: the tracked job ids could not be read; only the job lists are polled', { sourceId: config.id, error: errorWords(e) });
    return [];
  }
  const out = new Map<string, ActiveTracked>();
  for (const entry of list) {
    if (entry.finishedAt) continue;
    const where = parseTrackedId(entry.id, entry.submission);
    if (!where || !SAFE_ID.test(where.ownerId) || !SAFE_ID.test(where.jobId)) continue;
    const key = makeJobKey(config.id, locatorOf(where.ownerId, where.jobId));
    if (!out.has(key)) out.set(key, { entry, where, key });
  }
  return [...out.values()];
}

/** Marks the tracked entries whose job is final or purged as finished: kept, never polled again. */
export async function finishTracked(ctx: GraphContext, list: ActiveTracked[], done: (key: string) => boolean): Promise<void> {
  for (const t of list) if (done(t.key)) await markTrackedFinished(ctx.deps, ctx.config.id, t.entry.id, 'Universal Print');
}

/** The places a job id is looked for: every watched one, or the one the locator names. */
function placesToSearch(ctx: GraphContext, ownerId: string | null, jobId: string): WatchedTarget[] {
  if (ownerId !== null) {
    const watched = ctx.targets.filter((t) => t.id === ownerId);
    return watched.length ? watched : [bare('shares', ownerId), bare('printers', ownerId)];
  }
  if (!ctx.targets.length) {
    throw new AppFailure('not-found', `Universal Print job "${jobId}" cannot be looked for: "${ctx.name}" watches no share or printer. Choose shares in Settings, or give the job as <share id>/<job id>.`, { sourceId: ctx.config.id });
  }
  return [...ctx.targets];
}

/** Why a job id was found nowhere: throttled, unreachable, not allowed, or not there. */
function notFoundFailure(ctx: GraphContext, res: RunResult, places: WatchedTarget[], ownerId: string | null, jobId: string): AppFailure {
  const sourceId = ctx.config.id;
  // Probing an unwatched id as a printer too: a refusal there only means it is no printer this
  // account may read.
  const probing = ownerId !== null && !ctx.targets.some((t) => t.id === ownerId);
  const quiet = (p: StepProblem) => probing && p.step.target?.via === 'printers' && p.status === 403;
  const missing = res.problems.filter((p) => p.status !== 404 && !quiet(p));
  const lookedAt = places.filter((t) => !res.problems.some((p) => p.step.target === t && p.status !== 404) && !res.throttled.some((st) => st.target === t));
  const notFoundOn = lookedAt.length ? `Universal Print has no job "${jobId}" on ${lookedAt.map(placeName).join(', ')}` : null;
  if (res.throttled.length) {
    // A place that could not be searched may hold the job: not "not found", but "try again".
    const wait = Math.ceil((res.retryAfterMs ?? 1000) / 1000);
    return new AppFailure(
      'unreachable',
      `Universal Print is throttling requests, so job "${jobId}" could not be looked for on ${res.throttled.map((st) => placeName(st.target!)).join(', ')}${notFoundOn ? ` (${notFoundOn.replace(/^Universal Print has/, 'there is')})` : ''}; try again in ${wait} s.`,
      { sourceId },
    );
  }
  const failed = missing.filter((p) => !p.forbidden);
  if (failed.length) return new AppFailure('unreachable', `${notFoundOn ? `${notFoundOn}, but ` : ''}${failed.map((p) => p.message.replace(/\.$/, '')).join('; ')}; try again.`, { sourceId });
  if (!notFoundOn) return new AppFailure('not-allowed', missing[0].message, { sourceId });
  // Places the account may not read are named, since the job may be there.
  return new AppFailure('not-found', `${notFoundOn}${missing.length ? ` (not searched: ${missing.map((p) => p.message.replace(/\.$/, '')).join('; ')})` : ''}.`, { sourceId });
}

/** Keeps the job in the tracked list (again, when it was finished and is not any more). */
async function remember(ctx: GraphContext, where: JobWhere, job: SourceJob): Promise<void> {
  const { config, deps } = ctx;
  const storedId = trackedIdOf(where);
  const at = new Date(deps.clock.now()).toISOString();
  const existing = (await deps.tracked.list(config.id)).find((t) => t.id === storedId);
  if (existing) {
    if (existing.finishedAt && !isFinalJob(job)) await deps.tracked.update(config.id, storedId, { finishedAt: undefined });
  } else {
    await deps.tracked.add({ sourceId: config.id, id: storedId, addedAt: at, ...(isFinalJob(job) ? { finishedAt: at } : {}) });
  }
}

/**
 * Tracks a job id handed in from outside. A Graph job id is unique per printer only, so a plain
 * id is looked for on every watched share and printer (one batched GET each); the locator form
 * `<share or printer id>/<job id>` names the place, watched or not. The job is then kept in the
 * tracked list and polled with a GET on its share or printer even when that one is not watched.
 */
export async function track(ctx: GraphContext, id: string, signal: AbortSignal): Promise<SourceJob> {
  const sourceId = ctx.config.id;
  const raw = id.trim();
  const slash = raw.indexOf('/');
  const jobId = slash >= 0 ? raw.slice(slash + 1) : raw;
  const ownerId = slash >= 0 ? raw.slice(0, slash) : null;
  if (!SAFE_ID.test(jobId) || (ownerId !== null && !SAFE_ID.test(ownerId))) {
    throw new AppFailure('invalid-input', `"${raw.slice(0, 80)}" is not a Universal Print job id (or <share or printer id>/<job id>).`, { field: 'id', sourceId });
  }
  try {
    const upn = ctx.scopeAll ? null : await currentUpn(ctx, signal);
    if (ctx.discoveredAt === null) await discover(ctx, signal);
    const places = placesToSearch(ctx, ownerId, jobId);
    const hits: { target: WatchedTarget; pj: PrintJob }[] = [];
    const steps: Step[] = places.map((t) => {
      const where: JobWhere = { via: t.via, ownerId: t.id, jobId };
      return { id: nextStepId(ctx), url: jobUrl(where, 'documents'), kind: 'job', op: 'read-job', target: t, where };
    });
    // A place nobody watches is named by its share's (or printer's) name, read in the same batch.
    const nameSteps = placeNameSteps(ctx, places.map((t) => ({ via: t.via, ownerId: t.id })));
    const res = withoutPlaceNames(ctx, await run(ctx, [...steps, ...nameSteps], signal, (step, body) => {
      if (tookPlaceName(ctx, step, body)) return { next: null, error: null };
      const one = PrintJobSchema.safeParse(body);
      if (!one.success) return { next: null, error: `Universal Print answered job "${jobId}" on ${placeName(step.target!)} with an unexpected shape (${describeSchemaError(one.error)}).` };
      hits.push({ target: step.target!, pj: one.data });
      return { next: null, error: null };
    }));
    // The first hit in watch order wins; several places showing the very same job (a share and
    // its printer) are one job. Different jobs with the id are ambiguous.
    hits.sort((a, b) => places.indexOf(a.target) - places.indexOf(b.target));
    const identity = (pj: PrintJob) => JSON.stringify([pj.id, pj.createdDateTime ?? null, pj.createdBy?.id ?? pj.createdBy?.userPrincipalName ?? null]);
    const distinct = new Map<string, WatchedTarget[]>();
    for (const h of hits) distinct.set(identity(h.pj), [...(distinct.get(identity(h.pj)) ?? []), h.target]);
    if (distinct.size > 1) {
      throw new AppFailure(
        'conflict',
        `Universal Print job id "${jobId}" names different jobs on ${hits.map((h) => placeName(h.target)).join(', ')}; a job id is unique per printer only, so the app cannot tell which one is meant. Watch only the share the job was sent to, or open the job from the queue.`,
        { sourceId },
      );
    }
    if (!hits.length) throw notFoundFailure(ctx, res, places, ownerId, jobId);
    const hit = hits[0];
    const where: JobWhere = { via: hit.target.via, ownerId: hit.target.id, jobId };
    const job = toSourceJob(hit.pj, targetFor(ctx, where.via, where.ownerId), mapCtx(ctx, upn ?? knownUpn(ctx)));
    await remember(ctx, where, job);
    ctx.goneKeys.delete(job.key);
    ctx.deps.logger.info('Universal Print job tracked', { sourceId, key: job.key });
    return job;
  } catch (e) {
    throw toActionFailure(e, ctx, 'read-job', `look up job "${jobId}"`);
  }
}

export async function untrack(ctx: GraphContext, job: Job): Promise<void> {
  const w = whereOf(ctx, job);
  for (const t of await ctx.deps.tracked.list(ctx.config.id)) {
    const tw = parseTrackedId(t.id, t.submission);
    if (tw && tw.via === w.via && tw.ownerId === w.ownerId && tw.jobId === w.jobId) await ctx.deps.tracked.remove(ctx.config.id, t.id);
  }
}
