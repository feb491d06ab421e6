import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, stat, utimes, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { WebSocket } from 'ws';
import { startWebTransport, tokensEqual, type WebTransport } from '../../../main/web/server';
import { previewContentSecurityPolicy, rewriteCspMeta } from '../../../main/web/csp';
import { EVENT_NAMES } from '../../../preload/contract/channels';
import type { Events } from '../../../preload/contract/contract';
import { AppFailure, Settings, noCapabilities, type Job, type Result } from '../../../preload/contract/model';
import { snapshotAnswer } from '../../../preload/contract/queue-view';
import { isWireTable } from '../../../preload/contract/wire';
import { expandAnswer } from '../../../preload/contract/wire';
import { defaultUi } from '../../../renderer/src/state/model-lite';
import { createFakeCore, sampleJob, type FakeCore } from './fake-core';

const APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let root: string;
let rendererDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pqm-web-'));
  rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(
    join(rendererDir, 'index.html'),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${APP_CSP}" /><script type="module" src="/assets/app.js"></script></head><body></body></html>`,
  );
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(join(rendererDir, 'assets', 'style.css'), 'body{}');
  await writeFile(join(rendererDir, '.env'), 'SECRET=1');
  await writeFile(join(root, 'secret.txt'), 'outside the renderer');
  await symlink(join(root, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const open: { transport?: WebTransport; sockets: WebSocket[] } = { sockets: [] };
afterEach(async () => {
  for (const s of open.sockets) s.terminate();
  open.sockets = [];
  await open.transport?.close();
  open.transport = undefined;
});

async function start(core: FakeCore = createFakeCore(), extra: Partial<Parameters<typeof startWebTransport>[0]> = {}) {
  const t = await startWebTransport({ core, rendererDir, port: 0, ...extra });
  open.transport = t;
  return { t, core };
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw socket, so tests can see refusals before and after the upgrade. */
function connect(t: WebTransport, origin: string | null = `http://127.0.0.1:${t.port}`, maxPayload?: number): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${t.port}/ws`, { ...(origin === null ? {} : { origin }), ...(maxPayload ? { maxPayload } : {}) });
  open.sockets.push(ws);
  return ws;
}

function upgradeStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => undefined);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** Collects every JSON message the socket receives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- messages of every shape, inspected by each test
type Msg = any;
function inbox(ws: WebSocket) {
  const messages: Msg[] = [];
  const waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    messages,
    next(pred: (m: Msg) => boolean, timeoutMs = 3000): Promise<Msg> {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching message arrived')), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
  };
}

async function authed(t: WebTransport) {
  const ws = connect(t);
  const box = inbox(ws);
  await new Promise<void>((r, j) => (ws.once('open', () => r()), ws.once('error', j)));
  ws.send(JSON.stringify({ type: 'hello', token: t.token }));
  await box.next((m) => m.type === 'ready');
  let id = 0;
  return {
    ws,
    box,
    /** The answer as the page's bridge reads it (a snapshot's job table turned back into a list). */
    async request(name: string, input?: unknown) {
      return expandAnswer((await this.raw(name, input)) as Result<unknown>);
    },
    /** The answer as it travels. */
    async raw(name: string, input?: unknown) {
      const myId = ++id;
      ws.send(JSON.stringify({ type: 'request', id: myId, name, input }));
      return (await box.next((m) => m.type === 'response' && m.id === myId)).result;
    },
  };
}

describe('web transport: static files', () => {
  it('serves a file read once from memory, and its new content as soon as it changes on disk', async () => {
    const { t } = await start();
    const host = { host: `127.0.0.1:${t.port}` };
    await writeFile(join(rendererDir, 'assets', 'changing.js'), 'one();');
    expect((await get(t.port, '/assets/changing.js', host)).body).toBe('one();');
    expect((await get(t.port, '/assets/changing.js', host)).body).toBe('one();');
    await writeFile(join(rendererDir, 'assets', 'changing.js'), 'two(); // longer');
    expect((await get(t.port, '/assets/changing.js', host)).body).toBe('two(); // longer');
    // Same size, new content: the modification time tells (set a second on, rather than waiting
    // for the clock to move past the file system's time resolution).
    const { mtime } = await stat(join(rendererDir, 'assets', 'changing.js'));
    await writeFile(join(rendererDir, 'assets', 'changing.js'), 'six(); // longer');
    await utimes(join(rendererDir, 'assets', 'changing.js'), new Date(), new Date(mtime.getTime() + 1_000));
    expect((await get(t.port, '/assets/changing.js', host)).body).toBe('six(); // longer');
    // Removed: not found, not the remembered content.
    await rm(join(rendererDir, 'assets', 'changing.js'));
    expect((await get(t.port, '/assets/changing.js', host)).status).toBe(404);
    // A file swapped for a link to one outside the window's folder is refused, cached or not.
    await writeFile(join(rendererDir, 'assets', 'swap.txt'), 'inside');
    expect((await get(t.port, '/assets/swap.txt', host)).body).toBe('inside');
    await rm(join(rendererDir, 'assets', 'swap.txt'));
    await symlink(join(root, 'secret.txt'), join(rendererDir, 'assets', 'swap.txt'));
    expect((await get(t.port, '/assets/swap.txt', host)).status).toBe(404);
  });

  it('serves index.html with the preview CSP (one added ws origin) and security headers', async () => {
    const { t } = await start();
    expect(t.url).toBe(`http://127.0.0.1:${t.port}/?token=${t.token}`);
    expect(t.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await get(t.port, '/', { host: `127.0.0.1:${t.port}` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    const expected = APP_CSP.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${t.port}`);
    expect(res.headers['content-security-policy']).toBe(expected);
    expect(res.body).toContain(`content="${expected}"`);
    expect(res.body).not.toContain(APP_CSP);
  });

  it('serves assets with their content types', async () => {
    const { t } = await start();
    const js = await get(t.port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app");');
    expect((await get(t.port, '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(t.port, '/assets/app.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/assets/..%5c..%5csecret.txt',
    '/%00index.html',
    '/.env',
    '/assets/link.txt',
    '/assets/',
    '/assets',
    '/missing.js',
    '/%E0%A4%A',
  ])('refuses %s with 404', async (path) => {
    const { t } = await start();
    const res = await get(t.port, path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('outside the renderer');
    expect(res.body).not.toContain('SECRET');
  });

  it('answers only GET/HEAD and only for the 127.0.0.1 host', async () => {
    const { t } = await start();
    expect((await get(t.port, '/', {}, 'POST')).status).toBe(405);
    const rebinding = await get(t.port, '/', { host: `evil.example:${t.port}` });
    expect(rebinding.status).toBe(403);
    expect(rebinding.body).not.toContain('<html');
  });
});

describe('web transport: who may connect', () => {
  it('refuses a foreign Origin with 403 before the upgrade', async () => {
    const { t } = await start();
    expect(await upgradeStatus(connect(t, 'http://evil.example'))).toBe(403);
    expect(await upgradeStatus(connect(t, `http://localhost:${t.port}`))).toBe(403);
    expect(await upgradeStatus(connect(t, `http://127.0.0.1:${t.port + 1}`))).toBe(403);
  });

  it('refuses a missing Origin with 403', async () => {
    const { t } = await start();
    expect(await upgradeStatus(connect(t, null))).toBe(403);
  });

  it('closes with 1008 on a wrong token and answers nothing', async () => {
    const core = createFakeCore();
    const { t } = await start(core);
    const ws = connect(t);
    const box = inbox(ws);
    const done = closed(ws);
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send(JSON.stringify({ type: 'hello', token: `${t.token.slice(0, -1)}x` }));
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'getSnapshot', input: {} }));
    core.emit('app:notice', { level: 'info', message: 'must not arrive' });
    const { code } = await done;
    expect(code).toBe(1008);
    expect(box.messages).toEqual([]);
    expect(core.calls).toEqual([]);
  });

  it.each([
    ['a request before the hello', (_token: string) => ({ type: 'request', id: 1, name: 'getSnapshot', input: {} })],
    ['a hello without token', () => ({ type: 'hello' })],
    ['an empty token', () => ({ type: 'hello', token: '' })],
    ['a token that is not a string', (token: string) => ({ type: 'hello', token: [token] })],
  ])('closes with 1008 on %s', async (_label, make) => {
    const core = createFakeCore();
    const { t } = await start(core);
    const ws = connect(t);
    const done = closed(ws);
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send(JSON.stringify(make(t.token)));
    expect((await done).code).toBe(1008);
    expect(core.calls).toEqual([]);
    expect(t.clientCount()).toBe(0);
  });

  it('closes a socket that never says hello', async () => {
    const { t } = await start(createFakeCore(), { helloTimeoutMs: 50 });
    const ws = connect(t);
    expect((await closed(ws)).code).toBe(1008);
  });

  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });
});

describe('web transport: requests and events', () => {
  it('answers requests through dispatch', async () => {
    const { t, core } = await start();
    const c = await authed(t);
    expect(await c.request('getSnapshot', {})).toEqual({ ok: true, value: { jobs: [sampleJob()], sources: [], paused: null } });
    expect(await c.request('cancelJob', { key: 'local:a:b' })).toMatchObject({ ok: true, value: { key: 'local:a:b', state: 'canceled' } });
    expect(core.calls.map((x) => x.name)).toEqual(['getSnapshot', 'cancelJob']);
  });

  it('refuses invalid payloads with invalid-input naming the field, without calling the handler', async () => {
    const { t, core } = await start();
    const c = await authed(t);
    const bad = await c.request('cancelJob', { key: 'no-colon' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'key' } });
    const extra = await c.request('getSnapshot', { sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const nested = await c.request('pauseMonitoring', { minutes: -5 });
    expect(nested).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'minutes' } });
    const unknown = await c.request('__proto__', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'request' } });
    expect(core.calls).toEqual([]);
  });

  it('returns handler failures in the envelope', async () => {
    const core = createFakeCore({
      retryJob: async () => {
        throw new AppFailure('too-late', 'The job is already printing.', { sourceId: 'local' });
      },
      dismissJob: async () => {
        throw new Error('disk on fire');
      },
    });
    const { t } = await start(core);
    const c = await authed(t);
    expect(await c.request('retryJob', { key: 'local:x' })).toEqual({ ok: false, error: { code: 'too-late', message: 'The job is already printing.', sourceId: 'local' } });
    expect(await c.request('dismissJob', { key: 'local:x' })).toEqual({ ok: false, error: { code: 'internal', message: 'disk on fire' } });
  });

  it('pushes every contract event to authenticated sockets only', async () => {
    const { t, core } = await start();
    const c = await authed(t);
    const stranger = connect(t);
    const strangerBox = inbox(stranger);
    await new Promise<void>((r) => stranger.once('open', () => r()));
    const payloads: { [E in keyof Events]: Events[E] } = {
      'jobs:patch': { patches: [{ type: 'added', job: sampleJob() }] },
      'source:health': { id: 'local', kind: 'scriptx', name: 'Local', capabilities: noCapabilities(), status: 'ok', message: 'Working.', lastSuccessAt: null, lastErrorAt: null },
      'monitoring:paused': { until: null },
      'app:navigate': { key: 'local:tok-1' },
      'app:notice': { level: 'warning', message: 'Heads up.' },
      'print:progress': { key: 'local:tok-1', sentBytes: 5, totalBytes: 10 },
      'signin:progress': { sourceId: 'up', stage: 'device-code', userCode: 'ABCD1234', verificationUri: 'https://microsoft.com/devicelogin', expiresAt: '2026-06-01T08:15:00.000Z', message: 'To sign in, enter the code ABCD1234.' },
      'printers:changed': {
        printers: [{ key: 'cups:office', sourceId: 'cups', sourceKind: 'ipp', id: 'office', name: 'office', state: 'stopped', reasons: ['Paper jam'], acceptingJobs: false, activeJobs: 2, stuckJobs: 0 }],
      },
      'settings:changed': { settings: Settings.parse({ version: 1, sources: [{ id: 'local', kind: 'scriptx' }] }), problems: [] },
    };
    for (const name of EVENT_NAMES) core.emit(name, payloads[name] as never);
    for (const name of EVENT_NAMES) {
      const m = await c.box.next((x) => x.type === 'event' && x.name === name);
      expect(m.payload).toEqual(payloads[name]);
    }
    expect(strangerBox.messages).toEqual([]);
  });

  it('survives malformed JSON, odd messages and binary frames', async () => {
    const { t } = await start();
    const c = await authed(t);
    c.ws.send('{not json');
    expect(await c.box.next((m) => m.type === 'response' && m.id === null)).toMatchObject({ result: { ok: false, error: { code: 'invalid-input', message: 'The message is not valid JSON.' } } });
    c.ws.send(JSON.stringify([1, 2]));
    c.ws.send(JSON.stringify({ type: 'request', name: 'getSnapshot' }));
    c.ws.send(JSON.stringify({ type: 'bogus', id: 'x1' }));
    c.ws.send(JSON.stringify({ type: 'request', id: 'x2', name: 7 }));
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.box.next((m) => m.id === 'x1')).toMatchObject({ result: { ok: false, error: { code: 'invalid-input', field: 'type' } } });
    expect(await c.box.next((m) => m.id === 'x2')).toMatchObject({ result: { ok: false, error: { code: 'invalid-input', field: 'name' } } });
    // Still serving after all that.
    expect(await c.request('getSnapshot', {})).toMatchObject({ ok: true });
    expect(c.box.messages.filter((m) => m.id === null).length).toBe(4);
  });

  it('closes a socket that sends an oversized message (1009) and keeps serving others', async () => {
    const { t } = await start(createFakeCore(), { maxMessageBytes: 64 * 1024 });
    const c = await authed(t);
    const done = closed(c.ws);
    c.ws.send(JSON.stringify({ type: 'request', id: 1, name: 'trackJob', input: { sourceId: 'local', id: 'x'.repeat(100_000) } }));
    expect((await done).code).toBe(1009);
    const again = await authed(t);
    expect(await again.request('getSnapshot', {})).toMatchObject({ ok: true });
  });

  it('limits the request rate per socket', async () => {
    let clock = 1_000_000;
    const { t } = await start(createFakeCore(), { maxRequestsPerSecond: 5, now: () => clock });
    const c = await authed(t);
    const results = await Promise.all(Array.from({ length: 7 }, () => c.request('getSnapshot', {})));
    expect(results.filter((r) => r.ok).length).toBe(5);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, error: { code: 'not-allowed', message: 'Too many requests; slow down and try again in a moment.' } },
      { ok: false, error: { code: 'not-allowed', message: 'Too many requests; slow down and try again in a moment.' } },
    ]);
    clock += 1000;
    expect(await c.request('getSnapshot', {})).toMatchObject({ ok: true });
  });

  it('unsubscribes from the core and drops sockets on close', async () => {
    const core = createFakeCore();
    const { t } = await start(core);
    expect(core.listenerCount()).toBe(EVENT_NAMES.length);
    const c = await authed(t);
    const done = closed(c.ws);
    await t.close();
    await done;
    expect(core.listenerCount()).toBe(0);
    open.transport = undefined;
  });
});

describe('web transport: the whole queue as a table, prepared while the window draws its first rows', () => {
  /** A core whose snapshot is read from `state` at each call, like the engine's; `first` answered as the app does. */
  function liveCore(jobs?: Job[]) {
    const state = { document: 'first' };
    const core = createFakeCore({
      getSnapshot: async ({ first }) => {
        return snapshotAnswer({ jobs: jobs ?? [sampleJob({ document: state.document })], sources: [], paused: null }, defaultUi(), first);
      },
    });
    const snapshotCalls = () => core.calls.filter((c) => c.name === 'getSnapshot').length;
    return { core, state, snapshotCalls };
  }
  /** Waits for `pred` however long a loaded machine takes; one that never holds is the test's timeout. */
  async function until(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise((r) => setTimeout(r, 5));
  }

  it('sends the jobs of a snapshot as a table that reads back to exactly the same list', async () => {
    const jobs = Array.from({ length: 300 }, (_, i) => sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}`, document: `Doc "${i}" \u2028`, state: i % 3 ? 'queued' : 'printing' }));
    const { core } = liveCore(jobs);
    const { t } = await start(core);
    const c = await authed(t);
    const raw = (await c.raw('getSnapshot', {})) as { ok: true; value: { jobs: unknown } };
    expect(isWireTable(raw.value.jobs)).toBe(true);
    expect(JSON.stringify(raw).length).toBeLessThan(JSON.stringify(jobs).length / 2);
    expect(await c.request('getSnapshot', {})).toEqual({ ok: true, value: { jobs, sources: [], paused: null } });
  });

  it('answers `first` with the first rows in the window\'s order, then prepares the whole queue and answers with it', async () => {
    const { core, state, snapshotCalls } = liveCore();
    const { t } = await start(core);
    // Serving the page without the token prepares nothing (its rows are not the page's to have).
    expect((await get(t.port, '/', { host: `127.0.0.1:${t.port}` })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 30));
    expect(snapshotCalls()).toBe(0);
    const c = await authed(t);
    expect(await c.request('getSnapshot', { first: 10 })).toEqual({ ok: true, value: { jobs: [sampleJob({ document: 'first' })], sources: [], paused: null, total: 1, shown: 1, states: { byState: { queued: 1 }, stuck: 0 } } });
    await until(() => snapshotCalls() === 2);
    // Changed without an event: the prepared answer (taken before) is what is sent, no further read.
    state.document = 'changed silently';
    expect(await c.request('getSnapshot', {})).toEqual({ ok: true, value: { jobs: [sampleJob({ document: 'first' })], sources: [], paused: null } });
    expect(await c.request('getSnapshot')).toMatchObject({ ok: true, value: { jobs: [{ document: 'first' }] } });
    expect(snapshotCalls()).toBe(2);
    // Input is still validated, and a refused request prepares nothing.
    expect(await c.request('getSnapshot', { sneaky: true })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await c.request('getSnapshot', { first: 0 })).toMatchObject({ ok: false, error: { code: 'invalid-input', field: 'first' } });
    expect(snapshotCalls()).toBe(2);
  });

  it('answers the first rows before the whole queue asked for at the same time, and reads and encodes the whole queue once', async () => {
    const jobs = Array.from({ length: 6_000 }, (_, i) => sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}`, document: `Doc ${i}` }));
    const core = createFakeCore({ getSnapshot: async ({ first }) => snapshotAnswer({ jobs, sources: [], paused: null }, defaultUi(), first) });
    const { t } = await start(core);
    const c = await authed(t);
    c.ws.send(JSON.stringify({ type: 'request', id: 11, name: 'getSnapshot', input: { first: 20 } }));
    c.ws.send(JSON.stringify({ type: 'request', id: 12, name: 'getSnapshot', input: {} }));
    await c.box.next((m) => m.type === 'response' && m.id === 12);
    await c.box.next((m) => m.type === 'response' && m.id === 11);
    const kinds = c.box.messages.map((m) => (m.type === 'response' ? `response ${m.id}` : m.type));
    expect(kinds).toEqual(['ready', 'response 11', 'response 12']);
    // One read for the first rows, one for the whole queue (asking again uses the prepared answer).
    expect(await c.request('getSnapshot', {})).toEqual({ ok: true, value: { jobs, sources: [], paused: null } });
    expect(core.calls.filter((x) => x.name === 'getSnapshot')).toHaveLength(2);
  });

  it('never sends a prepared whole queue before the first rows the same socket asked for first', async () => {
    const jobs = Array.from({ length: 3_000 }, (_, i) => sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}`, document: `Doc ${i}` }));
    const core = createFakeCore({ getSnapshot: async ({ first }) => snapshotAnswer({ jobs, sources: [], paused: null }, defaultUi(), first) });
    const { t } = await start(core);
    // Another window's load leaves the whole queue prepared.
    const before = await authed(t);
    await before.request('getSnapshot', {});
    const c = await authed(t);
    c.ws.send(JSON.stringify({ type: 'request', id: 21, name: 'getSnapshot', input: { first: 20 } }));
    c.ws.send(JSON.stringify({ type: 'request', id: 22, name: 'getSnapshot', input: {} }));
    await c.box.next((m) => m.type === 'response' && m.id === 22);
    await c.box.next((m) => m.type === 'response' && m.id === 21);
    expect(c.box.messages.map((m) => (m.type === 'response' ? `response ${m.id}` : m.type))).toEqual(['ready', 'response 21', 'response 22']);
  });

  it('encodes a large prepared snapshot (several steps) to exactly the same answer', async () => {
    const jobs = Array.from({ length: 4_345 }, (_, i) => sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}`, document: `Doc "${i}" \u2028`, progress: i % 7 ? null : (i % 100) / 100 }));
    const paused = { until: '2026-01-05T10:00:00.000Z' };
    const core = createFakeCore({ getSnapshot: async ({ first }) => snapshotAnswer({ jobs, sources: [], paused }, defaultUi(), first) });
    const { t } = await start(core);
    const c = await authed(t);
    expect(await c.request('getSnapshot', { first: 5 })).toMatchObject({ ok: true, value: { total: jobs.length } });
    await until(() => core.calls.length === 2);
    expect(await c.request('getSnapshot', {})).toEqual({ ok: true, value: { jobs, sources: [], paused } });
    expect(core.calls.length).toBe(2);
  });

  it('drops the prepared snapshot on any event, so a patch is never lost between snapshot and socket', async () => {
    const { core, state, snapshotCalls } = liveCore();
    const { t } = await start(core);
    const c = await authed(t);
    await c.request('getSnapshot', { first: 10 });
    await until(() => snapshotCalls() === 2);
    state.document = 'patched';
    core.emit('jobs:patch', { patches: [{ type: 'changed', key: 'local:tok-1', changes: { document: 'patched' } }] });
    expect(await c.request('getSnapshot', {})).toMatchObject({ ok: true, value: { jobs: [{ document: 'patched' }] } });
    expect(snapshotCalls()).toBe(3);
  });

  it('sends events that follow the prepared answer after it, in order', async () => {
    const { core, snapshotCalls } = liveCore();
    const { t } = await start(core);
    const c = await authed(t);
    await c.request('getSnapshot', { first: 10 });
    await until(() => snapshotCalls() === 2);
    c.ws.send(JSON.stringify({ type: 'request', id: 7, name: 'getSnapshot', input: {} }));
    await c.box.next((m) => m.type === 'response' && m.id === 7);
    core.emit('jobs:patch', { patches: [{ type: 'changed', key: 'local:tok-1', changes: { document: 'after' } }] });
    await c.box.next((m) => m.type === 'event');
    const kinds = c.box.messages.map((m) => (m.type === 'response' ? `response ${m.id}` : m.type));
    expect(kinds).toEqual(['ready', 'response 1', 'response 7', 'event']);
  });

  it('never answers a socket whose token is wrong, prepared snapshot or not', async () => {
    const { core, snapshotCalls } = liveCore();
    const { t } = await start(core);
    const c = await authed(t);
    await c.request('getSnapshot', { first: 10 });
    await until(() => snapshotCalls() === 2);
    const ws = connect(t);
    const box = inbox(ws);
    const done = closed(ws);
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send(JSON.stringify({ type: 'hello', token: 'wrong' }));
    ws.send(JSON.stringify({ type: 'request', id: 1, name: 'getSnapshot', input: { first: 10 } }));
    ws.send(JSON.stringify({ type: 'request', id: 2, name: 'getSnapshot', input: {} }));
    expect((await done).code).toBe(1008);
    expect(box.messages).toEqual([]);
    expect(snapshotCalls()).toBe(2);
  });

  it('answers an encoding failure of the snapshot as an error, not a dropped answer', async () => {
    const core = createFakeCore({ getSnapshot: async () => ({ jobs: [sampleJob(), 'not a job' as never], sources: [], paused: null }) });
    const { t } = await start(core);
    const c = await authed(t);
    expect(await c.request('getSnapshot', {})).toEqual({ ok: false, error: { code: 'internal', message: 'The snapshot could not be encoded: Row 1 of the table is not an object.' } });
  });
});

describe('preview CSP', () => {
  it('adds exactly the ws origin to connect-src and nothing else', () => {
    expect(previewContentSecurityPolicy(4000, "default-src 'none'; connect-src 'none'")).toBe("default-src 'none'; connect-src ws://127.0.0.1:4000");
    expect(previewContentSecurityPolicy(4000, "default-src 'none'")).toBe("default-src 'none'; connect-src ws://127.0.0.1:4000");
    const { html, policy } = rewriteCspMeta(`<meta content="script-src 'self'; connect-src 'self'" http-equiv='Content-Security-Policy'>`, 81);
    expect(policy).toBe("script-src 'self'; connect-src 'self' ws://127.0.0.1:81");
    expect(html).toBe(`<meta content="script-src 'self'; connect-src 'self' ws://127.0.0.1:81" http-equiv='Content-Security-Policy'>`);
    expect(rewriteCspMeta('<html></html>', 81)).toEqual({ html: '<html></html>', policy: null });
  });
});
