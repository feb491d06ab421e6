/**
 * Each source's own state table gives a plain reason beside the state word, and the engine carries
 * it (and the job's pages and size) to the window.
 */
import { describe, expect, it } from 'vitest';
import { toJobStatus } from '../../main/sources/scriptx/states';
import { toReason } from '../../main/sources/graph/states';
import { sizeOf } from '../../main/sources/graph/mapping';
import { ApiJobSchema, type ApiJob } from '../../main/sources/aodocs/client';
import { reasonOf, toSourceJob } from '../../main/sources/aodocs/states';
import { JobStore } from '../../main/queue/store';
import { Job } from '../../preload/contract/model';
import { sourceJob } from '../helpers/fake-source';

function aodocs(p: Partial<ApiJob>): ApiJob {
  return ApiJobSchema.parse({ completed: false, jobId: 'j-1', kind: 'aodocs#job', libraryId: 'lib-a', requestor: 'a@example.com', startedAt: 1, status: 'IN_PROGRESS', type: 'IMPORT', ...p });
}

describe('plain reasons from each source', () => {
  it('ScriptX: the codes whose state word needs a reason have one; unknown codes say so', () => {
    expect(toJobStatus(8, null).reason).toBe('Printing the PDF');
    expect(toJobStatus(3, null).reason).toBe('Downloading the content');
    expect(toJobStatus(-1, 'boom').reason).toBe('Error while processing the job');
    expect(toJobStatus(6, null, { toFile: true }).reason).toBe('Output ready to save');
    expect(toJobStatus(5, null).reason).toBeNull();
    expect(toJobStatus(1, null).reason).toBeNull();
    expect(toJobStatus(42, null).reason).toBe('Unknown status 42');
  });

  it('Universal Print: state details and states in plain words', () => {
    expect(toReason({ state: 'paused', details: ['releaseWait'] })).toBe('Waiting to be released at the printer');
    expect(toReason({ state: 'processing', details: ['releaseWait'] })).toBe('Waiting to be released at the printer');
    expect(toReason({ state: 'paused', details: ['uploadPending'] })).toBe('Waiting for the document to upload');
    expect(toReason({ state: 'stopped', details: [] })).toBe('Stopped at the printer');
    expect(toReason({ state: 'aborted', details: [] })).toBe('Aborted');
    expect(toReason({ state: 'completed', details: ['completedWithErrors'] })).toBe('Finished with errors');
    expect(toReason({ state: 'completed', details: ['completedSuccessfully'] })).toBeNull();
    expect(toReason({ state: 'somethingNew', details: [] })).toBe('Unknown status "somethingNew"');
  });

  it('Universal Print: the size is the sum of the documents, unknown when one size is missing', () => {
    expect(sizeOf({ documents: [{ id: 'a', size: 1000 }, { id: 'b', size: 24 }] } as never)).toBe(1024);
    expect(sizeOf({ documents: [{ id: 'a', size: 1000 }, { id: 'b', size: null }] } as never)).toBeNull();
    expect(sizeOf({ documents: undefined } as never)).toBeUndefined();
  });

  it('AODocs: failed tasks and unknown statuses; the job passes the contract', () => {
    expect(reasonOf(aodocs({ status: 'FAILED', succeededTasks: 1, failedTasks: 2, remainingTasks: 0 }))).toBe('2 tasks failed');
    expect(reasonOf(aodocs({ status: 'IN_PROGRESS' }))).toBeNull();
    expect(reasonOf(aodocs({ status: 'PAUSED_BY_ADMIN' }))).toBe('Unknown status "PAUSED_BY_ADMIN"');
    const sj = toSourceJob(aodocs({ status: 'FAILED', failedTasks: 1 }), { sourceId: 'ao' });
    expect(sj.reason).toBe('1 task failed');
    expect(Job.safeParse({ ...sj, stale: false, stuck: false, gone: false, lastSeenAt: null }).success).toBe(true);
  });
});

describe('the engine carries reason, pages and size', () => {
  it('adds them when reported, patches them when they change, and drops them when no longer reported', () => {
    const patches: unknown[] = [];
    const store = new JobStore({ now: () => 0, emit: (e) => e.type === 'patches' && patches.push(...e.patches), stuckAfterMs: 60_000 });
    const poll = (over: Parameters<typeof sourceJob>[2]) => {
      store.applyPoll('s', { jobs: [sourceJob('s', 'a', { state: 'paused', ...over })], complete: true, health: { status: 'ok', message: 'ok' } });
      store.flush();
    };
    poll({ reason: 'Waiting to be released at the printer', sizeBytes: 2048, pages: 3 });
    expect(store.get('s:a')).toMatchObject({ reason: 'Waiting to be released at the printer', sizeBytes: 2048, pages: 3 });
    patches.length = 0;
    poll({ reason: 'Paper jam', sizeBytes: 2048, pages: 3, pagesPrinted: 1 });
    expect(patches).toEqual([{ type: 'changed', key: 's:a', changes: { reason: 'Paper jam', pagesPrinted: 1 } }]);
    poll({});
    expect(store.get('s:a')).not.toHaveProperty('reason');
    expect(store.get('s:a')).not.toHaveProperty('sizeBytes');
  });
});

describe('job names', () => {
  it('is the document, else what the job is; notifications say the same', async () => {
    const { jobName } = await import('../../preload/contract/job-states');
    expect(jobName({ document: 'Invoice.pdf', sourceKind: 'scriptx', nativeId: '72' })).toBe('Invoice.pdf');
    expect(jobName({ document: null, sourceKind: 'scriptx', nativeId: '72' })).toBe('ScriptX job 72');
    expect(jobName({ document: '  ', sourceKind: 'graph', nativeId: 'j-1' })).toBe('Universal Print job j-1');
    expect(jobName({ document: null, sourceKind: 'aodocs', nativeId: 'a' })).toBe('AODocs job a');
  });
});
