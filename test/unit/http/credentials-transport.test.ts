/** Credentials go over https, or over plain http only to this PC; ids are single path segments. */
import { createServer, type Server } from 'node:http';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, pathSegment } from '../../../main/http/client';

let server: Server;
let port = 0;
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Resolves every name to `address` (the test server is reached only when it is 127.0.0.1). */
function resolvesTo(address: string): LookupFunction {
  return ((_host: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: null, a: unknown, f?: number) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    setImmediate(() => (all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4)));
  }) as unknown as LookupFunction;
}

describe('credentials over plain http', () => {
  it('are refused to an address that is not on this PC, before anything is sent', async () => {
    const http = new HttpClient();
    for (const url of ['http://10.1.2.3:9/api', 'http://192.168.1.20:41191/api/v1/licensing', 'http://[fd00::1]:80/x']) {
      await expect(http.request({ url, headers: { Authorization: 'securityCode abc-123456' }, timeoutMs: 2000 })).rejects.toMatchObject({
        kind: 'unreachable',
        message: expect.stringContaining('credentials go only over https, or over plain http to this PC'),
      });
    }
  });

  it('are refused to a name that resolves off this PC, and sent to one that resolves to loopback', async () => {
    seen.length = 0;
    const away = new HttpClient({ lookup: resolvesTo('10.9.8.7') });
    await expect(away.request({ url: `http://print.lan:${port}/x`, headers: { Authorization: 'Bearer tok-123456' } })).rejects.toMatchObject({ message: expect.stringContaining('credentials go only over https') });
    const home = new HttpClient({ lookup: resolvesTo('127.0.0.1') });
    await expect(home.request({ url: `http://print.lan:${port}/x`, headers: { Authorization: 'Bearer tok-123456' } })).resolves.toMatchObject({ status: 200 });
    expect(seen).toEqual(['Bearer tok-123456']);
  });

  it('checked by name, keep the whole-exchange deadline: a service that trickles its answer times out', async () => {
    const timers: NodeJS.Timeout[] = [];
    const silent = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      timers.push(setInterval(() => res.write(' '), 50));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const http = new HttpClient({ lookup: resolvesTo('127.0.0.1') });
      await expect(http.request({ url: `http://print.lan:${silentPort}/x`, headers: { Authorization: 'Bearer tok-123456' }, timeoutMs: 300 })).rejects.toMatchObject({ kind: 'timeout' });
    } finally {
      for (const t of timers) clearInterval(t);
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('go to loopback over http, and requests without credentials go anywhere they are pointed', async () => {
    seen.length = 0;
    const http = new HttpClient();
    await expect(http.request({ url: `http://127.0.0.1:${port}/x`, headers: { Authorization: 'Basic abcdef' } })).resolves.toMatchObject({ status: 200 });
    await expect(new HttpClient({ lookup: resolvesTo('127.0.0.1') }).request({ url: `http://print.lan:${port}/ping` })).resolves.toMatchObject({ status: 200 });
    expect(seen).toEqual(['Basic abcdef', undefined]);
  });

  it('through the platform network stack (no lookup to check), only a loopback host gets them', async () => {
    let fetched = 0;
    const http = new HttpClient({ fetch: (async () => (fetched++, new Response('{}', { status: 200 }))) as unknown as typeof fetch });
    await expect(http.request({ url: 'http://print.lan/x', headers: { Authorization: 'Bearer tok-123456' } })).rejects.toMatchObject({ kind: 'unreachable' });
    expect(fetched).toBe(0);
  });
});

describe('pathSegment', () => {
  it('refuses what URL resolution would drop, and encodes the rest as one segment', () => {
    for (const id of ['', '.', '..']) expect(() => pathSegment(id)).toThrow(/cannot be empty, "." or ".."/);
    expect(pathSegment('a/b')).toBe('a%2Fb');
    expect(pathSegment('%2e%2e')).toBe('%252e%252e');
    expect(pathSegment('...')).toBe('...');
  });
});
