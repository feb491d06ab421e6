import { describe, expect, it } from 'vitest';
import { ApiJobSchema, type ApiJob } from '../../../main/sources/aodocs/client';
import { cancelPermission, detailOf, jobTypeWords, progressOf, toJobState, toSourceJob } from '../../../main/sources/aodocs/states';
import { Job } from '../../../preload/contract/model';

function job(p: Partial<ApiJob> = {}): ApiJob {
  return ApiJobSchema.parse({
    completed: false,
    jobId: 'j-1',
    kind: 'aodocs#job',
    libraryId: 'lib-a',
    requestor: 'Alice@Example.com',
    startedAt: Date.UTC(2026, 0, 5, 8, 0, 0),
    lastActivityAt: Date.UTC(2026, 0, 5, 8, 30, 0),
    status: 'IN_PROGRESS',
    type: 'MOVE_DOCUMENTS_AND_FOLDERS',
    succeededTasks: 3,
    failedTasks: 1,
    remainingTasks: 6,
    taskRetries: 2,
    ...p,
  });
}

describe('AODocs states', () => {
  it('maps every status, and anything else to unknown', () => {
    expect(toJobState('IN_PROGRESS')).toBe('processing');
    expect(toJobState('COMPLETED')).toBe('completed');
    expect(toJobState('FAILED')).toBe('failed');
    expect(toJobState('CANCELLED')).toBe('canceled');
    expect(toJobState('PAUSED')).toBe('unknown');
    expect(toJobState('')).toBe('unknown');
  });

  it('computes progress from the task counters, null when nothing is counted', () => {
    expect(progressOf(job())).toBeCloseTo(0.4);
    expect(progressOf(job({ succeededTasks: 0, failedTasks: 0, remainingTasks: 0 }))).toBeNull();
    expect(progressOf(job({ succeededTasks: undefined, failedTasks: undefined, remainingTasks: undefined }))).toBeNull();
    expect(progressOf(job({ succeededTasks: 8, failedTasks: 2, remainingTasks: 0 }))).toBe(1);
  });

  it('puts the job type in words and shows unknown types as given', () => {
    expect(jobTypeWords('MOVE_DOCUMENTS_AND_FOLDERS')).toBe('Move documents and folders');
    expect(jobTypeWords('IMPORT')).toBe('Import');
    expect(jobTypeWords('REMOVE_EXPLICIT_PERMISSIONS_FROM_TF')).toBe('Remove explicit permissions from TF');
    expect(jobTypeWords('QUANTUM_REINDEX')).toBe('QUANTUM_REINDEX');
    expect(jobTypeWords(null)).toBeNull();
  });

  it('says so when a completed job had failed tasks', () => {
    expect(detailOf(job({ status: 'COMPLETED', remainingTasks: 0, succeededTasks: 9, failedTasks: 1 }))).toMatch(/^Completed with 1 failed of 10 tasks/);
    expect(detailOf(job({ status: 'COMPLETED', remainingTasks: 0, succeededTasks: 10, failedTasks: 0 }))).toBe('Completed: 10 tasks succeeded');
    expect(detailOf(job())).toBe('4 of 10 tasks done, 1 failed');
    expect(detailOf(job({ status: 'WAITING' }))).toMatch(/"WAITING"/);
  });

  it('allows cancel only while in progress, with a reason otherwise', () => {
    expect(cancelPermission(job()).allowed).toBe(true);
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED', 'SOMETHING']) {
      const p = cancelPermission(job({ status }));
      expect(p.allowed).toBe(false);
      expect(p.reason).toBeTruthy();
    }
  });

  it('builds a valid normalized job: owner, mine, library as printer, ISO times, int64 strings', () => {
    const sj = toSourceJob(job({ startedAt: '1767600000000' as unknown as number }), { sourceId: 'ao', user: 'alice@example.COM' });
    expect(sj).toMatchObject({
      key: 'ao:j-1',
      sourceKind: 'aodocs',
      nativeId: 'j-1',
      state: 'processing',
      rawState: 'IN_PROGRESS',
      owner: 'Alice@Example.com',
      mine: true,
      printer: 'lib-a',
      document: 'Move documents and folders',
      createdAt: '2026-01-05T08:00:00.000Z',
      updatedAt: '2026-01-05T08:30:00.000Z',
      extra: { jobType: 'MOVE_DOCUMENTS_AND_FOLDERS', succeededTasks: 3, failedTasks: 1, remainingTasks: 6, taskRetries: 2, libraryId: 'lib-a' },
    });
    expect(toSourceJob(job(), { sourceId: 'ao', user: 'bob@example.com' }).mine).toBe(false);
    expect(toSourceJob(job(), { sourceId: 'ao' }).mine).toBe(false);
    expect(toSourceJob(job(), { sourceId: 'ao', libraryNames: new Map([['lib-a', 'Contracts']]) }).printer).toBe('Contracts');
    // The engine adds these four; with them the result is a valid Job.
    expect(Job.safeParse({ ...sj, stale: false, stuck: false, gone: false, lastSeenAt: null }).success).toBe(true);
  });

  it('refuses an answer without a job id or status', () => {
    expect(ApiJobSchema.safeParse({ status: 'IN_PROGRESS' }).success).toBe(false);
    expect(ApiJobSchema.safeParse({ jobId: 'x' }).success).toBe(false);
    expect(ApiJobSchema.safeParse({ jobId: 'x', status: 'IN_PROGRESS', startedAt: 'yesterday' }).success).toBe(false);
  });
});
