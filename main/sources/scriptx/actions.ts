/**
 * What can be done to a ScriptX job: cancel it while it is being prepared (ScriptX.Services 2.10
 * and later; never a PDF job, never once pages print), and save the output of a job printed to a
 * file (which collects it from the service).
 */
import { AppFailure, type Job } from '../../../preload/contract/model';
import type { JobAction, SourceJob } from '../../queue/source';
import { errorWords } from '../shared';
import { askStatus, connect, describeOrNull, iso, markFinished, type Entry, type ScriptxContext } from './context';
import { compareVersion, formatVersion, type JobStatusAnswer, type ScriptxClient } from './client';
import { CANCEL_VERSION_MESSAGE, isNotFound, toActionFailure } from './errors';
import { toSourceJob } from './mapping';
import { applyAnswer, entryFromTracked } from './tracked';
import { CANCELLABLE_CODES, JOB_STATUS, PDF_CANCEL_REASON, PRINTING_CODES, TOO_LATE_REASON, rawStateOf } from './states';

/** MeadCo's ServiceClasses value of an On-Premise server (cancel there predates 2.10). */
const ON_PREMISE = 2;

function tooLate(ctx: ScriptxContext): AppFailure {
  return new AppFailure('too-late', `The job cannot be canceled: ${TOO_LATE_REASON}.`, { sourceId: ctx.config.id });
}

/** The client for a cancel, once the job and the service's version allow one. */
async function cancellable(ctx: ScriptxContext, job: Job, signal: AbortSignal): Promise<ScriptxClient> {
  const sourceId = ctx.config.id;
  const code = typeof job.extra.statusCode === 'number' ? job.extra.statusCode : null;
  if (job.gone || job.state === 'completed' || job.state === 'failed' || job.state === 'canceled') {
    throw new AppFailure('conflict', `This job has already finished (${job.rawState}); there is nothing to cancel.`, { sourceId });
  }
  if (code !== null && PRINTING_CODES.has(code)) throw tooLate(ctx);
  if (job.extra.kind === 'pdf' || ctx.entries.get(job.nativeId)?.kind === 'pdf') throw new AppFailure('unsupported', `The job cannot be canceled: ${PDF_CANCEL_REASON}.`, { sourceId });
  try {
    const c = await connect(ctx, signal);
    const d = await describeOrNull(ctx, c, signal);
    if (d?.serviceVersion && d.serviceClass !== ON_PREMISE && compareVersion(d.serviceVersion, '2.10') < 0) {
      throw new AppFailure('unsupported', `The job cannot be canceled: ${CANCEL_VERSION_MESSAGE} (this is ${formatVersion(d.serviceVersion)}).`, { sourceId });
    }
    return c;
  } catch (err) {
    throw toActionFailure(err, ctx, 'Canceling the job');
  }
}

async function cancel(ctx: ScriptxContext, job: Job, signal: AbortSignal): Promise<SourceJob> {
  const sourceId = ctx.config.id;
  const c = await cancellable(ctx, job, signal);
  const e: Entry = ctx.entries.get(job.nativeId) ?? entryFromTracked({ sourceId, id: job.nativeId, kind: job.extra.kind === 'pdf' ? 'pdf' : 'html', addedAt: job.createdAt ?? iso(ctx) });
  ctx.entries.set(e.token, e);
  let answer: JobStatusAnswer;
  try {
    answer = await c.cancel(e.token, signal);
  } catch (err) {
    if (isNotFound(err)) {
      if (err.serviceMessage && /job not found/i.test(err.serviceMessage)) {
        await markFinished(ctx, e);
        throw new AppFailure('not-found', 'ScriptX.Services no longer knows this job; it has finished and been removed.', { sourceId });
      }
      throw new AppFailure('unsupported', `The job cannot be canceled: ${CANCEL_VERSION_MESSAGE}.`, { sourceId });
    }
    throw toActionFailure(err, ctx, 'Canceling the job');
  }
  if (PRINTING_CODES.has(answer.status)) {
    toSourceJob(ctx, e, answer);
    e.unreported = true;
    throw tooLate(ctx);
  }
  if (CANCELLABLE_CODES.has(answer.status)) {
    // Being prepared: the service was asked to stop it. Polling follows the job to -2 Abandoned
    // or to a later state, and the job says which happened.
    e.cancelRequested = true;
    if (e.finished) e.finished = false;
    return applyAnswer(ctx, e, answer);
  }
  if (answer.status === JOB_STATUS.Abandoned) e.cancelRequested = true;
  const after = await applyAnswer(ctx, e, answer);
  if (after.state !== 'canceled') {
    const said = answer.message ? `: "${answer.message}"` : '';
    e.unreported = true;
    throw new AppFailure('conflict', `ScriptX.Services did not cancel the job; it answered ${rawStateOf(answer.status)}${said}.`, { sourceId });
  }
  return after;
}

export async function act(ctx: ScriptxContext, job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
  if (action.type !== 'cancel') throw new AppFailure('unsupported', 'ScriptX.Services jobs can be canceled, not aborted.', { sourceId: ctx.config.id });
  return cancel(ctx, job, signal);
}

function safeFileName(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f<>:"/\\|?*]+/g, '_').trim();
  return cleaned.slice(0, 120) || 'output';
}

/** Saves the output of a job printed to a file; the service then reports it Collected. */
export async function downloadOutput(ctx: ScriptxContext, job: Job, signal: AbortSignal): Promise<{ bytes: Uint8Array; suggestedName: string; contentType: string }> {
  const sourceId = ctx.config.id;
  const e = ctx.entries.get(job.nativeId);
  if (!e || !e.toFile) throw new AppFailure('not-allowed', 'This job was printed to a printer, not to a file; there is no output to save.', { sourceId });
  if (e.finished || !(e.last?.extra.outputReady === true)) {
    throw new AppFailure('conflict', `The output is not waiting to be collected (the job is ${e.last?.rawState ?? job.rawState}).`, { sourceId });
  }
  let out: { bytes: Uint8Array; contentType: string };
  let c: ScriptxClient;
  try {
    c = await connect(ctx, signal);
    out = await c.download(e.kind, e.token, signal);
  } catch (err) {
    if (isNotFound(err)) {
      await markFinished(ctx, e);
      throw new AppFailure('not-found', 'ScriptX.Services no longer has the output of this job.', { sourceId });
    }
    throw toActionFailure(err, ctx, 'Saving the output');
  }
  // The job is Collected now: read that state once so the queue shows it.
  try {
    await applyAnswer(ctx, e, await askStatus(ctx, c, e, signal));
    e.unreported = true;
  } catch (err) {
    ctx.deps.logger.debug('The status after collecting the output was not read', { sourceId, error: errorWords(err) });
  }
  const base = e.submission?.request.printToFileName?.split(/[\\/]/).pop() || `scriptx-job-${e.token}.pdf`;
  const suggestedName = safeFileName(/\.[a-z0-9]{2,5}$/i.test(base) ? base : `${base}.pdf`);
  return { bytes: out.bytes, suggestedName, contentType: out.contentType };
}
