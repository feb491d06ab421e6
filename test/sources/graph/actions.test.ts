import { afterEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../../preload/contract/model';
import type { TokenProvider } from '../../../main/sources/graph/auth';
import { ANN, ANN_TOKEN, asJob, byNative, ctx, rig, source, type Rig } from './helpers';

let r: Rig | null = null;
afterEach(async () => {
  await r?.sim.close();
  r = null;
});
const sig = () => new AbortController().signal;

async function setup() {
  r = await rig();
  r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
  r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
  return r;
}

describe('cancel and details', () => {
  it('cancels an active job (204) and shows it canceled', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    const job = asJob(byNative(await src.poll(ctx()), 'j1'));
    const after = await src.act(job, { type: 'cancel' }, sig());
    expect([after.state, after.rawState, after.detail]).toEqual(['canceled', 'canceled', 'The print job was canceled by the user.']);
    expect(r.sim.log.some((e) => e.method === 'POST' && e.path === '/v1.0/print/shares/s1/jobs/j1/cancel' && e.status === 204)).toBe(true);
  });

  it('shows the refusal of a job that finished meanwhile as too-late, in the service\'s words', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    const job = asJob(byNative(await src.poll(ctx()), 'j1'));
    r.sim.setJobStatus('p1', 'j1', { state: 'completed', details: ['completedSuccessfully'] });
    const e = (await src.act(job, { type: 'cancel' }, sig()).catch((x: unknown) => x)) as AppFailure;
    expect(e.code).toBe('too-late');
    expect(e.message).toBe("Universal Print refused to cancel the job: The print job 'j1' is already completed and can no longer be canceled.");
    const done = { ...job, state: 'completed' as const, rawState: 'completed' };
    expect(((await src.act(done, { type: 'cancel' }, sig()).catch((x: unknown) => x)) as AppFailure).code).toBe('too-late');
  });

  it('names the missing permission when cancel is forbidden', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, scopes: ['PrintJob.ReadBasic', 'PrinterShare.ReadBasic.All', 'User.Read'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const src = source(r);
    const job = asJob(byNative(await src.poll(ctx()), 'j1'));
    const e = (await src.act(job, { type: 'cancel' }, sig()).catch((x: unknown) => x)) as AppFailure;
    expect(e.code).toBe('not-allowed');
    expect(e.message).toContain('PrintJob.ReadWriteBasic');
  });

  it('loads documents and tasks on demand only', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait', documents: [{ displayName: 'report.pdf', contentType: 'application/pdf', size: 2048 }] });
    r.sim.addTask('p1', 'j1', { appId: 'x', state: 'processing' });
    const src = source(r);
    const job = asJob(byNative(await src.poll(ctx()), 'j1'));
    r.sim.resetLog();
    const d = await src.details!(job, sig(), {});
    expect(d.documents).toEqual([expect.objectContaining({ name: 'report.pdf', contentType: 'application/pdf', size: 2048 })]);
    expect(d.tasks).toEqual([{ id: expect.any(String), state: 'processing', description: 'The task is being processed.' }]);
    expect(r.sim.log.map((e) => `${e.method} ${e.path}?${e.query}`)).toEqual(['GET /v1.0/print/shares/s1/jobs/j1?$expand=documents,tasks']);
    // The document name learned is shown from then on.
    expect(byNative(await src.poll(ctx()), 'j1').document).toBe('report.pdf');
  });
});

describe('abort (admin mode)', () => {
  function adminRig(r: Rig, appId = 'admin-app') {
    r.sim.addToken('app-token', { kind: 'application', appId });
    r.sim.addToken('admin-user', { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] });
    const appTokens: TokenProvider = { getToken: async () => 'app-token' };
    const user: TokenProvider = { getToken: async () => 'admin-user', account: () => ({ username: ANN }) };
    return source(r, { printers: ['p1'], scope: 'all', admin: { enabled: true, clientId: appId, tenantId: 't1', credential: 'secret' } }, { tokenProvider: user, appTokenProvider: appTokens });
  }

  it('aborts a processing job whose processing task this app created, with the reason', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: 'bob@contoso.com', lifecycle: 'processingForever' });
    r.sim.addTask('p1', 'j1', { appId: 'admin-app' });
    const src = adminRig(r);
    const job = asJob((await src.poll(ctx())).jobs.find((j) => j.key === 'up:p1/j1')!);
    expect(job.abort).toEqual({ allowed: true });
    const after = await src.act(job, { type: 'abort', reason: 'Wrong tray' }, sig());
    expect([after.state, after.rawState, after.detail]).toEqual(['failed', 'aborted', 'Wrong tray']);
  });

  it('explains the documented precondition when the service refuses', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: 'bob@contoso.com', lifecycle: 'processingForever' });
    r.sim.addTask('p1', 'j1', { appId: 'someone-else' });
    const src = adminRig(r);
    const job = asJob((await src.poll(ctx())).jobs.find((j) => j.key === 'up:p1/j1')!);
    const e = (await src.act(job, { type: 'abort', reason: 'x' }, sig()).catch((x: unknown) => x)) as AppFailure;
    expect(e.code).toBe('conflict');
    expect(e.message).toContain("has no processing print task created by a task trigger of this application");
    expect(e.message).toContain("only while a print task created by a task trigger of this app's registration is processing");
  });

  it('refuses abort outside admin mode, through a share, and for jobs that are not processing', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'releaseWait' });
    const plain = source(r);
    const j = asJob(byNative(await plain.poll(ctx()), 'j1'));
    expect(j.abort).toBeUndefined();
    expect(((await plain.act(j, { type: 'abort', reason: '' }, sig()).catch((x: unknown) => x)) as AppFailure).code).toBe('unsupported');
    const adm = adminRig(r);
    const pj = asJob((await adm.poll(ctx())).jobs.find((x) => x.key === 'up:p1/j1')!);
    expect(pj.abort).toEqual({ allowed: false, reason: 'Only a processing job can be aborted; this one is paused.' });
    const e = (await adm.act(pj, { type: 'abort', reason: '' }, sig()).catch((x: unknown) => x)) as AppFailure;
    expect([e.code, e.message]).toEqual(['too-late', 'Only a processing job can be aborted; this one is paused/releaseWait.']);
    const viaShare = { ...pj, key: 'up:s1/j1', rawState: 'processing', extra: { via: 'shares', ownerId: 's1', jobId: 'j1' } };
    expect(((await adm.act(viaShare, { type: 'abort', reason: '' }, sig()).catch((x: unknown) => x)) as AppFailure).code).toBe('unsupported');
  });

  it('names the application permission when a delegated token is used for abort', async () => {
    const r = await setup();
    r.sim.addJob({ id: 'j1', printerId: 'p1', upn: ANN, lifecycle: 'processingForever' });
    r.sim.addToken('admin-user', { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] });
    const user: TokenProvider = { getToken: async () => 'admin-user', account: () => ({ username: ANN }) };
    const src = source(r, { printers: ['p1'], admin: { enabled: true, clientId: 'a', tenantId: 't', credential: 'secret' } }, { tokenProvider: user, appTokenProvider: user });
    const job = asJob((await src.poll(ctx())).jobs[0]);
    const e = (await src.act(job, { type: 'abort', reason: '' }, sig()).catch((x: unknown) => x)) as AppFailure;
    expect(e.code).toBe('not-allowed');
    expect(e.message).toContain('application permission PrintJob.ReadWriteBasic.All');
  });
});

describe('printing to a share', () => {
  const file = (n: number) => ({ name: 'report.pdf', contentType: 'application/pdf', bytes: Uint8Array.from({ length: n }, (_, i) => i % 251) });
  const req = { sourceId: 'up', document: { type: 'file' as const }, printer: 's1', title: 'Quarterly report' };
  const CHUNK = 320 * 1024;

  it('creates the job, uploads in ranges with progress and no Authorization header, then starts it', async () => {
    const r = await setup();
    const src = source(r, {}, { uploadChunkBytes: CHUNK });
    const progress: [number, number][] = [];
    const f = file(CHUNK * 2 + 1000);
    const job = await src.print!(req, f, { signal: sig(), onProgress: (a, b) => progress.push([a, b]) });
    expect(job.key).toMatch(/^up:s1\/\d+$/);
    expect(job.state).toBe('queued');
    expect(job.document).toBe('report.pdf');
    expect(progress).toEqual([[0, f.bytes.length], [CHUNK, f.bytes.length], [CHUNK * 2, f.bytes.length], [f.bytes.length, f.bytes.length]]);
    const puts = r.sim.log.filter((e) => e.method === 'PUT');
    expect(puts.length).toBe(3);
    expect(puts.every((e) => !e.hadAuthorization)).toBe(true);
    const docId = r.sim.getJob('p1', job.nativeId)!.documents![0].id;
    expect(Buffer.compare(r.sim.uploadedBytes('p1', job.nativeId, docId)!, Buffer.from(f.bytes))).toBe(0);
    expect(r.tracked.items[0]).toMatchObject({ sourceId: 'up', id: `shares/s1/${job.nativeId}`, submission: { shareId: 's1', fileName: 'report.pdf' } });
  });

  it('sends only the configuration when it creates the job, and resumes where the service says, also before what it just sent', async () => {
    const r = await setup();
    const src = source(r, {}, { uploadChunkBytes: CHUNK });
    const f = file(CHUNK * 2 + 10);
    // The second fragment is taken and not kept: the service answers 202, still expecting its bytes.
    r.sim.loseUploadFragments(1);
    const job = await src.print!(req, f, { signal: sig() });
    const ranges = r.sim.log.filter((e) => e.method === 'PUT').length;
    expect(ranges).toBe(4);
    const docId = r.sim.getJob('p1', job.nativeId)!.documents![0].id;
    expect(Buffer.compare(r.sim.uploadedBytes('p1', job.nativeId, docId)!, Buffer.from(f.bytes))).toBe(0);
    // The job is named after its document (Graph sets every property but the configuration).
    expect(job.document).toBe('report.pdf');
  });

  it('a job that cannot be saved for tracking is still uploaded and started, saying why it is not tracked', async () => {
    const r = await setup();
    r.tracked.add = async () => {
      throw Object.assign(new Error("EROFS: read-only file system, open 'tracked.json'"), { code: 'EROFS' });
    };
    const src = source(r, {}, { uploadChunkBytes: CHUNK });
    const job = await src.print!(req, file(1000), { signal: sig() });
    expect(job.state).toBe('queued');
    expect(job.extra.notTracked).toMatch(/^it could not be saved for tracking/);
    expect(r.sim.log.filter((e) => e.method === 'POST' && e.path.endsWith('/start'))).toHaveLength(1);
  });

  it('cancels mid-upload by deleting the upload URL it holds, and the job shows canceled', async () => {
    const r = await setup();
    const src = source(r, {}, { uploadChunkBytes: CHUNK });
    let cancel: Promise<unknown> | null = null;
    const printing = src.print!(req, file(CHUNK * 3), {
      signal: sig(),
      onProgress: (sent) => {
        if (sent === CHUNK && !cancel) {
          const id = r.sim.uploadSessions()[0].jobId;
          const j = asJob({ key: `up:s1/${id}`, sourceId: 'up', sourceKind: 'graph', nativeId: id, state: 'paused', rawState: 'paused/uploadPending', detail: null, document: null, owner: null, printer: null, mine: true, createdAt: null, updatedAt: null, progress: null, cancel: { allowed: true }, extra: { via: 'shares', ownerId: 's1', jobId: id } });
          cancel = src.cancelUpload!(j, sig());
        }
      },
    });
    const e = (await printing.catch((x: unknown) => x)) as AppFailure;
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('The upload of "report.pdf" was canceled; the job was not printed.');
    const after = (await (cancel as unknown as Promise<{ state: string }>));
    expect(after.state).toBe('canceled');
    expect(r.sim.uploadSessions()).toEqual([]);
    const del = r.sim.log.find((x) => x.method === 'DELETE')!;
    expect(del.path).toMatch(/^\/upload\//);
    expect(del.hadAuthorization).toBe(false);
  });

  /** A job created on share s1 whose upload session was opened elsewhere (another run of the app). */
  async function leftPending(r: Rig, token = ANN_TOKEN) {
    const call = (path: string, body: unknown) => fetch(`${r.sim.baseUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await (await call('/print/shares/s1/jobs', { configuration: {} })).json()) as { id: string; documents: { id: string }[] };
    const docId = created.documents[0].id;
    const s = await call(`/print/shares/s1/jobs/${created.id}/documents/${docId}/createUploadSession`, { properties: { documentName: 'left.pdf', contentType: 'application/pdf', size: 10 } });
    expect(s.status).toBe(200);
    return { jobId: created.id, docId, uploadUrl: ((await s.json()) as { uploadUrl: string }).uploadUrl };
  }
  const seedDeletes = (r: Rig) => r.sim.log.filter((e) => e.method === 'DELETE' && e.path.endsWith('/uploadSession'));

  it('cleans up a job left in uploadPending with seed 001\'s beta call on the printer of the share, when printers are watched', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    const left = await leftPending(r);
    const src = source(r, { shares: ['s1'], printers: ['p1'] });
    const job = asJob((await src.poll(ctx())).jobs.find((j) => j.key === `up:s1/${left.jobId}`)!);
    expect(job.rawState).toBe('paused/uploadPending');
    const after = await src.cancelUpload!(job, sig());
    expect(after.state).toBe('canceled');
    expect(r.sim.uploadSessions()).toEqual([]);
    expect(seedDeletes(r).map((e) => [e.path, e.status, e.hadAuthorization])).toEqual([[`/beta/print/printers/p1/jobs/${left.jobId}/documents/${left.docId}/uploadSession`, 204, true]]);
  });

  it('in admin mode, reads the printer of the share with the administrator\'s own token (Graph has no application permission for shares)', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    r.sim.addToken('app-token', { kind: 'application', appId: 'admin-app' });
    const left = await leftPending(r);
    const appTokens: TokenProvider = { getToken: async () => 'app-token' };
    const src = source(r, { shares: ['s1'], admin: { enabled: true, clientId: 'admin-app', tenantId: 't', credential: 'secret' } }, { appTokenProvider: appTokens });
    const job = asJob(byNative(await src.poll(ctx()), left.jobId));
    expect((await src.cancelUpload!(job, sig())).state).toBe('canceled');
    expect(seedDeletes(r).map((e) => [e.path, e.status])).toEqual([[`/beta/print/printers/p1/jobs/${left.jobId}/documents/${left.docId}/uploadSession`, 204]]);
  });

  it('says Graph has no documented call when the share\'s printer cannot be known, and offers to cancel the job', async () => {
    const r = await setup();
    const left = await leftPending(r);
    const src = source(r);
    const job = asJob(byNative(await src.poll(ctx()), left.jobId));
    const e = (await src.cancelUpload!(job, sig()).catch((x: unknown) => x)) as AppFailure;
    expect([e.code, e.message]).toEqual([
      'unsupported',
      'Graph offers no documented call to cancel the upload of a job on share "Front" (s1) without the id of its printer, which this account cannot read; cancel the job instead.',
    ]);
    expect(seedDeletes(r)).toEqual([]);
    expect(r.sim.getJob('p1', left.jobId)!.status.state).toBe('paused');
  });

  it('a session already gone (404: expired, or deleted through its URL) is no obstacle: the job is canceled', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    const left = await leftPending(r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' }) && r);
    expect((await fetch(left.uploadUrl, { method: 'DELETE' })).status).toBe(204);
    const src = source(r, { printers: ['p1'] });
    const job = asJob(byNative(await src.poll(ctx()), left.jobId));
    expect(job.key).toBe(`up:p1/${left.jobId}`);
    expect((await src.cancelUpload!(job, sig())).state).toBe('canceled');
    expect(seedDeletes(r).map((e) => e.status)).toEqual([404]);
  });

  it('reports a refused upload-session call with Graph\'s own message and leaves the job as it was', async () => {
    r = await rig({ tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, roles: ['Printer Administrator'] } } });
    r.sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    const left = await leftPending(r.sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' }) && r);
    r.sim.injectFault('/uploadSession', { kind: 'status', status: 400, code: 'BadRequest', message: 'The upload session cannot be deleted while the document is being processed.' });
    const src = source(r, { printers: ['p1'] });
    const job = asJob(byNative(await src.poll(ctx()), left.jobId));
    const e = (await src.cancelUpload!(job, sig()).catch((x: unknown) => x)) as AppFailure;
    expect([e.code, e.message]).toEqual(['conflict', 'Universal Print refused to delete the upload session of "left.pdf": The upload session cannot be deleted while the document is being processed. The job was not canceled; cancel the job instead.']);
    expect(r.sim.getJob('p1', left.jobId)!.status.state).toBe('paused');
  });

  it('a failed upload deletes its session and cancels its job, which is then sent again on retry; what it did not print is not', async () => {
    const r = await setup();
    const src = source(r, {}, { uploadChunkBytes: CHUNK });
    r.sim.injectFault('PUT /upload/', { kind: 'status', status: 503, code: 'serviceUnavailable', message: 'Try again later.' });
    const e = (await src.print!(req, file(1000), { signal: sig() }).catch((x: unknown) => x)) as AppFailure;
    expect(e).toBeInstanceOf(AppFailure);
    // Nothing left waiting for a document that never comes.
    expect(r.sim.uploadSessions()).toEqual([]);
    const left = asJob(byNative(await src.poll(ctx()), String(r.tracked.items[0].id).split('/')[2]));
    expect(left.state).toBe('canceled');
    const again = await src.retry!(left, sig());
    expect(again.state).toBe('queued');
    expect(again.nativeId).not.toBe(left.nativeId);
    const other = { ...left, key: 'up:s1/999', nativeId: '999' };
    expect(((await src.retry!(other, sig()).catch((x: unknown) => x)) as AppFailure).code).toBe('unsupported');
  });

  it('asks for sign-in when the token expired and cannot be renewed', async () => {
    const r = await setup();
    r.sim.expireToken(ANN_TOKEN);
    const e = (await source(r).print!(req, file(10), { signal: sig() }).catch((x: unknown) => x)) as AppFailure;
    expect(e.code).toBe('auth-required');
    expect(e.message).toMatch(/sign in again/);
    expect(e.message).not.toContain(ANN_TOKEN);
  });
});
