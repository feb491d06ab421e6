/**
 * The app's transport (main/platform.ts fetch, main/net-fetch.ts) under the shared HTTP layer,
 * against a stand-in for Electron 45's `net` that behaves as documented: `net.request` with
 * `redirect: 'manual'` emits `redirect` and cancels the request unless `followRedirect()` is called
 * during the event; `net.fetch` with `redirect: 'manual'` rejects a redirect ("Redirect was
 * cancelled", electron#43715). Errors are named as Chromium names them (net::ERR_...).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { netRequest } from '../../helpers/electron-net.mjs';

async function standInFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const req = new Request(input, init);
  const res = await fetch(req);
  if (req.redirect === 'manual' && res.status >= 300 && res.status < 400) throw new Error('Redirect was cancelled');
  return res;
}

const net = { request: vi.fn(netRequest), fetch: vi.fn(standInFetch) };
vi.mock('electron', () => {
  const mod = { app: {}, dialog: {}, shell: {}, net };
  return { ...mod, default: mod };
});

const { createElectronPlatform } = await import('../../../main/platform');
/** An installed copy without an updater: the desktop options these tests do not look at. */
const desktop = { install: { kind: 'installed' as const, portableExe: null }, updateStatus: () => ({ state: 'off' as const, reason: 'no update feed' }) };
const { HttpClient, HttpError } = await import('../../../main/http/client');

let server: Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    hits.push(`${req.headers.host?.split(':')[0]} ${req.method} ${u.pathname}`);
    if (u.pathname === '/redirect') return void res.writeHead(Number(u.searchParams.get('status') ?? 302), { location: u.searchParams.get('location') ?? '' }).end();
    if (u.pathname === '/big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ blob: 'x'.repeat(300_000) }));
    if (u.pathname === '/hang') return;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const Echo = z.object({ method: z.string(), body: z.string(), auth: z.string().nullable() });
const to = (location: string, status = 302) => `${base}/redirect?status=${status}&location=${encodeURIComponent(location)}`;
const http = () => new HttpClient({ fetch: createElectronPlatform(() => null, desktop).fetch, timeoutMs: 2_000, maxBytes: 100_000 });

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HttpError);
  return e as InstanceType<typeof HttpError>;
}

describe("Electron's net as the app's transport", () => {
  it('the stand-in rejects a manual redirect through net.fetch, as Electron 45 does', async () => {
    const viaFetch = new HttpClient({ fetch: net.fetch as unknown as typeof fetch, timeoutMs: 2_000 });
    const e = await failure(viaFetch.request({ url: to('/echo') }));
    expect(e.kind).toBe('unreachable');
  });

  it('sends requests through net.request: answers, bodies and headers', async () => {
    const r = await http().request({ method: 'POST', url: `${base}/echo`, body: { a: 1 }, headers: { Authorization: 'Bearer abc123456' } }, Echo);
    expect(r.data).toEqual({ method: 'POST', body: '{"a":1}', auth: 'Bearer abc123456' });
    expect(net.request).toHaveBeenLastCalledWith(expect.objectContaining({ method: 'POST', redirect: 'manual' }));
    expect(net.fetch).toHaveBeenCalledTimes(1); // the stand-in check above only
  });

  it('follows a redirect to the same host (its redirect event, not followRedirect), keeping the credentials', async () => {
    const r = await http().request({ url: to('/echo', 307), headers: { Authorization: 'Bearer abc123456' } }, Echo);
    expect(r.data).toEqual({ method: 'GET', body: '', auth: 'Bearer abc123456' });
  });

  it('refuses a redirect to another host before anything is sent there, with "answered 3xx to <host>"', async () => {
    const port = new URL(base).port;
    hits.length = 0;
    const e = await failure(http().request({ url: to(`http://localhost:${port}/echo`), headers: { Authorization: 'Bearer abc123456' } }));
    expect([e.kind, e.status, e.message]).toEqual(['redirect', 302, `GET ${base}/redirect answered 302 to localhost:${port}; a redirect to another host is not followed.`]);
    expect(hits).toEqual(['127.0.0.1 GET /redirect']);
  });

  it("classifies Chromium's errors, the size limit and cancellation like the Node transport", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(http().request({ url: `http://127.0.0.1:${port}/x` }));
    expect([refused.kind, refused.message]).toEqual(['unreachable', `GET http://127.0.0.1:${port}/x could not be reached (connection refused)`]);
    expect((await failure(http().request({ url: `${base}/big` }))).kind).toBe('too-large');
    const ctl = new AbortController();
    const pending = http().request({ url: `${base}/hang`, signal: ctl.signal });
    ctl.abort();
    expect((await failure(pending)).kind).toBe('aborted');
  });
});
