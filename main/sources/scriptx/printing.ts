/**
 * Printing through ScriptX.Services: a URL or HTML with printHtml, an HTML or PDF file (as a data
 * URL) with printHtml or printPdf, then following the job's token; and submitting a failed job
 * the app printed once again.
 */
import type { PrintRequest } from '../../../preload/contract/contract';
import { AppFailure, type Job } from '../../../preload/contract/model';
import type { PrintFile, SourceJob } from '../../queue/source';
import { trackPrinted, withTracking } from '../shared';
import { askStatus, connect, iso, newEntry, whereOf, type ScriptxContext, type Submission } from './context';
import { HttpError } from '../../http/client';
import { tokenProblem, type DeviceBody, type JobKind, type PrintAnswer, type PrintHtmlBody, type PrintPdfBody, type ScriptxClient } from './client';
import { toActionFailure } from './errors';
import { printedJob, toSourceJob } from './mapping';
import { applyAnswer, persistedSubmission, syncTracked } from './tracked';
import { JOB_STATUS, PRINT_ANSWER, printAnswerName, rawStateOf } from './states';

/** HTML kept in the tracked store for retry; bigger documents are held in memory only. */
const MAX_PERSISTED_HTML = 256 * 1024;
/** MeadCo's PageOrientation values. */
const ORIENTATION = { portrait: 2, landscape: 1 } as const;
/** MeadCo's ContentType values of printHtml. */
const CONTENT = { url: 1, html: 2 } as const;

/** What is sent: the endpoint's kind, its body, and the document's name in the queue. */
interface Outgoing {
  kind: JobKind;
  body: PrintHtmlBody | PrintPdfBody;
  document: string | null;
}

function deviceOf(req: PrintRequest): DeviceBody | undefined {
  const d: DeviceBody = {};
  if (req.printer) d.printerName = req.printer;
  if (req.copies !== undefined) d.copies = req.copies;
  if (req.paperSize) d.paperSizeName = req.paperSize;
  if (req.printToFileName) d.printToFileName = req.printToFileName;
  return Object.keys(d).length ? d : undefined;
}

function fileKind(file: PrintFile): 'pdf' | 'html' | null {
  const type = file.contentType.toLowerCase().split(';')[0].trim();
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  if (type === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (type === 'text/html' || type === 'application/xhtml+xml' || ext === 'html' || ext === 'htm' || ext === 'xhtml') return 'html';
  return null;
}

function sizeWords(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** A file to print as the body of printHtml or printPdf; a file that cannot be printed is refused in words. */
function fileBody(ctx: ScriptxContext, file: PrintFile | null): Omit<Outgoing, 'document'> & { name: string } {
  if (!file) throw new AppFailure('invalid-input', 'No file was given to print.', { field: 'document' });
  if (file.bytes.byteLength === 0) throw new AppFailure('invalid-input', `The file "${file.name}" is empty; there is nothing to print.`, { field: 'document' });
  if (file.bytes.byteLength > ctx.maxFileBytes) {
    // Two sizes that round alike ("20.0 MB ... up to 20.0 MB") are said in bytes.
    let [size, max] = [sizeWords(file.bytes.byteLength), sizeWords(ctx.maxFileBytes)];
    if (size === max) [size, max] = [`${file.bytes.byteLength.toLocaleString('en-US')} bytes`, `${ctx.maxFileBytes.toLocaleString('en-US')} bytes`];
    throw new AppFailure('invalid-input', `The file "${file.name}" is ${size}; ScriptX.Services can be sent files up to ${max}.`, { field: 'document' });
  }
  const fk = fileKind(file);
  if (!fk) throw new AppFailure('unsupported', `ScriptX prints HTML and PDF files; "${file.name}" (${file.contentType || 'unknown type'}) is neither.`, { field: 'document' });
  if (fk === 'html') return { kind: 'html', body: { ContentType: CONTENT.html, Content: Buffer.from(file.bytes).toString('utf8') }, name: file.name };
  if (!Buffer.from(file.bytes.subarray(0, 5)).toString('latin1').startsWith('%PDF')) {
    throw new AppFailure('invalid-input', `The file "${file.name}" is not a PDF (it does not start with %PDF).`, { field: 'document' });
  }
  return { kind: 'pdf', body: { Document: `data:application/pdf;base64,${Buffer.from(file.bytes).toString('base64')}` }, name: file.name };
}

/** The request as printHtml's or printPdf's body, with its settings and device. */
function outgoing(ctx: ScriptxContext, req: PrintRequest, file: PrintFile | null): Outgoing {
  let out: Outgoing;
  if (req.document.type === 'url') out = { kind: 'html', body: { ContentType: CONTENT.url, Content: req.document.url }, document: req.title ?? req.document.url };
  else if (req.document.type === 'html') out = { kind: 'html', body: { ContentType: CONTENT.html, Content: req.document.html }, document: req.title ?? 'HTML document' };
  else {
    const { name, ...rest } = fileBody(ctx, file);
    out = { ...rest, document: req.title ?? name };
  }
  if (out.kind === 'html') {
    const settings: PrintHtmlBody['Settings'] = {};
    if (req.title) settings.jobTitle = req.title;
    if (req.orientation) settings.page = { orientation: ORIENTATION[req.orientation] };
    if (Object.keys(settings).length) (out.body as PrintHtmlBody).Settings = settings;
  } else {
    const settings: PrintPdfBody['Settings'] = {};
    if (req.title) settings.jobDescription = req.title;
    if (req.orientation) settings.orientation = ORIENTATION[req.orientation];
    if (Object.keys(settings).length) (out.body as PrintPdfBody).Settings = settings;
  }
  const device = deviceOf(req);
  if (device) out.body.Device = device;
  return out;
}

/** Remembers a queued job for following and retry, and reads its first status. */
async function follow(ctx: ScriptxContext, c: ScriptxClient, sent: { req: PrintRequest; file: PrintFile | null; html: string | null; out: Outgoing; answer: PrintAnswer; token: string }, signal: AbortSignal): Promise<SourceJob> {
  const { req, file, html, out, answer, token } = sent;
  const answerName = printAnswerName(answer.status);
  const submission: Submission = { request: req };
  if (file) submission.file = { name: file.name, contentType: file.contentType, size: file.bytes.byteLength };
  if (req.document.type === 'html' && req.document.html.length > MAX_PERSISTED_HTML) submission.htmlInMemory = true;
  const e = newEntry(token, out.kind, iso(ctx), {
    toFile: answer.status === PRINT_ANSWER.QueuedToFile,
    submittedByApp: true,
    submission,
    document: out.document,
    printer: req.printer ?? null,
    printAnswer: answerName,
  });
  ctx.entries.set(token, e);
  if (file) ctx.heldFiles.set(token, file);
  if (html !== null && submission.htmlInMemory) ctx.heldHtml.set(token, html);
  const persisted = persistedSubmission(e);
  if (submission.htmlInMemory) (persisted.request as PrintRequest) = { ...req, document: { type: 'html', html: '' } };
  const notTracked = await trackPrinted(ctx.deps, { sourceId: ctx.config.id, id: token, kind: out.kind, addedAt: e.addedAt, submission: persisted });
  try {
    return withTracking(await applyAnswer(ctx, e, await askStatus(ctx, c, e, signal)), notTracked);
  } catch {
    // The first status is not there yet: report what the print answer said; polling follows.
    e.updatedAt = iso(ctx);
    const initial: SourceJob = {
      ...toSourceJob(ctx, e, { status: JOB_STATUS.NotStarted, message: answer.message?.trim() || `ScriptX.Services answered ${answerName}.` }),
      rawState: `${rawStateOf(JOB_STATUS.NotStarted)} (${answerName})`,
    };
    e.code = null;
    e.last = initial;
    return withTracking(initial, notTracked);
  }
}

async function submit(ctx: ScriptxContext, req: PrintRequest, file: PrintFile | null, html: string | null, signal: AbortSignal): Promise<SourceJob> {
  const sourceId = ctx.config.id;
  if (req.sourceId !== sourceId) throw new AppFailure('invalid-input', `This print request is for source "${req.sourceId}", not "${sourceId}".`, { field: 'sourceId' });
  const out = outgoing(ctx, req, file);
  let c: ScriptxClient;
  let answer: PrintAnswer;
  try {
    c = await connect(ctx, signal);
  } catch (err) {
    throw toActionFailure(err, ctx, 'Printing');
  }
  try {
    answer = out.kind === 'pdf' ? await c.printPdf(out.body as PrintPdfBody, signal) : await c.printHtml(out.body as PrintHtmlBody, signal);
  } catch (err) {
    // The document was sent and no answer came: the service may have taken it, and printing it
    // again could print it twice.
    if (err instanceof HttpError && err.kind === 'timeout') {
      throw new AppFailure('unreachable', `Printing: ScriptX.Services at ${whereOf(ctx)} did not answer in time after the document was sent; it may still print. Look at the printer's queue before printing it again.`, { sourceId, cause: err });
    }
    throw toActionFailure(err, ctx, 'Printing');
  }

  const answerName = printAnswerName(answer.status);
  if (answer.status === PRINT_ANSWER.SoftError || answer.status === PRINT_ANSWER.Unknown || answer.status < PRINT_ANSWER.Unknown || answer.status > PRINT_ANSWER.Ok) {
    const said = answer.message?.trim();
    throw new AppFailure('invalid-input', `ScriptX.Services did not print it (${answerName})${said ? `: ${said}` : '.'}`, { sourceId });
  }
  const token = answer.jobIdentifier ?? '';
  if (answer.status === PRINT_ANSWER.Ok || token === '') {
    // Printed synchronously: there is nothing to follow.
    return printedJob(ctx, req, { kind: out.kind, document: out.document, code: answer.status, answerName, message: answer.message });
  }
  const problem = tokenProblem(token);
  if (problem) throw new AppFailure('internal', `ScriptX.Services answered ${answerName} with a job id the monitor cannot follow (${problem}).`, { sourceId });
  return follow(ctx, c, { req, file, html, out, answer, token }, signal);
}

export function print(ctx: ScriptxContext, req: PrintRequest, file: PrintFile | null, signal: AbortSignal): Promise<SourceJob> {
  return submit(ctx, req, file, req.document.type === 'html' ? req.document.html : null, signal);
}

/** Submits a failed or abandoned job the app printed again, with the file or HTML it still holds. */
export async function retry(ctx: ScriptxContext, job: Job, signal: AbortSignal): Promise<SourceJob> {
  const sourceId = ctx.config.id;
  await syncTracked(ctx).catch(() => undefined);
  const e = ctx.entries.get(job.nativeId);
  if (!e || !e.submittedByApp || !e.submission) {
    throw new AppFailure('not-allowed', 'Only jobs this app printed can be submitted again; this job was handed in from elsewhere.', { sourceId });
  }
  const state = e.last?.state ?? job.state;
  if (state !== 'failed' && state !== 'canceled') {
    throw new AppFailure('conflict', `Only a failed or abandoned job can be submitted again; this one is ${e.last?.rawState ?? job.rawState}.`, { sourceId });
  }
  let req = e.submission.request;
  let file: PrintFile | null = null;
  if (req.document.type === 'file') {
    file = ctx.heldFiles.get(e.token) ?? null;
    if (!file) throw new AppFailure('not-found', `The file "${e.submission.file?.name ?? 'of this job'}" is no longer held by the app (it was printed before a restart); print it again from the file.`, { sourceId });
  }
  if (e.submission.htmlInMemory) {
    const html = ctx.heldHtml.get(e.token);
    if (!html) throw new AppFailure('not-found', 'The HTML of this job is no longer held by the app (it was printed before a restart); print it again.', { sourceId });
    req = { ...req, document: { type: 'html', html } };
  }
  return submit(ctx, req, file, req.document.type === 'html' ? req.document.html : null, signal);
}
