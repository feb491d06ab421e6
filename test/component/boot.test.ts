/**
 * Start-up order of the queue window: the first requests leave before the window's code is set up,
 * settings and the first rows at once, the whole queue once those are in; the store takes those
 * answers instead of asking again, and draws the first rows until the whole queue replaces them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { effect } from '@preact/signals';
import { boot, connectionSettled, FIRST_ROWS } from '../../renderer/src/boot';
import { requestSafely } from '../../renderer/src/state/call';
import { createStore } from '../../renderer/src/state/store';
import type { ConnectionStatus } from '../../renderer/src/transport/web';
import type { PrintQueueBridge, Snapshot } from '../../preload/contract/contract';
import type { Result } from '../../preload/contract/model';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';

afterEach(() => {
  vi.useRealTimers();
});

describe('boot', () => {
  it('asks for the settings, the first rows and the whole queue at once, in that order', async () => {
    const jobs = Array.from({ length: FIRST_ROWS + 20 }, (_, i) => makeJob({ key: `local:j${String(i).padStart(3, '0')}`, updatedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, i)).toISOString() }));
    const bridge = new FakeBridge({ jobs, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    const { early } = boot(bridge);
    expect(bridge.calls.map((c) => [c.name, c.input])).toEqual([
      ['getSettings', {}],
      ['getSnapshot', { first: FIRST_ROWS }],
      ['getSnapshot', {}],
    ]);
    const head = await early.head!;
    // Newest update first, as the saved view choices say.
    expect(head.ok && head.value.jobs.map((j) => j.key)).toEqual(jobs.map((j) => j.key).reverse().slice(0, FIRST_ROWS));
    expect(head.ok && head.value.total).toBe(FIRST_ROWS + 20);
    const [settings, snapshot] = await Promise.all([early.settings, early.snapshot]);
    expect(bridge.calls.map((c) => [c.name, c.input])).toEqual([
      ['getSettings', {}],
      ['getSnapshot', { first: FIRST_ROWS }],
      ['getSnapshot', {}],
    ]);
    expect(settings.ok && settings.value.settings.version).toBe(1);
    expect(snapshot.ok && snapshot.value.jobs).toHaveLength(FIRST_ROWS + 20);
  });

  it('asks for the whole queue even when the first rows fail', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const real = bridge.request.bind(bridge);
    bridge.request = ((name: string, input: unknown) =>
      name === 'getSnapshot' && (input as { first?: number }).first ? Promise.reject(new Error('lost')) : real(name as never, input as never)) as typeof bridge.request;
    const { early } = boot(bridge);
    expect(await early.head).toEqual({ ok: false, error: { code: 'internal', message: 'lost' } });
    const snapshot = await early.snapshot;
    expect(snapshot.ok && snapshot.value.jobs.map((j) => j.key)).toEqual(['local:a']);
  });

  it('turns a bridge that throws or rejects into an internal error, never an exception', async () => {
    const throwing = { request: () => { throw new Error('bridge gone'); }, on: () => () => {} } as unknown as PrintQueueBridge;
    const rejecting = { request: () => Promise.reject(new Error('ipc closed')), on: () => () => {} } as unknown as PrintQueueBridge;
    expect(await requestSafely(throwing, 'getSnapshot', {})).toEqual({ ok: false, error: { code: 'internal', message: 'bridge gone' } });
    const { early } = boot(rejecting);
    expect(await early.snapshot).toEqual({ ok: false, error: { code: 'internal', message: 'ipc closed' } });
    expect(await early.settings).toEqual({ ok: false, error: { code: 'internal', message: 'ipc closed' } });
  });
});

describe('store.start with the answers boot asked for', () => {
  it('does not ask again, and sorts the queue once, with the saved view choices', async () => {
    // By the default order (newest update first, then key) these would read c, b, a.
    const jobs = [['z', 'a'], ['x', 'c'], ['y', 'b']].map(([k, d]) => makeJob({ key: `local:${k}`, document: d }));
    const bridge = new FakeBridge({ jobs, sources: [makeHealth({ id: 'local' })], settings: { version: 1, sources: [], ui: { view: 'all', sort: { key: 'document', dir: 'asc' } } } });
    const { early } = boot(bridge);
    const store = createStore(bridge);
    const seen: string[][] = [];
    const stop = effect(() => {
      if (store.status.value === 'ready') seen.push(store.visible.value.map((j) => j.document ?? ''));
    });
    try {
      await store.start(early);
      // Asked once each; then the window says it listens (main may send what it held for it), then
      // asks for the printers, which the first frame does not need.
      expect(bridge.calls.map((c) => c.name)).toEqual(['getSettings', 'getSnapshot', 'getSnapshot', 'windowReady', 'getPrinters']);
      expect(store.ui.value.sort).toEqual({ key: 'document', dir: 'asc' });
      // The first rows, then the whole queue: both in the saved order, never the default one.
      expect(seen).toEqual([
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ]);
      expect(store.partial.value).toBeNull();
    } finally {
      stop();
      store.dispose();
    }
  });

  it('shows the snapshot with default choices when the settings cannot be read, and says why', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const store = createStore(bridge);
    await store.start({
      settings: Promise.resolve({ ok: false, error: { code: 'unreachable', message: 'The settings file is locked.' } }),
      snapshot: requestSafely(bridge, 'getSnapshot', {}),
    });
    expect(store.status.value).toBe('ready');
    expect(store.visible.value.map((j) => j.key)).toEqual(['local:a']);
    expect(store.notices.value.map((n) => n.message).join(' ')).toContain('The settings file is locked.');
    store.dispose();
  });

  it('shows the load error when the early snapshot failed, and a retry asks again', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const store = createStore(bridge);
    await store.start({
      settings: requestSafely(bridge, 'getSettings', {}),
      snapshot: Promise.resolve({ ok: false, error: { code: 'unreachable', message: 'The preview server cannot be reached right now.' } }),
    });
    expect(store.status.value).toBe('error');
    expect(store.loadError.value?.message).toBe('The preview server cannot be reached right now.');
    await store.loadSnapshot();
    expect(store.status.value).toBe('ready');
    expect(bridge.callsOf('getSnapshot')).toHaveLength(1);
    store.dispose();
  });
});

describe('the app\'s events while the window starts', () => {
  const patch = (key: string, document: string) => ({ patches: [{ type: 'changed' as const, key, changes: { document } }] });

  it('keeps the events that came after the answers and before the window\'s code listened, and applies them on top of the queue', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a', document: 'Old' }), makeJob({ key: 'local:b', document: 'B' })], sources: [makeHealth({ id: 'local', status: 'down' })] });
    const { early } = boot(bridge);
    // The answers are in: the app's state as it was then.
    await early.snapshot;
    // Then, before the store exists (the window's code still loading), the app moves on.
    bridge.emit('jobs:patch', patch('local:a', 'New'));
    bridge.emit('source:health', makeHealth({ id: 'local', status: 'ok' }));
    bridge.emit('monitoring:paused', { until: null });
    bridge.emit('app:notice', { level: 'info', message: 'Said before the window listened.' });
    const store = createStore(bridge);
    await store.start(early);
    expect(store.jobs.get('local:a')?.document).toBe('New');
    expect(store.sources.value.find((s) => s.id === 'local')?.status).toBe('ok');
    expect(store.paused.value).toEqual({ until: null });
    expect(store.notices.value.map((n) => n.message)).toContain('Said before the window listened.');
    // Later events arrive as they come, once each.
    bridge.emit('jobs:patch', patch('local:b', 'B2'));
    bridge.emit('app:notice', { level: 'info', message: 'Said later.' });
    expect(store.jobs.get('local:b')?.document).toBe('B2');
    expect(store.notices.value.filter((n) => n.message === 'Said before the window listened.')).toHaveLength(1);
    expect(store.notices.value.filter((n) => n.message === 'Said later.')).toHaveLength(1);
    store.dispose();
  });

  it('applies a patch that came after the queue\'s answer but before the answer was put in (the settings still loading), not one from before it', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a', document: 'In the answer' })] });
    const store = createStore(bridge);
    let settingsIn!: (r: Awaited<ReturnType<typeof requestSafely<'getSettings'>>>) => void;
    const settings = new Promise<Awaited<ReturnType<typeof requestSafely<'getSettings'>>>>((r) => (settingsIn = r));
    let answer!: (r: Result<Snapshot>) => void;
    const snapshot = new Promise<Result<Snapshot>>((r) => (answer = r));
    const started = store.start({ settings, snapshot });
    // Before the answer: its outcome is in the answer.
    bridge.emit('jobs:patch', patch('local:a', 'Before the answer'));
    answer(await requestSafely(bridge, 'getSnapshot', {}));
    await new Promise((r) => setTimeout(r, 0));
    // After it, while the settings are still loading.
    bridge.emit('jobs:patch', patch('local:a', 'After the answer'));
    settingsIn(await requestSafely(bridge, 'getSettings', {}));
    await started;
    expect(store.jobs.get('local:a')?.document).toBe('After the answer');
    store.dispose();
  });
});

describe('the first rows, until the whole queue is in', () => {
  function deferred<T>() {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
  }
  const settingsOf = (bridge: FakeBridge) => requestSafely(bridge, 'getSettings', {});

  it('draws the first rows and marks the queue partial, then the whole queue replaces them', async () => {
    const jobs = ['a', 'b', 'c', 'd'].map((k, i) => makeJob({ key: `local:${k}`, updatedAt: new Date(Date.UTC(2026, 0, 5, 9, 0, i)).toISOString() }));
    const bridge = new FakeBridge({ jobs, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    const store = createStore(bridge);
    const whole = deferred<Result<Snapshot>>();
    const started = store.start({ settings: settingsOf(bridge), head: requestSafely(bridge, 'getSnapshot', { first: 2 }), snapshot: whole.promise });
    await vi.waitFor(() => expect(store.status.value).toBe('ready'));
    expect(store.visible.value.map((j) => j.key)).toEqual(['local:d', 'local:c']);
    expect(store.partial.value).toBe(store.ui.value);
    // A patch that comes before the whole queue's answer is in that answer: the first rows stay as
    // they are until it replaces them.
    const before = store.jobs.get('local:d')?.document;
    bridge.emit('jobs:patch', { patches: [{ type: 'changed', key: 'local:d', changes: { document: 'Patched' } }] });
    expect(store.jobs.get('local:d')?.document).toBe(before);
    whole.resolve(await requestSafely(bridge, 'getSnapshot', {}));
    await started;
    expect(store.partial.value).toBeNull();
    expect(store.visible.value.map((j) => j.key)).toEqual(['local:d', 'local:c', 'local:b', 'local:a']);
    store.dispose();
  });

  it('ignores first rows that arrive after the whole queue', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' }), makeJob({ key: 'local:b' })] });
    const store = createStore(bridge);
    const head = deferred<Result<Snapshot>>();
    await store.start({ settings: settingsOf(bridge), head: head.promise, snapshot: requestSafely(bridge, 'getSnapshot', {}) });
    head.resolve({ ok: true, value: { jobs: [makeJob({ key: 'local:stale' })], sources: [], paused: null, total: 1 } });
    await new Promise((r) => setTimeout(r, 0));
    expect([...store.jobs.keys()].sort()).toEqual(['local:a', 'local:b']);
    expect(store.partial.value).toBeNull();
    store.dispose();
  });

  it('waits for the whole queue when the settings could not be read (the first rows were picked under other choices)', async () => {
    const jobs = [makeJob({ key: 'local:a', state: 'completed' }), makeJob({ key: 'local:b' })];
    const bridge = new FakeBridge({ jobs, settings: { version: 1, sources: [], ui: { view: 'all' } } });
    const store = createStore(bridge);
    const whole = deferred<Result<Snapshot>>();
    const started = store.start({
      settings: Promise.resolve({ ok: false, error: { code: 'unreachable', message: 'The settings file is locked.' } }),
      head: requestSafely(bridge, 'getSnapshot', { first: 5 }),
      snapshot: whole.promise,
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(store.status.value).toBe('loading');
    expect(store.partial.value).toBeNull();
    whole.resolve(await requestSafely(bridge, 'getSnapshot', {}));
    await started;
    // The default choices (active jobs only) over the whole queue.
    expect(store.visible.value.map((j) => j.key)).toEqual(['local:b']);
    store.dispose();
  });

  it('shows nothing for first rows that failed, and the whole queue decides what the window says', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const store = createStore(bridge);
    await store.start({
      settings: settingsOf(bridge),
      head: Promise.resolve({ ok: false, error: { code: 'internal', message: 'lost' } }),
      snapshot: Promise.resolve({ ok: false, error: { code: 'unreachable', message: 'The app is not answering.' } }),
    });
    expect(store.status.value).toBe('error');
    expect(store.loadError.value?.message).toBe('The app is not answering.');
    expect(store.notices.value).toEqual([]);
    store.dispose();
  });

  it('leaves the first rows for the loading line when the load of the whole queue fails after them', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const store = createStore(bridge);
    const whole = deferred<Result<Snapshot>>();
    const started = store.start({ settings: settingsOf(bridge), head: requestSafely(bridge, 'getSnapshot', { first: 5 }), snapshot: whole.promise });
    await vi.waitFor(() => expect(store.partial.value).not.toBeNull());
    whole.resolve({ ok: false, error: { code: 'unreachable', message: 'The app is not answering.' } });
    await started;
    expect(store.status.value).toBe('error');
    expect(store.partial.value).toBeNull();
    store.dispose();
  });
});

describe('connectionSettled', () => {
  function webLike(state: ConnectionStatus['state']) {
    const listeners = new Set<(s: ConnectionStatus) => void>();
    return {
      state,
      connection: () => ({ state, message: null }),
      onConnection(l: (s: ConnectionStatus) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      set(next: ConnectionStatus['state']) {
        state = next;
        for (const l of [...listeners]) l({ state: next, message: null });
      },
      listeners,
    };
  }

  it('does not wait for a bridge that has no connection (the Electron preload)', async () => {
    await expect(connectionSettled(new FakeBridge(), 10_000)).resolves.toBeUndefined();
  });

  it('waits for the socket to be accepted, then stops listening', async () => {
    vi.useFakeTimers();
    const web = webLike('connecting');
    let done = false;
    void connectionSettled(web, 100).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(50);
    expect(done).toBe(false);
    web.set('open');
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(web.listeners.size).toBe(0);
  });

  it('gives up waiting after the limit, so a slow server never holds the window back for long', async () => {
    vi.useFakeTimers();
    const web = webLike('connecting');
    let done = false;
    void connectionSettled(web, 100).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(web.listeners.size).toBe(0);
  });

  it('does not wait when the connection is already decided', async () => {
    await expect(connectionSettled(webLike('refused'), 10_000)).resolves.toBeUndefined();
  });
});
