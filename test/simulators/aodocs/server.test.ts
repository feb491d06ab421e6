import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAodocsSimulator, type AodocsSimulator } from './server';

const CODE = 'sc-alice-0001';
let sim: AodocsSimulator;

async function get(path: string, auth: string | null = `securityCode ${CODE}`, method = 'GET') {
  const res = await fetch(`${sim.baseUrl}${path}`, { method, headers: auth ? { Authorization: auth } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  sim = await startAodocsSimulator({
    credentials: [
      { scheme: 'securityCode', value: CODE, user: 'alice@example.com' },
      { scheme: 'bearer', value: 'tok-bob', user: 'bob@example.com' },
    ],
    libraries: [{ id: 'lib-a', admins: ['alice@example.com'] }],
    domain: 'example.com',
    defaultPageSize: 2,
  });
  for (let i = 0; i < 5; i++) sim.addJob({ jobId: `j${i}`, libraryId: 'lib-a', requestor: 'bob@example.com', startedAt: 1000 + i, totalTasks: 4 });
});
afterAll(() => sim.close());

describe('AODocs simulator', () => {
  it('pages a library listing with tokens bound to the query', async () => {
    const p1 = await get('/job/v1/libraries/lib-a?orderBy=started%20asc');
    expect(p1.status).toBe(200);
    expect(p1.body.jobList.map((j: { jobId: string }) => j.jobId)).toEqual(['j0', 'j1']);
    const p2 = await get(`/job/v1/libraries/lib-a?orderBy=started%20asc&pageToken=${p1.body.nextPageToken}`);
    expect(p2.body.jobList.map((j: { jobId: string }) => j.jobId)).toEqual(['j2', 'j3']);
    const wrong = await get(`/job/v1/libraries/lib-a?orderBy=started%20desc&pageToken=${p1.body.nextPageToken}`);
    expect(wrong.status).toBe(400);
  });

  it('validates parameters strictly and refuses a query-string security code', async () => {
    expect((await get('/job/v1/libraries/lib-a?status=RUNNING')).status).toBe(400);
    expect((await get('/job/v1/libraries/lib-a?orderBy=name')).status).toBe(400);
    expect((await get('/job/v1/libraries/lib-a?pageSize=0')).status).toBe(400);
    expect((await get('/job/v1/libraries/lib-a?colour=red')).status).toBe(400);
    expect((await get('/job/v1/libraries/lib-a?domain=other.com')).status).toBe(400);
    expect((await get('/job/v1/libraries/lib-a?domain=example.com')).status).toBe(200);
    const sc = await get(`/job/v1/j0?securityCode=${CODE}`, null);
    expect(sc.status).toBe(400);
    expect(sc.body.error.message).toMatch(/securityCode/);
  });

  it('answers 401 for missing, wrong and expired credentials', async () => {
    expect((await get('/job/v1/j0', null)).status).toBe(401);
    expect((await get('/job/v1/j0', 'securityCode nope')).body.error.message).toBe('Invalid security code');
    expect((await get('/job/v1/j0', 'Bearer tok-bob')).status).toBe(200);
    sim.addCredential({ scheme: 'bearer', value: 'tok-old', user: 'bob@example.com', expiresAt: Date.now() - 10 });
    expect((await get('/job/v1/j0', 'Bearer tok-old')).body.error.message).toBe('The token has expired');
  });

  it('lets only library administrators cancel', async () => {
    expect((await get('/job/v1/j4/cancel', 'Bearer tok-bob', 'POST')).status).toBe(403);
    const ok = await get('/job/v1/j4/cancel', `securityCode ${CODE}`, 'POST');
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('CANCELLED');
    expect(ok.body.completed).toBe(true);
    expect((await get('/job/v1/j4/cancel', `securityCode ${CODE}`, 'POST')).status).toBe(409);
  });

  it('advances task counters, records error events and completes', async () => {
    sim.setPlan('j3', { tasksPerTick: 2, failEvery: 2 });
    sim.tick();
    expect(sim.getJob('j3')).toMatchObject({ succeededTasks: 1, failedTasks: 1, remainingTasks: 2, status: 'IN_PROGRESS' });
    sim.tick();
    expect(sim.getJob('j3')).toMatchObject({ succeededTasks: 2, failedTasks: 2, remainingTasks: 0, status: 'COMPLETED', completed: true });
    const ev = await get('/job/v1/events/j3?onlyErrors=true&maxResults=1');
    expect(ev.body.events).toHaveLength(1);
    expect(ev.body.events[0].severity).toBe('ERROR');
    expect(ev.body.job.jobId).toBe('j3');
    const ev2 = await get(`/job/v1/events/j3?onlyErrors=true&maxResults=1&pageToken=${ev.body.nextPageToken}`);
    expect(ev2.body.events).toHaveLength(1);
    expect(ev2.body.nextPageToken).toBeUndefined();
  });

  it('answers the Library API\'s get library as documented, strictly', async () => {
    sim.addLibrary({ id: 'lib-named', name: 'Contracts 2026', admins: [] });
    const lib = await get('/library/v1/lib-named?include=NONE');
    expect(lib.status).toBe(200);
    expect(lib.body).toMatchObject({ kind: 'aodocs#library', libraryId: 'lib-named', name: 'Contracts 2026' });
    expect((await get('/library/v1/lib-named?include=NONE&domain=example.com')).status).toBe(200);
    expect((await get('/library/v1/lib-unknown?include=NONE')).status).toBe(404);
    expect((await get('/library/v1/lib-named?include=EVERYTHING')).status).toBe(400);
    expect((await get('/library/v1/lib-named?updateLastAccessed=maybe')).status).toBe(400);
    expect((await get('/library/v1/lib-named?fields=name')).status).toBe(400);
    expect((await get(`/library/v1/lib-named?securityCode=${CODE}`, null)).status).toBe(400);
    expect((await get('/library/v1/lib-named', null)).status).toBe(401);
    expect((await get('/library/v1/lib-named', `securityCode ${CODE}`, 'POST')).status).toBe(405);
  });

  it('injects faults and logs requests', async () => {
    sim.injectFault({ fault: { kind: 'conflict', retryable: true } });
    const c = await get('/job/v1/j0');
    expect(c.status).toBe(409);
    expect(c.headers.get('x-aodocs-retryable')).toBe('true');
    sim.injectFault({ fault: { kind: 'status', status: 503 }, match: 'GET /api/job/v1/j1' });
    expect((await get('/job/v1/j0')).status).toBe(200);
    expect((await get('/job/v1/j1')).status).toBe(503);
    await expect(sim.goOffline()).resolves.toBeUndefined();
    await expect(fetch(`${sim.baseUrl}/job/v1/j0`)).rejects.toThrow();
    await sim.goOnline();
    expect((await get('/job/v1/j0')).status).toBe(200);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/job/v1/j0', authScheme: 'securityCode', user: 'alice@example.com', status: 200 });
  });
  it('serves huge, dripping and out-of-enum answers, and a skewed clock', async () => {
    sim.injectFault({ fault: { kind: 'huge', bytes: 1_000_000 } });
    const res = await fetch(`${sim.baseUrl}/job/v1/j0`, { headers: { Authorization: `securityCode ${CODE}` } });
    const text = await res.text();
    expect(text.length).toBeGreaterThanOrEqual(999_000);
    expect(JSON.parse(text)).toMatchObject({ jobId: 'j0' });

    sim.injectFault({ fault: { kind: 'unknown-enum', status: 'ON_HOLD', type: 'QUANTUM_SYNC' } });
    const list = await get('/job/v1/libraries/lib-a?pageSize=5');
    expect(new Set(list.body.jobList.map((j: { status: string; type: string }) => `${j.status}/${j.type}`))).toEqual(new Set(['ON_HOLD/QUANTUM_SYNC']));

    sim.injectFault({ fault: { kind: 'drip', intervalMs: 2 } });
    const started = Date.now();
    const dripped = await get('/job/v1/j0');
    expect(dripped.body.jobId).toBe('j0');
    expect(Date.now() - started).toBeGreaterThanOrEqual(JSON.stringify(dripped.body).length * 1);

    const before = sim.getJob('j1')!.lastActivityAt;
    sim.setClockSkew(7 * 86_400_000);
    sim.advance('j1', { succeeded: 1 });
    expect(sim.getJob('j1')!.lastActivityAt).toBeGreaterThan(before + 6 * 86_400_000);
    sim.setClockSkew(0);
  });
});
