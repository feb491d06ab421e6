import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../main/queue/source';
import { AuthRequiredError, type TokenProvider } from '../../../main/sources/graph/auth';
import { ANN, ANN_TOKEN, asJob, byNative, ctx, rig, source, type Rig } from './helpers';
import { makeJwt } from '../../simulators/graph/server';

let r: Rig | null = null;
afterEach(async () => {
  await r?.sim.close();
  r = null;
});

async function sharesRig(n: number, pageSize = 10) {
  r = await rig({ pageSize });
  r.sim.addPrinter({ id: 'p0', displayName: 'Printer 0' });
  for (let i = 0; i < n; i++) r.sim.addShare({ id: `s${i}`, displayName: `Share ${i}`, printerId: 'p0' });
  return r;
}

describe('Graph polling through $batch', () => {
  it('discovers 45 shares through paged $batch and lists their jobs in 3 batch calls, following next pages', async () => {
    const r = await sharesRig(45, 10);
    // 12 of Ann's jobs on the printer behind share s0: two pages of the job list.
    for (let i = 0; i < 12; i++) r.sim.addJob({ id: `j${i}`, printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    r.sim.addJob({ id: 'bob1', printerId: 'p0', upn: 'bob@contoso.com' });
    const src = source(r);
    const first = await src.poll(ctx());
    expect(first.complete).toBe(true);
    expect(first.health.status).toBe('ok');
    // Each of the 45 shares is backed by p0, so each lists Ann's 12 jobs (keyed per share).
    expect(first.jobs.length).toBe(45 * 12);
    expect(first.jobs.every((j) => j.mine && j.owner === 'ann')).toBe(true);
    // Shares discovery: 5 pages of /print/shares, sent one batch at a time (each page needs the previous).
    r.sim.resetLog();
    const second = await src.poll(ctx());
    expect(second.jobs.length).toBe(45 * 12);
    // Steady state: 45 first pages and 45 next pages share batches of 20: ceil(90 / 20) = 5 calls,
    // nothing per job.
    expect(r.sim.httpRequests()).toBe(5);
    expect(r.sim.httpRequests('POST /v1.0/$batch')).toBe(5);
    const items = r.sim.log.filter((e) => e.viaBatch);
    expect(items.length).toBe(90);
    expect(items.every((e) => /^\/print\/shares\/s\d+\/jobs$/.test(e.path))).toBe(true);
    expect(items.every((e) => e.query.includes('createdBy%2FuserPrincipalName') || e.query.includes('createdBy/userPrincipalName'))).toBe(true);
    expect(r.sim.log.some((e) => e.viaBatch && /\/jobs\/[^/]+$/.test(e.path))).toBe(false);
  });

  it('lists everyone\'s jobs with scope "all" (admin role) and no filter', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front desk share', printerId: 'p1' });
    r.sim.addJob({ id: 'a', printerId: 'p1', upn: ANN });
    r.sim.addJob({ id: 'b', printerId: 'p1', upn: 'bob@contoso.com', userDisplayName: 'Bob' });
    const res = await source(r, { scope: 'all', shares: ['s1'], printers: ['p1'] }).poll(ctx());
    expect(res.jobs.map((j) => j.key).sort()).toEqual(['up:p1/a', 'up:p1/b', 'up:s1/a', 'up:s1/b']);
    expect(byNative(res, 'b').mine).toBe(false);
    expect(res.jobs.find((j) => j.key === 'up:s1/a')!.printer).toBe('Front desk share');
    const lists = r.sim.log.filter((e) => e.viaBatch && e.path.endsWith('/jobs'));
    expect(lists.length).toBe(2);
    expect(lists.every((e) => !e.query.includes('filter') && e.query.includes('$expand=documents'))).toBe(true);
  });

  it('maps every processing state and state detail, with errorCode and "printed on" in extra', async () => {
    r = await rig();
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addPrinter({ id: 'p2', displayName: 'Back office' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    const cases: [string, string[], string, string][] = [
      ['pending', [], 'queued', 'pending'],
      ['processing', ['transforming'], 'processing', 'processing/transforming'],
      ['processing', ['interpreting'], 'printing', 'processing/interpreting'],
      ['processing', ['releaseWait'], 'paused', 'processing/releaseWait'],
      ['paused', ['uploadPending'], 'paused', 'paused/uploadPending'],
      ['paused', ['releaseWait'], 'paused', 'paused/releaseWait'],
      ['stopped', [], 'paused', 'stopped'],
      ['completed', ['completedSuccessfully'], 'completed', 'completed/completedSuccessfully'],
      ['completed', ['completedWithWarnings'], 'completed', 'completed/completedWithWarnings'],
      ['completed', ['completedWithErrors'], 'failed', 'completed/completedWithErrors'],
      ['canceled', [], 'canceled', 'canceled'],
      ['aborted', [], 'failed', 'aborted'],
      ['unknown', [], 'unknown', 'unknown'],
      ['unknownFutureValue', ['unknownFutureValue'], 'unknown', 'unknownFutureValue/unknownFutureValue'],
      ['someStateFrom2030', ['newDetail'], 'unknown', 'someStateFrom2030/newDetail'],
    ];
    cases.forEach(([state, details], i) => {
      r!.sim.addJob({ id: `c${i}`, printerId: 'p1', upn: ANN });
      r!.sim.setJobStatus('p1', `c${i}`, { state, details, description: i === 0 ? 'The print job is queued.' : '' }, i === 9 ? 3 : undefined);
    });
    const res = await source(r, { shares: ['s1'] }).poll(ctx());
    cases.forEach(([, , want, raw], i) => {
      const j = byNative(res, `c${i}`);
      expect([j.state, j.rawState]).toEqual([want, raw]);
    });
    expect(byNative(res, 'c0').detail).toBe('The print job is queued.');
    expect(byNative(res, 'c1').detail).toBe('Universal Print is converting the document.');
    expect(byNative(res, 'c9').extra.errorCode).toBe(3);
    expect(byNative(res, 'c7').cancel).toEqual({ allowed: false, reason: 'The job is already completed.' });
    expect(byNative(res, 'c0').cancel.allowed).toBe(true);
    expect(byNative(res, 'c0').abort).toBeUndefined();
  });

  it('shows a redirected job as "printed on <printer>"', async () => {
    r = await rig();
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addPrinter({ id: 'p2', displayName: 'Back office' });
    r.sim.addJob({ id: 'r1', printerId: 'p1', upn: ANN, lifecycle: 'processingForever' });
    r.sim.addTask('p1', 'r1', { appId: 'admin-app' });
    r.sim.addToken('app-token', { kind: 'application', appId: 'admin-app' });
    const res = await fetch(`${r.sim.baseUrl}/print/printers/p1/jobs/r1/redirect`, { method: 'POST', headers: { Authorization: 'Bearer app-token', 'Content-Type': 'application/json' }, body: JSON.stringify({ destinationPrinterId: 'p2' }) });
    expect(res.status).toBe(200);
    r.sim.addToken('admin-user', { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] });
    await r.secrets.set('up', 'TOKEN', 'admin-user');
    const out = await source(r, { printers: ['p1', 'p2'], userPrincipalName: ANN }).poll(ctx());
    const j = out.jobs.find((x) => x.key === 'up:p1/r1')!;
    expect(j.extra.redirectedTo).toBe('printed on Back office');
    expect(String(j.extra.redirectedToUrl)).toMatch(/\/print\/printers\/p2\/jobs\//);
  });

  it('reports printer state and acceptance in health', async () => {
    r = await rig();
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    r.sim.setPrinterStatus('p1', { state: 'stopped', details: ['mediaJam'], description: 'Paper jam in tray 2' }, false);
    const res = await source(r).poll(ctx());
    expect(res.health.status).toBe('ok');
    // In the words the Printers view shows: the printer's own description, then its details in plain words.
    expect(res.printers).toEqual([expect.objectContaining({ name: 'Front', state: 'stopped', reasons: ['Paper jam in tray 2', 'Paper jam'] })]);
    expect(res.health.message).toContain('Front is stopped (Paper jam in tray 2, Paper jam).');
    expect(res.health.detail!.printers).toEqual([{ kind: 'share', id: 's1', name: 'Front', state: 'stopped', details: ['mediaJam'], description: 'Paper jam in tray 2', isAcceptingJobs: false }]);
  });

  it('says an offline printer is offline, not stopped, and a printer that takes no jobs is not accepting them', async () => {
    r = await adminRig();
    r.sim.setPrinterStatus('p1', { state: 'stopped', details: ['timedOut'], description: '' });
    r.sim.setPrinterStatus('p2', { state: 'idle', details: [], description: '' }, false);
    r.sim.setPrinterStatus('p3', { state: 'idle', details: [], description: '' });
    const res = await source(r, { printers: ['p1', 'p2', 'p3'], userPrincipalName: ANN }).poll(ctx());
    expect(res.printers?.map((p) => [p.name, p.state, p.reasons])).toEqual([
      ['Front desk', 'offline', ['The printer does not answer']],
      ['Back office', 'ready', []],
      ['Basement', 'ready', []],
    ]);
    expect(res.health.message).toBe('Watching 3 printers for your jobs. Front desk is offline (The printer does not answer). Back office is not accepting jobs.');
  });

  /** A printer administrator signed in, and three printers: Front desk (p1), Back office (p2), Basement (p3). */
  async function adminRig(): Promise<Rig> {
    const admin = await rig();
    admin.sim.addToken('admin-user', { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] });
    await admin.secrets.set('up', 'TOKEN', 'admin-user');
    for (const [id, displayName] of [['p1', 'Front desk'], ['p2', 'Back office'], ['p3', 'Basement']]) admin.sim.addPrinter({ id, displayName });
    return admin;
  }

  it('a printer someone paused (stopped with the detail paused or movingToPaused) is Paused; paused with a fault is Stopped', async () => {
    r = await adminRig();
    r.sim.setPrinterStatus('p1', { state: 'stopped', details: ['paused', 'tonerLow'], description: '' });
    r.sim.setPrinterStatus('p2', { state: 'stopped', details: ['movingToPaused'], description: 'Paused for maintenance' });
    r.sim.setPrinterStatus('p3', { state: 'stopped', details: ['paused', 'mediaJam'], description: '' });
    const res = await source(r, { printers: ['p1', 'p2', 'p3'], userPrincipalName: ANN }).poll(ctx());
    expect(res.printers?.map((p) => [p.name, p.state, p.reasons])).toEqual([
      ['Front desk', 'paused', ['Toner low']],
      ['Back office', 'paused', ['Paused for maintenance']],
      ['Basement', 'stopped', ['Paused', 'Paper jam']],
    ]);
    // The health says what the Printers view shows, not Graph's camel-case values.
    expect(res.health.message).toBe('Watching 3 printers for your jobs. Front desk is paused (Toner low). Back office is paused (Paused for maintenance). Basement is stopped (Paused, Paper jam).');
  });

  it('fills the printer model from the shares and printers it watches: state, reasons in plain words, accepting jobs', async () => {
    r = await adminRig();
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    r.sim.setPrinterStatus('p1', { state: 'stopped', details: ['mediaJam', 'tonerLow'], description: '' }, false);
    r.sim.setPrinterStatus('p2', { state: 'processing', details: ['stoppedPartially', 'opticalPhotoConductorNearEndOfLife', 'unknownFutureValue'], description: 'Tray 3 disabled' });
    r.sim.setPrinterStatus('p3', { state: 'stopped', details: ['shutdown'] });
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const res = await source(r, { shares: ['s1'], printers: ['p2', 'p3'], userPrincipalName: ANN }).poll(ctx());
    expect(res.printers).toEqual([
      { key: 'up:s1', sourceId: 'up', sourceKind: 'graph', id: 's1', name: 'Front', state: 'stopped', reasons: ['Paper jam', 'Toner low'], acceptingJobs: false },
      { key: 'up:p2', sourceId: 'up', sourceKind: 'graph', id: 'p2', name: 'Back office', state: 'printing', reasons: ['Tray 3 disabled', 'Partly stopped', 'Drum almost worn out'], acceptingJobs: true },
      { key: 'up:p3', sourceId: 'up', sourceKind: 'graph', id: 'p3', name: 'Basement', state: 'offline', reasons: ['Shut down'], acceptingJobs: true },
    ]);
    // The job on the share counts on that printer (the engine matches them by name).
    expect(res.jobs.find((j) => j.nativeId === 'j1')).toMatchObject({ printer: 'Front' });
    // Shut down is offline, not stopped, in the health as in the Printers view.
    expect(res.health.message).toBe('Watching 3 printers for your jobs. Front is stopped (Paper jam, Toner low). Basement is offline (Shut down).');
    // The simulator sends only what Graph documents.
    expect(() => r!.sim.setPrinterStatus('p1', { details: ['paperJam'] })).toThrow('"paperJam" is not a printerProcessingStateDetail');
  });
});

describe('Graph throttling, auth and faults', () => {
  it('applies the successful steps and re-sends per-item 429 steps after the longest Retry-After', async () => {
    const r = await sharesRig(3);
    r.sim.addJob({ id: 'j1', printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    await src.poll(ctx()); // discovery
    r.sim.resetLog();
    r.sim.injectItemFault('/print/shares/s0/jobs', { status: 429, retryAfter: '2.128' });
    r.sim.injectItemFault('/print/shares/s1/jobs', { status: 429, retryAfter: '5' });
    const p = src.poll(ctx());
    let settled = false;
    void p.then(() => (settled = true));
    // Wait (real time, for the real HTTP round trip) until the source sleeps on the fake clock.
    while (r.clock.pendingTimers() === 0) await new Promise((res) => setTimeout(res, 5));
    expect(r.clock.pendingDueTimes()[0] - r.clock.now()).toBe(5000);
    await r.clock.advance(4999);
    expect(settled).toBe(false);
    await r.clock.advance(1);
    const res = await p;
    expect(res.complete).toBe(true);
    expect(res.jobs.map((j) => j.key).sort()).toEqual(['up:s0/j1', 'up:s1/j1', 'up:s2/j1']);
    expect(r.sim.httpRequests('POST /v1.0/$batch')).toBe(2);
    expect(r.sim.log.filter((e) => e.viaBatch && e.status === 200).length).toBe(3);
  });

  it('backs off with jitter drawn from the injected random when a throttled step gives no Retry-After', async () => {
    const r = await sharesRig(2);
    r.sim.addJob({ id: 'j1', printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const src = source({ ...r, deps: { ...r.deps, random: () => 0.5 } });
    await src.poll(ctx());
    r.sim.injectItemFault('/print/shares/s1/jobs', { status: 429, retryAfter: null });
    const p = src.poll(ctx());
    while (r.clock.pendingTimers() === 0) await new Promise((res) => setTimeout(res, 5));
    // Round 0: 1 s, half fixed and half jittered: 500 ms + 0.5 x 500 ms.
    expect(r.clock.pendingDueTimes()[0] - r.clock.now()).toBe(750);
    await r.clock.advance(750);
    const res = await p;
    expect(res.complete).toBe(true);
    expect(res.jobs.map((j) => j.key).sort()).toEqual(['up:s0/j1', 'up:s1/j1']);
  });

  it('ends the poll partial and degraded when Retry-After is too long, asking the engine to wait', async () => {
    const r = await sharesRig(2);
    r.sim.addJob({ id: 'j1', printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    await src.poll(ctx());
    r.sim.injectItemFault('/print/shares/s1/jobs', { status: 429, retryAfter: '120' });
    const res = await src.poll(ctx());
    expect(res.complete).toBe(false);
    expect(res.retryAfterMs).toBe(120_000);
    expect(res.health.status).toBe('degraded');
    expect(res.health.message).toBe('Universal Print is throttling requests: 1 job list will be fetched again in 120 s.');
    expect(res.jobs.map((j) => j.key)).toEqual(['up:s0/j1']);
  });

  it('refreshes the token once after a 401, then asks for sign-in', async () => {
    r = await rig();
    r.sim.addPrinter({ id: 'p1', displayName: 'P1' });
    r.sim.addShare({ id: 's1', displayName: 'S1', printerId: 'p1' });
    r.sim.addToken('stale', { kind: 'delegated', upn: ANN, expiresAt: 0 });
    const calls: boolean[] = [];
    let fresh = ANN_TOKEN;
    const tp: TokenProvider = {
      async getToken(req) {
        calls.push(!!req.forceRefresh);
        return req.forceRefresh ? fresh : 'stale';
      },
      account: () => ({ username: ANN }),
    };
    const src = source(r, {}, { tokenProvider: tp });
    const ok = await src.poll(ctx());
    expect(ok.health.status).toBe('ok');
    expect(calls.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    fresh = 'stale';
    calls.length = 0;
    const err = await src.poll(ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).status).toBe('auth-required');
    expect((err as SourceError).message).toMatch(/sign in again/);
    expect((err as SourceError).message).not.toContain('stale');
    expect(calls).toEqual([false, true]);
  });

  it('turns auth-required when no token is stored', async () => {
    r = await rig();
    await r.secrets.delete('up', 'TOKEN');
    const err = (await source(r).poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect(err.status).toBe('auth-required');
    expect(err.message).toContain('PQM_SECRET_UP_TOKEN');
    const tp: TokenProvider = { getToken: async () => Promise.reject(new AuthRequiredError('expired and not renewable')) };
    const e2 = (await source(r, { userPrincipalName: ANN }, { tokenProvider: tp }).poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect([e2.status, e2.message]).toEqual(['auth-required', 'expired and not renewable']);
  });

  it('asks Graph once who "me" is (the token is opaque: never decoded), and again only for another token', async () => {
    r = await rig({ tokens: { 'opaque-ann': { kind: 'delegated', upn: ANN }, [makeJwt({ upn: 'mallory@contoso.com' })]: { kind: 'delegated', upn: ANN }, 'opaque-bob': { kind: 'delegated', upn: 'bob@contoso.com' } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'P1' });
    r.sim.addShare({ id: 's1', displayName: 'S1', printerId: 'p1' });
    r.sim.addJob({ id: 'a1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    r.sim.addJob({ id: 'b1', printerId: 'p1', upn: 'bob@contoso.com', lifecycle: 'releaseWait' });
    await r.secrets.set('up', 'TOKEN', 'opaque-ann');
    const src = source(r);
    const meCalls = () => r!.sim.log.filter((e) => e.path === '/v1.0/me');
    const first = await src.poll(ctx());
    expect(first.jobs.map((j) => j.key)).toEqual(['up:s1/a1']);
    expect(byNative(first, 'a1').mine).toBe(true);
    expect(meCalls().map((e) => [e.query, e.status])).toEqual([['$select=userPrincipalName', 200]]);
    await src.poll(ctx());
    expect(meCalls().length).toBe(1);
    // A token whose claims name someone else: the claims are not read, Graph is asked.
    await r.secrets.set('up', 'TOKEN', makeJwt({ upn: 'mallory@contoso.com' }));
    expect((await src.poll(ctx())).jobs.map((j) => j.key)).toEqual(['up:s1/a1']);
    await r.secrets.set('up', 'TOKEN', 'opaque-bob');
    const bob = await src.poll(ctx());
    expect(bob.jobs.map((j) => j.key)).toEqual(['up:s1/b1']);
    expect(meCalls().length).toBe(3);
  });

  it('filters "my jobs" by the UPN Graph names in /me, not the signed-in account\'s name (a guest\'s differ)', async () => {
    const GUEST = 'ann_contoso.com#EXT#@fabrikam.onmicrosoft.com';
    r = await rig({ tokens: { 'guest-token': { kind: 'delegated', upn: GUEST } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'P1' });
    r.sim.addShare({ id: 's1', displayName: 'S1', printerId: 'p1' });
    r.sim.addJob({ id: 'g1', printerId: 'p1', upn: GUEST, lifecycle: 'releaseWait' });
    // MSAL's account name is the preferred_username claim: the guest's own address, not the UPN.
    const tp: TokenProvider = { getToken: async () => 'guest-token', account: () => ({ username: 'ann@contoso.com' }) };
    const src = source(r, {}, { tokenProvider: tp });
    const first = await src.poll(ctx());
    expect(first.health.status).toBe('ok');
    expect(first.jobs.map((j) => [j.key, j.mine])).toEqual([['up:s1/g1', true]]);
    await src.poll(ctx());
    expect(r.sim.log.filter((e) => e.path === '/v1.0/me')).toHaveLength(1);
  });

  it('says in one sentence that an app-only token has no "me", and names User.Read when /me is refused', async () => {
    r = await rig({ tokens: { app: { kind: 'application', appId: 'a1' }, narrow: { kind: 'delegated', upn: ANN, scopes: ['PrintJob.ReadBasic', 'PrinterShare.ReadBasic.All'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'P1' });
    r.sim.addShare({ id: 's1', displayName: 'S1', printerId: 'p1' });
    await r.secrets.set('up', 'TOKEN', 'app');
    const e = (await source(r).poll(ctx()).catch((x: unknown) => x)) as SourceError;
    expect([e.status, e.message]).toEqual([
      'auth-required',
      'The token of "Universal Print" is an app-only token, which has no signed-in user ("/me request is only valid with delegated authentication flow"), so "my jobs" cannot be listed: use a delegated token, set userPrincipalName in Settings, or watch everyone\'s jobs (scope "all").',
    ]);
    await r.secrets.set('up', 'TOKEN', 'narrow');
    const e2 = (await source(r).poll(ctx()).catch((x: unknown) => x)) as SourceError;
    expect([e2.status, e2.message]).toEqual(['auth-required', 'Universal Print refused the request for the signed-in user\'s name ("Insufficient privileges to complete the operation."): the account needs the delegated permission User.Read.']);
  });

  it('says where Graph redirected when the redirect is not followed', async () => {
    r = await rig();
    const { createServer } = await import('node:http');
    const mover = createServer((req, res) => res.writeHead(302, { location: `http://localhost:${port}${req.url}` }).end());
    await new Promise<void>((done) => mover.listen(0, '127.0.0.1', done));
    const port = (mover.address() as { port: number }).port;
    try {
      const e = (await source(r, { baseUrl: `http://127.0.0.1:${port}/v1.0` }).poll(ctx()).catch((x: unknown) => x)) as SourceError;
      expect([e.status, e.message]).toEqual(['degraded', `Universal Print answered 302 to localhost:${port}; a redirect to another host is not followed.`]);
    } finally {
      mover.closeAllConnections();
      await new Promise<void>((done) => mover.close(() => done()));
    }
  });

  it('names the missing permission or role on 403', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, scopes: ['PrinterShare.ReadBasic.All', 'User.Read'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'P1' });
    r.sim.addShare({ id: 's1', displayName: 'S1', printerId: 'p1' });
    const err = (await source(r).poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect(err.status).toBe('auth-required');
    expect(err.message).toBe('Universal Print refused the job list of share "S1" ("Insufficient privileges to complete the operation."): the account needs the delegated permission PrintJob.ReadBasic.');
    // A user without the admin role asking for everyone's jobs.
    const r2 = r;
    r2.sim.addToken('plain', { kind: 'delegated', upn: ANN });
    await r2.secrets.set('up', 'TOKEN', 'plain');
    const e2 = (await source(r2, { scope: 'all' }).poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect(e2.message).toContain('Printer Administrator role');
  });

  it('is down when the service refuses connections, degraded on 503 with Retry-After and on malformed answers', async () => {
    const r = await sharesRig(1);
    const src = source(r);
    await src.poll(ctx());
    r.sim.injectFault('/v1.0/$batch', { kind: 'refuse' });
    const down = (await src.poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect(down.status).toBe('down');
    expect(down.message).toMatch(/could not be reached/);
    r.sim.injectFault('/v1.0/$batch', { kind: 'status', status: 503, retryAfter: '30' });
    const busy = (await src.poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect([busy.status, busy.retryAfterMs]).toEqual(['degraded', 30_000]);
    expect(busy.message).toBe('Universal Print answered 503: The service is temporarily unavailable.; retrying in 30 s.');
    r.sim.injectFault('/v1.0/$batch', { kind: 'malformed' });
    const bad = (await src.poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect(bad.status).toBe('degraded');
    expect(bad.message).toMatch(/not JSON/);
    r.sim.injectFault('/v1.0/$batch', { kind: 'status', status: 500 });
    const e500 = (await src.poll(ctx()).catch((e: unknown) => e)) as SourceError;
    expect(e500.status).toBe('degraded');
  });

  it('refuses a batch answer whose ids do not match, and a job list of the wrong shape', async () => {
    const r = await sharesRig(1);
    r.sim.addJob({ id: 'j1', printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const http = r.deps.http;
    const real = http.request.bind(http);
    let mode: 'ids' | 'shape' | null = null;
    http.request = (async (req, schema) => {
      const res = await real(req, schema);
      if (req.url.endsWith('/$batch') && mode) {
        const d = res.data as { responses: { id: string; body: unknown }[] };
        if (mode === 'ids') d.responses[0].id = 'zzz';
        else d.responses[0].body = { value: [{ id: 'x', status: 'printing' }] };
      }
      return res;
    }) as typeof http.request;
    const src = source(r, { shares: ['s0'] });
    await src.poll(ctx());
    mode = 'ids';
    const e = (await src.poll(ctx()).catch((x: unknown) => x)) as SourceError;
    expect(e.status).toBe('degraded');
    expect(e.message).toContain('unknown response id "zzz"');
    mode = 'shape';
    const e2 = (await src.poll(ctx()).catch((x: unknown) => x)) as SourceError;
    expect(e2.status).toBe('degraded');
    expect(e2.message).toMatch(/job list of "Share 0" with an unexpected shape \(value\.0\.status/);
  });

  it('never follows a next-page link to another host', async () => {
    const r = await sharesRig(1, 2);
    for (let i = 0; i < 3; i++) r.sim.addJob({ id: `j${i}`, printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    await src.poll(ctx());
    r.sim.foreignNextLink('https://evil.example.net');
    r.sim.resetLog();
    const res = await src.poll(ctx());
    expect(res.complete).toBe(false);
    expect(res.health.status).toBe('degraded');
    expect(res.health.message).toBe('Universal Print returned a next-page link to evil.example.net, which is not the configured Graph address ' + new URL(r.sim.baseUrl).host + '; it was not followed.');
    expect(res.jobs.length).toBe(2);
    expect(r.sim.httpRequests()).toBe(1);
  });

  it('reports a job purged after being seen as gone, and a completed list marks nothing else', async () => {
    const r = await sharesRig(1);
    r.sim.addJob({ id: 'j1', printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    const first = await src.poll(ctx());
    const job = asJob(byNative(first, 'j1'));
    r.sim.purgeJob('p0', 'j1');
    const err = await src.details!(job, new AbortController().signal, {}).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('not-found');
    const next = await src.poll(ctx());
    expect(next.gone).toEqual(['up:s0/j1']);
    expect(next.complete).toBe(true);
    expect(next.jobs).toEqual([]);
  });

  it('uses the stored token while nobody has signed in with Microsoft (client id configured)', async () => {
    const r = await sharesRig(1);
    r.sim.addJob({ id: 'j1', printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r, { clientId: 'desktop-app', authority: 'https://login.invalid/organizations' });
    const res = await src.poll(ctx());
    expect(byNative(res, 'j1').mine).toBe(true);
    await r.secrets.delete('up', 'TOKEN');
    const e = (await src.poll(ctx()).catch((x: unknown) => x)) as SourceError;
    expect([e.status, e.message]).toEqual(['auth-required', 'Not signed in to Universal Print for "up": sign in.']);
    expect(r.logger.lines.join('\n')).not.toContain(ANN_TOKEN);
  });

  /** Two shares, `jobs` jobs, a poll done; then one 401 on s1's list: the poll after it, and each token request's forceRefresh. */
  async function afterOne401(jobs: number, pageSize?: number) {
    const r = await sharesRig(2, pageSize);
    for (let i = 1; i <= jobs; i++) r.sim.addJob({ id: `j${i}`, printerId: 'p0', upn: ANN, lifecycle: 'releaseWait' });
    const forced: boolean[] = [];
    const tp: TokenProvider = { getToken: async (q) => (forced.push(!!q.forceRefresh), ANN_TOKEN), account: () => ({ username: ANN }) };
    const src = source(r, {}, { tokenProvider: tp });
    await src.poll(ctx());
    forced.length = 0;
    r.sim.injectItemFault('/print/shares/s1/jobs', { status: 401 });
    return { r, src, forced, ok: await src.poll(ctx()) };
  }

  it('re-sends a batch item that answered 401 once with a refreshed token, then asks for sign-in', async () => {
    const { r, src, forced, ok } = await afterOne401(1);
    expect(ok.complete).toBe(true);
    expect(ok.jobs.map((j) => j.key).sort()).toEqual(['up:s0/j1', 'up:s1/j1']);
    expect(forced).toEqual([false, true]);
    r.sim.injectItemFault('/print/shares/s1/jobs', { status: 401 }, 2);
    const e = (await src.poll(ctx()).catch((x: unknown) => x)) as SourceError;
    expect([e.status, e.message]).toEqual(['auth-required', 'Universal Print no longer accepts the sign-in (401 after a token refresh): sign in again.']);
  });

  it('one 401 refreshes the token once: the batches after it (next pages) use the new token', async () => {
    const { forced, ok } = await afterOne401(5, 2);
    expect(ok.complete).toBe(true);
    // The re-sent step's next pages come in batches of their own: none of them forces another refresh.
    expect(forced.filter(Boolean)).toEqual([true]);
    expect(forced.length).toBeGreaterThan(2);
  });
});
