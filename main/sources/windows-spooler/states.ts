/**
 * The Windows print spooler's job and printer states in the monitor's words: Win32_PrintJob and
 * Win32_Printer as Windows PowerShell 5.1's ConvertTo-Json writes them (numbers for the uint
 * properties, `\/Date(<ms>)\/` for dates, one object rather than an array for a single result,
 * nothing at all for none), mapped to the contract's job and printer.
 */
import { makeJobKey, type JobState, type PrinterState } from '../../../preload/contract/model';
import type { SourceJob, SourcePrinter } from '../../queue/source';

/** Win32_PrintJob.StatusMask bits as Microsoft documents them (and the spooler's JOB_STATUS flags above 2048). */
export const STATUS_BITS = {
  Paused: 1,
  Error: 2,
  Deleting: 4,
  Spooling: 8,
  Printing: 16,
  Offline: 32,
  Paperout: 64,
  Printed: 128,
  Deleted: 256,
  Blocked_DevQ: 512,
  User_Intervention_Req: 1024,
  Restart: 2048,
  Complete: 4096,
  Retained: 8192,
} as const;

/** Why a job cannot go on, in plain words, by bit, most telling first. */
const BLOCKING_WORDS: [number, string][] = [
  [STATUS_BITS.Paperout, 'Out of paper'],
  [STATUS_BITS.Offline, 'The printer is offline'],
  [STATUS_BITS.User_Intervention_Req, 'The printer needs attention'],
  [STATUS_BITS.Blocked_DevQ, 'Blocked by the printer driver'],
  [STATUS_BITS.Error, 'Error at the printer'],
];

/** The names of the bits set in a StatusMask, as Microsoft names them ("Printing, Paperout"). */
export function statusBitNames(mask: number): string[] {
  return Object.entries(STATUS_BITS)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([name]) => name);
}

/** The job's state and the spooler's reason for it, from StatusMask. */
export function jobStateOf(mask: number): { state: JobState; reason: string | null } {
  const blocking = BLOCKING_WORDS.find(([bit]) => (mask & bit) !== 0)?.[1] ?? null;
  if (mask & (STATUS_BITS.Deleted | STATUS_BITS.Deleting)) return { state: 'canceled', reason: mask & STATUS_BITS.Deleted ? 'Deleted' : 'Being deleted' };
  if (mask & STATUS_BITS.Printed) return { state: 'completed', reason: mask & STATUS_BITS.Retained ? 'Printed (kept in the queue)' : 'Printed' };
  // A job that cannot go on stops where it is, like an IPP job on a stopped printer.
  if (blocking) return { state: 'paused', reason: blocking };
  if (mask & STATUS_BITS.Paused) return { state: 'paused', reason: 'Paused' };
  if (mask & STATUS_BITS.Restart) return { state: 'queued', reason: 'Restarting' };
  if (mask & STATUS_BITS.Complete) return { state: 'printing', reason: 'Sent to the printer' };
  if (mask & STATUS_BITS.Printing) return { state: 'printing', reason: null };
  if (mask & STATUS_BITS.Spooling) return { state: 'processing', reason: 'Spooling' };
  return { state: 'queued', reason: null };
}

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
    resume: paused && !final ? { allowed: true } : { allowed: false, reason: 'The job is not paused.' },
    extra: { statusMask: mask, jobStatus },
  };
}

/** Win32_Printer.DetectedErrorState values in plain words (2 "No Error" says nothing). */
const DETECTED_ERROR_WORDS: Record<number, string> = {
  3: 'Low paper',
  4: 'Out of paper',
  5: 'Toner low',
  6: 'Out of toner',
  7: 'Door open',
  8: 'Paper jam',
  9: 'Offline',
  10: 'Service requested',
  11: 'Output bin full',
};

/** Win32_Printer.ExtendedPrinterStatus values worth saying. */
const EXTENDED_STATUS_WORDS: Record<number, string> = {
  5: 'Warming up',
  6: 'Stopped printing',
  7: 'Offline',
  8: 'Paused',
  9: 'Error',
  10: 'Busy',
  11: 'Not available',
  12: 'Waiting',
  15: 'Power save',
  16: 'Pending deletion',
  18: 'Manual feed',
};

/** One Win32_Printer row as the contract's printer; null without a name. */
export function toSourcePrinter(row: Record<string, unknown>, sourceId: string): SourcePrinter | null {
  const name = str(row.Name);
  if (name === null) return null;
  const status = uint(row.PrinterStatus);
  const extended = uint(row.ExtendedPrinterStatus);
  const error = uint(row.DetectedErrorState);
  const offline = row.WorkOffline === true || status === 7 || extended === 7 || error === 9;
  const reasons: string[] = [];
  if (row.WorkOffline === true) reasons.push('Set to use the printer offline');
  const errorWords = error !== null ? DETECTED_ERROR_WORDS[error] : undefined;
  if (errorWords && !reasons.includes(errorWords)) reasons.push(errorWords);
  const extWords = extended !== null ? EXTENDED_STATUS_WORDS[extended] : undefined;
  if (extWords && !reasons.includes(extWords) && !(offline && extWords === 'Offline')) reasons.push(extWords);
  let state: PrinterState;
  if (offline) state = 'offline';
  else if (status === 6 || extended === 6 || extended === 8 || extended === 9 || (error !== null && error >= 4 && error !== 5)) state = 'stopped';
  else if (status === 4 || extended === 4 || extended === 13 || extended === 17) state = 'printing';
  else if (status === 3 || extended === 3 || status === 5) state = 'ready';
  else state = 'unknown';
  return { key: `${sourceId}:${encodeURIComponent(name)}`, sourceId, sourceKind: 'windows-spooler', id: encodeURIComponent(name), name, state, reasons, acceptingJobs: null };
}
