import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient, HttpError, basicAuth, parseRetryAfter, describeTarget, extractServiceMessage, redirectTarget } from '../../../main/http/client';

const SECRET = '6b3e2a1c-0f4d-4e5a-9b8c-7d6e5f4a3b2c';

let server: Server;
let base: string;
const seen: { url: string; auth: string | undefined }[] = [];

function route(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ url: req.url ?? '', auth: req.headers.authorization });
  const path = (req.url ?? '').split('?')[0];
  switch (path) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jobs: [{ id: 'a', status: 5 }] }));
      return;
    case '/throttled-seconds':
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'Slow down' } }));
      return;
    case '/throttled-date':
      res.writeHead(503, { 'retry-after': new Date(Date.now() + 120_000).toUTCString() }).end('Service busy');
      return;
    case '/not-json':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"jobs": [ {"id": "a", ');
      return;
    case '/html':
      res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal error</body></html>');
      return;
    case '/big':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ blob: 'x'.repeat(200_000) }));
      return;
    case '/big-stream': {
      // No content-length: the limit must cut the stream off, not wait for its end.
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const push = () => {
        if (res.destroyed || sent > 50) return void res.end();
        sent++;
        res.write('x'.repeat(64 * 1024), () => setImmediate(push));
      };
      push();
      return;
    }
    case '/hang':
      return; // never answers
    case '/trickle': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 30);
      res.on('close', () => clearInterval(t));
      return;
    }
    case '/redirect': {
      // /redirect?status=302&location=<url>: answers a redirect as told.
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      res.writeHead(Number(q.get('status') ?? 302), { location: q.get('location') ?? '' }).end('moved');
      return;
    }
    case '/echo': {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null, type: req.headers['content-type'] ?? null })));
      return;
    }
    case '/echo-secret':
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `License ${SECRET} is not valid` }));
      return;
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const Jobs = z.object({ jobs: z.array(z.object({ id: z.string(), status: z.string() })) });

async function failure(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('expected the request to fail');
}

function noSecret(err: HttpError): void {
  const text = [err.message, err.target, err.serviceMessage ?? '', String(err.stack)].join('\n');
  expect(text).not.toContain(SECRET);
}

const adapters: [string, () => HttpClient][] = [
  ['node http', () => new HttpClient({ timeoutMs: 2_000, maxBytes: 100_000 })],
  ['fetch', () => new HttpClient({ timeoutMs: 2_000, maxBytes: 100_000, fetch: globalThis.fetch })],
];

describe.each(adapters)('HttpClient over %s', (_name, make) => {
  const http = make();

  it('parses and validates a good answer', async () => {
    const res = await http.request({ url: `${base}/ok` }, z.object({ jobs: z.array(z.object({ id: z.string(), status: z.number() })) }));
    expect(res.status).toBe(200);
    expect(res.data.jobs[0]).toEqual({ id: 'a', status: 5 });
  });

  it('reads Retry-After in seconds and the service words of an error answer', async () => {
    const err = await failure(http.request({ url: `${base}/throttled-seconds` }));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(7_000);
    expect(err.serviceMessage).toBe('Slow down');
    expect(err.message).toBe(`GET ${base}/throttled-seconds answered 429: Slow down`);
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const err = await failure(http.request({ url: `${base}/throttled-date` }));
    expect(err.status).toBe(503);
    // The date has one-second resolution.
    expect(err.retryAfterMs).toBeGreaterThan(118_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(120_000);
    expect(err.serviceMessage).toBe('Service busy');
  });

  it('says an answer that is not JSON is malformed', async () => {
    const err = await failure(http.request({ url: `${base}/not-json` }, Jobs));
    expect(err.kind).toBe('malformed');
    expect(err.message).toBe(`GET ${base}/not-json answered 200 with a body that is not JSON`);
  });

  it('names the field when the answer has the wrong shape', async () => {
    const err = await failure(http.request({ url: `${base}/ok` }, Jobs));
    expect(err.kind).toBe('malformed');
    expect(err.message).toMatch(/unexpected shape \(jobs\.0\.status: .*string.*\)/);
  });

  it('does not take an HTML error page for the service words', async () => {
    const err = await failure(http.request({ url: `${base}/html` }));
    expect(err).toMatchObject({ kind: 'http', status: 500, serviceMessage: null });
    expect(err.message).toBe(`GET ${base}/html answered 500`);
  });

  it('cuts off an answer larger than the limit', async () => {
    const err = await failure(http.request({ url: `${base}/big` }));
    expect(err.kind).toBe('too-large');
    expect(err.message).toMatch(/more data than the limit allows/);
    const streamed = await failure(http.request({ url: `${base}/big-stream` }));
    expect(streamed.kind).toBe('too-large');
  });

  it('times out a service that does not answer, and one that never finishes its answer', async () => {
    const fast = make === adapters[0][1] ? new HttpClient({ timeoutMs: 200 }) : new HttpClient({ timeoutMs: 200, fetch: globalThis.fetch });
    // Neither server ever finishes: only the client's deadline, over the whole exchange, ends them.
    const started = performance.now();
    const err = await failure(fast.request({ url: `${base}/hang` }));
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe(`GET ${base}/hang did not answer in time`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    const trickle = await failure(fast.request({ url: `${base}/trickle` }));
    expect(trickle.kind).toBe('timeout');
  });

  it('says unreachable when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await failure(http.request({ url: `http://127.0.0.1:${port}/x` }));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toBe(`GET http://127.0.0.1:${port}/x could not be reached (connection refused)`);
  });

  it('is cancelled by its signal', async () => {
    const c = new AbortController();
    const p = http.request({ url: `${base}/hang`, signal: c.signal });
    setTimeout(() => c.abort(), 20);
    const err = await failure(p);
    expect(err.kind).toBe('aborted');
  });

  it('never puts secrets from the URL, user info or headers in its errors', async () => {
    const url = new URL(`${base}/echo-secret?license=${SECRET}`);
    url.username = 'user';
    url.password = SECRET;
    const err = await failure(http.request({ url: url.toString(), headers: { Authorization: basicAuth(SECRET, '') } }));
    expect(err.kind).toBe('http');
    expect(err.target).toBe(`GET ${base}/echo-secret`);
    noSecret(err);
    expect(err.serviceMessage).toBe('License [redacted] is not valid');
    const refused = await failure(http.request({ url: `http://127.0.0.1:1/x?token=${SECRET}`, headers: { Authorization: `Bearer ${SECRET}` } }));
    noSecret(refused);
  });
});

describe.each(adapters)('redirects over %s: one policy for both transports', (_name, make) => {
  const http = make();
  const to = (location: string, status = 302) => `${base}/redirect?status=${status}&location=${encodeURIComponent(location)}`;
  const echoed = z.object({ method: z.string(), body: z.string(), auth: z.string().nullable(), type: z.string().nullable() });

  it('follows a redirect to the same host, keeping the credentials; 307/308 keep the method and body, 303 turns into GET', async () => {
    for (const status of [301, 302, 307, 308]) {
      const r = await http.request({ url: to('/echo', status), headers: { Authorization: 'Bearer abc123456' } }, echoed);
      expect([status, r.data.method, r.data.auth]).toEqual([status, 'GET', 'Bearer abc123456']);
    }
    const kept = await http.request({ method: 'POST', url: to(`${base}/echo`, 307), body: { a: 1 } }, echoed);
    expect(kept.data).toMatchObject({ method: 'POST', body: '{"a":1}', type: 'application/json' });
    const seeOther = await http.request({ method: 'POST', url: to('/echo', 303), body: { a: 1 } }, echoed);
    expect(seeOther.data).toMatchObject({ method: 'GET', body: '' });
  });

  it('follows at most 3 hops', async () => {
    const chain = (n: number): string => (n === 0 ? '/echo' : to(chain(n - 1)).slice(base.length));
    expect((await http.request({ url: `${base}${chain(3)}` }, echoed)).data.method).toBe('GET');
    const e = await failure(http.request({ url: `${base}${chain(4)}` }));
    expect([e.kind, e.status]).toEqual(['redirect', 302]);
    expect(e.message).toBe(`GET ${base}/redirect answered 302 to ${new URL(base).host} more than 3 times; the redirect was not followed.`);
  });

  it('refuses a redirect to another host and from https to http, before sending anything there', async () => {
    const other = `http://localhost:${new URL(base).port}/echo?token=abc`;
    const before = seen.length;
    const e = await failure(http.request({ url: to(other), headers: { Authorization: 'Bearer abc123456' } }));
    expect([e.kind, e.status]).toEqual(['redirect', 302]);
    expect(e.message).toBe(`GET ${base}/redirect answered 302 to localhost:${new URL(base).port}; a redirect to another host is not followed.`);
    expect(seen.slice(before).map((x) => x.url.split('?')[0])).toEqual(['/redirect']);
    const bad = await failure(http.request({ url: to('ftp://127.0.0.1/x') }));
    expect(bad.message).toMatch(/answered 302 to 127\.0\.0\.1; a redirect to ftp: is not followed\.$/);
  });
});

describe('redirect policy', () => {
  it('allows the same host with the same or a stronger scheme, never a weaker one or another host', () => {
    expect(redirectTarget('http://print.example.com/api/v1/x', 'https://print.example.com/api/v1/x')).toEqual({ url: 'https://print.example.com/api/v1/x' });
    expect(redirectTarget('http://print.example.com:8080/a', '/b?c=1')).toEqual({ url: 'http://print.example.com:8080/b?c=1' });
    expect(redirectTarget('http://print.example.com:41191/a', 'https://print.example.com/a')).toEqual({ url: 'https://print.example.com/a' });
    expect(redirectTarget('https://print.example.com/a', 'http://print.example.com/a')).toEqual({ refused: 'a redirect from https to http is not followed' });
    expect(redirectTarget('https://print.example.com/a', 'https://evil.example/a')).toEqual({ refused: 'a redirect to another host is not followed' });
    expect(redirectTarget('https://print.example.com:443/a', 'https://print.example.com:8443/a')).toEqual({ refused: 'a redirect to another port is not followed' });
    expect(redirectTarget('https://print.example.com/a', 'http://[')).toEqual({ refused: 'the redirect address is not valid' });
  });
});

describe('helpers', () => {
  it('parseRetryAfter: seconds (fractional too), HTTP dates, garbage', () => {
    const now = Date.UTC(2026, 0, 5, 9, 0, 0);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('Mon, 05 Jan 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 05 Jan 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('describeTarget drops the query and the user info', () => {
    expect(describeTarget('get', `http://u:${SECRET}@127.0.0.1:41191/api/v1/status?license=${SECRET}`)).toBe('GET http://127.0.0.1:41191/api/v1/status');
    expect(describeTarget('get', 'not a url')).toBe('GET (invalid URL)');
  });

  it('extractServiceMessage finds the service words', () => {
    expect(extractServiceMessage({ error: { code: 'x', message: 'Printer offline' } })).toBe('Printer offline');
    expect(extractServiceMessage({ Message: 'Bad token' })).toBe('Bad token');
    expect(extractServiceMessage('"quoted"')).toBe('quoted');
    expect(extractServiceMessage('<html/>')).toBeNull();
    expect(extractServiceMessage('y'.repeat(400))).toHaveLength(300);
  });
});
