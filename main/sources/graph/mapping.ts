/**
 * A Universal Print printJob -> the normalized job, and the words for refusals (403 permissions).
 */
import { makeJobKey } from '../../../preload/contract/model';
import type { SourceJob } from '../../queue/source';
import type { PrintJob } from './client';
import { abortPermission, cancelPermission, toDetail, toJobState, toRawState, toReason } from './states';

export type Via = 'shares' | 'printers';

export interface WatchedTarget {
  via: Via;
  id: string;
  name: string;
  state: string | null;
  details: string[];
  description: string | null;
  isAcceptingJobs: boolean | null;
}

export interface MapContext {
  sourceId: string;
  upn: string | null;
  admin: boolean;
  /** Printer names by id, for "printed on <printer>". */
  printerName: (id: string) => string | null;
  /** A document name learned from details or from printing, by key. */
  documentName: (key: string) => string | null;
}

/** `<printer or share id>/<printJob id>`. */
export function locatorOf(ownerId: string, jobId: string): string {
  return `${ownerId}/${jobId}`;
}

/** Where a job lives: the share or printer it is read through, and its id there. */
export interface JobWhere {
  via: Via;
  ownerId: string;
  jobId: string;
}

/** The id a Graph job is kept under in the tracked list: `<shares|printers>/<owner id>/<job id>`. */
export function trackedIdOf(w: JobWhere): string {
  return `${w.via}/${w.ownerId}/${w.jobId}`;
}

/**
 * Where a tracked entry's job lives, or null when the entry is not one this source can read.
 * Entries written before the via was recorded hold the plain job id and the share in `submission`.
 */
export function parseTrackedId(id: string, submission?: Record<string, unknown>): JobWhere | null {
  const a = id.indexOf('/');
  if (a > 0) {
    const via = id.slice(0, a);
    const rest = id.slice(a + 1);
    const b = rest.indexOf('/');
    if ((via === 'shares' || via === 'printers') && b > 0 && b < rest.length - 1) return { via, ownerId: rest.slice(0, b), jobId: rest.slice(b + 1) };
    return null;
  }
  const shareId = submission?.shareId;
  if (id && typeof shareId === 'string' && shareId && !shareId.includes('/')) return { via: 'shares', ownerId: shareId, jobId: id };
  return null;
}

/** The printer id inside a Graph job URL (redirectedTo / redirectedFrom). */
export function printerIdInUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const m = url.match(/\/print\/printers\/([^/?#]+)\/jobs\//);
  return m ? decodeURIComponent(m[1]) : null;
}

export function toSourceJob(pj: PrintJob, target: WatchedTarget, ctx: MapContext): SourceJob {
  const key = makeJobKey(ctx.sourceId, locatorOf(target.id, pj.id));
  const status = { state: pj.status.state, description: pj.status.description ?? null, details: pj.status.details ?? [], isAcquiredByPrinter: pj.status.isAcquiredByPrinter ?? null };
  const upn = pj.createdBy?.userPrincipalName ?? null;
  const extra: Record<string, unknown> = { via: target.via, ownerId: target.id, jobId: pj.id };
  if (pj.errorCode !== null && pj.errorCode !== undefined) extra.errorCode = pj.errorCode;
  if (pj.redirectedTo) {
    const pid = printerIdInUrl(pj.redirectedTo);
    const name = pid ? (ctx.printerName(pid) ?? pid) : null;
    extra.redirectedTo = name ? `printed on ${name}` : pj.redirectedTo;
    extra.redirectedToUrl = pj.redirectedTo;
  }
  if (pj.redirectedFrom) extra.redirectedFrom = pj.redirectedFrom;
  if (status.isAcquiredByPrinter !== null) extra.isAcquiredByPrinter = status.isAcquiredByPrinter;
  if (pj.isFetchable !== null && pj.isFetchable !== undefined) extra.isFetchable = pj.isFetchable;
  if (status.details.includes('uploadPending')) extra.uploadPending = true;

  const docFromJob = documentLabel(pj) ?? pj.displayName ?? null;
  const job: SourceJob = {
    key,
    sourceId: ctx.sourceId,
    sourceKind: 'graph',
    nativeId: pj.id,
    state: toJobState(status),
    rawState: toRawState(status),
    detail: toDetail(status),
    reason: toReason(status),
    document: docFromJob || ctx.documentName(key),
    owner: pj.createdBy?.displayName || upn || null,
    printer: target.name,
    mine: !!(upn && ctx.upn && upn.toLowerCase() === ctx.upn.toLowerCase()),
    createdAt: pj.createdDateTime ?? null,
    updatedAt: pj.acknowledgedDateTime ?? pj.createdDateTime ?? null,
    progress: status.state === 'completed' && !status.details.includes('completedWithErrors') ? 1 : null,
    cancel: cancelPermission(status),
    extra,
  };
  const abort = abortPermission(status, { enabled: ctx.admin, viaPrinter: target.via === 'printers' });
  if (abort) job.abort = abort;
  const size = sizeOf(pj);
  if (size !== undefined) job.sizeBytes = size;
  return job;
}

/**
 * The job's size: the sum of its documents' sizes when Graph gave every one (the list asked for
 * `$expand=documents`); undefined when the documents were not listed, null when some size is unknown.
 */
export function sizeOf(pj: Pick<PrintJob, 'documents'>): number | null | undefined {
  const docs = pj.documents;
  if (!docs || !docs.length) return undefined;
  let total = 0;
  for (const d of docs) {
    if (typeof d.size !== 'number' || !Number.isInteger(d.size) || d.size < 0) return null;
    total += d.size;
  }
  return total;
}

/**
 * The queue's document column from the job's documents (present when the list asked for
 * `$expand=documents`): the first named document, with "+N more" when the job has several.
 */
export function documentLabel(pj: Pick<PrintJob, 'documents'>): string | null {
  const docs = pj.documents ?? [];
  const first = docs.find((d) => d.displayName && d.displayName.trim());
  if (!first) return null;
  const more = docs.length - 1;
  return more > 0 ? `${first.displayName!.trim()} +${more} more` : first.displayName!.trim();
}

/** The permission (and role) an operation needs, for a 403 message. */
export type Operation = 'read-me' | 'list-shares' | 'list-printers' | 'list-my-jobs' | 'list-all-jobs' | 'read-share' | 'read-printer' | 'read-job' | 'cancel' | 'abort' | 'create' | 'upload' | 'start';

const NEEDS: Record<Operation, string> = {
  'read-me': 'the delegated permission User.Read',
  'list-shares': 'the delegated permission PrinterShare.ReadBasic.All',
  'read-share': 'the delegated permission PrinterShare.ReadBasic.All',
  'list-printers': 'the permission Printer.Read.All and the Printer Administrator role',
  'read-printer': 'the permission Printer.Read.All and the Printer Administrator role',
  'list-my-jobs': 'the delegated permission PrintJob.ReadBasic',
  'list-all-jobs': "the permission PrintJob.ReadBasic.All (or PrintJob.Read.All) and the Printer Administrator role to see other users' jobs",
  'read-job': 'the delegated permission PrintJob.ReadBasic',
  cancel: "the delegated permission PrintJob.ReadWriteBasic (and the Printer Administrator role for other users' jobs)",
  abort: 'the application permission PrintJob.ReadWriteBasic.All (or PrintJob.ReadWrite.All / PrintJob.Manage.All) plus Printer.Read.All, granted to the admin app registration',
  create: 'the delegated permission PrintJob.Create',
  upload: 'the delegated permission PrintJob.ReadWrite',
  start: 'the delegated permission PrintJob.Create',
};

export function permissionMessage(op: Operation, what: string, serviceMessage: string | null): string {
  const said = serviceMessage ? ` ("${serviceMessage}")` : '';
  return `Universal Print refused ${what}${said}: the account needs ${NEEDS[op]}.`;
}
