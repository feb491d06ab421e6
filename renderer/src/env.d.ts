import type { PrintQueueBridge } from '../../preload/contract/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in the browser preview. */
    printQueue?: PrintQueueBridge;
  }
}

export {};
