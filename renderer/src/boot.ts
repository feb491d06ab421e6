/**
 * The first code the queue window runs: it connects to the app and asks for the settings and the
 * window's first rows before the rest of the window (Preact, the components, the schemas) is even
 * loaded, so that the app prepares its answers while the page is still starting. The whole queue is
 * asked for at the same time: the first rows are drawn first, and a queue of thousands of jobs
 * follows without holding them up (the transport reads it after the next frame), nor overtaking
 * them (the store puts first rows only while the window is still loading).
 */
import type { PrintQueueBridge, RequestOutput } from '../../preload/contract/contract';
import type { Result } from '../../preload/contract/model';
import { getBridge } from './transport';
import type { ConnectionStatus } from './transport/web';
import { requestSafely } from './state/call';
import { recordEvents, type EventRecorder } from './state/early-events';

/** Rows asked for ahead of the whole queue: more than any window shows at once. */
export const FIRST_ROWS = 100;

/**
 * The attribute that marks the page's #app element as holding the window's first frame, drawn by
 * the app into the page it served (main/desktop/first-frame.ts, renderer/src/first-frame.tsx).
 */
export const FIRST_FRAME_ATTRIBUTE = 'data-first-frame';

/**
 * The page's #app made the window's own: no longer marked as the app's frame, no longer inert or
 * busy. Called whatever the window then shows (its App, or why its code could not load).
 */
export function releaseFirstFrame(root: HTMLElement): void {
  for (const a of [FIRST_FRAME_ATTRIBUTE, 'inert', 'aria-busy']) root.removeAttribute(a);
}

/** Whether the page came with its first frame in it. */
export function pageHasFirstFrame(): boolean {
  return typeof document !== 'undefined' && document.getElementById('app')?.hasAttribute(FIRST_FRAME_ATTRIBUTE) === true;
}

export interface EarlyAnswers {
  settings: Promise<Result<RequestOutput<'getSettings'>>>;
  /** The first rows of the queue as the window shows it (getSnapshot `first`); not asked for when the page came with them. */
  head?: Promise<Result<RequestOutput<'getSnapshot'>>>;
  /** The page came with its first frame drawn by the app: the window keeps it until the whole queue is in (start.tsx). */
  firstFrame: boolean;
  snapshot: Promise<Result<RequestOutput<'getSnapshot'>>>;
  /** The app's events from before the first request on, for the store to take over (early-events.ts). */
  events: EventRecorder;
}

export function boot(bridge: PrintQueueBridge = getBridge(), firstFrame: boolean = pageHasFirstFrame()): { bridge: PrintQueueBridge; early: EarlyAnswers } {
  // Listening before anything is asked: an event that follows an answer is never missed.
  const events = recordEvents(bridge);
  const settings = requestSafely(bridge, 'getSettings', {});
  // Rows the page already shows are not asked for again; and as they are on screen, a long answer
  // (the whole queue) is read as soon as it comes (transport/reader.ts).
  const head = firstFrame ? undefined : requestSafely(bridge, 'getSnapshot', { first: FIRST_ROWS });
  if (firstFrame) (bridge as Partial<{ windowDrawn(): void }>).windowDrawn?.();
  // Asked for at once, so that the app prepares it while the window draws its first rows; the
  // transport reads a long answer only after the next frame (transport/reader.ts), so it
  // never holds up the first rows.
  const snapshot = requestSafely(bridge, 'getSnapshot', {});
  events.markAnswer(snapshot);
  return { bridge, early: { settings, head, snapshot, events, firstFrame } };
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
