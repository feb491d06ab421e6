/**
 * Where the renderer's one bridge comes from: the Electron preload's `window.printQueue`, or, in
 * the browser preview, the WebSocket transport.
 */
import type { PrintQueueBridge } from '../../../preload/contract/contract';
import { createWebBridge } from './web';

export function getBridge(): PrintQueueBridge {
  const fromPreload = typeof window !== 'undefined' ? window.printQueue : undefined;
  return fromPreload ?? createWebBridge({ pipeline: true });
}
