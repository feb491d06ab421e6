import { describe, expect, it } from 'vitest';
import { AppFailure, PollingSettings, type Job } from '../../../preload/contract/model';
import { JobStore, MAX_TIMELINE_ENTRIES } from '../../../main/queue/store';
import { jsonEqual } from '../../../preload/contract/json-equal';
import { backoffDelay, healthOfError, pollInterval } from '../../../main/queue/scheduler';
import { SourceError, type PollResult, type SourceJob } from '../../../main/queue/source';
import type { EngineEvent } from '../../../main/queue/engine-types';
import { HttpError } from '../../../main/http/client';
import { sourceJob } from '../../helpers/fake-source';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function makeStore(opts: { stuckAfterMs?: number; retainFinishedMs?: number } = {}) {
  let now = T0;
  const events: EngineEvent[] = [];
  const store = new JobStore({ now: () => now, emit: (e) => events.push(e), stuckAfterMs: opts.stuckAfterMs ?? 600_000, retainFinishedMs: opts.retainFinishedMs });
  const poll = (jobs: SourceJob[], complete = true, extra: Partial<PollResult> = {}) => {
    store.applyPoll('s', { jobs, complete, health: { status: 'ok', message: 'ok' }, ...extra });
    store.flush();
  };
  return { store, events, poll, at: (ms: number) => (now = T0 + ms), take: () => events.splice(0) };
}

const j = (id: string, over: Partial<SourceJob> = {}) => sourceJob('s', id, over);

describe('JobStore patches', () => {
  it('delivers one patches event per batch, before the transitions of that batch', () => {
    const { poll, take } = makeStore();
    poll([j('a'), j('b', { state: 'printing' })]);
    const ev = take();
    expect(ev.map((e) => e.type)).toEqual(['patches', 'transition', 'transition']);
    expect(ev[0]).toMatchObject({ patches: [{ type: 'added', job: { key: 's:a', stale: false, stuck: false, gone: false, lastSeenAt: iso(T0) } }, { type: 'added' }] });
  });

  it('marks the jobs a poll could not refresh stale, keeps their values, and clears it when they are listed again', () => {
    const { poll, take, store } = makeStore();
    poll([j('a', { state: 'printing' }), j('b', { state: 'printing' })]);
    take();
    // Part of the source failed: b could not be refreshed; a was listed.
    poll([j('a', { state: 'printing' })], false, { stale: ['s:b', 's:unknown', 'other:x'] });
    expect(store.get('s:b')).toMatchObject({ state: 'printing', stale: true });
    expect(store.get('s:a')?.stale).toBe(false);
    expect(take()).toEqual([{ type: 'patches', patches: [{ type: 'changed', key: 's:b', changes: { stale: true } }] }]);
    // A key both listed and reported stale: the listing wins (it is fresh).
    poll([j('a', { state: 'printing' }), j('b', { state: 'printing' })], false, { stale: ['s:a'] });
    expect(store.get('s:b')?.stale).toBe(false);
    expect(store.get('s:a')?.stale).toBe(false);
  });

  it('keeps the fields only some sources report (reason, pages, size, hold / release) and patches their changes', () => {
    const { poll, take, store } = makeStore();
    poll([j('a', { state: 'paused', reason: 'Waiting to be released', pages: 4, pagesPrinted: 0, sizeBytes: 2048, hold: { allowed: false, reason: 'held' }, release: { allowed: true } })]);
    expect(store.get('s:a')).toMatchObject({ reason: 'Waiting to be released', pages: 4, pagesPrinted: 0, sizeBytes: 2048, hold: { allowed: false }, release: { allowed: true } });
    expect(store.get('s:a')).not.toHaveProperty('pause');
    take();
    poll([j('a', { state: 'paused', reason: 'Waiting to be released', pages: 4, pagesPrinted: 0, sizeBytes: 2048, hold: { allowed: false, reason: 'held' }, release: { allowed: true } })]);
    expect(take()).toEqual([]);
    poll([j('a', { state: 'printing', reason: null, pages: 4, pagesPrinted: 2, sizeBytes: 2048, hold: { allowed: false, reason: 'printing' } })]);
    const [patches] = take();
    expect(patches).toMatchObject({ type: 'patches', patches: [{ type: 'changed', key: 's:a', changes: { state: 'printing', reason: null, pagesPrinted: 2, hold: { allowed: false, reason: 'printing' } } }] });
    expect(store.get('s:a')).not.toHaveProperty('release');
  });

  it('emits nothing for an unchanged job, and only the changed fields otherwise', () => {
    const { poll, take, at, store } = makeStore();
    poll([j('a', { extra: { pages: 2, tray: 'A' } })]);
    take();
    at(1_000);
    poll([j('a', { extra: { tray: 'A', pages: 2 } })]);
    expect(take()).toEqual([]);
    // lastSeenAt moved on without a patch, and is carried by the next real change
    expect(store.get('s:a')?.lastSeenAt).toBe(iso(T0 + 1_000));
    at(2_000);
    poll([j('a', { extra: { tray: 'A', pages: 2 }, detail: 'Out of paper' })]);
    expect(take()).toEqual([{ type: 'patches', patches: [{ type: 'changed', key: 's:a', changes: { detail: 'Out of paper', lastSeenAt: iso(T0 + 2_000) } }] }]);
  });

  it('compares each action permission by its allowed and reason: equal values in new objects make no patch, a change of either does', () => {
    const fields = ['cancel', 'abort', 'hold', 'release', 'pause', 'resume'] as const;
    for (const f of fields) {
      const { poll, take } = makeStore();
      const base = (p: { allowed: boolean; reason?: string }) => j('a', { state: 'printing', [f]: p });
      poll([base({ allowed: true, reason: 'while queued' })]);
      take();
      poll([base({ allowed: true, reason: 'while queued' })]);
      expect(take(), f).toEqual([]);
      poll([base({ allowed: true, reason: 'while printing' })]);
      expect(take(), f).toMatchObject([{ type: 'patches', patches: [{ type: 'changed', key: 's:a', changes: { [f]: { allowed: true, reason: 'while printing' } } }] }]);
      poll([base({ allowed: false, reason: 'while printing' })]);
      expect(take(), f).toMatchObject([{ type: 'patches', patches: [{ type: 'changed', changes: { [f]: { allowed: false, reason: 'while printing' } } }] }]);
      poll([base({ allowed: false })]);
      const [ev] = take();
      expect(ev, f).toMatchObject({ type: 'patches', patches: [{ type: 'changed', changes: { [f]: { allowed: false } } }] });
      expect((ev as unknown as { patches: [{ changes: Record<string, { reason?: string }> }] }).patches[0].changes[f]).not.toHaveProperty('reason');
    }
  });

  it('repairs progress outside 0..1 and drops a withdrawn abort', () => {
    const { poll, take, store } = makeStore();
    poll([j('a', { progress: 1.7, abort: { allowed: true } })]);
    expect(store.get('s:a')).toMatchObject({ progress: 1, abort: { allowed: true } });
    take();
    poll([j('a', { progress: Number.NaN })]);
    const job = store.get('s:a') as Job;
    expect(job.progress).toBeNull();
    expect('abort' in job).toBe(false);
    const [ev] = take();
    expect(ev).toMatchObject({ type: 'patches', patches: [{ changes: { progress: null, abort: undefined } }] });
  });

  it('keeps the first and the latest timeline entries', () => {
    const { poll, store } = makeStore();
    for (let i = 0; i < MAX_TIMELINE_ENTRIES + 50; i++) poll([j('a', { rawState: `step ${i}` })]);
    const tl = store.timeline('s:a');
    expect(tl).toHaveLength(MAX_TIMELINE_ENTRIES);
    expect(tl[0].rawState).toBe('step 0');
    expect(tl.at(-1)?.rawState).toBe(`step ${MAX_TIMELINE_ENTRIES + 49}`);
  });

  it('updates the right jobs when a source lists them in another order, leaves one out, or brings a dismissed one back at the same place', () => {
    const { poll, take, store } = makeStore();
    poll([j('a', { progress: 0.1 }), j('b', { progress: 0.2 }), j('c', { progress: 0.3 })]);
    take();
    // Another order: each job keeps its own values (a match by position alone would swap them).
    poll([j('c', { progress: 0.3 }), j('a', { progress: 0.1 }), j('b', { progress: 0.25 })]);
    expect(take()).toEqual([{ type: 'patches', patches: [{ type: 'changed', key: 's:b', changes: { progress: 0.25 } }] }]);
    // One left out of a partial list: the others shift up a place.
    poll([j('a', { progress: 0.1 }), j('b', { progress: 0.25 })], false);
    expect(take()).toEqual([]);
    // Dismissed, then handed in again: the new entry takes the place, the old one never answers.
    store.remove('s:a');
    store.upsert(j('a', { progress: 0.5 }), { explicit: true });
    store.flush();
    take();
    poll([j('a', { progress: 0.6 }), j('b', { progress: 0.25 }), j('c', { progress: 0.3 })]);
    expect(store.get('s:a')?.progress).toBe(0.6);
    expect(take()).toEqual([{ type: 'patches', patches: [{ type: 'changed', key: 's:a', changes: { progress: 0.6 } }] }]);
    expect(store.all().map((x) => x.key).sort()).toEqual(['s:a', 's:b', 's:c']);
  });

  it('never lets a poll overwrite or add a job of another source', () => {
    const { store, take } = makeStore();
    store.upsert(sourceJob('t', 'x', { document: 'theirs.pdf' }));
    store.flush();
    take();
    store.applyPoll('s', { jobs: [sourceJob('t', 'x', { document: 'mine.pdf' }), { ...j('y'), sourceId: 't' }], complete: true, health: { status: 'ok', message: 'ok' } });
    store.flush();
    expect(store.get('t:x')?.document).toBe('theirs.pdf');
    expect(store.get('s:y')).toBeUndefined();
    expect(take()).toEqual([]);
  });
});

describe('JobStore flags and lifecycle', () => {
  it('keeps a dismissed job away from polls for a day, until it is handed in explicitly', () => {
    const { store, poll, take, at } = makeStore();
    poll([j('a')]);
    expect(store.remove('s:a')).toBe(true);
    store.flush();
    expect(take().at(-1)).toEqual({ type: 'patches', patches: [{ type: 'removed', key: 's:a' }] });
    poll([j('a')]);
    expect(store.get('s:a')).toBeUndefined();
    store.upsert(j('a'), { explicit: true });
    expect(store.get('s:a')).toBeDefined();
    store.remove('s:a');
    at(24 * 3_600_000 + 1);
    poll([j('a')]);
    expect(store.get('s:a')).toBeDefined();
  });

  it('drops finished jobs after the retention window, not active ones', () => {
    const { store, poll, at } = makeStore({ retainFinishedMs: 60_000 });
    poll([j('done', { state: 'completed' }), j('run', { state: 'printing' })]);
    at(59_000);
    poll([j('done', { state: 'completed' }), j('run', { state: 'printing' })]);
    expect(store.size).toBe(2);
    at(61_000);
    poll([j('done', { state: 'completed' }), j('run', { state: 'printing' })], false);
    expect(store.all().map((x) => x.key)).toEqual(['s:run']);
  });

  it('does not bring a swept finished job back while the source still lists it as finished', () => {
    const { store, poll, at, take } = makeStore({ retainFinishedMs: 60_000 });
    poll([j('done', { state: 'completed' })]);
    at(61_000);
    poll([j('done', { state: 'completed' })]);
    expect(store.get('s:done')).toBeUndefined();
    take();
    at(62_000);
    poll([j('done', { state: 'completed' })]);
    expect(take()).toEqual([]); // no second 'added', no second 'finished'
    poll([j('done', { state: 'printing' })]); // restarted by the service
    expect(store.get('s:done')?.state).toBe('printing');
  });

  it('stale only for active jobs, cleared by any later successful poll even when the job is not listed', () => {
    const { store, poll } = makeStore();
    poll([j('a', { state: 'printing' }), j('b', { state: 'failed' })]);
    store.markStale('s');
    expect(store.get('s:a')?.stale).toBe(true);
    expect(store.get('s:b')?.stale).toBe(false);
    poll([], false);
    expect(store.get('s:a')?.stale).toBe(false);
  });

  it('a gone job reported again is not gone any more', () => {
    const { store, poll, take, at } = makeStore();
    poll([j('a', { state: 'queued' })]);
    poll([]);
    expect(store.get('s:a')?.gone).toBe(true);
    take();
    at(1_000);
    poll([j('a', { state: 'queued' })]);
    expect(store.get('s:a')?.gone).toBe(false);
    expect(take()).toEqual([{ type: 'patches', patches: [{ type: 'changed', key: 's:a', changes: { gone: false, lastSeenAt: iso(T0 + 1_000) } }] }]);
  });

  it('never flags unknown or paused jobs stuck, and clears stuck when a job pauses', () => {
    const { store, poll, at } = makeStore({ stuckAfterMs: 1_000 });
    poll([j('a', { state: 'printing' }), j('u', { state: 'unknown' })]);
    at(2_000);
    poll([j('a', { state: 'printing' }), j('u', { state: 'unknown' })]);
    expect(store.get('s:a')?.stuck).toBe(true);
    expect(store.get('s:u')?.stuck).toBe(false);
    poll([j('a', { state: 'paused' }), j('u', { state: 'unknown' })]);
    expect(store.get('s:a')?.stuck).toBe(false);
  });

  it('gives polls a live read-only view of the active jobs', () => {
    const { store, poll } = makeStore();
    poll([j('a', { state: 'printing' }), j('b', { state: 'completed' }), j('c', { state: 'paused' })]);
    const view = store.activeJobs('s');
    expect(view.size).toBe(2);
    expect([...view.keys()]).toEqual(['s:a', 's:c']);
    expect(view.has('s:b')).toBe(false);
    expect(view.get('s:b')).toBeUndefined();
    expect(view.get('s:a')?.state).toBe('printing');
    expect([...view].map(([k]) => k)).toEqual(['s:a', 's:c']);
    const seen: string[] = [];
    view.forEach((v, k) => seen.push(`${k}=${v.state}`));
    expect(seen).toEqual(['s:a=printing', 's:c=paused']);
    expect(store.activeJobs('nobody').size).toBe(0);
    expect(store.hasFastJobs('s')).toBe(true);
    poll([j('a', { state: 'completed' }), j('b', { state: 'completed' }), j('c', { state: 'paused' })]);
    expect(store.hasFastJobs('s')).toBe(false);
  });

  it('removeSource drops every job of the source', () => {
    const { store, poll, take } = makeStore();
    poll([j('a'), j('b')]);
    take();
    store.removeSource('s');
    store.flush();
    expect(store.size).toBe(0);
    expect(take()).toEqual([{ type: 'patches', patches: [{ type: 'removed', key: 's:a' }, { type: 'removed', key: 's:b' }] }]);
  });

  it('jsonEqual compares JSON-like values by content', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(jsonEqual(null, {})).toBe(false);
    // Same number of keys, but an undefined value hides a different key on the other side.
    expect(jsonEqual({ a: undefined }, { b: 1 })).toBe(false);
    expect(jsonEqual({ b: 1 }, { a: undefined })).toBe(false);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(jsonEqual({ a: { x: 1 }, b: 2 }, { b: 2, a: { x: 1 } })).toBe(true);
  });
});

describe('timing rules', () => {
  const polling = PollingSettings.parse({ hiddenFactor: 4, maxBackoffMs: 60_000 });

  it('pollInterval: active, idle, hidden, and a fallback for an unknown kind', () => {
    expect(pollInterval(polling, 'scriptx', true, false)).toBe(500);
    expect(pollInterval(polling, 'scriptx', false, false)).toBe(10_000);
    expect(pollInterval(polling, 'graph', true, true)).toBe(20_000);
    expect(pollInterval(polling, 'aodocs', false, true)).toBe(480_000);
    expect(pollInterval(polling, 'other' as never, true, false)).toBe(5_000);
  });

  it('backoffDelay doubles from the interval (at least 1 s), caps, and jitters down by at most half', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(polling, 500, n, none))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]);
    expect(backoffDelay(polling, 10_000, 100, none)).toBe(60_000);
    for (const r of [0, 0.25, 0.5, 0.999999, 7, -3]) {
      const d = backoffDelay(polling, 10_000, 2, () => r);
      expect(d).toBeGreaterThanOrEqual(10_000);
      expect(d).toBeLessThanOrEqual(20_000);
    }
    expect(backoffDelay(polling, 10_000, 2, () => 0.5)).toBe(15_000);
  });

  it('healthOfError maps every failure to a health status with a message', () => {
    const t = 'GET http://127.0.0.1:41191/api';
    expect(healthOfError(new SourceError('auth-required', 'The license is not valid.', { detail: { code: 7 } }), 'Local')).toEqual({ status: 'auth-required', message: 'The license is not valid.', retryAfterMs: null, detail: { code: 7 } });
    expect(healthOfError(new AppFailure('unreachable', 'Nothing listens on port 41191.'), 'Local')).toMatchObject({ status: 'down', message: 'Nothing listens on port 41191.' });
    expect(healthOfError(new AppFailure('auth-required', 'Sign in.'), 'Local').status).toBe('auth-required');
    expect(healthOfError(new AppFailure('internal', 'Bad.'), 'Local').status).toBe('degraded');
    expect(healthOfError(new HttpError('timeout', `${t} did not answer in time`, { target: t }), 'Local')).toEqual({ status: 'down', message: `Local did not answer in time (${t} did not answer in time).`, retryAfterMs: null });
    expect(healthOfError(new HttpError('http', `${t} answered 429`, { status: 429, retryAfterMs: 1_500, target: t }), 'Local')).toEqual({
      status: 'degraded',
      message: 'Local is throttling requests (429). It asked to wait 2 s before the next request.',
      retryAfterMs: 1_500,
    });
    expect(healthOfError(new HttpError('too-large', `${t} answered with more data than the limit allows`, { target: t }), 'Local').status).toBe('degraded');
    expect(healthOfError(new HttpError('http', `${t} answered 404`, { status: 404, serviceMessage: 'No such job', target: t }), 'Local').message).toBe('Local answered 404: No such job.');
    expect(healthOfError('weird', 'Local')).toEqual({ status: 'degraded', message: 'Local failed unexpectedly: weird', retryAfterMs: null });
  });
});
