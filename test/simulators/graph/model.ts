/**
 * The Graph simulator's model: the documented v1.0 JSON shapes, the simulator's own records, its
 * options and control surface, and the small helpers every route uses (error answers, JWTs,
 * request matchers, the scopes each call accepts).
 *
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
import { randomUUID } from 'node:crypto';

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

export const FINAL_JOB_STATES = new Set(['completed', 'canceled', 'aborted']);

export interface SimTask {
  id: string;
  state: string;
  description: string;
  /** The application whose trigger created the task (abort/redirect precondition). */
  createdByAppId: string;
}

export interface SimUpload {
  key: string;
  printerId: string;
  jobId: string;
  documentId: string;
  size: number;
  received: number;
  bytes: Buffer[];
  expiresAt: number;
}

export interface SimJob {
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

export interface FaultRule {
  match: (method: string, path: string) => boolean;
  fault: SimFault;
  times: number;
}

export interface ItemFault {
  status: 429 | 404 | 401 | 500 | 503;
  /** Seconds or an HTTP date; a 429 carries "1" when left out, none at all with null (Graph may omit it). */
  retryAfter?: string | null;
}

export interface ItemFaultRule {
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
  /**
   * The next `times` upload fragments are taken and not kept: answered 202 with nextExpectedRanges
   * starting where the session still is, before the fragment just sent (the client is to resume from there).
   */
  loseUploadFragments(times?: number): void;
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

export type Answer = { status: number; headers?: Record<string, string>; body?: unknown; raw?: string };

export function err(status: number, code: string, message: string, headers?: Record<string, string>): Answer {
  return {
    status,
    headers,
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } },
  };
}

export function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/** An unsigned JWT-shaped token (the simulator knows every token it minted). */
export function makeJwt(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ typ: 'JWT', alg: 'none' }))}.${b64url(JSON.stringify(payload))}.${b64url('sim-signature')}`;
}

export function matcher(m: string | RegExp | null): (method: string, path: string) => boolean {
  if (m === null) return () => true;
  if (typeof m === 'string') return (method, path) => `${method} ${path}`.includes(m);
  return (method, path) => m.test(`${method} ${path}`);
}


export const READ_JOB_SCOPES = [
  'PrintJob.ReadBasic', 'PrintJob.Read', 'PrintJob.ReadBasic.All', 'PrintJob.Read.All',
  'PrintJob.ReadWriteBasic', 'PrintJob.ReadWrite', 'PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All', 'PrintJob.Manage.All',
];
export const CANCEL_SCOPES = ['PrintJob.ReadWriteBasic', 'PrintJob.ReadWrite', 'PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All'];
export const CREATE_SCOPES = ['PrintJob.Create', 'PrintJob.ReadWriteBasic', 'PrintJob.ReadWrite', 'PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All'];
export const UPLOAD_SCOPES = ['PrintJob.ReadWrite', 'PrintJob.ReadWrite.All'];
export const ABORT_SCOPES = ['PrintJob.ReadWriteBasic.All', 'PrintJob.ReadWrite.All', 'PrintJob.Manage.All'];
export const USER_SCOPES = ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'];
export const PRINTER_SCOPES = ['Printer.Read.All', 'Printer.ReadWrite.All', 'Printer.FullControl.All'];
export const SHARE_SCOPES = ['PrinterShare.ReadBasic.All', 'PrinterShare.Read.All', 'PrinterShare.ReadWrite.All'];
export const ADMIN_ROLES = ['Printer Administrator', 'Global Administrator'];
export const MAX_UPLOAD_CHUNK = 10 * 1024 * 1024;
