import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../../preload/contract/model';
import { ANN, ANN_TOKEN, asJob, byNative, ctx, rig, source, type Rig } from './helpers';

let r: Rig | null = null;
afterEach(async () => {
  await r?.sim.close();
  r = null;
});

const sig = () => new AbortController().signal;
const fail = async (p: Promise<unknown>) => (await p.then(() => null, (e: unknown) => e)) as AppFailure;

/** Two printers, each behind one share; a third share nobody watches. */
async function twoShares() {
  r = await rig();
  r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
  r.sim.addPrinter({ id: 'p2', displayName: 'Back office' });
  r.sim.addPrinter({ id: 'p3', displayName: 'Basement' });
  r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
  r.sim.addShare({ id: 's2', displayName: 'Back', printerId: 'p2' });
  r.sim.addShare({ id: 's3', displayName: 'Cellar', printerId: 'p3' });
  return r;
}

describe('Graph document names in the queue', () => {
  it('asks the job lists for documents and shows the first name, "+N more" for several', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: 'one', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait', documents: [{ displayName: 'budget.xlsx', contentType: 'application/pdf', size: 10 }] });
    r.sim.addJob({
      id: 'three',
      printerId: 'p1',
      upn: ANN,
      lifecycle: 'releaseWait',
      documents: [
        { displayName: 'a.pdf', contentType: 'application/pdf', size: 1 },
        { displayName: 'b.pdf', contentType: 'application/pdf', size: 1 },
        { displayName: 'c.pdf', contentType: 'application/pdf', size: 1 },
      ],
    });
    r.sim.addJob({ id: 'none', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait', documents: [] });
    const src = source(r, { shares: ['s1'] });
    const res = await src.poll(ctx());
    expect(byNative(res, 'one').document).toBe('budget.xlsx');
    expect(byNative(res, 'three').document).toBe('a.pdf +2 more');
    expect(byNative(res, 'none').document).toBeNull();
    const lists = r.sim.log.filter((e) => e.viaBatch && e.path === '/print/shares/s1/jobs');
    expect(lists.length).toBe(1);
    expect(decodeURIComponent(lists[0].query)).toBe("$filter=createdBy/userPrincipalName eq 'ann@contoso.com'&$expand=documents");
    // No per-job request to learn the names.
    expect(r.sim.log.some((e) => /\/jobs\/[^/]+$/.test(e.path))).toBe(false);
  });

  it('keeps the documents on every next page of a job list', async () => {
    r = await rig({ pageSize: 2 });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    for (let i = 0; i < 5; i++) r.sim.addJob({ id: `j${i}`, printerId: 'p1', upn: ANN, lifecycle: 'releaseWait', documents: [{ displayName: `doc${i}.pdf`, contentType: 'application/pdf', size: 1 }] });
    const res = await source(r, { shares: ['s1'] }).poll(ctx());
    expect(res.jobs.map((j) => j.document).sort()).toEqual(['doc0.pdf', 'doc1.pdf', 'doc2.pdf', 'doc3.pdf', 'doc4.pdf']);
    expect(r.sim.log.filter((e) => e.viaBatch && e.path === '/print/shares/s1/jobs').length).toBe(3);
  });
});

describe('Graph track', () => {
  it('finds a plain job id on the one watched share that has it, in one batch, and keeps it tracked', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '77', printerId: 'p2', upn: ANN, lifecycle: 'releaseWait', documents: [{ displayName: 'slides.pdf', contentType: 'application/pdf', size: 9 }] });
    const src = source(r, { shares: ['s1', 's2'] });
    await src.poll(ctx());
    r.sim.resetLog();
    const job = await src.track!('77', {}, sig());
    expect(job.key).toBe('up:s2/77');
    expect(job.printer).toBe('Back');
    expect(job.document).toBe('slides.pdf');
    expect(job.mine).toBe(true);
    // One GET per watched share, all in one $batch call.
    expect(r.sim.httpRequests()).toBe(1);
    expect(r.sim.log.filter((e) => e.viaBatch).map((e) => e.path).sort()).toEqual(['/print/shares/s1/jobs/77', '/print/shares/s2/jobs/77']);
    expect(r.tracked.items).toEqual([{ sourceId: 'up', id: 'shares/s2/77', addedAt: expect.any(String) }]);
  });

  it('says where it looked when no watched share has the job', async () => {
    const r = await twoShares();
    const e = await fail(source(r, { shares: ['s1', 's2'] }).track!('404', {}, sig()));
    expect(e).toBeInstanceOf(AppFailure);
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('Universal Print has no job "404" on share "Front" (s1), share "Back" (s2).');
    expect(r.tracked.items).toEqual([]);
  });

  it('refuses an id that names different jobs on two watched shares, naming both', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '5', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait', createdAt: Date.parse('2026-01-01T10:00:00Z') });
    r.sim.addJob({ id: '5', printerId: 'p2', upn: ANN, lifecycle: 'releaseWait', createdAt: Date.parse('2026-01-01T11:00:00Z') });
    const e = await fail(source(r, { shares: ['s1', 's2'] }).track!('5', {}, sig()));
    expect(e.code).toBe('conflict');
    expect(e.message).toContain('share "Front" (s1), share "Back" (s2)');
    expect(e.message).toContain('unique per printer only');
    expect(r.tracked.items).toEqual([]);
  });

  it('takes the first place in watch order when a share and its printer show the same job', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    r.sim.addJob({ id: '9', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const job = await source(r, { shares: ['s1'], printers: ['p1'] }).track!('9', {}, sig());
    expect(job.key).toBe('up:s1/9');
  });

  it('tracks the locator form on a share nobody watches and polls it with one GET in the batch, across a new source instance', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '31', printerId: 'p3', upn: ANN, lifecycle: 'completed', documents: [{ displayName: 'cellar.pdf', contentType: 'application/pdf', size: 1 }] });
    const first = source(r, { shares: ['s1'] });
    const job = await first.track!('s3/31', {}, sig());
    expect(job.key).toBe('up:s3/31');
    expect(job.state).toBe('queued');
    // Named by its share's name, read in the same batch as the job.
    expect(job.printer).toBe('Cellar');
    expect(r.tracked.items.map((t) => t.id)).toEqual(['shares/s3/31']);

    // A new instance (app restart, or the CLI) polls it although s3 is not watched.
    const second = source(r, { shares: ['s1'] });
    r.sim.tick();
    r.sim.resetLog();
    const res = await second.poll(ctx());
    const polled = byNative(res, '31');
    expect([polled.key, polled.state, polled.document, polled.printer]).toEqual(['up:s3/31', 'processing', 'cellar.pdf', 'Cellar']);
    // Who "me" is (once per token), discovery of s1, then one batch: s1's list, s3's name and the tracked GET.
    expect(r.sim.httpRequests()).toBe(3);
    expect(r.sim.httpRequests('GET /v1.0/me')).toBe(1);
    expect(r.sim.log.filter((e) => e.viaBatch && e.path === '/print/shares/s3/jobs/31').length).toBe(1);
    expect(r.sim.log.filter((e) => e.viaBatch && e.path === '/print/shares/s3').length).toBe(1);
    // The name is read once, not at every poll.
    r.sim.resetLog();
    expect(byNative(await second.poll(ctx()), '31').printer).toBe('Cellar');
    expect(r.sim.log.some((e) => e.path === '/print/shares/s3')).toBe(false);

    // Once final it is marked finished and never asked for again.
    r.sim.tick(5);
    const done = await second.poll(ctx());
    expect(byNative(done, '31').state).toBe('completed');
    expect(r.tracked.items[0].finishedAt).toEqual(expect.any(String));
    r.sim.resetLog();
    const after = await second.poll(ctx());
    expect(after.jobs.some((j) => j.nativeId === '31')).toBe(false);
    expect(r.sim.log.some((e) => e.path.includes('/jobs/31'))).toBe(false);
  });

  it('polls a tracked job that is also listed without a GET of its own once the list shows it', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '12', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r, { shares: ['s1'] });
    await src.track!('12', {}, sig());
    await src.poll(ctx());
    r.sim.resetLog();
    const res = await src.poll(ctx());
    expect(byNative(res, '12').key).toBe('up:s1/12');
    expect(r.sim.log.some((e) => e.path.includes('/jobs/12'))).toBe(false);
  });

  it('shows the share id when the name of an unwatched share cannot be read, without a problem in the cycle, and asks again later', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '32', printerId: 'p3', upn: ANN, lifecycle: 'releaseWait' });
    r.sim.injectItemFault(/^GET \/print\/shares\/s3$/, { status: 500 }, 1);
    const src = source(r, { shares: ['s1'] });
    const job = await src.track!('s3/32', {}, sig());
    expect(job.printer).toBe('s3');
    r.sim.resetLog();
    const res = await src.poll(ctx());
    expect(byNative(res, '32').printer).toBe('s3');
    expect(r.sim.log.some((e) => e.path === '/print/shares/s3')).toBe(false);
    expect(res.complete).toBe(true);
    expect(res.health.status).toBe('ok');
    // Asked again once the discovery interval (5 minutes) has passed, and then named.
    await r.clock.advance(5 * 60_000);
    expect(byNative(await src.poll(ctx()), '32').printer).toBe('Cellar');
    // After a restart the name is read with the poll; failing, it leaves the cycle complete.
    r.sim.injectItemFault(/^GET \/print\/shares\/s3$/, { status: 500 }, 1);
    const restarted = await source(r, { shares: ['s1'] }).poll(ctx());
    expect(byNative(restarted, '32').printer).toBe('s3');
    expect(restarted.complete).toBe(true);
    expect(restarted.health).toMatchObject({ status: 'ok', message: 'Watching 1 printer for your jobs.' });
  });

  it('reports a tracked job purged on an unwatched share as gone and stops asking for it', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '40', printerId: 'p3', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r, { shares: ['s1'] });
    await src.track!('s3/40', {}, sig());
    r.sim.purgeJob('p3', '40');
    const res = await src.poll(ctx());
    expect(res.gone).toEqual(['up:s3/40']);
    expect(res.health.status).toBe('ok');
    expect(r.tracked.items[0].finishedAt).toEqual(expect.any(String));
  });

  it('refuses malformed ids, and an unknown share in the locator form says where it looked', async () => {
    const r = await twoShares();
    const src = source(r, { shares: ['s1'] });
    for (const bad of ['', 'a/b/c', '/7', 's1/', 'has space']) {
      const e = await fail(src.track!(bad, {}, sig()));
      expect(e.code).toBe('invalid-input');
      expect(e.field).toBe('id');
    }
    const e = await fail(src.track!('nowhere/7', {}, sig()));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('Universal Print has no job "7" on share "nowhere", printer "nowhere".');
  });

  it('says the job cannot be looked for when nothing is watched, and names a missing permission', async () => {
    const r = await twoShares();
    const none = await fail(source(r, { shares: [] }).track!('7', {}, sig()));
    expect(none.code).toBe('not-found');
    expect(none.message).toMatch(/watches no share or printer/);
    r.sim.addJob({ id: '8', printerId: 'p1', upn: 'bob@contoso.com', lifecycle: 'releaseWait' });
    const other = await fail(source(r, { shares: ['s1'] }).track!('8', {}, sig()));
    expect(other.code).toBe('not-allowed');
    expect(other.message).toMatch(/PrintJob\.ReadBasic/);
  });

  it('stops polling a dismissed tracked job', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '50', printerId: 'p3', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r, { shares: ['s1'] });
    const job = await src.track!('s3/50', {}, sig());
    await src.untrack!(asJob(job));
    expect(r.tracked.items).toEqual([]);
    r.sim.resetLog();
    await src.poll(ctx());
    expect(r.sim.log.some((e) => e.path.includes('/jobs/50'))).toBe(false);
  });
});

describe('Graph sign-in scopes', () => {
  it('asks at sign-in for the scopes the source reads with: the admin ones too when it watches printers', async () => {
    r = await twoShares();
    const asked: string[][] = [];
    const provider = {
      getToken: async () => ANN_TOKEN,
      signIn: async (o?: { scopes?: string[] }) => {
        asked.push(o?.scopes ?? []);
      },
    };
    await source(r, { shares: ['s1'] }, { tokenProvider: provider }).signIn!(sig());
    await source(r, { shares: ['s1'], printers: ['p1'] }, { tokenProvider: provider }).signIn!(sig());
    const short = asked.map((s) => s.map((x) => x.replace('https://graph.microsoft.com/', '')).sort());
    expect(short[0]).toEqual(['PrintJob.ReadBasic', 'PrintJob.ReadWriteBasic', 'PrinterShare.ReadBasic.All', 'User.Read']);
    expect(short[1]).toEqual(['PrintJob.ReadBasic', 'PrintJob.ReadWrite.All', 'PrintJob.ReadWriteBasic', 'Printer.Read.All', 'PrinterShare.ReadBasic.All', 'User.Read']);
  });
});

describe('Graph track under throttling and failures', () => {
  it('re-sends a throttled look-up after its Retry-After and finds the job', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '77', printerId: 'p2', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r, { shares: ['s1', 's2'] });
    await src.poll(ctx());
    r.sim.injectItemFault('/print/shares/s2/jobs/77', { status: 429, retryAfter: '2' });
    const p = src.track!('77', {}, sig());
    while (r.clock.pendingTimers() === 0) await new Promise((res) => setTimeout(res, 5));
    expect(r.clock.pendingDueTimes()[0] - r.clock.now()).toBe(2000);
    await r.clock.advance(2000);
    expect((await p).key).toBe('up:s2/77');
  });

  it('does not call a job "not found" while the place that may hold it is throttled or failing', async () => {
    const r = await twoShares();
    r.sim.addJob({ id: '77', printerId: 'p2', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r, { shares: ['s1', 's2'] });
    await src.poll(ctx());
    r.sim.injectItemFault('/print/shares/s2/jobs/77', { status: 429, retryAfter: '120' });
    const t = await fail(src.track!('77', {}, sig()));
    expect(t.code).toBe('unreachable');
    expect(t.message).toBe('Universal Print is throttling requests, so job "77" could not be looked for on share "Back" (s2) (there is no job "77" on share "Front" (s1)); try again in 120 s.');
    r.sim.injectItemFault('/print/shares/s2/jobs/77', { status: 500 });
    const f = await fail(src.track!('77', {}, sig()));
    expect(f.code).toBe('unreachable');
    expect(f.message).toMatch(/^Universal Print has no job "77" on share "Front" \(s1\), but Universal Print answered 500 for job "77" on share "Back"/);
    expect(r.tracked.items).toEqual([]);
  });
});
