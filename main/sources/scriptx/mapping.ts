/**
 * ScriptX.Services answers as the monitor's jobs: a JobStatus for a followed token, a job the
 * service no longer reports (404), and a job printed at once (print answer Ok).
 */
import type { PrintRequest } from '../../../preload/contract/contract';
import type { SourceJob } from '../../queue/source';
import { iso, keyOf, type Entry, type ScriptxContext } from './context';
import type { JobKind } from './client';
import { CANCELLABLE_CODES, FINISHED_REASON, JOB_STATUS, reachedPrinting, toJobStatus } from './states';

/** A job that answered 404 after it was seen printing or completed: the service read out and deleted it. */
export const FORGOTTEN_REASON = 'finished — no longer reported by the service';
/** A job that answered 404 before it was seen printing. */
export const VANISHED_REASON = 'no longer reported by the service before it was seen printing';
export const CANCEL_REQUESTED_REASON = 'cancel requested — ScriptX.Services was asked to stop the job while it is being prepared';
export const CANCELED_AS_REQUESTED_REASON = 'canceled as requested';
export const CANCEL_TOO_LATE_REASON = 'the cancel request came too late — the job went on to print';

const sentence = (reason: string): string => `${reason[0].toUpperCase()}${reason.slice(1)}.`;

/** A status answer for a followed token, as the job the queue shows (also kept as the entry's last). */
export function toSourceJob(ctx: ScriptxContext, e: Entry, answer: { status: number; message?: string | null }): SourceJob {
  const st = toJobStatus(answer.status, answer.message, { toFile: e.toFile, kind: e.kind });
  if (e.code !== answer.status || !e.updatedAt) e.updatedAt = iso(ctx);
  e.code = answer.status;
  let reason: string | null = null;
  if (e.cancelRequested) {
    if (st.state === 'canceled') reason = CANCELED_AS_REQUESTED_REASON;
    else if (CANCELLABLE_CODES.has(answer.status)) {
      reason = CANCEL_REQUESTED_REASON;
      st.cancel = { allowed: false, reason: 'cancel has already been requested' };
    } else reason = CANCEL_TOO_LATE_REASON;
  }
  // A loopback service prints for this PC only; an On-Premise server serves many.
  const mine = e.submittedByApp || ctx.loopback;
  const job: SourceJob = {
    key: keyOf(ctx, e.token),
    sourceId: ctx.config.id,
    sourceKind: 'scriptx',
    nativeId: e.token,
    state: st.state,
    rawState: st.rawState,
    detail: reason && st.state !== 'canceled' ? sentence(reason) : st.detail,
    reason: reason ?? st.reason,
    document: e.document,
    owner: mine ? ctx.user : null,
    printer: e.printer,
    mine,
    createdAt: e.addedAt,
    updatedAt: e.updatedAt,
    progress: st.state === 'completed' ? 1 : null,
    cancel: st.cancel,
    extra: {
      kind: e.kind,
      statusCode: answer.status,
      toFile: e.toFile,
      outputReady: st.outputReady,
      submittedByApp: e.submittedByApp,
      ...(e.printAnswer ? { printAnswer: e.printAnswer } : {}),
      ...(e.cancelRequested ? { cancelRequested: true } : {}),
      ...(e.submittedByApp && (st.state === 'failed' || st.state === 'canceled') ? { retryable: true } : {}),
    },
  };
  e.last = job;
  return job;
}

/**
 * A job that answered 404: last seen printing or completed, it finished and the service deleted
 * it after someone read its final status; otherwise it vanished earlier (reported gone as well).
 */
export function forgottenJob(ctx: ScriptxContext, e: Entry): { job: SourceJob; finished: boolean } {
  const finished = e.code !== null && reachedPrinting(e.code);
  const at = iso(ctx);
  e.updatedAt = at;
  const reason = finished ? FORGOTTEN_REASON : VANISHED_REASON;
  const base = e.last ?? toSourceJob(ctx, e, { status: e.code ?? JOB_STATUS.NotStarted });
  const job: SourceJob = {
    ...base,
    ...(finished ? { state: 'completed' as const, progress: 1 } : {}),
    rawState: `${base.rawState}, then no longer reported`,
    detail: sentence(reason),
    reason,
    updatedAt: at,
    cancel: { allowed: false, reason: finished ? FINISHED_REASON : 'ScriptX.Services no longer reports this job' },
    extra: { ...base.extra, forgotten: true },
  };
  e.last = job;
  return { job, finished };
}

/** A document the service printed at once (print answer Ok, or no token): nothing to follow. */
export function printedJob(ctx: ScriptxContext, req: PrintRequest, p: { kind: JobKind; document: string | null; code: number; answerName: string; message: string | null | undefined }): SourceJob {
  const at = iso(ctx);
  return {
    key: keyOf(ctx, `printed-${ctx.deps.clock.now()}`),
    sourceId: ctx.config.id,
    sourceKind: 'scriptx',
    nativeId: '',
    state: 'completed',
    rawState: `${p.code} ${p.answerName}`,
    detail: p.message?.trim() || 'ScriptX.Services printed the document.',
    document: p.document,
    owner: ctx.user,
    printer: req.printer ?? null,
    mine: true,
    createdAt: at,
    updatedAt: at,
    progress: 1,
    cancel: { allowed: false, reason: FINISHED_REASON },
    extra: { kind: p.kind, printAnswer: p.answerName, submittedByApp: true },
  };
}
