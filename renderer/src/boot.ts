/**
 * The first code the queue window runs: it connects to the app and asks for the settings and the
 * snapshot before the rest of the window (Preact, the components, the schemas) is even loaded, so
 * that the app prepares its answer while the page is still starting. Settings are asked first: the
 * view choices then arrive before the jobs, and the queue is sorted only once.
 */
import type { PrintQueueBridge, RequestOutput } from '../../preload/contract';
import type { Result } from '../../preload/model';
import { getBridge } from './transport';
import type { ConnectionStatus } from './transport/web';
import { requestSafely } from './state/call';

export interface EarlyAnswers {
  settings: Promise<Result<RequestOutput<'getSettings'>>>;
  snapshot: Promise<Result<RequestOutput<'getSnapshot'>>>;
}

export function boot(bridge: PrintQueueBridge = getBridge()): { bridge: PrintQueueBridge; early: EarlyAnswers } {
  const settings = requestSafely(bridge, 'getSettings', {});
  const snapshot = requestSafely(bridge, 'getSnapshot', {});
  return { bridge, early: { settings, snapshot } };
}

/** Resolves when the web bridge's first connection attempt is decided, or after `ms`; at once for other bridges. */
export function connectionSettled(bridge: unknown, ms: number): Promise<void> {
  const web = bridge as Partial<{ connection(): ConnectionStatus; onConnection(l: (s: ConnectionStatus) => void): () => void }>;
  if (typeof web.connection !== 'function' || typeof web.onConnection !== 'function' || web.connection().state !== 'connecting') return Promise.resolve();
  const onConnection = web.onConnection.bind(web);
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    const off = onConnection((s) => {
      if (s.state !== 'connecting') done();
    });
    function done(): void {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}
