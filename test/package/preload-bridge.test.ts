/**
 * The sandboxed preload exposes exactly the contract as window.printQueue: every request of the
 * contract's request map reaches main on its channel, nothing else does, and every event of the
 * contract can be listened to. Grows with the contract: a request added to preload/contract/contract.ts
 * that the preload does not forward fails here.
 *
 * What it hands the page is text, never an object (Electron's "Context Bridge" documentation,
 * Performance: an object is copied value by value into the page; JSON text is the recommended way
 * to send data): the answer main sent, as it came, and its own error answers as JSON text.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const exposed = new Map<string, unknown>();
const invoke = vi.fn(async (channel: string, payload: unknown) => JSON.stringify({ ok: true, value: { channel, payload } }));
const on = vi.fn();
const removeListener = vi.fn();

vi.mock('electron', () => {
  const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) };
  const ipcRenderer = { invoke, on, removeListener, send: vi.fn(), sendSync: vi.fn() };
  return { contextBridge, ipcRenderer, default: { contextBridge, ipcRenderer } };
});

const { requests } = await import('../../preload/contract/contract');
const { eventChannel, requestChannel } = await import('../../preload/contract/channels');
await import('../../preload/index');
type Bridge = { request(name: string, input: unknown): Promise<unknown>; on(event: string, l: (p: unknown) => void): () => void };
/** An answer the bridge gave: always text, read as JSON. */
async function answerOf(p: Promise<unknown>): Promise<unknown> {
  const text = await p;
  expect(typeof text).toBe('string');
  return JSON.parse(text as string);
}
const bridge = exposed.get('printQueue') as Bridge;

/** The events of the contract (its Events interface), listed by the type below. */
const CONTRACT_EVENTS = ['jobs:patch', 'source:health', 'monitoring:paused', 'app:navigate', 'app:notice', 'print:progress', 'signin:progress', 'printers:changed', 'settings:changed'] as const;
type _Same = (typeof CONTRACT_EVENTS)[number] extends keyof import('../../preload/contract/contract').Events
  ? keyof import('../../preload/contract/contract').Events extends (typeof CONTRACT_EVENTS)[number]
    ? true
    : never
  : never;
const _same: _Same = true;
void _same;

beforeEach(() => {
  invoke.mockClear();
  on.mockClear();
  removeListener.mockClear();
});

describe('preload bridge', () => {
  it('exposes one frozen object, printQueue, with only request and on', () => {
    expect([...exposed.keys()]).toEqual(['printQueue']);
    expect(Object.keys(bridge).sort()).toEqual(['on', 'request']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it("passes on the system's regional format that main put in the renderer's argv, and nothing else from it", async () => {
    const { createBridge } = await import('../../preload/index');
    const ipc = { invoke, on, removeListener };
    const withLocale = createBridge(ipc, ['renderer.exe', '--type=renderer', '--pqm-format-locale=en-GB']);
    expect(withLocale.formatLocale).toBe('en-GB');
    expect(Object.keys(withLocale).sort()).toEqual(['formatLocale', 'on', 'request']);
    expect(Object.isFrozen(withLocale)).toBe(true);
    expect(Object.keys(createBridge(ipc, ['renderer.exe', '--pqm-format-locale=<script>'])).sort()).toEqual(['on', 'request']);
  });

  it('forwards every request of the contract on its own channel', async () => {
    const names = Object.keys(requests);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const answer = await bridge.request(name, { probe: name });
      // The text main sent, handed on as it came.
      expect(answer, name).toBe(JSON.stringify({ ok: true, value: { channel: requestChannel(name as never), payload: { probe: name } } }));
    }
    expect(invoke).toHaveBeenCalledTimes(names.length);
  });

  it('refuses a name outside the contract without reaching main', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'eval', 'pqm:getSnapshot', '']) {
      const answer = (await answerOf(bridge.request(name, {}))) as { ok: boolean; error: { code: string } };
      expect(answer.ok).toBe(false);
      expect(answer.error.code).toBe('invalid-input');
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('answers with the envelope when main cannot be reached', async () => {
    invoke.mockRejectedValueOnce(new Error("No handler registered for 'pqm:getSnapshot'"));
    const answer = (await answerOf(bridge.request('getSnapshot', {}))) as { ok: boolean; error: { code: string; message: string } };
    expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(answer.error.message).toContain('getSnapshot');
  });

  it('subscribes to every contract event and never hands the IPC event to the page', () => {
    for (const event of CONTRACT_EVENTS) {
      const listener = vi.fn();
      const off = bridge.on(event, listener);
      const [channel, wrapped] = on.mock.calls.at(-1)! as [string, (e: unknown, p: unknown) => void];
      expect(channel).toBe(eventChannel(event));
      wrapped({ sender: 'ipcRenderer' }, `{"payload":"${event}"}`);
      expect(listener).toHaveBeenCalledWith(`{"payload":"${event}"}`);
      expect(listener.mock.calls[0]).toHaveLength(1);
      off();
      expect(removeListener).toHaveBeenCalledWith(channel, wrapped);
    }
    expect(() => bridge.on('pqm:anything', () => undefined)).toThrow(/Unknown event/);
  });
});
