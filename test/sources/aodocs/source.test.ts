import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure, PollingSettings, type AodocsSourceConfig, type Job } from '../../../preload/contract/model';
import { createAodocsSource, type AodocsSourceOptions } from '../../../main/sources/aodocs/source';
import { SourceError, type PollContext, type PollResult, type SourceJob } from '../../../main/queue/source';
import { startAodocsSimulator, type AodocsSimulator, type AodocsSimulatorOptions } from '../../simulators/aodocs/server';
import { createQueueEngine } from '../../../main/queue/engine';
import { FakeClock } from '../../helpers/fake-clock';
import { CountingHttpClient, recordPolls, runFor } from '../../reliability/helpers';
import { capturingLogger, makeDeps, MemorySecrets, MemoryTracked } from './helpers';

const CODE = 'sc-alice-7f3a9c21';
const TOKEN = 'ya29.tok-bob-55e1d0';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

const sims: AodocsSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function sim(opts: AodocsSimulatorOptions = {}): Promise<AodocsSimulator> {
  const s = await startAodocsSimulator({
    credentials: [
      { scheme: 'securityCode', value: CODE, user: ALICE },
      { scheme: 'bearer', value: TOKEN, user: BOB },
    ],
    libraries: [
      { id: 'lib-a', admins: [ALICE] },
      { id: 'lib-b', admins: [ALICE] },
    ],
    domain: 'example.com',
    ...opts,
  });
  sims.push(s);
  return s;
}

function setup(s: AodocsSimulator, cfg: Partial<AodocsSourceConfig> = {}, opts: AodocsSourceOptions = {}, secret: { code?: string; token?: string } = { code: CODE }) {
  const env = makeDeps();
  if (secret.code) void env.secrets.set('ao', 'SECURITY_CODE', secret.code);
  if (secret.token) void env.secrets.set('ao', 'TOKEN', secret.token);
  const config: AodocsSourceConfig = { id: 'ao', kind: 'aodocs', baseUrl: s.baseUrl, libraryIds: ['lib-a'], user: ALICE, ...cfg };
  // Library names read from AODocs have their own tests; elsewhere they would add a request per library.
  const source = createAodocsSource(config, env.deps, { readLibraryNames: false, ...opts });
  return { ...env, config, source };
}

function asJob(sj: SourceJob): Job {
  return { ...sj, stale: false, stuck: false, gone: false, lastSeenAt: null };
}

function ctx(mode: PollContext['mode'], active: SourceJob[] = []): PollContext {
  return { mode, signal: new AbortController().signal, activeJobs: new Map(active.map((j) => [j.key, asJob(j)])) };
}

const byId = (r: PollResult) => new Map(r.jobs.map((j) => [j.nativeId, j]));

async function pollError(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

async function failure(p: Promise<unknown>): Promise<AppFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppFailure);
  return err as AppFailure;
}

/** Every request the simulator saw, and every log line, is free of the credentials. */
function expectNoSecretLeak(s: AodocsSimulator, lines: { message: string; data?: Record<string, unknown> }[], extra: string[] = []) {
  const text = JSON.stringify({ urls: s.requests.map((r) => r.url), lines, extra });
  expect(text).not.toContain(CODE);
  expect(text).not.toContain(TOKEN);
  for (const r of s.requests) expect(r.query.securityCode).toBeUndefined();
}

describe('AODocs source: listings', () => {
  it('pages through a library with nextPageToken and reports a complete full listing', async () => {
    const s = await sim({ requireDomain: true });
    for (let i = 0; i < 5; i++) s.addJob({ jobId: `j${i}`, libraryId: 'lib-a', requestor: i % 2 ? BOB : ALICE, status: i < 2 ? 'IN_PROGRESS' : 'COMPLETED', startedAt: Date.UTC(2026, 0, 5, 8, i) });
    const { source, logger } = setup(s, { domain: 'example.com' }, { pageSize: 2 });
    const r = await source.poll(ctx('full'));
    expect([...byId(r).keys()].sort()).toEqual(['j0', 'j1', 'j2', 'j3', 'j4']);
    expect(r.complete).toBe(true);
    expect(r.health.status).toBe('ok');
    const lists = s.requests.filter((q) => q.path === '/api/job/v1/libraries/lib-a');
    expect(lists).toHaveLength(3);
    expect(lists[0].query.pageToken).toBeUndefined();
    expect(lists[1].query.pageToken?.[0]).toMatch(/.+/);
    for (const q of s.requests) {
      expect(q.status).toBe(200);
      expect(q.authScheme).toBe('securityCode');
      expect(q.query.domain).toEqual(['example.com']);
      expect(q.query.pageSize).toEqual(['2']);
    }
    expectNoSecretLeak(s, logger.lines);
  });

  it('says a full listing is incomplete when the page limit cuts it short', async () => {
    const s = await sim();
    for (let i = 0; i < 5; i++) s.addJob({ libraryId: 'lib-a', requestor: ALICE });
    const { source } = setup(s, {}, { pageSize: 2, maxFullPages: 2 });
    const r = await source.poll(ctx('full'));
    expect(r.jobs).toHaveLength(4);
    expect(r.complete).toBe(false);
  });

  it('lists only jobs in progress on the fast cycle, as a partial list, and looks up the ones that left it', async () => {
    const s = await sim();
    s.addJob({ jobId: 'run', libraryId: 'lib-a', requestor: ALICE, totalTasks: 10 });
    s.addJob({ jobId: 'done-now', libraryId: 'lib-a', requestor: ALICE, totalTasks: 4 });
    s.addJob({ jobId: 'old', libraryId: 'lib-a', requestor: ALICE, status: 'COMPLETED' });
    const { source } = setup(s);
    const first = await source.poll(ctx('full'));
    const known = [...byId(first).values()];
    s.complete('done-now');
    s.clearLog();

    const r = await source.poll(ctx('active', known.filter((j) => j.state === 'processing')));
    expect(r.complete).toBe(false); // 'old' is absent and must not be purged
    const jobs = byId(r);
    expect(jobs.get('run')?.state).toBe('processing');
    expect(jobs.get('done-now')?.state).toBe('completed');
    expect(jobs.has('old')).toBe(false);
    const list = s.requests.find((q) => q.path === '/api/job/v1/libraries/lib-a');
    expect(list?.query.status).toEqual(['IN_PROGRESS']);
    expect(s.requests.map((q) => q.path)).toContain('/api/job/v1/done-now');
    expect(s.requests.map((q) => q.path)).not.toContain('/api/job/v1/run');
  });

  it('reports a job purged by the service as gone', async () => {
    const s = await sim();
    s.addJob({ jobId: 'p1', libraryId: 'lib-a', requestor: ALICE });
    const { source } = setup(s);
    const [job] = (await source.poll(ctx('full'))).jobs;
    s.purge('p1');
    const r = await source.poll(ctx('active', [job]));
    expect(r.gone).toEqual(['ao:p1']);
  });

  it('keeps listing the libraries that answer when one fails, with a degraded health naming it', async () => {
    const s = await sim();
    s.addJob({ jobId: 'b1', libraryId: 'lib-b', requestor: ALICE });
    const { source } = setup(s, { libraryIds: ['lib-missing', 'lib-b'] });
    const r = await source.poll(ctx('full'));
    expect(byId(r).has('b1')).toBe(true);
    expect(r.complete).toBe(false);
    expect(r.health.status).toBe('degraded');
    expect(r.health.message).toMatch(/library lib-missing.*check the library id/);
  });
});

describe('AODocs source: a library that fails', () => {
  it('reports the active jobs it could not refresh as stale, and fresh again once they answer', async () => {
    const s = await sim();
    s.addJob({ jobId: 'a1', libraryId: 'lib-a', requestor: ALICE, status: 'IN_PROGRESS', totalTasks: 10, succeededTasks: 1, remainingTasks: 9 });
    s.addJob({ jobId: 'b1', libraryId: 'lib-b', requestor: ALICE, status: 'IN_PROGRESS', totalTasks: 10, succeededTasks: 1, remainingTasks: 9 });
    const { source } = setup(s, { libraryIds: ['lib-a', 'lib-b'] }, { retry: { retries: 0 } });
    const first = await source.poll(ctx('full'));
    expect([...byId(first).keys()].sort()).toEqual(['a1', 'b1']);
    // lib-b's listing and the look-up of its job both fail; lib-a answers.
    s.injectFault({ fault: { kind: 'status', status: 503 }, match: /lib-b|\/job\/v1\/b1/, times: Infinity });
    const r = await source.poll(ctx('active', first.jobs));
    expect(byId(r).has('a1')).toBe(true);
    expect(byId(r).has('b1')).toBe(false);
    expect(r.stale).toEqual(['ao:b1']);
    expect(r.complete).toBe(false);
    expect(r.health.status).toBe('degraded');
    s.clearFaults();
    const again = await source.poll(ctx('active', first.jobs));
    expect(again.stale).toBeUndefined();
    expect(byId(again).has('b1')).toBe(true);
  });
});

describe('AODocs source: jobs handed in by id', () => {
  it('tracks an id through GET /job/v1/{jobId}, across a restart, until it finishes', async () => {
    const s = await sim();
    // A job of a library the source does not list: only the tracked id brings it in.
    s.addLibrary({ id: 'lib-other', admins: [] });
    s.addJob({ jobId: 'tr-1', libraryId: 'lib-other', requestor: BOB, totalTasks: 4 });
    const a = setup(s);
    const first = await a.source.track!('tr-1', {}, new AbortController().signal);
    expect(first).toMatchObject({ key: 'ao:tr-1', state: 'processing', owner: BOB, mine: false, printer: 'lib-other' });
    expect(a.tracked.items).toMatchObject([{ sourceId: 'ao', id: 'tr-1' }]);
    expect(a.tracked.items[0].finishedAt).toBeUndefined();

    // A new source instance (the app restarted) with the same persisted tracked ids.
    const b = createAodocsSource(a.config, a.deps);
    s.clearLog();
    s.advance('tr-1', { succeeded: 2 });
    let r = await b.poll(ctx('full'));
    expect(byId(r).get('tr-1')?.progress).toBeCloseTo(0.5);
    expect(s.requests.map((q) => q.path)).toContain('/api/job/v1/tr-1');

    s.complete('tr-1');
    r = await b.poll(ctx('active'));
    expect(byId(r).get('tr-1')?.state).toBe('completed');
    expect(a.tracked.items[0].finishedAt).toBeDefined();

    s.clearLog();
    await b.poll(ctx('active'));
    expect(s.requests.map((q) => q.path)).not.toContain('/api/job/v1/tr-1');
  });

  it('refuses a malformed id without a request and says when AODocs does not know the id', async () => {
    const s = await sim();
    const { source } = setup(s);
    const bad = await failure(source.track!('a b/c', {}, new AbortController().signal));
    expect(bad.code).toBe('invalid-input');
    expect(s.requests).toHaveLength(0);
    const unknown = await failure(source.track!('nope-123', {}, new AbortController().signal));
    expect(unknown.code).toBe('not-found');
    expect(unknown.message).toMatch(/does not know job nope-123/);
  });

  it('marks a tracked id the service has purged as gone and stops looking it up', async () => {
    const s = await sim();
    s.addJob({ jobId: 'tr-2', libraryId: 'lib-b', requestor: ALICE });
    const { source, tracked } = setup(s);
    await source.track!('tr-2', {}, new AbortController().signal);
    s.purge('tr-2');
    const r = await source.poll(ctx('active'));
    expect(r.gone).toEqual(['ao:tr-2']);
    expect(tracked.items[0].finishedAt).toBeDefined();
  });
});

describe('AODocs source: mapping', () => {
  it('names a library by the name the settings give it, and by its id otherwise', async () => {
    const s = await sim();
    s.addJob({ jobId: 'named', libraryId: 'lib-a', requestor: BOB });
    s.addJob({ jobId: 'plain', libraryId: 'lib-b', requestor: BOB });
    const { source } = setup(s, { libraryIds: ['lib-a', 'lib-b'], libraryNames: { 'lib-a': 'HR records' } });
    const jobs = byId(await source.poll(ctx('full')));
    expect(jobs.get('named')?.printer).toBe('HR records');
    expect(jobs.get('plain')?.printer).toBe('lib-b');
  });

  it('names a library by the name AODocs gives it (GET /library/v1/{libId}), asked once; the settings\' name wins', async () => {
    const s = await sim({ libraries: [
      { id: 'lib-a', name: 'Contracts', admins: [ALICE] },
      { id: 'lib-b', name: 'Finance archive', admins: [ALICE] },
    ] });
    s.addJob({ jobId: 'a1', libraryId: 'lib-a', requestor: BOB });
    s.addJob({ jobId: 'b1', libraryId: 'lib-b', requestor: BOB });
    const { source } = setup(s, { libraryIds: ['lib-a', 'lib-b'], libraryNames: { 'lib-b': 'Money' } }, { readLibraryNames: true });
    const r = await source.poll(ctx('full'));
    expect(byId(r).get('a1')?.printer).toBe('Contracts');
    expect(byId(r).get('b1')?.printer).toBe('Money');
    expect([r.complete, r.health.status]).toEqual([true, 'ok']);
    const asked = s.requests.filter((q) => q.path.startsWith('/api/library/'));
    expect(asked.map((q) => [q.path, q.query.include])).toEqual([['/api/library/v1/lib-a', ['NONE']]]);
    s.clearLog();
    const again = await source.poll(ctx('full'));
    expect(byId(again).get('a1')?.printer).toBe('Contracts');
    expect(s.requests.filter((q) => q.path.startsWith('/api/library/'))).toHaveLength(0);
  });

  it('keeps the id when AODocs cannot name the library, without touching the health, and asks again later', async () => {
    const s = await sim({ libraries: [{ id: 'lib-a', name: 'Contracts', admins: [ALICE] }] });
    s.addJob({ jobId: 'a1', libraryId: 'lib-a', requestor: BOB });
    const { source, clock, logger } = setup(s, {}, { readLibraryNames: true, libraryNameRetryMs: 60_000, retry: { retries: 0 } });
    s.injectFault({ fault: { kind: 'status', status: 500, message: 'Backend Error' }, match: 'GET /api/library/v1/lib-a' });
    const r = await source.poll(ctx('full'));
    expect(byId(r).get('a1')?.printer).toBe('lib-a');
    expect([r.complete, r.health.status]).toEqual([true, 'ok']);
    expect(logger.lines.map((l) => l.message)).toContain('AODocs: the name of a library could not be read');
    s.clearLog();
    await source.poll(ctx('full'));
    expect(s.requests.filter((q) => q.path.startsWith('/api/library/'))).toHaveLength(0);
    clock.t += 60_000;
    const later = await source.poll(ctx('full'));
    expect(byId(later).get('a1')?.printer).toBe('Contracts');
  });

  it('maps every status, failures within a completed job, progress, owner and mine', async () => {
    const s = await sim();
    const t0 = Date.UTC(2026, 0, 5, 8, 0, 0);
    s.addJob({ jobId: 'ip', libraryId: 'lib-a', requestor: 'Alice@Example.com', type: 'IMPORT', totalTasks: 8, succeededTasks: 2, failedTasks: 0, startedAt: t0, lastActivityAt: t0 + 60_000 });
    s.addJob({ jobId: 'ok', libraryId: 'lib-a', requestor: BOB, status: 'COMPLETED', totalTasks: 3, succeededTasks: 3 });
    s.addJob({ jobId: 'part', libraryId: 'lib-a', requestor: BOB, status: 'COMPLETED', totalTasks: 10, succeededTasks: 7, failedTasks: 3 });
    s.addJob({ jobId: 'bad', libraryId: 'lib-a', requestor: BOB, status: 'FAILED', totalTasks: 5, succeededTasks: 1, failedTasks: 1 });
    s.addJob({ jobId: 'cx', libraryId: 'lib-a', requestor: BOB, status: 'CANCELLED' });
    const { source } = setup(s);
    const jobs = byId(await source.poll(ctx('full')));
    expect(jobs.get('ip')).toMatchObject({
      state: 'processing',
      rawState: 'IN_PROGRESS',
      document: 'Import',
      owner: 'Alice@Example.com',
      mine: true,
      printer: 'lib-a',
      createdAt: new Date(t0).toISOString(),
      updatedAt: new Date(t0 + 60_000).toISOString(),
      progress: 0.25,
      cancel: { allowed: true },
      extra: { jobType: 'IMPORT', succeededTasks: 2, failedTasks: 0, remainingTasks: 6 },
    });
    expect(jobs.get('ok')).toMatchObject({ state: 'completed', mine: false, progress: 1, detail: 'Completed: 3 tasks succeeded' });
    expect(jobs.get('part')).toMatchObject({ state: 'completed', progress: 1 });
    expect(jobs.get('part')?.detail).toMatch(/Completed with 3 failed of 10 tasks/);
    expect(jobs.get('bad')).toMatchObject({ state: 'failed', cancel: { allowed: false } });
    expect(jobs.get('cx')).toMatchObject({ state: 'canceled', rawState: 'CANCELLED' });
  });

  it('shows status and type values newer than the published enums as given, in state unknown', async () => {
    const s = await sim();
    s.addJob({ jobId: 'n1', libraryId: 'lib-a', requestor: ALICE });
    s.injectFault({ fault: { kind: 'unknown-enum', status: 'ON_HOLD', type: 'QUANTUM_SYNC' } });
    const { source } = setup(s);
    const r = await source.poll(ctx('full'));
    expect(r.health.status).toBe('ok');
    expect(byId(r).get('n1')).toMatchObject({ state: 'unknown', rawState: 'ON_HOLD', document: 'QUANTUM_SYNC', cancel: { allowed: false } });
    expect(byId(r).get('n1')?.detail).toMatch(/"ON_HOLD", which this version of the monitor does not know/);
  });
});

describe('AODocs source: details', () => {
  it('returns only the error events, paged, with the job facts', async () => {
    const s = await sim();
    s.addJob({ jobId: 'ev', libraryId: 'lib-a', requestor: ALICE, totalTasks: 200 });
    s.addEvent('ev', { message: 'Started', severity: 'INFO' });
    s.advance('ev', { succeeded: 10, failed: 120 });
    const { source } = setup(s);
    const [sj] = (await source.poll(ctx('full'))).jobs;
    const p1 = await source.details!(asJob(sj), new AbortController().signal, {});
    expect(p1.events).toHaveLength(100);
    expect(p1.events?.every((e) => e.severity === 'ERROR')).toBe(true);
    expect(p1.events?.[0].message).toMatch(/failed: the document is locked/);
    expect(p1.eventsNextPageToken).toMatch(/.+/);
    expect(p1.facts).toEqual(expect.arrayContaining([{ label: 'Tasks', value: '10 succeeded, 120 failed, 70 remaining' }]));
    const p2 = await source.details!(asJob(sj), new AbortController().signal, { eventsPageToken: p1.eventsNextPageToken! });
    expect(p2.events).toHaveLength(20);
    expect(p2.eventsNextPageToken).toBeNull();
    const evq = s.requests.filter((q) => q.path === '/api/job/v1/events/ev');
    expect(evq.every((q) => q.query.onlyErrors?.[0] === 'true')).toBe(true);
  });
});

describe('AODocs source: cancel', () => {
  it('cancels as a library administrator', async () => {
    const s = await sim();
    s.addJob({ jobId: 'c1', libraryId: 'lib-a', requestor: BOB });
    const { source } = setup(s);
    const [sj] = (await source.poll(ctx('full'))).jobs;
    const after = await source.act(asJob(sj), { type: 'cancel' }, new AbortController().signal);
    expect(after).toMatchObject({ state: 'canceled', rawState: 'CANCELLED' });
    expect(s.getJob('c1')?.status).toBe('CANCELLED');
  });

  it('says only library administrators can cancel when AODocs answers 403', async () => {
    const s = await sim();
    s.addJob({ jobId: 'c2', libraryId: 'lib-a', requestor: BOB });
    const { source } = setup(s, { auth: 'bearer' }, {}, { token: TOKEN });
    const [sj] = (await source.poll(ctx('full'))).jobs;
    const f = await failure(source.act(asJob(sj), { type: 'cancel' }, new AbortController().signal));
    expect(f.code).toBe('not-allowed');
    expect(f.message).toBe('Only library administrators can cancel AODocs jobs');
    expect(s.getJob('c2')?.status).toBe('IN_PROGRESS');
  });

  it('answers too-late when the job finished before the cancel arrived', async () => {
    const s = await sim();
    s.addJob({ jobId: 'c3', libraryId: 'lib-a', requestor: BOB });
    const { source } = setup(s);
    const [sj] = (await source.poll(ctx('full'))).jobs;
    s.complete('c3');
    const f = await failure(source.act(asJob(sj), { type: 'cancel' }, new AbortController().signal));
    expect(f.code).toBe('too-late');
    expect(f.message).toMatch(/c3 has already completed/);
  });

  it('retries a 409 only when AODocs marks it retryable', async () => {
    const s = await sim();
    s.addJob({ jobId: 'c4', libraryId: 'lib-a', requestor: BOB });
    s.addJob({ jobId: 'c5', libraryId: 'lib-a', requestor: BOB });
    const { source } = setup(s);
    const jobs = byId(await source.poll(ctx('full')));
    s.injectFault({ fault: { kind: 'conflict', retryable: true }, match: 'POST /api/job/v1/c4/cancel' });
    expect(await source.act(asJob(jobs.get('c4')!), { type: 'cancel' }, new AbortController().signal)).toMatchObject({ state: 'canceled' });
    expect(s.requests.filter((q) => q.path === '/api/job/v1/c4/cancel').map((q) => q.status)).toEqual([409, 200]);

    s.injectFault({ fault: { kind: 'conflict', retryable: false, message: 'Another operation is running on this job' }, match: 'POST /api/job/v1/c5/cancel' });
    const f = await failure(source.act(asJob(jobs.get('c5')!), { type: 'cancel' }, new AbortController().signal));
    expect(f.code).toBe('conflict');
    expect(f.message).toMatch(/Another operation is running on this job/);
    expect(s.requests.filter((q) => q.path === '/api/job/v1/c5/cancel')).toHaveLength(1);
  });
});

describe('AODocs source: answers AODocs may give', () => {
  it('a cancel whose answer was lost and whose retry is refused (409) as already canceled is a cancel done', async () => {
    const s = await sim();
    s.addJob({ jobId: 'c6', libraryId: 'lib-a', requestor: BOB });
    const { source } = setup(s);
    const [sj] = (await source.poll(ctx('full'))).jobs;
    s.injectFault({ fault: { kind: 'applied-then-status', status: 503 }, match: 'POST /api/job/v1/c6/cancel' });
    expect(await source.act(asJob(sj), { type: 'cancel' }, new AbortController().signal)).toMatchObject({ state: 'canceled', rawState: 'CANCELLED' });
    expect(s.requests.filter((q) => q.path === '/api/job/v1/c6/cancel').map((q) => q.status)).toEqual([503, 409]);
  });

  it('a job with optional properties written as null is listed, with the others of its page', async () => {
    const s = await sim();
    s.addJob({ jobId: 'n1', libraryId: 'lib-a', requestor: ALICE });
    s.addJob({ jobId: 'n2', libraryId: 'lib-a', requestor: ALICE });
    const { source } = setup(s);
    s.injectFault({ fault: { kind: 'null-fields', fields: ['kind', 'completed', 'libraryId', 'type', 'requestor', 'startedAt'] }, times: Infinity });
    const r = await source.poll(ctx('full'));
    expect(r.health.status).toBe('ok');
    expect([...byId(r).keys()].sort()).toEqual(['n1', 'n2']);
    s.clearFaults();
  });
});

describe('AODocs source: retries and errors', () => {
  it('retries 5xx with exponential backoff and gives up with a degraded health after the limit', async () => {
    const s = await sim();
    s.addJob({ jobId: 'r1', libraryId: 'lib-a', requestor: ALICE });
    const { source, clock } = setup(s);
    s.injectFault({ fault: { kind: 'status', status: 503 }, times: 2 });
    const r = await source.poll(ctx('full'));
    expect(byId(r).has('r1')).toBe(true);
    expect(s.requests.map((q) => q.status)).toEqual([503, 503, 200]);
    expect(clock.delays).toEqual([500, 1000]);

    s.clearLog();
    s.injectFault({ fault: { kind: 'status', status: 500, message: 'Backend Error' }, times: 10 });
    const e = await pollError(source.poll(ctx('full')));
    expect(e.status).toBe('degraded');
    expect(e.message).toMatch(/AODocs answered 500 for library lib-a: "Backend Error"/);
    expect(s.requests).toHaveLength(4);
    s.clearFaults();
  });

  it('does not retry within a request when Retry-After asks for longer, and passes the wait on', async () => {
    const s = await sim();
    const { source } = setup(s);
    s.injectFault({ fault: { kind: 'status', status: 503, retryAfterSeconds: 90 }, times: 5 });
    const e = await pollError(source.poll(ctx('full')));
    expect(e.retryAfterMs).toBe(90_000);
    expect(s.requests).toHaveLength(1);
  });

  it('says which credential AODocs refused, wrong or expired, and never shows it', async () => {
    const s = await sim();
    const wrong = setup(s, {}, {}, { code: 'sc-not-a-real-code-1' });
    let e = await pollError(wrong.source.poll(ctx('full')));
    expect(e.status).toBe('auth-required');
    expect(e.message).toMatch(/refused the security code .*is not valid/);
    expect(e.message).not.toContain('sc-not-a-real-code-1');

    const ok = setup(s);
    s.expireCredential(CODE);
    e = await pollError(ok.source.poll(ctx('full')));
    expect(e.message).toMatch(/security code .*has expired.*Enter a new security code/);

    const bearer = setup(s, { auth: 'bearer' }, {}, { token: 'ya29.expired-or-wrong' });
    e = await pollError(bearer.source.poll(ctx('full')));
    expect(e.message).toMatch(/refused the access token .*is not valid/);
    expect(s.requests.at(-1)?.authScheme).toBe('bearer');
    expectNoSecretLeak(s, [...wrong.logger.lines, ...ok.logger.lines, ...bearer.logger.lines], [e.message, JSON.stringify(e.detail ?? {})]);
  });

  it('needs credentials before sending anything, naming the environment variable', async () => {
    const s = await sim();
    const { source } = setup(s, { id: 'ao-2' } as Partial<AodocsSourceConfig>, {}, {});
    const e = await pollError(source.poll(ctx('full')));
    expect(e.status).toBe('auth-required');
    expect(e.message).toMatch(/No AODocs security code .*PQM_SECRET_AO_2_SECURITY_CODE/);
    expect(s.requests).toHaveLength(0);
  });

  it('sends a bearer token as Authorization: Bearer and never in the query string', async () => {
    const s = await sim();
    s.addJob({ jobId: 'b1', libraryId: 'lib-a', requestor: BOB });
    const { source, logger } = setup(s, { auth: 'bearer', user: BOB }, {}, { token: TOKEN });
    const r = await source.poll(ctx('full'));
    expect(byId(r).get('b1')?.mine).toBe(true);
    expect(s.requests.every((q) => q.authScheme === 'bearer' && q.user === BOB)).toBe(true);
    expectNoSecretLeak(s, logger.lines);
  });

  it('refuses a Workspace domain the service does not serve with the service words', async () => {
    const s = await sim();
    const { source } = setup(s, { domain: 'other.org' });
    const e = await pollError(source.poll(ctx('full')));
    expect(e.status).toBe('degraded');
    // The service's words, with query values (which may be credentials elsewhere) redacted.
    expect(e.message).toMatch(/AODocs refused the request for library lib-a as invalid \("Unknown domain .*"\): check the Workspace domain and the library id in Settings/);
    expect(s.requests[0].query.domain).toEqual(['other.org']);
  });
});

describe('AODocs source: through the queue engine', () => {
  it('keeps finished jobs absent from the fast cycle, purges only on a complete full listing, and lists everything one-shot', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const s = await sim({ now: () => clock.now() });
    s.addJob({ jobId: 'run', libraryId: 'lib-a', requestor: ALICE, totalTasks: 50, plan: { tasksPerTick: 1 } });
    s.addJob({ jobId: 'fin', libraryId: 'lib-a', requestor: ALICE, status: 'COMPLETED', totalTasks: 2, succeededTasks: 2 });
    const secrets = new MemorySecrets();
    await secrets.set('ao', 'SECURITY_CODE', CODE);
    const http = new CountingHttpClient({ timeoutMs: 3000 });
    const deps = { http, secrets, tracked: new MemoryTracked(), clock, logger: capturingLogger() };
    const config: AodocsSourceConfig = { id: 'ao', kind: 'aodocs', baseUrl: s.baseUrl, libraryIds: ['lib-a'], user: ALICE };
    const rec = recordPolls(createAodocsSource(config, deps), clock);
    const polling = PollingSettings.parse({});
    const engine = createQueueEngine({ sources: [rec.source], polling, clock, random: () => 0 });
    try {
      engine.start();
      await runFor(clock, http, 0);
      expect(engine.getJob('ao:fin')).toMatchObject({ state: 'completed', gone: false });

      // Fast cycles: partial listings of IN_PROGRESS jobs only; 'fin' is absent and stays.
      s.tick();
      await runFor(clock, http, 60_000);
      const fast = rec.polls.slice(1);
      expect(fast.length).toBeGreaterThanOrEqual(5);
      expect(fast.every((p) => p.mode === 'active' && p.complete === false)).toBe(true);
      expect(engine.getJob('ao:fin')).toMatchObject({ state: 'completed', gone: false });
      expect(engine.getJob('ao:run')?.progress).toBeCloseTo(1 / 50);

      // The service purges an active job: a fast cycle looks it up (404: gone) ...
      s.addJob({ jobId: 'vanish', libraryId: 'lib-a', requestor: BOB });
      engine.refreshNow('ao');
      await runFor(clock, http, 0);
      expect(engine.getJob('ao:vanish')?.state).toBe('processing');
      s.purge('vanish');
      await runFor(clock, http, 10_000);
      expect(engine.getJob('ao:vanish')?.gone).toBe(true);

      // ... and the idle cycle lists the whole library, completely, so completions are seen.
      s.complete('run');
      await runFor(clock, http, polling.aodocs.idleMs);
      expect(rec.polls.some((p) => p.mode === 'full' && p.complete === true)).toBe(true);
      expect(engine.getJob('ao:run')).toMatchObject({ state: 'completed', progress: 1 });

      // One-shot listing (`pqm jobs`): a full poll.
      s.addJob({ jobId: 'late', libraryId: 'lib-a', requestor: ALICE, status: 'FAILED' });
      const n = rec.polls.length;
      const once = engine.pollOnce();
      await runFor(clock, http, 0);
      await once;
      expect(rec.polls.slice(n).map((p) => [p.mode, p.complete])).toEqual([['full', true]]);
      expect(engine.getJob('ao:late')).toMatchObject({ state: 'failed', mine: true });
    } finally {
      await engine.stop();
    }
  });
});
