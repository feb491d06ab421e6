/**
 * The sandboxed preload: exposes exactly the contract as `window.printQueue` and nothing else.
 * Never ipcRenderer itself, never the IPC event object (its `sender` would be ipcRenderer).
 * Bundled as CommonJS; imports nothing at runtime but the channel names (no zod here: main
 * validates every payload).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, REQUEST_NAMES, eventChannel, requestChannel, type EventName, type RequestName } from './contract/channels';
import type { PrintQueueBridge } from './contract/contract';

type Ipc = Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>;

const isRequest = (name: unknown): name is RequestName => typeof name === 'string' && (REQUEST_NAMES as readonly string[]).includes(name);
const isEvent = (name: unknown): name is EventName => typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);

export function createBridge(ipc: Ipc): PrintQueueBridge {
  const bridge = {
    async request(name: unknown, input: unknown) {
      if (!isRequest(name)) {
        return { ok: false, error: { code: 'invalid-input', message: `Unknown request "${String(name).slice(0, 64)}".`, field: 'request' } };
      }
      try {
        return await ipc.invoke(requestChannel(name), input);
      } catch (err) {
        // Only when main has no handler (starting up or shutting down) or the payload cannot be cloned.
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, error: { code: 'internal', message: `The request "${name}" could not be sent: ${message}` } };
      }
    },
    on(event: unknown, listener: unknown) {
      if (!isEvent(event)) throw new Error(`Unknown event "${String(event).slice(0, 64)}".`);
      if (typeof listener !== 'function') throw new Error('The listener must be a function.');
      const channel = eventChannel(event);
      const wrapped = (_e: IpcRendererEvent, payload: unknown) => (listener as (p: unknown) => void)(payload);
      ipc.on(channel, wrapped);
      return () => {
        ipc.removeListener(channel, wrapped);
      };
    },
  };
  return Object.freeze(bridge) as unknown as PrintQueueBridge;
}

contextBridge.exposeInMainWorld('printQueue', createBridge(ipcRenderer));
