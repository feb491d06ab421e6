import { afterEach, describe, expect, it } from 'vitest';
import { HEALTH_TIMES_EVENT_MS, healthChanged, PollingSettings, type Job } from '../../../preload/contract/model';
import { createQueueEngine } from '../../../main/queue/engine';
import type { EngineEvent, QueueEngine } from '../../../main/queue/engine-types';
import { SourceError } from '../../../main/queue/source';
import { HttpError } from '../../../main/http/client';
import { FakeClock } from '../../helpers/fake-clock';
import { FakeSource } from '../../helpers/fake-source';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

interface Rig {
  clock: FakeClock;
  engine: QueueEngine;
  events: EngineEvent[];
  sources: FakeSource[];
}

const rigs: Rig[] = [];

function rig(opts: { polling?: Partial<PollingSettings>; sources?: { id: string; loopback?: boolean; kind?: 'scriptx' | 'graph' | 'aodocs' }[]; random?: () => number } = {}): Rig {
  const clock = new FakeClock(T0);
  const defs = opts.sources ?? [{ id: 'local', loopback: true }];
  const sources = defs.map((d) => new FakeSource({ id: d.id, kind: d.kind ?? 'scriptx', loopback: d.loopback ?? false, clock }));
  const polling = PollingSettings.parse(opts.polling ?? {});
  const engine = createQueueEngine({ sources, polling, clock, random: opts.random ?? (() => 0) });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const r = { clock, engine, events, sources };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    for (const s of r.sources) s.release();
    await r.engine.stop();
    await r.clock.flush();
    // stop() leaves nothing behind: no timer of any runner, pause or backoff.
    expect(r.clock.pendingTimers()).toBe(0);
  }
});

const of = <T extends EngineEvent['type']>(events: EngineEvent[], type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);

describe('adaptive intervals', () => {
  it('polls an idle source at the idle rate and an active one at the active rate', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    engine.start();
    await clock.advance(25_000);
    expect(src.pollTimes(T0)).toEqual([0, 10_000, 20_000]);

    src.put('t1', { state: 'processing', rawState: '5 Printing' });
    engine.refreshNow('local');
    await clock.advance(0);
    const n = src.pollCount;
    await clock.advance(2_000);
    expect(src.pollTimes(T0).slice(n)).toEqual([25_500, 26_000, 26_500, 27_000]);
  });

  it('keeps the period start to start when answers are slow, with a breather after an overrun', async () => {
    const { clock, engine, sources } = rig({ polling: { scriptx: { activeMs: 1_000, idleMs: 60_000 } } });
    const [src] = sources;
    src.put('t1', { state: 'printing' });
    // Every answer takes 300 ms: polls still start every 1000 ms, not every 1300 ms.
    src.answer(...Array.from({ length: 4 }, () => async () => {
      await new Promise<void>((r) => clock.setTimeout(r, 300));
      return src.defaultResult();
    }));
    engine.start();
    await clock.advance(3_500);
    expect(src.pollTimes(T0).slice(0, 4)).toEqual([0, 1_000, 2_000, 3_000]);
    // An answer slower than the interval: the next poll follows after a short gap, never at once.
    src.answer(async () => {
      await new Promise<void>((r) => clock.setTimeout(r, 1_800));
      return src.defaultResult();
    });
    await clock.advance(3_000);
    const times = src.pollTimes(T0);
    const i = times.indexOf(4_000);
    expect(i).toBeGreaterThan(0);
    expect(times[i + 1]).toBe(4_000 + 1_800 + 250);
  });

  it('uses partial (active) polls between full ones and a full poll every idle interval', async () => {
    const { clock, engine, sources } = rig({ polling: { scriptx: { activeMs: 1_000, idleMs: 5_000 } } });
    const [src] = sources;
    src.put('t1', { state: 'printing' });
    engine.start();
    await clock.advance(6_000);
    expect(src.calls.map((c) => `${c.at - T0}:${c.mode}`)).toEqual(['0:full', '1000:active', '2000:active', '3000:active', '4000:active', '5000:full', '6000:active']);
    expect(src.calls[1].activeKeys).toEqual(['local:t1']);
  });

  it('returns to the idle rate when the last active job finishes; paused jobs poll at the idle rate', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.put('t1', { state: 'processing' });
    engine.start();
    await clock.advance(1_000);
    expect(src.pollTimes(T0)).toEqual([0, 500, 1_000]);
    src.update('t1', { state: 'paused', rawState: 'paused' });
    await clock.advance(500); // the poll at 1500 sees the job paused
    await clock.advance(15_000);
    expect(src.pollTimes(T0)).toEqual([0, 500, 1_000, 1_500, 11_500]);
  });

  it('stretches both rates by hiddenFactor while the window is hidden, and speeds up at once when shown', async () => {
    const { clock, engine, sources } = rig({ polling: { hiddenFactor: 3 } });
    const [src] = sources;
    src.put('t1', { state: 'processing' });
    engine.start();
    await clock.advance(0);
    engine.setVisible(false);
    await clock.advance(3_000);
    expect(src.pollTimes(T0)).toEqual([0, 1_500, 3_000]);
    src.update('t1', { state: 'completed' });
    await clock.advance(1_500); // sees completed at 4500: idle from now on
    await clock.advance(40_000);
    expect(src.pollTimes(T0)).toEqual([0, 1_500, 3_000, 4_500, 34_500]);
    src.update('t1', { state: 'processing' }); // a new active job is not known until the next poll
    engine.setVisible(true); // idle visible: due at 34_500 + 10_000
    await clock.advance(10_000 - (clock.now() - (T0 + 34_500)));
    expect(src.pollTimes(T0).at(-1)).toBe(44_500);
  });
});

describe('sleep and network', () => {
  it('pauses remote sources offline while a loopback source keeps polling, and resumes them at once on reconnect', async () => {
    const { clock, engine, sources, events } = rig({ sources: [{ id: 'local', loopback: true }, { id: 'up', kind: 'graph' }] });
    const [local, up] = sources;
    up.put('j1', { state: 'processing' });
    engine.start();
    await clock.advance(1_000);
    expect(up.pollTimes(T0)).toEqual([0]);
    events.length = 0;
    engine.setOnline(false);
    // The remote job is now last-known: stale, last seen at its last poll.
    const job = engine.getJob('up:j1') as Job;
    expect(job.stale).toBe(true);
    expect(job.lastSeenAt).toBe(new Date(T0).toISOString());
    await clock.advance(60_000);
    expect(up.pollTimes(T0)).toEqual([0]);
    expect(local.pollTimes(T0)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    const localBefore = local.pollCount;
    engine.setOnline(true);
    await clock.advance(0);
    expect(up.pollTimes(T0)).toEqual([0, 61_000]);
    expect(local.pollCount).toBe(localBefore); // the loopback source keeps its own schedule
    expect(engine.getJob('up:j1')?.stale).toBe(false);
  });

  it('pauses every source while the machine sleeps and polls them at once on wake', async () => {
    const { clock, engine, sources } = rig({ sources: [{ id: 'local', loopback: true }, { id: 'up', kind: 'graph' }] });
    const [local, up] = sources;
    engine.start();
    await clock.advance(1_000);
    engine.setSuspended(true);
    await clock.advance(600_000);
    expect(local.pollTimes(T0)).toEqual([0]);
    expect(up.pollTimes(T0)).toEqual([0]);
    expect(clock.pendingTimers()).toBe(0);
    engine.setSuspended(false);
    await clock.advance(0);
    expect(local.pollTimes(T0)).toEqual([0, 601_000]);
    expect(up.pollTimes(T0)).toEqual([0, 601_000]);
  });

  it('aborts a poll in flight when the machine goes to sleep and discards its answer', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    src.put('t1');
    src.hold();
    engine.start();
    await clock.advance(0);
    expect(src.inFlight).toBe(1);
    engine.setSuspended(true);
    await clock.flush();
    expect(src.aborted).toBe(1);
    expect(engine.snapshot().jobs).toEqual([]);
    expect(of(events, 'health')).toEqual([]); // an abort is not a failure
  });

  it('keeps a loopback source idle-polling offline and still backs off it', async () => {
    const { clock, engine, sources } = rig({ sources: [{ id: 'local', loopback: true }] });
    engine.setOnline(false);
    engine.start();
    await clock.advance(20_000);
    expect(sources[0].pollTimes(T0)).toEqual([0, 10_000, 20_000]);
  });
});

describe('backoff and Retry-After', () => {
  const polling = { scriptx: { activeMs: 500, idleMs: 1_000 }, maxBackoffMs: 8_000 };

  it('doubles the wait per failure up to maxBackoffMs and resets after a success', async () => {
    const { clock, engine, sources } = rig({ polling });
    const [src] = sources;
    const down = () => new SourceError('down', 'ScriptX.Services could not be reached.');
    src.answer(down(), down(), down(), down(), down(), down());
    engine.start();
    await clock.advance(40_000);
    const times = src.pollTimes(T0);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // 1 s, 2 s, 4 s, 8 s, 8 s (cap), 8 s (cap), then the success and the idle rate again
    expect(gaps.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 1_000]);
    expect(engine.snapshot().sources[0].status).toBe('ok');
  });

  it('takes up to half of a backoff delay off at random (jitter)', async () => {
    const { clock, engine, sources } = rig({ polling, random: () => 0.5 });
    const [src] = sources;
    src.answer(new SourceError('down', 'x'), new SourceError('down', 'x'), new SourceError('down', 'x'));
    engine.start();
    await clock.advance(10_000);
    const t = src.pollTimes(T0);
    expect(t.slice(0, 4)).toEqual([0, 750, 750 + 1_500, 750 + 1_500 + 3_000]);
  });

  it('obeys Retry-After to the millisecond, after errors and after throttled successes, even for refresh now', async () => {
    const { clock, engine, sources } = rig({ polling });
    const [src] = sources;
    src.put('t1', { state: 'processing' });
    src.answer(new SourceError('degraded', 'Too many requests.', { retryAfterMs: 7_321 }));
    src.answer(() => ({ ...src.defaultResult(), retryAfterMs: 2_345, health: { status: 'degraded', message: 'Some jobs were throttled.' } }));
    engine.start();
    await clock.advance(0);
    engine.refreshNow('local');
    engine.refreshNow();
    await clock.advance(7_320);
    expect(src.pollTimes(T0)).toEqual([0]);
    await clock.advance(1);
    expect(src.pollTimes(T0)).toEqual([0, 7_321]);
    await clock.advance(2_344);
    expect(src.pollTimes(T0)).toEqual([0, 7_321]);
    await clock.advance(1);
    expect(src.pollTimes(T0)).toEqual([0, 7_321, 9_666]);
    await clock.advance(500);
    expect(src.pollTimes(T0)).toEqual([0, 7_321, 9_666, 10_166]); // back to the active rate
  });

  it('takes Retry-After from an HTTP error of the shared HTTP layer', async () => {
    const { clock, engine, sources } = rig({ polling });
    const [src] = sources;
    src.answer(new HttpError('http', 'GET http://127.0.0.1:1/x answered 429', { status: 429, retryAfterMs: 12_000, target: 'GET http://127.0.0.1:1/x' }));
    engine.start();
    await clock.advance(11_999);
    expect(src.pollCount).toBe(1);
    await clock.advance(1);
    expect(src.pollTimes(T0)).toEqual([0, 12_000]);
  });
});

describe('requests in flight', () => {
  it('never has two polls of one source in flight; requests made meanwhile become one poll right after', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.put('t1', { state: 'processing' });
    src.hold();
    engine.start();
    await clock.advance(0);
    engine.refreshNow();
    engine.refreshNow('local');
    const once = engine.pollOnce();
    await clock.advance(30_000);
    expect(src.pollCount).toBe(1);
    src.release();
    await clock.advance(0);
    await once;
    expect(src.pollTimes(T0)).toEqual([0, 30_000]);
    expect(src.maxInFlight).toBe(1);
  });

  it('refresh now polls at once, outside the schedule, as a full poll', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    engine.start();
    await clock.advance(3_000);
    engine.refreshNow('local');
    await clock.advance(0);
    expect(src.calls.map((c) => [c.at - T0, c.mode])).toEqual([
      [0, 'full'],
      [3_000, 'full'],
    ]);
    await clock.advance(10_000);
    expect(src.pollTimes(T0)).toEqual([0, 3_000, 13_000]);
    expect(() => engine.refreshNow('nope')).toThrow(/no source "nope"/);
  });

  it('polls at once when a source reports a change it was pushed, and not before start or while paused', async () => {
    const clock = new FakeClock(T0);
    const src = new FakeSource({ id: 'pc', kind: 'windows-spooler', loopback: true, clock });
    let notify: () => void = () => undefined;
    src.watch = (cb) => {
      notify = cb;
    };
    const engine = createQueueEngine({ sources: [src], polling: PollingSettings.parse({}), clock, random: () => 0 });
    rigs.push({ clock, engine, events: [], sources: [src] });
    notify();
    await clock.advance(0);
    expect(src.pollCount).toBe(0);
    engine.start();
    await clock.advance(2_000);
    notify();
    await clock.advance(0);
    expect(src.pollTimes(T0)).toEqual([0, 2_000]);
    engine.pause(T0 + 60_000);
    notify();
    await clock.advance(0);
    expect(src.pollTimes(T0)).toEqual([0, 2_000]);
  });

  it('pollOnce runs one full poll without start and leaves no timer', async () => {
    const { clock, engine, sources } = rig();
    sources[0].put('t1');
    const done = engine.pollOnce();
    await clock.advance(0);
    await done;
    expect(sources[0].pollCount).toBe(1);
    expect(engine.snapshot().jobs.map((j) => j.key)).toEqual(['local:t1']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('pause() holds every source until the given time, then polls at once', async () => {
    const { clock, engine, sources } = rig();
    engine.start();
    await clock.advance(0);
    engine.pause(T0 + 60_000);
    expect(engine.pausedUntil()).toEqual({ until: T0 + 60_000 });
    await clock.advance(59_999);
    expect(sources[0].pollCount).toBe(1);
    await clock.advance(1);
    expect(sources[0].pollTimes(T0)).toEqual([0, 60_000]);
    expect(engine.pausedUntil()).toBeNull();
  });
});

describe('listings, stale, gone and stuck', () => {
  it('does not purge a job missing from a partial list; marks it gone (kept, not deleted) when a complete list lacks it', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    src.put('a', { state: 'processing' });
    src.put('b', { state: 'queued' });
    engine.start();
    await clock.advance(0);
    src.forget('b');
    src.answer(() => ({ ...src.defaultResult(), complete: false }));
    events.length = 0;
    await clock.advance(500);
    expect(engine.getJob('local:b')?.gone).toBe(false);
    expect(events).toEqual([]);
    await clock.advance(500); // default answer: complete
    const b = engine.getJob('local:b') as Job;
    expect(b).toBeDefined();
    expect(b.gone).toBe(true);
    expect(b.state).toBe('queued'); // last state kept
    const patches = of(events, 'patches').flatMap((e) => e.patches);
    expect(patches).toEqual([{ type: 'changed', key: 'local:b', changes: { gone: true } }]);
    expect(b.lastSeenAt).toBe(new Date(T0).toISOString());
    expect(of(events, 'finished').map((e) => e.job.key)).toEqual(['local:b']);
    expect(engine.timeline('local:b').at(-1)?.detail).toMatch(/no longer knows/);
    await clock.advance(2_000);
    expect(of(events, 'finished')).toHaveLength(1);
    expect(patches.some((p) => p.type === 'removed')).toBe(false);
  });

  it('marks a job gone when the source names it gone, even in a partial list', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.put('a', { state: 'processing' });
    engine.start();
    await clock.advance(0);
    src.answer({ jobs: [], complete: false, gone: ['local:a', 'other:x'], health: { status: 'ok', message: 'ok' } });
    await clock.advance(500);
    expect(engine.getJob('local:a')?.gone).toBe(true);
  });

  it('marks active jobs stale with their last-seen time when a poll fails, and fresh again after', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.put('a', { state: 'processing' });
    src.put('done', { state: 'completed' });
    engine.start();
    await clock.advance(500);
    src.answer(new SourceError('down', 'ScriptX.Services could not be reached: connection refused.'));
    await clock.advance(500);
    const a = engine.getJob('local:a') as Job;
    expect(a.stale).toBe(true);
    expect(a.lastSeenAt).toBe(new Date(T0 + 500).toISOString());
    expect(engine.getJob('local:done')?.stale).toBe(false); // final values are not stale
    await clock.advance(1_000);
    expect(engine.getJob('local:a')).toMatchObject({ stale: false, lastSeenAt: new Date(T0 + 2_000).toISOString() });
  });

  it('flags an active job stuck once after stuckAfterMinutes unchanged, clears it on change; never paused ones', async () => {
    const { clock, engine, sources, events } = rig({ polling: { stuckAfterMinutes: 1, scriptx: { activeMs: 1_000, idleMs: 10_000 } } });
    const [src] = sources;
    src.put('a', { state: 'printing', progress: 0.5 });
    src.put('p', { state: 'paused' });
    engine.start();
    const firstSeen = new Date(clock.now()).toISOString();
    await clock.advance(60_000);
    expect(engine.getJob('local:a')?.stuck).toBe(false);
    await clock.advance(1_000); // unchanged for 61 s
    // Stuck says since when nothing changed: the job's last change the monitor saw.
    expect(engine.getJob('local:a')).toMatchObject({ stuck: true, stuckSince: firstSeen });
    await clock.advance(30_000);
    expect(of(events, 'stuck').map((e) => [e.job.key, e.job.stuck])).toEqual([['local:a', true]]);
    expect(engine.getJob('local:p')?.stuck).toBe(false);
    src.update('a', { progress: 0.6 });
    await clock.advance(1_000);
    expect(engine.getJob('local:a')).toMatchObject({ stuck: false, stuckSince: null });
    await clock.advance(61_000);
    expect(of(events, 'stuck')).toHaveLength(2);
  });
});

describe('patches and events', () => {
  it('emits added, then changed with only the changed fields, then removed', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    src.put('a', { state: 'queued' });
    src.put('b', { state: 'processing' });
    engine.start();
    await clock.advance(0);
    const first = of(events, 'patches');
    expect(first).toHaveLength(1);
    expect(first[0].patches.map((p) => p.type)).toEqual(['added', 'added']);
    events.length = 0;
    await clock.advance(500); // nothing changed: no event at all
    expect(events).toEqual([]);
    src.update('b', { progress: 0.25, extra: { pages: 3 } });
    src.update('a', { cancel: { allowed: true } }); // a new but equal object: not a change
    await clock.advance(500);
    expect(of(events, 'patches')).toEqual([
      { type: 'patches', patches: [{ type: 'changed', key: 'local:b', changes: { progress: 0.25, extra: { pages: 3 }, lastSeenAt: new Date(T0 + 1_000).toISOString() } }] },
    ]);
    expect(of(events, 'transition')).toEqual([]);
    events.length = 0;
    engine.remove('local:a');
    expect(events).toEqual([{ type: 'patches', patches: [{ type: 'removed', key: 'local:a' }] }]);
    await clock.advance(500); // a dismissed job does not come back with the next poll
    expect(engine.getJob('local:a')).toBeUndefined();
  });

  it('fires transition and finished events exactly once per transition and records the timeline', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    src.put('a', { state: 'queued', rawState: '2 Queued' });
    engine.start();
    await clock.advance(0);
    src.update('a', { state: 'printing', rawState: '5 Printing' });
    await clock.advance(500);
    src.update('a', { state: 'completed', rawState: '6 Completed' });
    await clock.advance(500);
    await clock.advance(30_000);
    expect(of(events, 'transition').map((e) => [e.from, e.to])).toEqual([
      [null, 'queued'],
      ['queued', 'printing'],
      ['printing', 'completed'],
    ]);
    const finished = of(events, 'finished');
    expect(finished).toHaveLength(1);
    expect(finished[0].timeline.map((t) => [t.at, t.state, t.rawState])).toEqual([
      [new Date(T0).toISOString(), 'queued', '2 Queued'],
      [new Date(T0 + 500).toISOString(), 'printing', '5 Printing'],
      [new Date(T0 + 1_000).toISOString(), 'completed', '6 Completed'],
    ]);
    // Restarted by the service: a new finish is a new event.
    src.update('a', { state: 'queued', rawState: '2 Queued' });
    engine.refreshNow();
    await clock.advance(0);
    src.update('a', { state: 'failed', rawState: '7 Error' });
    await clock.advance(500);
    expect(of(events, 'finished')).toHaveLength(2);
  });

  it('drops jobs of another source a poll reports by mistake', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.answer({ jobs: [{ ...src.put('x'), key: 'other:x', sourceId: 'other' }], complete: true, health: { status: 'ok', message: 'ok' } });
    engine.start();
    await clock.advance(0);
    expect(engine.snapshot().jobs).toEqual([]);
  });
});

describe('health', () => {
  it('reports ok, down, auth-required and degraded with specific messages, at once on each change', async () => {
    const { clock, engine, sources, events } = rig({ sources: [{ id: 'local', loopback: true }] });
    const [src] = sources;
    expect(engine.snapshot().sources[0]).toMatchObject({ id: 'local', status: 'ok', lastSuccessAt: null });
    src.answer(
      new HttpError('unreachable', 'GET http://127.0.0.1:41191/api/v1/status could not be reached (connection refused)', { target: 'GET http://127.0.0.1:41191/api/v1/status' }),
      new HttpError('unreachable', 'GET http://127.0.0.1:41191/api/v1/status could not be reached (connection refused)', { target: 'GET http://127.0.0.1:41191/api/v1/status' }),
      new HttpError('http', 'GET http://x/ answered 401', { status: 401, serviceMessage: 'The license is not valid', target: 'GET http://x/' }),
      new HttpError('malformed', 'GET http://x/ answered 200 with an unexpected shape (jobs.0.status: expected number)', { status: 200, target: 'GET http://x/' }),
      new HttpError('http', 'GET http://x/ answered 503', { status: 503, serviceMessage: 'Service Unavailable', retryAfterMs: 3_000, target: 'GET http://x/' }),
      new SourceError('auth-required', 'Sign in to Universal Print again: the session expired.'),
      new Error('boom'),
    );
    engine.start();
    await clock.advance(2_000_000);
    // Each change once; the other events (the healthy polls at the end) only bring the last
    // successful poll's time on: never the same health twice.
    const all = of(events, 'health').map((e) => e.source);
    for (let i = 1; i < all.length; i++) {
      if (healthChanged(all[i - 1]!, all[i]!)) continue;
      expect({ ...all[i], lastSuccessAt: null, lastErrorAt: null }).toEqual({ ...all[i - 1], lastSuccessAt: null, lastErrorAt: null });
      expect(Date.parse(all[i]!.lastSuccessAt!)).toBeGreaterThan(Date.parse(all[i - 1]!.lastSuccessAt!));
    }
    const h = all.filter((s, i) => i === 0 || healthChanged(all[i - 1]!, s)).map((s) => [s.status, s.message]);
    expect(h).toEqual([
      ['down', 'Source local could not be reached (GET http://127.0.0.1:41191/api/v1/status could not be reached (connection refused)). Check that the service is running and the network is available.'],
      ['auth-required', 'Source local refused the credentials (401): The license is not valid. Sign in again or check the stored credentials.'],
      ['degraded', 'Source local sent an answer that could not be read (GET http://x/ answered 200 with an unexpected shape (jobs.0.status: expected number)).'],
      ['degraded', 'Source local reported a server error (503): Service Unavailable. It asked to wait 3 s before the next request.'],
      ['auth-required', 'Sign in to Universal Print again: the session expired.'],
      ['degraded', 'Source local failed unexpectedly: boom'],
      ['ok', 'Source local is answering.'],
    ]);
    const final = engine.snapshot().sources[0];
    expect(final.lastErrorAt).not.toBeNull();
    expect(Date.parse(final.lastSuccessAt as string)).toBeGreaterThan(Date.parse(final.lastErrorAt as string));
  });

  it('keeps the last successful poll current on every poll, and tells it at most every 30 s while the status stays', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    engine.start();
    await clock.advance(0);
    expect(of(events, 'health').map((e) => [e.source.status, e.source.lastSuccessAt])).toEqual([['ok', clock.iso()]]);
    // Idle polls every 10 s, each answering as before: the core's health has every one's time.
    for (let i = 0; i < 12; i++) {
      await clock.advance(10_000);
      expect(engine.snapshot().sources[0]).toMatchObject({ status: 'ok', lastSuccessAt: clock.iso() });
    }
    expect(src.pollCount).toBe(13);
    // The window hears of the time moving on, but never more often than every 30 s.
    const told = of(events, 'health').map((e) => e.source);
    expect(told.map((h) => h.lastSuccessAt)).toEqual([0, 30_000, 60_000, 90_000, 120_000].map((ms) => new Date(T0 + ms).toISOString()));
    expect(told.every((h) => h.status === 'ok' && h.message === 'Source local is answering.')).toBe(true);
    for (let i = 1; i < told.length; i++) expect(Date.parse(told[i]!.lastSuccessAt!) - Date.parse(told[i - 1]!.lastSuccessAt!)).toBeGreaterThanOrEqual(HEALTH_TIMES_EVENT_MS);

    // A change of status is told at once, 10 s after the last event, and so is the recovery.
    events.length = 0;
    src.answer(new SourceError('down', 'Nothing answers.'));
    await clock.advance(10_000);
    expect(of(events, 'health').map((e) => [e.source.status, e.source.lastErrorAt])).toEqual([['down', clock.iso()]]);
    await clock.advance(10_000);
    expect(of(events, 'health').map((e) => [e.source.status, e.source.lastSuccessAt])).toEqual([
      ['down', new Date(T0 + 120_000).toISOString()],
      ['ok', clock.iso()],
    ]);
  });

  it('keeps telling the time moving on after the PC\'s clock was set back', async () => {
    const { clock, engine, events } = rig();
    engine.start();
    await clock.advance(0);
    await clock.advance(10_000);
    expect(of(events, 'health')).toHaveLength(1);
    clock.setBack(3_600_000);
    await clock.advance(10_000);
    // The next poll's time is told: the last event's time, an hour "ahead", does not hold it back for an hour.
    expect(of(events, 'health').map((e) => e.source.lastSuccessAt)).toEqual([new Date(T0).toISOString(), clock.iso()]);
  });

  it('tells the time alone moving on only while the window is shown, and at once when it is shown again', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    engine.start();
    await clock.advance(0);
    engine.setVisible(false);
    events.length = 0;
    // Hidden: polls every 40 s (the idle rate times hiddenFactor), no event while nothing changes.
    await clock.advance(120_000);
    expect(src.pollCount).toBe(4);
    expect(engine.snapshot().sources[0]!.lastSuccessAt).toBe(new Date(T0 + 120_000).toISOString());
    expect(of(events, 'health')).toEqual([]);
    // A change is still told while hidden.
    src.answer({ ...src.defaultResult(), health: { status: 'degraded', message: 'Some jobs could not be read.' } });
    await clock.advance(40_000);
    expect(of(events, 'health').map((e) => [e.source.status, e.source.lastSuccessAt])).toEqual([['degraded', clock.iso()]]);
    await clock.advance(40_000);
    expect(of(events, 'health').map((e) => e.source.status)).toEqual(['degraded', 'ok']);
    await clock.advance(80_000);
    expect(of(events, 'health')).toHaveLength(2);
    // Shown again: the health as the core has it, at once.
    engine.setVisible(true);
    expect(of(events, 'health').map((e) => e.source)).toEqual([expect.anything(), expect.anything(), engine.snapshot().sources[0]]);
    expect(engine.snapshot().sources[0]!.lastSuccessAt).toBe(new Date(T0 + 280_000).toISOString());
  });

  it('reports disabled sources without polling them, and refuses actions on them', async () => {
    const clock = new FakeClock(T0);
    const src = new FakeSource({ id: 'local', clock });
    const engine = createQueueEngine({ sources: [src], disabled: [{ id: 'ao', kind: 'aodocs', name: 'AODocs' }], polling: PollingSettings.parse({}), clock });
    rigs.push({ clock, engine, events: [], sources: [src] });
    engine.start();
    await clock.advance(0);
    expect(engine.snapshot().sources.map((s) => [s.id, s.status, s.message])).toEqual([
      ['local', 'ok', 'Source local is answering.'],
      ['ao', 'disabled', 'AODocs is switched off in the settings.'],
    ]);
    expect(() => engine.refreshNow('ao')).toThrow(/switched off/);
    expect(() => createQueueEngine({ sources: [src, new FakeSource({ id: 'local' })], polling: PollingSettings.parse({}), clock })).toThrow(/Two sources have the id "local"/);
  });
});

describe('actions and stop', () => {
  it('applies a cancel answer to the store and emits its transition', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    src.put('a', { state: 'queued' });
    engine.start();
    await clock.advance(0);
    const job = await engine.act('local:a', { type: 'cancel' });
    expect(job.state).toBe('canceled');
    expect(of(events, 'transition').map((e) => e.to)).toEqual(['queued', 'canceled']);
    await expect(engine.act('local:zzz', { type: 'cancel' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(engine.act('local:a', { type: 'abort', reason: 'x' })).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('stop() aborts the poll in flight, clears every timer and polls no more', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.put('a', { state: 'processing' });
    engine.start();
    await clock.advance(1_000);
    engine.pause(T0 + 3_600_000);
    engine.resume();
    src.hold();
    await clock.advance(500);
    expect(src.inFlight).toBe(1);
    await engine.stop();
    expect(src.aborted).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
    const n = src.pollCount;
    await clock.advance(60_000);
    expect(src.pollCount).toBe(n);
  });
});

describe('races and held requests', () => {
  it('a poll sent before a cancel does not undo the cancel answer, nor purge a job tracked meanwhile', async () => {
    const { clock, engine, sources, events } = rig();
    const [src] = sources;
    src.put('a', { state: 'printing' });
    engine.start();
    await clock.advance(0);
    // The next poll answers the world as it was when it was sent: 'a' printing, 'b' unknown to it.
    const before = src.defaultResult();
    src.answer(() => before);
    src.hold();
    await clock.advance(500);
    expect(src.inFlight).toBe(1);
    src.put('b', { state: 'queued' });
    await engine.act('local:a', { type: 'cancel' });
    await engine.track('local', 'b');
    src.release();
    await clock.advance(0);
    expect(engine.getJob('local:a')?.state).toBe('canceled');
    expect(engine.getJob('local:b')?.gone).toBe(false);
    expect(of(events, 'transition').map((e) => `${e.job.key}:${e.from}->${e.to}`)).toEqual(['local:a:null->printing', 'local:a:printing->canceled', 'local:b:null->queued']);
    expect(of(events, 'finished')).toHaveLength(1);
  });

  it('a one-shot listing waiting for Retry-After still runs when the machine goes to sleep meanwhile', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.answer(new SourceError('degraded', 'Throttled.', { retryAfterMs: 5_000 }));
    engine.start();
    await clock.advance(0);
    let done = false;
    void engine.pollOnce().then(() => (done = true));
    engine.setSuspended(true);
    await clock.advance(5_000);
    expect(src.pollTimes(T0)).toEqual([0, 5_000]);
    expect(done).toBe(true);
  });

  it('asks the source to stop tracking a job the user dismissed', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    const untracked: string[] = [];
    (src as { untrack?: (job: Job) => Promise<void> }).untrack = async (job) => {
      untracked.push(job.key);
    };
    src.put('a');
    engine.start();
    await clock.advance(0);
    engine.remove('local:a');
    await clock.flush();
    expect(untracked).toEqual(['local:a']);
  });
});

describe('details', () => {
  it('a source with no details of its own answers with the job and its timeline', async () => {
    const { clock, engine, sources } = rig();
    const [src] = sources;
    src.put('t1', { state: 'queued', rawState: '1 Queued' });
    engine.start();
    await clock.advance(0);
    src.update('t1', { state: 'printing', rawState: '5 Printing' });
    engine.refreshNow('local');
    await clock.advance(0);
    (src as { details?: unknown }).details = undefined;
    const d = await engine.details('local:t1');
    expect(d.job.state).toBe('printing');
    expect(d.timeline.map((t) => t.state)).toEqual(['queued', 'printing']);
  });
});

describe('printers', () => {
  const printer = (sourceId: string, id: string, over: Record<string, unknown> = {}) => ({ key: `${sourceId}:${id}`, sourceId, sourceKind: 'ipp' as const, id, name: `Printer ${id}`, state: 'ready' as const, reasons: [], acceptingJobs: true, ...over });

  it('keeps the printers a poll reports, counts their active and stuck jobs, and says when they change', async () => {
    const { clock, engine, events, sources } = rig({ sources: [{ id: 'cups', kind: 'aodocs' }, { id: 'other', kind: 'aodocs' }], polling: { stuckAfterMinutes: 1 } });
    const [cups, other] = sources;
    cups.put('1', { state: 'printing', printer: 'Printer office' });
    cups.put('2', { state: 'queued', printer: 'Printer office' });
    cups.put('3', { state: 'completed', printer: 'Printer office' });
    const withPrinters = (over: Record<string, unknown> = {}) => () => ({ ...cups.defaultResult(), printers: [printer('cups', 'office', over), printer('cups', 'lobby'), printer('other', 'foreign')] });
    cups.answer(withPrinters());
    engine.start();
    await clock.advance(0);
    expect(engine.printers()).toEqual([
      { ...printer('cups', 'office'), activeJobs: 2, stuckJobs: 0 },
      { ...printer('cups', 'lobby'), activeJobs: 0, stuckJobs: 0 },
    ]);
    expect(of(events, 'printers')).toHaveLength(1);
    // A poll that says the same thing: no event. A printer that stops: one.
    cups.answer(withPrinters(), withPrinters({ state: 'stopped', reasons: ['Paper jam'], acceptingJobs: false }));
    engine.refreshNow('cups');
    await clock.advance(0);
    expect(of(events, 'printers')).toHaveLength(1);
    engine.refreshNow('cups');
    await clock.advance(0);
    expect(of(events, 'printers').at(-1)?.printers[0]).toMatchObject({ state: 'stopped', reasons: ['Paper jam'], acceptingJobs: false, activeJobs: 2 });
    // A job that finishes or gets stuck moves the counts (polls without printers keep them).
    cups.update('2', { state: 'completed' });
    engine.refreshNow('cups');
    await clock.advance(0);
    expect(engine.printers()[0]).toMatchObject({ activeJobs: 1, stuckJobs: 0 });
    await clock.advance(2 * 60_000);
    expect(engine.printers()[0]).toMatchObject({ activeJobs: 1, stuckJobs: 1 });
    expect(of(events, 'printers').at(-1)?.printers[0]).toMatchObject({ stuckJobs: 1 });
    // A source removed from the settings takes its printers with it.
    engine.setSources([other]);
    expect(engine.printers()).toEqual([]);
    expect(of(events, 'printers').at(-1)?.printers).toEqual([]);
  });
});

describe('what a poll is told', () => {
  it('passes the jobs the user is looking at, the kind\'s polling settings with its request budget, and whether it is a one-shot listing', async () => {
    const { clock, engine, sources } = rig({ polling: { scriptx: { activeMs: 500, idleMs: 10_000, maxRequestsPerSecond: 12 } } });
    const [src] = sources;
    engine.start();
    await clock.advance(0);
    expect(src.calls[0].ctx.interval).toEqual({ activeMs: 500, idleMs: 10_000, maxRequestsPerSecond: 12 });
    expect([...(src.calls[0].ctx.priorityKeys ?? [])]).toEqual([]);
    expect(src.calls[0].ctx.oneShot).toBeUndefined();
    engine.setPriority(['local:a', 'local:b']);
    src.put('a', { state: 'processing', rawState: '5 Printing' });
    engine.refreshNow('local');
    await clock.advance(1_000);
    expect([...(src.calls.at(-1)!.ctx.priorityKeys ?? [])]).toEqual(['local:a', 'local:b']);
    const once = engine.pollOnce();
    await clock.advance(0);
    await once;
    expect(src.calls.at(-1)!.ctx.oneShot).toBe(true);
    engine.setPriority([]);
    await clock.advance(1_000);
    expect(src.calls.at(-1)!.ctx.priorityKeys?.size).toBe(0);
  });
});
