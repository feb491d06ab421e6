/**
 * The web bridge's `pipeline` start against the real preview server: requests follow the hello
 * without waiting for `ready`, are answered once the token is accepted, and fail clearly when it is
 * refused. Without the option, requests still wait for `ready`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startWebTransport, type WebTransport } from '../../main/web/server';
import { createWebBridge, type WebBridge } from '../../renderer/src/transport/web';
import { createFakeCore, sampleJob } from '../unit/web/fake-core';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(): Promise<WebTransport> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-pipeline-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html>');
  const core = createFakeCore({ getSnapshot: async () => ({ jobs: [sampleJob({ key: 'local:p1' })], sources: [], paused: null }) });
  const t = await startWebTransport({ core, rendererDir: dir, port: 0 });
  cleanups.push(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });
  return t;
}

/** A ws client that records, in order, what it sent and what it received. */
function recordingSocket(t: WebTransport, log: string[]) {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { origin: `http://127.0.0.1:${t.port}` });
      this.on('message', (data) => log.push(`in ${JSON.parse(String(data)).type}`));
    }
    override send(text: string): void {
      log.push(`out ${JSON.parse(text).type}`);
      super.send(text);
    }
  } as never;
}

function bridge(t: WebTransport, log: string[], opts: { token?: string; pipeline?: boolean }): WebBridge {
  const b = createWebBridge({
    url: `ws://127.0.0.1:${t.port}/ws`,
    token: opts.token ?? t.token,
    WebSocketImpl: recordingSocket(t, log),
    backoff: { initialMs: 5_000, maxMs: 5_000 },
    pipeline: opts.pipeline,
  });
  cleanups.push(() => b.close());
  return b;
}

describe('web bridge with pipeline', () => {
  it('sends the first requests right behind the hello and gets their answers', async () => {
    const t = await server();
    const log: string[] = [];
    const b = bridge(t, log, { pipeline: true });
    const [settings, snapshot] = await Promise.all([b.request('getSettings', {}), b.request('getSnapshot', {})]);
    expect(log.slice(0, 3)).toEqual(['out hello', 'out request', 'out request']);
    expect(log.indexOf('in ready')).toBeGreaterThan(2);
    expect(snapshot).toEqual({ ok: true, value: { jobs: [sampleJob({ key: 'local:p1' })], sources: [], paused: null } });
    // The fake core has no settings: the refusal comes back as the server's answer, not a transport error.
    expect(settings.ok).toBe(false);
    if (!settings.ok) expect(settings.error.message).toContain('getSettings is not available');
    expect(b.connection().state).toBe('open');
  });

  it('answers pipelined requests with the refusal when the token is wrong', async () => {
    const t = await server();
    const log: string[] = [];
    const b = bridge(t, log, { pipeline: true, token: 'not-the-token' });
    const r = await b.request('getSnapshot', {});
    expect(log.slice(0, 2)).toEqual(['out hello', 'out request']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('not-allowed');
      expect(r.error.message).toContain('refused this page’s access token');
    }
    expect(b.connection().state).toBe('refused');
  });

  it('without the option, keeps requests until the server is ready', async () => {
    const t = await server();
    const log: string[] = [];
    const b = bridge(t, log, {});
    const r = await b.request('getSnapshot', {});
    expect(r.ok).toBe(true);
    expect(log.slice(0, 3)).toEqual(['out hello', 'in ready', 'out request']);
  });
});
