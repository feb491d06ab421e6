/**
 * Imported first by main.tsx, so that this module runs before the rest of the window's code is
 * even loaded: the socket opens and the first requests are sent while Preact, the components and the
 * schemas are still to be set up.
 *
 * Over the web transport the requests can only leave once the socket is open, and the socket can
 * only report that between two tasks; so this module waits (briefly, at most FIRST_SEND_WAIT_MS)
 * for the connection to settle before the rest is evaluated. The app then prepares its answer while
 * the window's code loads and the shell renders.
 */
import { boot, connectionSettled } from './boot';
import { prepareFormatters, useFormatLocale } from './i18n/format';

const FIRST_SEND_WAIT_MS = 100;

export const started = boot();

// On the desktop, dates, times and numbers follow the system's regional format, which main hands
// over with the bridge; in a browser, the browser's locale.
useFormatLocale(typeof window !== 'undefined' ? window.printQueue?.formatLocale : undefined);
// The locale data the rows' times and numbers need takes tens of milliseconds to load. Without a
// first frame in the page it is loaded now, while the socket opens (the main thread has nothing
// else to do until then), rather than while the first rows' answer waits to be read. A page that
// shows its first rows already needs it only for the whole queue: the requests leave first, and it
// is loaded while the app prepares their answers.
if (!started.early.firstFrame) prepareFormatters();

/**
 * The rest of the window (Preact, the components, the store) is a separate chunk: its download and
 * compilation start now, while the socket opens, instead of delaying the socket until they are done.
 */
export const windowCode = import('./start');

await connectionSettled(started.bridge, FIRST_SEND_WAIT_MS);
if (started.early.firstFrame) prepareFormatters();
