/**
 * Fault injection: the real queue engine polling the ScriptX.Services source (an On-Premise server
 * at a configured host name) against the simulator while the service fails in every way it can.
 * For each fault: no crash and no unhandled rejection, the health state docs/interfaces.md
 * assigns with a specific message, the last known jobs kept (active ones marked stale), the
 * request rate bounded by backoff, and recovery at the first poll after the fault clears.
 */
import { describe, expect, it } from 'vitest';
import { type Job, type ScriptxSourceConfig } from '../../preload/contract/model';
import { createQueueEngine } from '../../main/queue/engine';
import type { EngineEvent } from '../../main/queue/engine-types';
import { createScriptxSource } from '../../main/sources/scriptx/source';
import type { SourceDeps } from '../../main/sources/deps';
import { FakeClock } from '../helpers/fake-clock';
import { createMemorySecretStore, createMemoryTrackedStore } from '../helpers/memory-stores';
import { startScriptxSimulator, type ScriptxSimulator, type SimFault } from '../simulators/scriptx/server';
import { capturingLogger } from '../sources/aodocs/helpers';
import { faultNetwork, recordPolls, runFor, watchProcessErrors } from './helpers';
import { POLLING, faultScenarioTests, rigsClosedAfterEach, type FaultRig, type FaultScenario, type FaultSuite, NO_ANSWER_MS } from './fault-scenarios';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const LICENSE = '{5091E665-8916-4D21-996E-00A2DE5DE416}';
const TIMEOUT_MS = 300;
/**
 * Polls a fault of FAULT_MS may cost (without backoff: 1,200 at the 500 ms active rate). A fault of
 * the status calls alone leaves the source degraded but answering until the next full poll (at
 * most the 10 s idle interval: 20 polls); from the first failed poll on, backoff of 1, 2, 4 ... 256
 * s, then 300 s: 10 more.
 */
const MAX_POLLS_DURING_FAULT = POLLING.scriptx.idleMs / POLLING.scriptx.activeMs + 12;
/** Requests one failed poll may make: the license read of a full poll, and the status of each job. */
const PER_POLL = 3;
const HOST = /scriptx\.test:\d+/.source;

interface Rig extends FaultRig {
  sim: ScriptxSimulator;
  logger: ReturnType<typeof capturingLogger>;
  /** The service's clock runs this far from the monitor's. */
  skew: { ms: number };
  run: string;
  done: string;
}

const rigs = rigsClosedAfterEach<Rig>();

async function rig(): Promise<Rig> {
  const watcher = watchProcessErrors();
  const clock = new FakeClock(T0);
  const skew = { ms: 0 };
  const sim = await startScriptxSimulator({ license: LICENSE, serviceClass: 2, now: () => clock.now() + skew.ms });
  // Printing for a long time, and one already finished.
  const run = sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: 1_000 }, { status: 6, afterMs: 24 * 3_600_000 }] });
  const done = sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 6, afterMs: 1 }] });
  const { dns, http } = faultNetwork(clock, TIMEOUT_MS, sim);
  const secrets = createMemorySecretStore({ 'local.LICENSE': LICENSE });
  const logger = capturingLogger();
  const deps: SourceDeps = { http, secrets, tracked: createMemoryTrackedStore(), clock, logger };
  // A host name, so that DNS goes through the injected lookup (never a real one).
  const config: ScriptxSourceConfig = { id: 'local', kind: 'scriptx', name: 'ScriptX', baseUrl: `http://scriptx.test:${sim.port}` };
  const recorded = recordPolls(createScriptxSource(config, deps, { client: { timeoutMs: TIMEOUT_MS } }), clock);
  const engine = createQueueEngine({ sources: [recorded.source], polling: POLLING, clock, random: () => 0, logger });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const r: Rig = { sim, clock, http, dns, engine, polls: recorded.polls, events, logger, watcher, skew, run, done };
  rigs.push(r);
  engine.start();
  await runFor(clock, http, 0);
  await runFor(clock, http, 2_000);
  await engine.track('local', run);
  await engine.track('local', done);
  await runFor(clock, http, 0);
  return r;
}

const health = (r: Rig) => r.engine.snapshot().sources.find((s) => s.id === 'local')!;
const job = (r: Rig, id: string): Job | undefined => r.engine.getJob(`local:${id}`);

/** A healthy start: both jobs known, health ok. */
async function healthy(r: Rig): Promise<void> {
  await runFor(r.clock, r.http, 15_000);
  expect(health(r).status).toBe('ok');
  expect(job(r, r.run)).toMatchObject({ state: 'printing', rawState: '5 Printing', stale: false });
  expect(job(r, r.done)).toMatchObject({ state: 'completed' });
}

function noLeaks(r: Rig): void {
  expect(r.watcher.errors).toEqual([]);
  const text = JSON.stringify({ lines: r.logger.lines, health: health(r), events: r.events });
  expect(text).not.toContain(LICENSE);
  expect(text.toLowerCase()).not.toContain(LICENSE.toLowerCase());
}

type Scenario = FaultScenario<Rig>;

const fault = (f: SimFault) => (r: Rig) => r.sim.setFault(f);
const noFault = (r: Rig) => r.sim.setFault(null);
const DOWN_FIX = 'Check that the server is running and the address in Settings\\.';

const SCENARIOS: Scenario[] = [
  {
    name: 'connection refused',
    inject: fault({ type: 'refuse' }),
    clear: noFault,
    status: 'down',
    message: new RegExp(`^ScriptX\\.Services at http://${HOST} could not be reached \\(connection refused\\)\\. ${DOWN_FIX}$`),
  },
  {
    name: 'DNS failure',
    inject: async (r) => {
      r.dns.fail('ENOTFOUND');
      // Name resolution matters for new connections: drop the kept-alive ones.
      await r.sim.setFault({ type: 'refuse' });
      await r.sim.setFault(null);
    },
    clear: (r) => r.dns.heal(),
    status: 'down',
    message: new RegExp(`^ScriptX\\.Services at http://${HOST} could not be reached \\(host name not found \\(DNS\\)\\)\\. ${DOWN_FIX}$`),
  },
  {
    name: 'timeout (no answer)',
    inject: fault({ type: 'slow', ms: NO_ANSWER_MS }),
    faultMs: 3 * 60_000,
    clear: noFault,
    status: 'down',
    message: new RegExp(`^ScriptX\\.Services at http://${HOST} could not be reached \\(it did not answer in time\\)\\. ${DOWN_FIX}$`),
  },
  {
    name: 'slow drip',
    inject: fault({ type: 'drip', intervalMs: 60 }),
    faultMs: 3 * 60_000,
    clear: noFault,
    status: 'down',
    message: new RegExp(`^ScriptX\\.Services at http://${HOST} could not be reached \\(it did not answer in time\\)\\. ${DOWN_FIX}$`),
  },
  ...([500, 502, 503] as const).map(
    (status): Scenario => ({
      name: `${status} without Retry-After`,
      inject: fault({ type: 'status', status, message: `Backend error ${status}` }),
      clear: noFault,
      status: 'degraded',
      message: new RegExp(`^ScriptX\\.Services answered ${status}(: "Backend error ${status}"| for the status of job \\d+: "Backend error ${status}")\\.$`),
    }),
  ),
  ...([500, 502, 503] as const).map(
    (status): Scenario => ({
      name: `${status} with Retry-After`,
      inject: fault({ type: 'status', status, message: 'Backend error', retryAfterS: 120 }),
      clear: noFault,
      status: 'degraded',
      message: new RegExp(`^ScriptX\\.Services answered ${status}(: "Backend error"| for the status of job \\d+: "Backend error")\\.$`),
      retryAfterMs: 120_000,
    }),
  ),
  {
    name: '429 storm without Retry-After',
    inject: fault({ type: '429' }),
    clear: noFault,
    status: 'degraded',
    message: /^ScriptX\.Services is busy( \(429\))? and asked to wait\b.*\.$/,
  },
  {
    name: '429 storm with Retry-After',
    inject: fault({ type: '429', retryAfterS: 45 }),
    clear: noFault,
    status: 'degraded',
    message: /^ScriptX\.Services is busy( \(429\))? and asked to wait 45 s\b.*\.$/,
    retryAfterMs: 45_000,
  },
  {
    name: 'malformed JSON',
    inject: fault({ type: 'malformed' }),
    clear: noFault,
    status: 'degraded',
    message: /^ScriptX\.Services sent (an answer|a status for job \d+ that) the monitor cannot read.*not JSON/,
  },
  {
    name: 'valid JSON of the wrong shape',
    inject: fault({ type: 'wrong-shape' }),
    clear: noFault,
    status: 'degraded',
    message: /^ScriptX\.Services sent a status for job \d+ that the monitor cannot read \(GET http:\/\/scriptx\.test:\d+\/api\/v1\/printHtml\/status\/\d+ answered 200 with an unexpected shape \(status: .+\)\)\.$/,
    pollsSucceed: true,
    faultMs: 60_000,
  },
  {
    name: 'a 10 MB answer',
    inject: fault({ type: 'huge', bytes: 10 * 1024 * 1024 }),
    clear: noFault,
    status: 'degraded',
    message: /^ScriptX\.Services sent (an answer|a status for job \d+ that) the monitor cannot read.*more data than the limit allows/,
  },
];

const suite: FaultSuite<Rig, Scenario> = {
  okMessage: new RegExp(`^ScriptX\\.Services 2\\.23\\.1\\.5 found by configured URL at http://${HOST}\\.$`),
  kept: ['state', 'rawState'],
  activeState: 'printing',
  active: (r) => job(r, r.run),
  finished: (r) => job(r, r.done),
  maxPolls: MAX_POLLS_DURING_FAULT,
  requestBudget: (_sc, failedPolls) => failedPolls * PER_POLL,
  maxHealthEvents: 3,
  rig,
  healthy,
  health,
  noLeaks,
};

describe('ScriptX.Services under faults, through the queue engine', () => {
  faultScenarioTests(suite, SCENARIOS);

  it('unknown status code: shown with its number, polled at the idle rate, health ok', async () => {
    const r = await rig();
    await healthy(r);
    const odd = r.sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 42, afterMs: 500, message: 'Held for review' }, { status: 6, afterMs: 5 * 60_000 }] });
    await r.engine.track('local', odd);
    await runFor(r.clock, r.http, 2_000);
    const asked = () => r.sim.requests.filter((q) => q.path.endsWith(`/status/${odd}`)).length;
    const before = asked();
    await runFor(r.clock, r.http, 2 * 60_000);
    expect(health(r).status).toBe('ok');
    expect(job(r, odd)).toMatchObject({ state: 'unknown', rawState: '42 (unknown status)', stale: false, stuck: false, cancel: { allowed: false } });
    expect(job(r, odd)?.detail).toMatch(/Held for review/);
    // An unknown state is asked about at the idle rate (10 s), never the active one (500 ms).
    expect(asked() - before).toBeLessThanOrEqual((2 * 60_000) / POLLING.scriptx.idleMs + 1);
    // The printing job beside it is still polled at the active rate.
    expect(job(r, r.run)).toMatchObject({ state: 'printing', stale: false });
    // Still asked about (idle rate): the job's end is seen within one idle interval.
    await runFor(r.clock, r.http, 3 * 60_000 + POLLING.scriptx.idleMs + 1_000);
    expect(job(r, odd)).toMatchObject({ state: 'completed', rawState: '6 Completed' });
    noLeaks(r);
  }, 30_000);

  it('an outage does not change a job: Updated stays the time of its last change, not of the first poll after', async () => {
    const r = await rig();
    await healthy(r);
    const before = job(r, r.run)!;
    expect(before.updatedAt).not.toBeNull();
    await r.sim.setFault({ type: 'refuse' });
    await runFor(r.clock, r.http, 3 * 60_000);
    expect(health(r).status).toBe('down');
    expect(job(r, r.run)).toMatchObject({ stale: true, updatedAt: before.updatedAt });
    await r.sim.setFault(null);
    await runFor(r.clock, r.http, 6 * 60_000);
    expect(health(r).status).toBe('ok');
    // The same status as before the outage: nothing changed, so neither does Updated.
    expect(job(r, r.run)).toMatchObject({ state: 'printing', rawState: '5 Printing', stale: false, updatedAt: before.updatedAt });
    noLeaks(r);
  }, 30_000);

  for (const skewMs of [3 * 3_600_000, -2 * 86_400_000]) {
    it(`clock skew of ${skewMs / 3_600_000} h: times are this machine's, nothing stuck or stale`, async () => {
      const r = await rig();
      await healthy(r);
      r.skew.ms = skewMs;
      const token = r.sim.addJob({ steps: [{ status: 1, afterMs: 0 }, { status: 5, afterMs: 1_000 }, { status: 6, afterMs: 90_000 }] });
      await r.engine.track('local', token);
      await runFor(r.clock, r.http, 20_000);
      expect(health(r).status).toBe('ok');
      const j = job(r, token)!;
      expect(j).toMatchObject({ state: 'printing', stale: false, stuck: false });
      // Timestamps come from this machine's clock (ScriptX answers carry none).
      expect(Date.parse(j.updatedAt ?? '')).toBeLessThanOrEqual(r.clock.now());
      expect(Date.parse(j.updatedAt ?? '')).toBeGreaterThanOrEqual(T0);
      await runFor(r.clock, r.http, 80_000);
      expect(job(r, token)).toMatchObject({ state: 'completed', stale: false });
      // Finished jobs stay in the live store by this machine's time, not the service's.
      await runFor(r.clock, r.http, 5 * 60_000);
      expect(job(r, token)).toBeDefined();
      expect(job(r, r.done)).toBeDefined();
      noLeaks(r);
    }, 30_000);
  }
});
