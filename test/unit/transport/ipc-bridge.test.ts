/**
 * The window's reader of the Electron preload's text (renderer/src/transport/ipc.ts) keeps the
 * web bridge's order (renderer/src/transport/reader.ts): a long answer (the whole queue) is read
 * only after the next frame until the window has drawn its first rows; events after it wait for it,
 * answers to other requests do not; once the window has drawn, everything is read as it comes.
 */
import { describe, expect, it } from 'vitest';
import { expectWholeQueueAfterFrame, tick, useFakeFrames } from '../../helpers/fake-frames';
import { createIpcBridge } from '../../../renderer/src/transport/ipc';
import { LARGE_MESSAGE_CHARS } from '../../../renderer/src/transport/reader';
import type { IpcTextBridge } from '../../../preload/contract/contract';

/** The preload's side, driven by the test: each request waits until the test answers it. */
function fakePreload() {
  const waiting = new Map<string, (text: string) => void>();
  const listeners = new Map<string, Set<(text: string) => void>>();
  const text: IpcTextBridge = {
    request: (name) => new Promise<string>((resolve) => waiting.set(name, resolve)),
    on: (event, l) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(l);
      return () => set.delete(l);
    },
  };
  return {
    text,
    answer: (name: string, result: unknown) => waiting.get(name)!(JSON.stringify(result)),
    emit: (event: string, payload: unknown) => {
      for (const l of listeners.get(event) ?? []) l(JSON.stringify(payload));
    },
  };
}

const { frames, drawFrame } = useFakeFrames();
const pad = 'x'.repeat(LARGE_MESSAGE_CHARS);

describe('Electron bridge: the order the window reads in', () => {
  it('reads the whole queue after the next frame, answers other requests at once, and keeps events behind it', async () => {
    const preload = fakePreload();
    const bridge = createIpcBridge(preload.text);
    const order: string[] = [];
    bridge.on('jobs:patch', () => order.push('patch'));
    const whole = bridge.request('getSnapshot', {}).then((r) => order.push(r.ok ? `whole ${(r.value as unknown as { pad: string }).pad.length}` : 'whole failed'));
    const settings = bridge.request('getSettings', {}).then(() => order.push('settings'));
    preload.answer('getSnapshot', { ok: true, value: { jobs: [], sources: [], paused: null, pad } });
    await tick();
    // Each arrives in a task of its own, as IPC messages do (an answer's promise settles before the next message).
    preload.answer('getSettings', { ok: true, value: {} });
    await tick();
    preload.emit('jobs:patch', { patches: [] });
    await expectWholeQueueAfterFrame({ order, settings, whole, wholeEntry: `whole ${pad.length}`, drawFrame });
  });

  it('once the window has drawn its first rows, reads everything as it comes, in order', async () => {
    const preload = fakePreload();
    const bridge = createIpcBridge(preload.text);
    const order: string[] = [];
    bridge.on('jobs:patch', (p) => order.push(`patch ${p.patches.length}`));
    bridge.windowDrawn();
    const whole = bridge.request('getSnapshot', {}).then(() => order.push('whole'));
    preload.answer('getSnapshot', { ok: true, value: { jobs: [], sources: [], paused: null, pad } });
    await whole;
    preload.emit('jobs:patch', { patches: Array.from({ length: 2_000 }, (_, i) => ({ type: 'removed', key: `local:${'k'.repeat(60)}${i}` })) });
    preload.emit('jobs:patch', { patches: [] });
    expect(order).toEqual(['whole', 'patch 2000', 'patch 0']);
    expect(frames).toHaveLength(0);
  });

  it('reads short answers and events as they come, and a long one at once in a page that draws no frames', async () => {
    (globalThis as { document?: unknown }).document = { visibilityState: 'hidden' };
    const preload = fakePreload();
    const bridge = createIpcBridge(preload.text);
    const order: string[] = [];
    bridge.on('jobs:patch', (p) => order.push(`patch ${p.patches.length}`));
    preload.emit('jobs:patch', { patches: [] });
    preload.emit('jobs:patch', { patches: [{ type: 'removed', key: 'local:a' }] });
    expect(order).toEqual(['patch 0', 'patch 1']);
    const whole = bridge.request('getSnapshot', {});
    preload.answer('getSnapshot', { ok: true, value: { jobs: [], sources: [], paused: null, pad } });
    expect((await whole).ok).toBe(true);
    expect(frames).toHaveLength(0);
  });
});
