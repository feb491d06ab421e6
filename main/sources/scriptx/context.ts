/**
 * What the ScriptX source's modules share: its configuration and ports, the connection to the
 * service (found by discovery, described once per connection), the tokens it follows and the
 * rate at which each token may be asked about.
 */
import { userInfo } from 'node:os';
import type { PrintRequest } from '../../../preload/contract/contract';
import { makeJobKey, type ScriptxSourceConfig } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { RequestBudget } from '../../queue/scheduler';
import type { PrintFile, SourceJob } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { sourceDisplayName } from '../display-name';
import { errorWords, isAbort, markTrackedFinished, sleep } from '../shared';
import { ScriptxClient, type JobKind, type JobStatusAnswer, type License, type ScriptxClientOptions, type ServiceDescription } from './client';
import { discoverService, type Discovered, type DiscoveryOptions } from './discovery';
import { execFileRunner, type CommandRunner } from './service-control';

export interface ScriptxSourceOptions {
  /** Orchestrator URL, probe host and ports, timeouts (tests point these at the simulator). */
  discovery?: DiscoveryOptions;
  client?: ScriptxClientOptions;
  /** Runs the configured start/stop/restart commands (execFile by default). */
  runner?: CommandRunner;
  /** process.platform by default. */
  platform?: string;
  /** The environment the commands are resolved in (ComSpec, SystemRoot); process.env by default. */
  env?: Record<string, string | undefined>;
  /** Liveness checks after a start/stop command. */
  livenessAttempts?: number;
  livenessIntervalMs?: number;
  /** Largest file printed (it travels as a data URL). */
  maxFileBytes?: number;
  /** At most this many status requests per job in any `statusWindowMs` (default 2 per 1000 ms). */
  maxStatusPerWindow?: number;
  statusWindowMs?: number;
  /** Status requests run at the same time (different jobs). */
  concurrency?: number;
  /** The signed-in user of this PC, the owner of its jobs (os.userInfo() by default). */
  userName?: string;
}

export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/** What the app remembers about a job it submitted, to submit it again (no secrets, no file bytes). */
export interface Submission {
  request: PrintRequest;
  /** Set for file prints: the file's name and type (the bytes are held in memory for this session). */
  file?: { name: string; contentType: string; size: number };
  /** HTML too big to persist: only in memory. */
  htmlInMemory?: boolean;
}

/** One followed token. */
export interface Entry {
  token: string;
  kind: JobKind;
  addedAt: string;
  toFile: boolean;
  submittedByApp: boolean;
  submission: Submission | null;
  document: string | null;
  printer: string | null;
  printAnswer: string | null;
  /** The last status code the service answered. */
  code: number | null;
  /** The code kept in the tracked list (printing or later), see TrackedJob.lastStatus. */
  persistedCode: number | null;
  last: SourceJob | null;
  updatedAt: string | null;
  finished: boolean;
  /** A state learned outside a poll (download, cancel) that the next poll must still report. */
  unreported: boolean;
  /** Cancel was requested while the job was being prepared; polling tells whether it stopped. */
  cancelRequested?: boolean;
  /** Times (ms) of the most recent status requests, oldest first. */
  statusTimes: number[];
  /** When the last status request was sent (ms). */
  askedAt?: number;
  /** When the request budget first planned for it (ms): until it is asked, its wait counts from here. */
  waitingSince?: number;
  inFlight: boolean;
}

/** A token's entry before anything is known about it beyond what is given. */
export function newEntry(token: string, kind: JobKind, addedAt: string, known: Partial<Entry> = {}): Entry {
  return {
    token,
    kind,
    addedAt,
    toFile: false,
    submittedByApp: false,
    submission: null,
    document: null,
    printer: null,
    printAnswer: null,
    code: null,
    persistedCode: null,
    last: null,
    updatedAt: null,
    finished: false,
    unreported: false,
    statusTimes: [],
    inFlight: false,
    ...known,
  };
}

export interface ScriptxContext {
  config: ScriptxSourceConfig;
  deps: SourceDeps;
  opts: ScriptxSourceOptions;
  name: string;
  platform: string;
  runner: CommandRunner;
  maxFileBytes: number;
  /** At most `maxPerWindow` status requests per token in any `windowMs`; see mayAsk in poll.ts. */
  rate: { maxPerWindow: number; windowMs: number; slackMs: number };
  concurrency: number;
  user: string | null;
  /** A service on this PC (prints for its user only), not an On-Premise server serving many. */
  loopback: boolean;
  entries: Map<string, Entry>;
  /** File bytes of jobs submitted in this session, for retry. */
  heldFiles: Map<string, PrintFile>;
  heldHtml: Map<string, string>;
  /** The tracked list has been read once. */
  loaded: boolean;
  lastSyncAt: number;
  found: Discovered | null;
  client: ScriptxClient | null;
  description: ServiceDescription | null;
  describeRefused: boolean;
  /** The last license details read, and what could not be read, for every poll's health. */
  lastLicense: License | null;
  infoNotes: string[];
  /** The service asked to wait (429 Retry-After): no status requests before this time. */
  quietUntil: number;
  /** Status requests to this service, shared by its jobs. */
  budget: RequestBudget;
}

function thisUser(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

export function createScriptxContext(config: ScriptxSourceConfig, deps: SourceDeps, opts: ScriptxSourceOptions): ScriptxContext {
  const windowMs = opts.statusWindowMs ?? 1000;
  return {
    config,
    deps,
    opts,
    name: sourceDisplayName(config),
    platform: opts.platform ?? process.platform,
    runner: opts.runner ?? execFileRunner,
    maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    rate: { maxPerWindow: opts.maxStatusPerWindow ?? 2, windowMs, slackMs: Math.min(100, windowMs / 10) },
    concurrency: opts.concurrency ?? 8,
    user: opts.userName ?? thisUser(),
    loopback: !config.baseUrl || /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i.test(config.baseUrl),
    entries: new Map(),
    heldFiles: new Map(),
    heldHtml: new Map(),
    loaded: false,
    lastSyncAt: 0,
    found: null,
    client: null,
    description: null,
    describeRefused: false,
    lastLicense: null,
    infoNotes: [],
    quietUntil: 0,
    budget: new RequestBudget(),
  };
}

export const iso = (ctx: ScriptxContext, ms = ctx.deps.clock.now()): string => new Date(ms).toISOString();
export const keyOf = (ctx: ScriptxContext, token: string): string => makeJobKey(ctx.config.id, token);
export const storedLicense = (ctx: ScriptxContext): Promise<string | undefined> => ctx.deps.secrets.get(ctx.config.id, 'LICENSE');
/** Where the service is, in words: its address once found, else the configured one or "this PC". */
export const whereOf = (ctx: ScriptxContext): string => ctx.found?.baseUrl ?? ctx.config.baseUrl ?? 'this PC';

/** The client of the service, found (or configured) on first use. */
export async function connect(ctx: ScriptxContext, signal: AbortSignal): Promise<ScriptxClient> {
  if (ctx.client && ctx.found) return ctx.client;
  const found = await discoverService(ctx.config, ctx.deps.http, signal, ctx.opts.discovery);
  ctx.found = found;
  ctx.client = new ScriptxClient(ctx.deps.http, found.baseUrl, () => storedLicense(ctx), ctx.opts.client);
  ctx.description = null;
  ctx.describeRefused = false;
  ctx.deps.logger.info('ScriptX.Services found', { sourceId: ctx.config.id, baseUrl: found.baseUrl, foundBy: found.foundBy });
  return ctx.client;
}

/** Forget where the service was: a discovered one may come back on another port. */
export function lost(ctx: ScriptxContext): void {
  if (!ctx.config.baseUrl) {
    ctx.found = null;
    ctx.client = null;
  }
  ctx.description = null;
}

/** Look for the service afresh on the next request, even at a configured address. */
export function forget(ctx: ScriptxContext): void {
  lost(ctx);
  ctx.found = null;
  ctx.client = null;
}

/** The service description, read once per connection; tolerates the 401 of older builds. */
export async function describe(ctx: ScriptxContext, c: ScriptxClient, signal: AbortSignal): Promise<ServiceDescription | null> {
  if (ctx.description || ctx.describeRefused) return ctx.description;
  try {
    ctx.description = await c.describe(signal);
  } catch (err) {
    if (err instanceof HttpError && err.kind === 'http' && err.status === 401) ctx.describeRefused = true;
    else throw err;
  }
  return ctx.description;
}

/** The description when it can be read; an action never fails for the lack of it. */
export async function describeOrNull(ctx: ScriptxContext, c: ScriptxClient, signal: AbortSignal): Promise<ServiceDescription | null> {
  try {
    return await describe(ctx, c, signal);
  } catch (err) {
    if (isAbort(err, signal) || (err instanceof HttpError && (err.kind === 'unreachable' || err.kind === 'timeout'))) throw err;
    ctx.deps.logger.debug('The ScriptX service description could not be read', { sourceId: ctx.config.id, error: errorWords(err) });
    return null;
  }
}

/** One status request for a token, counted against its rate (waiting for the rate first). */
export async function askStatus(ctx: ScriptxContext, c: ScriptxClient, e: Entry, signal: AbortSignal): Promise<JobStatusAnswer> {
  const { clock } = ctx.deps;
  e.inFlight = true;
  try {
    const recent = e.statusTimes.filter((t) => clock.now() - t < ctx.rate.windowMs);
    const wait = recent.length < ctx.rate.maxPerWindow ? 0 : Math.min(...recent) + ctx.rate.windowMs - clock.now();
    if (wait > 0) await sleep(clock, wait, signal, { resolveOnAbort: true });
    if (signal.aborted) throw new HttpError('aborted', 'The poll was canceled', { target: 'status' });
    e.statusTimes.push(clock.now());
    e.askedAt = clock.now();
    return await c.status(e.kind, e.token, signal);
  } finally {
    e.inFlight = false;
  }
}

/** The token is final: never asked about again, here or after a restart. */
export async function markFinished(ctx: ScriptxContext, e: Entry): Promise<void> {
  e.finished = true;
  await markTrackedFinished(ctx.deps, ctx.config.id, e.token, 'ScriptX');
}

/** The license expiry warning starts this many days before the end date. */
export const LICENSE_WARNING_DAYS = 14;

/** Whole days until a license end date (negative once it has passed), or null. */
export function expiresInDays(ctx: ScriptxContext, to: string | null | undefined): number | null {
  if (!to) return null;
  const at = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(to) ? to : `${to}Z`);
  if (Number.isNaN(at)) return null;
  return Math.floor((at - ctx.deps.clock.now()) / 86_400_000);
}
