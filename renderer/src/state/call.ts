/** One bridge request whose failure, even a thrown one, comes back as a Result. */
import type { RequestName } from '../../../preload/contract/channels';
import type { PrintQueueBridge, RequestInput, RequestOutput } from '../../../preload/contract/contract';
import type { Result } from '../../../preload/contract/model';

export function requestSafely<K extends RequestName>(bridge: PrintQueueBridge, name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
  let answer: Promise<Result<RequestOutput<K>>>;
  try {
    answer = bridge.request(name, input);
  } catch (err) {
    answer = Promise.reject(err);
  }
  return answer.catch((err: unknown) => ({
    ok: false as const,
    error: { code: 'internal' as const, message: err instanceof Error ? err.message : String(err) },
  }));
}

/** A bridge request as the window's state makes it. */
export type Call = <K extends RequestName>(name: K, input: RequestInput<K>) => Promise<Result<RequestOutput<K>>>;
