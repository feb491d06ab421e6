/** Sorting by a time column: canonical UTC text and other ISO forms give the instants' order. */
import { describe, expect, it } from 'vitest';
import type { UiSettings } from '../../preload/model';
import { defaultUi } from '../../renderer/src/state/model-lite';
import { selectJobs } from '../../preload/queue-view';
import { makeJob } from '../helpers/fake-bridge';

function choices(key: 'createdAt' | 'updatedAt', dir: 'asc' | 'desc'): UiSettings {
  return { ...defaultUi(), view: 'all', sort: { key, dir } };
}

describe('time columns', () => {
  it('orders canonical UTC times, with missing ones last in either direction and ties by key', () => {
    const jobs = [
      makeJob({ key: 'local:b', createdAt: '2026-03-02T10:00:00.000Z' }),
      makeJob({ key: 'local:a', createdAt: '2026-03-02T10:00:00.000Z' }),
      makeJob({ key: 'local:n', createdAt: null }),
      makeJob({ key: 'local:c', createdAt: '2025-12-31T23:59:59.999Z' }),
      makeJob({ key: 'local:d', createdAt: '2026-03-02T10:00:00.001Z' }),
    ];
    expect(selectJobs(jobs, choices('createdAt', 'asc')).map((j) => j.key)).toEqual(['local:c', 'local:a', 'local:b', 'local:d', 'local:n']);
    expect(selectJobs(jobs, choices('createdAt', 'desc')).map((j) => j.key)).toEqual(['local:d', 'local:a', 'local:b', 'local:c', 'local:n']);
  });

  it('orders by the instant when some times carry an offset, where their text order would be wrong', () => {
    const jobs = [
      // 10:30 at +02:00 is 08:30 UTC: earlier than 09:00Z although its text sorts after it.
      makeJob({ key: 'up:x', updatedAt: '2026-03-02T10:30:00+02:00' }),
      makeJob({ key: 'local:y', updatedAt: '2026-03-02T09:00:00.000Z' }),
      makeJob({ key: 'local:z', updatedAt: '2026-03-02T08:45:00.000Z' }),
    ];
    expect(selectJobs(jobs, choices('updatedAt', 'asc')).map((j) => j.key)).toEqual(['up:x', 'local:z', 'local:y']);
    expect(selectJobs(jobs, choices('updatedAt', 'desc')).map((j) => j.key)).toEqual(['local:y', 'local:z', 'up:x']);
  });
});
