import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebTransport, type WebTransport } from '../../../main/web/server';
import { createWebBridge, tokenFromAddress, type ConnectionStatus, type WebBridge } from '../../../renderer/src/transport/web';
import type { Events } from '../../../preload/contract/contract';
import { createFakeCore, sampleJob } from './fake-core';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(opts: { port?: number; token?: string; core?: ReturnType<typeof createFakeCore> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-web-client-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html>');
  const core = opts.core ?? createFakeCore();
  const t = await startWebTransport({ core, rendererDir: dir, port: opts.port ?? 0, token: opts.token });
  cleanups.push(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { t, core };
}

/** The browser sends the page's Origin by itself; ws needs it spelled out. */
function wsFor(t: { port: number }) {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { origin: `http://127.0.0.1:${t.port}` });
    }
  } as never;
}

function bridge(t: WebTransport, token = t.token, backoff = { initialMs: 20, maxMs: 100 }): WebBridge {
  const b = createWebBridge({ url: `ws://127.0.0.1:${t.port}/ws`, token, WebSocketImpl: wsFor(t), backoff });
  cleanups.push(() => b.close());
  return b;
}

function until(b: WebBridge, state: ConnectionStatus['state'], timeoutMs = 3000): Promise<ConnectionStatus> {
  if (b.connection().state === state) return Promise.resolve(b.connection());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bridge never reached "${state}" (it is "${b.connection().state}")`)), timeoutMs);
    const off = b.onConnection((s) => {
      if (s.state === state) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

describe('web bridge (browser client) against the real server', () => {
  it('queues requests made while connecting and answers them once connected', async () => {
    const { t, core } = await server();
    const b = bridge(t);
    expect(b.connection().state).toBe('connecting');
    const snap = await b.request('getSnapshot', {});
    expect(snap).toEqual({ ok: true, value: { jobs: [sampleJob()], sources: [], paused: null } });
    expect(b.connection()).toEqual({ state: 'open', message: null });
    const bad = await b.request('cancelJob', { key: 'nope' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'key' } });
    expect(core.calls.map((c) => c.name)).toEqual(['getSnapshot']);
  });

  it('delivers events to listeners until they unsubscribe', async () => {
    const { t, core } = await server();
    const b = bridge(t);
    await until(b, 'open');
    const got: Events['jobs:patch'][] = [];
    const off = b.on('jobs:patch', (p) => got.push(p));
    const patch: Events['jobs:patch'] = { patches: [{ type: 'changed', key: 'local:tok-1', changes: { state: 'printing' } }] };
    core.emit('jobs:patch', patch);
    await b.request('getSnapshot', {}); // a round trip: the event, sent before, has arrived
    expect(got).toEqual([patch]);
    off();
    core.emit('jobs:patch', patch);
    await b.request('getSnapshot', {});
    expect(got).toHaveLength(1);
  });

  it('reports a refused token, answers requests not-allowed and does not retry', async () => {
    const { t } = await server();
    const b = bridge(t, 'wrong-token');
    const notices: Events['app:notice'][] = [];
    b.on('app:notice', (n) => notices.push(n));
    const first = await b.request('getSnapshot', {});
    expect(first).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const status = await until(b, 'refused');
    expect(status.message).toMatch(/^Cannot connect to the preview server: it refused this page’s access token/);
    await new Promise((r) => setTimeout(r, 150));
    expect(b.connection().state).toBe('refused');
    expect(t.clientCount()).toBe(0);
    // The refusal is the connection's status, which the window shows in its banner; it is not also
    // sent as notices, to the listeners then or to later ones.
    b.on('app:notice', (n) => notices.push(n));
    await new Promise((r) => setTimeout(r, 0));
    expect(notices).toEqual([]);
  });

  it('says when the address has no token at all', async () => {
    const { t } = await server();
    const b = bridge(t, '');
    const s = await until(b, 'refused');
    expect(s.message).toMatch(/this address has no access token/);
  });

  it('answers unreachable while the server is down and reconnects when it is back', async () => {
    const first = await server({ token: 'fixed-token-for-reconnect-test-000000000000' });
    const port = first.t.port;
    const b = bridge(first.t);
    const notices: Events['app:notice'][] = [];
    b.on('app:notice', (n) => notices.push(n));
    await until(b, 'open');
    const downNow = until(b, 'disconnected');
    await first.t.close();
    const down = await downNow;
    expect(down.message).toMatch(/^Lost the connection to the preview server.*retrying in \d+ s\.$/);
    const during = await b.request('getSnapshot', {});
    expect(during).toMatchObject({ ok: false, error: { code: 'unreachable' } });
    // The outage is the connection's status (the window's banner), not a notice.
    expect(notices).toEqual([]);

    const second = await server({ port, token: 'fixed-token-for-reconnect-test-000000000000' });
    await until(b, 'open', 5000);
    expect(await b.request('getSnapshot', {})).toMatchObject({ ok: true });
    expect(second.t.clientCount()).toBe(1);
    // Its end is told once.
    expect(notices).toEqual([{ level: 'info', message: 'Reconnected to the preview server.' }]);
  });

  it('fails requests in flight when the connection drops', async () => {
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    const core = createFakeCore({
      refreshNow: () => {
        started();
        return new Promise(() => undefined);
      },
    });
    const { t } = await server({ core });
    const b = bridge(t);
    await until(b, 'open');
    const inFlight = b.request('refreshNow', {});
    await startedP;
    await t.close();
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'unreachable' } });
  });

  it('reads the token from a fragment or a query', () => {
    expect(tokenFromAddress('?token=abc')).toBe('abc');
    expect(tokenFromAddress('?q=1&token=a-b_c')).toBe('a-b_c');
    expect(tokenFromAddress('?token=')).toBeNull();
    expect(tokenFromAddress('#token=abc')).toBe('abc');
    expect(tokenFromAddress('#view=x&token=a-b_c')).toBe('a-b_c');
    expect(tokenFromAddress('#token=')).toBeNull();
    expect(tokenFromAddress('')).toBeNull();
  });
});
