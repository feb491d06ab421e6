/**
 * The contract over Electron's IPC end to end, Electron mocked as documented: main's handlers
 * (main/ipc.ts) answer through ipcRenderer.invoke and webContents.send (each a structured clone),
 * the sandboxed preload (preload/index.ts) hands the page what it got through the context bridge,
 * and the window reads it (renderer/src/transport/ipc.ts). What crosses the context bridge is one
 * string per answer and per event, never an object: the bridge copies an object value by value into
 * the page (Electron's "Context Bridge" documentation, Performance, which recommends JSON text for
 * data), and a queue of thousands of jobs would be copied on the window's main thread.
 */
import { describe, expect, it, vi } from 'vitest';

const handled = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
const rendererListeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
const exposed = new Map<string, unknown>();
/** Every value that crossed the context bridge into the page. */
const crossed: unknown[] = [];

vi.mock('electron', () => {
  const ipcMain = {
    handle: (channel: string, fn: (e: unknown, p: unknown) => Promise<unknown>) => void handled.set(channel, fn),
    removeHandler: (channel: string) => void handled.delete(channel),
  };
  const ipcRenderer = {
    // ipcRenderer.invoke: the payload and the answer each go through a structured clone.
    invoke: async (channel: string, payload: unknown) => {
      const fn = handled.get(channel);
      if (!fn) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await fn({ trusted: true }, structuredClone(payload)));
    },
    on: (channel: string, l: (e: unknown, p: unknown) => void) => {
      let set = rendererListeners.get(channel);
      if (!set) rendererListeners.set(channel, (set = new Set()));
      set.add(l);
    },
    removeListener: (channel: string, l: (e: unknown, p: unknown) => void) => void rendererListeners.get(channel)?.delete(l),
  };
  // The page sees what the bridge's functions return and what they call its listeners with: recorded.
  const contextBridge = {
    exposeInMainWorld: (key: string, api: { request(n: string, i: unknown): Promise<unknown>; on(e: string, l: (p: unknown) => void): () => void }) =>
      void exposed.set(key, {
        request: async (n: string, i: unknown) => {
          const answer = await api.request(n, i);
          crossed.push(answer);
          return answer;
        },
        on: (e: string, l: (p: unknown) => void) =>
          api.on(e, (p) => {
            crossed.push(p);
            l(p);
          }),
      }),
  };
  return { ipcMain, ipcRenderer, contextBridge, default: { ipcMain, ipcRenderer, contextBridge } };
});

const { registerIpc, forwardEvents } = await import('../../../main/ipc');
const { silentLogger } = await import('../../../main/ports/ports');
const { createIpcBridge } = await import('../../../renderer/src/transport/ipc');
await import('../../../preload/index');
import type { IpcTextBridge } from '../../../preload/contract/contract';
import { toAppError } from '../../../preload/contract/model';
import { createFakeCore, sampleJob } from '../web/fake-core';

function connect(core: ReturnType<typeof createFakeCore>) {
  handled.clear();
  rendererListeners.clear();
  crossed.length = 0;
  registerIpc({ handlers: core.handlers, isTrustedSender: (e) => (e as { trusted?: boolean }).trusted === true, logger: silentLogger, toError: toAppError });
  const webContents = {
    isDestroyed: () => false,
    // webContents.send: the payload goes through a structured clone.
    send: (channel: string, payload: unknown) => {
      for (const l of rendererListeners.get(channel) ?? []) l({ sender: 'ipcRenderer' }, structuredClone(payload));
    },
  };
  const stop = forwardEvents(core, () => ({ isDestroyed: () => false, webContents }) as never);
  const bridge = createIpcBridge(exposed.get('printQueue') as IpcTextBridge);
  return { bridge, stop };
}

describe('the contract over IPC, main to window', () => {
  it('answers the whole queue exactly, as one string across the context bridge', async () => {
    const jobs = Array.from({ length: 2_000 }, (_, i) =>
      sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}`, document: `Doc "${i}" \u2028`, state: i % 3 ? 'queued' : 'printing', progress: i % 7 ? null : (i % 100) / 100 }),
    );
    const snapshot = { jobs, sources: [], paused: { until: '2026-01-05T10:00:00.000Z' } };
    const { bridge } = connect(createFakeCore({ getSnapshot: async () => snapshot }));
    expect(await bridge.request('getSnapshot', {})).toEqual({ ok: true, value: snapshot });
    expect(crossed).toHaveLength(1);
    expect(typeof crossed[0]).toBe('string');
    // The jobs crossed as a table of columns, a fraction of their JSON as objects.
    expect((crossed[0] as string).length).toBeLessThan(JSON.stringify(snapshot).length / 2);
  });

  it('answers errors, refused input and other answers exactly, each as one string', async () => {
    const { bridge } = connect(createFakeCore());
    expect(await bridge.request('cancelJob', { key: 'local:abc' })).toEqual({ ok: true, value: sampleJob({ state: 'canceled', key: 'local:abc' }) });
    expect(await bridge.request('pauseMonitoring', { minutes: 'soon' } as never)).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'minutes' } });
    expect(await bridge.request('getPrinters', {})).toEqual({ ok: false, error: { code: 'unsupported', message: 'getPrinters is not available in this test.' } });
    expect(crossed.map((c) => typeof c)).toEqual(['string', 'string', 'string']);
  });

  it('says why when main cannot be reached, as an error answer', async () => {
    const { bridge } = connect(createFakeCore());
    handled.clear();
    expect(await bridge.request('getSettings', {})).toEqual({ ok: false, error: { code: 'internal', message: "The request \"getSettings\" could not be sent: No handler registered for 'pqm:getSettings'" } });
  });

  it('delivers every event payload exactly, as one string across the context bridge, until stopped', async () => {
    const core = createFakeCore();
    const { bridge, stop } = connect(core);
    const patches: unknown[] = [];
    const paused: unknown[] = [];
    const off = bridge.on('jobs:patch', (p) => patches.push(p));
    bridge.on('monitoring:paused', (p) => paused.push(p));
    const patch = { patches: [{ type: 'added' as const, job: sampleJob({ key: 'local:new', nativeId: 'new' }) }, { type: 'removed' as const, key: 'local:old' }] };
    core.emit('jobs:patch', patch);
    core.emit('monitoring:paused', null);
    expect(patches).toEqual([patch]);
    expect(paused).toEqual([null]);
    expect(crossed).toEqual([JSON.stringify(patch), 'null']);
    off();
    core.emit('jobs:patch', patch);
    expect(patches).toHaveLength(1);
    stop();
    core.emit('monitoring:paused', { until: null });
    expect(paused).toEqual([null]);
  });

  it('drops an event whose text cannot be read, says so, and goes on with the next', () => {
    const { bridge } = connect(createFakeCore());
    const seen: unknown[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    bridge.on('app:notice', (p) => seen.push(p));
    for (const l of rendererListeners.get('pqm-event:app:notice') ?? []) {
      l({}, '{"level":');
      l({}, '{"level":"info","message":"after"}');
    }
    expect(seen).toEqual([{ level: 'info', message: 'after' }]);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![0])).toBe('The app\'s "app:notice" event could not be read; it was dropped.');
    error.mockRestore();
  });
});
