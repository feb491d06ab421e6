/**
 * What the Graph simulator holds (printers, shares, jobs, tokens, uploads, faults, the request
 * log) and the helpers that read and shape it, shared by every route module.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { seededRandom } from '../../helpers/seeded-random';
import { heldAnswers } from '../held-answers';
import { type AddJobInput, ADMIN_ROLES, type Answer, err, type FaultRule, type GraphSimulatorOptions, type ItemFaultRule, LIFECYCLES, type LoggedRequest, type PrintJobJson, type SimApp, type SimJob, type SimPrinter, type SimShare, type SimToken, type SimUpload, type SimUser } from './model';

/** The simulator's mutable state; every route and control takes it as its first argument. */
export interface SimState {
  opts: GraphSimulatorOptions;
  pageSize: number;
  now: () => number;
  /** Shuffles $batch answers and makes device user codes. */
  random: () => number;
  tokens: Map<string, SimToken>;
  minted: Map<string, SimToken>;
  users: Map<string, SimUser>;
  apps: Map<string, SimApp>;
  printers: Map<string, SimPrinter>;
  shares: Map<string, SimShare>;
  /** printerId -> jobId -> job */
  jobs: Map<string, Map<string, SimJob>>;
  /** upload key -> session */
  uploads: Map<string, SimUpload>;
  completedUploads: Map<string, Buffer>;
  refreshTokens: Map<string, { upn: string; clientId: string; scopes: string[] }>;
  deviceCodes: Map<string, { userCode: string; clientId: string; scopes: string[]; approvedAs: string | null; expiresAt: number }>;
  authCodes: Map<string, { upn: string; clientId: string; scopes: string[]; nonce: string | null; redirectUri: string }>;
  faults: FaultRule[];
  itemFaults: ItemFaultRule[];
  foreign: { origin: string; times: number } | null;
  /** Upload fragments to take and then not keep (answered 202 with the range still expected). */
  lostFragments: number;
  nextJobNumber: number;
  log: LoggedRequest[];
  held: ReturnType<typeof heldAnswers>;
  sockets: Set<Socket>;
  /** http://127.0.0.1:<port>, once listening. */
  origin: string;
}

export function createState(opts: GraphSimulatorOptions): SimState {
  return {
    opts,
    pageSize: opts.pageSize ?? 10,
    now: opts.now ?? Date.now,
    random: seededRandom(opts.seed ?? 7),
    tokens: new Map<string, SimToken>(Object.entries(opts.tokens ?? {})),
    minted: new Map(),
    users: new Map((opts.users ?? []).map((u) => [u.upn.toLowerCase(), u])),
    apps: new Map((opts.apps ?? []).map((a) => [a.clientId, a])),
    printers: new Map(),
    shares: new Map(),
    jobs: new Map(),
    uploads: new Map(),
    completedUploads: new Map(),
    refreshTokens: new Map(),
    deviceCodes: new Map(),
    authCodes: new Map(),
    faults: [],
    itemFaults: [],
    foreign: null,
    lostFragments: 0,
    nextJobNumber: 5000,
    log: [],
    held: heldAnswers(),
    sockets: new Set(),
    origin: '',
  };
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function jobsOf(st: SimState, printerId: string): Map<string, SimJob> {
  let m = st.jobs.get(printerId);
  if (!m) {
    m = new Map();
    st.jobs.set(printerId, m);
  }
  return m;
}

export function applyStep(st: SimState, job: SimJob): void {
  const step = job.script[Math.min(job.step, job.script.length - 1)];
  job.status = {
    state: step.state,
    description: step.description ?? '',
    details: step.details ?? [],
    isAcquiredByPrinter: step.state !== 'pending' && step.state !== 'paused',
  };
  if (step.errorCode !== undefined) job.errorCode = step.errorCode;
  if (job.status.isAcquiredByPrinter && job.acknowledgedAt === null) job.acknowledgedAt = st.now();
}

export function jobJson(job: SimJob, expand: Set<string>): PrintJobJson {
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

export function printerJson(p: SimPrinter) {
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

export function shareJson(s: SimShare) {
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

export type Caller = { token: SimToken } | { error: Answer };

export function authenticate(st: SimState, authorization: string | undefined): Caller {
  if (!authorization || !/^Bearer\s+\S+/i.test(authorization)) {
    return { error: err(401, 'InvalidAuthenticationToken', 'Access token is empty.') };
  }
  const value = authorization.replace(/^Bearer\s+/i, '').trim();
  const token = st.tokens.get(value) ?? st.minted.get(value);
  if (!token) return { error: err(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).') };
  if (token.expiresAt !== undefined && token.expiresAt <= st.now()) {
    return { error: err(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.') };
  }
  return { token };
}

export function requireScope(token: SimToken, accepted: string[]): Answer | null {
  if (token.scopes === undefined) return null;
  if (token.scopes.some((s) => accepted.includes(s))) return null;
  return err(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

export const isAdmin = (t: SimToken) => t.kind === 'application' || (t.roles ?? []).some((r) => ADMIN_ROLES.includes(r));
export const upnOf = (t: SimToken) => (t.kind === 'delegated' ? t.upn.toLowerCase() : null);

export function userOf(t: SimToken): SimJob['createdBy'] {
  if (t.kind === 'delegated') {
    return { id: t.userId ?? `user-${t.upn.toLowerCase()}`, displayName: t.displayName ?? t.upn.split('@')[0], userPrincipalName: t.upn, ipAddress: '127.0.0.1' };
  }
  return { id: t.appId, displayName: `App ${t.appId}`, userPrincipalName: '', ipAddress: null };
}

// ---------------------------------------------------------------- paging

export function page<T>(st: SimState, all: T[], skip: number, nextPath: string, extraQuery: string): { value: T[]; '@odata.nextLink'?: string } {
  const value = all.slice(skip, skip + st.pageSize);
  const out: { value: T[]; '@odata.nextLink'?: string; '@odata.context'?: string } = { value };
  if (skip + st.pageSize < all.length) {
    let base = st.origin;
    if (st.foreign && st.foreign.times > 0) {
      base = st.foreign.origin;
      st.foreign.times -= 1;
      if (st.foreign.times === 0) st.foreign = null;
    }
    const q = [extraQuery, `$skiptoken=${skip + st.pageSize}`].filter(Boolean).join('&');
    out['@odata.nextLink'] = `${base}/v1.0${nextPath}?${q}`;
  }
  return out;
}

export function parseQuery(query: URLSearchParams, allowed: string[]): Answer | { params: Record<string, string> } {
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

export function parseExpand(value: string | undefined): Set<string> | Answer {
  const out = new Set<string>();
  if (value === undefined) return out;
  for (const part of value.split(',').map((s) => s.trim())) {
    if (part !== 'tasks' && part !== 'documents') return err(400, 'BadRequest', `Could not find a property named '${part}' on type 'microsoft.graph.printJob'.`);
    out.add(part);
  }
  return out;
}

// ---------------------------------------------------------------- the Graph router

export function resolveOwner(st: SimState, kind: string, ownerId: string): { printerId: string; shareId: string | null } | Answer {
  if (kind === 'printers') {
    if (!st.printers.has(ownerId)) return err(404, 'ResourceNotFound', `The printer '${ownerId}' was not found.`);
    return { printerId: ownerId, shareId: null };
  }
  const share = st.shares.get(ownerId);
  if (!share) return err(404, 'ResourceNotFound', `The printer share '${ownerId}' was not found.`);
  return { printerId: share.printerId, shareId: ownerId };
}

export function findJob(st: SimState, kind: string, ownerId: string, jobId: string): { job: SimJob } | Answer {
  const owner = resolveOwner(st, kind, ownerId);
  if ('status' in owner) return owner;
  const job = st.jobs.get(owner.printerId)?.get(jobId);
  if (!job) return err(404, 'ResourceNotFound', `The print job '${jobId}' was not found.`);
  return { job };
}

export function canSee(token: SimToken, job: SimJob): boolean {
  return isAdmin(token) || upnOf(token) === job.createdBy.userPrincipalName.toLowerCase();
}


export function createJob(st: SimState, input: AddJobInput): SimJob {
  const id = input.id ?? String(st.nextJobNumber++);
  const script = typeof input.lifecycle === 'string' || input.lifecycle === undefined ? LIFECYCLES[input.lifecycle ?? 'completed'] : input.lifecycle;
  if (!script || script.length === 0) throw new Error(`unknown lifecycle ${String(input.lifecycle)}`);
  const job: SimJob = {
    printerId: input.printerId,
    shareId: input.shareId ?? null,
    id,
    createdAt: input.createdAt ?? st.now(),
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
      uploadedDateTime: input.lifecycle === 'uploadPending' ? null : iso(input.createdAt ?? st.now()),
      downloadedDateTime: null,
    })),
    tasks: [],
  };
  applyStep(st, job);
  jobsOf(st, input.printerId).set(id, job);
  return job;
}
