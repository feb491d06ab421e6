/**
 * What an IPP source's address means for what it sends and says. A password stored for a server
 * reached over plain http on another computer: the HTTP layer refuses to send it in clear text
 * (its own rule, run here for real), so the source asks without it, as a CUPS server on http
 * answers most requests; and when the server does ask for one, the source says how to send it
 * (an encrypted address), not that the server cannot be reached. A printer's address given
 * without a path (read as a CUPS server) says to give the printer's own address; one that requires
 * encryption (426) says to use its ipps:// address.
 */
import { describe, expect, it } from 'vitest';
import { HttpClient, HttpError, type HttpRequest, type HttpResponse } from '../../../main/http/client';
import { createIppSource } from '../../../main/sources/ipp/source';
import type { Job } from '../../../preload/contract/model';
import { startIppSimulator } from '../../simulators/ipp/server';
import { makeDeps } from '../aodocs/helpers';

/** The real HTTP client, except that a request it would put on the network is answered 401 here. */
class ServerAsksForPassword extends HttpClient {
  readonly attempts: { url: string; authorization: boolean }[] = [];
  readonly reachedServer: HttpRequest[] = [];

  override async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    this.attempts.push({ url: req.url, authorization: Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'authorization') });
    // A request with credentials over plain http to another computer never leaves: the real rule.
    if (this.attempts.at(-1)!.authorization) return super.request<T>(req);
    this.reachedServer.push(req);
    throw new HttpError('http', `POST ${req.url} answered HTTP 401`, { status: 401, target: `POST ${req.url}`, headers: { 'www-authenticate': 'Basic realm="CUPS"' } });
  }
}

describe('the IPP source with a password, on plain http to another computer', () => {
  it('never sends the password in clear text, asks without it, and says to use https when the server asks for one', async () => {
    const { deps, secrets } = makeDeps();
    const http = new ServerAsksForPassword({ timeoutMs: 3000 });
    await secrets.set('cups', 'PASSWORD', 'cups-pw-7d1e');
    const src = createIppSource({ id: 'cups', kind: 'ipp', url: 'http://192.0.2.10:631', user: 'alex' }, { ...deps, http });
    const poll = () => src.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() });
    await expect(poll()).rejects.toMatchObject({
      status: 'auth-required',
      message: 'The IPP server at 192.0.2.10:631 asks for a user name and password, which the monitor sends only over an encrypted connection: use https://192.0.2.10:631 in Settings.',
    });
    expect(http.reachedServer.length).toBeGreaterThan(0);
    expect(http.reachedServer.every((r) => !JSON.stringify(r.headers).includes('Basic'))).toBe(true);
    // The refusal is remembered: later requests go without the password from the start.
    const before = http.attempts.length;
    await expect(poll()).rejects.toMatchObject({ status: 'auth-required' });
    expect(http.attempts.slice(before).every((a) => !a.authorization)).toBe(true);
    // An action says the same, for that job.
    const job = { key: 'cups:office/3', sourceId: 'cups', nativeId: '3', extra: { jobId: 3, printerId: 'office' } } as unknown as Job;
    await expect(src.act(job, { type: 'cancel' }, new AbortController().signal)).rejects.toMatchObject({
      code: 'auth-required',
      message: 'The IPP server at 192.0.2.10:631 asks for a user name and password to cancel job 3, which the monitor sends only over an encrypted connection: use https://192.0.2.10:631 in Settings.',
    });
  });

  it('sends it over https', async () => {
    const { deps, secrets } = makeDeps();
    const sent: HttpRequest[] = [];
    const http = new (class extends HttpClient {
      override async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
        sent.push(req);
        throw new HttpError('unreachable', `POST ${req.url} could not be reached (test)`, { target: `POST ${req.url}` });
      }
    })({ timeoutMs: 3000 });
    await secrets.set('cups', 'PASSWORD', 'cups-pw-7d1e');
    const src = createIppSource({ id: 'cups', kind: 'ipp', url: 'https://cups.example.com:631', user: 'alex' }, { ...deps, http });
    await expect(src.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() })).rejects.toMatchObject({ status: 'down' });
    expect(sent[0]?.headers?.Authorization).toBe(`Basic ${Buffer.from('alex:cups-pw-7d1e').toString('base64')}`);
  });
});

describe('an IPP printer given by its host alone', () => {
  it('is read as a CUPS server; a printer that lists no printers says to give its own address', async () => {
    const sim = await startIppSimulator();
    try {
      sim.injectFault({ kind: 'ipp-status', status: 0x0501, message: 'Operation not supported' });
      const { deps } = makeDeps();
      const src = createIppSource({ id: 'p', kind: 'ipp', url: `ipp://127.0.0.1:${sim.port}/` }, deps);
      await expect(src.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() })).rejects.toMatchObject({
        status: 'degraded',
        message: `The IPP server at 127.0.0.1:${sim.port} does not list its printers (CUPS-Get-Printers: "Operation not supported" (server-error-operation-not-supported)), so it is a printer rather than a CUPS server: give the printer's own address in Settings, such as ipp://127.0.0.1:${sim.port}/ipp/print.`,
      });
      expect(sim.requests.map((q) => q.operationId)).toContain(0x4002);
    } finally {
      await sim.close();
    }
  });
});

describe('an IPP printer that requires encryption (HTTP 426 Upgrade Required)', () => {
  it('says to use an ipps:// address when it refuses an action, not that something went wrong inside', async () => {
    const sim = await startIppSimulator();
    try {
      sim.addPrinter({ name: 'office' });
      sim.addJob({ printer: 'office', name: 'Memo', user: 'alex', state: 3 });
      const { deps } = makeDeps();
      const src = createIppSource({ id: 'p', kind: 'ipp', url: sim.printerUrl('office'), user: 'alex' }, deps);
      const r = await src.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() });
      const job = { ...r.jobs[0]!, stale: false, stuck: false, gone: false, lastSeenAt: null };
      sim.injectFault({ kind: 'http', status: 426 });
      await expect(src.act(job, { type: 'cancel' }, new AbortController().signal)).rejects.toMatchObject({
        code: 'not-allowed',
        message: `The IPP server at 127.0.0.1:${sim.port} requires encryption to cancel job ${job.nativeId}: use an ipps:// (or https://) address in Settings.`,
      });
    } finally {
      await sim.close();
    }
  });
});
