/**
 * What the AODocs source's modules share: its settings, client, limits, the names of its libraries,
 * and where the rotation of single-job look-ups stands. Every module takes it as its first argument.
 */
import type { AodocsSourceConfig } from '../../../preload/contract/model';
import type { SourceJob } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { AodocsClient, type AodocsRetryPolicy, type ApiJob } from './client';
import { toSourceJob } from './states';

export interface AodocsSourceOptions {
  /** Jobs per listing page (AODocs pageSize). */
  pageSize?: number;
  /** Pages per library in a full poll (the newest activity first). */
  maxFullPages?: number;
  /** Pages per library in an active poll (IN_PROGRESS only). */
  maxActivePages?: number;
  /** Single-job look-ups per poll (vanished active jobs and tracked ids). */
  maxLookups?: number;
  retry?: Partial<AodocsRetryPolicy>;
  /**
   * Read the names of libraries the settings do not name from AODocs (`GET /library/v1/{libId}`),
   * once, and again after `libraryNameRetryMs` when that failed. Default true.
   */
  readLibraryNames?: boolean;
  /** Default 5 minutes. */
  libraryNameRetryMs?: number;
}

export interface AodocsContext {
  config: AodocsSourceConfig;
  deps: SourceDeps;
  client: AodocsClient;
  name: string;
  /** The AODocs host, for messages. */
  host: string;
  pageSize: number;
  maxFullPages: number;
  maxActivePages: number;
  maxLookups: number;
  /** Where the rotation of single-job look-ups continues at the next poll. */
  lookupCursor: number;
  /** Library names by id: the settings' `libraryNames` first, then the names AODocs gave. */
  libraryNames: Map<string, string>;
  readLibraryNames: boolean;
  libraryNameRetryMs: number;
  /** When each library's name was last asked for (names read are kept in `libraryNames`). */
  libraryNameAskedAt: Map<string, number>;
}

export function createAodocsContext(config: AodocsSourceConfig, deps: SourceDeps, opts: AodocsSourceOptions): AodocsContext {
  return {
    config,
    deps,
    client: new AodocsClient(config, deps, { retry: opts.retry }),
    name: config.name ?? 'AODocs',
    host: hostOf(config.baseUrl),
    pageSize: opts.pageSize ?? 100,
    maxFullPages: opts.maxFullPages ?? 5,
    maxActivePages: opts.maxActivePages ?? 20,
    maxLookups: opts.maxLookups ?? 50,
    lookupCursor: 0,
    libraryNames: new Map(Object.entries(config.libraryNames ?? {})),
    readLibraryNames: opts.readLibraryNames ?? true,
    libraryNameRetryMs: opts.libraryNameRetryMs ?? 5 * 60_000,
    libraryNameAskedAt: new Map(),
  };
}

/** An AODocs job as the queue shows it. */
export function mapJob(ctx: AodocsContext, job: ApiJob): SourceJob {
  return toSourceJob(job, { sourceId: ctx.config.id, user: ctx.config.user, libraryNames: ctx.libraryNames });
}

/** The statuses after which a job never changes again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
