/**
 * The HTTP layer every source uses: timeouts, cancellation, a response size limit, schema
 * validation of answers before use, and errors classified so the engine can set source health.
 *
 * In the app, requests go through Electron's network stack (axios' fetch adapter over
 * `net.request`, main/net-fetch.ts, so the Windows proxy/PAC settings and certificate store
 * apply); in Node (CLI, tests, preview) they use Node's own HTTP, where a DNS lookup can be
 * injected for fault tests. Redirects are followed here, under one policy for both (redirectTarget).
 */
import type { AxiosInstance, AxiosRequestConfig, Method } from 'axios';

/**
 * axios is loaded on the first request, not when the client is made: a process that sends nothing
 * (`pqm sources`, `pqm settings`) starts without parsing it and its dependencies.
 */
type AxiosModule = typeof import('axios');
let axiosModule: Promise<AxiosModule> | null = null;
const loadAxios = (): Promise<AxiosModule> => (axiosModule ??= import('axios'));
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpsAgent, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { z } from 'zod';
import { AppFailure, isLoopbackHost } from '../../preload/contract/model';
import { systemClock, type Clock } from '../ports/ports';

export type HttpErrorKind =
  /** refused, reset, DNS failure: the service could not be reached */
  | 'unreachable'
  /** no complete answer in time */
  | 'timeout'
  /** the service answered with a non-2xx status */
  | 'http'
  /** the service redirected where the redirect policy does not follow (status: the 3xx) */
  | 'redirect'
  /** the answer is not JSON, or not of the documented shape */
  | 'malformed'
  /** the answer exceeded the size limit */
  | 'too-large'
  /** canceled by the caller */
  | 'aborted';

export class HttpError extends Error {
  readonly kind: HttpErrorKind;
  readonly status: number | null;
  /** Milliseconds the service asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | null;
  /** The service's own words, extracted from the body, when it gave any. */
  readonly serviceMessage: string | null;
  /** The parsed body of an error answer (for source-specific codes such as Graph's error.code). */
  readonly body: unknown;
  readonly headers: Record<string, string>;
  /** method and URL without query string or credentials, for messages and logs */
  readonly target: string;

  constructor(
    kind: HttpErrorKind,
    message: string,
    opts: { status?: number | null; retryAfterMs?: number | null; serviceMessage?: string | null; body?: unknown; headers?: Record<string, string>; target: string; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HttpError';
    this.kind = kind;
    this.status = opts.status ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.serviceMessage = opts.serviceMessage ?? null;
    this.body = opts.body;
    this.headers = opts.headers ?? {};
    this.target = opts.target;
  }
}

export interface HttpRequest {
  method?: Method;
  url: string;
  headers?: Record<string, string>;
  /** JSON-serialisable body, or raw bytes (sent as is). */
  body?: unknown;
  /** 'json' (default): parsed and validated; 'bytes': a Buffer; 'text': a string. */
  responseType?: 'json' | 'bytes' | 'text';
  timeoutMs?: number;
  signal?: AbortSignal;
  maxBytes?: number;
  /**
   * Values that must never appear in an error (a license GUID sent in a body, say). The
   * Authorization header, user info and query values of the URL are always treated as secret.
   */
  secrets?: string[];
  /**
   * The SHA-256 fingerprint of the server's own certificate (hex, colons allowed): the server is
   * trusted by this fingerprint alone (a printer's self-signed certificate), and a server with any
   * other certificate is refused before anything is sent. Such a request always uses Node's TLS.
   */
  certificateSha256?: string;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface HttpClientOptions {
  /** A fetch implementation (Electron's `net.fetch` in the app). Omitted: Node's http module. */
  fetch?: typeof fetch;
  /** An injected DNS lookup (Node adapter only), for tests that simulate DNS failures. */
  lookup?: LookupFunction;
  timeoutMs?: number;
  maxBytes?: number;
  userAgent?: string;
  /** The timers the request deadline runs on (default: real ones); a test's fake clock drives it. */
  timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** Redirects followed per request, at most. */
export const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect may lead: to the same host with the same scheme (and port), or from http to
 * https on the same host (an On-Premise server that moved to TLS). Never from https to http, to
 * another host, port or scheme: credentials sent to one host must not travel to another.
 */
export function redirectTarget(from: string, location: string): { url: string } | { refused: string } {
  let a: URL;
  let b: URL;
  try {
    a = new URL(from);
    b = new URL(location, a);
  } catch {
    return { refused: 'the redirect address is not valid' };
  }
  if (b.protocol !== 'http:' && b.protocol !== 'https:') return { refused: `a redirect to ${b.protocol} is not followed` };
  if (a.protocol === 'https:' && b.protocol === 'http:') return { refused: 'a redirect from https to http is not followed' };
  if (b.hostname.toLowerCase() !== a.hostname.toLowerCase()) return { refused: 'a redirect to another host is not followed' };
  if (a.protocol === b.protocol && a.port !== b.port) return { refused: 'a redirect to another port is not followed' };
  if (b.username || b.password) return { refused: 'a redirect with a user name or password is not followed' };
  return { url: b.toString() };
}

function hostOf(url: string, base: string): string {
  try {
    return new URL(url, base).host;
  } catch {
    return '(an invalid address)';
  }
}
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** Parses Retry-After: delta seconds (fractional allowed, as Graph sends) or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | null {
  if (value === undefined || value === null) return null;
  const v = String(value).trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(parseFloat(v) * 1000);
  // An HTTP date names its day or month in letters; "-5" or "12:00" are not dates.
  if (!/[a-z]{3}/i.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** Extracts the service's own words from an error body: a JSON string, `{Message}`, `{message}`,
 * Graph's `{error: {code, message}}`, or a short plain text. */
export function extractServiceMessage(body: unknown): string | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') {
    const t = body.trim();
    if (!t) return null;
    if (t.startsWith('"') || t.startsWith('{')) {
      try {
        return extractServiceMessage(JSON.parse(t));
      } catch {
        /* plain text */
      }
    }
    if (t.startsWith('<')) return null; // an HTML error page says nothing useful
    return t.length > 300 ? `${t.slice(0, 297)}...` : t;
  }
  if (typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const k of ['Message', 'message', 'error_description', 'detail', 'title']) {
      if (typeof o[k] === 'string' && (o[k] as string).trim()) return extractServiceMessage(o[k]);
    }
    if (o.error && typeof o.error === 'object') return extractServiceMessage(o.error);
    if (typeof o.error === 'string') return extractServiceMessage(o.error);
  }
  return null;
}

function headersOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object') {
    const entries = typeof (raw as { toJSON?: unknown }).toJSON === 'function' ? (raw as { toJSON(): Record<string, unknown> }).toJSON() : (raw as Record<string, unknown>);
    for (const [k, v] of Object.entries(entries)) {
      if (v === undefined || v === null) continue;
      out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    }
  }
  return out;
}

/** `GET http://host:port/path` without query string or user info: safe for messages and logs. */
export function describeTarget(method: string, url: string): string {
  try {
    const u = new URL(url);
    return `${method.toUpperCase()} ${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return `${method.toUpperCase()} (invalid URL)`;
  }
}

/** Formats the first schema issue as "field: problem". */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ERR_NETWORK', 'EADDRNOTAVAIL', 'ENETDOWN']);

function networkWords(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found (DNS)';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return 'network unreachable';
    default:
      return 'network error';
  }
}

/** Secret values a request carries: its explicit secrets, the credentials of its Authorization
 * header (decoded for Basic), the user info and the query values of its URL. */
export function secretsOf(req: Pick<HttpRequest, 'url' | 'headers' | 'secrets'>): string[] {
  const out = new Set<string>();
  const add = (v: string | null | undefined) => {
    const t = v?.trim();
    // Very short values ("1", "true") would redact ordinary words.
    if (t && t.length >= 6) out.add(t);
  };
  for (const v of req.secrets ?? []) add(v);
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (name.toLowerCase() !== 'authorization' || typeof value !== 'string') continue;
    const m = /^(\S+)\s+(.+)$/.exec(value.trim());
    const cred = m ? m[2] : value;
    add(cred);
    if (m && m[1].toLowerCase() === 'basic') {
      const decoded = Buffer.from(cred, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i >= 0) {
        add(decoded.slice(0, i));
        add(decoded.slice(i + 1));
      }
    }
  }
  try {
    const u = new URL(req.url);
    add(decodeURIComponent(u.username));
    add(decodeURIComponent(u.password));
    for (const v of u.searchParams.values()) add(v);
  } catch {
    /* an invalid URL carries nothing we can name */
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every secret in a text by "[redacted]". */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

/** The codes of an error and of its causes (fetch wraps the socket error in `cause`). */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') codes.push(c);
    // Chromium's network stack (Electron net.fetch) names errors in the message: net::ERR_...
    const m = /net::(ERR_[A-Z_]+)/.exec(String((e as { message?: unknown }).message ?? ''));
    if (m) codes.push(m[1]);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

const CHROMIUM_CODES: Record<string, string> = {
  ERR_CONNECTION_REFUSED: 'ECONNREFUSED',
  ERR_NAME_NOT_RESOLVED: 'ENOTFOUND',
  ERR_NAME_RESOLUTION_FAILED: 'ENOTFOUND',
  ERR_CONNECTION_RESET: 'ECONNRESET',
  ERR_CONNECTION_CLOSED: 'ECONNRESET',
  ERR_INTERNET_DISCONNECTED: 'ENETDOWN',
  ERR_ADDRESS_UNREACHABLE: 'EHOSTUNREACH',
  ERR_NETWORK_CHANGED: 'ENETDOWN',
  ERR_TIMED_OUT: 'ETIMEDOUT',
  ERR_CONNECTION_TIMED_OUT: 'ETIMEDOUT',
};

const CLEARTEXT_REFUSED = 'EPQMCLEARTEXT';

function carriesCredentials(req: Pick<HttpRequest, 'headers' | 'secrets'>): boolean {
  return Object.keys(req.headers ?? {}).some((h) => h.toLowerCase() === 'authorization') || (req.secrets?.length ?? 0) > 0;
}

function isPlainHttp(url: string): boolean {
  try {
    return new URL(url).protocol === 'http:';
  } catch {
    return false;
  }
}

/** A request with credentials that was not sent: over plain http to another computer. */
export class CleartextRefusedError extends HttpError {}

function cleartextRefused(target: string, cause?: unknown): HttpError {
  return new CleartextRefusedError('unreachable', `${target} was not sent: credentials go only over https, or over plain http to this PC`, cause === undefined ? { target } : { target, cause });
}

/** A DNS lookup that fails unless every address the name resolves to is a loopback address. */
function loopbackOnlyLookup(inner: LookupFunction | undefined): LookupFunction {
  const base = (inner ?? dnsLookup) as unknown as (host: string, opts: object, cb: (err: NodeJS.ErrnoException | null, addresses?: unknown) => void) => void;
  return ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;
    const opts = typeof options === 'object' && options !== null ? options : {};
    base(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err);
      const list = (Array.isArray(addresses) ? addresses : []) as { address: string; family: number }[];
      const local = list.length > 0 && list.every((a) => isLoopbackHost(a.family === 6 ? `[${a.address}]` : a.address));
      if (!local) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} is not on this PC`);
        refused.code = CLEARTEXT_REFUSED;
        return cb(refused);
      }
      if ((opts as { all?: boolean }).all) return cb(null, list);
      return cb(null, list[0]!.address, list[0]!.family);
    });
  }) as unknown as LookupFunction;
}

const CERTIFICATE_PIN_MISMATCH = 'EPQMCERTPIN';
/** Certificate verification failures (Node's codes, and Chromium's net::ERR_CERT_...). */
const UNTRUSTED_CERTIFICATE = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|ERR_CERT_[A-Z_]+)$/;

function certificateWords(code: string): string {
  if (/SELF_SIGNED|AUTHORITY_INVALID/.test(code)) return 'self-signed or from an unknown authority';
  if (/EXPIRED|NOT_YET_VALID|DATE_INVALID/.test(code)) return 'expired or not yet valid';
  if (/ALTNAME|COMMON_NAME/.test(code)) return 'made for another host name';
  return 'its issuer is not trusted';
}

/** A SHA-256 fingerprint as Node names it ("AB:CD:..."), from hex with or without colons; null when it is not one. */
export function certificateFingerprint(value: string): string | null {
  const hex = value.replace(/:/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return hex.toUpperCase().match(/../g)!.join(':');
}

/**
 * Connections whose server is trusted by one certificate fingerprint: the TLS handshake completes
 * without chain or name verification, and the socket reaches the request only when the server's
 * certificate has the pinned fingerprint; otherwise it is closed before a byte of the request is written.
 */
class PinnedAgent extends HttpsAgent {
  constructor(private readonly fingerprint: string) {
    super({ keepAlive: false });
  }

  override createConnection(options: HttpsRequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = tlsConnect({ ...(options as ConnectionOptions), rejectUnauthorized: false });
    const done = (err: Error | null) => {
      socket.removeListener('error', onError);
      if (err) socket.destroy();
      callback?.(err, socket);
    };
    const onError = (err: Error) => done(err);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      const actual = socket.getPeerCertificate().fingerprint256;
      if (actual === this.fingerprint) return done(null);
      const err: NodeJS.ErrnoException = new Error(`its certificate does not match the pinned SHA-256 fingerprint (it is ${actual || 'not sent'})`);
      err.code = CERTIFICATE_PIN_MISMATCH;
      done(err);
    });
    return undefined;
  }
}

/** Thrown into the request's signal when the overall deadline passes. */
class DeadlineExceeded extends Error {
  constructor() {
    super('deadline exceeded');
    this.name = 'DeadlineExceeded';
  }
}

export class HttpClient {
  private axios: Promise<AxiosInstance> | null = null;
  private readonly axiosConfig: AxiosRequestConfig;
  /** The axios module, once the first request has loaded it (errors are classified only after one). */
  private ax: AxiosModule | null = null;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly lookup: LookupFunction | undefined;
  private readonly usesFetch: boolean;
  private readonly timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /** One agent per pinned fingerprint. */
  private readonly pinnedAgents = new Map<string, PinnedAgent>();

  constructor(opts: HttpClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.timers = opts.timers ?? systemClock;
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.lookup = opts.lookup;
    this.usesFetch = opts.fetch !== undefined;
    const base: AxiosRequestConfig = {
      // Every status is an answer; classification below decides what it means.
      validateStatus: () => true,
      // Redirects are followed by request() under one policy for both transports (redirectTarget).
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
      headers: { 'User-Agent': opts.userAgent ?? 'PrintQueueMonitor', Accept: 'application/json' },
    };
    if (opts.fetch) {
      base.adapter = 'fetch';
      base.env = { fetch: opts.fetch };
    } else {
      base.adapter = 'http';
      base.proxy = false;
    }
    this.axiosConfig = base;
  }

  private instance(): Promise<AxiosInstance> {
    return (this.axios ??= loadAxios().then((ax) => {
      this.ax = ax;
      return ax.default.create(this.axiosConfig);
    }));
  }

  /** Sends a request. Resolves only for 2xx answers that pass `schema`; otherwise throws HttpError. */
  async request<T = unknown>(req: HttpRequest, schema?: z.ZodType<T>): Promise<HttpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase() as Method;
    const target = describeTarget(method, req.url);
    const responseType = req.responseType ?? 'json';
    const maxBytes = req.maxBytes ?? this.maxBytes;
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    let data: unknown = req.body;
    if (req.body !== undefined && !(req.body instanceof Uint8Array) && typeof req.body !== 'string') {
      data = JSON.stringify(req.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const secrets = secretsOf(req);
    // The whole exchange, body included, has one deadline: a service that trickles its answer
    // byte by byte times out like one that never answers.
    const deadline = new AbortController();
    const onCallerAbort = () => deadline.abort(req.signal?.reason);
    if (req.signal?.aborted) onCallerAbort();
    else req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    // The only timer of the exchange (no socket timeout beside it), unref'd by the system clock.
    const deadlineTimer = this.timers.setTimeout(() => deadline.abort(new DeadlineExceeded()), timeoutMs);
    const config: AxiosRequestConfig = {
      method,
      url: req.url,
      headers,
      data,
      signal: deadline.signal,
      maxContentLength: maxBytes,
      maxBodyLength: Infinity,
      responseType: responseType === 'bytes' ? 'arraybuffer' : 'text',
    };
    if (this.lookup) (config as Record<string, unknown>).lookup = this.lookup;
    if (req.certificateSha256 !== undefined) {
      const fingerprint = certificateFingerprint(req.certificateSha256);
      if (fingerprint === null || new URL(req.url).protocol !== 'https:') {
        this.timers.clearTimeout(deadlineTimer);
        req.signal?.removeEventListener('abort', onCallerAbort);
        throw new HttpError('unreachable', `${target} was not sent: a pinned certificate fingerprint is 64 hexadecimal digits and applies to https only`, { target });
      }
      let agent = this.pinnedAgents.get(fingerprint);
      if (!agent) this.pinnedAgents.set(fingerprint, (agent = new PinnedAgent(fingerprint)));
      // Chromium's stack (the app's fetch) takes no per-request trust: the pinned server is reached through Node's TLS.
      Object.assign(config, { adapter: 'http', proxy: false, httpsAgent: agent });
    }
    // Credentials travel over https, or over plain http only to this PC (the local service).
    if (carriesCredentials(req) && isPlainHttp(req.url) && !isLoopbackHost(new URL(req.url).hostname)) {
      if (this.usesFetch || isIP(new URL(req.url).hostname.replace(/^\[|\]$/g, '')) !== 0) {
        this.timers.clearTimeout(deadlineTimer);
        req.signal?.removeEventListener('abort', onCallerAbort);
        throw cleartextRefused(target);
      }
      // A name is judged by what it resolves to: every address must be on this PC.
      (config as Record<string, unknown>).lookup = loopbackOnlyLookup(this.lookup);
    }

    let res;
    try {
      const axios = await this.instance();
      res = await axios.request(config);
      for (let hop = 0; REDIRECT_STATUSES.has(res.status); hop++) {
        const location = headersOf(res.headers).location;
        if (!location) break;
        const next = redirectTarget(String(config.url), location);
        const to = `${target} answered ${res.status} to ${hostOf(location, String(config.url))}`;
        if ('refused' in next) throw new HttpError('redirect', `${to}; ${next.refused}.`, { status: res.status, headers: headersOf(res.headers), target });
        if (hop >= MAX_REDIRECTS) throw new HttpError('redirect', `${to} more than ${MAX_REDIRECTS} times; the redirect was not followed.`, { status: res.status, headers: headersOf(res.headers), target });
        // As browsers do: 303 (and 301/302 after a POST) continue as a GET without the body.
        const asGet = res.status === 303 || ((res.status === 301 || res.status === 302) && config.method === 'POST');
        if (asGet && config.method !== 'HEAD') {
          const h = { ...(config.headers as Record<string, string>) };
          for (const k of Object.keys(h)) if (/^content-(type|length)$/i.test(k)) delete h[k];
          Object.assign(config, { method: 'GET', data: undefined, headers: h });
        }
        config.url = next.url;
        res = await axios.request(config);
      }
    } catch (err) {
      const timedOut = deadline.signal.reason instanceof DeadlineExceeded && !req.signal?.aborted;
      throw this.classify(err, target, req.signal, timedOut, secrets);
    } finally {
      this.timers.clearTimeout(deadlineTimer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }

    const resHeaders = headersOf(res.headers);
    const status = res.status;
    if (status < 200 || status > 299) {
      // A 'bytes' request gets its error body as bytes (an ArrayBuffer, or a Buffer from Node's adapter).
      const text = typeof res.data === 'string' ? res.data : res.data instanceof ArrayBuffer ? Buffer.from(res.data).toString('utf8') : ArrayBuffer.isView(res.data) ? Buffer.from(res.data.buffer, res.data.byteOffset, res.data.byteLength).toString('utf8') : '';
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* keep text */
      }
      const said = extractServiceMessage(body);
      const serviceMessage = said === null ? null : redactSecrets(said, secrets);
      const retryAfterMs = parseRetryAfter(resHeaders['retry-after']);
      throw new HttpError('http', `${target} answered ${status}${serviceMessage ? `: ${serviceMessage}` : ''}`, {
        status,
        retryAfterMs,
        serviceMessage,
        body,
        headers: resHeaders,
        target,
      });
    }

    if (responseType === 'bytes') {
      const buf = Buffer.from(res.data as ArrayBuffer);
      return { status, headers: resHeaders, data: buf as unknown as T };
    }
    const text = typeof res.data === 'string' ? res.data : '';
    if (responseType === 'text') return { status, headers: resHeaders, data: text as unknown as T };

    let parsed: unknown = null;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new HttpError('malformed', `${target} answered ${status} with a body that is not JSON`, { status, headers: resHeaders, target, cause });
      }
    }
    if (!schema) return { status, headers: resHeaders, data: parsed as T };
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      throw new HttpError('malformed', `${target} answered ${status} with an unexpected shape (${describeSchemaError(checked.error)})`, {
        status,
        headers: resHeaders,
        body: parsed,
        target,
      });
    }
    return { status, headers: resHeaders, data: checked.data };
  }

  private classify(err: unknown, target: string, signal: AbortSignal | undefined, timedOut = false, secrets: readonly string[] = []): HttpError {
    if (err instanceof HttpError) return err;
    if (timedOut) return new HttpError('timeout', `${target} did not answer in time`, { target, cause: err });
    const ax = this.ax;
    if (signal?.aborted || (ax && (ax.default.isCancel(err) || (err instanceof ax.AxiosError && err.code === 'ERR_CANCELED')))) {
      return new HttpError('aborted', `${target} was canceled`, { target, cause: err });
    }
    if (errorCodes(err).includes(CLEARTEXT_REFUSED)) return cleartextRefused(target, err);
    const pinned = (function find(e: unknown, depth: number): Error | null {
      if (!e || typeof e !== 'object' || depth > 5) return null;
      if ((e as { code?: unknown }).code === CERTIFICATE_PIN_MISMATCH) return e as Error;
      return find((e as { cause?: unknown }).cause, depth + 1);
    })(err, 0);
    if (pinned) return new HttpError('unreachable', `${target} was not sent: ${pinned.message}`, { target, cause: err });
    const untrusted = errorCodes(err).find((c) => UNTRUSTED_CERTIFICATE.test(c));
    if (untrusted) {
      return new HttpError('unreachable', `${target} could not be reached: its certificate is not trusted (${certificateWords(untrusted)}); a printer with its own certificate is trusted by pinning its SHA-256 fingerprint (certificateSha256 in its settings)`, { target, cause: err });
    }
    if (ax && err instanceof ax.AxiosError) {
      const codes = errorCodes(err).map((c) => CHROMIUM_CODES[c] ?? c);
      const code = err.code ?? codes[0];
      const causeCode = codes.find((c) => (NETWORK_CODES.has(c) && c !== 'ERR_NETWORK') || c === 'ETIMEDOUT');
      if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || causeCode === 'ETIMEDOUT') {
        return new HttpError('timeout', `${target} did not answer in time`, { target, cause: err });
      }
      if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(err.message)) {
        return new HttpError('too-large', `${target} answered with more data than the limit allows`, { target, cause: err });
      }
      // The most specific code wins: ERR_NETWORK says less than the ECONNREFUSED behind it.
      const netCode = causeCode && causeCode !== 'ERR_NETWORK' && causeCode !== 'ETIMEDOUT' ? causeCode : NETWORK_CODES.has(code ?? '') ? code : undefined;
      if (netCode || code === 'ERR_NETWORK' || !err.response) {
        return new HttpError('unreachable', `${target} could not be reached (${networkWords(netCode)})`, { target, cause: err });
      }
    }
    const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
    return new HttpError('unreachable', `${target} failed: ${message}`, { target, cause: err });
  }
}

/**
 * An id as exactly one percent-encoded path segment. "", "." and ".." are refused: URL resolution
 * would drop them and the request would go to another endpoint (`/api/job/..` is `/api/`).
 */
export function pathSegment(id: string, what = 'id'): string {
  if (id === '' || id === '.' || id === '..') throw new AppFailure('invalid-input', `The ${what} cannot be empty, "." or "..".`, { field: 'id' });
  return encodeURIComponent(id);
}

/** The Basic authorization header value for a user name and password. */
export function basicAuth(user: string, password = ''): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
