/**
 * The Microsoft Graph client of the Universal Print source: bearer tokens from a TokenProvider with
 * one silent refresh after a 401, JSON $batch (at most 20 steps, answers matched by id in any
 * order), and @odata.nextLink handling that never leaves the configured Graph host.
 */
import { z } from 'zod';
import { HttpError, pathSegment, type HttpClient } from '../../http/client';
import { AuthRequiredError, type TokenProvider } from './auth';

export const MAX_BATCH = 20;

// ---------------------------------------------------------------------------------------------
// Shapes (tolerant where Graph adds fields or evolves enums; strict where the app relies on them)
// ---------------------------------------------------------------------------------------------

export const GraphStatusSchema = z.object({
  state: z.string(),
  description: z.string().nullish(),
  details: z.array(z.string()).nullish(),
  isAcquiredByPrinter: z.boolean().nullish(),
});

export const PrintDocumentSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  contentType: z.string().nullish(),
  size: z.number().nullish(),
  uploadedDateTime: z.string().nullish(),
  downloadedDateTime: z.string().nullish(),
});

export const PrintTaskSchema = z.object({
  id: z.string(),
  parentUrl: z.string().nullish(),
  status: z.object({ state: z.string(), description: z.string().nullish() }).nullish(),
});

export const PrintJobSchema = z.object({
  id: z.string().min(1),
  createdDateTime: z.string().nullish(),
  acknowledgedDateTime: z.string().nullish(),
  createdBy: z
    .object({ id: z.string().nullish(), displayName: z.string().nullish(), userPrincipalName: z.string().nullish(), ipAddress: z.string().nullish() })
    .nullish(),
  displayName: z.string().nullish(),
  configuration: z.record(z.string(), z.unknown()).nullish(),
  status: GraphStatusSchema,
  errorCode: z.number().nullish(),
  isFetchable: z.boolean().nullish(),
  redirectedFrom: z.string().nullish(),
  redirectedTo: z.string().nullish(),
  documents: z.array(PrintDocumentSchema).nullish(),
  tasks: z.array(PrintTaskSchema).nullish(),
});
export type PrintJob = z.infer<typeof PrintJobSchema>;

export const PrinterStatusSchema = z.object({
  state: z.string().nullish(),
  details: z.array(z.string()).nullish(),
  description: z.string().nullish(),
});

/** A printer or a share (non-admins see only id, displayName and location of shares). */
export const PrinterLikeSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  isAcceptingJobs: z.boolean().nullish(),
  status: PrinterStatusSchema.nullish(),
  location: z.unknown().optional(),
});
export type PrinterLike = z.infer<typeof PrinterLikeSchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ value: z.array(item), '@odata.nextLink': z.string().nullish() });
}
export const JobPageSchema = pageSchema(PrintJobSchema);
export const PrinterPageSchema = pageSchema(PrinterLikeSchema);

const BatchAnswerSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});

/** `GET /print/shares/{id}?$expand=printer`: the printer behind a share (printer administrators). */
export const SharePrinterSchema = z.object({ id: z.string().min(1), printer: z.object({ id: z.string().min(1) }).nullish() });

/** `GET /me?$select=userPrincipalName` */
export const MeSchema = z.object({ userPrincipalName: z.string().min(1) });

export const UploadSessionSchema = z.object({
  uploadUrl: z.string().min(1),
  expirationDateTime: z.string().nullish(),
  nextExpectedRanges: z.array(z.string()).nullish(),
});
export type UploadSession = z.infer<typeof UploadSessionSchema>;

export const UploadProgressSchema = z.object({
  expirationDateTime: z.string().nullish(),
  nextExpectedRanges: z.array(z.string()).nullish(),
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** An @odata.nextLink that points outside the configured Graph base: never followed. */
export class ForeignLinkError extends Error {
  constructor(readonly link: string, expected: string) {
    let host = '(invalid URL)';
    try {
      host = new URL(link).host;
    } catch {
      /* keep */
    }
    super(`Universal Print returned a next-page link to ${host}, which is not the configured Graph address ${expected}; it was not followed.`);
    this.name = 'ForeignLinkError';
  }
}

/** Graph's error code from an error body `{error: {code, message}}`. */
export function graphErrorCode(body: unknown): string | null {
  const e = (body as { error?: { code?: unknown } } | null)?.error;
  return e && typeof e.code === 'string' ? e.code : null;
}

export function graphErrorMessage(body: unknown): string | null {
  const e = (body as { error?: { message?: unknown } } | null)?.error;
  return e && typeof e.message === 'string' && e.message.trim() ? e.message.trim() : null;
}

// ---------------------------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------------------------

export interface BatchStep {
  id: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the version root, starting with '/', without the version segment. */
  url: string;
  body?: unknown;
}

export interface BatchItemAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Percent-encodes a Graph id for a path segment. */
export const seg = (id: string) => pathSegment(id);

export interface GraphClientOptions {
  http: HttpClient;
  baseUrl: string;
  tokens: TokenProvider;
  timeoutMs?: number;
}

export class GraphClient {
  readonly base: URL;
  private readonly baseHref: string;

  constructor(private readonly opts: GraphClientOptions) {
    this.base = new URL(opts.baseUrl.replace(/\/+$/, ''));
    this.baseHref = this.base.href.replace(/\/+$/, '');
  }

  get host(): string {
    return this.base.host;
  }

  /**
   * An absolute URL under the base for a relative path ('/print/shares'); with `beta`, under the
   * beta endpoint of the same Graph host (`{graph host}/beta`), for the calls only beta documents.
   */
  abs(path: string, version?: 'beta'): string {
    if (version !== 'beta') return `${this.baseHref}${path}`;
    const root = this.base.pathname.replace(/\/+$/, '').replace(/\/(v\d+(\.\d+)?|beta)$/i, '');
    return `${this.base.origin}${root}/beta${path}`;
  }

  /**
   * The relative form of a next-page link (for a $batch step), or ForeignLinkError when it leaves
   * the configured base (another host, scheme, port or version).
   */
  relativeLink(link: string): string {
    let u: URL;
    try {
      u = new URL(link, this.baseHref + '/');
    } catch {
      throw new ForeignLinkError(link, this.base.host);
    }
    const prefix = this.base.pathname.replace(/\/+$/, '');
    if (u.origin !== this.base.origin || !(u.pathname === prefix || u.pathname.startsWith(prefix + '/'))) {
      throw new ForeignLinkError(link, this.base.host);
    }
    return u.pathname.slice(prefix.length) + u.search;
  }

  /** A token; `force` skips the cached one. AuthRequiredError passes through. */
  private token(scopes: string[], force: boolean, signal?: AbortSignal, tokens = this.opts.tokens): Promise<string> {
    return tokens.getToken({ scopes, forceRefresh: force }, signal);
  }

  /**
   * One authenticated request: on 401 the token is refreshed once and the request repeated; a
   * second 401 is AuthRequiredError with the service's words (never the token).
   */
  async send<T>(
    req: { method: 'GET' | 'POST' | 'DELETE'; path: string; version?: 'beta'; body?: unknown; signal?: AbortSignal; scopes: string[]; tokens?: TokenProvider },
    schema?: z.ZodType<T>,
  ): Promise<{ status: number; data: T; headers: Record<string, string> }> {
    let force = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.token(req.scopes, force, req.signal, req.tokens);
      try {
        const res = await this.opts.http.request<T>(
          { method: req.method, url: this.abs(req.path, req.version), headers: { Authorization: `Bearer ${token}` }, body: req.body, signal: req.signal, timeoutMs: this.opts.timeoutMs },
          schema,
        );
        return res;
      } catch (e) {
        if (e instanceof HttpError && e.kind === 'http' && e.status === 401) {
          if (attempt === 0) {
            force = true;
            continue;
          }
          throw new AuthRequiredError(`Universal Print refused the sign-in${e.serviceMessage ? ` ("${e.serviceMessage}")` : ''}: sign in again.`, { cause: e });
        }
        throw e;
      }
    }
  }

  /**
   * One $batch call of at most 20 steps. Every answer is matched to its step by id; a missing,
   * unknown or duplicated id makes the whole answer malformed. 401 on the outer call: one refresh.
   */
  async batch(steps: BatchStep[], scopes: string[], signal?: AbortSignal, force = false): Promise<Map<string, BatchItemAnswer>> {
    if (steps.length === 0) return new Map();
    if (steps.length > MAX_BATCH) throw new Error(`a $batch holds at most ${MAX_BATCH} steps (got ${steps.length})`);
    const target = `POST ${this.base.origin}${this.base.pathname.replace(/\/+$/, '')}/$batch`;
    const token = await this.token(scopes, force, signal);
    let res;
    try {
      res = await this.opts.http.request(
        {
          method: 'POST',
          url: this.abs('/$batch'),
          headers: { Authorization: `Bearer ${token}` },
          body: { requests: steps.map((s) => (s.body === undefined ? { id: s.id, method: s.method, url: s.url } : { id: s.id, method: s.method, url: s.url, body: s.body, headers: { 'Content-Type': 'application/json' } })) },
          signal,
          timeoutMs: this.opts.timeoutMs,
        },
        BatchAnswerSchema,
      );
    } catch (e) {
      if (e instanceof HttpError && e.kind === 'http' && e.status === 401) {
        if (!force) return this.batch(steps, scopes, signal, true);
        throw new AuthRequiredError(`Universal Print refused the sign-in${e.serviceMessage ? ` ("${e.serviceMessage}")` : ''}: sign in again.`, { cause: e });
      }
      throw e;
    }
    const wanted = new Set(steps.map((s) => s.id));
    const out = new Map<string, BatchItemAnswer>();
    for (const r of res.data.responses) {
      if (!wanted.has(r.id) || out.has(r.id)) {
        throw new HttpError('malformed', `${target} answered with ${out.has(r.id) ? 'a duplicated' : 'an unknown'} response id "${r.id.slice(0, 40)}"`, { status: res.status, target });
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
      out.set(r.id, { id: r.id, status: r.status, headers, body: r.body ?? null });
    }
    const missing = steps.filter((s) => !out.has(s.id));
    if (missing.length) {
      throw new HttpError('malformed', `${target} answered without a response for ${missing.length} of ${steps.length} requests`, { status: res.status, target });
    }
    return out;
  }

  /** A PUT/DELETE on an upload URL: no Authorization header (the URL carries its own). */
  async uploadUrlRequest<T>(req: { method: 'PUT' | 'DELETE'; url: string; bytes?: Uint8Array; headers?: Record<string, string>; signal?: AbortSignal }, schema?: z.ZodType<T>) {
    return this.opts.http.request<T>({ method: req.method, url: req.url, body: req.bytes, headers: req.headers, signal: req.signal, timeoutMs: this.opts.timeoutMs }, schema);
  }
}
