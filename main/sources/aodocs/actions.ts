/**
 * Actions on one AODocs job: cancel (library administrators only), and the details read on demand
 * (its error events and what the job says of itself).
 */
import { AppFailure, type Job, type JobDetails } from '../../../preload/contract/model';
import type { JobAction, SourceJob } from '../../queue/source';
import { FINAL_STATUSES, mapJob, type AodocsContext } from './context';
import { toActionFailure } from './errors';
import { isoFromEpochMs, jobTypeWords, taskCounts, toJobState } from './states';

export async function act(ctx: AodocsContext, job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
  const { config, deps, client } = ctx;
  if (action.type !== 'cancel') throw new AppFailure('unsupported', 'AODocs jobs can be canceled, not aborted.', { sourceId: config.id });
  try {
    const after = await client.cancelJob(job.nativeId, signal);
    // The job as AODocs answers it: CANCELLED, or still IN_PROGRESS while its tasks stop (the window
    // then says the cancel was asked, not done).
    deps.logger.info('AODocs cancel answered', { sourceId: config.id, jobId: job.nativeId, status: after.status });
    return mapJob(ctx, after);
  } catch (err) {
    let failure = toActionFailure(err, ctx, job, 'cancel');
    if (failure.code === 'conflict' && !signal.aborted) {
      // AODocs refuses to cancel a job that has finished meanwhile: say so, in its state.
      const now = await client.getJob(job.nativeId, signal).catch(() => null);
      // Canceled it is: by this very request when a first attempt went through and its answer was
      // lost (a 5xx, then the retry refused with 409), or by someone else. Either way, what was asked.
      if (now?.status === 'CANCELLED') {
        deps.logger.info('AODocs job found canceled after a refused cancel', { sourceId: config.id, jobId: job.nativeId });
        return mapJob(ctx, now);
      }
      if (now && FINAL_STATUSES.has(now.status)) {
        const words = now.status === 'COMPLETED' ? 'completed' : now.status === 'FAILED' ? 'failed' : 'been canceled';
        failure = new AppFailure('too-late', `AODocs job ${job.nativeId} has already ${words}; there is nothing left to cancel.`, { sourceId: config.id });
      }
    }
    deps.logger.warn('AODocs cancel refused', { sourceId: config.id, jobId: job.nativeId, code: failure.code, message: failure.message });
    throw failure;
  }
}

export async function details(ctx: AodocsContext, job: Job, signal: AbortSignal, opts: { eventsPageToken?: string }): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
  let res;
  try {
    res = await ctx.client.listEvents(job.nativeId, { onlyErrors: true, maxResults: 100, pageToken: opts.eventsPageToken }, signal);
  } catch (err) {
    throw toActionFailure(err, ctx, job, 'read the events of');
  }
  const events = res.events.map((e) => ({
    message: e.message?.trim() || '(no message)',
    severity: e.severity?.trim() || 'ERROR',
    timestamp: typeof e.timestamp === 'number' ? isoFromEpochMs(e.timestamp) : typeof e.timestamp === 'string' && !Number.isNaN(Date.parse(e.timestamp)) ? new Date(e.timestamp).toISOString() : null,
  }));
  const facts: { label: string; value: string }[] = [];
  const api = res.job ?? null;
  const type = (api?.type ?? (job.extra.jobType as string | undefined)) || null;
  if (type) facts.push({ label: 'Job type', value: `${jobTypeWords(type)} (${type})` });
  const status = api?.status ?? job.rawState;
  facts.push({ label: 'Status', value: `${status}${toJobState(status) === 'unknown' ? ' (not known to this version)' : ''}` });
  const counts = api ? taskCounts(api) : null;
  const c = counts ?? (typeof job.extra.succeededTasks === 'number' ? { succeeded: job.extra.succeededTasks as number, failed: (job.extra.failedTasks as number) ?? 0, remaining: (job.extra.remainingTasks as number) ?? 0, retries: (job.extra.taskRetries as number) ?? 0 } : null);
  if (c) {
    facts.push({ label: 'Tasks', value: `${c.succeeded} succeeded, ${c.failed} failed, ${c.remaining} remaining` });
    facts.push({ label: 'Task retries', value: String(c.retries) });
  }
  const library = api?.libraryId ?? (job.extra.libraryId as string | undefined);
  if (library) facts.push({ label: 'Library', value: library });
  const requestor = api?.requestor ?? job.owner;
  if (requestor) facts.push({ label: 'Requested by', value: requestor });
  const started = api ? isoFromEpochMs(api.startedAt) : job.createdAt;
  if (started) facts.push({ label: 'Started', value: started });
  const last = api ? isoFromEpochMs(api.lastActivityAt) : job.updatedAt;
  if (last) facts.push({ label: 'Last activity', value: last });
  return { events, eventsNextPageToken: res.nextPageToken ?? null, facts };
}
