/**
 * ScriptX.Services job status codes (JobStatus.status) and what they mean for the monitor:
 * the normalized state, the original name kept for display, whether the job is final, and whether
 * it can still be canceled.
 */
import type { ActionPermission, JobState } from '../../../preload/contract/model';

/**
 * MeadCo's job status codes by name (JobStatus.status in the ScriptX.Services API reference, and
 * `enumPrintStatus` in MeadCo's scriptxprint-html): the code never compares a status with a bare number.
 */
export const JOB_STATUS = {
  NotStarted: 0,
  Queued: 1,
  Starting: 2,
  Downloading: 3,
  Downloaded: 4,
  Printing: 5,
  Completed: 6,
  Paused: 7,
  PrintingPdf: 8,
  Collected: 100,
  CodeException: 101,
  CompletedWaitingForCollection: 102,
  ItemError: -1,
  Abandoned: -2,
} as const;

const S = JOB_STATUS;

/** MeadCo's names for each documented status code. */
export const STATUS_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(JOB_STATUS).map(([name, code]) => [code, name]));

/**
 * Each code: the normalized state, the words shown when the service gave no message of its own,
 * and the reason shown beside the plain state word where the state word alone does not say it.
 */
const MEANING: Readonly<Record<number, { state: JobState; detail: string; reason: string | null }>> = {
  [S.NotStarted]: { state: 'queued', detail: 'The job has not yet reached the ScriptX print queue.', reason: 'Not yet in the print queue' },
  [S.Queued]: { state: 'queued', detail: 'The job is waiting in the ScriptX print queue.', reason: null },
  [S.Starting]: { state: 'processing', detail: 'The job is being analyzed.', reason: 'Preparing the content' },
  [S.Downloading]: { state: 'processing', detail: 'The content to be printed is downloading.', reason: 'Downloading the content' },
  [S.Downloaded]: { state: 'processing', detail: 'The content has downloaded and is ready to print.', reason: 'Content downloaded, about to print' },
  [S.Printing]: { state: 'printing', detail: 'The HTML engine is printing the content.', reason: null },
  [S.Completed]: { state: 'completed', detail: 'The content has been spooled to the printer.', reason: null },
  [S.Paused]: { state: 'paused', detail: 'The print queue is paused.', reason: 'The print queue is paused' },
  [S.PrintingPdf]: { state: 'printing', detail: 'The PDF engine is printing the content.', reason: 'Printing the PDF' },
  [S.Collected]: { state: 'completed', detail: 'The output has been collected.', reason: 'Output saved' },
  [S.CodeException]: { state: 'failed', detail: 'ScriptX.Services reported an exception while printing.', reason: 'ScriptX.Services reported an error while printing' },
  [S.CompletedWaitingForCollection]: { state: 'paused', detail: 'The output is waiting to be collected.', reason: 'Output ready to save' },
  [S.ItemError]: { state: 'failed', detail: 'An error occurred while processing the job.', reason: 'Error while processing the job' },
  [S.Abandoned]: { state: 'canceled', detail: 'The job was canceled, abandoned as stuck, or its file output was never collected.', reason: 'Canceled or abandoned by ScriptX.Services' },
};

/** Codes of a job still being prepared: ScriptX can still stop it. */
export const CANCELLABLE_CODES: ReadonlySet<number> = new Set([S.NotStarted, S.Queued, S.Starting, S.Downloading, S.Downloaded]);
export const PRINTING_CODES: ReadonlySet<number> = new Set([S.Printing, S.PrintingPdf]);
/** Codes after which a job that prints to a device is never polled again. */
export const FINAL_CODES: ReadonlySet<number> = new Set([S.Completed, S.Collected, S.CodeException, S.ItemError, S.Abandoned]);

/** Printing or later (not failed): a job that then answers 404 has finished. */
export function reachedPrinting(code: number): boolean {
  return PRINTING_CODES.has(code) || code === S.Completed || code === S.Collected;
}

export const TOO_LATE_REASON = 'pages are already printing; ScriptX cannot stop this job';
export const FINISHED_REASON = 'the job has already finished';
/** The PrintPdf API has print, status and download, but no canceljob. */
export const PDF_CANCEL_REASON = 'ScriptX.Services cannot cancel PDF jobs (its PDF printing API has no cancel)';

export interface ScriptxJobStatus {
  state: JobState;
  /** e.g. "5 Printing"; unknown codes keep their number: "42 (unknown status)". */
  rawState: string;
  detail: string | null;
  /** The plain reason beside the state word ("Downloading the content"), or null. */
  reason: string | null;
  /** Never polled again. A print-to-file job waiting for collection (6/102) is not final. */
  final: boolean;
  cancel: ActionPermission;
  /** A print-to-file job whose output waits for download. */
  outputReady: boolean;
}

export function statusName(code: number): string | null {
  return Object.prototype.hasOwnProperty.call(STATUS_NAMES, code) ? STATUS_NAMES[code] : null;
}

export function rawStateOf(code: number): string {
  const name = statusName(code);
  return name ? `${code} ${name}` : `${code} (unknown status)`;
}

/**
 * Maps a JobStatus answer. `toFile`: the job was queued to a file (print answer 2 QueuedToFile),
 * so 6 Completed means "output waiting for download", not finished. `kind` 'pdf': a PDF job, which
 * ScriptX.Services cannot cancel.
 */
export function toJobStatus(code: number, message: string | null | undefined, opts: { toFile?: boolean; kind?: 'html' | 'pdf' } = {}): ScriptxJobStatus {
  const name = statusName(code);
  const words = message && message.trim() ? message.trim() : null;
  if (name === null) {
    return {
      state: 'unknown',
      rawState: rawStateOf(code),
      detail: words ?? `ScriptX.Services reported status ${code}, which this version does not know.`,
      reason: `Unknown status ${code}`,
      final: false,
      cancel: { allowed: false, reason: `ScriptX.Services reported an unknown status (${code})` },
      outputReady: false,
    };
  }
  const waitingForCollection = code === S.CompletedWaitingForCollection || (code === S.Completed && opts.toFile === true);
  const state: JobState = waitingForCollection ? 'paused' : MEANING[code].state;
  const final = waitingForCollection ? false : FINAL_CODES.has(code);
  let cancel: ActionPermission;
  if (CANCELLABLE_CODES.has(code)) cancel = opts.kind === 'pdf' ? { allowed: false, reason: PDF_CANCEL_REASON } : { allowed: true };
  else if (PRINTING_CODES.has(code)) cancel = { allowed: false, reason: TOO_LATE_REASON };
  else if (final || waitingForCollection) cancel = { allowed: false, reason: FINISHED_REASON };
  else cancel = { allowed: false, reason: 'ScriptX can cancel a job only before it starts printing' };
  return {
    state,
    rawState: rawStateOf(code),
    detail: words ?? (waitingForCollection ? 'The output is ready: save it to collect it from ScriptX.Services.' : MEANING[code].detail),
    reason: MEANING[waitingForCollection ? S.CompletedWaitingForCollection : code].reason,
    final,
    cancel,
    outputReady: waitingForCollection,
  };
}

/** The print answer codes of printHtml/print, printPdf/print and printDirect/print. */
export const PRINT_ANSWER = { Unknown: 0, QueuedToDevice: 1, QueuedToFile: 2, SoftError: 3, Ok: 4 } as const;

/** The print answer's name ("QueuedToFile"), or "status N" for a code MeadCo does not document. */
export function printAnswerName(code: number): string {
  return Object.entries(PRINT_ANSWER).find(([, c]) => c === code)?.[0] ?? `status ${code}`;
}
