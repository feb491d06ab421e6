/**
 * The app's events that reach the window before its store has put the queue in.
 *
 * The window asks for the queue as it starts (boot.ts), and its store puts the answer in only
 * later, once the settings are in. An event the app sends meanwhile would be lost (nothing listens
 * yet) or undone (applied to rows that the queue's answer then replaces), and the window would show
 * a job or a source's health that the app has long changed, until the next event about it. So the
 * events are recorded from before the first request is sent, with a mark where the queue's answer
 * arrived among them, and handed over once that answer is put: the events the answer already
 * holds the outcome of (patches, health, pause) count only when they came after it, and are then
 * applied on top of it in the order they came; every other event is delivered as it came.
 */
import { EVENT_NAMES, type EventName } from '../../../preload/contract/channels';
import type { Events, PrintQueueBridge } from '../../../preload/contract/contract';
import type { Result } from '../../../preload/contract/model';

/** The events whose outcome a snapshot answer holds. */
const IN_SNAPSHOT: ReadonlySet<EventName> = new Set<EventName>(['jobs:patch', 'source:health', 'monitoring:paused']);

export type EventHandlers = { [E in EventName]?: (payload: Events[E]) => void };

type Entry = { name: EventName; payload: unknown } | { answered: true };

export interface EventRecorder {
  /**
   * Marks, among the recorded events, where the queue's answer arrived: made with the request,
   * before the answer can arrive. An answer resolves while the bridge reads its message, before the
   * bridge reads the next one, so the mark falls between the events before and after it.
   */
  markAnswer(answer: Promise<Result<unknown>>): void;
  /** Stops recording, subscribes `handlers` and delivers what was recorded to them; returns the unsubscribers. */
  handOver(handlers: EventHandlers): (() => void)[];
}

export function recordEvents(bridge: PrintQueueBridge): EventRecorder {
  const log: Entry[] = [];
  let recording = true;
  const offs = EVENT_NAMES.map((name) => bridge.on(name, (payload) => void log.push({ name, payload })));
  return {
    markAnswer(answer) {
      // A failed answer put nothing in: every event counts then.
      void answer.then((r) => {
        if (recording && r.ok) log.push({ answered: true });
      });
    },
    handOver(handlers) {
      recording = false;
      for (const off of offs.splice(0)) off();
      // Subscribed and delivered in one go: no event can come between the two (each arrives in a task of its own).
      const live = EVENT_NAMES.flatMap((name) => {
        const h = handlers[name] as ((p: unknown) => void) | undefined;
        return h ? [bridge.on(name, h as never)] : [];
      });
      const answered = log.findLastIndex((e) => 'answered' in e);
      log.forEach((e, i) => {
        if ('answered' in e || (i < answered && IN_SNAPSHOT.has(e.name))) return;
        const h = handlers[e.name] as ((p: unknown) => void) | undefined;
        if (!h) return;
        try {
          h(e.payload);
        } catch (err) {
          console.error(`A listener of "${e.name}" failed.`, err);
        }
      });
      log.length = 0;
      return live;
    },
  };
}
