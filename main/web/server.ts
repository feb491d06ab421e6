/**
 * The web transport: serves the built renderer to a browser on 127.0.0.1 and carries the bridge
 * contract over one WebSocket. Used by the browser preview and the end-to-end tests; plain Node,
 * no Electron.
 *
 * Security model (the page is untrusted, and any local process or web page could try to talk to
 * this port):
 * - bound to 127.0.0.1 only; the Host header must name that address and port (DNS rebinding);
 * - the WebSocket upgrade must carry `Origin: http://127.0.0.1:<port>` or is refused with 403;
 * - the first message must be `{type:'hello', token}` with the per-run random token, compared in
 *   constant time; anything else closes the socket with 1008 (policy violation) before any request
 *   is answered or any event is pushed;
 * - every request goes through `dispatch()`, the same validation and error envelope as the IPC path;
 * - messages are limited in size and rate; malformed input is answered with an error, never a crash.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { extname, resolve } from 'node:path';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { EVENT_NAMES, type EventName } from '../../preload/contract/channels';
import { dispatch, type Events, type Handlers } from '../../preload/contract/contract';
import { toAppError, type AppError, type Result } from '../../preload/contract/model';
import type { AppCore } from '../core/app-core-types';
import { nextTurn, silentLogger, type Logger } from '../ports/ports';
import { previewContentSecurityPolicy, rewriteCspMeta } from './csp';
import { CONTENT_TYPES, rendererCandidate, resolveRendererFile, safePath } from '../desktop/renderer-files';
import { firstLanguage, pageWithFirstFrame, type FirstFramePage } from '../desktop/first-frame';
import { withStyleHashes } from '../desktop/csp';
import { PROTOCOL, type ClientMessage, type ServerMessage } from '../../preload/contract/protocol';
import { answerTextInSteps, compactAnswer } from '../../preload/contract/wire';

export interface WebTransportOptions {
  /** The core whose handlers answer; its `toError` turns what they throw into the envelope (secrets hidden), once, at dispatch. */
  core: Pick<AppCore, 'handlers' | 'on'> & Partial<Pick<AppCore, 'toError'>>;
  /** The built renderer (out/renderer): index.html and its assets. */
  rendererDir: string;
  host?: '127.0.0.1';
  /** 0 (default): a free port. */
  port?: number;
  logger?: Logger;
  /** Largest accepted WebSocket message, bytes. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Requests allowed per socket per second (burst); default 200. */
  maxRequestsPerSecond?: number;
  /** Requests in flight per socket; default 64. */
  maxPendingPerSocket?: number;
  /** How long a socket may stay silent before its hello; default 10 s. */
  helloTimeoutMs?: number;
  /** Fixed token (tests); default 32 random bytes, base64url. */
  token?: string;
  /** Time source for rate limiting (tests). */
  now?: () => number;
  /** Serve the window's page with its first frame in it to a request carrying the token (default true; first-frame.ts). */
  firstFrame?: boolean;
}

export interface WebTransport {
  /** The page address, token in the query: `http://127.0.0.1:<port>/?token=<token>` (the page is then served with its first rows in it). */
  url: string;
  port: number;
  token: string;
  /** Sockets that passed the hello. */
  clientCount(): number;
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE = 1024 * 1024;
/** The window's build has a handful of files; more than this are served but not kept. */
const MAX_CACHED_FILES = 64;

/** How long a snapshot answer prepared ahead of its request is kept (see prepareSnapshot). */
const PREPARED_SNAPSHOT_TTL_MS = 10_000;
/** A socket whose unsent data passes this is too slow to follow; it is closed and reconnects. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Constant-time comparison of two strings of any length (hashes first so lengths never leak). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function startWebTransport(opts: WebTransportOptions): Promise<WebTransport> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`The web transport binds 127.0.0.1 only, not "${String(host)}".`);
  const logger = opts.logger ?? silentLogger;
  const token = opts.token ?? newToken();
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const maxRate = opts.maxRequestsPerSecond ?? 200;
  const maxPending = opts.maxPendingPerSocket ?? 64;
  const helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;
  const mapError = opts.core.toError ?? toAppError;
  const rendererRoot = resolve(opts.rendererDir);
  const handlers: Handlers = opts.core.handlers;
  const firstFrame = opts.firstFrame ?? true;

  let port = 0;
  const expectedOrigin = (): string => `http://127.0.0.1:${port}`;
  const expectedHost = (): string => `127.0.0.1:${port}`;

  const clients = new Set<WebSocket>();
  /**
   * The whole-queue snapshot answer, encoded a step at a time: the window asks for its first rows
   * (getSnapshot `first`) and the whole queue at once, and the first rows are answered between two
   * steps of the whole queue's encoding instead of after it. Once the first rows are answered it is
   * prepared too (for a window that asks for the whole queue only then), and never while the page's
   * own scripts load, so that it does not hold up the first rows; except after serving the page with
   * its first rows already in it, which asks for the whole queue as soon as its socket is open. A prepared answer serves every
   * whole-queue request until an event invalidates it (`epoch`): an answer is only ever sent if no
   * patch, health change or pause happened since it was taken, so every event after it follows it.
   */
  let epoch = 0;
  let prepared: { epoch: number; text: Promise<string | null>; timer: ReturnType<typeof setTimeout> } | null = null;

  function dropPrepared(): void {
    if (prepared) clearTimeout(prepared.timer);
    prepared = null;
  }

  function prepareSnapshot(): void {
    if (prepared && prepared.epoch === epoch) return;
    dropPrepared();
    const at = epoch;
    const text = dispatch(handlers, 'getSnapshot', {}, mapError).then(
      async (result) => {
        if (!result.ok || epoch !== at) return null;
        return answerTextInSteps('getSnapshot', result, nextTurn, () => epoch !== at);
      },
      () => null,
    );
    const entry = { epoch: at, text, timer: setTimeout(() => prepared === entry && dropPrepared(), PREPARED_SNAPSHOT_TTL_MS) };
    entry.timer.unref();
    prepared = entry;
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, perMessageDeflate: false });

  const server = createServer((req, res) => {
    serveStatic(req, res).catch((err: unknown) => {
      logger.error('Preview server failed to answer a request.', { path: safePath(req.url), error: String(err) });
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  /**
   * The window's files, kept once read: the page asks for its scripts all at once as it starts,
   * and one stat per request (rather than resolving and reading the file again) keeps those
   * answers quick. An entry is used only while the file under that address is the same one,
   * unchanged (device, inode, size, modification time); anything else is resolved and read afresh.
   */
  const files = new Map<string, { path: string; body: Buffer; dev: number; ino: number; size: number; mtimeMs: number }>();
  async function readRendererFile(url: string): Promise<{ path: string; body: Buffer } | null> {
    const candidate = rendererCandidate(rendererRoot, url);
    if (!candidate) return null;
    const cached = files.get(candidate);
    if (cached) {
      const now = await fsp.stat(candidate).catch(() => null);
      if (now && now.isFile() && now.dev === cached.dev && now.ino === cached.ino && now.size === cached.size && now.mtimeMs === cached.mtimeMs) return cached;
      files.delete(candidate);
    }
    const path = await resolveRendererFile(rendererRoot, url);
    if (!path) return null;
    const handle = await fsp.open(path, 'r');
    try {
      const stat = await handle.stat();
      const body = await handle.readFile();
      const entry = { path, body, dev: stat.dev, ino: stat.ino, size: body.length, mtimeMs: stat.mtimeMs };
      if (stat.size === body.length && files.size < MAX_CACHED_FILES) files.set(candidate, entry);
      return entry;
    } finally {
      await handle.close();
    }
  }

  /** Whether an address's query carries the access token (`?token=`). */
  function hasToken(url: string | undefined): boolean {
    const q = (url ?? '').indexOf('?');
    if (q < 0) return false;
    const given = new URLSearchParams((url ?? '').slice(q + 1).split('#')[0]).get('token');
    return given !== null && given.length <= 512 && tokensEqual(given, token);
  }

  async function readAsset(path: string): Promise<string | null> {
    const file = await readRendererFile(`/${path}`).catch(() => null);
    return file ? file.body.toString('utf8') : null;
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== expectedHost()) return sendText(res, 403, 'This server only answers requests for 127.0.0.1.');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method not allowed.');
    }
    const file = await readRendererFile(req.url ?? '/');
    if (!file) return sendText(res, 404, 'Not found.');
    const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    let body: Buffer = file.body;
    let framed: FirstFramePage | null = null;
    securityHeaders(res);
    res.setHeader('Content-Type', type);
    if (type.startsWith('text/html')) {
      const rewritten = rewriteCspMeta(body.toString('utf8'), port);
      // The queue's rows are the user's: only a request that carries the access token gets the page
      // with them in it; any other gets the page as built, which shows nothing until its socket is
      // let in with the token.
      framed = firstFrame && hasToken(req.url) ? await pageWithFirstFrame(rewritten.html, { handlers, toError: mapError, locale: firstLanguage(req.headers['accept-language']), readAsset }) : null;
      body = Buffer.from(framed?.html ?? rewritten.html, 'utf8');
      res.setHeader('Content-Security-Policy', withStyleHashes(rewritten.policy ?? previewContentSecurityPolicy(port), framed?.styleHashes ?? []));
      res.setHeader('Cache-Control', 'no-store');
    } else {
      res.setHeader('Cache-Control', 'no-cache');
    }
    res.setHeader('Content-Length', body.length);
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : body);
    // A page served with its first rows asks for the whole queue next: it is encoded meanwhile.
    if (framed) prepareSnapshot();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = safePath(req.url);
    if (path !== PROTOCOL.path) return refuseUpgrade(socket, 404, 'Not Found');
    if (req.headers.host !== expectedHost()) return refuseUpgrade(socket, 403, 'Forbidden');
    const origin = req.headers.origin;
    if (origin !== expectedOrigin()) {
      logger.warn('Preview server refused a WebSocket from a foreign or missing Origin.', { origin: origin ? String(origin).slice(0, 200) : null });
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    let authenticated = false;
    let pending = 0;
    let bucket = maxRate;
    let bucketAt = now();
    const helloTimer = setTimeout(() => {
      if (!authenticated) ws.close(PROTOCOL.closePolicy, 'No hello with the access token.');
    }, helloTimeoutMs);
    helloTimer.unref();

    ws.on('error', (err) => logger.debug('Preview socket error.', { error: String(err) }));
    ws.on('close', () => {
      clearTimeout(helloTimer);
      clients.delete(ws);
    });
    /** Settles once the first rows this socket asked for so far are sent. */
    let firstRows: Promise<unknown> = Promise.resolve();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!authenticated) {
        const hello = isBinary ? null : parseJson(data);
        const given = hello && typeof hello === 'object' && (hello as ClientMessage).type === 'hello' ? (hello as { token?: unknown }).token : undefined;
        if (typeof given === 'string' && given.length <= 512 && tokensEqual(given, token)) {
          authenticated = true;
          clearTimeout(helloTimer);
          clients.add(ws);
          send(ws, { type: 'ready' });
        } else {
          logger.warn('Preview server refused a socket: wrong or missing access token.');
          ws.close(PROTOCOL.closePolicy, 'The access token is missing or wrong.');
        }
        return;
      }
      if (isBinary) return send(ws, errorResponse(null, 'invalid-input', 'Binary messages are not accepted; send JSON text.'));
      const msg = parseJson(data);
      if (msg === PARSE_FAILED) return send(ws, errorResponse(null, 'invalid-input', 'The message is not valid JSON.'));
      const check = checkRequest(msg);
      if (!check.ok) return send(ws, errorResponse(check.id, 'invalid-input', check.message, check.field));
      const { id, name, input } = check;

      // Token bucket: refills maxRate per second, allows bursts of maxRate.
      const t = now();
      bucket = Math.min(maxRate, bucket + ((t - bucketAt) / 1000) * maxRate);
      bucketAt = t;
      if (bucket < 1) return send(ws, errorResponse(id, 'not-allowed', 'Too many requests; slow down and try again in a moment.'));
      bucket -= 1;
      if (pending >= maxPending) return send(ws, errorResponse(id, 'not-allowed', `Too many requests in flight (at most ${maxPending}); wait for answers before sending more.`));

      pending++;
      // The whole queue: encoded a step at a time (prepared), so that the first rows asked for
      // with it are answered in between rather than after it; and never sent before the first
      // rows this socket asked for (even when it was prepared before they were asked for).
      const whole = name === 'getSnapshot' && isEmptyObject(input);
      if (whole) prepareSnapshot();
      const ready = whole ? prepared : null;
      if (name === 'getSnapshot' && !whole) {
        const answered = new Promise<void>((resolve) => answer(ws, id, name, input, () => pending--, resolve));
        firstRows = firstRows.then(() => answered);
        return;
      }
      if (ready) {
        void Promise.all([ready.text, firstRows]).then(([text]) => {
          if (text !== null && ready.epoch === epoch) {
            pending--;
            sendRaw(ws, `{"type":"response","id":${JSON.stringify(id)},"result":${text}}`);
          } else answer(ws, id, name, input, () => pending--);
        });
        return;
      }
      answer(ws, id, name, input, () => pending--);
    });
  }

  function answer(ws: WebSocket, id: RequestId, name: string, input: unknown, done: () => void, sent?: () => void): void {
    dispatch(handlers, name, input, mapError)
      .catch((err: unknown): Result<unknown> => ({ ok: false, error: mapError(err) }))
      .then((result) => {
        done();
        if (!result.ok && result.error.code === 'internal') logger.error('A preview request failed.', { request: String(name), message: result.error.message });
        send(ws, { type: 'response', id, result: compactAnswer(name, result) });
        sent?.();
        // A window asks for its first rows, then for the whole queue: that one is encoded meanwhile.
        if (name === 'getSnapshot' && result.ok && (result.value as { total?: unknown }).total !== undefined) prepareSnapshot();
      });
  }

  function writable(ws: WebSocket): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn('Preview socket too slow to follow the queue; closing it so it resynchronizes.');
      ws.close(PROTOCOL.closeTryAgain, 'Too slow; reconnect.');
      return false;
    }
    return true;
  }

  function sendRaw(ws: WebSocket, text: string): void {
    if (!writable(ws)) return;
    ws.send(text, (err) => {
      if (err) logger.debug('Preview socket send failed.', { error: String(err) });
    });
  }

  function send(ws: WebSocket, msg: ServerMessage): void {
    if (!writable(ws)) return;
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch (err) {
      if (msg.type === 'response') text = JSON.stringify(errorResponse(msg.id, 'internal', `The answer could not be encoded: ${String(err)}`));
      else return logger.error('A preview event could not be encoded.', { error: String(err) });
    }
    ws.send(text, (err) => {
      if (err) logger.debug('Preview socket send failed.', { error: String(err) });
    });
  }

  const unsubscribe: (() => void)[] = [];
  for (const name of EVENT_NAMES) {
    unsubscribe.push(
      opts.core.on(name, (payload: Events[EventName]) => {
        epoch++;
        dropPrepared();
        for (const ws of clients) send(ws, { type: 'event', name, payload });
      }),
    );
  }

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen({ host, port: opts.port ?? 0 }, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (err) {
    for (const u of unsubscribe) u();
    throw new Error(`The preview server could not listen on 127.0.0.1:${opts.port ?? 0}: ${(err as Error).message}`, { cause: err });
  }
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The preview server has no TCP address.');
  port = address.port;
  logger.info('Preview server listening.', { port });

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    clientCount: () => clients.size,
    close() {
      closing ??= (async () => {
        for (const u of unsubscribe) u();
        dropPrepared();
        for (const ws of wss.clients) ws.terminate();
        clients.clear();
        await new Promise<void>((r) => wss.close(() => r()));
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------

const PARSE_FAILED = Symbol('parse-failed');

function parseJson(data: RawData): unknown {
  try {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    return JSON.parse(text);
  } catch {
    return PARSE_FAILED;
  }
}

type RequestId = string | number;


function isEmptyObject(input: unknown): boolean {
  if (input === undefined) return true;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return false;
  for (const _ in input) return false;
  return Object.getOwnPropertySymbols(input).length === 0;
}
type RequestCheck = { ok: true; id: RequestId; name: string; input: unknown } | { ok: false; id: RequestId | null; message: string; field?: string };

function checkRequest(msg: unknown): RequestCheck {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return { ok: false, id: null, message: 'A message must be a JSON object.' };
  const m = msg as Record<string, unknown>;
  const id = m.id;
  const validId = (typeof id === 'string' && id.length > 0 && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0);
  if (!validId) return { ok: false, id: null, message: 'id: a request needs an id (a non-negative integer or a string of at most 64 characters).', field: 'id' };
  if (m.type !== 'request') return { ok: false, id: id as RequestId, message: `type: unknown message type "${String(m.type).slice(0, 32)}"; expected "request".`, field: 'type' };
  if (typeof m.name !== 'string') return { ok: false, id: id as RequestId, message: 'name: a request needs the name of a request.', field: 'name' };
  return { ok: true, id: id as RequestId, name: m.name, input: m.input };
}

function errorResponse(id: RequestId | null, code: AppError['code'], message: string, field?: string): ServerMessage {
  const error: AppError = field ? { code, message, field } : { code, message };
  return { type: 'response', id, result: { ok: false, error } };
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  securityHeaders(res);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}
