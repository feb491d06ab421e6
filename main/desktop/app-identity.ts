/** The app's identity, shared by the main process wiring, the protocol handler and packaging. */
export const APP_ID = 'com.printqueuemonitor.app';
export const PRODUCT_NAME = 'Print Queue Monitor';
export const PROTOCOL = 'print-queue-monitor';
/** Passed at login when the user chose "start minimized": the window stays in the tray. */
export const HIDDEN_FLAG = '--hidden';
/** The window's own origin (a privileged custom scheme, main/desktop/app-protocol.ts) and its page. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'window';
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;
