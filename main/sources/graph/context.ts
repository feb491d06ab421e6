/**
 * What the Universal Print source's modules share: its settings, client and token providers, and
 * what it has learned so far (the shares and printers it watches, names, the signed-in user).
 * Every module takes it as its first argument.
 */
import { createHash } from 'node:crypto';
import { AppFailure, type GraphSourceConfig, type Job } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { SourceError } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { sourceDisplayName } from '../display-name';
import { ADMIN_READ_SCOPES, READ_SCOPES, type TokenProvider } from './auth';
import { GraphClient, MeSchema, type PrinterLike } from './client';
import { permissionMessage, type JobWhere, type MapContext, type Operation, type Via, type WatchedTarget } from './mapping';

export interface GraphSourceOptions {
  /** Delegated tokens. Default: MSAL sign-in when a client id is configured, else the TOKEN secret. */
  tokenProvider?: TokenProvider;
  /** Application tokens for admin mode (abort). Default: client credentials from the secret store. */
  appTokenProvider?: TokenProvider;
  /** Rounds of re-sending throttled steps inside one poll. Default 3. */
  maxThrottleRounds?: number;
  /** Longest Retry-After waited inside a poll; longer ones end the poll partial. Default 10 s. */
  maxThrottleWaitMs?: number;
  /** How often shares / printers and their status are looked up again. Default 5 minutes. */
  discoveryIntervalMs?: number;
  /** Upload fragment size, rounded down to a multiple of 320 KiB. Default 5 MiB. */
  uploadChunkBytes?: number;
  timeoutMs?: number;
}

/** A problem with one batch step: it makes the cycle incomplete but never hides the others' jobs. */
export interface StepProblem {
  step: Step;
  status: number | null;
  message: string;
  forbidden: boolean;
}

export interface Step {
  id: string;
  url: string;
  /**
   * jobs: a job list; job: one job looked up to track it; tracked: one tracked job polled;
   * place-name: the name of a share or printer nobody watches that a tracked job is on.
   */
  kind: 'jobs' | 'share-list' | 'share' | 'printer' | 'job' | 'tracked' | 'place-name';
  op: Operation;
  target?: WatchedTarget;
  where?: JobWhere;
}

export interface GraphContext {
  config: GraphSourceConfig;
  deps: SourceDeps;
  client: GraphClient;
  tokens: TokenProvider;
  /** Application tokens (admin mode), else null. */
  appTokens: TokenProvider | null;
  name: string;
  admin: boolean;
  scopeAll: boolean;
  readScopes: string[];
  sharesSetting: 'all' | string[];
  maxRounds: number;
  maxWait: number;
  discoveryEvery: number;
  // ---- what the source has learned
  targets: WatchedTarget[];
  discoveredAt: number | null;
  discoveryProblems: StepProblem[];
  printerNames: Map<string, string>;
  /** Names of shares and printers nobody watches that tracked jobs are on (`shares/<id>`), and when each was last asked for. */
  placeNames: Map<string, string>;
  placeNameAskedAt: Map<string, number>;
  documentNames: Map<string, string>;
  goneKeys: Set<string>;
  /** Keys the job lists returned on the last cycle: tracked jobs among them need no GET of their own. */
  listedKeys: Set<string>;
  /** Printer ids behind shares, as Graph named them. */
  sharePrinters: Map<string, string>;
  stepCounter: number;
  /** Graph's answer to /me for the token with this fingerprint (a SHA-256 of it). */
  me: ({ fingerprint: string } & ({ upn: string } | { error: SourceError })) | null;
}

/** An id Graph could have given: no path, query or fragment characters, no spaces. */
export const SAFE_ID = /^[^/?#\\\s]+$/;

export function createGraphContext(config: GraphSourceConfig, deps: SourceDeps, tokens: TokenProvider, appTokens: TokenProvider | null, opts: GraphSourceOptions): GraphContext {
  const scopeAll = config.scope === 'all';
  return {
    config,
    deps,
    client: new GraphClient({ http: deps.http, baseUrl: config.baseUrl, tokens, timeoutMs: opts.timeoutMs }),
    tokens,
    appTokens,
    name: sourceDisplayName(config),
    admin: !!config.admin?.enabled,
    scopeAll,
    readScopes: config.printers?.length || scopeAll ? [...READ_SCOPES, ...ADMIN_READ_SCOPES] : READ_SCOPES,
    sharesSetting: config.shares ?? (config.printers?.length ? [] : 'all'),
    maxRounds: opts.maxThrottleRounds ?? 3,
    maxWait: opts.maxThrottleWaitMs ?? 10_000,
    discoveryEvery: opts.discoveryIntervalMs ?? 5 * 60_000,
    targets: [],
    discoveredAt: null,
    discoveryProblems: [],
    printerNames: new Map(),
    placeNames: new Map(),
    placeNameAskedAt: new Map(),
    documentNames: new Map(),
    goneKeys: new Set(),
    listedKeys: new Set(),
    sharePrinters: new Map(),
    stepCounter: 0,
    me: null,
  };
}

/** A fresh batch step id. */
export function nextStepId(ctx: GraphContext): string {
  return String(++ctx.stepCounter);
}

export function mapCtx(ctx: GraphContext, upn: string | null): MapContext {
  return {
    sourceId: ctx.config.id,
    upn,
    admin: ctx.admin,
    printerName: (id) => ctx.printerNames.get(id) ?? null,
    documentName: (key) => ctx.documentNames.get(key) ?? null,
  };
}

export function targetFrom(via: Via, p: PrinterLike): WatchedTarget {
  return {
    via,
    id: p.id,
    name: p.displayName || p.id,
    state: p.status?.state ?? null,
    details: p.status?.details ?? [],
    description: p.status?.description ?? null,
    isAcceptingJobs: p.isAcceptingJobs ?? null,
  };
}

/** A share or printer known by its id only. */
export const bare = (via: Via, id: string): WatchedTarget => ({ via, id, name: id, state: null, details: [], description: null, isAcceptingJobs: null });

export function isWatched(ctx: GraphContext, w: { via: Via; ownerId: string }): boolean {
  return ctx.targets.some((t) => t.via === w.via && t.id === w.ownerId);
}

/** The watched share or printer, else one named by what tracked jobs learned of it. */
export function targetFor(ctx: GraphContext, via: Via, ownerId: string): WatchedTarget {
  const watched = ctx.targets.find((t) => t.via === via && t.id === ownerId);
  if (watched) return watched;
  const place = bare(via, ownerId);
  place.name = ctx.placeNames.get(`${via}/${ownerId}`) ?? ownerId;
  return place;
}

/** A share or printer for messages: `share "Name" (id)`. */
export function placeName(t: WatchedTarget): string {
  return `${t.via === 'shares' ? 'share' : 'printer'} "${t.name}"${t.name !== t.id ? ` (${t.id})` : ''}`;
}

/** Where a job of this source lives, from its extra fields or its key. */
export function whereOf(ctx: GraphContext, job: Job): { via: Via; ownerId: string; jobId: string } {
  const x = job.extra as { via?: unknown; ownerId?: unknown; jobId?: unknown };
  if ((x.via === 'shares' || x.via === 'printers') && typeof x.ownerId === 'string' && typeof x.jobId === 'string') return { via: x.via, ownerId: x.ownerId, jobId: x.jobId };
  const locator = job.key.slice(job.key.indexOf(':') + 1);
  const i = locator.lastIndexOf('/');
  if (i <= 0) throw new AppFailure('invalid-input', `"${job.key}" is not a Universal Print job key.`, { sourceId: ctx.config.id });
  const ownerId = locator.slice(0, i);
  const shares = ctx.sharesSetting;
  const via: Via = (ctx.config.printers ?? []).includes(ownerId) && !(Array.isArray(shares) && shares.includes(ownerId)) ? 'printers' : 'shares';
  return { via, ownerId, jobId: locator.slice(i + 1) };
}

/** The UPN known without asking: the setting, Graph's answer to /me, or the signed-in account's name. */
export function knownUpn(ctx: GraphContext): string | null {
  return ctx.config.userPrincipalName ?? (ctx.me && 'upn' in ctx.me ? ctx.me.upn : null) ?? ctx.tokens.account?.()?.username ?? null;
}

/**
 * The UPN for "my jobs" (the share's job list filters on createdBy/userPrincipalName): the
 * setting, else Graph's `GET /me`, asked once per token (access tokens are opaque to clients: they
 * are never decoded). The signed-in account's name (MSAL's username, the preferred_username claim)
 * is not the UPN for a guest (ann_contoso.com#EXT#@...) or with an alternate sign-in id; it is used
 * only when /me is refused to a delegated token.
 */
export async function currentUpn(ctx: GraphContext, signal: AbortSignal): Promise<string> {
  if (ctx.config.userPrincipalName) return ctx.config.userPrincipalName;
  // Asked again for another signed-in account, or (a token given as is) another token.
  const named = ctx.tokens.account?.()?.username;
  const who = named ? `account:${named}` : `token:${createHash('sha256').update(await ctx.tokens.getToken({ scopes: ctx.readScopes }, signal)).digest('hex')}`;
  if (ctx.me?.fingerprint !== who) ctx.me = { fingerprint: who, ...(await askMe(ctx, signal)) };
  if ('error' in ctx.me) {
    if (named && ctx.me.error.status === 'auth-required' && !/app-only/.test(ctx.me.error.message)) return named;
    throw ctx.me.error;
  }
  return ctx.me.upn;
}

async function askMe(ctx: GraphContext, signal: AbortSignal): Promise<{ upn: string } | { error: SourceError }> {
  try {
    const res = await ctx.client.send({ method: 'GET', path: '/me?$select=userPrincipalName', signal, scopes: ctx.readScopes }, MeSchema);
    return { upn: res.data.userPrincipalName };
  } catch (e) {
    if (!(e instanceof HttpError && e.kind === 'http')) throw e;
    if (e.status === 400 && /delegated/i.test(e.serviceMessage ?? '')) {
      const said = e.serviceMessage!.replace(/\.$/, '');
      return {
        error: new SourceError(
          'auth-required',
          `The token of "${ctx.name}" is an app-only token, which has no signed-in user ("${said}"), so "my jobs" cannot be listed: use a delegated token, set userPrincipalName in Settings, or watch everyone's jobs (scope "all").`,
        ),
      };
    }
    if (e.status === 403) return { error: new SourceError('auth-required', permissionMessage('read-me', "the request for the signed-in user's name", e.serviceMessage)) };
    throw e;
  }
}
