/**
 * The one shape of every source's fault scenarios (test/reliability/*-faults.test.ts): a healthy
 * start, the fault for a while, then what must hold — the health state docs/interfaces.md
 * assigns with a specific message, the last known jobs kept (active ones marked stale), backoff
 * bounding the polls and the requests, one health event per change — and recovery at the first
 * poll after the fault clears, without leaks. Each suite says what those mean for its source.
 */
import { afterEach, expect, it } from 'vitest';
import { PollingSettings, type HealthStatus, type Job, type JobState, type SourceHealth } from '../../preload/contract/model';
import type { EngineEvent, QueueEngine } from '../../main/queue/engine-types';
import type { FakeClock } from '../helpers/fake-clock';
import { runFor, type CountingHttpClient, type PollRecord, type switchableLookup, type watchProcessErrors } from './helpers';

/** How long a fault lasts unless the scenario says otherwise (fake time). */
export const FAULT_MS = 10 * 60_000;
/**
 * How long (real time) a simulator holds an answer back for 'timeout (no answer)': longer than any
 * run, so only the client's deadline, on fake time, ends the request.
 */
export const NO_ANSWER_MS = 10 * 60_000;
/** The polling settings every suite's engine runs with: the defaults. */
export const POLLING = PollingSettings.parse({});

/** What every suite's rig has: the simulator, the engine, its clock, HTTP and DNS, and what they recorded. */
export interface FaultRig {
  sim: { close(): Promise<void> };
  engine: QueueEngine;
  clock: FakeClock;
  http: CountingHttpClient;
  dns: ReturnType<typeof switchableLookup>;
  polls: PollRecord[];
  events: EngineEvent[];
  watcher: ReturnType<typeof watchProcessErrors>;
}

/** The list a suite's rig() adds each rig to: after each test they are stopped and closed. */
export function rigsClosedAfterEach<R extends FaultRig>(): R[] {
  const rigs: R[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) {
      await r.engine.stop();
      r.watcher.stop();
      await r.sim.close();
    }
  });
  return rigs;
}

export interface FaultScenario<R> {
  name: string;
  inject(r: R): void | Promise<void>;
  clear(r: R): void | Promise<void>;
  status: Exclude<HealthStatus, 'ok' | 'disabled'>;
  message: RegExp;
  /** How long the fault lasts (fake time); default the suite's faultMs. */
  faultMs?: number;
  /** Retry-After the service sends: polls are at least this far apart. */
  retryAfterMs?: number;
  /**
   * Only part of the service fails and the poll itself succeeds, degraded: active jobs are not
   * marked stale and polls are not backed off, so neither is checked.
   */
  pollsSucceed?: true;
}

export interface FaultSuite<R extends FaultRig, S extends FaultScenario<R>> {
  rig(): Promise<R>;
  /** Runs a while from the rig's start and checks that all is well. */
  healthy(r: R): Promise<void>;
  health(r: R): SourceHealth;
  /** The job in progress and the finished one the rig starts with. */
  active(r: R): Job | undefined;
  finished(r: R): Job | undefined;
  /** The active job's state while all is well. */
  activeState: JobState;
  /** Fields of the active job a fault leaves as they were: its last known values. */
  kept: readonly (keyof Job)[];
  /** The health message once all is well again. */
  okMessage: RegExp;
  noLeaks(r: R): void;
  /** Polls a fault may cost, with backoff. */
  maxPolls: number;
  /** HTTP requests the failed polls of a scenario may make. */
  requestBudget(sc: S, failedPolls: number): number;
  /** Health events a fault may cause: one per change, not one per failed poll. */
  maxHealthEvents: number;
}

/** What a simulator offers for the network faults every service can suffer. */
export interface NetworkFaultSim {
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  dropConnections(): void;
}

/**
 * The network faults, for a suite whose source words them as `<prefix> could not be reached (<why>)`
 * (`prefix` a pattern):
 * refused connections and DNS failures (the kept-alive connection closed by the service, so the
 * name is resolved again). Timeouts depend on how each simulator is slowed down, so suites add them.
 */
export function networkScenarios<R extends FaultRig & { sim: NetworkFaultSim }>(prefix: RegExp, refusedTail: string): (FaultScenario<R> & { perPoll: number })[] {
  const p = prefix.source;
  const tail = refusedTail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    { name: 'connection refused', inject: (r) => r.sim.goOffline(), clear: (r) => r.sim.goOnline(), status: 'down', message: new RegExp(`^${p} could not be reached \\(connection refused\\)\\. ${tail}$`), perPoll: 1 },
    {
      name: 'DNS failure',
      inject: (r) => {
        r.dns.fail('ENOTFOUND');
        r.sim.dropConnections();
      },
      clear: (r) => r.dns.heal(),
      status: 'down',
      message: new RegExp(`^${p} could not be reached \\(host name not found \\(DNS\\)\\)\\.`),
      perPoll: 1,
    },
  ];
}

/** One test per scenario. */
export function faultScenarioTests<R extends FaultRig, S extends FaultScenario<R>>(suite: FaultSuite<R, S>, scenarios: readonly S[]): void {
  for (const sc of scenarios) {
    it(sc.name, async () => {
      const r = await suite.rig();
      await suite.healthy(r);
      const lastGood = suite.active(r)!;

      await sc.inject(r);
      const requestsBefore = r.http.total;
      const pollsBefore = r.polls.length;
      const eventsBefore = r.events.length;
      await runFor(r.clock, r.http, sc.faultMs ?? FAULT_MS);

      // The health docs/interfaces.md assigns, with a specific message.
      const h = suite.health(r);
      expect(h.status).toBe(sc.status);
      expect(h.message).toMatch(sc.message);
      expect(h.lastSuccessAt).not.toBeNull();
      // Last known jobs kept: the active one with its last values (marked stale when the polls
      // fail), the finished one as it was.
      const last = Object.fromEntries(suite.kept.map((f) => [f, lastGood[f]]));
      expect(suite.active(r)).toMatchObject({ ...last, ...(sc.pollsSucceed ? {} : { stale: true }), gone: false });
      expect(suite.finished(r)).toMatchObject({ state: 'completed', gone: false });
      if (!sc.pollsSucceed) {
        expect(h.lastErrorAt).not.toBeNull();
        // Bounded: backoff, not a storm.
        const faultPolls = r.polls.slice(pollsBefore);
        expect(faultPolls.length).toBeGreaterThanOrEqual(2);
        expect(faultPolls.length).toBeLessThanOrEqual(suite.maxPolls);
        expect(faultPolls.every((p) => p.ok === false)).toBe(true);
        expect(r.http.total - requestsBefore).toBeLessThanOrEqual(suite.requestBudget(sc, faultPolls.length));
        const gaps = faultPolls.slice(1).map((p, i) => p.startedAt - faultPolls[i]!.startedAt);
        for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(Math.min(gaps[i - 1]!, POLLING.maxBackoffMs));
        if (sc.retryAfterMs !== undefined) for (const g of gaps) expect(g).toBeGreaterThanOrEqual(sc.retryAfterMs);
        expect(r.events.slice(eventsBefore).filter((e) => e.type === 'health').length).toBeLessThanOrEqual(suite.maxHealthEvents);
        if (sc.name === 'DNS failure') expect(r.dns.calls.length).toBeGreaterThanOrEqual(faultPolls.length);
      }
      await recoversFrom(r, suite, () => sc.clear(r));
      suite.noLeaks(r);
    }, 30_000);
  }
}

/** Clears the fault and runs until the first poll after it has ended: that poll must succeed, and the source be healthy again. */
export async function recoversFrom<R extends FaultRig>(
  r: R,
  suite: Pick<FaultSuite<R, never>, 'health' | 'okMessage' | 'active' | 'activeState'>,
  clear: () => void | Promise<void>,
): Promise<void> {
  await clear();
  const clearedAt = r.clock.now();
  const before = r.polls.length;
  await runFor(r.clock, r.http, POLLING.maxBackoffMs + 1_000, () => r.polls.length > before && r.polls[before]!.endedAt !== null);
  const first = r.polls[before];
  expect(first, 'a poll after the fault cleared').toBeDefined();
  expect(first!.startedAt).toBeGreaterThanOrEqual(clearedAt);
  expect(first!.ok, `first poll after the fault: ${String(first!.error)}`).toBe(true);
  expect(suite.health(r).status).toBe('ok');
  expect(suite.health(r).message).toMatch(suite.okMessage);
  expect(suite.active(r)).toMatchObject({ state: suite.activeState, stale: false });
}
