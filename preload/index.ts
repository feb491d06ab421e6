/**
 * The sandboxed preload: exposes exactly the contract as `window.printQueue` and nothing else.
 * Never ipcRenderer itself, never the IPC event object (its `sender` would be ipcRenderer).
 * Bundled as CommonJS; imports nothing at runtime but the channel names and the regional-format
 * switch (no zod here: main validates every payload). Beside request and on, it passes on the
 * system's regional format that main put in its argv (formatLocale, docs/interfaces.md).
 *
 * Answers and event payloads pass through as the JSON text main sends (IpcTextBridge): the
 * context bridge copies an object value by value into the page, a string whole. The window reads
 * the text (renderer/src/transport/ipc.ts); this file never parses it.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, REQUEST_NAMES, eventChannel, requestChannel, type EventName, type RequestName } from './contract/channels';
import type { IpcTextBridge } from './contract/contract';
import { formatLocaleFromArgv } from './contract/format-locale';

type Ipc = Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>;

const isRequest = (name: unknown): name is RequestName => typeof name === 'string' && (REQUEST_NAMES as readonly string[]).includes(name);
const isEvent = (name: unknown): name is EventName => typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);

/** An error answer, as text like every answer. */
const failure = (code: 'invalid-input' | 'internal', message: string, field?: string): string => JSON.stringify({ ok: false, error: field ? { code, message, field } : { code, message } });

/** `argv`: the renderer's process.argv, where main's additional arguments arrive (format-locale.ts). */
export function createBridge(ipc: Ipc, argv: readonly unknown[] = []): IpcTextBridge {
  const formatLocale = formatLocaleFromArgv(argv);
  const bridge = {
    ...(formatLocale ? { formatLocale } : {}),
    async request(name: unknown, input: unknown): Promise<string> {
      if (!isRequest(name)) return failure('invalid-input', `Unknown request "${String(name).slice(0, 64)}".`, 'request');
      try {
        return (await ipc.invoke(requestChannel(name), input)) as string;
      } catch (err) {
        // Only when main has no handler (starting up or shutting down) or the payload cannot be cloned.
        const message = err instanceof Error ? err.message : String(err);
        return failure('internal', `The request "${name}" could not be sent: ${message}`);
      }
    },
    on(event: unknown, listener: unknown) {
      if (!isEvent(event)) throw new Error(`Unknown event "${String(event).slice(0, 64)}".`);
      if (typeof listener !== 'function') throw new Error('The listener must be a function.');
      const channel = eventChannel(event);
      const wrapped = (_e: IpcRendererEvent, text: unknown) => (listener as (t: unknown) => void)(text);
      ipc.on(channel, wrapped);
      return () => {
        ipc.removeListener(channel, wrapped);
      };
    },
  };
  return Object.freeze(bridge) as unknown as IpcTextBridge;
}

contextBridge.exposeInMainWorld('printQueue', createBridge(ipcRenderer, process.argv));
