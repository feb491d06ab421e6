/**
 * The contract over Electron IPC, read from the text the preload hands over (`window.printQueue`,
 * IpcTextBridge): each answer and each event payload arrives as one JSON string, a snapshot's jobs
 * as a table, and is read here into what the contract promises (preload/contract/wire.ts). Text
 * that cannot be read answers an error saying why; such an event is reported and dropped.
 */
import type { EventName, RequestName } from '../../../preload/contract/channels';
import type { Events, IpcTextBridge, PrintQueueBridge, RequestInput, RequestOutput } from '../../../preload/contract/contract';
import type { Result } from '../../../preload/contract/model';
import { readAnswer, readEvent } from '../../../preload/contract/wire';

export function createIpcBridge(text: IpcTextBridge): PrintQueueBridge {
  return {
    request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
      return text.request(name, input).then(
        (answer) => readAnswer(answer) as Result<RequestOutput<K>>,
        (err: unknown) => ({ ok: false, error: { code: 'internal', message: `The request "${name}" could not be sent: ${err instanceof Error ? err.message : String(err)}` } }),
      );
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      return text.on(event, (payload) => {
        let value: unknown;
        try {
          value = readEvent(payload);
        } catch (err) {
          console.error(`The app's "${event}" event could not be read; it was dropped.`, err);
          return;
        }
        listener(value as Events[E]);
      });
    },
  };
}
