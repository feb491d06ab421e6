import { describe, expect, it } from 'vitest';
import { effect } from '@preact/signals';
import { JOB_STATES, type Job, type JobPatch, type UiSettings } from '../../preload/contract/model';
import { selectJobs } from '../../preload/contract/queue-view';
import { createStore } from '../../renderer/src/state/store';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';

/** A small deterministic generator so a failure can be replayed. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)] };
}

const PRINTERS = ['HP 1', 'HP 2', 'Floor 3', null];

describe('the visible list under patches', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`always equals a full filter-and-sort of the jobs (seed ${seed})`, async () => {
      const r = prng(seed);
      const jobs: Job[] = Array.from({ length: 300 }, (_, i) =>
        makeJob({
          key: `s${i % 2}:j${i}`,
          sourceId: `s${i % 2}`,
          document: `Doc ${r.int(50)}`,
          state: r.pick(JOB_STATES),
          printer: r.pick(PRINTERS),
          mine: r.next() < 0.5,
          progress: r.next() < 0.5 ? r.next() : null,
          updatedAt: new Date(Date.parse('2026-03-02T00:00:00Z') + r.int(1000) * 1000).toISOString(),
        }),
      );
      const bridge = new FakeBridge({ jobs, sources: [makeHealth({ id: 's0', name: 'Zeta' }), makeHealth({ id: 's1', name: 'Alpha' })] });
      const store = createStore(bridge);
      await store.start();
      // Something watches the list, as the grid does.
      const stop = effect(() => void store.visible.value);
      let nextId = 1000;
      try {
        for (let step = 0; step < 400; step++) {
          if (step % 50 === 0) {
            const ui: Partial<UiSettings> = {
              view: r.pick(['active', 'finished', 'all'] as const),
              mineOnly: r.next() < 0.3,
              printerFilter: r.next() < 0.3 ? ['HP 1'] : [],
              search: r.next() < 0.3 ? 'doc 1' : '',
              sort: { key: r.pick(['source', 'printer', 'document', 'state', 'progress', 'updatedAt'] as const), dir: r.pick(['asc', 'desc'] as const) },
            };
            store.updateUi(ui);
          }
          const keys = [...store.jobs.keys()];
          const patches: JobPatch[] = [];
          for (let n = 1 + r.int(3); n > 0; n--) {
            const kind = r.next();
            const key = r.pick(keys);
            if (kind < 0.6) patches.push({ type: 'changed', key, changes: { progress: r.next(), rawState: `raw ${step}` } });
            else if (kind < 0.75) patches.push({ type: 'changed', key, changes: { state: r.pick(JOB_STATES), updatedAt: new Date(Date.parse('2026-03-02T00:00:00Z') + r.int(1000) * 1000).toISOString() } });
            else if (kind < 0.85) patches.push({ type: 'changed', key, changes: { printer: r.pick(PRINTERS), mine: r.next() < 0.5 } });
            else if (kind < 0.93) patches.push({ type: 'added', job: makeJob({ key: `s0:n${nextId++}`, sourceId: 's0', printer: r.pick(PRINTERS) }) });
            else patches.push({ type: 'removed', key });
          }
          store.applyPatches(patches);
          const expected = selectJobs(store.jobs.values(), store.ui.value, store.sourceNames.value);
          const actual = store.visible.value;
          expect(actual.map((j) => j.key)).toEqual(expected.map((j) => j.key));
          // Rows carry the newest version of each job, never a stale copy.
          actual.forEach((j) => expect(j).toBe(store.jobs.get(j.key)));
          const printers = [...new Set([...store.jobs.values()].map((j) => j.printer).filter(Boolean))].sort();
          expect(store.printers.value).toEqual(printers);
        }
      } finally {
        stop();
        store.dispose();
      }
    });
  }
});

describe('the window says when it listens', () => {
  it('asks main to send what it held (a link that started the app) once its app:navigate listener is attached and the queue is in', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:linked', document: 'Linked.pdf' })] });
    const listening: number[] = [];
    bridge.override('windowReady', async () => {
      listening.push(bridge.listenerCount('app:navigate'));
      // What main does on windowReady: the held navigation is sent now.
      bridge.emit('app:navigate', { key: 'local:linked' });
      return null;
    });
    const store = createStore(bridge);
    await store.start();
    expect(listening).toEqual([1]);
    expect(store.detailKey.value).toBe('local:linked');
    expect(store.notices.value).toEqual([]);
  });
});

describe('upload progress', () => {
  const graph = [makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' })];

  it('is kept under the printed job\'s own key while the upload runs, and goes once the print answers', async () => {
    const bridge = new FakeBridge({ sources: graph });
    const store = createStore(bridge);
    await store.start();
    const seen: { key: string; progress: ReadonlyMap<string, unknown> }[] = [];
    bridge.on('print:progress', ({ key }) => seen.push({ key, progress: store.printProgress.value }));
    const r = await store.submitPrint({ sourceId: 'up', document: { type: 'file' }, printer: 's1' });
    expect(r.ok).toBe(true);
    const key = r.ok ? r.value.key : '';
    expect(seen.map((s) => s.key)).toEqual([key, key]);
    // The grid looks the upload up by the row's key: the row is there while it uploads.
    expect(store.jobs.get(key)).toMatchObject({ key, state: 'queued' });
    // Once printed, the row shows the job again, not a finished upload.
    expect(store.printProgress.value.has(key)).toBe(false);
    store.dispose();
  });

  it('stops an upload by the key its progress came under', async () => {
    const bridge = new FakeBridge({ sources: graph });
    const store = createStore(bridge);
    await store.start();
    bridge.holdNextUpload();
    const first = new Promise<string>((resolve) => bridge.on('print:progress', ({ key }) => resolve(key)));
    const printing = store.submitPrint({ sourceId: 'up', document: { type: 'file' }, printer: 's1' });
    const key = await first;
    expect(store.printProgress.value.get(key)).toEqual({ sentBytes: 0, totalBytes: 4096 });
    expect(await store.cancelUpload(key)).toBe(true);
    expect(store.jobs.get(key)).toMatchObject({ state: 'canceled' });
    expect(await printing).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(store.printProgress.value.size).toBe(0);
    store.dispose();
  });
});

describe('what the window tells main it is looking at', () => {
  it('sends the selected rows and the job open in the details panel whenever they change, once per change', async () => {
    const jobs = [makeJob({ key: 's0:a', sourceId: 's0' }), makeJob({ key: 's0:b', sourceId: 's0' }), makeJob({ key: 's0:c', sourceId: 's0' })];
    const bridge = new FakeBridge({ jobs, sources: [makeHealth({ id: 's0' })] });
    const store = createStore(bridge);
    await store.start();
    expect(bridge.callsOf('setSelection')).toEqual([]);
    store.selection.value = new Set(['s0:a', 's0:b']);
    expect(bridge.callsOf('setSelection')).toEqual([{ keys: ['s0:a', 's0:b'] }]);
    store.detailKey.value = 's0:c';
    expect(bridge.callsOf('setSelection').at(-1)).toEqual({ keys: ['s0:a', 's0:b', 's0:c'] });
    store.selection.value = new Set(['s0:a', 's0:b']);
    expect(bridge.callsOf('setSelection')).toHaveLength(2);
    store.detailKey.value = null;
    store.selection.value = new Set();
    expect(bridge.callsOf('setSelection').at(-1)).toEqual({ keys: [] });
  });
});

describe('an action\'s answer', () => {
  /** Counts the queue's updates (each one re-filters or patches the visible list) while `run` runs. */
  async function updatesDuring(store: ReturnType<typeof createStore>, run: () => Promise<unknown>): Promise<number> {
    let updates = -1;
    const stop = effect(() => {
      void store.jobsVersion.value;
      updates++;
    });
    try {
      await run();
    } finally {
      stop();
    }
    return updates;
  }

  it('updates the queue once: the patch of a cancel and its answer are one change, the row kept in its place', async () => {
    const jobs = [makeJob({ key: 'local:a', document: 'A', state: 'printing' }), makeJob({ key: 'local:b', document: 'B', state: 'queued' })];
    const bridge = new FakeBridge({ jobs, sources: [makeHealth({ id: 'local' })] });
    const store = createStore(bridge);
    await store.start();
    store.updateUi({ view: 'all', sort: { key: 'document', dir: 'asc' } });
    const before = store.visible.value;
    expect(await updatesDuring(store, () => store.cancelJob('local:b'))).toBe(1);
    expect(store.jobs.get('local:b')!.state).toBe('canceled');
    const after = store.visible.value;
    expect(after.map((j) => j.key)).toEqual(['local:a', 'local:b']);
    // Patched in place: the untouched row is the same object.
    expect(after[0]).toBe(before[0]);
    store.dispose();
  });

  it('updates the queue once when the answer comes before the patch, and a bulk cancel\'s answer adds no update of its own', async () => {
    const jobs = [makeJob({ key: 'local:a', state: 'queued' }), makeJob({ key: 'local:b', state: 'queued' }), makeJob({ key: 'local:c', state: 'queued' })];
    const bridge = new FakeBridge({ jobs, sources: [makeHealth({ id: 'local' })] });
    const store = createStore(bridge);
    await store.start();
    // The app answers first and its patch follows.
    bridge.override('cancelJob', async ({ key }) => {
      const job = { ...bridge.jobs.get(key)!, state: 'canceled' as const, rawState: 'Canceled', cancel: { allowed: false, reason: 'The job is finished.' } };
      queueMicrotask(() => bridge.patch([{ type: 'changed', key, changes: { state: 'canceled', rawState: 'Canceled', cancel: job.cancel } }]));
      return job;
    });
    expect(
      await updatesDuring(store, async () => {
        await store.cancelJob('local:a');
        await Promise.resolve();
        await Promise.resolve();
      }),
    ).toBe(1);
    expect(store.jobs.get('local:a')!.state).toBe('canceled');
    // The fake's cancelJobs patches each job, then answers with all of them: the answer adds nothing.
    const bulk = new FakeBridge({ jobs: [makeJob({ key: 'local:d', state: 'queued' }), makeJob({ key: 'local:e', state: 'queued' })], sources: [makeHealth({ id: 'local' })] });
    const s2 = createStore(bulk);
    await s2.start();
    expect(await updatesDuring(s2, () => s2.cancelJobs(['local:d', 'local:e']))).toBe(2);
    expect([...s2.jobs.values()].map((j) => j.state)).toEqual(['canceled', 'canceled']);
    store.dispose();
    s2.dispose();
  });
});

describe('the whole queue after the first rows', () => {
  it('keeps the jobs the window already has where they are unchanged, so their rows are not drawn again', async () => {
    const a = makeJob({ key: 'local:a', document: 'A.pdf', cancel: { allowed: true } });
    const b = makeJob({ key: 'local:b', document: 'B.pdf' });
    const store = createStore(new FakeBridge({ jobs: [] }));
    store.putSnapshot({ jobs: [a, b], sources: [], paused: null }, null);
    // The same jobs again, as a fresh answer brings them: equal, not the same objects; one changed.
    const again = JSON.parse(JSON.stringify([a, { ...b, document: 'B2.pdf' }, makeJob({ key: 'local:c' })])) as Job[];
    store.putSnapshot({ jobs: again, sources: [], paused: null }, null);
    expect(store.jobs.get('local:a')).toBe(a);
    expect(store.jobs.get('local:b')).toBe(again[1]);
    expect(store.jobs.get('local:b')!.document).toBe('B2.pdf');
    expect(store.jobs.get('local:c')).toBe(again[2]);
    expect([...store.jobs.keys()]).toEqual(['local:a', 'local:b', 'local:c']);
  });
});
