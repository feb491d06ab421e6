/**
 * Printing a file to a Universal Print share: create the job, create the upload session, PUT the
 * bytes in ranges to the upload URL (which carries its own authorization: no Authorization header),
 * then start the job. Cancelling an upload deletes the upload session — the uploadUrl this app
 * holds, else the Graph route `.../documents/{id}/uploadSession` — and cancels the job.
 */
import { AppFailure, type Job } from '../../../preload/contract/model';
import type { PrintRequest } from '../../../preload/contract/contract';
import { HttpError } from '../../http/client';
import type { PrintFile, PrintProgress, SourceJob } from '../../queue/source';
import { errorWords, trackPrinted, withTracking } from '../shared';
import { AuthRequiredError, PRINT_SCOPES, READ_SCOPES } from './auth';
import { PrintJobSchema, UploadProgressSchema, UploadSessionSchema, graphErrorMessage, seg, type PrintJob } from './client';
import { knownUpn, type GraphContext } from './context';
import { toActionFailure } from './errors';
import { locatorOf, toSourceJob, trackedIdOf, type Operation, type Via } from './mapping';
import { makeJobKey } from '../../../preload/contract/model';

/** Graph asks for fragments in multiples of 320 KiB. */
export const UPLOAD_FRAGMENT_UNIT = 320 * 1024;
export const DEFAULT_CHUNK_BYTES = 16 * UPLOAD_FRAGMENT_UNIT;

export interface Printing {
  print(req: PrintRequest, file: PrintFile | null, ctx: { signal: AbortSignal; onProgress?: PrintProgress }): Promise<SourceJob>;
  cancelUpload(job: Job, signal: AbortSignal, where: { via: Via; ownerId: string; jobId: string }): Promise<SourceJob>;
  retry(job: Job, signal: AbortSignal): Promise<SourceJob>;
  /** Keys of jobs whose upload is running now. */
  uploading(): string[];
  dispose(): void;
}

interface ActiveUpload {
  uploadUrl: string;
  documentId: string;
  controller: AbortController;
  /** Cancel upload took it over: it deletes the session and cancels the job itself. */
  takenOver?: boolean;
}

interface PrintingOptions {
  ctx: GraphContext;
  /**
   * The id of the printer behind a share, where this source may read it (admin mode, or printers
   * watched); null where Graph gives it to no one with the user's rights.
   */
  sharePrinterId: (shareId: string, signal: AbortSignal) => Promise<string | null>;
  /** The name of a share or printer for messages. */
  placeName: (via: Via, id: string) => string;
  chunkBytes?: number;
}

/** What printing keeps: the uploads running now and what was printed this session. */
interface PrintingState {
  ctx: GraphContext;
  p: PrintingOptions;
  /** Upload fragment size, a multiple of 320 KiB. */
  chunk: number;
  scopes: string[];
  active: Map<string, ActiveUpload>;
  /** What was printed this session, for retry (the file's bytes stay in memory only). */
  submitted: Map<string, { req: PrintRequest; file: PrintFile }>;
}

export function createPrinting(p: PrintingOptions): Printing {
  const ps: PrintingState = {
    ctx: p.ctx,
    p,
    chunk: Math.max(UPLOAD_FRAGMENT_UNIT, Math.floor((p.chunkBytes ?? DEFAULT_CHUNK_BYTES) / UPLOAD_FRAGMENT_UNIT) * UPLOAD_FRAGMENT_UNIT),
    scopes: [...READ_SCOPES, ...PRINT_SCOPES],
    active: new Map(),
    submitted: new Map(),
  };
  return {
    print: (req, file, c) => print(ps, req, file, c),
    cancelUpload: (job, signal, where) => cancelUpload(ps, job, signal, where),
    retry: (job, signal) => retry(ps, job, signal),
    uploading: () => [...ps.active.keys()],
    dispose() {
      for (const u of ps.active.values()) u.controller.abort();
    },
  };
}

function fail(ps: PrintingState, e: unknown, op: Operation, what: string): AppFailure {
  return toActionFailure(e, ps.ctx, op, what, { upload: true });
}

/** Incremental consent: the printing scopes are asked for only now, with sign-in if needed. */
async function ensurePrintConsent(ps: PrintingState, signal: AbortSignal): Promise<void> {
  const { tokens } = ps.ctx;
  const { scopes } = ps;
  try {
    await tokens.getToken({ scopes }, signal);
  } catch (e) {
    if (e instanceof AuthRequiredError && tokens.signIn) {
      await tokens.signIn({ scopes, signal });
      return;
    }
    throw e;
  }
}

function target(shareId: string) {
  return { via: 'shares' as const, id: shareId, name: shareId, state: null, details: [], description: null, isAcceptingJobs: null };
}

function mapped(ps: PrintingState, pj: PrintJob, shareId: string): SourceJob {
  const { config } = ps.ctx;
  const { ctx, submitted } = ps;
  const upn = knownUpn(ctx);
  return toSourceJob(pj, target(shareId), {
    sourceId: config.id,
    upn,
    admin: false,
    printerName: () => null,
    documentName: (k) => (submitted.get(k)?.file.name ?? null),
  });
}

async function readJob(ps: PrintingState, via: Via, ownerId: string, jobId: string, signal: AbortSignal): Promise<PrintJob> {
  const { client } = ps.ctx;
  const { scopes } = ps;
  const res = await client.send({ method: 'GET', path: `/print/${via}/${seg(ownerId)}/jobs/${seg(jobId)}?$expand=documents`, signal, scopes }, PrintJobSchema);
  return res.data;
}

async function upload(ps: PrintingState, job: SourceJob, u: ActiveUpload, file: PrintFile, onProgress?: PrintProgress): Promise<void> {
  const { client } = ps.ctx;
  const { chunk } = ps;
  const total = file.bytes.length;
  let sent = 0;
  // How often each offset was sent: a service that asks for the same bytes again and again fails
  // the upload rather than holding it for ever.
  const tries = new Map<number, number>();
  onProgress?.(0, total, job);
  while (sent < total) {
    const attempt = (tries.get(sent) ?? 0) + 1;
    tries.set(sent, attempt);
    if (attempt > 3) throw new HttpError('malformed', `the upload service asked for bytes from ${sent} a fourth time`, { target: 'PUT upload' });
    const end = Math.min(total, sent + chunk);
    const res = await client.uploadUrlRequest(
      { method: 'PUT', url: u.uploadUrl, bytes: Buffer.from(file.bytes.subarray(sent, end)), headers: { 'Content-Range': `bytes ${sent}-${end - 1}/${total}`, 'Content-Type': 'application/octet-stream' }, signal: u.controller.signal },
      UploadProgressSchema,
    );
    // The service says where it wants the next bytes ("Your app can use the nextExpectedRanges
    // value to determine where to start the next byte range"), also before what was just sent (a
    // fragment it did not keep); of several ranges, the first. Our own count only without one.
    const next = res.data.nextExpectedRanges?.[0];
    const at = next ? Number(next.split('-')[0]) : NaN;
    sent = Number.isInteger(at) && at >= 0 && at < total ? at : end;
    onProgress?.(Math.min(sent, total), total, job);
    if (u.controller.signal.aborted) throw new HttpError('aborted', 'upload canceled', { target: 'PUT upload' });
  }
}

async function print(ps: PrintingState, req: PrintRequest, file: PrintFile | null, ctx: { signal: AbortSignal; onProgress?: PrintProgress }): Promise<SourceJob> {
  const { config, deps, client, documentNames } = ps.ctx;
  const { scopes, active, submitted } = ps;
  if (!file || req.document.type !== 'file') {
    throw new AppFailure('unsupported', 'Universal Print prints files: choose a PDF, XPS or other file to print.', { field: 'document', sourceId: config.id });
  }
  if (!req.printer) throw new AppFailure('invalid-input', 'Choose the printer share to print to.', { field: 'printer', sourceId: config.id });
  if (file.bytes.length === 0) throw new AppFailure('invalid-input', `The file "${file.name}" is empty.`, { field: 'document', sourceId: config.id });
  const shareId = req.printer;
  await ensurePrintConsent(ps, ctx.signal).catch((e) => {
    throw fail(ps, e, 'create', 'print');
  });
  const configuration: Record<string, unknown> = {};
  if (req.copies) configuration.copies = req.copies;
  if (req.orientation) configuration.orientation = req.orientation;
  let pj: PrintJob;
  try {
    // Only the configuration: Graph sets every other property of a new job itself ("Create printJob
    // for a printerShare"); the job is named after its document (createUploadSession's documentName).
    pj = (await client.send({ method: 'POST', path: `/print/shares/${seg(shareId)}/jobs`, body: { configuration }, signal: ctx.signal, scopes }, PrintJobSchema)).data;
  } catch (e) {
    throw fail(ps, e, 'create', `create a print job on share "${shareId}"`);
  }
  const key = makeJobKey(config.id, locatorOf(shareId, pj.id));
  submitted.set(key, { req, file });
  documentNames.set(key, file.name);
  const notTracked = await trackPrinted(deps, { sourceId: config.id, id: trackedIdOf({ via: 'shares', ownerId: shareId, jobId: pj.id }), addedAt: new Date(deps.clock.now()).toISOString(), submission: { shareId, title: req.title ?? null, fileName: file.name, contentType: file.contentType, size: file.bytes.length } });
  const documentId = pj.documents?.[0]?.id;
  if (!documentId) throw new AppFailure('internal', 'Universal Print created the job without a document to upload to.', { sourceId: config.id });
  let session;
  try {
    session = (
      await client.send(
        { method: 'POST', path: `/print/shares/${seg(shareId)}/jobs/${seg(pj.id)}/documents/${seg(documentId)}/createUploadSession`, body: { properties: { documentName: file.name, contentType: file.contentType, size: file.bytes.length } }, signal: ctx.signal, scopes },
        UploadSessionSchema,
      )
    ).data;
  } catch (e) {
    throw fail(ps, e, 'upload', 'create the upload session');
  }
  const u: ActiveUpload = { uploadUrl: session.uploadUrl, documentId, controller: new AbortController() };
  const onOuterAbort = () => u.controller.abort();
  ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  active.set(key, u);
  try {
    // The job as created (waiting for its document) is the one the progress is for.
    await upload(ps, mapped(ps, pj, shareId), u, file, ctx.onProgress);
  } catch (e) {
    // A job whose document never arrives waits in uploadPending for ever, on the user's queue: the
    // upload session is deleted ("used in scenarios where the upload is aborted") and the job canceled.
    if (!u.takenOver) await abandon(ps, shareId, pj.id, u);
    if (u.controller.signal.aborted) {
      throw new AppFailure('conflict', `The upload of "${file.name}" was canceled; the job was not printed.`, { sourceId: config.id });
    }
    throw fail(ps, e, 'upload', `upload "${file.name}"`);
  } finally {
    active.delete(key);
    ctx.signal.removeEventListener('abort', onOuterAbort);
  }
  try {
    await client.send({ method: 'POST', path: `/print/shares/${seg(shareId)}/jobs/${seg(pj.id)}/start`, signal: ctx.signal, scopes });
  } catch (e) {
    throw fail(ps, e, 'start', 'start the print job');
  }
  deps.logger.info('Universal Print job submitted', { sourceId: config.id, key, bytes: file.bytes.length });
  try {
    return withTracking(mapped(ps, await readJob(ps, 'shares', shareId, pj.id, ctx.signal), shareId), notTracked);
  } catch {
    return withTracking(mapped(ps, { ...pj, status: { state: 'pending', description: null, details: [] } }, shareId), notTracked);
  }
}

/**
 * An upload that failed or was stopped: its session deleted through its URL (no Authorization) and
 * its job canceled, each as far as the service lets it (what cannot be done is logged; the job then
 * shows as waiting for its document, and Cancel upload is offered).
 */
async function abandon(ps: PrintingState, shareId: string, jobId: string, u: ActiveUpload): Promise<void> {
  const { config, deps, client } = ps.ctx;
  // Not the print's own signal: it may be what stopped the upload.
  const signal = new AbortController().signal;
  await client.uploadUrlRequest({ method: 'DELETE', url: u.uploadUrl, signal }).catch((e: unknown) => {
    if (!(e instanceof HttpError && e.status === 404)) deps.logger.warn('The upload session of an abandoned print could not be deleted', { sourceId: config.id, jobId, error: errorWords(e) });
  });
  await client.send({ method: 'POST', path: `/print/shares/${seg(shareId)}/jobs/${seg(jobId)}/cancel`, signal, scopes: ps.scopes }).catch((e: unknown) => {
    deps.logger.warn('A print job whose upload failed could not be canceled', { sourceId: config.id, jobId, error: errorWords(e) });
  });
}

async function cancelUpload(ps: PrintingState, job: Job, signal: AbortSignal, where: { via: Via; ownerId: string; jobId: string }): Promise<SourceJob> {
  const { config, deps, client } = ps.ctx;
  const { scopes, active } = ps;
  const u = active.get(job.key);
  try {
    if (u) {
      // This app holds the upload URL: stop sending, then delete the session (no Authorization).
      u.takenOver = true;
      u.controller.abort();
      try {
        await client.uploadUrlRequest({ method: 'DELETE', url: u.uploadUrl, signal });
      } catch (e) {
        // A session that already expired or completed is gone anyway.
        if (!(e instanceof HttpError && e.status === 404)) throw e;
      }
    } else {
      if (!job.rawState.includes('uploadPending')) {
        throw new AppFailure('too-late', `The job is ${job.rawState}, not waiting for an upload; cancel the job instead.`, { sourceId: config.id });
      }
      await deleteUploadSessions(ps, where, signal);
    }
    await client.send({ method: 'POST', path: `/print/${where.via}/${seg(where.ownerId)}/jobs/${seg(where.jobId)}/cancel`, signal, scopes });
    deps.logger.info('Universal Print upload canceled', { sourceId: config.id, key: job.key, route: u ? 'uploadUrl' : 'graph' });
    return mapped(ps, await readJob(ps, where.via, where.ownerId, where.jobId, signal), where.ownerId);
  } catch (e) {
    throw fail(ps, e, 'upload', 'cancel the upload');
  }
}

/**
 * Seed 001: `DELETE {graph host}/beta/print/printers/{printer}/jobs/{job}/documents/{doc}/uploadSession`
 * (204) for each document not uploaded yet. The call exists for printers only: a job on a share
 * needs its printer's id, which only printer administrators can read.
 */
async function deleteUploadSessions(ps: PrintingState, where: { via: Via; ownerId: string; jobId: string }, signal: AbortSignal): Promise<void> {
  const { config, client } = ps.ctx;
  const { scopes, p } = ps;
  const printerId = where.via === 'printers' ? where.ownerId : await p.sharePrinterId(where.ownerId, signal);
  if (!printerId) {
    throw new AppFailure(
      'unsupported',
      `Graph offers no documented call to cancel the upload of a job on ${p.placeName(where.via, where.ownerId)} without the id of its printer, which this account cannot read; cancel the job instead.`,
      { sourceId: config.id },
    );
  }
  const pj = await readJob(ps, where.via, where.ownerId, where.jobId, signal);
  // A document uploaded has no session left ("The upload session is deleted after the document
  // upload is complete").
  const pending = (pj.documents ?? []).filter((d) => !d.uploadedDateTime);
  for (const d of pending) {
    try {
      await client.send({ method: 'DELETE', version: 'beta', path: `/print/printers/${seg(printerId)}/jobs/${seg(where.jobId)}/documents/${seg(d.id)}/uploadSession`, signal, scopes });
    } catch (e) {
      // No session (404): it expired (sessions "are automatically cleaned up after the
      // expirationDateTime"), or was deleted through its URL: nothing is uploading, and the job is canceled next.
      if (e instanceof HttpError && e.kind === 'http' && e.status === 404) continue;
      if (!(e instanceof HttpError && e.kind === 'http' && e.status !== 401 && e.status !== 403 && e.status! < 500 && e.status !== 429)) throw e;
      const said = (e.serviceMessage ?? graphErrorMessage(e.body) ?? `answered ${e.status}`).replace(/\.?$/, '.');
      throw new AppFailure('conflict', `Universal Print refused to delete the upload session of "${d.displayName || d.id}": ${said} The job was not canceled; cancel the job instead.`, { sourceId: config.id });
    }
  }
}

async function retry(ps: PrintingState, job: Job, signal: AbortSignal): Promise<SourceJob> {
  const { config, name } = ps.ctx;
  const { submitted } = ps;
  const s = submitted.get(job.key);
  if (!s) {
    throw new AppFailure('unsupported', `"${name}" can send again only a file printed since the app started; print the file again.`, { sourceId: config.id });
  }
  if (!(job.state === 'failed' || job.state === 'canceled' || job.rawState.includes('uploadPending') || job.gone)) {
    throw new AppFailure('conflict', `The job is ${job.rawState}; only a failed, canceled or abandoned job is sent again.`, { sourceId: config.id });
  }
  return print(ps, s.req, s.file, { signal });
}
