/**
 * The Windows print spooler's job and printer states in the monitor's words: Win32_PrintJob's
 * StatusMask bits, Win32_Printer's status values, and what each means for a job or a printer.
 */
import type { JobState, PrinterState } from '../../../preload/contract/model';
import { reasonsBeside } from '../ipp/states';

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

/** The bits of a job that cannot go on (BLOCKING_WORDS's). */
export const BLOCKING_BITS = BLOCKING_WORDS.reduce((mask, [bit]) => mask | bit, 0);

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

/** The words DetectedErrorState and ExtendedDetectedErrorState share, values 3 to 8 in both. */
const SUPPLY_AND_PAPER_WORDS: Record<number, string> = {
  3: 'Low paper',
  4: 'Out of paper',
  5: 'Toner low',
  6: 'Out of toner',
  7: 'Door open',
  8: 'Paper jam',
};

/** Win32_Printer.DetectedErrorState values in plain words (2 "No Error" says nothing). */
const DETECTED_ERROR_WORDS: Record<number, string> = { ...SUPPLY_AND_PAPER_WORDS, 9: 'Offline', 10: 'Service requested', 11: 'Output bin full' };

/**
 * Win32_Printer.ExtendedDetectedErrorState values in plain words, as Microsoft names them (2 "No
 * Error" says nothing; 9 here is Service Requested, not DetectedErrorState's Offline). It says
 * what DetectedErrorState cannot: a paper problem, a page the printer cannot print, a printer
 * waiting for someone, out of memory.
 */
const EXTENDED_ERROR_WORDS: Record<number, string> = {
  ...SUPPLY_AND_PAPER_WORDS,
  9: 'Service requested',
  10: 'Output bin full',
  11: 'Paper problem',
  12: 'Cannot print page',
  13: 'User intervention required',
  14: 'Out of memory',
  15: 'Server unknown',
};

/**
 * The ExtendedDetectedErrorState values that are something to fix at the printer: 4 to 14, but for 5
 * Low toner. 3 Low paper and 5 Low toner are warnings, and 15 Server unknown says nothing of the device.
 */
const EXTENDED_ERROR_FAULTS = new Set([4, 6, 7, 8, 9, 10, 11, 12, 13, 14]);

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

/** What Win32_Printer says about a printer's state (its PrinterStatus, ExtendedPrinterStatus, DetectedErrorState, ExtendedDetectedErrorState, WorkOffline). */
export interface PrinterStatusValues {
  status: number | null;
  extended: number | null;
  error: number | null;
  extendedError: number | null;
  workOffline: boolean;
}

/**
 * A printer's state and the reasons for it in plain words. Paused by someone (ExtendedPrinterStatus
 * 8, the spooler's PRINTER_STATUS_PAUSED) is `paused` unless an error stops it too (a DetectedErrorState
 * or ExtendedDetectedErrorState to fix, or ExtendedPrinterStatus 9 Error: then `stopped`,
 * with "Paused" among the reasons): the same rule as IPP's (ipp/states.ts, toPrinterState).
 */
export function printerStateOf(v: PrinterStatusValues): { state: PrinterState; reasons: string[] } {
  const { status, extended, error, extendedError } = v;
  const offline = v.workOffline || status === 7 || extended === 7 || error === 9;
  // DetectedErrorState 4 and up is something to fix at the printer, but for 5 Toner low (and 9 Offline, above).
  const fault = extended === 9 || (error !== null && error >= 4 && error !== 5) || (extendedError !== null && EXTENDED_ERROR_FAULTS.has(extendedError));
  let state: PrinterState;
  if (offline) state = 'offline';
  else if (extended === 8 && !fault) state = 'paused';
  else if (fault || status === 6 || extended === 6 || extended === 8) state = 'stopped';
  else if (status === 4 || extended === 4 || extended === 13 || extended === 17) state = 'printing';
  else if (status === 3 || extended === 3 || status === 5) state = 'ready';
  else state = 'unknown';
  const words = [
    v.workOffline ? 'Set to use the printer offline' : undefined,
    error !== null ? DETECTED_ERROR_WORDS[error] : undefined,
    extendedError !== null ? EXTENDED_ERROR_WORDS[extendedError] : undefined,
    extended !== null ? EXTENDED_STATUS_WORDS[extended] : undefined,
  ].filter((w): w is string => !!w);
  // Each said once, and the state's own words not again beside it (the rule every source follows).
  return { state, reasons: reasonsBeside(state, [...new Set(words)]) };
}
