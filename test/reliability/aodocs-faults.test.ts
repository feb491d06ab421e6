/**
 * Fault injection: the real queue engine polling the AODocs source against the simulator while
 * the service fails in every way it can. For each fault: no crash and no unhandled rejection, the
 * health state docs/interfaces.md assigns with a specific message, the last known jobs kept
 * (active ones marked stale), the request rate bounded by backoff, and recovery at the first poll
 * after the fault clears.
 */
import { describe, expect, it } from 'vitest';
import { type AodocsSourceConfig, type Job } from '../../preload/contract/model';
import { createQueueEngine } from '../../main/queue/engine';
import type { EngineEvent } from '../../main/queue/engine-types';
import { createAodocsSource } from '../../main/sources/aodocs/source';
import type { SourceDeps } from '../../main/sources/deps';
import { FakeClock } from '../helpers/fake-clock';
import { startAodocsSimulator, type AodocsSimulator } from '../simulators/aodocs/server';
import { capturingLogger, MemorySecrets, MemoryTracked } from '../sources/aodocs/helpers';
import { faultNetwork, recordPolls, runFor, watchProcessErrors } from './helpers';
import { FAULT_MS, NO_ANSWER_MS, POLLING, faultScenarioTests, networkScenarios, rigsClosedAfterEach, recoversFrom, type FaultRig, type FaultScenario, type FaultSuite } from './fault-scenarios';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const CODE = 'sc-faults-5d1e8b7a42';
const RENEWED = 'sc-renewed-93c0e4f1b7';
const ALICE = 'alice@example.com';
const TIMEOUT_MS = 800;
/** Polls a fault of FAULT_MS may cost with backoff from the 10 s active rate (no backoff: 60). */
const MAX_POLLS_DURING_FAULT = 8;

interface Rig extends FaultRig {
  sim: AodocsSimulator;
  logger: ReturnType<typeof capturingLogger>;
  secrets: MemorySecrets;
}

const rigs = rigsClosedAfterEach<Rig>();

async function rig(): Promise<Rig> {
  const watcher = watchProcessErrors();
  const clock = new FakeClock(T0);
  const sim = await startAodocsSimulator({
    credentials: [{ scheme: 'securityCode', value: CODE, user: ALICE }],
    libraries: [{ id: 'lib-a', admins: [ALICE] }],
    now: () => clock.now(),
  });
  sim.addJob({ jobId: 'run', libraryId: 'lib-a', requestor: ALICE, type: 'IMPORT', totalTasks: 100, succeededTasks: 10, plan: { tasksPerTick: 1 } });
  sim.addJob({ jobId: 'done', libraryId: 'lib-a', requestor: ALICE, type: 'EXPORT_FOLDER', status: 'COMPLETED', totalTasks: 5, succeededTasks: 5, startedAt: T0 - 3_600_000 });
  // A deadline generous enough for a loaded test machine, short enough to keep timeouts quick.
  const { dns, http } = faultNetwork(clock, TIMEOUT_MS, sim);
  const secrets = new MemorySecrets();
  await secrets.set('ao', 'SECURITY_CODE', CODE);
  const logger = capturingLogger();
  const deps: SourceDeps = { http, secrets, tracked: new MemoryTracked(), clock, logger };
  // A host name, so that DNS goes through the injected lookup (never a real one).
  const config: AodocsSourceConfig = { id: 'ao', kind: 'aodocs', name: 'AODocs', baseUrl: `http://aodocs.test:${new URL(sim.url).port}/api`, libraryIds: ['lib-a'], user: ALICE };
  const recorded = recordPolls(createAodocsSource(config, deps), clock);
  const engine = createQueueEngine({ sources: [recorded.source], polling: POLLING, clock, random: () => 0, logger });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const r: Rig = { sim, clock, http, dns, engine, polls: recorded.polls, events, logger, watcher, secrets };
  rigs.push(r);
  engine.start();
  await runFor(clock, http, 0);
  return r;
}

const health = (r: Rig) => r.engine.snapshot().sources.find((s) => s.id === 'ao')!;
const job = (r: Rig, id: string): Job | undefined => r.engine.getJob(`ao:${id}`);

/** A healthy start: both jobs listed, health ok. */
async function healthy(r: Rig): Promise<void> {
  expect(health(r).status).toBe('ok');
  expect(job(r, 'run')).toMatchObject({ state: 'processing', stale: false });
  expect(job(r, 'done')).toMatchObject({ state: 'completed' });
  // A few regular polls at the active rate.
  await runFor(r.clock, r.http, 30_000);
  expect(health(r).status).toBe('ok');
}

function noLeaks(r: Rig): void {
  expect(r.watcher.errors).toEqual([]);
  const text = JSON.stringify({ lines: r.logger.lines, health: health(r), urls: r.sim.requests.map((q) => q.url), events: r.events });
  expect(text).not.toContain(CODE);
  expect(text).not.toContain(RENEWED);
}

interface Scenario extends FaultScenario<Rig> {
  /** HTTP attempts one failed poll may make (the AODocs client retries 5xx three times). */
  perPoll: number;
}

const always = <T>(fault: T) => ({ fault, times: Infinity });

const SCENARIOS: Scenario[] = [
  ...networkScenarios<Rig>(/AODocs at aodocs\.test:\d+/, 'Check the network connection and the AODocs address in Settings.'),
  {
    name: 'timeout (no answer)',
    inject: (r) => r.sim.injectFault(always({ kind: 'slow', ms: NO_ANSWER_MS })),
    // Each timed-out poll costs real time: a shorter fault still shows the backoff.
    faultMs: 5 * 60_000,
    clear: (r) => r.sim.clearFaults(),
    status: 'down',
    message: /^AODocs at aodocs\.test:\d+ could not be reached \(no answer in time\)\./,
    perPoll: 1,
  },
  {
    name: 'slow drip',
    inject: (r) => r.sim.injectFault(always({ kind: 'drip', intervalMs: 40 })),
    faultMs: 5 * 60_000,
    clear: (r) => r.sim.clearFaults(),
    status: 'down',
    message: /^AODocs at aodocs\.test:\d+ could not be reached \(no answer in time\)\./,
    perPoll: 1,
  },
  ...([500, 502, 503] as const).map(
    (status): Scenario => ({
      name: `${status} without Retry-After`,
      inject: (r) => r.sim.injectFault(always({ kind: 'status', status, message: `Backend Error ${status}` })),
      clear: (r) => r.sim.clearFaults(),
      status: 'degraded',
      message: new RegExp(`^AODocs answered ${status} for library lib-a: "Backend Error ${status}"\\. It will be tried again\\.$`),
      perPoll: 4,
    }),
  ),
  ...([500, 502, 503] as const).map(
    (status): Scenario => ({
      name: `${status} with Retry-After`,
      inject: (r) => r.sim.injectFault(always({ kind: 'status', status, message: 'Backend Error', retryAfterSeconds: 120 })),
      clear: (r) => r.sim.clearFaults(),
      status: 'degraded',
      message: new RegExp(`^AODocs answered ${status} for library lib-a: "Backend Error"\\. It will be tried again\\.$`),
      perPoll: 1,
      retryAfterMs: 120_000,
    }),
  ),
  {
    name: '429 storm without Retry-After',
    inject: (r) => r.sim.injectFault(always({ kind: 'status', status: 429 })),
    clear: (r) => r.sim.clearFaults(),
    status: 'degraded',
    message: /^AODocs is throttling requests for library lib-a \("Rate limit exceeded"\); polling slows down\.$/,
    perPoll: 1,
  },
  {
    name: '429 storm with Retry-After',
    inject: (r) => r.sim.injectFault(always({ kind: 'status', status: 429, retryAfterSeconds: 45 })),
    clear: (r) => r.sim.clearFaults(),
    status: 'degraded',
    message: /^AODocs is throttling requests for library lib-a \("Rate limit exceeded"\); polling slows down\.$/,
    perPoll: 1,
    retryAfterMs: 45_000,
  },
  {
    name: 'security code expired (401)',
    inject: (r) => r.sim.expireCredential(CODE),
    clear: async (r) => {
      // A new code entered in Settings applies at the next poll, without a restart.
      r.sim.addCredential({ scheme: 'securityCode', value: RENEWED, user: ALICE });
      await r.secrets.set('ao', 'SECURITY_CODE', RENEWED);
    },
    status: 'auth-required',
    message: /^AODocs refused the security code \("The security code has expired"\): it has expired\. Enter a new security code for "AODocs" in Settings\.$/,
    perPoll: 1,
  },
  {
    name: 'malformed JSON',
    inject: (r) => r.sim.injectFault(always({ kind: 'malformed' })),
    clear: (r) => r.sim.clearFaults(),
    status: 'degraded',
    message: /^AODocs sent an answer the monitor cannot read for library lib-a: GET http:\/\/aodocs\.test:\d+\/api\/job\/v1\/libraries\/lib-a answered 200 with a body that is not JSON\.$/,
    perPoll: 1,
  },
  {
    name: 'valid JSON of the wrong shape',
    inject: (r) => r.sim.injectFault(always({ kind: 'wrong-shape' })),
    clear: (r) => r.sim.clearFaults(),
    status: 'degraded',
    message: /^AODocs sent an answer the monitor cannot read for library lib-a: .* answered 200 with an unexpected shape \(jobList: .+\)\.$/,
    perPoll: 1,
  },
  {
    name: 'a 10 MB answer',
    inject: (r) => r.sim.injectFault(always({ kind: 'huge', bytes: 10 * 1024 * 1024 })),
    clear: (r) => r.sim.clearFaults(),
    status: 'degraded',
    message: /^AODocs sent an answer the monitor cannot read for library lib-a: .* answered with more data than the limit allows\.$/,
    perPoll: 1,
  },
];

const suite: FaultSuite<Rig, Scenario> = {
  okMessage: /AODocs job.* in progress in 1 library/,
  kept: ['state', 'progress'],
  activeState: 'processing',
  active: (r) => job(r, 'run'),
  finished: (r) => job(r, 'done'),
  maxPolls: MAX_POLLS_DURING_FAULT,
  requestBudget: (sc, failedPolls) => failedPolls * sc.perPoll,
  maxHealthEvents: 2,
  rig,
  healthy,
  health,
  noLeaks,
};
const recovers = (r: Rig, clear: () => void | Promise<void>) => recoversFrom(r, suite, clear);

describe('AODocs under faults, through the queue engine', () => {
  faultScenarioTests(suite, SCENARIOS);

  it('unknown enum values: shown as given, polled at the idle rate, health ok', async () => {
    const r = await rig();
    await healthy(r);
    r.sim.injectFault(always({ kind: 'unknown-enum', status: 'ON_HOLD', type: 'QUANTUM_SYNC' }));
    const pollsBefore = r.polls.length;
    await runFor(r.clock, r.http, FAULT_MS);
    expect(health(r).status).toBe('ok');
    expect(job(r, 'run')).toMatchObject({ state: 'unknown', rawState: 'ON_HOLD', document: 'QUANTUM_SYNC', stale: false, stuck: false });
    expect(job(r, 'run')?.detail).toMatch(/"ON_HOLD", which this version of the monitor does not know/);
    // An unknown state is polled at the idle rate (120 s), never the active one.
    expect(r.polls.length - pollsBefore).toBeLessThanOrEqual(FAULT_MS / POLLING.aodocs.idleMs + 1);
    await recovers(r, () => r.sim.clearFaults());
    noLeaks(r);
  }, 30_000);

  for (const skew of [3 * 3_600_000, -2 * 86_400_000]) {
    it(`clock skew of ${skew / 3_600_000} h: timestamps as the service gives them, nothing stuck, swept or stale`, async () => {
      const r = await rig();
      await healthy(r);
      r.sim.setClockSkew(skew);
      r.sim.advance('run', { succeeded: 5 });
      await runFor(r.clock, r.http, 20_000);
      const j = job(r, 'run')!;
      expect(health(r).status).toBe('ok');
      expect(j.updatedAt).toBe(new Date(r.sim.getJob('run')!.lastActivityAt).toISOString());
      expect(j).toMatchObject({ state: 'processing', progress: 0.15, stale: false, stuck: false });
      // Progressing every few minutes: never stuck, whatever the service's clock says.
      for (let i = 0; i < 5; i++) {
        r.sim.advance('run', { succeeded: 1 });
        await runFor(r.clock, r.http, 3 * 60_000);
        expect(job(r, 'run')?.stuck).toBe(false);
      }
      r.sim.complete('run');
      await runFor(r.clock, r.http, 20_000);
      expect(job(r, 'run')).toMatchObject({ state: 'completed', progress: 1 });
      // Finished jobs stay in the live store for 24 h of this machine's time, not the service's.
      await runFor(r.clock, r.http, 60 * 60_000);
      expect(job(r, 'run')).toBeDefined();
      expect(job(r, 'done')).toBeDefined();
      noLeaks(r);
    }, 30_000);
  }
});
