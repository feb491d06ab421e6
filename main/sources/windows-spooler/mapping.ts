/**
 * Win32_PrintJob and Win32_Printer rows as Windows PowerShell 5.1's ConvertTo-Json writes them
 * (numbers for the uint properties, `\/Date(<ms>)\/` for dates, one object rather than an array
 * for a single result, nothing at all for none), mapped to the contract's job and printer.
 */
import { makeJobKey, type JobState } from '../../../preload/contract/model';
import type { SourceJob, SourcePrinter } from '../../queue/source';
import { jobStateOf, printerStateOf, STATUS_BITS, statusBitNames } from './states';

/** `\/Date(1700000000000)\/` (the JSON text) or `/Date(1700000000000)/` (once parsed), with an optional offset: an ISO time. */
export function parseMsDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^\\?\/Date\((-?\d{1,15})([+-]\d{4})?\)\\?\/$/.exec(value);
  if (!m) return null;
  const d = new Date(Number(m[1]));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** What ConvertTo-Json wrote for a query: nothing (none), one object, or an array of them. */
export function rowsOf(text: string): Record<string, unknown>[] {
  if (text.trim() === '') return [];
  const parsed: unknown = JSON.parse(text);
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const uint = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** A printer name such as `\\server\queue` fits the contract's ids once encoded. */
export function jobLocator(printer: string, jobId: number): string {
  return `${encodeURIComponent(printer)}/${jobId}`;
}

export function parseLocator(locator: string): { printer: string; jobId: number } | null {
  const i = locator.lastIndexOf('/');
  if (i <= 0) return null;
  const jobId = Number(locator.slice(i + 1));
  if (!Number.isInteger(jobId) || jobId < 1 || jobId > 0xffffffff) return null;
  try {
    return { printer: decodeURIComponent(locator.slice(0, i)), jobId };
  } catch {
    return null;
  }
}

/** Win32_PrintJob.Name is "<printer>, <job id>"; the printer's own name may contain ", ". */
export function printerOfJobName(name: string | null, jobId: number): string | null {
  if (!name) return null;
  const suffix = `, ${jobId}`;
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : null;
}

export interface SpoolerJobContext {
  sourceId: string;
  /** The Windows user name of this PC's user ("mine"), compared without case. */
  user: string;
}

/**
 * Why a job that is not paused cannot be resumed. A job the printer holds up (out of paper,
 * offline) is shown Paused with the printer's reason, but Windows has nothing to resume: it says
 * what the job waits for rather than contradict the row.
 */
function notPausedReason(state: JobState, reason: string | null): string {
  if (state !== 'paused' || reason === null) return 'The job is not paused.';
  return `The job is not paused: it waits for the printer (${reason.charAt(0).toLowerCase()}${reason.slice(1)}), and goes on once that is put right at the printer.`;
}

/** One Win32_PrintJob row as the contract's job; null when it lacks a job id or printer name. */
export function toSourceJob(row: Record<string, unknown>, ctx: SpoolerJobContext): SourceJob | null {
  const jobId = uint(row.JobId);
  if (jobId === null || jobId < 1) return null;
  const printer = printerOfJobName(str(row.Name), jobId);
  if (printer === null) return null;
  const mask = uint(row.StatusMask) ?? 0;
  const { state, reason } = jobStateOf(mask);
  const pages = uint(row.TotalPages);
  const printed = uint(row.PagesPrinted);
  const owner = str(row.Owner);
  const jobStatus = str(row.JobStatus);
  const final = state === 'completed' || state === 'canceled';
  const paused = (mask & STATUS_BITS.Paused) !== 0;
  const createdAt = parseMsDate(row.TimeSubmitted);
  const bits = statusBitNames(mask);
  return {
    key: makeJobKey(ctx.sourceId, jobLocator(printer, jobId)),
    sourceId: ctx.sourceId,
    sourceKind: 'windows-spooler',
    nativeId: String(jobId),
    state,
    rawState: `${mask}${bits.length ? ` ${bits.join(', ')}` : ''}`,
    detail: jobStatus ?? reason,
    reason,
    document: str(row.Document),
    owner,
    printer,
    mine: owner !== null && owner.toLowerCase() === ctx.user.toLowerCase(),
    createdAt,
    updatedAt: createdAt,
    progress: pages !== null && pages > 0 && printed !== null ? Math.min(1, printed / pages) : state === 'completed' ? 1 : null,
    pages,
    pagesPrinted: printed,
    sizeBytes: uint(row.Size),
    cancel: final ? { allowed: false, reason: `The job is already ${state}.` } : { allowed: true },
    pause: final ? { allowed: false, reason: 'The job is finished.' } : paused ? { allowed: false, reason: 'The job is already paused.' } : { allowed: true },
    resume: paused && !final ? { allowed: true } : { allowed: false, reason: notPausedReason(state, reason) },
    extra: { statusMask: mask, jobStatus },
  };
}

/** One Win32_Printer row as the contract's printer; null without a name. */
export function toSourcePrinter(row: Record<string, unknown>, sourceId: string): SourcePrinter | null {
  const name = str(row.Name);
  if (name === null) return null;
  const { state, reasons } = printerStateOf({ status: uint(row.PrinterStatus), extended: uint(row.ExtendedPrinterStatus), error: uint(row.DetectedErrorState), extendedError: uint(row.ExtendedDetectedErrorState), workOffline: row.WorkOffline === true });
  return { key: `${sourceId}:${encodeURIComponent(name)}`, sourceId, sourceKind: 'windows-spooler', id: encodeURIComponent(name), name, state, reasons, acceptingJobs: null };
}
