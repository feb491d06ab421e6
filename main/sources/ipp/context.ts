/**
 * What the IPP source's modules share: where its URL points (one printer, or a CUPS server and the
 * queues chosen on it), its client, and what the last polls learned (printer names and states, the
 * event subscription). Every module takes it as its first argument.
 */
import type { IppSourceConfig } from '../../../preload/contract/model';
import { basicAuth } from '../../http/client';
import type { PollResult, SourcePrinter } from '../../queue/source';
import { safeUserName } from '../shared';
import type { SourceDeps } from '../deps';
import { IppClient } from './client';
import { TAG, type RequestAttribute } from './codec';

export interface IppSourceOptions {
  /** Completed jobs read per printer (or server) in a full poll. */
  completedLimit?: number;
  /** Single-job look-ups per fast poll (active jobs that left the not-completed list). */
  maxLookups?: number;
  timeoutMs?: number;
}

/** Where the source's URL points: one printer, or a CUPS server and the queues chosen on it. */
export type IppTarget = { kind: 'printer'; uri: string; id: string } | { kind: 'server'; base: string; queues: string[] | null };

/**
 * Reads the configured URL: a /printers/ or /classes/ path, or any other path, is one printer; a
 * URL without a path (http://host:631, ipp://host:631/) is a CUPS server. The printer's URI is its
 * ipp:// or ipps:// form, without a trailing slash (CUPS knows no "/printers/office/"), and with
 * the port of an http:// or https:// URL written out: without one they mean 80 and 443, where
 * ipp:// and ipps:// mean 631.
 */
export function ippTarget(config: Pick<IppSourceConfig, 'url' | 'printers'>): IppTarget {
  const u = new URL(config.url);
  const path = u.pathname.replace(/\/+$/, '');
  const queue = /^\/(printers|classes)\/([^/]+)$/.exec(path);
  const scheme = u.protocol === 'https:' || u.protocol === 'ipps:' ? 'ipps' : 'ipp';
  const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
  const authority = `${u.hostname}${port ? `:${port}` : ''}`;
  if (path === '') return { kind: 'server', base: `${scheme}://${authority}`, queues: config.printers ?? null };
  const id = queue ? decodeURIComponent(queue[2]) : decodeURIComponent(path.split('/').filter(Boolean).pop() ?? u.hostname) || u.hostname;
  return { kind: 'printer', uri: `${scheme}://${authority}${path}`, id };
}

export interface IppSubscription {
  id: number;
  nextSeq: number;
  expiresAt: number;
}

export interface IppContext {
  config: IppSourceConfig;
  deps: SourceDeps;
  client: IppClient;
  target: IppTarget;
  name: string;
  /** The server's host, for messages. */
  host: string;
  scope: NonNullable<IppSourceConfig['scope']>;
  /** The IPP requesting-user-name. */
  user: string;
  completedLimit: number;
  maxLookups: number;
  /** The place jobs are listed at: the printer, or the whole server (CUPS lists every queue at "/"). */
  listUri: string;
  /** Printer id -> the name shown, and the printers as the last poll read them. */
  names: Map<string, string>;
  lastPrinters: ReadonlyMap<string, SourcePrinter>;
  /** The ippget subscription: its id, the next event sequence number, when its lease ends. */
  subscription: IppSubscription | null;
  /**
   * Subscriptions given up on (a renewal or a read refused) whose cancellation failed, that the
   * server may still hold until their lease ends: canceled again when the source stops.
   */
  abandoned: IppSubscription[];
  /** Cancellations of subscriptions given up on, under way in the background. */
  canceling: Set<Promise<void>>;
  /** The source was stopped: it subscribes no more (see cancelSubscriptions). */
  stopped: boolean;
  /** The server refused subscriptions: Get-Jobs at every poll, and no subscribing before this time (Infinity: never). */
  subscribeAfter: number;
  /** The health of the last poll that read the printers and jobs (a quiet poll repeats it). */
  lastHealth: PollResult['health'] | null;
  lastReadAt: number;
}

export function createIppContext(config: IppSourceConfig, deps: SourceDeps, opts: IppSourceOptions): IppContext {
  const target = ippTarget(config);
  const host = new URL(config.url).host;
  const user = config.user ?? (safeUserName() || 'anonymous');
  const client = new IppClient({
    http: deps.http,
    user,
    timeoutMs: opts.timeoutMs,
    certificateSha256: config.certificateSha256,
    onVersion(uri, version, refused) {
      deps.logger.info('IPP printer refused a newer IPP version; asking it in an older one', { sourceId: config.id, uri, version, refused });
    },
    async authorization() {
      const password = await deps.secrets.get(config.id, 'PASSWORD');
      return password ? basicAuth(user, password) : undefined;
    },
  });
  return {
    config,
    deps,
    client,
    target,
    name: config.name ?? (target.kind === 'printer' ? `${target.id} (${host})` : `Print server ${host}`),
    host,
    scope: config.scope ?? 'mine',
    user,
    completedLimit: opts.completedLimit ?? 100,
    maxLookups: opts.maxLookups ?? 50,
    listUri: target.kind === 'printer' ? target.uri : `${target.base}/`,
    names: new Map(),
    lastPrinters: new Map(),
    subscription: null,
    abandoned: [],
    canceling: new Set(),
    stopped: false,
    subscribeAfter: 0,
    lastHealth: null,
    lastReadAt: 0,
  };
}

/** The URI of one printer (queue) of this source. */
export function printerUri(ctx: IppContext, id: string): string {
  return ctx.target.kind === 'printer' ? ctx.target.uri : `${ctx.target.base}/printers/${encodeURIComponent(id)}`;
}

/** Whether a queue is one this source watches (CUPS queue names are compared without case). */
export function wanted(ctx: IppContext, id: string): boolean {
  if (ctx.target.kind === 'printer' || ctx.target.queues === null) return true;
  const name = id.toLowerCase();
  return ctx.target.queues.some((q) => q.toLowerCase() === name);
}

export const kw = (name: string, value: string | string[]): RequestAttribute => ({ tag: TAG.KEYWORD, name, value });

