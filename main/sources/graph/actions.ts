/**
 * Actions on one Universal Print job: cancel (the user's own jobs), abort (admin mode, through the
 * printer), and the details read on demand (documents, tasks, facts).
 */
import { AppFailure, type Job, type JobDetails } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import type { JobAction, SourceJob } from '../../queue/source';
import { ADMIN_READ_SCOPES } from './auth';
import { PrintJobSchema, SharePrinterSchema, seg, type PrintJob } from './client';
import { knownUpn, mapCtx, targetFor, whereOf, type GraphContext } from './context';
import { toActionFailure } from './errors';
import { toSourceJob } from './mapping';

/**
 * The printer behind a share: `GET /print/shares/{id}?$expand=printer`, which needs
 * Printer.Read.All and the Printer Administrator role — the admin app in admin mode, or the
 * signed-in administrator when printers are watched. null for everyone else.
 */
export async function sharePrinterId(ctx: GraphContext, shareId: string, signal: AbortSignal): Promise<string | null> {
  const known = ctx.sharePrinters.get(shareId);
  if (known) return known;
  // With the signed-in administrator's own (delegated) token: Graph has no application permission
  // for reading a printer share ("Get printerShare": Application, not supported), admin mode or not.
  if (!(ctx.admin || ctx.config.printers?.length || ctx.scopeAll)) return null;
  const as = { scopes: [...new Set([...ctx.readScopes, ...ADMIN_READ_SCOPES])] };
  let printerId: string | null;
  try {
    printerId = (await ctx.client.send({ method: 'GET', path: `/print/shares/${seg(shareId)}?$expand=printer`, signal, ...as }, SharePrinterSchema)).data.printer?.id ?? null;
  } catch (e) {
    throw toActionFailure(e, ctx, 'read-printer', `read the printer of share "${targetFor(ctx, 'shares', shareId).name}"`);
  }
  if (printerId) ctx.sharePrinters.set(shareId, printerId);
  return printerId;
}

async function fetchJob(ctx: GraphContext, job: Job, signal: AbortSignal, expand: boolean): Promise<PrintJob> {
  const w = whereOf(ctx, job);
  try {
    const res = await ctx.client.send(
      { method: 'GET', path: `/print/${w.via}/${seg(w.ownerId)}/jobs/${seg(w.jobId)}${expand ? '?$expand=documents,tasks' : ''}`, signal, scopes: ctx.readScopes },
      PrintJobSchema,
    );
    return res.data;
  } catch (e) {
    throw toActionFailure(e, ctx, 'read-job', 'read the job', { key: job.key });
  }
}

async function cancel(ctx: GraphContext, job: Job, signal: AbortSignal): Promise<void> {
  const sourceId = ctx.config.id;
  const w = whereOf(ctx, job);
  if (job.gone) throw new AppFailure('not-found', 'Universal Print no longer knows this job.', { sourceId });
  if (isFinal(job)) {
    throw new AppFailure('too-late', `The job is already ${job.rawState}; it can no longer be canceled.`, { sourceId });
  }
  try {
    await ctx.client.send({ method: 'POST', path: `/print/${w.via}/${seg(w.ownerId)}/jobs/${seg(w.jobId)}/cancel`, signal, scopes: ctx.readScopes });
  } catch (e) {
    const f = toActionFailure(e, ctx, 'cancel', 'cancel the job', { key: job.key });
    if (f.code === 'conflict' && /already|no longer/i.test(f.message)) throw new AppFailure('too-late', f.message, { sourceId });
    throw f;
  }
  ctx.deps.logger.info('Universal Print job canceled', { sourceId, key: job.key });
}

async function abort(ctx: GraphContext, job: Job, reason: string, signal: AbortSignal): Promise<void> {
  const sourceId = ctx.config.id;
  const w = whereOf(ctx, job);
  if (!ctx.admin || !ctx.appTokens) {
    throw new AppFailure('unsupported', 'Abort needs admin mode (application permissions through client credentials); turn it on for this source in Settings.', { sourceId });
  }
  if (w.via !== 'printers') {
    throw new AppFailure('unsupported', 'Abort works on jobs watched through their printer; add the printer to "printers" in the settings.', { sourceId });
  }
  if (!job.rawState.startsWith('processing')) {
    throw new AppFailure('too-late', `Only a processing job can be aborted; this one is ${job.rawState}.`, { sourceId });
  }
  try {
    await ctx.client.send({ method: 'POST', path: `/print/printers/${seg(w.ownerId)}/jobs/${seg(w.jobId)}/abort`, body: reason ? { reason } : {}, signal, scopes: [], tokens: ctx.appTokens });
  } catch (e) {
    const f = toActionFailure(e, ctx, 'abort', 'abort the job', { key: job.key });
    if (f.code === 'conflict') {
      throw new AppFailure(
        'conflict',
        `${f.message.replace(/\.$/, '')}. Graph aborts a job only while a print task created by a task trigger of this app's registration is processing on it; this job has no such task (it was not handed to this app by a trigger), so it cannot be aborted from here — cancel it instead.`,
        { sourceId },
      );
    }
    throw f;
  }
  ctx.deps.logger.info('Universal Print job aborted', { sourceId, key: job.key });
}

export async function act(ctx: GraphContext, job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
  const w = whereOf(ctx, job);
  const target = targetFor(ctx, w.via, w.ownerId);
  const upn = knownUpn(ctx);
  if (action.type === 'cancel') await cancel(ctx, job, signal);
  else if (action.type === 'abort') await abort(ctx, job, action.reason, signal);
  else {
    throw new AppFailure('unsupported', `Universal Print jobs cannot be ${{ hold: 'held', release: 'released', pause: 'paused', resume: 'resumed' }[action.type]} from here.`, { sourceId: ctx.config.id });
  }
  try {
    return toSourceJob(await fetchJob(ctx, job, signal, false), target, mapCtx(ctx, upn));
  } catch {
    // The action succeeded; the follow-up read did not: report what the action implies.
    const state = action.type === 'cancel' ? 'canceled' : 'aborted';
    return toSourceJob({ id: w.jobId, createdDateTime: job.createdAt, status: { state, description: null, details: [] } }, target, mapCtx(ctx, upn));
  }
}

export async function details(ctx: GraphContext, job: Job, signal: AbortSignal): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
  const pj = await fetchJob(ctx, job, signal, true);
  const docs = (pj.documents ?? []).map((d) => ({
    id: d.id,
    name: d.displayName || null,
    contentType: d.contentType || null,
    size: d.size ?? null,
    uploadedAt: d.uploadedDateTime ?? null,
    downloadedAt: d.downloadedDateTime ?? null,
  }));
  const first = docs.find((d) => d.name);
  if (first?.name) ctx.documentNames.set(job.key, first.name);
  const facts: { label: string; value: string }[] = [{ label: 'State', value: pj.status.state + (pj.status.details?.length ? ` (${pj.status.details.join(', ')})` : '') }];
  if (pj.status.description) facts.push({ label: 'Description', value: pj.status.description });
  if (pj.createdBy?.userPrincipalName) facts.push({ label: 'Submitted by', value: pj.createdBy.userPrincipalName });
  if (pj.errorCode !== null && pj.errorCode !== undefined) facts.push({ label: 'Error code', value: String(pj.errorCode) });
  if (pj.redirectedTo) {
    const w = whereOf(ctx, job);
    const m = toSourceJob(pj, targetFor(ctx, w.via, w.ownerId), mapCtx(ctx, null));
    facts.push({ label: 'Redirected', value: String(m.extra.redirectedTo) });
  }
  if (pj.redirectedFrom) facts.push({ label: 'Redirected from', value: pj.redirectedFrom });
  if (pj.acknowledgedDateTime) facts.push({ label: 'Acknowledged by the printer', value: pj.acknowledgedDateTime });
  return {
    documents: docs,
    tasks: (pj.tasks ?? []).map((t) => ({ id: t.id, state: t.status?.state ?? 'unknown', description: t.status?.description ?? null })),
    facts,
  };
}
