import type { IpcTextBridge } from '../../preload/contract/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload (answers and events as text, read by transport/ipc.ts); absent in the browser preview. */
    printQueue?: IpcTextBridge;
  }
}

export {};
