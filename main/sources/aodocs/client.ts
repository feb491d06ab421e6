/**
 * The AODocs Job API client (openapis/job.json, job:v1): get, cancel, list a library's jobs, list a
 * job's events. Answers are validated before use.
 *
 * Credentials (a security code or a bearer token, per the source's `auth` setting) are read from
 * the secret store at each request and sent only in the Authorization header: never in a query
 * string (AODocs also accepts `?securityCode=`, but that form ends up in server logs), never in a
 * log line or an error message.
 *
 * Retries follow what AODocs asks of clients: 5xx answers with a small, bounded exponential backoff
 * through the injected clock, and 409 only when the answer carries `X-aodocs-retryable: true`.
 */
import { z } from 'zod';
import type { AodocsSourceConfig } from '../../../preload/contract/model';
import { HttpError, pathSegment, type HttpRequest } from '../../http/client';
import type { SourceDeps } from '../deps';
import { sleep } from '../shared';

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/** int64 values: JSON numbers, or decimal strings as Google-style APIs serialise int64. */
const Int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'an integer is expected').transform(Number)]);
const Count = z.union([z.number().int().min(0), z.string().regex(/^\d+$/, 'a count is expected').transform(Number)]);

export const ApiJobSchema = z.object({
  jobId: z.string().min(1, 'jobId is empty'),
  // Every ApiJob property is optional (the seed's schema): null is as good as absent.
  completed: z.boolean().nullish(),
  kind: z.string().nullish(),
  libraryId: z.string().nullish(),
  requestor: z.string().nullish(),
  startedAt: Int64.nullish(),
  lastActivityAt: Int64.nullish(),
  /** IN_PROGRESS | COMPLETED | FAILED | CANCELLED; kept as a string so a new status is shown, not refused. */
  status: z.string().min(1, 'status is empty'),
  /** One of ~60 values, with more added over time: any string. */
  type: z.string().nullish(),
  succeededTasks: Count.nullish(),
  failedTasks: Count.nullish(),
  remainingTasks: Count.nullish(),
  taskRetries: Count.nullish(),
});
export type ApiJob = z.infer<typeof ApiJobSchema>;

export const JobListSchema = z.object({
  jobList: z.array(ApiJobSchema).nullish().transform((l) => l ?? []),
  nextPageToken: z.string().nullish(),
});
export type JobList = z.infer<typeof JobListSchema>;

export const ApiJobEventSchema = z.object({
  message: z.string().nullish(),
  severity: z.string().nullish(),
  timestamp: z.union([Int64, z.string()]).nullish(),
});
export type ApiJobEvent = z.infer<typeof ApiJobEventSchema>;

export const JobEventsSchema = z.object({
  events: z.array(ApiJobEventSchema).nullish().transform((l) => l ?? []),
  job: ApiJobSchema.nullish(),
  nextPageToken: z.string().nullish(),
});
export type JobEvents = z.infer<typeof JobEventsSchema>;

/** The Library API's ApiLibrary (`GET /library/v1/{libId}`), the fields this app reads. */
export const ApiLibrarySchema = z.object({
  libraryId: z.string().min(1),
  name: z.string().nullish(),
});
export type ApiLibrary = z.infer<typeof ApiLibrarySchema>;

export const AODOCS_ORDER_BY = ['started asc', 'started desc', 'lastActivity asc', 'lastActivity desc'] as const;
export type AodocsOrderBy = (typeof AODOCS_ORDER_BY)[number];

export interface ListJobsParams {
  status?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  type?: string;
  user?: string;
  orderBy?: AodocsOrderBy;
  pageSize?: number;
  pageToken?: string;
}

// ---------------------------------------------------------------------------------------------
// Errors the client raises besides HttpError
// ---------------------------------------------------------------------------------------------

/** No credential is stored for the source: nothing was sent. */
export class AodocsCredentialMissing extends Error {
  constructor(
    readonly sourceId: string,
    readonly scheme: 'securityCode' | 'bearer',
  ) {
    super(
      scheme === 'securityCode'
        ? `No AODocs security code is stored for source "${sourceId}": add one in Settings (or set ${'PQM_SECRET_'}${sourceId.toUpperCase().replace(/-/g, '_')}_SECURITY_CODE).`
        : `No AODocs access token is stored for source "${sourceId}": add one in Settings (or set ${'PQM_SECRET_'}${sourceId.toUpperCase().replace(/-/g, '_')}_TOKEN).`,
    );
    this.name = 'AodocsCredentialMissing';
  }
}

// ---------------------------------------------------------------------------------------------
// Retry policy
// ---------------------------------------------------------------------------------------------

export interface AodocsRetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: AodocsRetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 4_000 };

/** Whether AODocs asks for this failure to be retried. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof HttpError) || err.kind !== 'http' || err.status === null) return false;
  if (err.status >= 500 && err.status <= 599) return true;
  if (err.status === 409) return (err.headers['x-aodocs-retryable'] ?? '').trim().toLowerCase() === 'true';
  return false;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export class AodocsClient {
  private readonly base: string;
  private readonly scheme: 'securityCode' | 'bearer';
  private readonly retry: AodocsRetryPolicy;

  constructor(
    private readonly config: AodocsSourceConfig,
    private readonly deps: SourceDeps,
    opts: { retry?: Partial<AodocsRetryPolicy> } = {},
  ) {
    this.base = config.baseUrl.replace(/\/+$/, '');
    this.scheme = config.auth === 'bearer' ? 'bearer' : 'securityCode';
    this.retry = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
  }

  /** Which credential this source sends, in words: "security code" or "access token". */
  get credentialWords(): string {
    return this.scheme === 'securityCode' ? 'security code' : 'access token';
  }

  get credentialScheme(): 'securityCode' | 'bearer' {
    return this.scheme;
  }

  getJob(jobId: string, signal: AbortSignal): Promise<ApiJob> {
    return this.send({ method: 'GET', url: this.url(['job', 'v1', jobId]), signal }, ApiJobSchema);
  }

  cancelJob(jobId: string, signal: AbortSignal): Promise<ApiJob> {
    return this.send({ method: 'POST', url: this.url(['job', 'v1', jobId, 'cancel']), signal }, ApiJobSchema);
  }

  listJobs(libraryId: string, params: ListJobsParams, signal: AbortSignal): Promise<JobList> {
    const q: Record<string, string> = {};
    if (params.status) q.status = params.status;
    if (params.type) q.type = params.type;
    if (params.user) q.user = params.user;
    if (params.orderBy) q.orderBy = params.orderBy;
    if (params.pageSize !== undefined) q.pageSize = String(params.pageSize);
    if (params.pageToken) q.pageToken = params.pageToken;
    return this.send({ method: 'GET', url: this.url(['job', 'v1', 'libraries', libraryId], q), signal }, JobListSchema);
  }

  /** A library's core metadata (`include=NONE`): its id and name. */
  getLibrary(libraryId: string, signal: AbortSignal): Promise<ApiLibrary> {
    return this.send({ method: 'GET', url: this.url(['library', 'v1', libraryId], { include: 'NONE' }), signal }, ApiLibrarySchema);
  }

  listEvents(jobId: string, params: { onlyErrors: boolean; maxResults?: number; pageToken?: string }, signal: AbortSignal): Promise<JobEvents> {
    const q: Record<string, string> = { onlyErrors: String(params.onlyErrors), maxResults: String(params.maxResults ?? 100) };
    if (params.pageToken) q.pageToken = params.pageToken;
    return this.send({ method: 'GET', url: this.url(['job', 'v1', 'events', jobId], q), signal }, JobEventsSchema);
  }

  /** Builds a URL: path segments encoded one by one (ids are opaque), plus `domain` when configured. */
  private url(segments: string[], query: Record<string, string> = {}): string {
    const u = new URL(`${this.base}/${segments.map((s) => pathSegment(s)).join('/')}`);
    if (this.config.domain) u.searchParams.set('domain', this.config.domain);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  }

  private async authorization(): Promise<string> {
    const value = await this.deps.secrets.get(this.config.id, this.scheme === 'securityCode' ? 'SECURITY_CODE' : 'TOKEN');
    const v = value?.trim();
    if (!v) throw new AodocsCredentialMissing(this.config.id, this.scheme);
    return this.scheme === 'securityCode' ? `securityCode ${v}` : `Bearer ${v}`;
  }

  private async send<T>(req: Omit<HttpRequest, 'headers'>, schema: z.ZodType<T>): Promise<T> {
    const signal = req.signal;
    for (let attempt = 0; ; attempt++) {
      // Read the secret at every attempt: a code renewed in Settings applies at once.
      const authorization = await this.authorization();
      try {
        const res = await this.deps.http.request({ ...req, headers: { Authorization: authorization } }, schema);
        return res.data;
      } catch (err) {
        if (attempt >= this.retry.retries || !isRetryable(err) || signal?.aborted) throw err;
        const e = err as HttpError;
        // A service that asks for a longer pause than a retry within this request may take is
        // left alone: the poll fails and the schedule waits as long as it asked.
        if (e.retryAfterMs !== null && e.retryAfterMs > this.retry.maxDelayMs) throw err;
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
        const delay = Math.max(backoff, e.retryAfterMs ?? 0);
        this.deps.logger.warn('AODocs asked for a retry', { target: e.target, status: e.status, attempt: attempt + 1, delayMs: delay });
        await this.wait(delay, signal);
      }
    }
  }

  /** Waits on the injected clock; a canceled request ends at once, as an aborted HTTP request. */
  private async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const s = signal ?? new AbortController().signal;
    await sleep(this.deps.clock, ms, s, { resolveOnAbort: true });
    if (s.aborted) throw new HttpError('aborted', 'The AODocs request was canceled', { target: 'AODocs' });
  }
}
