/**
 * When the window reads what the app sent, for either transport (web.ts, ipc.ts): in the order it
 * came, except that a long text waits for a frame while the window has not drawn its first rows.
 *
 * A long text (LARGE_MESSAGE_CHARS: the whole queue, a megabyte at 10,000 jobs) takes tens of
 * milliseconds to read. Until the window has drawn its first rows (`drawn()`) it is read after the
 * next frame, so that it never holds up the frame the window is about to draw; afterwards as it
 * comes. What comes after a held text waits for it, except an answer while only answers wait:
 * answers to different requests have no order between them (the first rows never wait for the
 * whole queue), but an event must never be overtaken (an action's answer read before an older
 * patch would be undone by it, and the window marks where the whole queue's answer came among the
 * app's events: state/early-events.ts).
 */
export const LARGE_MESSAGE_CHARS = 100_000;

/** Runs `f` after the next frame is drawn, or at once (in a task) when the page draws no frames. */
export function afterNextFrame(f: () => void): void {
  if (typeof requestAnimationFrame !== 'function' || typeof document === 'undefined' || document.visibilityState !== 'visible') {
    setTimeout(f, 0);
    return;
  }
  // A frame that never comes (the window hidden meanwhile) does not hold the message for long.
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    f();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 100);
}

export interface Arrival {
  /** Its length decides whether it is long. */
  chars: number;
  /** An answer to a request (else an event, or anything else that keeps its place). */
  response: boolean;
  /** Reads and hands it on. */
  read: () => void;
}

export interface ArrivalReader {
  /** Something the app sent, as it arrives. */
  arrive(a: Arrival): void;
  /** The window drew its first rows: long texts no longer wait for a frame. */
  drawn(): void;
  /** Drops what waits (the connection it came on is gone). */
  drop(): void;
}

export function createArrivalReader(): ArrivalReader {
  let drawn = false;
  const held: Arrival[] = [];
  let waiting = false;
  /** Bumped by drop(): a release scheduled before it reads nothing. */
  let generation = 0;
  const isLong = (a: Arrival): boolean => a.chars >= LARGE_MESSAGE_CHARS;
  const readLong = (read: () => void): void => (drawn ? void setTimeout(read, 0) : afterNextFrame(read));
  const schedule = (): void => {
    waiting = true;
    const at = generation;
    const run = (): void => {
      if (at === generation) release();
    };
    if (isLong(held[0]!)) readLong(run);
    else setTimeout(run, 0);
  };
  // One held text a task, as they came: what an answer's reader does on its promise (microtasks)
  // is done before the next is read, as between two messages.
  const release = (): void => {
    waiting = false;
    const next = held.shift();
    if (!next) return;
    next.read();
    // Something that arrived while it was read may have scheduled the next release already.
    if (held.length > 0 && !waiting) schedule();
  };
  return {
    arrive(a) {
      if (held.length === 0 && (!isLong(a) || drawn)) return a.read();
      if (held.length > 0 && !isLong(a) && a.response && held.every((h) => h.response)) return a.read();
      held.push(a);
      if (!waiting) schedule();
    },
    drawn() {
      drawn = true;
    },
    drop() {
      generation++;
      held.length = 0;
      waiting = false;
    },
  };
}
