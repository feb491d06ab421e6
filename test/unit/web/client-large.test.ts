/**
 * The web bridge reads a long message (the whole queue) only after the next frame, so that it never
 * holds up the frame the window is about to draw; events after it wait for it, answers to other
 * requests do not, and each held message is read in a task of its own.
 */
import { describe, expect, it } from 'vitest';
import { expectWholeQueueAfterFrame, tick, useFakeFrames } from '../../helpers/fake-frames';
import { createWebBridge } from '../../../renderer/src/transport/web';
import { LARGE_MESSAGE_CHARS } from '../../../renderer/src/transport/reader';

class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
    this.receive({ type: 'ready' });
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

const { frames, drawFrame } = useFakeFrames();
/** Draws the next frame, then lets `answered` and what it started finish. */
const afterFrame = async (answered: Promise<unknown>) => {
  await drawFrame();
  await answered;
  await tick();
};

function connect() {
  const bridge = createWebBridge({ url: 'ws://127.0.0.1:1/ws', token: 't', WebSocketImpl: FakeSocket as never });
  const ws = FakeSocket.last!;
  ws.open();
  return { bridge, ws };
}

/** The ids of the requests sent so far, by name. */
function ids(ws: FakeSocket): Record<string, number> {
  const out: Record<string, number> = {};
  for (const text of ws.sent) {
    const m = JSON.parse(text) as { type: string; id?: number; name?: string };
    if (m.type === 'request' && m.name) out[m.name] = m.id!;
  }
  return out;
}

describe('web bridge: long messages wait for a frame', () => {
  it('reads the whole queue after the next frame, answers other requests at once, and keeps events behind it', async () => {
    const { bridge, ws } = connect();
    const order: string[] = [];
    bridge.on('jobs:patch', () => order.push('patch'));
    const whole = bridge.request('getSnapshot', {}).then((r) => order.push(r.ok ? `whole ${(r.value as unknown as { pad: string }).pad.length}` : 'whole failed'));
    const settings = bridge.request('getSettings', {}).then(() => order.push('settings'));
    await tick();
    const id = ids(ws);
    const pad = 'x'.repeat(LARGE_MESSAGE_CHARS);
    ws.receive({ type: 'response', id: id.getSnapshot, result: { ok: true, value: { jobs: [], sources: [], paused: null, pad } } });
    ws.receive({ type: 'response', id: id.getSettings, result: { ok: true, value: {} } });
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: [] } });
    // The settings' answer is read; the whole queue waits for the frame, the patch waits behind it
    // and is read in a task of its own, after the snapshot's reader ran.
    await expectWholeQueueAfterFrame({ order, settings, whole, wholeEntry: `whole ${pad.length}`, drawFrame });
    bridge.close();
  });

  it('never lets an answer overtake a long event: an action\'s answer is read after the older patches', async () => {
    const { bridge, ws } = connect();
    const order: string[] = [];
    bridge.on('jobs:patch', (p) => order.push(`patch ${p.patches.length}`));
    const cancel = bridge.request('cancelJob', { key: 'local:a' }).then(() => order.push('cancel answered'));
    await tick();
    const many = Array.from({ length: 2_000 }, (_, i) => ({ type: 'changed', key: `local:j${i}`, changes: { owner: `someone-${i}-${'x'.repeat(40)}` } }));
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: many } });
    ws.receive({ type: 'response', id: ids(ws).cancelJob, result: { ok: true, value: null } });
    await tick();
    expect(order).toEqual([]);
    await afterFrame(cancel);
    expect(order).toEqual(['patch 2000', 'cancel answered']);
    bridge.close();
  });

  it('reads a long message at once in a page that draws no frames (hidden)', async () => {
    (globalThis as { document?: unknown }).document = { visibilityState: 'hidden' };
    const { bridge, ws } = connect();
    const whole = bridge.request('getSnapshot', {});
    await tick();
    ws.receive({ type: 'response', id: ids(ws).getSnapshot, result: { ok: true, value: { jobs: [], sources: [], paused: null, pad: 'x'.repeat(LARGE_MESSAGE_CHARS) } } });
    const r = await whole;
    expect(r.ok).toBe(true);
    expect(frames).toHaveLength(0);
    bridge.close();
  });

  it('once the window has drawn its first rows, reads a long message as it comes, and keeps the order after a held one', async () => {
    const { bridge, ws } = connect();
    const order: string[] = [];
    bridge.on('jobs:patch', (p) => order.push(`patch ${p.patches.length}`));
    const pad = 'x'.repeat(LARGE_MESSAGE_CHARS);
    const first = bridge.request('getSnapshot', {}).then(() => order.push('held whole'));
    await tick();
    // Before: held for a frame, and a patch behind it waits for it.
    ws.receive({ type: 'response', id: ids(ws).getSnapshot, result: { ok: true, value: { jobs: [], sources: [], paused: null, pad } } });
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: [] } });
    bridge.windowDrawn();
    await tick();
    expect(order).toEqual([]);
    await afterFrame(first);
    expect(order).toEqual(['held whole', 'patch 0']);
    // After: read in the socket's own event, like a short message.
    order.length = 0;
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: Array.from({ length: 2_000 }, (_, i) => ({ type: 'removed', key: `local:${'k'.repeat(60)}${i}` })) } });
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: [] } });
    expect(order).toEqual(['patch 2000', 'patch 0']);
    expect(frames).toHaveLength(0);
    bridge.close();
  });

  it('reads short messages as they come, in order', async () => {
    const { bridge, ws } = connect();
    const order: string[] = [];
    bridge.on('jobs:patch', (p) => order.push(`patch ${p.patches.length}`));
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: [] } });
    ws.receive({ type: 'event', name: 'jobs:patch', payload: { patches: [{ type: 'removed', key: 'local:a' }] } });
    expect(order).toEqual(['patch 0', 'patch 1']);
    expect(frames).toHaveLength(0);
    bridge.close();
  });
});
