/**
 * Universal Print job states -> the normalized job state, plus the cancel/abort permissions.
 *
 * printJobProcessingState (v1.0): unknown, pending, processing, paused, stopped, completed,
 * canceled, aborted, unknownFutureValue. printJobStateDetail: uploadPending, transforming,
 * completedSuccessfully, completedWithWarnings, completedWithErrors, releaseWait, interpreting,
 * unknownFutureValue. Graph adds values over time (evolvable enums), so every unknown value is
 * tolerated and shown as it is.
 */
import type { ActionPermission, JobState } from '../../../preload/contract/model';
import type { SourcePrinter } from '../../queue/source';
import { printerReasonWords, reasonsBeside, toPrinterState } from '../ipp/states';

export const PROCESSING_STATES = ['unknown', 'pending', 'processing', 'paused', 'stopped', 'completed', 'canceled', 'aborted', 'unknownFutureValue'] as const;
export const STATE_DETAILS = ['uploadPending', 'transforming', 'completedSuccessfully', 'completedWithWarnings', 'completedWithErrors', 'releaseWait', 'interpreting', 'unknownFutureValue'] as const;

/** States after which Graph does nothing more with the job. */
export const GRAPH_FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'canceled', 'aborted']);

export interface GraphStatus {
  state: string;
  description?: string | null;
  details?: string[] | null;
  isAcquiredByPrinter?: boolean | null;
}

/** The normalized state of a Graph job status. */
export function toJobState(status: GraphStatus): JobState {
  const details = status.details ?? [];
  switch (status.state) {
    case 'pending':
      return 'queued';
    case 'processing':
      // interpreting: the printer itself is rendering the job; transforming: the cloud converts it.
      if (details.includes('interpreting')) return 'printing';
      if (details.includes('releaseWait')) return 'paused';
      if (details.includes('transforming')) return 'processing';
      return status.isAcquiredByPrinter ? 'printing' : 'processing';
    case 'paused':
      // uploadPending (waiting for its document) and releaseWait (waiting at the printer) both wait.
      return 'paused';
    case 'stopped':
      // The printer stopped the job; it needs someone's attention but is not over.
      return 'paused';
    case 'completed':
      return details.includes('completedWithErrors') ? 'failed' : 'completed';
    case 'canceled':
      return 'canceled';
    case 'aborted':
      return 'failed';
    default:
      // 'unknown', 'unknownFutureValue' and values this version does not know yet.
      return 'unknown';
  }
}

/** "processing/transforming", "paused/uploadPending", "completed" — the service's own words. */
export function toRawState(status: GraphStatus): string {
  const details = (status.details ?? []).filter((d) => typeof d === 'string' && d !== '');
  return details.length ? `${status.state}/${details.join(',')}` : status.state;
}

const DETAIL_WORDS: Record<string, string> = {
  uploadPending: 'Waiting for the document to be uploaded.',
  transforming: 'Universal Print is converting the document.',
  interpreting: 'The printer is processing the document.',
  releaseWait: 'Waiting to be released at the printer.',
  completedSuccessfully: 'Printed.',
  completedWithWarnings: 'Printed with warnings.',
  completedWithErrors: 'Finished with errors.',
};

/** status.description when Graph gave one, else words for the state details. */
export function toDetail(status: GraphStatus): string | null {
  const d = status.description?.trim();
  if (d) return d;
  const words = (status.details ?? []).map((x) => DETAIL_WORDS[x]).filter(Boolean);
  return words.length ? words.join(' ') : null;
}

const REASON_WORDS: Record<string, string> = {
  uploadPending: 'Waiting for the document to upload',
  transforming: 'Converting the document',
  interpreting: 'The printer is processing the document',
  releaseWait: 'Waiting to be released at the printer',
  completedWithWarnings: 'Printed with warnings',
  completedWithErrors: 'Finished with errors',
};

/**
 * The plain reason beside the state word, from the state details (the first one this version
 * knows words for) or the state itself; null when the state word says it all.
 */
export function toReason(status: GraphStatus): string | null {
  for (const d of status.details ?? []) if (REASON_WORDS[d]) return REASON_WORDS[d];
  switch (status.state) {
    case 'stopped':
      return 'Stopped at the printer';
    case 'aborted':
      return 'Aborted';
    case 'pending':
    case 'processing':
    case 'paused':
    case 'completed':
    case 'canceled':
      return null;
    default:
      return `Unknown status "${status.state}"`;
  }
}

export function cancelPermission(status: GraphStatus): ActionPermission {
  if (GRAPH_FINAL_STATES.has(status.state)) return { allowed: false, reason: `The job is already ${status.state}.` };
  return { allowed: true };
}

/**
 * Abort: admin mode only (application permissions), and only while the job is processing — Graph
 * accepts it only when a print task created by this app's task trigger is processing.
 */
export function abortPermission(status: GraphStatus, admin: { enabled: boolean; viaPrinter: boolean }): ActionPermission | undefined {
  if (!admin.enabled) return undefined;
  if (!admin.viaPrinter) return { allowed: false, reason: 'Abort works on jobs watched through their printer; add the printer to "printers" in the settings.' };
  if (status.state !== 'processing') return { allowed: false, reason: `Only a processing job can be aborted; this one is ${status.state}.` };
  return { allowed: true };
}

/**
 * printerStatus.details (printerProcessingStateDetail) are IPP's printer-state-reasons in camel
 * case (Universal Print is IPP underneath): mediaJam is media-jam. The few Graph renamed are mapped back.
 */
const GRAPH_DETAIL_KEYWORDS: Record<string, string | null> = {
  stoppedPartially: 'stopped-partly',
  opticalPhotoConductorNearEndOfLife: 'opc-near-eol',
  opticalPhotoConductorLifeOver: 'opc-life-over',
  unknownFutureValue: null,
};

function detailKeyword(detail: string): string | null {
  if (detail in GRAPH_DETAIL_KEYWORDS) return GRAPH_DETAIL_KEYWORDS[detail];
  return detail.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** printerProcessingState as the IPP printer-state it stands for (idle 3, processing 4, stopped 5). */
const GRAPH_PRINTER_STATES: Record<string, number> = { idle: 3, processing: 4, stopped: 5 };

/** A watched share or printer with its status, as the contract's printer. */
export function toGraphPrinter(
  sourceId: string,
  t: { id: string; name: string; state: string | null; details: readonly string[]; description: string | null; isAcceptingJobs: boolean | null },
): SourcePrinter {
  const keywords = t.details.map(detailKeyword).filter((k): k is string => k !== null);
  const words = printerReasonWords(keywords);
  const said = t.description?.trim() || null;
  // Graph has no paused printerProcessingState: a paused printer is stopped with the detail paused, as in IPP.
  const state = toPrinterState(t.state === null ? null : (GRAPH_PRINTER_STATES[t.state] ?? null), keywords);
  return {
    key: `${sourceId}:${t.id}`,
    sourceId,
    sourceKind: 'graph',
    id: t.id,
    name: t.name,
    state,
    // The printer's own description comes first, as an IPP printer's state message does.
    reasons: reasonsBeside(state, said && !words.includes(said) ? [said, ...words] : words),
    acceptingJobs: t.isAcceptingJobs,
  };
}
