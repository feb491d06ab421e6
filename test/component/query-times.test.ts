/** Sorting by a time column: canonical UTC text and other ISO forms give the instants' order. */
import { describe, expect, it } from 'vitest';
import type { UiSettings } from '../../preload/contract/model';
import { defaultUi } from '../../renderer/src/state/model-lite';
import { selectJobs } from '../../preload/contract/queue-view';
import { makeJob } from '../helpers/fake-bridge';
import { seededRandom } from '../helpers/seeded-random';

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

describe('the first rows only (selectJobs `limit`, getSnapshot `first`)', () => {
  it('are exactly the first rows of the whole order, for every sort, direction and filter', () => {
    const random = seededRandom(11);
    const states = ['queued', 'printing', 'completed', 'failed'] as const;
    const keys: UiSettings['sort']['key'][] = ['source', 'printer', 'document', 'owner', 'state', 'progress', 'createdAt', 'updatedAt'];
    const names = new Map([
      ['local', 'This PC'],
      ['up', 'Universal Print'],
    ]);
    for (let round = 0; round < 40; round++) {
      const jobs = Array.from({ length: 200 + Math.floor(random() * 300) }, (_, i) =>
        makeJob({
          key: `${i % 2 ? 'local' : 'up'}:j${i}`,
          sourceId: i % 2 ? 'local' : 'up',
          state: states[Math.floor(random() * states.length)]!,
          document: random() < 0.1 ? null : `Doc ${Math.floor(random() * 50)}`,
          printer: `P${Math.floor(random() * 6)}`,
          progress: random() < 0.5 ? null : Math.round(random() * 100) / 100,
          updatedAt: random() < 0.05 ? null : new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 1e6) * 1000).toISOString(),
          mine: random() < 0.5,
        }),
      );
      const q: UiSettings = {
        ...defaultUi(),
        view: (['all', 'active', 'finished'] as const)[round % 3]!,
        mineOnly: round % 4 === 0,
        sort: { key: keys[round % keys.length]!, dir: round % 2 ? 'asc' : 'desc' },
      };
      const whole = selectJobs(jobs, q, names).map((j) => j.key);
      for (const limit of [0, 1, 7, 50, whole.length, whole.length + 10]) {
        expect(selectJobs(jobs, q, names, limit).map((j) => j.key), `${q.sort.key} ${q.sort.dir} ${q.view} limit ${limit}`).toEqual(whole.slice(0, limit));
      }
    }
  });
});
