/**
 * A strict simulator of Microsoft Graph Universal Print (v1.0) plus a small Microsoft identity
 * platform token endpoint, served over real HTTP on 127.0.0.1.
 *
 * Strict means: it refuses what Graph refuses (unknown query options, absolute or versioned URLs
 * inside $batch, more than 20 batch steps, duplicate step ids, an Authorization header on an
 * upload URL, delegated tokens for abort, ...), so a client that passes against it does not lean
 * on leniency the real service does not have. Job lifecycles are scripted and advanced with
 * `tick()` (or a real timer for the browser preview), so tests run in fake time.
 *
 * Graph base URL for clients: `${sim.url}/v1.0`; `${sim.url}/beta` serves only seed 001's
 * upload-session DELETE on printers. Token endpoint:
 * `${sim.url}/<tenant>/oauth2/v2.0/token` (+ `/devicecode`, `/authorize`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { seededRandom } from '../../helpers/seeded-random';
import { heldAnswers } from '../held-answers';

// -------------------------------------------------------------------------------------------------
// Schema types (exactly the v1.0 JSON shapes)
// -------------------------------------------------------------------------------------------------

export interface PrintJobStatusJson {
  state: string;
  description: string;
  details: string[];
  isAcquiredByPrinter: boolean;
}

export interface PrintDocumentJson {
  id: string;
  displayName: string;
  contentType: string;
  size: number;
  uploadedDateTime: string | null;
  downloadedDateTime: string | null;
}

export interface PrintTaskJson {
  id: string;
  parentUrl: string;
  status: { state: string; description: string };
}

export interface PrintJobJson {
  id: string;
  createdDateTime: string;
  acknowledgedDateTime: string | null;
  createdBy: { id: string; displayName: string; userPrincipalName: string; ipAddress: string | null };
  configuration: Record<string, unknown>;
  status: PrintJobStatusJson;
  errorCode: number | null;
  isFetchable: boolean;
  redirectedFrom: string | null;
  redirectedTo: string | null;
  documents?: PrintDocumentJson[];
  tasks?: PrintTaskJson[];
}

/** printerProcessingState and printerProcessingStateDetail as Graph v1.0 documents them (printerStatus). */
export const PRINTER_PROCESSING_STATES = ['unknown', 'idle', 'processing', 'stopped', 'unknownFutureValue'];
export const PRINTER_STATE_DETAILS = [
  'paused', 'mediaJam', 'mediaNeeded', 'mediaLow', 'mediaEmpty', 'coverOpen', 'interlockOpen', 'outputTrayMissing',
  'outputAreaFull', 'markerSupplyLow', 'markerSupplyEmpty', 'inputTrayMissing', 'outputAreaAlmostFull',
  'markerWasteAlmostFull', 'markerWasteFull', 'fuserOverTemp', 'fuserUnderTemp', 'other', 'none', 'movingToPaused',
  'shutdown', 'connectingToDevice', 'timedOut', 'stopping', 'stoppedPartially', 'tonerLow', 'tonerEmpty',
  'spoolAreaFull', 'doorOpen', 'opticalPhotoConductorNearEndOfLife', 'opticalPhotoConductorLifeOver', 'developerLow',
  'developerEmpty', 'interpreterResourceUnavailable', 'unknownFutureValue',
];

export interface PrinterStatusJson {
  state: string;
  details: string[];
  description: string;
}

export interface SimPrinter {
  id: string;
  displayName: string;
  manufacturer: string;
  model: string;
  isShared: boolean;
  isAcceptingJobs: boolean;
  status: PrinterStatusJson;
  location: { building?: string; floor?: string; roomName?: string } | null;
}

export interface SimShare {
  id: string;
  displayName: string;
  printerId: string;
  isAcceptingJobs: boolean;
  status: PrinterStatusJson;
  location: { building?: string; floor?: string; roomName?: string } | null;
}

/** One step of a scripted lifecycle: the status the job shows after that many ticks. */
export type LifecycleStep = { state: string; details?: string[]; description?: string; errorCode?: number };

export const LIFECYCLES: Record<string, LifecycleStep[]> = {
  completed: [
    { state: 'pending', description: 'The print job is queued.' },
    { state: 'processing', details: ['transforming'], description: 'The print job is being transformed.' },
    { state: 'processing', details: ['interpreting'], description: 'The printer is interpreting the print job.' },
    { state: 'completed', details: ['completedSuccessfully'], description: 'The print job has completed successfully and no further processing will take place.' },
  ],
  completedWithErrors: [
    { state: 'pending' },
    { state: 'processing', details: ['interpreting'] },
    { state: 'completed', details: ['completedWithErrors'], description: 'The print job completed with errors.', errorCode: 3 },
  ],
  aborted: [
    { state: 'pending' },
    { state: 'processing', details: ['transforming'] },
    { state: 'aborted', description: 'The print job was aborted by the printer.', errorCode: 5 },
  ],
  canceled: [{ state: 'pending' }, { state: 'canceled', description: 'The print job was canceled.' }],
  uploadPending: [{ state: 'paused', details: ['uploadPending'], description: 'The print job is waiting for its document.' }],
  releaseWait: [{ state: 'paused', details: ['releaseWait'], description: 'The print job is waiting to be released at the printer.' }],
  future: [{ state: 'unknownFutureValue', details: ['unknownFutureValue'], description: 'A state this API version does not name.' }],
  stopped: [{ state: 'stopped', description: 'The printer stopped the job.' }],
  processingForever: [{ state: 'processing', details: ['transforming'], description: 'The print job is being transformed.' }],
};

const FINAL_JOB_STATES = new Set(['completed', 'canceled', 'aborted']);

interface SimTask {
  id: string;
  state: string;
  description: string;
  /** The application whose trigger created the task (abort/redirect precondition). */
  createdByAppId: string;
}

interface SimUpload {
  key: string;
  printerId: string;
  jobId: string;
  documentId: string;
  size: number;
  received: number;
  bytes: Buffer[];
  expiresAt: number;
}

interface SimJob {
  printerId: string;
  /** The share the job was created on, when it was. */
  shareId: string | null;
  id: string;
  createdAt: number;
  acknowledgedAt: number | null;
  createdBy: { id: string; displayName: string; userPrincipalName: string; ipAddress: string | null };
  displayName: string;
  configuration: Record<string, unknown>;
  script: LifecycleStep[];
  step: number;
  /** Status set directly (overrides the script until the next scripted change). */
  status: PrintJobStatusJson;
  errorCode: number | null;
  isFetchable: boolean;
  redirectedFrom: string | null;
  redirectedTo: string | null;
  documents: PrintDocumentJson[];
  tasks: SimTask[];
}

// -------------------------------------------------------------------------------------------------
// Tokens
// -------------------------------------------------------------------------------------------------

export type SimToken =
  | {
      kind: 'delegated';
      upn: string;
      displayName?: string;
      userId?: string;
      /** Delegated scopes; undefined: every scope. [] (scope-less): 403 everywhere. */
      scopes?: string[];
      /** Directory roles, e.g. 'Printer Administrator'. */
      roles?: string[];
      /** ms epoch; past: 401 */
      expiresAt?: number;
    }
  | {
      kind: 'application';
      appId: string;
      /** Application permissions; undefined: every permission. */
      scopes?: string[];
      expiresAt?: number;
    };

export interface SimUser {
  upn: string;
  displayName?: string;
  roles?: string[];
}

export interface SimApp {
  clientId: string;
  /** Confidential clients: the client secret. Public clients: omitted. */
  secret?: string;
  /** Application permissions granted (client credentials). */
  appRoles?: string[];
}

// -------------------------------------------------------------------------------------------------
// Faults and the request log
// -------------------------------------------------------------------------------------------------

export type SimFault =
  | { kind: 'refuse' }
  | { kind: 'status'; status: number; retryAfter?: string; code?: string; message?: string }
  | { kind: 'malformed' }
  | { kind: 'slow'; delayMs: number }
  /** The answer's headers at once, then one byte every intervalMs (real time). */
  | { kind: 'drip'; intervalMs: number }
  /** A 200 answer of this many bytes (a JSON string). */
  | { kind: 'huge'; bytes: number }
  /** Valid JSON of the wrong shape: every successful body (and each $batch item's) becomes { value: 42 }. */
  | { kind: 'wrong-shape' };

interface FaultRule {
  match: (method: string, path: string) => boolean;
  fault: SimFault;
  times: number;
}

export interface ItemFault {
  status: 429 | 404 | 401 | 500 | 503;
  /** Seconds or an HTTP date; a 429 carries "1" when left out, none at all with null (Graph may omit it). */
  retryAfter?: string | null;
}

interface ItemFaultRule {
  match: (method: string, path: string) => boolean;
  fault: ItemFault;
  times: number;
}

export interface LoggedRequest {
  method: string;
  /** path without query, e.g. /v1.0/$batch or /print/printers/p1/jobs (batch items) */
  path: string;
  query: string;
  status: number;
  /** true for an item of a $batch (not a separate HTTP request) */
  viaBatch: boolean;
  hadAuthorization: boolean;
}

export interface GraphSimulatorOptions {
  /** Items per page of every collection. Default 10. */
  pageSize?: number;
  /** Tokens accepted as they are (static tokens). */
  tokens?: Record<string, SimToken>;
  /** Users who can sign in through the token endpoint. */
  users?: SimUser[];
  /** Registered applications for the token endpoint. */
  apps?: SimApp[];
  /** Device codes are approved at once as this user (tests); otherwise approveDeviceCode(). */
  autoApproveDeviceCodeAs?: string;
  /** Lifetime of minted access tokens, seconds. Default 3600. */
  tokenLifetimeSec?: number;
  /** Clock of job timestamps and token expiry. Default Date.now. */
  now?: () => number;
  /** Seed of the shuffling of $batch answers. */
  seed?: number;
  /** Advance every job one lifecycle step on a real timer (browser preview). Off by default. */
  autoAdvanceMs?: number;
}

export interface AddJobInput {
  id?: string;
  /** The printer the job is on. */
  printerId: string;
  shareId?: string;
  upn: string;
  userDisplayName?: string;
  displayName?: string;
  /** A lifecycle name from LIFECYCLES or explicit steps. Default 'completed'. */
  lifecycle?: keyof typeof LIFECYCLES | LifecycleStep[];
  documents?: { displayName: string; contentType: string; size: number }[];
  createdAt?: number;
  redirectedFrom?: string | null;
}

export interface GraphSimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `${url}/v1.0` */
  baseUrl: string;
  close(): Promise<void>;
  addPrinter(p: Partial<SimPrinter> & { id: string; displayName: string }): SimPrinter;
  addShare(s: Partial<SimShare> & { id: string; displayName: string; printerId: string }): SimShare;
  setPrinterStatus(id: string, status: Partial<PrinterStatusJson>, isAcceptingJobs?: boolean): void;
  addJob(input: AddJobInput): PrintJobJson;
  /** The job as GET .../jobs/{id}?$expand=documents,tasks would show it, or null when unknown. */
  getJob(printerId: string, jobId: string): PrintJobJson | null;
  /** Sets a job's status directly (stays until the next tick changes the scripted step). */
  setJobStatus(printerId: string, jobId: string, status: { state: string; details?: string[]; description?: string }, errorCode?: number | null): void;
  /** Adds a print task to a job, as if created by `appId`'s task trigger. */
  addTask(printerId: string, jobId: string, task: { appId: string; state?: string; description?: string }): string;
  /** Forgets a job: 404 from now on. */
  purgeJob(printerId: string, jobId: string): void;
  /** Advances every job one step along its lifecycle. */
  tick(steps?: number): void;
  /** Bytes uploaded for a document (after its upload completed), or null. */
  uploadedBytes(printerId: string, jobId: string, documentId: string): Buffer | null;
  /** Current upload sessions (by uploadUrl). */
  uploadSessions(): { uploadUrl: string; printerId: string; jobId: string; documentId: string; received: number; size: number }[];
  addToken(token: string, info: SimToken): void;
  expireToken(token: string): void;
  /** Approves a pending device code (by user code) as `upn`. */
  approveDeviceCode(userCode: string, upn: string): void;
  /** Every `times` next requests matching: the fault. `match`: substring or RegExp of the path. */
  injectFault(match: string | RegExp | null, fault: SimFault, times?: number): void;
  /** Faults of $batch items (the outer request still answers 200). */
  injectItemFault(match: string | RegExp | null, fault: ItemFault, times?: number): void;
  /** The next `times` @odata.nextLink values use this origin instead of the simulator's. */
  foreignNextLink(origin: string, times?: number): void;
  clearFaults(): void;
  /** Stops listening (connection refused) until goOnline(); open connections are closed. */
  goOffline(): Promise<void>;
  /** Listens again on the same port. */
  goOnline(): Promise<void>;
  log: LoggedRequest[];
  /** Answers held back now by a 'slow' or 'drip' fault (see held-answers.ts). */
  readonly heldAnswers: number;
  resetLog(): void;
  /** Counts of logged requests per `METHOD path` (HTTP requests and batch items). */
  counts(opts?: { viaBatch?: boolean }): Record<string, number>;
  /** Number of real HTTP requests (not batch items) whose path matches. */
  httpRequests(match?: string | RegExp): number;
  /** Minted tokens (token endpoint) by access token value. */
  mintedTokens(): Map<string, SimToken>;
}

// -------------------------------------------------------------------------------------------------
// Helpers
// -------------------------------------------------------------------------------------------------

type Answer = { status: number; headers?: Record<string, string>; body?: unknown; raw?: string };

function err(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return {
    status,
    headers,
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } },
  };
}

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/** An unsigned JWT-shaped token (the simulator knows every token it minted). */
export function makeJwt(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ typ: 'JWT', alg: 'none' }))}.${b64url(JSON.stringify(payload))}.${b64url('sim-signature')}`;
}

function matcher(m: string | RegExp | null): (method: string, path: string) => boolean {
  if (m === null) return () => true;
  if (typeof m === 'string') return (method, path) => `${method} ${path}`.includes(m);
  return (method, path) => m.test(`${method} ${path}`);
}


const READ_JOB_SCOPES = [
  'PrintJob.ReadBasic', 'PrintJob.Read', 'PrintJob.ReadBasic.All', 'PrintJob.Read.All',
  'PrintJob.ReadWriteBasic', 'PrintJob.ReadWrite', 'PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All', 'PrintJob.Manage.All',
];
const CANCEL_SCOPES = ['PrintJob.ReadWriteBasic', 'PrintJob.ReadWrite', 'PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All'];
const CREATE_SCOPES = ['PrintJob.Create', 'PrintJob.ReadWriteBasic', 'PrintJob.ReadWrite', 'PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All'];
const UPLOAD_SCOPES = ['PrintJob.ReadWrite', 'PrintJob.ReadWrite.All'];
const ABORT_SCOPES = ['PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All', 'PrintJob.Manage.All'];
const USER_SCOPES = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'];
const PRINTER_SCOPES = ['Printer.Read.All', 'Printer.ReadWrite.All', 'Printer.FullControl.All'];
const SHARE_SCOPES = ['PrinterShare.ReadBasic.All', 'PrinterShare.Read.All', 'PrinterShare.ReadWrite.All'];
const ADMIN_ROLES = ['Printer Administrator', 'Global Administrator'];
const MAX_UPLOAD_CHUNK = 10 * 1024 * 1024;

// -------------------------------------------------------------------------------------------------
// The simulator
// -------------------------------------------------------------------------------------------------

export async function startGraphSimulator(opts: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const pageSize = opts.pageSize ?? 10;
  const now = opts.now ?? Date.now;
  const random = seededRandom(opts.seed ?? 7); // shuffles $batch answers
  const tokens = new Map<string, SimToken>(Object.entries(opts.tokens ?? {}));
  const minted = new Map<string, SimToken>();
  const users = new Map((opts.users ?? []).map((u) => [u.upn.toLowerCase(), u]));
  const apps = new Map((opts.apps ?? []).map((a) => [a.clientId, a]));
  const printers = new Map<string, SimPrinter>();
  const shares = new Map<string, SimShare>();
  const jobs = new Map<string, Map<string, SimJob>>(); // printerId -> jobId -> job
  const uploads = new Map<string, SimUpload>(); // upload key -> session
  const refreshTokens = new Map<string, { upn: string; clientId: string; scopes: string[] }>();
  const deviceCodes = new Map<string, { userCode: string; clientId: string; scopes: string[]; approvedAs: string | null; expiresAt: number }>();
  const authCodes = new Map<string, { upn: string; clientId: string; scopes: string[]; nonce: string | null; redirectUri: string }>();
  let faults: FaultRule[] = [];
  let itemFaults: ItemFaultRule[] = [];
  let foreign: { origin: string; times: number } | null = null;
  let nextJobNumber = 5000;
  const log: LoggedRequest[] = [];
  const held = heldAnswers();
  const sockets = new Set<Socket>();
  let origin = '';

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  function jobsOf(printerId: string): Map<string, SimJob> {
    let m = jobs.get(printerId);
    if (!m) {
      m = new Map();
      jobs.set(printerId, m);
    }
    return m;
  }

  function applyStep(job: SimJob): void {
    const step = job.script[Math.min(job.step, job.script.length - 1)];
    job.status = {
      state: step.state,
      description: step.description ?? '',
      details: step.details ?? [],
      isAcquiredByPrinter: step.state !== 'pending' && step.state !== 'paused',
    };
    if (step.errorCode !== undefined) job.errorCode = step.errorCode;
    if (job.status.isAcquiredByPrinter && job.acknowledgedAt === null) job.acknowledgedAt = now();
  }

  function jobJson(job: SimJob, expand: Set<string>): PrintJobJson {
    const out: PrintJobJson = {
      id: job.id,
      createdDateTime: iso(job.createdAt)!,
      acknowledgedDateTime: iso(job.acknowledgedAt),
      createdBy: { ...job.createdBy },
      configuration: { ...job.configuration },
      status: { ...job.status, details: [...job.status.details] },
      errorCode: job.errorCode,
      isFetchable: job.isFetchable,
      redirectedFrom: job.redirectedFrom,
      redirectedTo: job.redirectedTo,
    };
    if (expand.has('documents')) out.documents = job.documents.map((d) => ({ ...d }));
    if (expand.has('tasks')) {
      out.tasks = job.tasks.map((t) => ({
        id: t.id,
        parentUrl: `https://graph.microsoft.com/v1.0/print/printers/${job.printerId}/jobs/${job.id}`,
        status: { state: t.state, description: t.description },
      }));
    }
    return out;
  }

  function printerJson(p: SimPrinter) {
    return {
      id: p.id,
      displayName: p.displayName,
      manufacturer: p.manufacturer,
      model: p.model,
      isShared: p.isShared,
      isAcceptingJobs: p.isAcceptingJobs,
      registeredDateTime: '2024-01-01T00:00:00Z',
      status: { ...p.status, details: [...p.status.details] },
      location: p.location,
    };
  }

  function shareJson(s: SimShare) {
    return {
      id: s.id,
      displayName: s.displayName,
      createdDateTime: '2024-01-01T00:00:00Z',
      isAcceptingJobs: s.isAcceptingJobs,
      status: { ...s.status, details: [...s.status.details] },
      location: s.location,
    };
  }

  // ---------------------------------------------------------------- auth

  type Caller = { token: SimToken } | { error: Answer };

  function authenticate(authorization: string | undefined): Caller {
    if (!authorization || !/^Bearer\s+\S+/i.test(authorization)) {
      return { error: err(401, 'InvalidAuthenticationToken', 'Access token is empty.') };
    }
    const value = authorization.replace(/^Bearer\s+/i, '').trim();
    const token = tokens.get(value) ?? minted.get(value);
    if (!token) return { error: err(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).') };
    if (token.expiresAt !== undefined && token.expiresAt <= now()) {
      return { error: err(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.') };
    }
    return { token };
  }

  function requireScope(token: SimToken, accepted: string[]): Answer | null {
    if (token.scopes === undefined) return null;
    if (token.scopes.some((s) => accepted.includes(s))) return null;
    return err(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }

  const isAdmin = (t: SimToken) => t.kind === 'application' || (t.roles ?? []).some((r) => ADMIN_ROLES.includes(r));
  const upnOf = (t: SimToken) => (t.kind === 'delegated' ? t.upn.toLowerCase() : null);

  function userOf(t: SimToken): SimJob['createdBy'] {
    if (t.kind === 'delegated') {
      return { id: t.userId ?? `user-${t.upn.toLowerCase()}`, displayName: t.displayName ?? t.upn.split('@')[0], userPrincipalName: t.upn, ipAddress: '127.0.0.1' };
    }
    return { id: t.appId, displayName: `App ${t.appId}`, userPrincipalName: '', ipAddress: null };
  }

  // ---------------------------------------------------------------- paging

  function page<T>(all: T[], skip: number, nextPath: string, extraQuery: string): { value: T[]; '@odata.nextLink'?: string } {
    const value = all.slice(skip, skip + pageSize);
    const out: { value: T[]; '@odata.nextLink'?: string; '@odata.context'?: string } = { value };
    if (skip + pageSize < all.length) {
      let base = origin;
      if (foreign && foreign.times > 0) {
        base = foreign.origin;
        foreign.times -= 1;
        if (foreign.times === 0) foreign = null;
      }
      const q = [extraQuery, `$skiptoken=${skip + pageSize}`].filter(Boolean).join('&');
      out['@odata.nextLink'] = `${base}/v1.0${nextPath}?${q}`;
    }
    return out;
  }

  function parseQuery(query: URLSearchParams, allowed: string[]): Answer | { params: Record<string, string> } {
    const params: Record<string, string> = {};
    for (const [k, v] of query) {
      if (!allowed.includes(k)) {
        return err(400, 'BadRequest', `Query option '${k}' is not allowed. Allowed query options: ${allowed.join(', ') || 'none'}.`);
      }
      params[k] = v;
    }
    if (params.$skiptoken !== undefined && !/^\d+$/.test(params.$skiptoken)) return err(400, 'BadRequest', 'The $skiptoken is not valid.');
    return { params };
  }

  function parseExpand(value: string | undefined): Set<string> | Answer {
    const out = new Set<string>();
    if (value === undefined) return out;
    for (const part of value.split(',').map((s) => s.trim())) {
      if (part !== 'tasks' && part !== 'documents') return err(400, 'BadRequest', `Could not find a property named '${part}' on type 'microsoft.graph.printJob'.`);
      out.add(part);
    }
    return out;
  }

  // ---------------------------------------------------------------- the Graph router

  function resolveOwner(kind: string, ownerId: string): { printerId: string; shareId: string | null } | Answer {
    if (kind === 'printers') {
      if (!printers.has(ownerId)) return err(404, 'ResourceNotFound', `The printer '${ownerId}' was not found.`);
      return { printerId: ownerId, shareId: null };
    }
    const share = shares.get(ownerId);
    if (!share) return err(404, 'ResourceNotFound', `The printer share '${ownerId}' was not found.`);
    return { printerId: share.printerId, shareId: ownerId };
  }

  function findJob(kind: string, ownerId: string, jobId: string): { job: SimJob } | Answer {
    const owner = resolveOwner(kind, ownerId);
    if ('status' in owner) return owner;
    const job = jobs.get(owner.printerId)?.get(jobId);
    if (!job) return err(404, 'ResourceNotFound', `The print job '${jobId}' was not found.`);
    return { job };
  }

  function canSee(token: SimToken, job: SimJob): boolean {
    return isAdmin(token) || upnOf(token) === job.createdBy.userPrincipalName.toLowerCase();
  }

  function route(method: string, path: string, query: URLSearchParams, body: unknown, token: SimToken): Answer {
    let m: RegExpMatchArray | null;

    if (method === 'GET' && (path === '/print/printers' || path === '/print/shares')) {
      const q = parseQuery(query, ['$skiptoken']);
      if ('status' in q) return q;
      const isPrinters = path === '/print/printers';
      const denied = requireScope(token, isPrinters ? PRINTER_SCOPES : SHARE_SCOPES);
      if (denied) return denied;
      if (isPrinters && !isAdmin(token)) return err(403, 'Authorization_RequestDenied', 'The signed-in user needs the Printer Administrator role to list printers.');
      const list: unknown[] = isPrinters ? [...printers.values()].map(printerJson) : [...shares.values()].map(shareJson);
      return { status: 200, body: { '@odata.context': `${origin}/v1.0/$metadata#print/${isPrinters ? 'printers' : 'shares'}`, ...page(list, Number(query.get('$skiptoken') ?? 0), path, '') } };
    }

    if (path === '/me') {
      if (method !== 'GET') return err(405, 'MethodNotAllowed', `${method} is not supported on /me.`);
      const q = parseQuery(query, ['$select']);
      if ('status' in q) return q;
      // As Graph answers an app-only token: there is no signed-in user.
      if (token.kind !== 'delegated') return err(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      const denied = requireScope(token, USER_SCOPES);
      if (denied) return denied;
      const user = {
        id: token.userId ?? `user-${token.upn.toLowerCase()}`,
        displayName: token.displayName ?? token.upn.split('@')[0],
        userPrincipalName: token.upn,
        mail: token.upn,
      };
      const select = q.params.$select === undefined ? Object.keys(user) : q.params.$select.split(',').map((x) => x.trim());
      const out: Record<string, unknown> = {};
      for (const k of select) {
        if (!(k in user)) return err(400, 'BadRequest', `Could not find a property named '${k}' on type 'microsoft.graph.user'.`);
        out[k] = user[k as keyof typeof user];
      }
      return { status: 200, body: { '@odata.context': `${origin}/v1.0/$metadata#users(${select.join(',')})/$entity`, ...out } };
    }

    if (method === 'GET' && (m = path.match(/^\/print\/(printers|shares)\/([^/]+)$/))) {
      // A share's printer (navigation property) is expanded for those who may read printers.
      const q = parseQuery(query, m[1] === 'shares' ? ['$expand'] : []);
      if ('status' in q) return q;
      if (q.params.$expand !== undefined && q.params.$expand !== 'printer') return err(400, 'BadRequest', `Could not find a property named '${q.params.$expand}' on type 'microsoft.graph.printerShare'.`);
      const denied = requireScope(token, m[1] === 'printers' || q.params.$expand ? PRINTER_SCOPES : SHARE_SCOPES);
      if (denied) return denied;
      if (q.params.$expand && !isAdmin(token)) return err(403, 'Authorization_RequestDenied', "Reading a share's printer requires the Printer Administrator role.");
      const id = decodeURIComponent(m[2]);
      const p = m[1] === 'printers' ? printers.get(id) : shares.get(id);
      if (!p) return err(404, 'ResourceNotFound', `The ${m[1] === 'printers' ? 'printer' : 'printer share'} '${id}' was not found.`);
      if (m[1] === 'printers') return { status: 200, body: printerJson(p as SimPrinter) };
      const share = p as SimShare;
      const printer = printers.get(share.printerId);
      return { status: 200, body: q.params.$expand && printer ? { ...shareJson(share), printer: printerJson(printer) } : shareJson(share) };
    }

    if ((m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs$/))) {
      const kind = m[1];
      const ownerId = decodeURIComponent(m[2]);
      if (method === 'GET') {
        const q = parseQuery(query, ['$filter', '$skiptoken', '$expand']);
        if ('status' in q) return q;
        // Lists document only $expand=documents (documents are omitted unless asked for).
        const listExpand = parseExpand(q.params.$expand);
        if ('status' in listExpand) return listExpand as Answer;
        if ((listExpand as Set<string>).has('tasks')) return err(400, 'BadRequest', "Expanding 'tasks' is not supported on a list of print jobs; read one job with $expand=tasks.");
        const denied = requireScope(token, READ_JOB_SCOPES);
        if (denied) return denied;
        const owner = resolveOwner(kind, ownerId);
        if ('status' in owner) return owner;
        let filterUpn: string | null = null;
        if (q.params.$filter !== undefined) {
          const f = q.params.$filter.match(/^createdBy\/userPrincipalName eq '((?:[^']|'')+)'$/);
          if (!f) return err(400, 'BadRequest', `Invalid filter clause: only createdBy/userPrincipalName eq '<upn>' is supported on print jobs.`);
          filterUpn = f[1].replace(/''/g, "'").toLowerCase();
        }
        if (!isAdmin(token) && filterUpn !== upnOf(token)) {
          return err(403, 'Authorization_RequestDenied', "Listing other users' print jobs requires the Printer Administrator role.");
        }
        const list = [...jobsOf(owner.printerId).values()]
          .filter((j) => filterUpn === null || j.createdBy.userPrincipalName.toLowerCase() === filterUpn)
          .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
          .map((j) => jobJson(j, listExpand as Set<string>));
        const extra = [
          q.params.$filter !== undefined ? `$filter=${encodeURIComponent(q.params.$filter)}` : '',
          q.params.$expand !== undefined ? `$expand=${encodeURIComponent(q.params.$expand)}` : '',
        ]
          .filter(Boolean)
          .join('&');
        return { status: 200, body: { '@odata.context': `${origin}/v1.0/$metadata#print/${kind}('${ownerId}')/jobs`, ...page(list, Number(q.params.$skiptoken ?? 0), path, extra) } };
      }
      if (method === 'POST') {
        if (kind !== 'shares') return err(405, 'MethodNotAllowed', 'Print jobs are created on a printer share.');
        const q = parseQuery(query, []);
        if ('status' in q) return q;
        const denied = requireScope(token, CREATE_SCOPES);
        if (denied) return denied;
        if (token.kind !== 'delegated') return err(403, 'Authorization_RequestDenied', 'Creating a print job requires delegated permissions.');
        const share = shares.get(ownerId);
        if (!share) return err(404, 'ResourceNotFound', `The printer share '${ownerId}' was not found.`);
        if (!share.isAcceptingJobs) return err(400, 'BadRequest', `The printer share '${share.displayName}' is not accepting jobs.`);
        const b = body as { displayName?: unknown; configuration?: unknown } | null;
        if (!b || typeof b !== 'object' || (b.configuration !== undefined && (typeof b.configuration !== 'object' || b.configuration === null))) {
          return err(400, 'BadRequest', 'The request body must be a printJob with a configuration object.');
        }
        const job = createJob({
          printerId: share.printerId,
          shareId: share.id,
          upn: token.upn,
          userDisplayName: token.displayName,
          displayName: typeof b.displayName === 'string' ? b.displayName : '',
          lifecycle: 'uploadPending',
          documents: [{ displayName: typeof b.displayName === 'string' ? b.displayName : '', contentType: '', size: 0 }],
        });
        job.createdBy = userOf(token);
        job.configuration = (b.configuration as Record<string, unknown>) ?? {};
        return { status: 201, body: jobJson(job, new Set(['documents'])) };
      }
      return err(405, 'MethodNotAllowed', `${method} is not supported on print jobs.`);
    }

    if ((m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)$/))) {
      if (method !== 'GET') return err(405, 'MethodNotAllowed', `${method} is not supported on a print job.`);
      const q = parseQuery(query, ['$expand']);
      if ('status' in q) return q;
      const denied = requireScope(token, READ_JOB_SCOPES);
      if (denied) return denied;
      const expand = parseExpand(q.params.$expand);
      if ('status' in expand) return expand as Answer;
      const found = findJob(m[1], decodeURIComponent(m[2]), decodeURIComponent(m[3]));
      if ('status' in found) return found;
      if (!canSee(token, found.job)) return err(403, 'Authorization_RequestDenied', "Reading other users' print jobs requires the Printer Administrator role.");
      return { status: 200, body: { '@odata.context': `${origin}/v1.0/$metadata#print/${m[1]}('${m[2]}')/jobs/$entity`, ...jobJson(found.job, expand as Set<string>) } };
    }

    if (method === 'POST' && (m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)\/(cancel|abort|redirect|start)$/))) {
      const [, kind, rawOwner, rawJob, action] = m;
      const q = parseQuery(query, []);
      if ('status' in q) return q;
      const found = findJob(kind, decodeURIComponent(rawOwner), decodeURIComponent(rawJob));
      if (action === 'cancel') {
        if (token.kind !== 'delegated') return err(403, 'Authorization_RequestDenied', 'Cancel is supported only with delegated permissions.');
        const denied = requireScope(token, CANCEL_SCOPES);
        if (denied) return denied;
        if ('status' in found) return found;
        const job = found.job;
        if (!canSee(token, job)) return err(403, 'Authorization_RequestDenied', "Canceling other users' print jobs requires the Printer Administrator role.");
        if (FINAL_JOB_STATES.has(job.status.state)) return err(400, 'BadRequest', `The print job '${job.id}' is already ${job.status.state} and can no longer be canceled.`);
        job.status = { state: 'canceled', description: 'The print job was canceled by the user.', details: [], isAcquiredByPrinter: job.status.isAcquiredByPrinter };
        job.script = [{ state: 'canceled', description: 'The print job was canceled by the user.' }];
        job.step = 0;
        return { status: 204 };
      }
      if (action === 'abort' || action === 'redirect') {
        if (kind !== 'printers') return err(400, 'BadRequest', `${action} is available on /print/printers/{id}/jobs/{id} only.`);
        if (token.kind !== 'application') return err(403, 'Authorization_RequestDenied', `The ${action} action is supported only with application permissions.`);
        const denied = requireScope(token, ABORT_SCOPES);
        if (denied) return denied;
        if ('status' in found) return found;
        const job = found.job;
        const task = job.tasks.find((t) => t.state === 'processing' && t.createdByAppId === token.appId);
        if (!task) {
          return err(400, 'BadRequest', `The print job '${job.id}' has no processing print task created by a task trigger of this application.`);
        }
        if (action === 'abort') {
          const reason = (body as { reason?: unknown } | null)?.reason;
          if (reason !== undefined && typeof reason !== 'string') return err(400, 'BadRequest', 'reason must be a string.');
          task.state = 'aborted';
          task.description = 'The task was aborted.';
          job.status = { state: 'aborted', description: typeof reason === 'string' && reason ? reason : 'The print job was aborted.', details: [], isAcquiredByPrinter: job.status.isAcquiredByPrinter };
          job.script = [{ state: 'aborted', description: job.status.description }];
          job.step = 0;
          return { status: 204 };
        }
        const dest = (body as { destinationPrinterId?: unknown } | null)?.destinationPrinterId;
        if (typeof dest !== 'string' || !printers.has(dest)) return err(400, 'BadRequest', 'destinationPrinterId must name a registered printer.');
        const moved = createJob({ printerId: dest, upn: job.createdBy.userPrincipalName, displayName: job.displayName, lifecycle: 'completed', redirectedFrom: `https://graph.microsoft.com/v1.0/print/printers/${job.printerId}/jobs/${job.id}` });
        moved.createdBy = { ...job.createdBy };
        moved.documents = job.documents.map((d) => ({ ...d }));
        task.state = 'completed';
        job.redirectedTo = `https://graph.microsoft.com/v1.0/print/printers/${dest}/jobs/${moved.id}`;
        job.status = { state: 'completed', description: 'The print job was redirected to another printer.', details: ['completedSuccessfully'], isAcquiredByPrinter: true };
        job.script = [{ state: 'completed', details: ['completedSuccessfully'], description: job.status.description }];
        job.step = 0;
        return { status: 200, body: jobJson(moved, new Set()) };
      }
      // start
      if (kind !== 'shares') return err(400, 'BadRequest', 'start is available on /print/shares/{id}/jobs/{id} only.');
      if (token.kind !== 'delegated') return err(403, 'Authorization_RequestDenied', 'Starting a print job requires delegated permissions.');
      const denied = requireScope(token, CREATE_SCOPES);
      if (denied) return denied;
      if ('status' in found) return found;
      const job = found.job;
      if (!canSee(token, job)) return err(403, 'Authorization_RequestDenied', 'Only the creator of a print job can start it.');
      if (job.status.state !== 'paused' || !job.status.details.includes('uploadPending')) {
        return err(400, 'BadRequest', `The print job '${job.id}' has already been started or is ${job.status.state}.`);
      }
      const missing = job.documents.find((d) => d.uploadedDateTime === null);
      if (missing) return err(400, 'BadRequest', `The document '${missing.id}' of print job '${job.id}' has not been uploaded.`);
      job.script = LIFECYCLES.completed;
      job.step = 0;
      applyStep(job);
      return { status: 200, body: { ...job.status } };
    }

    if ((m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)\/documents\/([^/]+)\/createUploadSession$/))) {
      const [, kind, rawOwner, rawJob, rawDoc] = m;
      const q = parseQuery(query, []);
      if ('status' in q) return q;
      if (method !== 'POST') return err(405, 'MethodNotAllowed', 'createUploadSession is a POST action.');
      const denied = requireScope(token, UPLOAD_SCOPES);
      if (denied) return denied;
      const found = findJob(kind, decodeURIComponent(rawOwner), decodeURIComponent(rawJob));
      if ('status' in found) return found;
      const job = found.job;
      if (!canSee(token, job)) return err(403, 'Authorization_RequestDenied', 'Only the user who created the print job can upload its documents.');
      const doc = job.documents.find((d) => d.id === decodeURIComponent(rawDoc));
      if (!doc) return err(404, 'ResourceNotFound', `The document '${decodeURIComponent(rawDoc)}' was not found.`);
      const props = (body as { properties?: { documentName?: unknown; contentType?: unknown; size?: unknown } } | null)?.properties;
      if (!props || typeof props.documentName !== 'string' || typeof props.contentType !== 'string' || typeof props.size !== 'number' || !Number.isInteger(props.size) || props.size <= 0) {
        return err(400, 'BadRequest', 'properties must name documentName, contentType and a positive integer size.');
      }
      if (job.status.state !== 'paused' || !job.status.details.includes('uploadPending')) return err(400, 'BadRequest', `The print job '${job.id}' is not waiting for a document.`);
      const key = randomUUID();
      const expiresAt = now() + 15 * 60_000;
      uploads.set(key, { key, printerId: job.printerId, jobId: job.id, documentId: doc.id, size: props.size, received: 0, bytes: [], expiresAt });
      doc.displayName = props.documentName;
      doc.contentType = props.contentType;
      doc.size = props.size;
      return { status: 200, body: { uploadUrl: `${origin}/upload/${key}?sig=${randomUUID()}`, expirationDateTime: iso(expiresAt), nextExpectedRanges: ['0-'] } };
    }

    return err(400, 'BadRequest', `Resource not found for the segment '${path.split('/').filter(Boolean).pop() ?? ''}'.`);
  }

  /**
   * The beta endpoint serves only what the app uses of it: seed 001's
   * `DELETE /print/printers/{id}/jobs/{id}/documents/{id}/uploadSession` (printers only, 204).
   */
  function betaRoute(method: string, path: string, query: URLSearchParams, token: SimToken): Answer {
    const m = path.match(/^\/print\/(printers|shares)\/([^/]+)\/jobs\/([^/]+)\/documents\/([^/]+)\/uploadSession$/);
    if (!m || m[1] !== 'printers') return err(400, 'BadRequest', `Resource not found for the segment '${m ? m[1] : (path.split('/').filter(Boolean).pop() ?? '')}'.`);
    if (method !== 'DELETE') return err(405, 'MethodNotAllowed', 'The upload session can only be deleted.');
    const q = parseQuery(query, []);
    if ('status' in q) return q;
    const denied = requireScope(token, UPLOAD_SCOPES);
    if (denied) return denied;
    const found = findJob('printers', decodeURIComponent(m[2]), decodeURIComponent(m[3]));
    if ('status' in found) return found;
    const job = found.job;
    if (upnOf(token) !== job.createdBy.userPrincipalName.toLowerCase()) {
      return err(403, 'Authorization_RequestDenied', 'Only the user or application that created the upload session can delete it.');
    }
    const doc = job.documents.find((d) => d.id === decodeURIComponent(m[4]));
    if (!doc) return err(404, 'ResourceNotFound', `The document '${decodeURIComponent(m[4])}' was not found.`);
    const s = [...uploads.values()].find((u) => u.printerId === job.printerId && u.jobId === job.id && u.documentId === doc.id);
    if (!s) return err(404, 'ResourceNotFound', 'There is no upload session for this document.');
    uploads.delete(s.key);
    return { status: 204 };
  }

  // ---------------------------------------------------------------- $batch

  function itemFaultFor(method: string, path: string): ItemFault | null {
    for (const r of itemFaults) {
      if (r.times > 0 && r.match(method, path)) {
        r.times -= 1;
        itemFaults = itemFaults.filter((x) => x.times > 0);
        return r.fault;
      }
    }
    return null;
  }

  function batch(body: unknown, authorization: string | undefined): Answer {
    const reqs = (body as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(reqs) || reqs.length === 0) return err(400, 'BadRequest', 'Invalid batch payload format: requests must be a non-empty array.');
    if (reqs.length > 20) return err(400, 'BadRequest', 'Number of batch request steps exceeds the maximum of 20.');
    const ids = new Set<string>();
    for (const r of reqs) {
      const id = (r as { id?: unknown })?.id;
      if (typeof id !== 'string' || id === '') return err(400, 'BadRequest', 'Every batch request needs a string id.');
      if (ids.has(id)) return err(400, 'BadRequest', `Batch request id '${id}' is not unique.`);
      ids.add(id);
    }
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    for (const r of reqs as { id: string; method?: unknown; url?: unknown; body?: unknown; headers?: unknown }[]) {
      const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
      const url = typeof r.url === 'string' ? r.url : '';
      let answer: Answer;
      let itemPath = url;
      let itemQuery = '';
      if (!method || !url) answer = err(400, 'BadRequest', 'A batch request needs method and url.');
      else if (/^[a-z]+:\/\//i.test(url)) answer = err(400, 'BadRequest', 'Batch request urls must be relative to the version root, not absolute.');
      else if (/^\/?(v1\.0|beta)(\/|$)/i.test(url)) answer = err(400, 'BadRequest', 'Batch request urls must not repeat the version segment.');
      else {
        const u = new URL(url.startsWith('/') ? url : `/${url}`, 'http://batch.invalid');
        itemPath = u.pathname;
        itemQuery = u.search.slice(1);
        const fault = itemFaultFor(method, itemPath);
        if (fault) {
          answer =
            fault.status === 429
              ? err(429, 'TooManyRequests', 'Too many requests. Please retry after the time in the Retry-After header.', fault.retryAfter === null ? undefined : { 'Retry-After': fault.retryAfter ?? '1' })
              : fault.status === 401
                ? err(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.')
                : fault.status === 404
                  ? err(404, 'ResourceNotFound', 'The resource was not found.')
                  : err(fault.status, 'ServiceUnavailable', 'The service is temporarily unavailable.', fault.retryAfter ? { 'Retry-After': fault.retryAfter } : undefined);
        } else {
          const caller = authenticate(authorization);
          answer = 'error' in caller ? caller.error : route(method, itemPath, u.searchParams, r.body ?? null, caller.token);
        }
      }
      log.push({ method, path: itemPath, query: itemQuery, status: answer.status, viaBatch: true, hadAuthorization: !!authorization });
      const headers: Record<string, string> = { ...(answer.headers ?? {}) };
      if (answer.body !== undefined) headers['Content-Type'] = 'application/json; odata.metadata=minimal';
      const item: { id: string; status: number; headers: Record<string, string>; body?: unknown } = { id: r.id, status: answer.status, headers };
      if (answer.body !== undefined) item.body = answer.body;
      responses.push(item);
    }
    for (let i = responses.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [responses[i], responses[j]] = [responses[j], responses[i]];
    }
    return { status: 200, body: { responses } };
  }

  // ---------------------------------------------------------------- upload URLs (no Authorization)

  function upload(method: string, key: string, headers: IncomingMessage['headers'], bytes: Buffer): Answer {
    if (headers.authorization) {
      return err(401, 'InvalidAuthenticationToken', 'The upload URL carries its own authorization: do not send an Authorization header.');
    }
    const s = uploads.get(key);
    if (!s) return err(404, 'itemNotFound', 'The upload session was not found or has been deleted.');
    if (s.expiresAt <= now()) {
      uploads.delete(key);
      return err(404, 'itemNotFound', 'The upload session has expired.');
    }
    if (method === 'DELETE') {
      uploads.delete(key);
      return { status: 204 };
    }
    if (method !== 'PUT') return err(405, 'MethodNotAllowed', 'Upload URLs accept PUT and DELETE.');
    const range = String(headers['content-range'] ?? '').match(/^bytes (\d+)-(\d+)\/(\d+)$/);
    if (!range) return err(400, 'invalidRange', 'Content-Range must be "bytes <first>-<last>/<total>".');
    const first = Number(range[1]);
    const last = Number(range[2]);
    const total = Number(range[3]);
    if (total !== s.size) return err(400, 'invalidRange', `The total size ${total} does not match the session's ${s.size} bytes.`);
    if (first !== s.received) return err(416, 'invalidRange', `Expected the range starting at ${s.received}.`);
    if (last < first || last >= total || last - first + 1 !== bytes.length) return err(400, 'invalidRange', 'Content-Range does not match the body length.');
    if (bytes.length > MAX_UPLOAD_CHUNK) return err(413, 'requestTooLarge', 'A fragment must not exceed 10 MiB.');
    s.bytes.push(bytes);
    s.received = last + 1;
    const expirationDateTime = iso(s.expiresAt);
    if (s.received < s.size) return { status: 202, body: { expirationDateTime, nextExpectedRanges: [`${s.received}-${s.size - 1}`] } };
    const job = jobs.get(s.printerId)?.get(s.jobId);
    const doc = job?.documents.find((d) => d.id === s.documentId);
    if (doc) {
      doc.uploadedDateTime = iso(now());
      completedUploads.set(`${s.printerId}/${s.jobId}/${s.documentId}`, Buffer.concat(s.bytes));
    }
    uploads.delete(key);
    return { status: 201, body: { expirationDateTime, nextExpectedRanges: [] } };
  }
  const completedUploads = new Map<string, Buffer>();

  // ---------------------------------------------------------------- token endpoint

  function mintAccess(token: SimToken, lifetimeSec: number, claims: Record<string, unknown>): string {
    const exp = Math.floor(now() / 1000) + lifetimeSec;
    const value = makeJwt({ aud: 'https://graph.microsoft.com', exp, iat: Math.floor(now() / 1000), ...claims, jti: randomUUID() });
    minted.set(value, { ...token, expiresAt: exp * 1000 });
    return value;
  }

  function oauthError(error: string, description: string, status = 400): Answer {
    return { status, body: { error, error_description: description, error_codes: [0], timestamp: new Date(now()).toISOString() } };
  }

  function delegatedTokens(upn: string, clientId: string, scopes: string[], tenant: string, nonce: string | null): Answer {
    const user = users.get(upn.toLowerCase());
    if (!user) return oauthError('invalid_grant', `AADSTS50034: The user account ${upn} does not exist.`);
    const lifetime = opts.tokenLifetimeSec ?? 3600;
    const graphScopes = scopes.filter((s) => !['openid', 'profile', 'offline_access'].includes(s)).map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//, ''));
    const oid = `oid-${user.upn.toLowerCase()}`;
    const tid = tenant === 'organizations' || tenant === 'common' ? 'tenant-1' : tenant;
    const access = mintAccess(
      { kind: 'delegated', upn: user.upn, displayName: user.displayName, userId: oid, scopes: graphScopes, roles: user.roles },
      lifetime,
      { upn: user.upn, preferred_username: user.upn, name: user.displayName ?? user.upn, scp: graphScopes.join(' '), oid, tid, appid: clientId },
    );
    const refresh = `rt-${randomUUID()}`;
    refreshTokens.set(refresh, { upn: user.upn, clientId, scopes: graphScopes });
    const idClaims: Record<string, unknown> = {
      aud: clientId,
      iss: `https://login.microsoftonline.com/${tid}/v2.0`,
      iat: Math.floor(now() / 1000),
      nbf: Math.floor(now() / 1000),
      exp: Math.floor(now() / 1000) + lifetime,
      oid,
      sub: oid,
      tid,
      preferred_username: user.upn,
      name: user.displayName ?? user.upn,
      ver: '2.0',
    };
    if (nonce) idClaims.nonce = nonce;
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: graphScopes.map((s) => `https://graph.microsoft.com/${s}`).join(' '),
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: access,
        refresh_token: refresh,
        id_token: makeJwt(idClaims),
        client_info: b64url(JSON.stringify({ uid: oid, utid: tid })),
      },
    };
  }

  function tokenEndpoint(tenant: string, op: string, form: URLSearchParams): Answer {
    const clientId = form.get('client_id') ?? '';
    const app = apps.get(clientId);
    if (!app) return oauthError('unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`);
    const scopes = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (op === 'devicecode') {
      const deviceCode = `dc-${randomUUID()}`;
      const userCode = `U${Math.floor(random() * 1e8).toString().padStart(8, '0')}`;
      deviceCodes.set(deviceCode, { userCode, clientId, scopes, approvedAs: opts.autoApproveDeviceCodeAs ?? null, expiresAt: now() + 900_000 });
      return {
        status: 200,
        body: {
          user_code: userCode,
          device_code: deviceCode,
          verification_uri: 'https://microsoft.com/devicelogin',
          expires_in: 900,
          interval: 1,
          message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${userCode} to authenticate.`,
        },
      };
    }
    const grant = form.get('grant_type');
    if (grant === 'client_credentials') {
      const assertion = form.get('client_assertion');
      const secretOk = app.secret !== undefined && form.get('client_secret') === app.secret;
      let certOk = false;
      if (assertion) {
        try {
          const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: string; sub?: string };
          certOk = payload.iss === clientId && payload.sub === clientId;
        } catch {
          certOk = false;
        }
      }
      if (!secretOk && !certOk) return oauthError('invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401);
      const lifetime = opts.tokenLifetimeSec ?? 3600;
      const access = mintAccess({ kind: 'application', appId: clientId, scopes: app.appRoles }, lifetime, { appid: clientId, roles: app.appRoles ?? [], tid: tenant });
      return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: access } };
    }
    if (grant === 'refresh_token') {
      const rt = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!rt || rt.clientId !== clientId) return oauthError('invalid_grant', 'AADSTS70000: The refresh token is invalid or has been revoked.');
      return delegatedTokens(rt.upn, clientId, scopes.length ? scopes : rt.scopes, tenant, null);
    }
    if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
      const dc = deviceCodes.get(form.get('device_code') ?? '');
      if (!dc) return oauthError('invalid_grant', 'AADSTS70000: The device code is not valid.');
      if (dc.expiresAt <= now()) return oauthError('expired_token', 'AADSTS70020: The device code has expired.');
      if (!dc.approvedAs) return oauthError('authorization_pending', 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.');
      deviceCodes.delete(form.get('device_code') ?? '');
      return delegatedTokens(dc.approvedAs, clientId, dc.scopes, tenant, null);
    }
    if (grant === 'authorization_code') {
      const code = authCodes.get(form.get('code') ?? '');
      if (!code || code.clientId !== clientId) return oauthError('invalid_grant', 'AADSTS70000: The authorization code is invalid.');
      if (!form.get('code_verifier')) return oauthError('invalid_request', 'AADSTS50148: The code_verifier is missing (PKCE is required).');
      authCodes.delete(form.get('code') ?? '');
      return delegatedTokens(code.upn, clientId, code.scopes, tenant, code.nonce);
    }
    return oauthError('unsupported_grant_type', `AADSTS70003: The grant type '${grant}' is not supported.`);
  }

  // ---------------------------------------------------------------- HTTP plumbing

  function createJob(input: AddJobInput): SimJob {
    const id = input.id ?? String(nextJobNumber++);
    const script = typeof input.lifecycle === 'string' || input.lifecycle === undefined ? LIFECYCLES[input.lifecycle ?? 'completed'] : input.lifecycle;
    if (!script || script.length === 0) throw new Error(`unknown lifecycle ${String(input.lifecycle)}`);
    const job: SimJob = {
      printerId: input.printerId,
      shareId: input.shareId ?? null,
      id,
      createdAt: input.createdAt ?? now(),
      acknowledgedAt: null,
      createdBy: { id: `user-${input.upn.toLowerCase()}`, displayName: input.userDisplayName ?? input.upn.split('@')[0], userPrincipalName: input.upn, ipAddress: '10.0.0.5' },
      displayName: input.displayName ?? '',
      configuration: {},
      script,
      step: 0,
      status: { state: 'pending', description: '', details: [], isAcquiredByPrinter: false },
      errorCode: null,
      isFetchable: false,
      redirectedFrom: input.redirectedFrom ?? null,
      redirectedTo: null,
      documents: (input.documents ?? [{ displayName: input.displayName ?? 'document.pdf', contentType: 'application/pdf', size: 1024 }]).map((d) => ({
        id: randomUUID(),
        displayName: d.displayName,
        contentType: d.contentType,
        size: d.size,
        uploadedDateTime: input.lifecycle === 'uploadPending' ? null : iso(input.createdAt ?? now()),
        downloadedDateTime: null,
      })),
      tasks: [],
    };
    applyStep(job);
    jobsOf(input.printerId).set(id, job);
    return job;
  }

  function takeFault(method: string, path: string): SimFault | null {
    for (const r of faults) {
      if (r.times > 0 && r.match(method, path)) {
        r.times -= 1;
        faults = faults.filter((x) => x.times > 0);
        return r.fault;
      }
    }
    return null;
  }

  function send(res: ServerResponse, a: Answer): void {
    const headers: Record<string, string> = { ...(a.headers ?? {}) };
    if (a.raw !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      res.writeHead(a.status, headers).end(a.raw);
      return;
    }
    if (a.body === undefined) {
      res.writeHead(a.status, headers).end();
      return;
    }
    headers['Content-Type'] ??= 'application/json; odata.metadata=minimal';
    res.writeHead(a.status, headers).end(JSON.stringify(a.body));
  }

  /** Sends an answer one byte at a time; stops when the client goes away. */
  function drip(res: ServerResponse, a: Answer, intervalMs: number): void {
    const payload = a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body));
    res.writeHead(a.status, { 'Content-Type': 'application/json', ...(a.headers ?? {}), 'Content-Length': String(Buffer.byteLength(payload)) });
    held.hold(res);
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= payload.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(payload[i++]);
    }, intervalMs);
    res.on('close', () => clearInterval(timer));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const u = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = u.pathname;
    const entry: LoggedRequest = { method, path, query: u.search.slice(1), status: 0, viaBatch: false, hadAuthorization: !!req.headers.authorization };
    log.push(entry);

    const fault = takeFault(method, path);
    if (fault?.kind === 'refuse') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await held.delay(res, fault.delayMs);
    if (fault?.kind === 'status') {
      const a = err(fault.status, fault.code ?? (fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError'), fault.message ?? 'The service is temporarily unavailable.', fault.retryAfter ? { 'Retry-After': fault.retryAfter } : undefined);
      entry.status = a.status;
      send(res, a);
      return;
    }

    let answer: Answer;
    const tokenRoute = path.match(/^\/([^/]+)\/oauth2\/v2\.0\/(token|devicecode|authorize)$/);
    const uploadRoute = path.match(/^\/upload\/([^/]+)$/);
    if (tokenRoute) {
      if (tokenRoute[2] === 'authorize') {
        // The "browser" step of an interactive sign-in: signs in the configured user at once.
        const q = u.searchParams;
        const upn = q.get('login_hint') ?? opts.autoApproveDeviceCodeAs ?? '';
        const redirectUri = q.get('redirect_uri') ?? '';
        if (!upn || !users.has(upn.toLowerCase())) answer = { status: 400, raw: 'no user to sign in', headers: { 'Content-Type': 'text/plain' } };
        else if (!/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(redirectUri)) answer = { status: 400, raw: 'redirect_uri must be a loopback address', headers: { 'Content-Type': 'text/plain' } };
        else {
          const code = `code-${randomUUID()}`;
          authCodes.set(code, { upn, clientId: q.get('client_id') ?? '', scopes: (q.get('scope') ?? '').split(/\s+/).filter(Boolean), nonce: q.get('nonce'), redirectUri });
          const fields: Record<string, string> = { code };
          if (q.get('state')) fields.state = q.get('state')!;
          if (q.get('client_info')) fields.client_info = b64url(JSON.stringify({ uid: `oid-${upn.toLowerCase()}`, utid: 'tenant-1' }));
          if (q.get('response_mode') === 'form_post') {
            // As Entra does for response_mode=form_post: a page that POSTs the answer to the redirect URI.
            const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
            const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}"/>`).join('');
            answer = { status: 200, headers: { 'Content-Type': 'text/html' }, raw: `<html><body onload="document.forms[0].submit()"><form method="POST" action="${esc(redirectUri)}">${inputs}</form></body></html>` };
          } else {
            const target = new URL(redirectUri);
            for (const [k, v] of Object.entries(fields)) target.searchParams.set(k, v);
            answer = { status: 302, headers: { Location: target.toString() } };
          }
        }
      } else if (method !== 'POST') answer = oauthError('invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.');
      else answer = tokenEndpoint(tokenRoute[1], tokenRoute[2], new URLSearchParams(raw.toString('utf8')));
    } else if (uploadRoute) {
      answer = upload(method, uploadRoute[1], req.headers, raw);
    } else if (path.startsWith('/beta/')) {
      const caller = authenticate(req.headers.authorization);
      answer = 'error' in caller ? caller.error : raw.length > 0 ? err(400, 'BadRequest', 'Do not supply a request body for this method.') : betaRoute(method, path.slice('/beta'.length), u.searchParams, caller.token);
    } else if (path === '/v1.0/$batch' || path.startsWith('/v1.0/')) {
      let body: unknown = null;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = undefined;
        }
      }
      if (body === undefined) answer = err(400, 'BadRequest', 'The request body is not valid JSON.');
      else if (path === '/v1.0/$batch') {
        answer = method === 'POST' ? batch(body, req.headers.authorization) : err(405, 'MethodNotAllowed', '$batch accepts POST only.');
        if (answer.status === 200) {
          const caller = authenticate(req.headers.authorization);
          // Graph checks the outer token too: a missing or expired token fails the whole batch.
          if ('error' in caller) answer = caller.error;
        }
      } else {
        const caller = authenticate(req.headers.authorization);
        answer = 'error' in caller ? caller.error : route(method, path.slice('/v1.0'.length), u.searchParams, body, caller.token);
      }
    } else {
      answer = err(404, 'NotFound', `No such endpoint: ${path}`);
    }
    if (fault?.kind === 'malformed' && answer.status < 300 && answer.status !== 204) {
      answer = { status: answer.status, raw: '{"value": [ {"id": "1", "status": ', headers: answer.headers };
    }
    if (fault?.kind === 'wrong-shape' && answer.status < 300 && answer.status !== 204) {
      const b = answer.body as { responses?: { status: number; body?: unknown }[] } | undefined;
      if (b && Array.isArray(b.responses)) answer = { ...answer, body: { responses: b.responses.map((it) => (it.status < 300 ? { ...it, body: { value: 42 } } : it)) } };
      else answer = { ...answer, body: { value: 42 } };
    }
    if (fault?.kind === 'huge') answer = { status: 200, raw: JSON.stringify('x'.repeat(Math.max(0, fault.bytes - 2))), headers: { 'Content-Type': 'application/json' } };
    entry.status = answer.status;
    if (fault?.kind === 'drip') {
      drip(res, answer, fault.intervalMs);
      return;
    }
    send(res, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, err(500, 'InternalServerError', e instanceof Error ? e.message : String(e)));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let timer: ReturnType<typeof setInterval> | null = null;
  const sim: GraphSimulator = {
    url: origin,
    baseUrl: `${origin}/v1.0`,
    async close() {
      if (timer) clearInterval(timer);
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async goOffline() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async goOnline() {
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(new URL(origin).port), '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    addPrinter(p) {
      const printer: SimPrinter = {
        manufacturer: 'Contoso',
        model: 'LaserWriter 9000',
        isShared: true,
        isAcceptingJobs: true,
        status: { state: 'idle', details: [], description: '' },
        location: null,
        ...p,
      };
      printers.set(printer.id, printer);
      return printer;
    },
    addShare(s) {
      const share: SimShare = { isAcceptingJobs: true, status: { state: 'idle', details: [], description: '' }, location: null, ...s };
      shares.set(share.id, share);
      return share;
    },
    setPrinterStatus(id, status, isAcceptingJobs) {
      const targets = [printers.get(id), ...[...shares.values()].filter((s) => s.printerId === id || s.id === id)].filter(Boolean) as (SimPrinter | SimShare)[];
      if (targets.length === 0) throw new Error(`no printer or share ${id}`);
      // Graph sends only its documented values; a test cannot script one it would never send.
      if (status.state !== undefined && !PRINTER_PROCESSING_STATES.includes(status.state)) throw new Error(`"${status.state}" is not a printerProcessingState`);
      for (const d of status.details ?? []) if (!PRINTER_STATE_DETAILS.includes(d)) throw new Error(`"${d}" is not a printerProcessingStateDetail`);
      for (const t of targets) {
        t.status = { ...t.status, ...status };
        if (isAcceptingJobs !== undefined) t.isAcceptingJobs = isAcceptingJobs;
      }
    },
    addJob(input) {
      return jobJson(createJob(input), new Set(['documents', 'tasks']));
    },
    getJob(printerId, jobId) {
      const j = jobs.get(printerId)?.get(jobId);
      return j ? jobJson(j, new Set(['documents', 'tasks'])) : null;
    },
    setJobStatus(printerId, jobId, status, errorCode) {
      const j = jobs.get(printerId)?.get(jobId);
      if (!j) throw new Error(`no job ${printerId}/${jobId}`);
      j.script = [{ state: status.state, details: status.details, description: status.description }];
      j.step = 0;
      applyStep(j);
      if (errorCode !== undefined) j.errorCode = errorCode;
    },
    addTask(printerId, jobId, task) {
      const j = jobs.get(printerId)?.get(jobId);
      if (!j) throw new Error(`no job ${printerId}/${jobId}`);
      const id = randomUUID();
      j.tasks.push({ id, state: task.state ?? 'processing', description: task.description ?? 'The task is being processed.', createdByAppId: task.appId });
      return id;
    },
    purgeJob(printerId, jobId) {
      jobs.get(printerId)?.delete(jobId);
    },
    tick(steps = 1) {
      for (let i = 0; i < steps; i++) {
        for (const m of jobs.values()) {
          for (const j of m.values()) {
            if (j.step < j.script.length - 1) {
              j.step += 1;
              applyStep(j);
            }
          }
        }
      }
    },
    uploadedBytes(printerId, jobId, documentId) {
      return completedUploads.get(`${printerId}/${jobId}/${documentId}`) ?? null;
    },
    uploadSessions() {
      return [...uploads.values()].map((s) => ({ uploadUrl: `${origin}/upload/${s.key}`, printerId: s.printerId, jobId: s.jobId, documentId: s.documentId, received: s.received, size: s.size }));
    },
    addToken(token, info) {
      tokens.set(token, info);
    },
    expireToken(token) {
      const t = tokens.get(token) ?? minted.get(token);
      if (!t) throw new Error('unknown token');
      t.expiresAt = now() - 1;
    },
    approveDeviceCode(userCode, upn) {
      const dc = [...deviceCodes.values()].find((d) => d.userCode === userCode);
      if (!dc) throw new Error(`no device code ${userCode}`);
      dc.approvedAs = upn;
    },
    injectFault(match, fault, times = 1) {
      faults.push({ match: matcher(match), fault, times });
    },
    injectItemFault(match, fault, times = 1) {
      itemFaults.push({ match: matcher(match), fault, times });
    },
    foreignNextLink(o, times = 1) {
      foreign = { origin: o, times };
    },
    clearFaults() {
      faults = [];
      itemFaults = [];
      foreign = null;
    },
    log,
    get heldAnswers() {
      return held.count;
    },
    resetLog() {
      log.length = 0;
    },
    counts(o = {}) {
      const out: Record<string, number> = {};
      for (const e of log) {
        if (o.viaBatch !== undefined && e.viaBatch !== o.viaBatch) continue;
        const k = `${e.method} ${e.path}`;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    },
    httpRequests(match) {
      const f = matcher(match ?? null);
      return log.filter((e) => !e.viaBatch && f(e.method, e.path)).length;
    },
    mintedTokens() {
      return minted;
    },
  };
  if (opts.autoAdvanceMs) {
    timer = setInterval(() => sim.tick(), opts.autoAdvanceMs);
    timer.unref();
  }
  return sim;
}
