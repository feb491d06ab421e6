/**
 * Fault injection: the real queue engine polling the Universal Print (Microsoft Graph) source
 * against the simulator while the service fails in every way it can. For each fault: no crash and
 * no unhandled rejection, the health state docs/interfaces.md assigns with a specific message,
 * the last known jobs kept (active ones marked stale), the request rate bounded by backoff, and
 * recovery at the first poll after the fault clears.
 */
import { describe, expect, it } from 'vitest';
import { GraphSourceConfig, type Job } from '../../preload/contract/model';
import { createQueueEngine } from '../../main/queue/engine';
import type { EngineEvent } from '../../main/queue/engine-types';
import { createGraphSource } from '../../main/sources/graph/source';
import type { SourceDeps } from '../../main/sources/deps';
import { FakeClock } from '../helpers/fake-clock';
import { createMemorySecretStore } from '../helpers/memory-stores';
import { makeJwt, startGraphSimulator, type GraphSimulator, type SimFault } from '../simulators/graph/server';
import { CapturingLogger, MemoryTracked } from '../sources/graph/helpers';
import { faultNetwork, recordPolls, runFor, watchProcessErrors } from './helpers';
import { FAULT_MS, POLLING, faultScenarioTests, rigsClosedAfterEach, recoversFrom, type FaultRig, type FaultScenario, type FaultSuite, NO_ANSWER_MS } from './fault-scenarios';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const ANN = 'ann@contoso.com';
const TOKEN = makeJwt({ upn: ANN, name: 'Ann', nonce: 'faults-7c1d0e' });
const TIMEOUT_MS = 300;
/** Polls a fault of FAULT_MS may cost with backoff from the 5 s active rate (no backoff: 120). */
const MAX_POLLS_DURING_FAULT = 10;
/** One failed poll sends the job lists in one $batch; the share lookup adds one every 5 minutes. */
const DISCOVERY_MS = 5 * 60_000;
const HOST = /graph\.test:\d+/.source;

interface Rig extends FaultRig {
  sim: GraphSimulator;
  logger: CapturingLogger;
  skew: { ms: number };
}

const rigs = rigsClosedAfterEach<Rig>();

async function rig(): Promise<Rig> {
  const watcher = watchProcessErrors();
  const clock = new FakeClock(T0);
  const skew = { ms: 0 };
  const sim = await startGraphSimulator({ now: () => clock.now() + skew.ms, tokens: { [TOKEN]: { kind: 'delegated', upn: ANN, displayName: 'Ann' } } });
  sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
  sim.addShare({ id: 's1', displayName: 'Front desk share', printerId: 'p1' });
  sim.addJob({ id: 'done', printerId: 'p1', upn: ANN, lifecycle: 'completed' });
  sim.tick(5);
  sim.addJob({ id: 'run', printerId: 'p1', upn: ANN, lifecycle: 'processingForever' });
  const { dns, http } = faultNetwork(clock, TIMEOUT_MS, sim);
  const secrets = createMemorySecretStore({ 'up.TOKEN': TOKEN });
  const logger = new CapturingLogger();
  const deps: SourceDeps = { http, secrets, tracked: new MemoryTracked(), clock, logger };
  // A host name, so that DNS goes through the injected lookup (never a real one).
  const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', name: 'Universal Print', baseUrl: `http://graph.test:${new URL(sim.url).port}/v1.0`, shares: ['s1'] });
  const recorded = recordPolls(createGraphSource(config, deps, { timeoutMs: TIMEOUT_MS }), clock);
  const engine = createQueueEngine({ sources: [recorded.source], polling: POLLING, clock, random: () => 0, logger });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const r: Rig = { sim, clock, http, dns, engine, polls: recorded.polls, events, logger, watcher, skew };
  rigs.push(r);
  engine.start();
  await runFor(clock, http, 0);
  return r;
}

const health = (r: Rig) => r.engine.snapshot().sources.find((s) => s.id === 'up')!;
const job = (r: Rig, id: string): Job | undefined => r.engine.getJob(`up:s1/${id}`);

async function healthy(r: Rig): Promise<void> {
  await runFor(r.clock, r.http, 30_000);
  expect(health(r).status).toBe('ok');
  expect(job(r, 'run')).toMatchObject({ state: 'processing', stale: false });
  expect(job(r, 'done')).toMatchObject({ state: 'completed' });
}

function noLeaks(r: Rig): void {
  expect(r.watcher.errors).toEqual([]);
  const text = JSON.stringify({ lines: r.logger.lines, health: health(r), events: r.events, urls: r.sim.log.map((q) => `${q.path}?${q.query}`) });
  expect(text).not.toContain(TOKEN);
}

type Scenario = FaultScenario<Rig>;

const fault = (f: SimFault) => (r: Rig) => r.sim.injectFault(null, f, Infinity);
const noFault = (r: Rig) => r.sim.clearFaults();
const DOWN = (how: string) => new RegExp(`^Universal Print \\(${HOST}\\) could not be reached: ${how}\\. Check the network connection\\.$`);

const SCENARIOS: Scenario[] = [
  {
    name: 'connection refused',
    inject: (r) => r.sim.goOffline(),
    clear: (r) => r.sim.goOnline(),
    status: 'down',
    message: DOWN('connection refused'),
  },
  {
    name: 'DNS failure',
    inject: async (r) => {
      r.dns.fail('ENOTFOUND');
      // Name resolution matters for new connections: drop the kept-alive ones.
      await r.sim.goOffline();
      await r.sim.goOnline();
    },
    clear: (r) => r.dns.heal(),
    status: 'down',
    message: DOWN('host name not found \\(DNS\\)'),
  },
  {
    name: 'timeout (no answer)',
    inject: fault({ kind: 'slow', delayMs: NO_ANSWER_MS }),
    faultMs: 5 * 60_000,
    clear: noFault,
    status: 'down',
    message: DOWN('no answer in time'),
  },
  {
    name: 'slow drip',
    inject: fault({ kind: 'drip', intervalMs: 60 }),
    faultMs: 5 * 60_000,
    clear: noFault,
    status: 'down',
    message: DOWN('no answer in time'),
  },
  ...([500, 502, 503] as const).map(
    (status): Scenario => ({
      name: `${status} without Retry-After`,
      inject: fault({ kind: 'status', status, message: `Backend error ${status}` }),
      clear: noFault,
      status: 'degraded',
      message: new RegExp(`^Universal Print answered ${status}: Backend error ${status}\\.$`),
    }),
  ),
  ...([500, 502, 503] as const).map(
    (status): Scenario => ({
      name: `${status} with Retry-After`,
      inject: fault({ kind: 'status', status, message: 'Backend error', retryAfter: '120' }),
      clear: noFault,
      status: 'degraded',
      message: new RegExp(`^Universal Print answered ${status}: Backend error; retrying in 120 s\\.$`),
      retryAfterMs: 120_000,
    }),
  ),
  {
    name: '429 storm without Retry-After',
    inject: fault({ kind: 'status', status: 429, message: 'Too many requests.' }),
    clear: noFault,
    status: 'degraded',
    message: /^Universal Print answered 429: Too many requests\.\.?$/,
  },
  {
    name: '429 storm with Retry-After',
    inject: fault({ kind: 'status', status: 429, message: 'Too many requests.', retryAfter: '45' }),
    clear: noFault,
    status: 'degraded',
    message: /^Universal Print answered 429: Too many requests\.; retrying in 45 s\.$/,
    retryAfterMs: 45_000,
  },
  {
    name: 'malformed JSON',
    inject: fault({ kind: 'malformed' }),
    clear: noFault,
    status: 'degraded',
    message: /^Universal Print answered with something the app cannot read \(.*not JSON.*\); the jobs shown are the last known\.$/,
  },
  {
    name: 'valid JSON of the wrong shape',
    inject: fault({ kind: 'wrong-shape' }),
    clear: noFault,
    status: 'degraded',
    // The share's name comes from the share lookup, which is answered with the wrong shape too once
    // it is repeated (every 5 minutes): then the share is named by its id.
    message: /^Universal Print answered the job list of "(Front desk share|s1)" with an unexpected shape \(value: Invalid input: expected array, received number\)\.$/,
  },
  {
    name: 'a 10 MB answer',
    inject: fault({ kind: 'huge', bytes: 10 * 1024 * 1024 }),
    clear: noFault,
    status: 'degraded',
    message: /^Universal Print answered with something the app cannot read \(.*more data than the limit allows.*\); the jobs shown are the last known\.$/,
  },
];

const suite: FaultSuite<Rig, Scenario> = {
  okMessage: /^Watching 1 printer for your jobs\.$/,
  kept: ['state', 'rawState'],
  activeState: 'processing',
  active: (r) => job(r, 'run'),
  finished: (r) => job(r, 'done'),
  maxPolls: MAX_POLLS_DURING_FAULT,
  // One listing per failed poll, and the printers' discovery when it is due.
  requestBudget: (sc, failedPolls) => failedPolls + Math.ceil((sc.faultMs ?? FAULT_MS) / DISCOVERY_MS),
  maxHealthEvents: 2,
  rig,
  healthy,
  health,
  noLeaks,
};
const recovers = (r: Rig, clear: () => void | Promise<void>) => recoversFrom(r, suite, clear);

describe('Universal Print under faults, through the queue engine', () => {
  faultScenarioTests(suite, SCENARIOS);

  it('unknown processingState: shown as unknown with the service\'s words, polled at the idle rate, health ok', async () => {
    const r = await rig();
    await healthy(r);
    r.sim.setJobStatus('p1', 'run', { state: 'onHoldForReview', details: ['policyHold'], description: 'Held for review by the print policy.' });
    await runFor(r.clock, r.http, 60_000);
    const batches = () => r.sim.httpRequests('/v1.0/$batch');
    const before = batches();
    await runFor(r.clock, r.http, FAULT_MS);
    expect(health(r).status).toBe('ok');
    expect(job(r, 'run')).toMatchObject({ state: 'unknown', stale: false, stuck: false, gone: false });
    expect(job(r, 'run')?.rawState).toContain('onHoldForReview');
    // No job in progress any more: the idle rate (60 s), not the active one (5 s).
    expect(batches() - before).toBeLessThanOrEqual(FAULT_MS / POLLING.graph.idleMs + 2);
    await recovers(r, () => r.sim.setJobStatus('p1', 'run', { state: 'processing', details: ['transforming'], description: 'The print job is being transformed.' }));
    noLeaks(r);
  }, 30_000);

  for (const skewMs of [3 * 3_600_000, -2 * 86_400_000]) {
    it(`clock skew of ${skewMs / 3_600_000} h: timestamps as the service gives them, nothing stuck, swept or stale`, async () => {
      const r = await rig();
      await healthy(r);
      r.skew.ms = skewMs;
      r.sim.addJob({ id: 'skewed', printerId: 'p1', upn: ANN, lifecycle: 'processingForever' });
      await runFor(r.clock, r.http, 20_000);
      expect(health(r).status).toBe('ok');
      const j = job(r, 'skewed')!;
      expect(j).toMatchObject({ state: 'processing', stale: false, stuck: false });
      expect(j.createdAt).toBe(r.sim.getJob('p1', 'skewed')!.createdDateTime);
      // Changing every few minutes: never stuck, whatever the service's clock says.
      for (const [i, detail] of ['interpreting', 'transforming', 'interpreting', 'transforming'].entries()) {
        r.sim.setJobStatus('p1', 'skewed', { state: 'processing', details: [detail], description: `Step ${i}` });
        await runFor(r.clock, r.http, 3 * 60_000);
        expect(job(r, 'skewed')).toMatchObject({ stuck: false, stale: false });
      }
      r.sim.setJobStatus('p1', 'skewed', { state: 'completed', details: ['completedSuccessfully'], description: 'Done.' });
      await runFor(r.clock, r.http, 20_000);
      expect(job(r, 'skewed')).toMatchObject({ state: 'completed' });
      // Finished jobs stay in the live store by this machine's time, not the service's.
      await runFor(r.clock, r.http, 30 * 60_000);
      expect(job(r, 'skewed')).toBeDefined();
      expect(job(r, 'done')).toBeDefined();
      noLeaks(r);
    }, 30_000);
  }
});
