/**
 * A small AppCore stand-in for transport tests: real contract validation happens in dispatch(), the
 * handlers here only record what reached them.
 */
import { REQUEST_NAMES, type EventName } from '../../../preload/contract/channels';
import type { Events, Handlers } from '../../../preload/contract/contract';
import { AppFailure, type Job } from '../../../preload/contract/model';
import type { AppCore } from '../../../main/core/app-core-types';

export function sampleJob(over: Partial<Job> = {}): Job {
  return {
    key: 'local:tok-1',
    sourceId: 'local',
    sourceKind: 'scriptx',
    nativeId: 'tok-1',
    state: 'queued',
    rawState: '2 Queued',
    detail: null,
    document: 'Invoice 42',
    owner: 'me',
    printer: 'Office',
    mine: true,
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    lastSeenAt: '2026-01-05T09:00:00.000Z',
    progress: null,
    stale: false,
    stuck: false,
    gone: false,
    cancel: { allowed: true },
    extra: {},
    ...over,
  };
}

export interface FakeCore extends Pick<AppCore, 'handlers' | 'on' | 'emit'> {
  calls: { name: string; input: unknown }[];
  listenerCount(): number;
}

export function createFakeCore(overrides: Partial<Handlers> = {}): FakeCore {
  const calls: FakeCore['calls'] = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const base: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of REQUEST_NAMES) {
    base[name] = async (input) => {
      calls.push({ name, input });
      throw new AppFailure('unsupported', `${name} is not available in this test.`);
    };
  }
  base.getSnapshot = async (input) => {
    calls.push({ name: 'getSnapshot', input });
    return { jobs: [sampleJob()], sources: [], paused: null };
  };
  base.cancelJob = async (input) => {
    calls.push({ name: 'cancelJob', input });
    return sampleJob({ state: 'canceled', key: (input as { key: string }).key });
  };
  for (const [name, fn] of Object.entries(overrides)) {
    base[name] = async (input) => {
      calls.push({ name, input });
      return (fn as (i: unknown) => Promise<unknown>)(input);
    };
  }
  return {
    handlers: base as unknown as Handlers,
    calls,
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set!.delete(listener as (p: unknown) => void);
    },
    emit<E extends EventName>(event: E, payload: Events[E]) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
}
