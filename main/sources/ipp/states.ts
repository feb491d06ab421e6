/**
 * IPP's job and printer states (RFC 8011 5.3.7, 5.4.11, 5.4.12) in the monitor's words, and one
 * job / printer of an answer as the contract's job and printer.
 */
import { isFinal } from '../../../preload/contract/job-states';
import { makeJobKey, type JobState, type PrinterState } from '../../../preload/contract/model';
import type { SourceJob, SourcePrinter } from '../../queue/source';
import { bool, int, str, strs, type AttributeGroup } from './codec';

export const JOB_STATE_NAMES: Record<number, string> = {
  3: 'pending',
  4: 'pending-held',
  5: 'processing',
  6: 'processing-stopped',
  7: 'canceled',
  8: 'aborted',
  9: 'completed',
};

const JOB_STATES: Record<number, JobState> = {
  3: 'queued',
  4: 'paused',
  5: 'printing',
  6: 'paused',
  7: 'canceled',
  8: 'failed',
  9: 'completed',
};

export function toJobState(code: number | null): JobState {
  return (code !== null && JOB_STATES[code]) || 'unknown';
}

/** job-state-reasons keywords in plain words; those that say nothing beyond the state are null. */
const JOB_REASONS: Record<string, string | null> = {
  none: null,
  'job-incoming': 'Arriving at the printer',
  'job-data-insufficient': 'Waiting for the rest of the document',
  'document-access-error': 'The printer could not fetch the document',
  'submission-interrupted': 'The document was not sent completely',
  'job-outgoing': 'Being sent on to the printer',
  'job-hold-until-specified': 'Waiting to be released',
  'resources-are-not-ready': 'Waiting for paper or other supplies',
  'printer-stopped-partly': 'The printer is partly stopped',
  'printer-stopped': 'The printer is stopped',
  'job-interpreting': null,
  'job-queued': null,
  'job-transforming': 'Being prepared for the printer',
  'job-queued-for-marker': null,
  'job-printing': null,
  'job-canceled-by-user': 'Canceled by its owner',
  'job-canceled-by-operator': 'Canceled by an operator',
  'job-canceled-at-device': 'Canceled at the printer',
  'aborted-by-system': 'Stopped by the print system',
  'unsupported-compression': 'The printer does not support the compression used',
  'compression-error': 'The document could not be decompressed',
  'unsupported-document-format': 'The printer does not support this kind of document',
  'document-format-error': 'The document could not be read',
  'processing-to-stop-point': 'Being stopped',
  'service-off-line': 'The print service is offline',
  'job-completed-successfully': null,
  'job-completed-with-warnings': 'Printed with warnings',
  'job-completed-with-errors': 'Printed with errors',
  'job-restartable': null,
  'queued-in-device': 'Queued in the printer',
  'job-fetchable': null,
  'job-hold-until-resources-are-ready': 'Waiting for paper or other supplies',
  'job-password-wait': 'Waiting for a PIN at the printer',
  'job-release-wait': 'Waiting to be released at the printer',
  'job-printed-successfully': null,
  'job-printed-with-errors': 'Printed with errors',
  'cups-held-for-authentication': 'Waiting for the owner to sign in',
};

/** A keyword nobody translated: "media-needed" -> "Media needed". */
function keywordWords(k: string): string {
  const t = k.replace(/[-_]+/g, ' ').trim();
  return t ? t[0].toUpperCase() + t.slice(1) : k;
}

export function jobReasonWords(keywords: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keywords) {
    const w = k in JOB_REASONS ? JOB_REASONS[k] : keywordWords(k);
    if (w && !out.includes(w)) out.push(w);
  }
  return out;
}

/** printer-state-reasons keywords (without -report/-warning/-error) in plain words. */
const PRINTER_REASONS: Record<string, string | null> = {
  none: null,
  other: 'Printer error',
  // A request to show itself (a light, a sound: PWG 5100.13 Identify-Printer): nothing to do.
  'identify-printer-requested': null,
  // Jobs that arrive are held until released (PWG 5100.11 Hold-New-Jobs); those queued still print.
  'hold-new-jobs': 'Holding new jobs',
  'printer-restarted': 'Restarted',
  'media-needed': 'Paper needed',
  'media-empty': 'Out of paper',
  'media-low': 'Paper low',
  'media-jam': 'Paper jam',
  'media-path-jam': 'Paper jam',
  'toner-low': 'Toner low',
  'toner-empty': 'Out of toner',
  'marker-supply-low': 'Ink or toner low',
  'marker-supply-empty': 'Out of ink or toner',
  'marker-waste-almost-full': 'Waste container almost full',
  'marker-waste-full': 'Waste container full',
  'door-open': 'A door is open',
  'cover-open': 'A cover is open',
  'input-tray-missing': 'A paper tray is missing',
  'output-tray-missing': 'The output tray is missing',
  'output-area-almost-full': 'Output tray almost full',
  'output-area-full': 'Output tray full',
  'interlock-open': 'An interlock is open',
  'offline': 'Offline',
  'shutdown': 'Shut down',
  'paused': 'Paused',
  'moving-to-paused': 'Pausing',
  'spool-area-full': 'The printer has no room for more jobs',
  'connecting-to-device': 'Connecting to the printer',
  'timed-out': 'The printer does not answer',
  'stopping': 'Stopping',
  'stopped-partly': 'Partly stopped',
  'developer-low': 'Developer low',
  'developer-empty': 'Out of developer',
  'fuser-over-temp': 'Fuser too hot',
  'fuser-under-temp': 'Fuser warming up',
  'opc-near-eol': 'Drum almost worn out',
  'opc-life-over': 'Drum worn out',
  'cups-missing-filter': 'A print filter is missing on the server',
  'cups-insecure-filter': 'A print filter on the server is not secure',
};

export function printerReasonWords(keywords: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of keywords) {
    const k = raw.replace(/-(report|warning|error)$/, '');
    const w = k in PRINTER_REASONS ? PRINTER_REASONS[k] : keywordWords(k);
    if (w && !out.includes(w)) out.push(w);
  }
  return out;
}

const OFFLINE_REASONS = /^(offline|shutdown|timed-out)(-(report|warning|error))?$/;

/**
 * printer-state-reasons that do not stop a printer by themselves: being paused (or pausing),
 * conditions only worth telling (something low, almost full or almost worn out, connecting, the
 * fuser still warming up) and passing ones (asked to identify itself, just restarted), and holding
 * new jobs (an operator's choice, PWG 5100.11: resuming is not what it needs). Every other reason
 * of a stopped printer is a fault to fix; with a -report or -warning suffix none is.
 */
const NOT_A_FAULT = /^(none|stopping|connecting-to-device|fuser-under-temp|identify-printer-requested|hold-new-jobs|printer-restarted|.+-low|.+-almost-full|.+-near-eol)$/;
const PAUSED_REASONS = /^(paused|moving-to-paused)(-(report|warning|error))?$/;

function isFault(reason: string): boolean {
  if (PAUSED_REASONS.test(reason) || /-(report|warning)$/.test(reason)) return false;
  if (/-error$/.test(reason)) return true;
  return !NOT_A_FAULT.test(reason);
}

/**
 * printer-state (3 idle, 4 processing, 5 stopped) and printer-state-reasons as the contract's
 * printer state (PRINTER_STATES). Stopped with the reason `paused` or `moving-to-paused` (CUPS:
 * every queue stopped by `cupsdisable` or by its error policy) and no fault is `paused`; stopped
 * with a fault is `stopped`, paused or not. Also Universal Print's, whose printerStatus is IPP's
 * (graph/states.ts).
 */
export function toPrinterState(code: number | null, reasons: readonly string[]): PrinterState {
  if (reasons.some((r) => OFFLINE_REASONS.test(r))) return 'offline';
  switch (code) {
    case 3:
      return 'ready';
    case 4:
      return 'printing';
    case 5:
      return reasons.some((r) => PAUSED_REASONS.test(r)) && !reasons.some(isFault) ? 'paused' : 'stopped';
    default:
      return 'unknown';
  }
}

/** The words a state says by itself: not said again among its reasons. */
const STATE_OWN_WORDS: Partial<Record<PrinterState, readonly (string | null)[]>> = {
  paused: [PRINTER_REASONS.paused, PRINTER_REASONS['moving-to-paused']],
  offline: [PRINTER_REASONS.offline],
};

/**
 * A printer's reasons in plain words beside its state: the state's own words are not said again
 * ("Paused" or "Pausing" beside Paused, "Offline" beside Offline).
 */
export function reasonsBeside(state: PrinterState, words: readonly string[]): string[] {
  const own = STATE_OWN_WORDS[state] ?? [];
  return words.filter((w) => !own.includes(w));
}

/** The attributes a job listing asks for. */
export const JOB_ATTRIBUTES = [
  'job-id',
  'job-uri',
  'job-name',
  'job-originating-user-name',
  'job-state',
  'job-state-reasons',
  'job-state-message',
  'job-printer-state-message',
  'job-printer-uri',
  'job-printer-up-time',
  'job-impressions',
  'job-impressions-completed',
  'job-media-sheets',
  'job-media-sheets-completed',
  'job-k-octets',
  'time-at-creation',
  'time-at-processing',
  'time-at-completed',
];

export const PRINTER_ATTRIBUTES = [
  'printer-name',
  'printer-uri-supported',
  'printer-info',
  'printer-state',
  'printer-state-reasons',
  'printer-state-message',
  'printer-is-accepting-jobs',
  'printer-up-time',
  'queued-job-count',
];

/**
 * An IPP time: CUPS sends seconds since 1970; RFC 8011 printers may send seconds since they were
 * switched on, which the job's job-printer-up-time turns into a date.
 */
export function ippTime(value: number | null, upTime: number | null, nowMs: number): string | null {
  if (value === null || value <= 0) return null;
  if (value > 946_684_800) return new Date(value * 1000).toISOString();
  if (upTime !== null && upTime >= value) return new Date(nowMs - (upTime - value) * 1000).toISOString();
  return null;
}

/** A printer id as a job locator carries it: anything the contract's id rules refuse is escaped. */
export function encodePrinterId(id: string): string {
  return encodeURIComponent(id);
}

export function jobLocator(printerId: string, jobId: number): string {
  return `${encodePrinterId(printerId)}/${jobId}`;
}

/** `<printer>/<job id>` back to its parts, or null when it is not one of ours. */
export function parseLocator(locator: string): { printerId: string; jobId: number } | null {
  const m = /^([^/]+)\/([1-9]\d{0,9})$/.exec(locator);
  if (!m) return null;
  try {
    return { printerId: decodeURIComponent(m[1]), jobId: Number(m[2]) };
  } catch {
    return null;
  }
}

export interface JobMapContext {
  sourceId: string;
  /** The printer the job is on: its id (queue name) and the name shown. */
  printer: { id: string; name: string };
  /** The user name the source sends as requesting-user-name (marks "mine"). */
  user: string;
  nowMs: number;
}

/** One job-attributes group as the contract's job. */
export function toSourceJob(g: AttributeGroup, ctx: JobMapContext): SourceJob | null {
  const jobId = int(g, 'job-id');
  if (jobId === null || jobId < 1) return null;
  const code = int(g, 'job-state');
  const state = toJobState(code);
  const keywords = strs(g, 'job-state-reasons');
  const final = isFinal({ state, gone: false });
  // processing-to-stop-point says a job is still being stopped after a cancel or an abort
  // (RFC 8011 5.3.8); a finished job has stopped. CUPS 2.4.0-2.4.7 leaves it on every printed job.
  const words = jobReasonWords(final ? keywords.filter((k) => k !== 'processing-to-stop-point') : keywords);
  // CUPS gives the job the printer's words while it prints it ("The printer is not responding.")
  // in job-printer-state-message, and has no job-state-message; a job that printed keeps the last
  // of them, which says nothing about how it ended.
  const message = str(g, 'job-state-message')?.trim() || (state !== 'completed' ? str(g, 'job-printer-state-message')?.trim() : null) || null;
  const owner = str(g, 'job-originating-user-name');
  const upTime = int(g, 'job-printer-up-time');
  const pages = int(g, 'job-impressions');
  const printed = int(g, 'job-impressions-completed');
  const kOctets = int(g, 'job-k-octets');
  const held = code === 4;
  const createdAt = ippTime(int(g, 'time-at-creation'), upTime, ctx.nowMs);
  const updatedAt = ippTime(int(g, 'time-at-completed'), upTime, ctx.nowMs) ?? ippTime(int(g, 'time-at-processing'), upTime, ctx.nowMs) ?? createdAt;
  const reason = words[0] ?? null;
  const rawState = `${code ?? '?'} ${code !== null ? (JOB_STATE_NAMES[code] ?? 'unknown') : 'unknown'}${keywords.length ? ` (${keywords.join(', ')})` : ''}`;
  return {
    key: makeJobKey(ctx.sourceId, jobLocator(ctx.printer.id, jobId)),
    sourceId: ctx.sourceId,
    sourceKind: 'ipp',
    nativeId: String(jobId),
    state,
    rawState,
    detail: message ?? (words.length ? words.join('; ') : null),
    reason,
    document: str(g, 'job-name'),
    owner,
    printer: ctx.printer.name,
    // CUPS and Windows compare user names without case.
    mine: owner !== null && owner.toLowerCase() === ctx.user.toLowerCase(),
    createdAt,
    updatedAt,
    progress: pages !== null && pages > 0 && printed !== null ? Math.min(1, Math.max(0, printed / pages)) : state === 'completed' ? 1 : null,
    pages: pages !== null && pages >= 0 ? pages : null,
    pagesPrinted: printed !== null && printed >= 0 ? printed : null,
    sizeBytes: kOctets !== null && kOctets >= 0 ? kOctets * 1024 : null,
    cancel: final ? { allowed: false, reason: `The job is already ${JOB_STATE_NAMES[code ?? 0] ?? state}.` } : { allowed: true },
    hold: final ? { allowed: false, reason: 'The job is finished.' } : held ? { allowed: false, reason: 'The job is already held.' } : code === 3 ? { allowed: true } : { allowed: false, reason: 'Only a job still waiting in the queue can be held.' },
    release: held ? { allowed: true } : { allowed: false, reason: 'The job is not held.' },
    extra: { jobId, printerId: ctx.printer.id, stateReasons: keywords },
  };
}

/** One printer-attributes group as the contract's printer. */
export function toSourcePrinter(g: AttributeGroup, sourceId: string, id: string): SourcePrinter {
  const keywords = strs(g, 'printer-state-reasons');
  const message = str(g, 'printer-state-message')?.trim() || null;
  const words = printerReasonWords(keywords);
  const state = toPrinterState(int(g, 'printer-state'), keywords);
  // The operator's words (cupsdisable -r "Paper jam") come first.
  const reasons = reasonsBeside(state, message && !words.includes(message) ? [message, ...words] : words);
  return {
    key: `${sourceId}:${encodePrinterId(id)}`,
    sourceId,
    sourceKind: 'ipp',
    id,
    name: str(g, 'printer-info')?.trim() || str(g, 'printer-name') || id,
    state,
    reasons,
    acceptingJobs: bool(g, 'printer-is-accepting-jobs'),
  };
}
