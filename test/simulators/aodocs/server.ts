/**
 * A strict simulator of the AODocs Job API (openapis/job.json, job:v1): a real HTTP server on
 * 127.0.0.1 serving `/api/job/v1/...` (and the Library API's `GET /api/library/v1/{libId}`) with the documented ApiJob shape (int64 epoch-millisecond
 * timestamps, status and type enums, task counters), both authentication schemes, library
 * administrators, paging tokens, error events, and fault injection.
 *
 * It is strict where the real service is and where the monitor must behave: unknown query
 * parameters, bad enum values and foreign page tokens are refused with 400, and any request that
 * carries `securityCode` in its query string is refused outright, because that form ends up in
 * server logs and the monitor must never use it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { simulatorListener } from '../listener';
import { heldAnswers } from '../held-answers';

// ---------------------------------------------------------------------------------------------
// The documented shapes
// ---------------------------------------------------------------------------------------------

export const AODOCS_JOB_STATUSES = ['IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type AodocsJobStatus = (typeof AODOCS_JOB_STATUSES)[number];

/** The job types of the published enum (openapis/job.json, ApiJob.type). */
export const AODOCS_JOB_TYPES = [
  'UNKNOWN', 'IMPORT_FOLDER', 'DELETE_FOLDER', 'RESTORE_FOLDER', 'PERMANENTLY_DELETE_FOLDER', 'MOVE_FOLDER',
  'FOLDER_CACHE_UPDATE', 'DELETE_DOCUMENTS_AND_FOLDERS', 'PERMANENTLY_DELETE_DOCUMENTS_AND_FOLDERS', 'TRASH_DOCUMENTS',
  'COPY_FILE', 'COPY_FILE_RESUMABLE', 'CREATE_FOLDER_MAINTENANCE', 'REVERT_VERSION', 'RESTORE_VERSION',
  'MOVE_DOCUMENTS_AND_FOLDERS', 'DELETE_VERSIONEDDOCUMENT', 'CREATE_DOCUMENTS', 'CHECK_OUT_DOCUMENT', 'CHECK_IN_DOCUMENT',
  'IMPORT_PREPROCESS', 'IMPORT', 'REVERT', 'DUPLICATE_FOLDER_STRUCTURE', 'EXPORT_FOLDER', 'EXPORT_FILE', 'PUSH_TO_DRIVE',
  'APPLY_PERMISSIONS_TO_ALL_CHILDREN', 'DRIVE_SCAN', 'FIX_PERMISSION_PROPAGATION', 'LIBRARY_COPY_CONTENT',
  'EXPORT_TO_LIBRARY', 'LIBRARY_DELETE', 'REPLACE_FOLDER', 'BACKUP', 'MARK_STORED_EMAIL_DELIVERED', 'CONCURRENCY_TEST',
  'CLEAN_CATEGORY', 'VALIDATE_DOCUMENTS', 'CREATE_DOCUMENT_ASYNC', 'CREATE_DOCUMENT_FROM_INBOUND_EMAIL',
  'UPDATE_GROUP_MEMBERSHIP_CACHE', 'SET_PERMISSION_ID_FOR_USERS', 'PATCH_DOCUMENT_ASYNC', 'UPDATE_ATTACHMENT',
  'UPDATE_STORAGE_ACCOUNT_QUOTA_USAGE', 'COPY_DOCUMENT_WITH_VERSIONS', 'REFRESH_INDEX_STAT', 'VERIFY_SUBDOMAIN_EXISTENCE',
  'CREATE_DOCUMENT_WITH_VERSIONS_ASYNC_V1', 'REMOVE_EXPLICIT_PERMISSIONS_FROM_TF', 'CHANGE_LIBRARY_TYPE',
  'LIBRARY_OWNERSHIP_CHANGE', 'LIBRARY_PERMISSION_EXTRACTION', 'SEND_NOTIFICATION_REMINDERS',
  'CHECK_ANYONE_INCONSISTENCIES', 'PURGE_DOMAIN', 'BLACKLIST_USERS', 'PROPAGATE_OUTDATED_CATEGORY_VALUE_PROPERTY',
  'CACHE_DRIVE_SEARCH', 'FIX_INHERITED_PERMISSIONS_DISABLED', 'VALIDATE_DOCUMENT_WORKFLOW_TRANSITION',
  'MAKE_LIBRARY_PUBLIC', 'MIGRATE_SF_PUBLIC_TO_PRIVATE',
] as const;

export const AODOCS_ORDER_BY = ['started asc', 'started desc', 'lastActivity asc', 'lastActivity desc'] as const;

/** ApiJob exactly as the service serialises it. `type` may be a value newer than the enum above. */
export interface ApiJob {
  completed: boolean;
  failedTasks: number;
  jobId: string;
  kind: string;
  lastActivityAt: number;
  libraryId: string;
  remainingTasks: number;
  requestor: string;
  startedAt: number;
  status: AodocsJobStatus;
  succeededTasks: number;
  taskRetries: number;
  type: string;
}

export type AodocsEventSeverity = 'INFO' | 'WARN' | 'ERROR';
export interface ApiJobEvent {
  message: string;
  severity: AodocsEventSeverity;
  timestamp: number;
}

// ---------------------------------------------------------------------------------------------
// Options and control API
// ---------------------------------------------------------------------------------------------

export interface AodocsCredential {
  scheme: 'securityCode' | 'bearer';
  value: string;
  /** The e-mail the credential authenticates. */
  user: string;
  /** Epoch ms after which the credential is refused as expired. */
  expiresAt?: number;
}

export interface AodocsLibrary {
  id: string;
  name?: string;
  /** E-mails of the library administrators (the only ones allowed to cancel). */
  admins: string[];
}

export interface AodocsSimulatorOptions {
  credentials?: AodocsCredential[];
  libraries?: AodocsLibrary[];
  /** The Google Workspace domain. A `domain` query parameter naming another one is refused. */
  domain?: string;
  /** Refuse requests that do not name the domain. */
  requireDomain?: boolean;
  /** Page size used when the request gives none. */
  defaultPageSize?: number;
  /** Simulated time (epoch ms); defaults to Date.now. */
  now?: () => number;
}

export type AodocsFault =
  /** destroy the connection without an answer (the client sees a reset) */
  | { kind: 'reset' }
  | { kind: 'status'; status: 500 | 502 | 503 | 504 | 429; message?: string; retryAfterSeconds?: number }
  /** 409; `retryable` sets `X-aodocs-retryable: true` */
  | { kind: 'conflict'; retryable: boolean; message?: string }
  /** 200 with a body that is not JSON */
  | { kind: 'malformed' }
  /** 200 with JSON of the wrong shape */
  | { kind: 'wrong-shape' }
  /** answer normally, after this many real milliseconds */
  | { kind: 'slow'; ms: number }
  /** 200 and the start of the normal answer, then one byte every `intervalMs` real milliseconds */
  | { kind: 'drip'; intervalMs: number }
  /** 200 with a valid JSON answer padded to `bytes` bytes */
  | { kind: 'huge'; bytes: number }
  /** the normal answer with every job's status and type replaced by values outside the enums */
  | { kind: 'unknown-enum'; status?: string; type?: string }
  /**
   * The normal answer with these properties of every job null: every ApiJob property is optional
   * in AODocs' schema, and a Google-style API may write an unset one as null rather than leave it out.
   */
  | { kind: 'null-fields'; fields: (keyof ApiJob)[] }
  /** The cancel is applied, then answered with this status (its answer lost on the way back). */
  | { kind: 'applied-then-status'; status: 500 | 502 | 503 | 504 };

export interface AodocsFaultRule {
  fault: AodocsFault;
  /** How many matching requests it applies to (default 1; Infinity for all). */
  times?: number;
  /** Only requests whose method + path match, e.g. /^POST .*\/cancel$/ or 'GET /api/job/v1/libraries/lib-a'. */
  match?: RegExp | string;
}

export interface AodocsRequestLogEntry {
  at: number;
  method: string;
  /** path and query exactly as received */
  url: string;
  path: string;
  query: Record<string, string[]>;
  /** the Authorization scheme only (never the value) */
  authScheme: 'securityCode' | 'bearer' | 'other' | 'none';
  /** the user the credential authenticated, when it did */
  user: string | null;
  status: number;
}

export interface AddJobInput {
  jobId?: string;
  libraryId: string;
  requestor: string;
  type?: string;
  status?: AodocsJobStatus;
  totalTasks?: number;
  succeededTasks?: number;
  failedTasks?: number;
  remainingTasks?: number;
  taskRetries?: number;
  startedAt?: number;
  lastActivityAt?: number;
  /** How `tick()` moves it: tasks done per tick, and every n-th task fails. */
  plan?: JobPlan;
}

export interface JobPlan {
  tasksPerTick?: number;
  /** every n-th processed task fails (0: none) */
  failEvery?: number;
  /** stop advancing (a stuck job) */
  stuck?: boolean;
  /** end as FAILED after this many processed tasks */
  failAfter?: number;
}

export interface AodocsSimulator {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** `${url}/api`, the value for the source's baseUrl */
  readonly baseUrl: string;
  readonly requests: AodocsRequestLogEntry[];
  /** Answers held back now by a 'slow' or 'drip' fault (see held-answers.ts). */
  readonly heldAnswers: number;
  addJob(input: AddJobInput): ApiJob;
  getJob(jobId: string): ApiJob | undefined;
  jobs(): ApiJob[];
  updateJob(jobId: string, patch: Partial<ApiJob>): ApiJob;
  setPlan(jobId: string, plan: JobPlan): void;
  /** Processes tasks of an IN_PROGRESS job; it completes when nothing remains. */
  advance(jobId: string, by: { succeeded?: number; failed?: number; retries?: number }): ApiJob;
  /** Advances every IN_PROGRESS job by its plan; returns the jobs that changed. */
  tick(): ApiJob[];
  complete(jobId: string): ApiJob;
  fail(jobId: string, message: string): ApiJob;
  cancel(jobId: string): ApiJob;
  /** Forgets a job (the service purged it): it then answers 404. */
  purge(jobId: string): void;
  addEvent(jobId: string, event: { message: string; severity?: AodocsEventSeverity; timestamp?: number }): void;
  events(jobId: string): ApiJobEvent[];
  addCredential(c: AodocsCredential): void;
  expireCredential(value: string): void;
  addLibrary(lib: AodocsLibrary): void;
  /** Moves the service's clock (timestamps it writes, credential expiry) by this many ms. */
  setClockSkew(ms: number): void;
  injectFault(rule: AodocsFaultRule): void;
  clearFaults(): void;
  /** Stops listening (connections refused) until `goOnline()`, which listens on the same port. */
  goOffline(): Promise<void>;
  goOnline(): Promise<void>;
  readonly online: boolean;
  /** Closes every open connection (kept-alive ones included): the next request connects anew. */
  dropConnections(): void;
  clearLog(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface StoredJob {
  job: ApiJob;
  plan: JobPlan;
  events: ApiJobEvent[];
}

interface PageState {
  signature: string;
  offset: number;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(AODOCS_JOB_TYPES);

export async function startAodocsSimulator(opts: AodocsSimulatorOptions = {}): Promise<AodocsSimulator> {
  const baseNow = opts.now ?? (() => Date.now());
  let skewMs = 0;
  const now = () => baseNow() + skewMs;
  const credentials: AodocsCredential[] = [...(opts.credentials ?? [])];
  const libraries = new Map<string, AodocsLibrary>((opts.libraries ?? []).map((l) => [l.id, l]));
  const store = new Map<string, StoredJob>();
  const pageTokens = new Map<string, PageState>();
  const faults: { fault: AodocsFault; remaining: number; match?: RegExp | string }[] = [];
  const requests: AodocsRequestLogEntry[] = [];
  const held = heldAnswers();
  const defaultPageSize = opts.defaultPageSize ?? 20;
  let seq = 0;


  function findStored(jobId: string): StoredJob {
    const s = store.get(jobId);
    if (!s) throw new ApiProblem(404, `Job ${jobId} not found`, 'notFound');
    return s;
  }

  function touch(s: StoredJob): void {
    s.job.lastActivityAt = Math.max(now(), s.job.lastActivityAt + 1);
  }

  function finish(s: StoredJob, status: Exclude<AodocsJobStatus, 'IN_PROGRESS'>): void {
    s.job.status = status;
    s.job.completed = true;
    touch(s);
  }

  function addJob(input: AddJobInput): ApiJob {
    const jobId = input.jobId ?? `job-${(++seq).toString().padStart(4, '0')}-${randomBytes(3).toString('hex')}`;
    if (store.has(jobId)) throw new Error(`job ${jobId} exists already`);
    const total = input.totalTasks ?? 10;
    const succeeded = input.succeededTasks ?? 0;
    const failed = input.failedTasks ?? 0;
    const status = input.status ?? 'IN_PROGRESS';
    const startedAt = input.startedAt ?? now();
    const job: ApiJob = {
      completed: status !== 'IN_PROGRESS',
      failedTasks: failed,
      jobId,
      kind: 'aodocs#job',
      lastActivityAt: input.lastActivityAt ?? startedAt,
      libraryId: input.libraryId,
      remainingTasks: input.remainingTasks ?? Math.max(0, total - succeeded - failed),
      requestor: input.requestor,
      startedAt,
      status,
      succeededTasks: succeeded,
      taskRetries: input.taskRetries ?? 0,
      type: input.type ?? 'MOVE_DOCUMENTS_AND_FOLDERS',
    };
    store.set(jobId, { job, plan: input.plan ?? {}, events: [] });
    return { ...job };
  }

  function advance(jobId: string, by: { succeeded?: number; failed?: number; retries?: number }): ApiJob {
    const s = store.get(jobId);
    if (!s) throw new Error(`no job ${jobId}`);
    if (s.job.status !== 'IN_PROGRESS') return { ...s.job };
    const ok = Math.min(by.succeeded ?? 0, s.job.remainingTasks);
    s.job.succeededTasks += ok;
    s.job.remainingTasks -= ok;
    const bad = Math.min(by.failed ?? 0, s.job.remainingTasks);
    s.job.failedTasks += bad;
    s.job.remainingTasks -= bad;
    s.job.taskRetries += by.retries ?? 0;
    for (let i = 0; i < bad; i++) {
      s.events.push({ message: `Task ${s.job.succeededTasks + s.job.failedTasks - bad + i + 1} failed: the document is locked by another user`, severity: 'ERROR', timestamp: now() });
    }
    touch(s);
    if (s.job.remainingTasks === 0) {
      s.events.push({ message: s.job.failedTasks > 0 ? `Job finished with ${s.job.failedTasks} failed task(s)` : 'Job finished', severity: s.job.failedTasks > 0 ? 'WARN' : 'INFO', timestamp: now() });
      finish(s, 'COMPLETED');
    }
    return { ...s.job };
  }

  function failJob(jobId: string, message: string): ApiJob {
    const s = store.get(jobId);
    if (!s) throw new Error(`no job ${jobId}`);
    s.events.push({ message, severity: 'ERROR', timestamp: now() });
    finish(s, 'FAILED');
    return { ...s.job };
  }

  function tick(): ApiJob[] {
    const changed: ApiJob[] = [];
    for (const s of store.values()) {
      if (s.job.status !== 'IN_PROGRESS' || s.plan.stuck) continue;
      const per = Math.max(1, s.plan.tasksPerTick ?? 1);
      let ok = 0;
      let bad = 0;
      for (let i = 0; i < per && ok + bad < s.job.remainingTasks; i++) {
        const n = s.job.succeededTasks + s.job.failedTasks + ok + bad + 1;
        if (s.plan.failEvery && n % s.plan.failEvery === 0) bad++;
        else ok++;
      }
      advance(s.job.jobId, { succeeded: ok, failed: bad });
      const processed = s.job.succeededTasks + s.job.failedTasks;
      if (s.job.status === 'IN_PROGRESS' && s.plan.failAfter !== undefined && processed >= s.plan.failAfter) {
        failJob(s.job.jobId, 'The job was stopped: the destination folder no longer exists');
      }
      changed.push({ ...s.job });
    }
    return changed;
  }

  // ---- HTTP handling ----

  function authenticate(req: IncomingMessage): { scheme: AodocsRequestLogEntry['authScheme']; user: string | null; problem?: ApiProblem } {
    const header = req.headers.authorization;
    if (!header) return { scheme: 'none', user: null, problem: new ApiProblem(401, 'Authentication required: send an Authorization header', 'required') };
    const m = /^(\S+)\s+(.+)$/.exec(header.trim());
    if (!m) return { scheme: 'other', user: null, problem: new ApiProblem(401, 'Malformed Authorization header', 'authError') };
    const schemeWord = m[1].toLowerCase();
    const scheme = schemeWord === 'securitycode' ? 'securityCode' : schemeWord === 'bearer' ? 'bearer' : 'other';
    if (scheme === 'other') return { scheme, user: null, problem: new ApiProblem(401, `Unsupported authorization scheme "${m[1]}"`, 'authError') };
    const value = m[2].trim();
    const cred = credentials.find((c) => c.scheme === scheme && c.value === value);
    const what = scheme === 'securityCode' ? 'security code' : 'token';
    if (!cred) return { scheme, user: null, problem: new ApiProblem(401, `Invalid ${what}`, 'authError') };
    if (cred.expiresAt !== undefined && cred.expiresAt <= now()) {
      return { scheme, user: cred.user, problem: new ApiProblem(401, `The ${what} has expired`, 'authError') };
    }
    return { scheme, user: cred.user };
  }

  function checkParams(query: URLSearchParams, allowed: readonly string[]): void {
    if (query.has('securityCode')) {
      throw new ApiProblem(400, 'The securityCode query parameter is refused by this server: send the code in the Authorization header', 'badRequest');
    }
    for (const key of new Set(query.keys())) {
      if (!allowed.includes(key) && key !== 'domain') throw new ApiProblem(400, `Unknown parameter "${key}"`, 'badRequest');
      if (query.getAll(key).length > 1) throw new ApiProblem(400, `Parameter "${key}" given more than once`, 'badRequest');
    }
    const domain = query.get('domain');
    if (domain !== null) {
      if (!opts.domain || domain.toLowerCase() !== opts.domain.toLowerCase()) throw new ApiProblem(400, `Unknown domain "${domain}"`, 'badRequest');
    } else if (opts.requireDomain) {
      throw new ApiProblem(400, 'The domain parameter is required', 'badRequest');
    }
  }

  function intParam(query: URLSearchParams, name: string, min: number, max: number, dflt: number): number {
    const v = query.get(name);
    if (v === null) return dflt;
    if (!/^\d+$/.test(v)) throw new ApiProblem(400, `Invalid value "${v}" for ${name}: an integer is expected`, 'badRequest');
    const n = Number(v);
    if (n < min || n > max) throw new ApiProblem(400, `Invalid value ${n} for ${name}: must be between ${min} and ${max}`, 'badRequest');
    return n;
  }

  function pageFrom(query: URLSearchParams, signature: string): number {
    const token = query.get('pageToken');
    if (token === null || token === '') return 0;
    const st = pageTokens.get(token);
    if (!st) throw new ApiProblem(400, 'Invalid page token', 'badRequest');
    if (st.signature !== signature) throw new ApiProblem(400, 'The page token belongs to another query', 'badRequest');
    return st.offset;
  }

  function issueToken(signature: string, offset: number): string {
    const token = randomBytes(12).toString('base64url');
    pageTokens.set(token, { signature, offset });
    return token;
  }

  /**
   * `GET /library/v1/{libId}` -> ApiLibrary. Stricter than the service: `include` must be NONE (the
   * documented way to get only the core metadata), `updateLastAccessed` true or false.
   */
  function getLibrary(method: string, libraryId: string, query: URLSearchParams): { status: number; body: unknown } {
    if (method !== 'GET') throw new ApiProblem(405, `${method} is not allowed here`, 'methodNotAllowed');
    checkParams(query, ['include', 'updateLastAccessed']);
    const include = query.get('include');
    if (include !== null && include !== 'NONE') throw new ApiProblem(400, `Invalid value "${include}" for include: this server answers NONE only`, 'badRequest');
    const touch = query.get('updateLastAccessed');
    if (touch !== null && touch !== 'true' && touch !== 'false') throw new ApiProblem(400, `Invalid value "${touch}" for updateLastAccessed: true or false`, 'badRequest');
    const lib = libraries.get(libraryId);
    if (!lib) throw new ApiProblem(404, `Library ${libraryId} not found`, 'notFound');
    const name = lib.name ?? lib.id;
    return { status: 200, body: { kind: 'aodocs#library', libraryId: lib.id, name, homeUrl: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), favorited: false } };
  }

  function route(method: string, path: string, query: URLSearchParams, user: string): { status: number; body: unknown } {
    const parts = path.split('/').slice(1).map((p) => decodeURIComponent(p));
    // parts: ['api', 'library', 'v1', libId]: the Library API's "get library" (openapis/library.json).
    if (parts[0] === 'api' && parts[1] === 'library' && parts[2] === 'v1' && parts.length === 4) return getLibrary(method, parts[3], query);
    // parts: ['api', 'job', 'v1', ...]
    if (parts[0] !== 'api' || parts[1] !== 'job' || parts[2] !== 'v1') throw new ApiProblem(404, `No such endpoint: ${method} ${path}`, 'notFound');
    const rest = parts.slice(3);

    if (rest[0] === 'libraries' && rest.length === 2) {
      if (method !== 'GET') throw new ApiProblem(405, `${method} is not allowed here`, 'methodNotAllowed');
      checkParams(query, ['status', 'type', 'user', 'orderBy', 'pageSize', 'pageToken']);
      const libraryId = rest[1];
      if (!libraries.has(libraryId)) throw new ApiProblem(404, `Library ${libraryId} not found`, 'notFound');
      const status = query.get('status');
      if (status !== null && !(AODOCS_JOB_STATUSES as readonly string[]).includes(status)) {
        throw new ApiProblem(400, `Invalid value "${status}" for status: one of ${AODOCS_JOB_STATUSES.join(', ')}`, 'badRequest');
      }
      const type = query.get('type');
      if (type !== null && !KNOWN_TYPES.has(type)) throw new ApiProblem(400, `Invalid value "${type}" for type`, 'badRequest');
      const orderBy = query.get('orderBy');
      if (orderBy !== null && !(AODOCS_ORDER_BY as readonly string[]).includes(orderBy)) {
        throw new ApiProblem(400, `Invalid value "${orderBy}" for orderBy: one of ${AODOCS_ORDER_BY.join(', ')}`, 'badRequest');
      }
      const requester = query.get('user');
      if (requester !== null && !/^[^@\s]+@[^@\s]+$/.test(requester)) throw new ApiProblem(400, `Invalid value "${requester}" for user: an e-mail address is expected`, 'badRequest');
      const pageSize = intParam(query, 'pageSize', 1, 1000, defaultPageSize);
      const signature = JSON.stringify([libraryId, status, type, orderBy, requester, pageSize, user]);
      const offset = pageFrom(query, signature);

      let list = [...store.values()].map((s) => s.job).filter((j) => j.libraryId === libraryId);
      if (status) list = list.filter((j) => j.status === status);
      if (type) list = list.filter((j) => j.type === type);
      if (requester) list = list.filter((j) => j.requestor.toLowerCase() === requester.toLowerCase());
      const [field, dir] = (orderBy ?? 'started desc').split(' ') as ['started' | 'lastActivity', 'asc' | 'desc'];
      const keyOf = (j: ApiJob) => (field === 'started' ? j.startedAt : j.lastActivityAt);
      list.sort((a, b) => (dir === 'asc' ? keyOf(a) - keyOf(b) : keyOf(b) - keyOf(a)) || a.jobId.localeCompare(b.jobId));
      const page = list.slice(offset, offset + pageSize).map((j) => ({ ...j }));
      const body: { jobList: ApiJob[]; nextPageToken?: string } = { jobList: page };
      if (offset + pageSize < list.length) body.nextPageToken = issueToken(signature, offset + pageSize);
      return { status: 200, body };
    }

    if (rest[0] === 'events' && rest.length === 2) {
      if (method !== 'GET') throw new ApiProblem(405, `${method} is not allowed here`, 'methodNotAllowed');
      checkParams(query, ['onlyErrors', 'maxResults', 'pageToken']);
      const s = findStored(rest[1]);
      const onlyErrors = query.get('onlyErrors');
      if (onlyErrors !== null && onlyErrors !== 'true' && onlyErrors !== 'false') throw new ApiProblem(400, `Invalid value "${onlyErrors}" for onlyErrors: true or false`, 'badRequest');
      const maxResults = intParam(query, 'maxResults', 1, 100, 100);
      const signature = JSON.stringify(['events', rest[1], onlyErrors, maxResults]);
      const offset = pageFrom(query, signature);
      const list = s.events.filter((e) => onlyErrors !== 'true' || e.severity === 'ERROR').slice().reverse();
      const body: { events: ApiJobEvent[]; job: ApiJob; nextPageToken?: string } = {
        events: list.slice(offset, offset + maxResults).map((e) => ({ ...e })),
        job: { ...s.job },
      };
      if (offset + maxResults < list.length) body.nextPageToken = issueToken(signature, offset + maxResults);
      return { status: 200, body };
    }

    if (rest.length === 2 && rest[1] === 'cancel') {
      if (method !== 'POST') throw new ApiProblem(405, `${method} is not allowed here`, 'methodNotAllowed');
      checkParams(query, []);
      const s = findStored(rest[0]);
      const lib = libraries.get(s.job.libraryId);
      const isAdmin = !!lib && lib.admins.some((a) => a.toLowerCase() === user.toLowerCase());
      if (!isAdmin) throw new ApiProblem(403, `User ${user} is not an administrator of library ${s.job.libraryId}`, 'forbidden');
      if (s.job.status !== 'IN_PROGRESS') throw new ApiProblem(409, `Job ${s.job.jobId} is already ${s.job.status.toLowerCase().replace('_', ' ')}`, 'conflict');
      s.events.push({ message: `Job cancelled by ${user}`, severity: 'WARN', timestamp: now() });
      finish(s, 'CANCELLED');
      return { status: 200, body: { ...s.job } };
    }

    if (rest.length === 1 && rest[0] !== 'libraries' && rest[0] !== 'events') {
      if (method !== 'GET') throw new ApiProblem(405, `${method} is not allowed here`, 'methodNotAllowed');
      checkParams(query, []);
      return { status: 200, body: { ...findStored(rest[0]).job } };
    }
    throw new ApiProblem(404, `No such endpoint: ${method} ${path}`, 'notFound');
  }

  function takeFault(method: string, path: string): AodocsFault | null {
    const line = `${method} ${path}`;
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      const matches = f.match === undefined ? true : typeof f.match === 'string' ? line === f.match || line.startsWith(`${f.match}`) : f.match.test(line);
      if (!matches) continue;
      f.remaining -= 1;
      if (f.remaining <= 0) faults.splice(i, 1);
      return f.fault;
    }
    return null;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=UTF-8', ...headers });
    res.end(text);
  }

  function errorBody(status: number, message: string, reason: string): unknown {
    return { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } };
  }

  /** Writes one byte per interval until done or the client goes away. */
  async function drip(res: ServerResponse, bytes: Buffer, intervalMs: number): Promise<void> {
    for (let i = 0; i < bytes.length; i++) {
      if (res.destroyed || !listener.online) return;
      res.write(bytes.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    if (!res.destroyed) res.end();
  }

  function withUnknownEnums(body: unknown, status: string, type: string): unknown {
    return patchJobs(body, (j) => ({ ...j, status, type }));
  }

  function patchJobs(body: unknown, patch: (j: ApiJob) => unknown): unknown {
    if (body && typeof body === 'object') {
      const b = body as { jobList?: ApiJob[]; job?: ApiJob; jobId?: string };
      if (Array.isArray(b.jobList)) return { ...b, jobList: b.jobList.map(patch) };
      if (typeof b.jobId === 'string') return patch(body as ApiJob);
      if (b.job) return { ...b, job: patch(b.job) };
    }
    return body;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const parsed = new URL(rawUrl, 'http://127.0.0.1');
    const query: Record<string, string[]> = {};
    for (const [k, v] of parsed.searchParams) (query[k] ??= []).push(v);
    const entry: AodocsRequestLogEntry = { at: now(), method, url: rawUrl, path: parsed.pathname, query, authScheme: 'none', user: null, status: 0 };
    requests.push(entry);
    // Drain any body.
    for await (const chunk of req) void chunk;

    const fault = takeFault(method, parsed.pathname);
    if (fault?.kind === 'reset') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await held.delay(res, fault.ms);

    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      if (!res.destroyed) send(res, status, body, headers);
    };

    try {
      // The query-string credential is refused before anything else, even before authentication.
      if (parsed.searchParams.has('securityCode')) {
        throw new ApiProblem(400, 'The securityCode query parameter is refused by this server: send the code in the Authorization header', 'badRequest');
      }
      const auth = authenticate(req);
      entry.authScheme = auth.scheme;
      entry.user = auth.problem ? null : auth.user;
      if (auth.problem) throw auth.problem;
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
        return reply(fault.status, errorBody(fault.status, fault.message ?? (fault.status === 429 ? 'Rate limit exceeded' : 'Backend Error'), fault.status === 429 ? 'rateLimitExceeded' : 'backendError'), headers);
      }
      if (fault?.kind === 'conflict') {
        return reply(409, errorBody(409, fault.message ?? 'The job is being updated by another request', 'conflict'), fault.retryable ? { 'X-aodocs-retryable': 'true' } : { 'X-aodocs-retryable': 'false' });
      }
      const out = route(method, parsed.pathname, parsed.searchParams, auth.user as string);
      if (fault?.kind === 'malformed') return reply(200, '<html><body>Temporarily unavailable</body></html>');
      if (fault?.kind === 'wrong-shape') return reply(200, { jobList: 'not a list', items: 3 });
      if (fault?.kind === 'huge') {
        const text = JSON.stringify(out.body);
        const pad = Math.max(0, fault.bytes - text.length - 14);
        entry.status = 200;
        res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.end(`${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"padding":"${'x'.repeat(pad)}"}`);
        return;
      }
      if (fault?.kind === 'drip') {
        entry.status = 200;
        const bytes = Buffer.from(JSON.stringify(out.body));
        res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': String(bytes.length) });
        held.hold(res);
        await drip(res, bytes, fault.intervalMs);
        return;
      }
      if (fault?.kind === 'unknown-enum') return reply(out.status, withUnknownEnums(out.body, fault.status ?? 'PAUSED_BY_ADMIN', fault.type ?? 'ARCHIVE_TO_COLD_STORAGE'));
      if (fault?.kind === 'null-fields') return reply(out.status, patchJobs(out.body, (j) => ({ ...j, ...Object.fromEntries(fault.fields.map((f) => [f, null])) })));
      if (fault?.kind === 'applied-then-status') return reply(fault.status, errorBody(fault.status, 'Backend Error', 'backendError'));
      return reply(out.status, out.body);
    } catch (err) {
      if (err instanceof ApiProblem) return reply(err.status, errorBody(err.status, err.message, err.reason), err.headers);
      return reply(500, errorBody(500, err instanceof Error ? err.message : String(err), 'backendError'));
    }
  }

  const listener = simulatorListener(handle, (res, err) => {
    if (!res.headersSent) send(res, 500, errorBody(500, String(err), 'backendError'));
  });

  await listener.listen(0);
  const url = `http://127.0.0.1:${listener.port}`;

  return {
    url,
    baseUrl: `${url}/api`,
    requests,
    get heldAnswers() {
      return held.count;
    },
    addJob,
    getJob: (id) => {
      const s = store.get(id);
      return s ? { ...s.job } : undefined;
    },
    jobs: () => [...store.values()].map((s) => ({ ...s.job })),
    updateJob(jobId, patch) {
      const s = store.get(jobId);
      if (!s) throw new Error(`no job ${jobId}`);
      Object.assign(s.job, patch, { jobId });
      if (patch.status !== undefined && patch.completed === undefined) s.job.completed = patch.status !== 'IN_PROGRESS';
      return { ...s.job };
    },
    setPlan(jobId, plan) {
      const s = store.get(jobId);
      if (!s) throw new Error(`no job ${jobId}`);
      s.plan = { ...s.plan, ...plan };
    },
    advance,
    tick,
    complete(jobId) {
      const s = store.get(jobId);
      if (!s) throw new Error(`no job ${jobId}`);
      s.job.succeededTasks += s.job.remainingTasks;
      s.job.remainingTasks = 0;
      finish(s, 'COMPLETED');
      return { ...s.job };
    },
    fail: failJob,
    cancel(jobId) {
      const s = store.get(jobId);
      if (!s) throw new Error(`no job ${jobId}`);
      finish(s, 'CANCELLED');
      return { ...s.job };
    },
    purge(jobId) {
      store.delete(jobId);
    },
    addEvent(jobId, e) {
      const s = store.get(jobId);
      if (!s) throw new Error(`no job ${jobId}`);
      s.events.push({ message: e.message, severity: e.severity ?? 'INFO', timestamp: e.timestamp ?? now() });
    },
    events: (jobId) => (store.get(jobId)?.events ?? []).map((e) => ({ ...e })),
    addCredential: (c) => void credentials.push(c),
    expireCredential(value) {
      for (const c of credentials) if (c.value === value) c.expiresAt = now() - 1;
    },
    addLibrary: (lib) => void libraries.set(lib.id, lib),
    setClockSkew: (ms) => {
      skewMs = ms;
    },
    injectFault(rule) {
      faults.push({ fault: rule.fault, remaining: rule.times ?? 1, match: rule.match });
    },
    clearFaults: () => void faults.splice(0),
    goOffline: () => listener.stop(),
    goOnline: async () => {
      if (!listener.online) await listener.listen(listener.port);
    },
    get online() {
      return listener.online;
    },
    dropConnections: () => listener.dropConnections(),
    clearLog: () => void requests.splice(0),
    close: () => listener.stop(),
  };
}
