/**
 * Fault injection for the IPP source: the real queue engine polling it against the IPP simulator
 * while the printer fails in the ways a real CUPS cannot be made to (refused connections, DNS,
 * silence, trickling answers, HTTP and IPP error statuses, malformed or huge IPP answers). For each
 * fault: no crash, the health docs/interfaces.md assigns with a specific message, the last known
 * jobs kept (active ones marked stale), backoff, and recovery at the first poll after it clears.
 */
import { describe, expect, it } from 'vitest';
import type { IppSourceConfig, Job } from '../../preload/contract/model';
import { createQueueEngine } from '../../main/queue/engine';
import type { EngineEvent } from '../../main/queue/engine-types';
import { createIppSource } from '../../main/sources/ipp/source';
import type { SourceDeps } from '../../main/sources/deps';
import { FakeClock } from '../helpers/fake-clock';
import { startIppSimulator, type IppFault, type IppSimulator } from '../simulators/ipp/server';
import { capturingLogger, MemorySecrets, MemoryTracked } from '../sources/aodocs/helpers';
import { faultNetwork, recordPolls, runFor, watchProcessErrors } from './helpers';
import { FAULT_MS, NO_ANSWER_MS, POLLING, faultScenarioTests, networkScenarios, rigsClosedAfterEach, recoversFrom, type FaultRig, type FaultScenario, type FaultSuite } from './fault-scenarios';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const PASSWORD = 'ipp-faults-pw-4f0c2a91';
const TIMEOUT_MS = 800;

interface Rig extends FaultRig {
  sim: IppSimulator;
  logger: ReturnType<typeof capturingLogger>;
  activeKey: string;
  doneKey: string;
}

const rigs = rigsClosedAfterEach<Rig>();

async function rig(): Promise<Rig> {
  const watcher = watchProcessErrors();
  const clock = new FakeClock(T0);
  const sim = await startIppSimulator({ now: () => clock.now() });
  sim.addPrinter({ name: 'office', info: 'Office laser' });
  const run = sim.addJob({ printer: 'office', name: 'Annual report.pdf', user: 'alice', state: 5, reasons: ['job-printing'], impressions: 40, impressionsCompleted: 10 });
  const done = sim.addJob({ printer: 'office', name: 'Memo.docx', user: 'alice', state: 9, reasons: ['job-completed-successfully'], impressions: 2, impressionsCompleted: 2 });
  const { dns, http } = faultNetwork(clock, TIMEOUT_MS, sim);
  const secrets = new MemorySecrets();
  await secrets.set('office', 'PASSWORD', PASSWORD);
  const logger = capturingLogger();
  const deps: SourceDeps = { http, secrets, tracked: new MemoryTracked(), clock, logger };
  // A host name, so that DNS goes through the injected lookup (never a real one).
  const config: IppSourceConfig = { id: 'office', kind: 'ipp', url: `ipp://ipp.test:${sim.port}/printers/office`, user: 'alice', scope: 'mine' };
  const recorded = recordPolls(createIppSource(config, deps), clock);
  const engine = createQueueEngine({ sources: [recorded.source], polling: POLLING, clock, random: () => 0, logger });
  const events: EngineEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const r: Rig = { sim, clock, http, dns, engine, polls: recorded.polls, events, logger, watcher, activeKey: `office:office/${run.id}`, doneKey: `office:office/${done.id}` };
  rigs.push(r);
  engine.start();
  await runFor(clock, http, 0);
  return r;
}

const health = (r: Rig) => r.engine.snapshot().sources.find((s) => s.id === 'office')!;
const job = (r: Rig, key: string): Job | undefined => r.engine.getJob(key);

async function healthy(r: Rig): Promise<void> {
  expect(health(r)).toMatchObject({ status: 'ok', message: '1 job in the queue.' });
  expect(job(r, r.activeKey)).toMatchObject({ state: 'printing', document: 'Annual report.pdf', owner: 'alice', mine: true, pages: 40, pagesPrinted: 10, progress: 0.25, printer: 'Office laser', stale: false });
  expect(job(r, r.doneKey)).toMatchObject({ state: 'completed', progress: 1 });
  await runFor(r.clock, r.http, 30_000);
  expect(health(r).status).toBe('ok');
  // Basic authentication with the stored password, and the user as requesting-user-name.
  expect(r.sim.requests.every((q) => q.user === 'alice')).toBe(true);
}

function noLeaks(r: Rig): void {
  expect(r.watcher.errors).toEqual([]);
  const text = JSON.stringify({ lines: r.logger.lines, health: health(r), events: r.events });
  expect(text).not.toContain(PASSWORD);
}

interface Scenario extends FaultScenario<Rig> {
  perPoll: number;
}

const fault = (f: IppFault) => (r: Rig) => r.sim.injectFault(f);
const clear = (r: Rig) => r.sim.clearFaults();
const CANNOT_READ = /^The IPP server at ipp\.test:\d+ sent an answer the monitor cannot read \(.+\); it will be tried again\.$/;

const SCENARIOS: Scenario[] = [
  ...networkScenarios<Rig>(/The IPP server at ipp\.test:\d+/, 'Check that the printer or server is on and the address in Settings.'),
  {
    name: 'timeout (no answer)',
    inject: fault({ kind: 'slow', ms: NO_ANSWER_MS }),
    faultMs: 5 * 60_000,
    clear,
    status: 'down',
    message: /^The IPP server at ipp\.test:\d+ could not be reached \(no answer in time\)\./,
    perPoll: 1,
  },
  {
    name: 'slow drip',
    inject: fault({ kind: 'drip', intervalMs: 40 }),
    faultMs: 5 * 60_000,
    clear,
    status: 'down',
    message: /^The IPP server at ipp\.test:\d+ could not be reached \(no answer in time\)\./,
    perPoll: 1,
  },
  {
    name: 'HTTP 500',
    inject: fault({ kind: 'http', status: 500 }),
    clear,
    status: 'degraded',
    message: /^The IPP server at ipp\.test:\d+ answered HTTP 500; it will be tried again\.$/,
    perPoll: 1,
  },
  {
    name: 'HTTP 503 with Retry-After',
    inject: fault({ kind: 'http', status: 503, retryAfterSeconds: 120, body: 'Busy' }),
    clear,
    status: 'degraded',
    message: /^The IPP server at ipp\.test:\d+ answered HTTP 503: "Busy"; it will be tried again\.$/,
    perPoll: 1,
    retryAfterMs: 120_000,
  },
  {
    name: 'password refused (HTTP 401)',
    inject: fault({ kind: 'http', status: 401, wwwAuthenticate: 'Basic realm="CUPS"', body: '' }),
    clear,
    status: 'auth-required',
    message: /^The IPP server at ipp\.test:\d+ asks for a user name and password: set "user" and store the password for "office \(ipp\.test:\d+\)" in Settings\.$/,
    perPoll: 1,
  },
  {
    name: 'IPP client-error-not-authenticated',
    inject: fault({ kind: 'ipp-status', status: 0x0402, message: 'Authentication required' }),
    clear,
    status: 'auth-required',
    message: /^The IPP server at ipp\.test:\d+ refused to list jobs: "Authentication required" \(client-error-not-authenticated\)\. Check the user name and password in Settings\.$/,
    perPoll: 1,
  },
  {
    name: 'IPP server-error-service-unavailable',
    inject: fault({ kind: 'ipp-status', status: 0x0502, message: 'Printer is warming up' }),
    clear,
    status: 'degraded',
    message: /^The IPP server at ipp\.test:\d+ refused a request: Reading the printer was refused: server-error-service-unavailable \("Printer is warming up"\)\.$/,
    perPoll: 1,
  },
  ...(['negative-length', 'truncated', 'garbage'] as const).map(
    (variant): Scenario => ({ name: `malformed IPP (${variant})`, inject: fault({ kind: 'malformed', variant }), clear, status: 'degraded', message: CANNOT_READ, perPoll: 1 }),
  ),
  {
    name: 'an HTML page instead of IPP',
    inject: fault({ kind: 'wrong-type' }),
    clear,
    status: 'degraded',
    message: /^The IPP server at ipp\.test:\d+ sent an answer the monitor cannot read \(POST http:\/\/ipp\.test:\d+\/printers\/office answered with text\/html instead of application\/ipp\); it will be tried again\.$/,
    perPoll: 1,
  },
  {
    name: 'a 10 MB answer',
    inject: fault({ kind: 'huge', bytes: 10 * 1024 * 1024 }),
    clear,
    status: 'degraded',
    message: /^The IPP server at ipp\.test:\d+ sent an answer the monitor cannot read \(.* answered with more data than the limit allows\); it will be tried again\.$/,
    perPoll: 1,
  },
];

const suite: FaultSuite<Rig, Scenario> = {
  okMessage: /^1 job in the queue\.$/,
  kept: ['state', 'progress', 'pagesPrinted'],
  activeState: 'printing',
  active: (r) => job(r, r.activeKey),
  finished: (r) => job(r, r.doneKey),
  // Backoff from the 2 s active rate, doubling to the 300 s cap, over a 10 min fault.
  maxPolls: 12,
  requestBudget: (sc, failedPolls) => failedPolls * sc.perPoll,
  maxHealthEvents: 2,
  rig,
  healthy,
  health,
  noLeaks,
};

describe('IPP under faults, through the queue engine', () => {
  faultScenarioTests(suite, SCENARIOS);

  it('a job state outside the enum: shown as given, polled at the idle rate, health ok', async () => {
    const r = await rig();
    await healthy(r);
    r.sim.injectFault({ kind: 'unknown-state', state: 42 });
    const pollsBefore = r.polls.length;
    await runFor(r.clock, r.http, FAULT_MS);
    expect(health(r).status).toBe('ok');
    expect(job(r, r.activeKey)).toMatchObject({ state: 'unknown', rawState: '42 unknown (job-printing)', stale: false, stuck: false, cancel: { allowed: true } });
    expect(r.polls.length - pollsBefore).toBeLessThanOrEqual(FAULT_MS / POLLING.ipp.idleMs + 1);
    await recoversFrom(r, suite, () => r.sim.clearFaults());
    noLeaks(r);
  }, 30_000);

  it('a value of the wrong length loses that value only: the jobs are listed, the health says what was left out', async () => {
    const r = await rig();
    await healthy(r);
    r.sim.injectFault({ kind: 'long-integer' });
    await runFor(r.clock, r.http, FAULT_MS);
    expect(health(r)).toMatchObject({ status: 'degraded', message: expect.stringMatching(/^The IPP server at ipp\.test:\d+ sent a value the monitor cannot read, left out: job-k-octets \(a value of tag 0x21 has 8 bytes instead of 4\) from POST http:\/\/ipp\.test:\d+\/printers\/office/) });
    // Everything else of the answer is read: the jobs, their progress; only their size is unknown.
    expect(job(r, r.activeKey)).toMatchObject({ state: 'printing', document: 'Annual report.pdf', pagesPrinted: 10, stale: false, sizeBytes: null });
    await recoversFrom(r, suite, () => r.sim.clearFaults());
    noLeaks(r);
  }, 30_000);

  it('a server that refuses event subscriptions is asked once, then polled with Get-Jobs', async () => {
    const r = await rig();
    await healthy(r);
    const subscribe = r.sim.requests.filter((q) => q.operationId === 0x16);
    expect(subscribe).toEqual([expect.objectContaining({ status: 0x0501 })]);
    const before = r.sim.requests.length;
    await runFor(r.clock, r.http, 10_000);
    const ops = r.sim.requests.slice(before).map((q) => q.operationId);
    // Every fast poll (2 s): the printer and the job list, nothing else.
    expect(ops.length).toBeGreaterThanOrEqual(8);
    expect(new Set(ops)).toEqual(new Set([0x0b, 0x0a]));
    noLeaks(r);
  }, 30_000);

  it('a job purged while printing is gone after the next fast poll; one that completed is seen completed', async () => {
    const r = await rig();
    await healthy(r);
    const second = r.sim.addJob({ printer: 'office', name: 'Slides.pptx', user: 'alice', state: 5, impressions: 3 });
    await runFor(r.clock, r.http, 5_000);
    const key = `office:office/${second.id}`;
    expect(job(r, key)).toMatchObject({ state: 'printing' });
    r.sim.tick(3);
    r.sim.purge(Number(r.activeKey.split('/')[1]));
    await runFor(r.clock, r.http, 5_000);
    expect(job(r, key)).toMatchObject({ state: 'completed', pagesPrinted: 3 });
    expect(job(r, r.activeKey)).toMatchObject({ gone: true });
    noLeaks(r);
  }, 30_000);
});
