/**
 * The core's job requests (main/core/job-handlers.ts) over an engine that holds a few jobs: what
 * cancelPrinterJobs answers for each key it is given.
 */
import { describe, expect, it } from 'vitest';
import { createJobHandlers } from '../../../main/core/job-handlers';
import type { QueueEngine } from '../../../main/queue/engine-types';
import { createRedactor } from '../../../main/state/redact';
import { AppFailure, type Job, type Printer } from '../../../preload/contract/model';
import { makeJob } from '../../helpers/fake-bridge';

const office: Printer = { key: 'cups:office', sourceId: 'cups', sourceKind: 'ipp', id: 'office', name: 'office', state: 'ready', reasons: [], acceptingJobs: true, activeJobs: 2, stuckJobs: 0 };

function handlers(jobs: Job[]) {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const acted: string[] = [];
  const engine = {
    printers: () => [office],
    snapshot: () => ({ jobs: [...byKey.values()], sources: [] }),
    getJob: (key: string) => byKey.get(key),
    act: async (key: string) => {
      acted.push(key);
      const after = { ...byKey.get(key)!, state: 'canceled' as const };
      byKey.set(key, after);
      return after;
    },
  } as unknown as QueueEngine;
  const requireJob = (key: string): Job => {
    const job = byKey.get(key);
    if (!job) throw new AppFailure('not-found', `The job ${key} is not in the queue.`, { field: 'key' });
    return job;
  };
  const h = createJobHandlers({ engine, redactor: createRedactor(), requireJob, requireSource: () => undefined as never, unsupported: () => undefined as never });
  return { h, acted };
}

const job = (id: string, over: Partial<Job> = {}) => makeJob({ key: `cups:office/${id}`, sourceId: 'cups', sourceKind: 'ipp', nativeId: `office/${id}`, printer: 'office', ...over });

describe('cancelPrinterJobs', () => {
  it('answers every key named: canceled, not-found, another printer\'s job or a finished one refused', async () => {
    const { h, acted } = handlers([
      job('1'),
      job('2', { state: 'completed', cancel: { allowed: false, reason: 'The job is already completed.' } }),
      makeJob({ key: 'cups:lab/3', sourceId: 'cups', sourceKind: 'ipp', nativeId: 'lab/3', printer: 'lab' }),
      job('4'),
    ]);
    const answer = await h.cancelPrinterJobs({ printerKey: 'cups:office', keys: ['cups:office/1', 'cups:office/99', 'cups:lab/3', 'cups:office/2', 'cups:office/1'] });
    expect(answer.map((a) => a.key)).toEqual(['cups:office/1', 'cups:office/99', 'cups:lab/3', 'cups:office/2']);
    expect(answer[0].result).toMatchObject({ ok: true, value: { state: 'canceled' } });
    expect(answer[1].result).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(answer[2].result).toMatchObject({ ok: false, error: { code: 'conflict', field: 'keys', message: expect.stringContaining('not on office') } });
    expect(answer[3].result).toMatchObject({ ok: false, error: { code: 'conflict', message: 'The job is already completed.' } });
    // Only the job confirmed on this printer was asked for; the one not named stays.
    expect(acted).toEqual(['cups:office/1']);
  });

  it('without keys cancels every unfinished job of the printer and only those', async () => {
    const { h, acted } = handlers([job('1'), job('2', { state: 'completed' }), makeJob({ key: 'cups:lab/3', sourceId: 'cups', sourceKind: 'ipp', nativeId: 'lab/3', printer: 'lab' }), job('4')]);
    const answer = await h.cancelPrinterJobs({ printerKey: 'cups:office' });
    expect(answer.map((a) => [a.key, a.result.ok])).toEqual([
      ['cups:office/1', true],
      ['cups:office/4', true],
    ]);
    expect(acted).toEqual(['cups:office/1', 'cups:office/4']);
  });
});
