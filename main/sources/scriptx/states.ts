/**
 * ScriptX.Services job status codes (JobStatus.status) and what they mean for the monitor:
 * the normalized state, the original name kept for display, whether the job is final, and whether
 * it can still be cancelled.
 */
import type { ActionPermission, JobState } from '../../../preload/contract/model';

/** MeadCo's names for each documented status code. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'NotStarted',
  1: 'Queued',
  2: 'Starting',
  3: 'Downloading',
  4: 'Downloaded',
  5: 'Printing',
  6: 'Completed',
  7: 'Paused',
  8: 'PrintingPdf',
  100: 'Collected',
  101: 'CodeException',
  102: 'CompletedWaitingForCollection',
  [-1]: 'ItemError',
  [-2]: 'Abandoned',
};

const STATE_OF: Readonly<Record<number, JobState>> = {
  0: 'queued',
  1: 'queued',
  2: 'processing',
  3: 'processing',
  4: 'processing',
  5: 'printing',
  6: 'completed',
  7: 'paused',
  8: 'printing',
  100: 'completed',
  101: 'failed',
  102: 'paused',
  [-1]: 'failed',
  [-2]: 'canceled',
};

/** Words shown when the service gave no message of its own. */
const DEFAULT_DETAIL: Readonly<Record<number, string>> = {
  0: 'The job has not yet reached the ScriptX print queue.',
  1: 'The job is waiting in the ScriptX print queue.',
  2: 'The job is being analysed.',
  3: 'The content to be printed is downloading.',
  4: 'The content has downloaded and is ready to print.',
  5: 'The HTML engine is printing the content.',
  6: 'The content has been spooled to the printer.',
  7: 'The print queue is paused.',
  8: 'The PDF engine is printing the content.',
  100: 'The output has been collected.',
  101: 'ScriptX.Services reported an exception while printing.',
  102: 'The output is waiting to be collected.',
  [-1]: 'An error occurred while processing the job.',
  [-2]: 'The job was cancelled, abandoned as stuck, or its file output was never collected.',
};

/** The reason shown beside the plain state word, where the state word alone does not say it. */
const REASON: Readonly<Record<number, string>> = {
  0: 'Not yet in the print queue',
  2: 'Preparing the content',
  3: 'Downloading the content',
  4: 'Content downloaded, about to print',
  7: 'The print queue is paused',
  8: 'Printing the PDF',
  100: 'Output saved',
  101: 'ScriptX.Services reported an error while printing',
  102: 'Output ready to save',
  [-1]: 'Error while processing the job',
  [-2]: 'Canceled or abandoned by ScriptX.Services',
};

export const CANCELLABLE_CODES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4]);
export const PRINTING_CODES: ReadonlySet<number> = new Set([5, 8]);
/** Codes after which a job that prints to a device is never polled again. */
export const FINAL_CODES: ReadonlySet<number> = new Set([6, 100, 101, -1, -2]);

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
  const waitingForCollection = code === 102 || (code === 6 && opts.toFile === true);
  const state: JobState = waitingForCollection ? 'paused' : STATE_OF[code];
  const final = waitingForCollection ? false : FINAL_CODES.has(code);
  let cancel: ActionPermission;
  if (CANCELLABLE_CODES.has(code)) cancel = opts.kind === 'pdf' ? { allowed: false, reason: PDF_CANCEL_REASON } : { allowed: true };
  else if (PRINTING_CODES.has(code)) cancel = { allowed: false, reason: TOO_LATE_REASON };
  else if (final || waitingForCollection) cancel = { allowed: false, reason: FINISHED_REASON };
  else cancel = { allowed: false, reason: 'ScriptX can cancel a job only before it starts printing' };
  return {
    state,
    rawState: rawStateOf(code),
    detail: words ?? (waitingForCollection ? 'The output is ready: save it to collect it from ScriptX.Services.' : DEFAULT_DETAIL[code]),
    reason: waitingForCollection ? REASON[102] : (REASON[code] ?? null),
    final,
    cancel,
    outputReady: waitingForCollection,
  };
}

/** The print answer codes of printHtml/print, printPdf/print and printDirect/print. */
export const PRINT_ANSWER = { Unknown: 0, QueuedToDevice: 1, QueuedToFile: 2, SoftError: 3, Ok: 4 } as const;
