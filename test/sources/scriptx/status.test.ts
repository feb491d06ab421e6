import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../main/queue/source';
import { STATUS_NAMES, toJobStatus } from '../../../main/sources/scriptx/states';
import { AppFailure } from '../../../preload/contract/model';
import { harness, signal, LICENSE, type Harness } from './helpers';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const byKey = <T extends { key: string }>(jobs: T[], key: string): T | undefined => jobs.find((j) => j.key === key);

describe('ScriptX status codes', () => {
  const expected: [number, string, string, boolean][] = [
    [0, 'queued', '0 NotStarted', true],
    [1, 'queued', '1 Queued', true],
    [2, 'processing', '2 Starting', true],
    [3, 'processing', '3 Downloading', true],
    [4, 'processing', '4 Downloaded', true],
    [5, 'printing', '5 Printing', false],
    [6, 'completed', '6 Completed', false],
    [7, 'paused', '7 Paused', false],
    [8, 'printing', '8 PrintingPdf', false],
    [100, 'completed', '100 Collected', false],
    [101, 'failed', '101 CodeException', false],
    [102, 'paused', '102 CompletedWaitingForCollection', false],
    [-1, 'failed', '-1 ItemError', false],
    [-2, 'canceled', '-2 Abandoned', false],
  ];

  it.each(expected)('maps status %i to %s as the simulator answers it', async (code, state, rawState, cancellable) => {
    h ??= await harness();
    const token = h.sim.addJob({ steps: [{ status: code, afterMs: 0, message: `server says ${code}` }] });
    const job = await h.source.track!(token, { kind: 'html' }, signal());
    expect(job).toMatchObject({ key: `local:${token}`, nativeId: token, state, rawState, detail: `server says ${code}`, sourceKind: 'scriptx' });
    expect(job.cancel.allowed).toBe(cancellable);
    if (code === 5 || code === 8) expect(job.cancel.reason).toBe('pages are already printing; ScriptX cannot stop this job');
    expect(job.extra.statusCode).toBe(code);
  });

  it('covers every documented code and keeps an unknown one as unknown without failing', async () => {
    expect(Object.keys(STATUS_NAMES).map(Number).sort((a, b) => a - b)).toEqual(expected.map((e) => e[0]).sort((a, b) => a - b));
    h = await harness();
    const token = h.sim.addJob({ steps: [{ status: 42, afterMs: 0, message: '' }] });
    const job = await h.source.track!(token, { kind: 'html' }, signal());
    expect(job).toMatchObject({ state: 'unknown', rawState: '42 (unknown status)' });
    expect(job.detail).toMatch(/status 42/);
    // Unknown jobs are polled at the idle rate only.
    await h.clock.advance(5000);
    const before = h.statusRequests(token);
    await h.poll('active');
    expect(h.statusRequests(token)).toBe(before);
    const full = await h.poll('full');
    expect(h.statusRequests(token)).toBe(before + 1);
    expect(byKey(full.jobs, `local:${token}`)?.state).toBe('unknown');
  });

  it("names this PC's user as the owner of a job on this PC's service, and gives the plain reason", async () => {
    h = await harness({ source: { userName: 'alice' } });
    const token = h.sim.addJob({ steps: [{ status: 8, afterMs: 0, message: '' }] });
    const job = await h.source.track!(token, { kind: 'pdf' }, signal());
    expect(job).toMatchObject({ owner: 'alice', mine: true, state: 'printing', reason: 'Printing the PDF' });
  });

  it('treats 6 of a print-to-file job as output waiting, not finished', () => {
    expect(toJobStatus(6, '', { toFile: true })).toMatchObject({ state: 'paused', final: false, outputReady: true });
    expect(toJobStatus(6, '', {})).toMatchObject({ state: 'completed', final: true, outputReady: false });
  });
});

describe('ScriptX polling', () => {
  it('follows a job through its lifecycle and never asks again once it is final', async () => {
    h = await harness({ sim: { stepMs: 1000 } });
    const token = h.sim.addJob();
    const first = await h.source.track!(token, {}, signal());
    expect(first.state).toBe('queued');
    const seen: string[] = [first.rawState];
    for (let i = 0; i < 12; i++) {
      await h.clock.advance(500);
      const r = await h.poll('active');
      expect(r.health.status).toBe('ok');
      const j = byKey(r.jobs, `local:${token}`);
      if (j && seen[seen.length - 1] !== j.rawState) seen.push(j.rawState);
    }
    expect(seen).toEqual(['1 Queued', '2 Starting', '3 Downloading', '4 Downloaded', '5 Printing', '6 Completed']);
    const after = h.statusRequests(token);
    for (let i = 0; i < 6; i++) {
      await h.clock.advance(1000);
      await h.poll(i % 2 ? 'full' : 'active');
    }
    expect(h.statusRequests(token)).toBe(after);
    expect(h.tracked.jobs.find((t) => t.id === token)?.finishedAt).toBeTruthy();
  });

  it('sends at most 2 status requests per job in any second, never two at once', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const a = h.sim.addJob();
    const b = h.sim.addJob();
    await h.source.track!(a, {}, signal());
    await h.source.track!(b, {}, signal());
    // One-shot polls, which the request budget does not space out: the per-job rate still holds.
    const poll = (mode: 'active' | 'full' = 'active') => h!.source.poll({ mode, signal: signal(), activeJobs: new Map(), oneShot: true });
    // Many polls in the same instant, some concurrent.
    await Promise.all([poll(), poll(), poll()]);
    await poll('full');
    expect(h.statusRequests(a)).toBe(2);
    expect(h.statusRequests(b)).toBe(2);
    // Well before the window frees: skipped in this poll.
    await h.clock.advance(850);
    await poll();
    expect(h.statusRequests(a)).toBe(2);
    // Just before it frees (a poll starts a little early): taken, and the request waits for the window.
    await h.clock.advance(99);
    const early = poll();
    await h.clock.advance(50);
    expect(h.statusRequests(a)).toBe(2);
    await h.clock.advance(1);
    await early;
    expect(h.statusRequests(a)).toBe(3);
    await poll();
    await poll();
    expect(h.statusRequests(a)).toBe(4);
    const times = h.sim.requests.filter((r) => r.path.endsWith(`/status/${a}`)).map((r) => r.at);
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 2]).toBeGreaterThanOrEqual(1000);
    expect(h.sim.maxInFlight(`/api/v1/printHtml/status/${a}`)).toBe(1);
  });

  it('reports a job the service has purged (404) as gone and stops asking', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    await h.source.track!(token, {}, signal());
    // The service forgets the job: a final state read elsewhere deletes it.
    await h.sim.setFault(null);
    h.sim.requests.length = 0;
    const direct = await fetch(`${h.sim.url}/api/v1/printHtml/canceljob/${token}`, { method: 'PUT', headers: { Authorization: `Basic ${Buffer.from(`${LICENSE}:`).toString('base64')}` } });
    expect(direct.status).toBe(200);
    await fetch(`${h.sim.url}/api/v1/printHtml/status/${token}`, { headers: { Authorization: `Basic ${Buffer.from(`${LICENSE}:`).toString('base64')}` } });
    await h.clock.advance(1000);
    const r = await h.poll();
    expect(r.gone).toEqual([`local:${token}`]);
    expect(r.health.status).toBe('ok');
    const n = h.statusRequests(token);
    await h.clock.advance(1000);
    await h.poll('full');
    expect(h.statusRequests(token)).toBe(n);
  });

  it('accepts tokens with ":" and digits only, encoded as one path segment, and refuses path characters', async () => {
    h = await harness({ sim: { tokenStyle: 'name' } });
    const named = h.sim.addJob({ token: 'job 7:print' });
    const digits = h.sim.addJob({ token: '0042' });
    expect((await h.source.track!(named, {}, signal())).key).toBe('local:job 7:print');
    expect((await h.source.track!(digits, {}, signal())).nativeId).toBe('0042');
    expect(h.sim.requests.some((r) => r.rawPath === '/api/v1/printHtml/status/job%207%3Aprint')).toBe(true);
    for (const bad of ['a/b', 'x?y', '', 'a\nb', 'c#d', 'e\\f', 'x'.repeat(201)]) {
      await expect(h.source.track!(bad, {}, signal())).rejects.toMatchObject({ code: 'invalid-input', field: 'id' });
    }
  });

  it('tries the PDF status endpoint for a token of unknown kind and says when no job has it', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    await expect(h.source.track!('999', {}, signal())).rejects.toMatchObject({ code: 'not-found' });
    const paths = h.sim.requests.map((r) => r.path);
    expect(paths).toContain('/api/v1/printHtml/status/999');
    expect(paths).toContain('/api/v1/printPdf/status/999');
  });

  it('keeps tracking across a restart from the persisted list, and skips finished ones', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const active = h.sim.addJob({ kind: 'pdf' });
    const done = h.sim.addJob({ steps: [{ status: 6, afterMs: 0 }] });
    await h.source.track!(active, { kind: 'pdf' }, signal());
    await h.source.track!(done, {}, signal());
    expect(h.tracked.jobs.map((t) => [t.id, t.kind, !!t.finishedAt])).toEqual([
      [active, 'pdf', false],
      [done, 'html', true],
    ]);
    const restarted = h.restart();
    await h.clock.advance(1000);
    const r = await restarted.poll({ mode: 'full', signal: signal(), activeJobs: new Map() });
    expect(r.jobs.map((j) => j.key)).toEqual([`local:${active}`]);
    expect(h.sim.requests.filter((q) => q.path.includes('/status/')).at(-1)?.path).toBe(`/api/v1/printPdf/status/${active}`);
    expect(h.statusRequests(done)).toBe(1);
  });

  it('a job already followed takes the document name and printer it is tracked with again, and keeps them', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    const first = await h.source.track!(token, {}, signal());
    expect(first).toMatchObject({ document: null, printer: null });
    const named = await h.source.track!(token, { title: 'Sales.pdf', printer: 'Office LaserJet' }, signal());
    expect(named).toMatchObject({ key: `local:${token}`, document: 'Sales.pdf', printer: 'Office LaserJet' });
    await h.clock.advance(1000);
    expect(byKey((await h.poll('full')).jobs, `local:${token}`)).toMatchObject({ document: 'Sales.pdf', printer: 'Office LaserJet' });
    // Saved with the job: the next start (or pqm) shows it by that name too.
    expect(h.tracked.jobs.find((t) => t.id === token)?.submission).toMatchObject({ label: { title: 'Sales.pdf', printer: 'Office LaserJet' } });
  });

  it('picks up a token another process (the CLI) added to the tracked list', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    await h.poll('full');
    const token = h.sim.addJob();
    await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
    await h.clock.advance(1000);
    const r = await h.poll('full');
    expect(byKey(r.jobs, `local:${token}`)?.rawState).toBe('1 Queued');
  });
});

describe('ScriptX faults', () => {
  it('a refused connection makes the source down, and it recovers by itself', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    await h.source.track!(token, {}, signal());
    await h.sim.setFault({ type: 'refuse' });
    await h.clock.advance(1000);
    const err = await h.poll().catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ status: 'down' });
    expect(err.message).toBe(`ScriptX.Services at ${h.sim.url} could not be reached (connection refused). Check that the server is running and the address in Settings.`);
    await h.sim.setFault(null);
    await h.clock.advance(1000);
    const r = await h.poll();
    expect(r.health.status).toBe('ok');
    expect(byKey(r.jobs, `local:${token}`)?.state).toBe('queued');
  });

  it('a service that does not answer in time, or drops the connection, is down with the reason', async () => {
    h = await harness({ sim: { stepMs: 100_000 }, source: { client: { timeoutMs: 150 } } });
    const token = h.sim.addJob();
    await h.source.track!(token, {}, signal());
    await h.clock.advance(1000);
    await h.sim.setFault({ type: 'slow', ms: 600 });
    await expect(h.poll()).rejects.toMatchObject({ status: 'down', message: expect.stringContaining('it did not answer in time') });
    await h.sim.setFault({ type: 'drop' });
    await h.clock.advance(1000);
    await expect(h.poll()).rejects.toMatchObject({ status: 'down', message: expect.stringContaining('(connection reset)') });
    await h.sim.setFault(null);
    await h.clock.advance(1000);
    expect((await h.poll()).jobs.map((j) => j.nativeId)).toEqual([token]);
  });

  it('401: auth-required with the license sentence, for a wrong and a missing license', async () => {
    h = await harness({ license: 'AAAAAAAA-8916-4D21-996E-00A2DE5DE416' });
    const err = await h.poll('full').catch((e) => e);
    expect(err).toMatchObject({ status: 'auth-required' });
    expect(err.message).toContain('the license GUID is missing or not valid for this service');
    expect(err.message).not.toContain('AAAAAAAA');
    await h.close();
    h = await harness({ license: null });
    const token = h.sim.addJob();
    await h.tracked.add({ sourceId: 'local', id: token, addedAt: h.clock.iso() });
    const err2 = await h.poll('active').catch((e) => e);
    expect(err2).toMatchObject({ status: 'auth-required' });
    expect(h.sim.requests.find((r) => r.path.includes('/status/'))?.auth).toBe('none');
    await expect(h.source.track!(token, {}, signal())).rejects.toMatchObject({ code: 'auth-required', message: expect.stringContaining('the license GUID is missing or not valid for this service') });
  });

  it('sends the license as Basic "<guid>:" and never in the URL', async () => {
    h = await harness();
    await h.poll('full');
    expect(h.sim.requests.filter((r) => r.path === '/api/v1/licensing').map((r) => r.auth)).toEqual(['valid']);
    expect(h.sim.requests.some((r) => r.rawPath.includes('5091E665'))).toBe(false);
  });

  it('429 with Retry-After: degraded, the wait is passed on, and no status request before it ends', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    await h.source.track!(token, {}, signal());
    await h.clock.advance(1000);
    await h.sim.setFault({ type: '429', retryAfterS: 3, pathPrefix: '/api/v1/printHtml/status' });
    // Every status request failed: a failed poll (the engine backs off), with the wait passed on.
    const err = await h.poll().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).status).toBe('degraded');
    expect((err as SourceError).message).toMatch(/busy \(429\).*3 s/);
    expect((err as SourceError).retryAfterMs).toBe(3000);
    await h.sim.setFault(null);
    const n = h.statusRequests(token);
    await h.clock.advance(2000);
    const r2 = await h.poll();
    expect(h.statusRequests(token)).toBe(n);
    expect(r2.retryAfterMs).toBe(1000);
    await h.clock.advance(1000);
    const r3 = await h.poll();
    expect(h.statusRequests(token)).toBe(n + 1);
    expect(r3.health.status).toBe('ok');
  });

  it.each([
    ['500', /answered 500 .*"An error has occurred\."/],
    ['json-string-error', /answered 503 .*"ScriptX.Services is restarting, try again shortly"/],
    ['malformed', /cannot read .*not JSON/],
    ['wrong-shape', /cannot read .*unexpected shape \(status:/],
  ] as const)('a %s answer to a status request: degraded, job kept as it was', async (type, message) => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    await h.source.track!(token, {}, signal());
    await h.clock.advance(1000);
    await h.sim.setFault({ type, pathPrefix: '/api/v1/printHtml/status' });
    // The only job's status failed: a failed poll, so the engine backs off and marks it stale.
    const err = await h.poll().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).status).toBe('degraded');
    expect((err as SourceError).message).toMatch(message);
    expect((err as SourceError).message).toContain(`job ${token}`);
    await h.sim.setFault(null);
    await h.clock.advance(1000);
    expect((await h.poll()).health.status).toBe('ok');
  });

  it('when only some status requests fail: the others are applied and the failed jobs reported stale', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const ok = h.sim.addJob();
    const bad = h.sim.addJob();
    await h.source.track!(ok, {}, signal());
    await h.source.track!(bad, {}, signal());
    await h.clock.advance(1000);
    await h.sim.setFault({ type: '500', pathPrefix: `/api/v1/printHtml/status/${bad}` });
    const r = await h.poll();
    expect(r.health.status).toBe('degraded');
    expect(r.health.message).toContain(`job ${bad}`);
    expect(r.jobs.map((j) => j.nativeId)).toEqual([ok]);
    expect(r.stale).toEqual([`local:${bad}`]);
    await h.sim.setFault(null);
  });

  it('a final status read in a poll that then failed is reported at the next poll, though the service answers it only once', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const ends = h.sim.addJob({ steps: [{ status: 1, afterMs: 0, message: '' }, { status: -1, afterMs: 1000, message: 'The printer is not available' }] });
    const other = h.sim.addJob();
    const a = await h.source.track!(ends, {}, signal());
    const b = await h.source.track!(other, {}, signal());
    // The engine's view: both in progress.
    const active = new Map([a, b].map((j) => [j.key, { ...j, stale: false, stuck: false, gone: false, lastSeenAt: null }]));
    await h.clock.advance(1500);
    // The final status of the first is read; the second's request is refused with 401: the poll fails.
    await h.sim.setFault({ type: 'status', status: 401, pathPrefix: `/api/v1/printHtml/status/${other}` });
    await expect(h.source.poll({ mode: 'active', signal: signal(), activeJobs: active })).rejects.toMatchObject({ status: 'auth-required' });
    expect(h.statusRequests(ends)).toBeGreaterThan(0);
    await h.sim.setFault(null);
    await h.clock.advance(1000);
    const r = await h.source.poll({ mode: 'active', signal: signal(), activeJobs: active });
    expect(byKey(r.jobs, `local:${ends}`)).toMatchObject({ state: 'failed', rawState: '-1 ItemError' });
    // Once the engine has it final, it is not reported again (and never asked about again).
    const asked = h.statusRequests(ends);
    active.delete(`local:${ends}`);
    await h.clock.advance(1000);
    const later = await h.source.poll({ mode: 'active', signal: signal(), activeJobs: active });
    expect(byKey(later.jobs, `local:${ends}`)).toBeUndefined();
    expect(h.statusRequests(ends)).toBe(asked);
  });

  it('a 500 for the whole service (licensing) is a degraded SourceError', async () => {
    h = await harness();
    await h.sim.setFault({ type: '500' });
    const err = await h.poll('full').catch((e) => e);
    expect(err).toMatchObject({ status: 'degraded' });
    expect(err.message).toMatch(/answered 500/);
  });

  it('refuses an invalid id handed in without calling the service', async () => {
    h = await harness();
    const err = await h.source.track!('../etc', {}, signal()).catch((e) => e);
    expect(err).toBeInstanceOf(AppFailure);
    expect(err.message).toBe('This is not a ScriptX job id: the job id contains one of / \\ ? #.');
    expect(h.sim.requests).toEqual([]);
  });
});
