/**
 * The bridge over a WebSocket, for the browser preview and the end-to-end tests: the same
 * `PrintQueueBridge` the Electron preload exposes, talking to main/web/server.ts. Browser APIs only.
 *
 * The access token comes from the address (`?token=...`, or the fragment `#token=...`) and is
 * removed from the address bar at once. Requests made while the socket is connecting wait for it; requests made while it is
 * down answer `unreachable` at once, and the bridge reconnects by itself with backoff. A refused
 * token is final: the page says it cannot connect and why.
 */
import type { EventName, RequestName } from '../../../preload/contract/channels';
import type { Events, PrintQueueBridge, RequestInput, RequestOutput } from '../../../preload/contract/contract';
import type { AppError, Result } from '../../../preload/contract/model';
import type { ClientMessage, ServerMessage } from '../../../preload/contract/protocol';
import { expandAnswer } from '../../../preload/contract/wire';
import { createArrivalReader } from './reader';

/** Same values as PROTOCOL in preload/contract/protocol.ts (kept here so the page bundles no main code). */
const WS_PATH = '/ws';

/**
 * Where the page's inline script (renderer/index.html) leaves the socket it opens to WS_PATH while
 * the page is still being parsed, before any of the window's code has arrived; the bridge takes it
 * over (takeEarlySocket) instead of opening its own.
 */
export const EARLY_SOCKET_GLOBAL = '__pqmEarlySocket';
const CLOSE_POLICY = 1008;

export type ConnectionState = 'connecting' | 'open' | 'disconnected' | 'refused' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** A sentence for the user when the state is not `open`. */
  message: string | null;
}

export interface WebBridge extends PrintQueueBridge {
  connection(): ConnectionStatus;
  /** Called on every change of the connection; after a reconnect the page should reload its snapshot. */
  onConnection(listener: (status: ConnectionStatus) => void): () => void;
  /**
   * The window has drawn its first frame with content (its first rows, or why it has none): a long
   * message is then read as it comes, no longer after the next frame (reader.ts, LARGE_MESSAGE_CHARS).
   */
  windowDrawn(): void;
  /** Closes the socket for good. */
  close(): void;
}

type WebSocketLike = Pick<WebSocket, 'readyState' | 'send' | 'close'> & {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
};

export interface WebBridgeOptions {
  /** Socket address; default ws://<location.host>/ws. */
  url?: string;
  /** Access token; default the `token` of the address (query or fragment), which is then removed from the address bar. */
  token?: string;
  /** The WebSocket constructor (tests); default the browser's. */
  WebSocketImpl?: new (url: string) => WebSocketLike;
  /** Reconnect delays: first, cap. Default 500 ms doubling up to 15 s, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
  /** A request with no answer after this long answers `unreachable`. Default 10 minutes. */
  requestTimeoutMs?: number;
  /**
   * A socket the page already opened to `url` (takeEarlySocket): the first connection uses it
   * instead of opening another. Reconnections open their own.
   */
  early?: WebSocketLike | null;
  /**
   * Send requests made while connecting right behind the hello instead of waiting for `ready`
   * (the server handles a socket's messages in order, so they are answered once the token is
   * accepted, and fail like any other request if it is refused). Saves a round trip at start.
   * Default false.
   */
  pipeline?: boolean;
}

const OPEN = 1;



/** Reads `token` from an address's query (`?token=abc`) or fragment (`#token=abc`, `#view=x&token=abc`). */
export function tokenFromAddress(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^[#?]/, ''));
  const token = params.get('token');
  return token && token.length > 0 ? token : null;
}

/** `?a=1&b=2` or `#a=1` without its `token`, as it goes back into the address. */
function withoutToken(part: string, mark: '?' | '#'): string {
  const params = new URLSearchParams(part.replace(/^[#?]/, ''));
  params.delete('token');
  const rest = params.toString();
  return rest ? `${mark}${rest}` : '';
}

/**
 * The token of the page's address: its query (which the server also reads, to serve the page with
 * its first rows in it: main/desktop/first-frame.ts) or its fragment.
 */
function takeTokenFromLocation(): string {
  if (typeof location === 'undefined') return '';
  const inQuery = tokenFromAddress(location.search);
  const inHash = tokenFromAddress(location.hash);
  const token = inQuery ?? inHash;
  if (token !== null && typeof history !== 'undefined') {
    // Keep the token out of the address bar, bookmarks and screenshots; the rest as it was.
    const search = inQuery !== null ? withoutToken(location.search, '?') : location.search;
    const hash = inHash !== null ? withoutToken(location.hash, '#') : location.hash;
    history.replaceState(history.state, '', `${location.pathname}${search}${hash}`);
  }
  return token ?? '';
}

/**
 * The socket the page's inline script opened, if it is to `url` and not closing or closed; it is
 * taken (the global cleared) either way, and one that cannot be used is closed.
 */
export function takeEarlySocket(url: string, scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): (WebSocketLike & { url: string }) | null {
  const early = scope[EARLY_SOCKET_GLOBAL] as (WebSocketLike & { url?: unknown }) | undefined;
  delete scope[EARLY_SOCKET_GLOBAL];
  if (!early || typeof early !== 'object') return null;
  if (early.url === url && (early.readyState === 0 || early.readyState === OPEN)) return early as WebSocketLike & { url: string };
  try {
    early.close();
  } catch {
    /* not a socket: nothing to close */
  }
  return null;
}

/** The preview server's socket address for this page: /ws of the page's host. */
export function webSocketUrl(): string {
  if (typeof location === 'undefined') throw new Error('createWebBridge needs a url outside a browser page.');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${WS_PATH}`;
}

interface Pending {
  resolve: (r: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createWebBridge(opts: WebBridgeOptions = {}): WebBridge {
  const url = opts.url ?? webSocketUrl();
  const token = opts.token ?? takeTokenFromLocation();
  const WS = opts.WebSocketImpl ?? (globalThis.WebSocket as unknown as new (url: string) => WebSocketLike);
  const initialDelay = opts.backoff?.initialMs ?? 500;
  const maxDelay = opts.backoff?.maxMs ?? 15_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 600_000;
  const pipeline = opts.pipeline ?? false;
  let early = opts.early ?? null;

  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const connectionListeners = new Set<(s: ConnectionStatus) => void>();
  const pending = new Map<number, Pending>();
  /** Requests made while connecting: sent once the server accepts the token. */
  const queued: { id: number; text: string }[] = [];
  let status: ConnectionStatus = { state: 'connecting', message: null };
  let socket: WebSocketLike | null = null;
  let nextId = 1;
  let attempt = 0;
  let everOpened = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** With `pipeline`: the hello is on the current socket, so requests may follow it at once. */
  let helloSent = false;
  /** When what the server sends is read: in order, a long message after a frame until the window has drawn (reader.ts). */
  const reader = createArrivalReader();

  function setStatus(next: ConnectionStatus): void {
    const changed = next.state !== status.state || next.message !== status.message;
    status = next;
    if (!changed) return;
    for (const l of [...connectionListeners]) {
      try {
        l(status);
      } catch (err) {
        console.error('A connection listener failed.', err);
      }
    }
    // A refused or lost connection is said by the window's connection banner (onConnection), once
    // and for as long as it lasts, not as notices beside it; its end is told once, as a notice.
    if (next.state === 'open' && everOpened && attempt > 0) emitLocal('app:notice', { level: 'info', message: 'Reconnected to the preview server.' });
  }

  function emitLocal<E extends EventName>(event: E, payload: Events[E]): void {
    const set = listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (p: Events[E]) => void)(payload);
      } catch (err) {
        console.error(`A listener of "${event}" failed.`, err);
      }
    }
  }

  function failureNow(): AppError {
    if (status.state === 'refused') return { code: 'not-allowed', message: status.message ?? 'The preview server refused this page.' };
    if (status.state === 'closed') return { code: 'unreachable', message: 'The connection to the preview server is closed.' };
    return { code: 'unreachable', message: status.message ?? 'The preview server cannot be reached right now; it is being retried.' };
  }

  function settle(id: number, result: Result<unknown>): void {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(result);
  }

  function failAll(): void {
    const error = failureNow();
    queued.length = 0;
    for (const id of [...pending.keys()]) settle(id, { ok: false, error });
  }

  function connect(): void {
    reconnectTimer = null;
    setStatus({ state: 'connecting', message: null });
    let ws: WebSocketLike;
    try {
      ws = early ?? new WS(url);
      early = null;
    } catch (err) {
      onDown(1006, String(err));
      return;
    }
    socket = ws;
    helloSent = false;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'hello', token } satisfies ClientMessage));
      if (!pipeline) return;
      helloSent = true;
      for (const q of queued.splice(0)) ws.send(q.text);
    };
    const parse = (data: string): ServerMessage | null => {
      try {
        return JSON.parse(data) as ServerMessage;
      } catch {
        console.error('The preview server sent a message that is not JSON.');
        return null;
      }
    };
    const handle = (msg: ServerMessage): void => {
      if (msg.type === 'ready') {
        setStatus({ state: 'open', message: null });
        everOpened = true;
        attempt = 0;
        for (const q of queued.splice(0)) ws.send(q.text);
      } else if (msg.type === 'response') {
        if (typeof msg.id === 'number') settle(msg.id, expandAnswer(msg.result));
        else if (msg.id === null && !msg.result.ok) console.error(`The preview server rejected a message: ${msg.result.error.message}`);
      } else if (msg.type === 'event') {
        emitLocal(msg.name, msg.payload as never);
      }
    };
    // A long message waits for a frame, and what follows it for it (reader.ts). The server writes
    // "type" first (main/web/server.ts); anything else keeps its place as an event does.
    reader.drop();
    ws.onmessage = (ev) => {
      const data: unknown = ev.data;
      if (typeof data !== 'string') return;
      reader.arrive({
        chars: data.length,
        response: data.startsWith('{"type":"response"'),
        read: () => {
          if (socket !== ws) return;
          const msg = parse(data);
          if (msg) handle(msg);
        },
      });
    };
    ws.onerror = () => {
      /* the close event that follows says what happened */
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      helloSent = false;
      if (status.state === 'closed') return;
      if (ev.code === CLOSE_POLICY) {
        const message = token
          ? 'Cannot connect to the preview server: it refused this page’s access token. Open the exact address that "npm run preview" printed.'
          : 'Cannot connect to the preview server: this address has no access token. Open the exact address that "npm run preview" printed, including ?token=….';
        setStatus({ state: 'refused', message });
        failAll();
        return;
      }
      onDown(ev.code, ev.reason);
    };
    // A socket taken over open has already had its open event, with no listener then: every
    // handler is in place before the hello goes out on it.
    if (ws.readyState === OPEN) ws.onopen(null);
  }

  function onDown(code: number, reason: string): void {
    attempt++;
    const base = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    const seconds = Math.max(1, Math.round(delay / 1000));
    const why = reason ? ` (${reason})` : code === 1006 ? '' : ` (code ${code})`;
    const message = everOpened
      ? `Lost the connection to the preview server${why}; retrying in ${seconds} s.`
      : `Cannot connect to the preview server${why}; retrying in ${seconds} s.`;
    setStatus({ state: 'disconnected', message });
    failAll();
    reconnectTimer = setTimeout(connect, delay);
  }

  connect();

  return {
    request<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Result<RequestOutput<K>>> {
      if (status.state !== 'open' && status.state !== 'connecting') {
        return Promise.resolve({ ok: false, error: failureNow() });
      }
      const id = nextId++;
      let text: string;
      try {
        text = JSON.stringify({ type: 'request', id, name, input: input ?? {} } satisfies ClientMessage);
      } catch (err) {
        return Promise.resolve({ ok: false, error: { code: 'invalid-input', message: `The request could not be encoded: ${String(err)}` } });
      }
      return new Promise<Result<RequestOutput<K>>>((resolve) => {
        const timer = setTimeout(
          () => settle(id, { ok: false, error: { code: 'unreachable', message: `The preview server did not answer "${name}" in time.` } }),
          requestTimeoutMs,
        );
        pending.set(id, { resolve: resolve as (r: Result<unknown>) => void, timer });
        if ((status.state === 'open' || helloSent) && socket && socket.readyState === OPEN) socket.send(text);
        else queued.push({ id, text });
      });
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set?.delete(listener as (payload: never) => void);
      };
    },
    connection: () => status,
    windowDrawn() {
      reader.drawn();
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      setStatus({ state: 'closed', message: 'The connection to the preview server is closed.' });
      failAll();
      const s = socket;
      socket = null;
      s?.close(1000, 'closed');
    },
  };
}
