/**
 * How an AODocs job (ApiJob) reads in the monitor's one queue: state, progress, words for the job
 * type, owner and "mine", timestamps, and whether it can be canceled.
 */
import { makeJobKey, type ActionPermission, type JobState } from '../../../preload/contract/model';
import type { SourceJob } from '../../queue/source';
import type { ApiJob } from './client';

/** IN_PROGRESS -> processing, COMPLETED -> completed, FAILED -> failed, CANCELLED -> canceled. */
export function toJobState(status: string): JobState {
  switch (status) {
    case 'IN_PROGRESS':
      return 'processing';
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
      return 'failed';
    case 'CANCELLED':
      return 'canceled';
    default:
      return 'unknown';
  }
}

/** The job types of the published enum (openapis/job.json, ApiJob.type); newer ones are shown as given. */
export const KNOWN_JOB_TYPES: ReadonlySet<string> = new Set([
  'UNKNOWN', 'IMPORT_FOLDER', 'DELETE_FOLDER', 'RESTORE_FOLDER', 'PERMANENTLY_DELETE_FOLDER', 'MOVE_FOLDER',
  'FOLDER_CACHE_UPDATE', 'DELETE_DOCUMENTS_AND_FOLDERS', 'PERMANENTLY_DELETE_DOCUMENTS_AND_FOLDERS', 'TRASH_DOCUMENTS',
  'COPY_FILE', 'COPY_FILE_RESUMABLE', 'CREATE_FOLDER_MAINTENANCE', 'REVERT_VERSION', 'RESTORE_VERSION',
  'MOVE_DOCUMENTS_AND_FOLDERS', 'DELETE_VERSIONEDDOCUMENT', 'CREATE_DOCUMENTS', 'CHECK_OUT_DOCUMENT', 'CHECK_IN_DOCUMENT',
  'IMPORT_PREPROCESS', 'IMPORT', 'REVERT', 'DUPLICATE_FOLDER_STRUCTURE', 'EXPORT_FOLDER', 'EXPORT_FILE', 'PUSH_TO_DRIVE',
  'APPLY_PERMISSIONS_TO_ALL_CHILDREN', 'DRIVE_SCAN', 'FIX_PERMISSION_PROPAGATION', 'LIBRARY_COPY_CONTENT',
  'EXPORT_TO_LIBRARY', 'LIBRARY_DELETE', 'REPLACE_FOLDER', 'BACKUP', 'MARK_STORED_EMAIL_DELIVERED', 'CONCURRENCY_TEST',
  'CLEAN_CATEGORY', 'VALIDATE_DOCUMENTS', 'CREATE_DOCUMENT_ASYNC', 'CREATE_DOCUMENT_FROM_INBOUND_EMAIL',
  'UPDATE_GROUP_MEMBERSHIP_CACHE', 'SET_PERMISSION_ID_FOR_USERS', 'PATCH_DOCUMENT_ASYNC', 'UPDATE_ATTACHMENT',
  'UPDATE_STORAGE_ACCOUNT_QUOTA_USAGE', 'COPY_DOCUMENT_WITH_VERSIONS', 'REFRESH_INDEX_STAT', 'VERIFY_SUBDOMAIN_EXISTENCE',
  'CREATE_DOCUMENT_WITH_VERSIONS_ASYNC_V1', 'REMOVE_EXPLICIT_PERMISSIONS_FROM_TF', 'CHANGE_LIBRARY_TYPE',
  'LIBRARY_OWNERSHIP_CHANGE', 'LIBRARY_PERMISSION_EXTRACTION', 'SEND_NOTIFICATION_REMINDERS',
  'CHECK_ANYONE_INCONSISTENCIES', 'PURGE_DOMAIN', 'BLACKLIST_USERS', 'PROPAGATE_OUTDATED_CATEGORY_VALUE_PROPERTY',
  'CACHE_DRIVE_SEARCH', 'FIX_INHERITED_PERMISSIONS_DISABLED', 'VALIDATE_DOCUMENT_WORKFLOW_TRANSITION',
  'MAKE_LIBRARY_PUBLIC', 'MIGRATE_SF_PUBLIC_TO_PRIVATE',
]);

/** Abbreviations inside type names that read better kept as they are. */
const WORD_OVERRIDES: Record<string, string> = { TF: 'TF', SF: 'SF', V1: 'v1', ID: 'ID' };

/**
 * The job type in words: MOVE_DOCUMENTS_AND_FOLDERS -> "Move documents and folders". A type newer
 * than this program is shown as given: guessing its words could mislead.
 */
export function jobTypeWords(type: string | null | undefined): string | null {
  if (type === null || type === undefined || type.trim() === '') return null;
  if (!KNOWN_JOB_TYPES.has(type)) return type;
  if (type === 'UNKNOWN') return 'Unknown job type';
  const words = type.split('_').map((w, i) => WORD_OVERRIDES[w] ?? (i === 0 ? w[0] + w.slice(1).toLowerCase() : w.toLowerCase()));
  return words.join(' ');
}

export interface TaskCounts {
  succeeded: number;
  failed: number;
  remaining: number;
  retries: number;
}

export function taskCounts(job: ApiJob): TaskCounts | null {
  if (job.succeededTasks == null && job.failedTasks == null && job.remainingTasks == null) return null;
  return { succeeded: job.succeededTasks ?? 0, failed: job.failedTasks ?? 0, remaining: job.remainingTasks ?? 0, retries: job.taskRetries ?? 0 };
}

/** (succeeded + failed) / (succeeded + failed + remaining), or null when nothing is counted. */
export function progressOf(job: ApiJob): number | null {
  const c = taskCounts(job);
  if (!c) return null;
  const total = c.succeeded + c.failed + c.remaining;
  if (total <= 0) return null;
  return Math.min(1, Math.max(0, (c.succeeded + c.failed) / total));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A sentence on where the job stands, from its status and task counters. */
export function detailOf(job: ApiJob): string | null {
  const c = taskCounts(job);
  const total = c ? c.succeeded + c.failed + c.remaining : 0;
  const done = c ? c.succeeded + c.failed : 0;
  const failedPart = c && c.failed > 0 ? `, ${c.failed} failed` : '';
  switch (job.status) {
    case 'IN_PROGRESS':
      return c ? `${done} of ${plural(total, 'task')} done${failedPart}` : 'In progress';
    case 'COMPLETED':
      if (c && c.failed > 0) return `Completed with ${c.failed} failed of ${plural(total, 'task')}: open the job for the error events`;
      return c ? `Completed: ${plural(c.succeeded, 'task')} succeeded` : 'Completed';
    case 'FAILED':
      return c ? `Failed after ${done} of ${plural(total, 'task')}${failedPart}: open the job for the error events` : 'Failed: open the job for the error events';
    case 'CANCELLED':
      return c ? `Canceled after ${done} of ${plural(total, 'task')}${failedPart}` : 'Canceled';
    default:
      return `AODocs reports status "${job.status}", which this version of the monitor does not know`;
  }
}

/** The plain reason beside the state word; null when the state word says it all. */
export function reasonOf(job: ApiJob): string | null {
  const c = taskCounts(job);
  switch (job.status) {
    case 'IN_PROGRESS':
    case 'CANCELLED':
      return null;
    case 'COMPLETED':
      return c && c.failed > 0 ? `${plural(c.failed, 'task')} failed` : null;
    case 'FAILED':
      return c && c.failed > 0 ? `${plural(c.failed, 'task')} failed` : null;
    default:
      return `Unknown status "${job.status}"`;
  }
}

/** Epoch milliseconds to ISO 8601 UTC; null when absent or out of range. */
export function isoFromEpochMs(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function cancelPermission(job: ApiJob): ActionPermission {
  switch (job.status) {
    case 'IN_PROGRESS':
      return { allowed: true, reason: 'Only library administrators can cancel AODocs jobs' };
    case 'COMPLETED':
    case 'FAILED':
    case 'CANCELLED':
      return { allowed: false, reason: `The job has already ${job.status === 'COMPLETED' ? 'completed' : job.status === 'FAILED' ? 'failed' : 'been canceled'}` };
    default:
      return { allowed: false, reason: `AODocs reports status "${job.status}", which cannot be canceled from here` };
  }
}

export interface MapContext {
  sourceId: string;
  /** The requester e-mail that counts as "mine". */
  user?: string;
  /** Library names by id, when known. */
  libraryNames?: ReadonlyMap<string, string>;
}

export function toSourceJob(job: ApiJob, ctx: MapContext): SourceJob {
  const c = taskCounts(job);
  const requestor = job.requestor?.trim() || null;
  const libraryId = job.libraryId?.trim() || null;
  const extra: Record<string, unknown> = {};
  if (job.type) extra.jobType = job.type;
  if (libraryId) extra.libraryId = libraryId;
  if (c) {
    extra.succeededTasks = c.succeeded;
    extra.failedTasks = c.failed;
    extra.remainingTasks = c.remaining;
    extra.taskRetries = c.retries;
  }
  return {
    key: makeJobKey(ctx.sourceId, job.jobId),
    sourceId: ctx.sourceId,
    sourceKind: 'aodocs',
    nativeId: job.jobId,
    state: toJobState(job.status),
    rawState: job.status,
    detail: detailOf(job),
    reason: reasonOf(job),
    document: jobTypeWords(job.type),
    owner: requestor,
    printer: libraryId ? (ctx.libraryNames?.get(libraryId) ?? libraryId) : null,
    mine: !!(requestor && ctx.user && requestor.toLowerCase() === ctx.user.trim().toLowerCase()),
    createdAt: isoFromEpochMs(job.startedAt),
    updatedAt: isoFromEpochMs(job.lastActivityAt ?? job.startedAt),
    progress: progressOf(job),
    cancel: cancelPermission(job),
    extra,
  };
}
