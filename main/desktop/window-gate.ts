/**
 * What main pushes to the window on its own initiative (open a job, a notice) waits until the
 * window's page says it is listening (the `windowReady` request, sent once its listeners are
 * attached). A link that started the app, a notification clicked while the page loads, or one that
 * arrives while the page reloads is therefore delivered, in order, instead of being sent to a page
 * that has no listener yet. Everything else (patches, health) is pushed at once: the page asks for
 * the whole state when it starts.
 */
import type { Events } from '../../preload/contract/contract';

export type HeldEvent = 'app:navigate' | 'app:notice';
type Held = { [E in HeldEvent]: { event: E; payload: Events[E] } }[HeldEvent];

/** At most this many are held; the oldest give way (a page that never starts must not grow this). */
export const MAX_HELD = 50;

export interface WindowGate {
  /** Sends now when the page listens, else holds it. */
  emit<E extends HeldEvent>(event: E, payload: Events[E]): void;
  /** The page is listening: everything held is sent, in order. */
  open(): void;
  /** The page is (re)loading: hold again until it says it is ready. */
  close(): void;
  readonly isOpen: boolean;
}

export function createWindowGate(send: <E extends HeldEvent>(event: E, payload: Events[E]) => void): WindowGate {
  let open = false;
  const held: Held[] = [];
  return {
    emit(event, payload) {
      if (open) {
        send(event, payload);
        return;
      }
      held.push({ event, payload } as Held);
      if (held.length > MAX_HELD) held.shift();
    },
    open() {
      open = true;
      for (const h of held.splice(0)) send(h.event, h.payload);
    },
    close() {
      open = false;
    },
    get isOpen() {
      return open;
    },
  };
}
