/**
 * The core's events (the contract's `Events`): listeners by name, each called in turn; one that
 * throws is reported and the others still hear the event.
 */
import type { EventName } from '../../preload/contract/channels';
import type { Events } from '../../preload/contract/contract';

type Listener<E extends EventName> = (payload: Events[E]) => void;

export interface CoreEvents {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
}

export function createCoreEvents(onListenerError: (event: EventName, err: unknown) => void): CoreEvents {
  const listeners = new Map<EventName, Set<Listener<EventName>>>();
  return {
    emit(event, payload) {
      const set = listeners.get(event);
      if (!set) return;
      for (const l of [...set]) {
        try {
          (l as Listener<typeof event>)(payload);
        } catch (err) {
          onListenerError(event, err);
        }
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener<EventName>);
      return () => set.delete(listener as Listener<EventName>);
    },
  };
}
