/**
 * AODocs job ids handed in from outside (`pqm track`, deep links): checked with AODocs, kept in the
 * tracked store and looked up at every poll until they finish.
 */
import { AppFailure, type Job } from '../../../preload/contract/model';
import type { SourceJob } from '../../queue/source';
import type { ApiJob } from './client';
import { FINAL_STATUSES, mapJob, type AodocsContext } from './context';
import { toActionFailure } from './errors';

export async function track(ctx: AodocsContext, id: string, signal: AbortSignal): Promise<SourceJob> {
  const { config, deps } = ctx;
  const jobId = id.trim();
  if (!jobId || jobId.length > 300 || /[\s/?#\\]/.test(jobId)) {
    throw new AppFailure('invalid-input', `"${id.slice(0, 80)}" is not an AODocs job id.`, { field: 'id', sourceId: config.id });
  }
  let job: ApiJob;
  try {
    job = await ctx.client.getJob(jobId, signal);
  } catch (err) {
    throw toActionFailure(err, ctx, { nativeId: jobId }, 'track');
  }
  const entry = { sourceId: config.id, id: job.jobId, addedAt: new Date(deps.clock.now()).toISOString() } as const;
  await deps.tracked.add(FINAL_STATUSES.has(job.status) ? { ...entry, finishedAt: entry.addedAt } : entry);
  return mapJob(ctx, job);
}

export async function untrack(ctx: AodocsContext, job: Job): Promise<void> {
  await ctx.deps.tracked.remove(ctx.config.id, job.nativeId);
}
