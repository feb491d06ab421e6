/**
 * Where the renderer's one bridge comes from: the Electron preload's `window.printQueue` (its
 * answers and events as text, read by ipc.ts), or, in the browser preview, the WebSocket transport.
 */
import type { PrintQueueBridge } from '../../../preload/contract/contract';
import { createIpcBridge } from './ipc';
import { createWebBridge, takeEarlySocket, webSocketUrl } from './web';

export function getBridge(): PrintQueueBridge {
  const fromPreload = typeof window !== 'undefined' ? window.printQueue : undefined;
  if (fromPreload) return createIpcBridge(fromPreload);
  const url = webSocketUrl();
  return createWebBridge({ url, pipeline: true, early: takeEarlySocket(url) });
}
