/**
 * Actions on one IPP job: Cancel-Job, Hold-Job and Release-Job, the look-up of one job
 * (Get-Job-Attributes), and the details read on demand.
 */
import { AppFailure, type Job, type JobDetails } from '../../../preload/contract/model';
import type { JobAction, SourceJob } from '../../queue/source';
import { IPP_STATUS, IppStatusError } from './client';
import { OP, TAG } from './codec';
import { kw, printerUri, type IppContext } from './context';
import { toActionFailure } from './errors';
import { mapJobs } from './mapping';
import { JOB_ATTRIBUTES, JOB_STATE_NAMES, parseLocator } from './states';

const ACTIONS = {
  cancel: { op: OP.CANCEL_JOB, verb: 'cancel' },
  hold: { op: OP.HOLD_JOB, verb: 'hold' },
  release: { op: OP.RELEASE_JOB, verb: 'release' },
} as const;

/** One job as the server reports it now, or 'gone' when it no longer knows it. */
export async function lookUp(ctx: IppContext, job: Job, signal: AbortSignal): Promise<SourceJob | 'gone'> {
  const where = parseLocator(job.key.slice(ctx.config.id.length + 1));
  if (!where) return 'gone';
  try {
    const a = await ctx.client.call(printerUri(ctx, where.printerId), OP.GET_JOB_ATTRIBUTES, [{ tag: TAG.INTEGER, name: 'job-id', value: where.jobId }, kw('requested-attributes', JOB_ATTRIBUTES)], signal, `Reading job ${where.jobId}`);
    const g = a.groups.find((x) => x.tag === TAG.JOB);
    const mapped = g ? mapJobs(ctx, [g], ctx.deps.clock.now(), ctx.lastPrinters)[0] : undefined;
    return mapped ?? 'gone';
  } catch (err) {
    if (err instanceof IppStatusError && (err.status === IPP_STATUS.NOT_FOUND || err.status === IPP_STATUS.GONE)) return 'gone';
    throw err;
  }
}

export async function act(ctx: IppContext, job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
  const { config, deps } = ctx;
  if (action.type === 'abort' || action.type === 'pause' || action.type === 'resume') throw new AppFailure('unsupported', `IPP jobs can be canceled, held and released, not ${action.type === 'abort' ? 'aborted' : `${action.type}d`}.`, { sourceId: config.id });
  const { op, verb } = ACTIONS[action.type];
  const where = parseLocator(job.key.slice(config.id.length + 1));
  if (!where || job.sourceId !== config.id) throw new AppFailure('invalid-input', `"${job.key}" is not a job of ${ctx.name}.`, { sourceId: config.id, field: 'key' });
  const permission = action.type === 'cancel' ? job.cancel : job[action.type];
  if (permission && !permission.allowed) throw new AppFailure(job.gone ? 'not-found' : 'too-late', permission.reason ?? `Job ${job.nativeId} cannot be changed now.`, { sourceId: config.id });
  try {
    await ctx.client.call(printerUri(ctx, where.printerId), op, [{ tag: TAG.INTEGER, name: 'job-id', value: where.jobId }], signal, `${verb} job ${where.jobId}`);
  } catch (err) {
    const failure = toActionFailure(err, ctx, job, verb);
    deps.logger.warn('IPP job action refused', { sourceId: config.id, jobId: job.nativeId, action: verb, code: failure.code, message: failure.message });
    throw failure;
  }
  deps.logger.info('IPP job action done', { sourceId: config.id, jobId: job.nativeId, action: verb });
  try {
    const after = await lookUp(ctx, job, signal);
    if (after !== 'gone') return after;
  } catch {
    /* the action succeeded; what it implies is reported below */
  }
  const implied = action.type === 'cancel' ? { state: 'canceled' as const, rawState: '7 canceled' } : action.type === 'hold' ? { state: 'paused' as const, rawState: '4 pending-held' } : { state: 'queued' as const, rawState: '3 pending' };
  return { ...stripEngineFlags(job), ...implied };
}

export async function details(ctx: IppContext, job: Job, signal: AbortSignal): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
  let found: SourceJob | 'gone';
  try {
    found = await lookUp(ctx, job, signal);
  } catch (err) {
    throw toActionFailure(err, ctx, job, 'read');
  }
  if (found === 'gone') throw new AppFailure('not-found', `The IPP server no longer knows job ${job.nativeId}.`, { sourceId: ctx.config.id });
  const facts: { label: string; value: string }[] = [{ label: 'Job id', value: found.nativeId }];
  const code = Number.parseInt(found.rawState, 10);
  facts.push({ label: 'IPP job state', value: `${JOB_STATE_NAMES[code] ?? found.rawState}` });
  const reasons = (found.extra.stateReasons as string[] | undefined) ?? [];
  if (reasons.length) facts.push({ label: 'job-state-reasons', value: reasons.join(', ') });
  if (found.pages !== null && found.pages !== undefined) facts.push({ label: 'Pages', value: `${found.pagesPrinted ?? 0} of ${found.pages} printed` });
  if (found.sizeBytes !== null && found.sizeBytes !== undefined) facts.push({ label: 'Size', value: `${Math.round(found.sizeBytes / 1024)} KB` });
  if (found.printer) facts.push({ label: 'Printer', value: found.printer });
  return { facts };
}

function stripEngineFlags(job: Job): SourceJob {
  const { stale: _s, stuck: _k, gone: _g, lastSeenAt: _l, ...rest } = job;
  return rest;
}
