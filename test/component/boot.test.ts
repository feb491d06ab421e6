/**
 * Start-up order of the queue window: the first requests leave before the window's code is set up,
 * settings before the snapshot, and the store takes those answers instead of asking again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { effect } from '@preact/signals';
import { boot, connectionSettled } from '../../renderer/src/boot';
import { requestSafely } from '../../renderer/src/state/call';
import { createStore } from '../../renderer/src/state/store';
import type { ConnectionStatus } from '../../renderer/src/transport/web';
import type { PrintQueueBridge } from '../../preload/contract';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';

afterEach(() => {
  vi.useRealTimers();
});

describe('boot', () => {
  it('asks for the settings, then the snapshot, at once', async () => {
    const bridge = new FakeBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const { early } = boot(bridge);
    expect(bridge.calls.map((c) => c.name)).toEqual(['getSettings', 'getSnapshot']);
    const [settings, snapshot] = await Promise.all([early.settings, early.snapshot]);
    expect(settings.ok && settings.value.settings.version).toBe(1);
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
      expect(bridge.calls.map((c) => c.name)).toEqual(['getSettings', 'getSnapshot']);
      expect(store.ui.value.sort).toEqual({ key: 'document', dir: 'asc' });
      expect(seen).toEqual([['a', 'b', 'c']]);
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
