import { afterEach, describe, expect, it } from 'vitest';
import { makeJwt, startGraphSimulator, type GraphSimulator } from './server';

let sim: GraphSimulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

const USER = 'user-token';
async function start(pageSize = 2) {
  sim = await startGraphSimulator({ pageSize, tokens: { [USER]: { kind: 'delegated', upn: 'ann@contoso.com' }, app: { kind: 'application', appId: 'a1' } } });
  sim.addPrinter({ id: 'p1', displayName: 'P1' });
  sim.addShare({ id: 's1', displayName: 'S1', printerId: 'p1' });
  return sim;
}
const call = (s: GraphSimulator, method: string, path: string, body?: unknown, token: string | null = USER) =>
  fetch(`${s.url}${path}`, { method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
const batch = (s: GraphSimulator, requests: unknown[]) => call(s, 'POST', '/v1.0/$batch', { requests });

describe('Graph simulator', () => {
  it('checks bearer tokens and expiry', async () => {
    const s = await start();
    expect((await call(s, 'GET', '/v1.0/print/shares', undefined, null)).status).toBe(401);
    expect((await call(s, 'GET', '/v1.0/print/shares', undefined, 'nope')).status).toBe(401);
    expect((await call(s, 'GET', '/v1.0/print/shares')).status).toBe(200);
    s.expireToken(USER);
    const res = await call(s, 'GET', '/v1.0/print/shares');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('pages with absolute nextLinks, and filters jobs by UPN only as documented', async () => {
    const s = await start(2);
    for (let i = 0; i < 3; i++) s.addJob({ printerId: 'p1', upn: 'ann@contoso.com' });
    s.addJob({ printerId: 'p1', upn: 'bob@contoso.com' });
    const f = encodeURIComponent("createdBy/userPrincipalName eq 'ann@contoso.com'");
    const p1 = (await (await call(s, 'GET', `/v1.0/print/shares/s1/jobs?$filter=${f}`)).json()) as { value: unknown[]; '@odata.nextLink': string };
    expect(p1.value.length).toBe(2);
    expect(p1['@odata.nextLink'].startsWith(`${s.url}/v1.0/print/shares/s1/jobs?`)).toBe(true);
    const p2 = (await (await fetch(p1['@odata.nextLink'], { headers: { Authorization: `Bearer ${USER}` } })).json()) as { value: unknown[]; '@odata.nextLink'?: string };
    expect([p2.value.length, p2['@odata.nextLink']]).toEqual([1, undefined]);
    expect((await call(s, 'GET', '/v1.0/print/shares/s1/jobs')).status).toBe(403);
    expect((await call(s, 'GET', '/v1.0/print/shares/s1/jobs?$top=5')).status).toBe(400);
    expect((await call(s, 'GET', `/v1.0/print/shares/s1/jobs?$filter=${encodeURIComponent("status/state eq 'completed'")}`)).status).toBe(400);
  });

  it('includes documents in a job list only for $expand=documents, keeps the expand on next pages, and refuses expanding tasks there', async () => {
    const s = await start(1);
    s.addJob({ printerId: 'p1', upn: 'ann@contoso.com', documents: [{ displayName: 'a.pdf', contentType: 'application/pdf', size: 3 }] });
    s.addJob({ printerId: 'p1', upn: 'ann@contoso.com', documents: [{ displayName: 'b.pdf', contentType: 'application/pdf', size: 3 }] });
    const f = encodeURIComponent("createdBy/userPrincipalName eq 'ann@contoso.com'");
    const plain = (await (await call(s, 'GET', `/v1.0/print/shares/s1/jobs?$filter=${f}`)).json()) as { value: { documents?: unknown }[] };
    expect(plain.value[0].documents).toBeUndefined();
    const p1 = (await (await call(s, 'GET', `/v1.0/print/shares/s1/jobs?$filter=${f}&$expand=documents`)).json()) as { value: { documents: { displayName: string }[] }[]; '@odata.nextLink': string };
    expect(p1.value[0].documents.map((d) => d.displayName)).toEqual(['a.pdf']);
    const p2 = (await (await fetch(p1['@odata.nextLink'], { headers: { Authorization: `Bearer ${USER}` } })).json()) as { value: { documents: { displayName: string }[] }[] };
    expect(p2.value[0].documents.map((d) => d.displayName)).toEqual(['b.pdf']);
    const tasks = await call(s, 'GET', `/v1.0/print/shares/s1/jobs?$filter=${f}&$expand=tasks`);
    expect(tasks.status).toBe(400);
    expect((await call(s, 'GET', `/v1.0/print/shares/s1/jobs?$filter=${f}&$select=id`)).status).toBe(400);
  });

  it('enforces $batch rules and shuffles answers; per-item 429 carries Retry-After', async () => {
    const s = await start();
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/print/shares' }));
    expect((await batch(s, many)).status).toBe(400);
    expect((await batch(s, [{ id: 'a', method: 'GET', url: '/print/shares' }, { id: 'a', method: 'GET', url: '/print/shares' }])).status).toBe(400);
    s.injectItemFault('/print/shares', { status: 429, retryAfter: '3' });
    const steps = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, method: 'GET', url: i === 1 ? `${s.url}/v1.0/print/shares` : i === 2 ? '/v1.0/print/shares' : '/print/shares' }));
    const out = (await (await batch(s, steps)).json()) as { responses: { id: string; status: number; headers: Record<string, string> }[] };
    expect(out.responses.map((x) => x.id).sort()).toEqual(steps.map((x) => x.id).sort());
    expect(out.responses.map((x) => x.id)).not.toEqual(steps.map((x) => x.id));
    const by = new Map(out.responses.map((x) => [x.id, x]));
    expect(by.get('r0')!.status).toBe(429);
    expect(by.get('r0')!.headers['Retry-After']).toBe('3');
    expect([by.get('r1')!.status, by.get('r2')!.status, by.get('r3')!.status]).toEqual([400, 400, 200]);
    expect(s.httpRequests('$batch')).toBe(3);
  });

  it('aborts only with an application token and this app\'s processing task', async () => {
    const s = await start();
    const j = s.addJob({ printerId: 'p1', upn: 'ann@contoso.com', lifecycle: 'processingForever' });
    expect((await call(s, 'POST', `/v1.0/print/printers/p1/jobs/${j.id}/abort`, { reason: 'x' })).status).toBe(403);
    expect((await call(s, 'POST', `/v1.0/print/printers/p1/jobs/${j.id}/abort`, { reason: 'x' }, 'app')).status).toBe(400);
    s.addTask('p1', j.id, { appId: 'a1' });
    expect((await call(s, 'POST', `/v1.0/print/shares/s1/jobs/${j.id}/abort`, {}, 'app')).status).toBe(400);
    expect((await call(s, 'POST', `/v1.0/print/printers/p1/jobs/${j.id}/abort`, { reason: 'stop' }, 'app')).status).toBe(204);
    expect(s.getJob('p1', j.id)!.status).toMatchObject({ state: 'aborted', description: 'stop' });
  });

  it('runs create / upload session / ranged PUT without Authorization / start, and deletes sessions both ways', async () => {
    const s = await start();
    // Only the configuration may be given ("Create printJob for a printerShare").
    const refused = await call(s, 'POST', '/v1.0/print/shares/s1/jobs', { displayName: 'a.pdf', configuration: {} });
    expect(refused.status).toBe(400);
    const job = (await (await call(s, 'POST', '/v1.0/print/shares/s1/jobs', { configuration: {} })).json()) as { id: string; status: { state: string; details: string[] }; documents: { id: string }[] };
    expect(job.status).toMatchObject({ state: 'paused', details: ['uploadPending'] });
    const docPath = `/v1.0/print/shares/s1/jobs/${job.id}/documents/${job.documents[0].id}`;
    const sess = (await (await call(s, 'POST', `${docPath}/createUploadSession`, { properties: { documentName: 'a.pdf', contentType: 'application/pdf', size: 4 } })).json()) as { uploadUrl: string };
    expect((await fetch(sess.uploadUrl, { method: 'PUT', headers: { Authorization: `Bearer ${USER}`, 'Content-Range': 'bytes 0-1/4' }, body: Buffer.from([1, 2]) })).status).toBe(401);
    expect((await fetch(sess.uploadUrl, { method: 'PUT', headers: { 'Content-Range': 'bytes 2-3/4' }, body: Buffer.from([3, 4]) })).status).toBe(416);
    expect((await fetch(sess.uploadUrl, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-1/4' }, body: Buffer.from([1, 2]) })).status).toBe(202);
    expect((await call(s, 'POST', `/v1.0/print/shares/s1/jobs/${job.id}/start`)).status).toBe(400);
    expect((await fetch(sess.uploadUrl, { method: 'PUT', headers: { 'Content-Range': 'bytes 2-3/4' }, body: Buffer.from([3, 4]) })).status).toBe(201);
    expect([...s.uploadedBytes('p1', job.id, job.documents[0].id)!]).toEqual([1, 2, 3, 4]);
    expect((await call(s, 'POST', `/v1.0/print/shares/s1/jobs/${job.id}/start`)).status).toBe(200);
    // A second job: delete its session through the uploadUrl, a third through the Graph route.
    const j2 = (await (await call(s, 'POST', '/v1.0/print/shares/s1/jobs', { configuration: {} })).json()) as { id: string; documents: { id: string }[] };
    const d2 = `/v1.0/print/shares/s1/jobs/${j2.id}/documents/${j2.documents[0].id}`;
    const s2 = (await (await call(s, 'POST', `${d2}/createUploadSession`, { properties: { documentName: 'b', contentType: 'application/pdf', size: 9 } })).json()) as { uploadUrl: string };
    expect((await fetch(s2.uploadUrl, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(s2.uploadUrl, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-0/9' }, body: Buffer.from([1]) })).status).toBe(404);
    await call(s, 'POST', `${d2}/createUploadSession`, { properties: { documentName: 'b', contentType: 'application/pdf', size: 9 } });
    // Seed 001: only on beta, only through the printer; v1.0 and the share route have no such call.
    const seedPath = `/print/printers/p1/jobs/${j2.id}/documents/${j2.documents[0].id}/uploadSession`;
    expect((await call(s, 'DELETE', `${d2}/uploadSession`)).status).toBe(400);
    expect((await call(s, 'DELETE', `/v1.0${seedPath}`)).status).toBe(400);
    expect((await call(s, 'DELETE', `/beta/print/shares/s1/jobs/${j2.id}/documents/${j2.documents[0].id}/uploadSession`)).status).toBe(400);
    expect((await call(s, 'GET', `/beta/print/shares/s1`)).status).toBe(400);
    expect((await call(s, 'DELETE', `/beta${seedPath}`, undefined, 'app')).status).toBe(403);
    expect((await call(s, 'DELETE', `/beta${seedPath}`)).status).toBe(204);
    const gone = await call(s, 'DELETE', `/beta${seedPath}`);
    expect([gone.status, ((await gone.json()) as { error: { message: string } }).error.message]).toEqual([404, 'There is no upload session for this document.']);
    expect(s.uploadSessions()).toEqual([]);
  });

  it('answers /me for delegated tokens (with $select) and refuses it for app-only tokens and without User.Read', async () => {
    const s = await start();
    const me = await call(s, 'GET', '/v1.0/me?$select=userPrincipalName');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userPrincipalName: 'ann@contoso.com' });
    expect(Object.keys((await (await call(s, 'GET', '/v1.0/me?$select=userPrincipalName')).json()) as object).sort()).toEqual(['@odata.context', 'userPrincipalName']);
    expect((await call(s, 'GET', '/v1.0/me?$select=shoeSize')).status).toBe(400);
    const app = await call(s, 'GET', '/v1.0/me', undefined, 'app');
    expect([app.status, ((await app.json()) as { error: { message: string } }).error.message]).toEqual([400, '/me request is only valid with delegated authentication flow.']);
    s.addToken('narrow', { kind: 'delegated', upn: 'ann@contoso.com', scopes: ['PrintJob.ReadBasic'] });
    expect((await call(s, 'GET', '/v1.0/me', undefined, 'narrow')).status).toBe(403);
  });

  it("expands a share's printer only for printer administrators", async () => {
    const s = await start();
    expect((await call(s, 'GET', '/v1.0/print/shares/s1?$expand=printer')).status).toBe(403);
    s.addToken('admin', { kind: 'delegated', upn: 'pat@contoso.com', roles: ['Printer Administrator'] });
    const res = (await (await call(s, 'GET', '/v1.0/print/shares/s1?$expand=printer', undefined, 'admin')).json()) as { printer: { id: string } };
    expect(res.printer.id).toBe('p1');
    expect((await call(s, 'GET', '/v1.0/print/shares/s1?$expand=jobs', undefined, 'admin')).status).toBe(400);
  });

  it('advances lifecycles, purges jobs (404), and injects faults', async () => {
    const s = await start();
    const j = s.addJob({ printerId: 'p1', upn: 'ann@contoso.com', lifecycle: 'completed' });
    s.tick(3);
    expect(s.getJob('p1', j.id)!.status.state).toBe('completed');
    s.purgeJob('p1', j.id);
    expect((await call(s, 'GET', `/v1.0/print/printers/p1/jobs/${j.id}`)).status).toBe(404);
    s.injectFault('/print/shares', { kind: 'status', status: 503, retryAfter: '7' });
    const busy = await call(s, 'GET', '/v1.0/print/shares');
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([503, '7']);
    s.injectFault('/print/shares', { kind: 'malformed' });
    const bad = await call(s, 'GET', '/v1.0/print/shares');
    await expect(bad.json()).rejects.toThrow();
    s.injectFault('/print/shares', { kind: 'refuse' });
    await expect(call(s, 'GET', '/v1.0/print/shares')).rejects.toThrow();
    expect((await call(s, 'GET', '/v1.0/print/shares')).status).toBe(200);
    expect(makeJwt({ a: 1 }).split('.').length).toBe(3);
  });
});
