/**
 * The contract over Electron IPC, read from the text the preload hands over (`window.printQueue`,
 * IpcTextBridge): each answer and each event payload arrives as one JSON string, a snapshot's jobs
 * as a table, and is read here into what the contract promises (preload/contract/wire.ts). Text
 * that cannot be read answers an error saying why; such an event is reported and dropped.
 *
 * As over the web transport, what arrives is read in order, a long text (the whole queue) after a
 * frame until the window has drawn its first rows (reader.ts).
 */
import type { EventName, RequestName } from '../../../preload/contract/channels';
import type { Events, IpcTextBridge, PrintQueueBridge, RequestInput, RequestOutput } from '../../../preload/contract/contract';
import type { Result } from '../../../preload/contract/model';
import { readAnswer, readEvent } from '../../../preload/contract/wire';
import { createArrivalReader } from './reader';

export interface IpcBridge extends PrintQueueBridge {
  /** The window has drawn its first frame with content: a long text is then read as it comes. */
  windowDrawn(): void;
}

export function createIpcBridge(text: IpcTextBridge): IpcBridge {
  const reader = createArrivalReader();
  return {
    request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
      return new Promise((resolve) => {
        text.request(name, input).then(
          (answer) => {
            const chars = typeof answer === 'string' ? answer.length : 0;
            reader.arrive({ chars, response: true, read: () => resolve(readAnswer(answer) as Result<RequestOutput<K>>) });
          },
          (err: unknown) => resolve({ ok: false, error: { code: 'internal', message: `The request "${name}" could not be sent: ${err instanceof Error ? err.message : String(err)}` } }),
        );
      });
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      return text.on(event, (payload) => {
        reader.arrive({
          chars: typeof payload === 'string' ? payload.length : 0,
          response: false,
          read: () => {
            let value: unknown;
            try {
              value = readEvent(payload);
            } catch (err) {
              console.error(`The app's "${event}" event could not be read; it was dropped.`, err);
              return;
            }
            listener(value as Events[E]);
          },
        });
      });
    },
    windowDrawn() {
      reader.drawn();
    },
  };
}
