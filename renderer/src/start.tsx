/** The queue window proper: one store on the bridge that boot opened, and one App. */
import { render } from 'preact';
import { effect } from '@preact/signals';
import type { PrintQueueBridge } from '../../preload/contract/contract';
import { App } from './App';
import { createStore } from './state/store';
import type { ConnectionStatus } from './transport/web';
import { afterNextFrame } from './transport/reader';
import { FIRST_ROWS, releaseFirstFrame, type EarlyAnswers } from './boot';
import { loadPanels } from './components/lazy';

/** How long the window waits for its first rows before it draws itself without them. */
export const FIRST_FRAME_WAIT_MS = 150;

/**
 * How long a page that came with its first frame keeps it (its controls not working yet) while the
 * whole queue is slow to come: the window then asks for its first rows and draws itself with them.
 */
export const FIRST_FRAME_HOLD_MS = 1000;

/**
 * How long after that the window waits for the first rows it asked for before it draws itself
 * without them (saying it is loading, its controls working): only for an answer that does not come.
 */
export const FIRST_ROWS_GIVE_UP_MS = 5000;

export function startWindow(root: HTMLElement, bridge: PrintQueueBridge, early: EarlyAnswers): void {
  const store = createStore(bridge);

  // The browser preview reconnects by itself; after a reconnect the snapshot may be out of date.
  const web = bridge as Partial<{ onConnection(l: (s: ConnectionStatus) => void): () => void; connection(): ConnectionStatus; windowDrawn(): void }>;
  if (typeof web.onConnection === 'function') {
    // boot started the connection before this code loaded: it may already be open, or refused.
    const now = typeof web.connection === 'function' ? web.connection() : null;
    let wasOpen = now?.state === 'open';
    // From the moment the connection is lost nothing on screen is updated: the queue says so (with
    // the time) until the reload after the reconnect has put in the rows as they are now.
    const follow = (s: ConnectionStatus) => {
      store.connection.value = s.state === 'open' ? null : s.message;
      if (s.state !== 'open' && s.state !== 'connecting') store.connectionLost();
    };
    if (now && now.state !== 'open') follow(now);
    web.onConnection((s) => {
      follow(s);
      if (s.state === 'open') {
        if (wasOpen || store.notLiveSince.value !== null) void store.loadSnapshot();
        wasOpen = true;
      }
    });
  }

  // Polling slows down while the window is hidden.
  const reportVisibility = () => void store.setWindowVisible({ visible: document.visibilityState === 'visible' });
  document.addEventListener('visibilitychange', reportVisibility);
  window.addEventListener('beforeunload', () => void store.flushUi());

  const started = store.start(early);
  // One first frame with the rows in it, rather than an empty window and the rows a frame later:
  // the window is drawn once the first rows (or the whole queue, or an error) are in, or when the
  // connection has something to say, and after FIRST_FRAME_WAIT_MS whatever happened.
  let drawn = false;
  let stop: (() => void) | null = null;
  const draw = (): void => {
    if (drawn) return;
    drawn = true;
    clearTimeout(timer);
    clearTimeout(hold);
    clearTimeout(giveUp);
    stop?.();
    try {
      render(<App store={store} />, root);
    } finally {
      // The frame the app drew is the window's now: live, and no longer busy.
      releaseFirstFrame(root);
    }
    // Once this frame is on screen, a long message (the whole queue) is read as it comes.
    const windowDrawn = web.windowDrawn;
    if (typeof windowDrawn === 'function') afterNextFrame(() => windowDrawn.call(bridge));
  };
  // A page that came with its first frame (drawn by the app: boot.ts) shows its rows already: the
  // window draws over them, in place, once the whole queue is in, and never a frame with fewer; or,
  // when the whole queue is slow to come, with its first rows, asked for after FIRST_FRAME_HOLD_MS.
  const timer = early.firstFrame ? undefined : setTimeout(draw, FIRST_FRAME_WAIT_MS);
  // Drawn once they are in, or when they cannot be read, and FIRST_ROWS_GIVE_UP_MS later whatever
  // happened (then saying it is loading, its controls working).
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  const hold = early.firstFrame
    ? setTimeout(() => {
        void store.loadFirstRows(FIRST_ROWS).finally(draw);
        giveUp = setTimeout(draw, FIRST_ROWS_GIVE_UP_MS);
      }, FIRST_FRAME_HOLD_MS)
    : undefined;
  stop = effect(() => {
    if (store.status.value !== 'loading' || store.connection.value !== null) draw();
  });
  if (drawn) stop();

  // The panels and dialogs load once the whole queue is in and the window has nothing else to do:
  // their code (with the schemas the forms validate with) is tens of milliseconds of the window's
  // only thread, which the queue's first frames and the user's first keystroke or click should not
  // wait behind. A panel opened before loads them at once. A failure here is not reported: opening
  // a panel tries again and says why it cannot.
  void started.then(() => whenIdle(() => void loadPanels().catch(() => undefined)));
}

/** The longest the panels' loading waits for an idle moment. */
const PANELS_IDLE_WAIT_MS = 2000;

/** Runs `f` in the window's next idle moment (after the next frame where idle time is unknown). */
function whenIdle(f: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => f(), { timeout: PANELS_IDLE_WAIT_MS });
  else afterNextFrame(f);
}
