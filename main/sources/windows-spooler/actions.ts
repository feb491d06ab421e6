/**
 * What can be done to a job in a Windows print queue: cancel, pause and resume it with
 * Remove-PrintJob, Suspend-PrintJob and Resume-PrintJob (a refusal in PowerShell's words), and
 * the facts shown in its details.
 */
import { AppFailure, type Job, type JobDetails } from '../../../preload/contract/model';
import type { JobAction, SourceJob } from '../../queue/source';
import type { WindowsSpoolerContext } from './context';
import { toActionFailure } from './errors';
import { parseLocator } from './mapping';
import { STATUS_BITS, statusBitNames } from './states';

/** What a job is once Windows has done the action (the next poll confirms it). */
const IMPLIED: Record<'cancel' | 'pause' | 'resume', Partial<SourceJob>> = {
  cancel: { state: 'canceled', reason: 'Deleted', rawState: `${STATUS_BITS.Deleting} Deleting` },
  pause: { state: 'paused', reason: 'Paused', pause: { allowed: false, reason: 'The job is already paused.' }, resume: { allowed: true } },
  resume: { state: 'queued', reason: null, pause: { allowed: true }, resume: { allowed: false, reason: 'The job is not paused.' } },
};

export async function act(ctx: WindowsSpoolerContext, job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
  const { config, deps } = ctx;
  if (action.type !== 'cancel' && action.type !== 'pause' && action.type !== 'resume') {
    throw new AppFailure('unsupported', 'Jobs in a Windows print queue can be canceled, paused and resumed.', { sourceId: config.id });
  }
  if (ctx.unavailable) throw new AppFailure('unsupported', ctx.unavailable, { sourceId: config.id });
  const where = job.sourceId === config.id ? parseLocator(job.key.slice(config.id.length + 1)) : null;
  if (!where) throw new AppFailure('invalid-input', `"${job.key}" is not a job of ${ctx.name}.`, { sourceId: config.id, field: 'key' });
  const permission = action.type === 'cancel' ? job.cancel : job[action.type];
  if (permission && !permission.allowed) throw new AppFailure(job.gone ? 'not-found' : 'too-late', permission.reason ?? `Job ${job.nativeId} cannot be changed now.`, { sourceId: config.id });
  const verb = action.type;
  try {
    await ctx.host.request(action.type, { printer: where.printer, jobId: where.jobId }, signal);
  } catch (err) {
    const failure = toActionFailure(err, ctx, job, verb);
    deps.logger.warn('spooler job action refused', { sourceId: config.id, jobId: job.nativeId, action: verb, code: failure.code, message: failure.message });
    throw failure;
  }
  deps.logger.info('spooler job action done', { sourceId: config.id, jobId: job.nativeId, action: verb });
  const { stale: _s, stuck: _k, gone: _g, lastSeenAt: _l, ...rest } = job;
  const after: SourceJob = { ...rest, ...IMPLIED[action.type] };
  if (action.type === 'cancel') ctx.lastSeen.delete(job.key);
  return after;
}

export function details(job: Job): Omit<JobDetails, 'job' | 'timeline'> {
  const facts: { label: string; value: string }[] = [{ label: 'Job id', value: job.nativeId }];
  const mask = typeof job.extra.statusMask === 'number' ? job.extra.statusMask : null;
  if (mask !== null) facts.push({ label: 'StatusMask', value: `${mask}${mask ? ` (${statusBitNames(mask).join(', ')})` : ''}` });
  if (typeof job.extra.jobStatus === 'string') facts.push({ label: 'JobStatus', value: job.extra.jobStatus });
  if (job.pages != null) facts.push({ label: 'Pages', value: `${job.pagesPrinted ?? 0} of ${job.pages} printed` });
  if (job.printer) facts.push({ label: 'Printer', value: job.printer });
  return { facts };
}
