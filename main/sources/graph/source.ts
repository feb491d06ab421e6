/**
 * The Microsoft Graph Universal Print source.
 *
 * Graph has no push for job states, so the source polls: every cycle lists the jobs of each
 * watched share and printer (the user's own by default, through the documented
 * `createdBy/userPrincipalName` filter) in JSON $batch calls of at most 20 steps, next pages
 * included, and never one GET per job. Which shares and printers exist (and their status for the
 * sources panel) is looked up on the first cycle and then at most every few minutes.
 *
 * Throttled batch steps (per-item 429) are re-sent after the longest Retry-After among them while
 * the successful steps are kept; a 401 gets one silent token refresh, then the source asks for
 * sign-in; a 403 names the permission or role that is missing.
 */
import { createHash } from 'node:crypto';
import { AppFailure, makeJobKey, type GraphSourceConfig, type Job, type JobDetails } from '../../../preload/contract/model';
import type { TrackedJob } from '../../ports/ports';
import { HttpError, describeSchemaError } from '../../http/client';
import { SourceError, type JobAction, type JobSource, type PollContext, type PollResult, type SourceJob } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { ADMIN_READ_SCOPES, AuthRequiredError, READ_SCOPES, createStaticTokenProvider, type TokenProvider } from './auth';
import {
  ForeignLinkError,
  GraphClient,
  JobPageSchema,
  MAX_BATCH,
  MeSchema,
  PrintJobSchema,
  PrinterLikeSchema,
  PrinterPageSchema,
  SharePrinterSchema,
  graphErrorMessage,
  seg,
  type BatchItemAnswer,
  type PrintJob,
  type PrinterLike,
} from './client';
import { locatorOf, parseTrackedId, permissionMessage, toSourceJob, trackedIdOf, type JobWhere, type MapContext, type Operation, type Via, type WatchedTarget } from './mapping';
import { createPrinting, type Printing } from './printing';
import { toGraphPrinter } from './states';
import { createMsalTokenProvider, createAppTokenProvider } from './msal';

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

interface Step {
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
  /** A problem here makes the cycle incomplete but never hides the others' jobs. */
}

interface StepProblem {
  step: Step;
  status: number | null;
  message: string;
  forbidden: boolean;
}

interface RunResult {
  problems: StepProblem[];
  /** Steps still throttled when the poll ended. */
  throttled: Step[];
  retryAfterMs: number | null;
}

const SAFE_ID = /^[^/?#\\\s]+$/;

export function createGraphSource(config: GraphSourceConfig, deps: SourceDeps, opts: GraphSourceOptions = {}): JobSource {
  const name = config.name ?? 'Universal Print';
  const admin = !!config.admin?.enabled;
  const tokens: TokenProvider =
    opts.tokenProvider ??
    (config.clientId ? withStoredTokenFallback(createMsalTokenProvider(config, deps), createStaticTokenProvider(deps.secrets, config.id), deps, config.id) : createStaticTokenProvider(deps.secrets, config.id));
  const appTokens: TokenProvider | null = admin ? (opts.appTokenProvider ?? createAppTokenProvider(config, deps)) : null;
  const client = new GraphClient({ http: deps.http, baseUrl: config.baseUrl, tokens, timeoutMs: opts.timeoutMs });
  const maxRounds = opts.maxThrottleRounds ?? 3;
  const maxWait = opts.maxThrottleWaitMs ?? 10_000;
  const discoveryEvery = opts.discoveryIntervalMs ?? 5 * 60_000;
  const scopeAll = config.scope === 'all';
  const readScopes = config.printers?.length || scopeAll ? [...READ_SCOPES, ...ADMIN_READ_SCOPES] : READ_SCOPES;
  const sharesSetting: 'all' | string[] = config.shares ?? (config.printers?.length ? [] : 'all');

  let targets: WatchedTarget[] = [];
  let discoveredAt: number | null = null;
  let discoveryProblems: StepProblem[] = [];
  const printerNames = new Map<string, string>();
  /** Names of shares and printers nobody watches that tracked jobs are on (`shares/<id>`), and when each was last asked for. */
  const placeNames = new Map<string, string>();
  const placeNameAskedAt = new Map<string, number>();
  const documentNames = new Map<string, string>();
  const goneKeys = new Set<string>();
  /** Keys the job lists returned on the last cycle: tracked jobs among them need no GET of their own. */
  let listedKeys = new Set<string>();
  let stepCounter = 0;
  /** Graph's answer to /me for the token with this fingerprint (a SHA-256 of it). */
  let me: ({ fingerprint: string } & ({ upn: string } | { error: SourceError })) | null = null;

  const printing: Printing = createPrinting({ config, deps, client, tokens, upn: () => knownUpn(), sharePrinterId, placeName: (via, id) => placeName(targetFor(via, id)), rememberDocument: (key, n) => documentNames.set(key, n), chunkBytes: opts.uploadChunkBytes });

  function mapCtx(upn: string | null): MapContext {
    return {
      sourceId: config.id,
      upn,
      admin,
      printerName: (id) => printerNames.get(id) ?? null,
      documentName: (key) => documentNames.get(key) ?? null,
    };
  }

  function targetFrom(via: Via, p: PrinterLike): WatchedTarget {
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

  const bare = (via: Via, id: string): WatchedTarget => ({ via, id, name: id, state: null, details: [], description: null, isAcceptingJobs: null });

  function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
      const onAbort = () => {
        deps.clock.clearTimeout(h);
        reject(signal.reason ?? new Error('aborted'));
      };
      const h = deps.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The UPN known without asking: the setting, the signed-in account, or Graph's answer to /me. */
  function knownUpn(): string | null {
    return config.userPrincipalName ?? tokens.account?.()?.username ?? (me && 'upn' in me ? me.upn : null);
  }

  /**
   * The UPN for "my jobs": the setting, the signed-in account, else Graph's `GET /me`, asked once
   * per token (access tokens are opaque to clients: they are never decoded).
   */
  async function currentUpn(signal: AbortSignal): Promise<string> {
    if (config.userPrincipalName) return config.userPrincipalName;
    const acct = tokens.account?.()?.username;
    if (acct) return acct;
    const token = await tokens.getToken({ scopes: readScopes }, signal);
    const named = tokens.account?.()?.username;
    if (named) return named;
    const fingerprint = createHash('sha256').update(token).digest('hex');
    if (me?.fingerprint !== fingerprint) me = { fingerprint, ...(await askMe(signal)) };
    if ('error' in me) throw me.error;
    return me.upn;
  }

  async function askMe(signal: AbortSignal): Promise<{ upn: string } | { error: SourceError }> {
    try {
      const res = await client.send({ method: 'GET', path: '/me?$select=userPrincipalName', signal, scopes: readScopes }, MeSchema);
      return { upn: res.data.userPrincipalName };
    } catch (e) {
      if (!(e instanceof HttpError && e.kind === 'http')) throw e;
      if (e.status === 400 && /delegated/i.test(e.serviceMessage ?? '')) {
        const said = e.serviceMessage!.replace(/\.$/, '');
        return {
          error: new SourceError(
            'auth-required',
            `The token of "${name}" is an app-only token, which has no signed-in user ("${said}"), so "my jobs" cannot be listed: use a delegated token, set userPrincipalName in Settings, or watch everyone's jobs (scope "all").`,
          ),
        };
      }
      if (e.status === 403) return { error: new SourceError('auth-required', permissionMessage('read-me', "the request for the signed-in user's name", e.serviceMessage)) };
      throw e;
    }
  }

  function jobsUrl(t: WatchedTarget, upn: string | null): string {
    const base = `/print/${t.via}/${seg(t.id)}/jobs`;
    // Documents (for the queue's document column) come only when asked for.
    if (scopeAll) return `${base}?$expand=documents`;
    return `${base}?$filter=${encodeURIComponent(`createdBy/userPrincipalName eq '${(upn ?? '').replace(/'/g, "''")}'`)}&$expand=documents`;
  }

  function describeItem(step: Step, a: BatchItemAnswer): StepProblem {
    const said = graphErrorMessage(a.body);
    const where = step.target ? `${step.target.via === 'shares' ? 'share' : 'printer'} "${step.target.name}"` : '';
    const what =
      step.kind === 'jobs'
        ? `the job list of ${where}`
        : step.kind === 'share-list'
          ? 'the list of printer shares'
          : step.kind === 'job' || step.kind === 'tracked'
            ? `job "${step.where?.jobId ?? ''}" on ${where}`
            : `${step.kind} "${step.target?.name ?? ''}"`;
    if (a.status === 403) return { step, status: 403, forbidden: true, message: permissionMessage(step.op, what, said) };
    if (a.status === 404) {
      return { step, status: 404, forbidden: false, message: `Universal Print does not know ${what}${said ? ` ("${said}")` : ''}: check the share and printer ids in Settings.` };
    }
    return { step, status: a.status, forbidden: false, message: `Universal Print answered ${a.status} for ${what}${said ? `: ${said}` : ''}.` };
  }

  /**
   * Runs steps through $batch (<= 20 each), following next pages, re-sending throttled steps after
   * the longest Retry-After among them and 401 steps once with a refreshed token.
   */
  async function run(initial: Step[], signal: AbortSignal, onPage: (step: Step, body: unknown) => { next: string | null; error: string | null }): Promise<RunResult> {
    const queue = [...initial];
    const problems: StepProblem[] = [];
    let refreshed = false;
    let rounds = 0;
    for (;;) {
      const throttled: { step: Step; retryAfterMs: number | null }[] = [];
      const unauthorized: Step[] = [];
      while (queue.length) {
        const chunk = queue.splice(0, MAX_BATCH);
        const answers = await client.batch(
          chunk.map((s) => ({ id: s.id, method: 'GET' as const, url: s.url })),
          readScopes,
          signal,
          refreshed,
        );
        for (const step of chunk) {
          const a = answers.get(step.id)!;
          if (a.status >= 200 && a.status < 300) {
            const r = onPage(step, a.body);
            if (r.error) problems.push({ step, status: a.status, forbidden: false, message: r.error });
            if (r.next) {
              try {
                queue.push({ ...step, id: String(++stepCounter), url: client.relativeLink(r.next) });
              } catch (e) {
                if (!(e instanceof ForeignLinkError)) throw e;
                deps.logger.warn('Graph next-page link refused', { sourceId: config.id, host: safeHost(r.next) });
                problems.push({ step, status: null, forbidden: false, message: e.message });
              }
            }
          } else if (a.status === 429 || ((a.status === 503 || a.status === 504) && a.headers['retry-after'] !== undefined)) {
            throttled.push({ step: { ...step, id: String(++stepCounter) }, retryAfterMs: retryAfter(a.headers['retry-after']) });
          } else if (a.status === 401) {
            unauthorized.push({ ...step, id: String(++stepCounter) });
          } else {
            problems.push(describeItem(step, a));
          }
        }
      }
      if (unauthorized.length) {
        if (refreshed) {
          throw new AuthRequiredError('Universal Print no longer accepts the sign-in (401 after a token refresh): sign in again.');
        }
        refreshed = true;
        queue.push(...unauthorized);
      }
      if (throttled.length) {
        const wait = Math.max(...throttled.map((t) => t.retryAfterMs ?? backoff(rounds)));
        if (rounds >= maxRounds || wait > maxWait) {
          return { problems, throttled: throttled.map((t) => t.step), retryAfterMs: wait };
        }
        rounds += 1;
        deps.logger.info('Graph batch steps throttled; re-sending after Retry-After', { sourceId: config.id, steps: throttled.length, waitMs: wait });
        await sleep(wait, signal);
        queue.push(...throttled.map((t) => t.step));
      }
      if (!queue.length) return { problems, throttled: [], retryAfterMs: null };
    }
  }

  function retryAfter(v: string | undefined): number | null {
    if (v === undefined) return null;
    const t = v.trim();
    if (/^\d+(\.\d+)?$/.test(t)) return Math.round(parseFloat(t) * 1000);
    const at = Date.parse(t);
    return Number.isNaN(at) ? null : Math.max(0, at - deps.clock.now());
  }

  /** Exponential backoff with jitter when a throttled step gave no Retry-After. */
  function backoff(round: number): number {
    const base = Math.min(8000, 1000 * 2 ** round);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  /** Shares (and printers) to watch, with their status. Runs on the first cycle and when due. */
  async function discover(signal: AbortSignal): Promise<void> {
    const found = new Map<string, WatchedTarget>();
    const steps: Step[] = [];
    if (sharesSetting === 'all') steps.push({ id: String(++stepCounter), url: '/print/shares', kind: 'share-list', op: 'list-shares' });
    else for (const id of sharesSetting) steps.push({ id: String(++stepCounter), url: `/print/shares/${seg(id)}`, kind: 'share', op: 'read-share', target: bare('shares', id) });
    for (const id of config.printers ?? []) steps.push({ id: String(++stepCounter), url: `/print/printers/${seg(id)}`, kind: 'printer', op: 'read-printer', target: bare('printers', id) });
    if (!steps.length) {
      targets = [];
      discoveredAt = deps.clock.now();
      discoveryProblems = [];
      return;
    }
    const res = await run(steps, signal, (step, body) => {
      if (step.kind === 'share-list') {
        const page = PrinterPageSchema.safeParse(body);
        if (!page.success) return { next: null, error: `Universal Print answered the list of printer shares with an unexpected shape (${describeSchemaError(page.error)}).` };
        for (const s of page.data.value) if (SAFE_ID.test(s.id)) found.set(`shares/${s.id}`, targetFrom('shares', s));
        return { next: page.data['@odata.nextLink'] ?? null, error: null };
      }
      const one = PrinterLikeSchema.safeParse(body);
      if (!one.success) return { next: null, error: `Universal Print answered ${step.kind} "${step.target!.id}" with an unexpected shape (${describeSchemaError(one.error)}).` };
      const via: Via = step.kind === 'share' ? 'shares' : 'printers';
      const t = targetFrom(via, { ...one.data, id: step.target!.id });
      found.set(`${via}/${t.id}`, t);
      if (via === 'printers') printerNames.set(t.id, t.name);
      return { next: null, error: null };
    });
    // A chosen share or printer whose look-up failed is still watched (by id), unless it is unknown.
    for (const p of res.problems) {
      const t = p.step.target;
      if (t && p.status !== 404 && !found.has(`${t.via}/${t.id}`)) found.set(`${t.via}/${t.id}`, t);
    }
    for (const s of res.throttled) if (s.target && !found.has(`${s.target.via}/${s.target.id}`)) found.set(`${s.target.via}/${s.target.id}`, s.target);
    // A failed "all shares" listing keeps the shares known before.
    if (sharesSetting === 'all' && (res.problems.some((p) => p.step.kind === 'share-list') || res.throttled.some((s) => s.kind === 'share-list'))) {
      for (const t of targets) if (t.via === 'shares' && !found.has(`shares/${t.id}`)) found.set(`shares/${t.id}`, t);
    }
    targets = [...found.values()];
    discoveryProblems = res.problems;
    const complete = res.problems.length === 0 && res.throttled.length === 0;
    // Incomplete discovery is retried on the next cycle.
    discoveredAt = complete ? deps.clock.now() : null;
  }

  function printerHealth(): { problems: string[]; detail: Record<string, unknown>[] } {
    const problems: string[] = [];
    const detail = targets.map((t) => {
      if (t.state === 'stopped') problems.push(`${t.name} is stopped${t.description ? ` (${t.description})` : t.details.length ? ` (${t.details.join(', ')})` : ''}.`);
      else if (t.isAcceptingJobs === false) problems.push(`${t.name} is not accepting jobs.`);
      return { kind: t.via === 'shares' ? 'share' : 'printer', id: t.id, name: t.name, state: t.state, details: t.details, description: t.description, isAcceptingJobs: t.isAcceptingJobs };
    });
    return { problems, detail };
  }

  function toSourceError(e: unknown): SourceError {
    if (e instanceof SourceError) return e;
    if (e instanceof AuthRequiredError) return new SourceError('auth-required', e.message, { cause: e });
    if (e instanceof HttpError) {
      if (e.kind === 'unreachable' || e.kind === 'timeout') {
        return new SourceError('down', `Universal Print (${client.host}) could not be reached: ${e.kind === 'timeout' ? 'no answer in time' : e.message.replace(/^.*could not be reached \((.*)\)$/, '$1')}. Check the network connection.`, { cause: e });
      }
      if (e.kind === 'redirect') return new SourceError('degraded', `Universal Print ${e.message.replace(/^[A-Z]+ \S+ /, '')}`, { cause: e });
      if (e.kind === 'malformed' || e.kind === 'too-large') {
        return new SourceError('degraded', `Universal Print answered with something the app cannot read (${e.message.replace(/^[A-Z]+ \S+ /, '')}); the jobs shown are the last known.`, { cause: e });
      }
      if (e.kind === 'http') {
        if (e.status === 403) return new SourceError('auth-required', permissionMessage(scopeAll ? 'list-all-jobs' : 'list-my-jobs', 'the job lists', e.serviceMessage), { cause: e });
        const wait = e.retryAfterMs;
        const said = e.serviceMessage ? `: ${e.serviceMessage}` : '';
        return new SourceError('degraded', `Universal Print answered ${e.status}${said}${wait ? `; retrying in ${Math.ceil(wait / 1000)} s` : ''}.`, { cause: e, retryAfterMs: wait });
      }
    }
    if (e instanceof Error && e.name === 'AbortError') throw e;
    return new SourceError('degraded', `Universal Print poll failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }

  // ---------------------------------------------------------------- tracked job ids

  interface ActiveTracked {
    entry: TrackedJob;
    where: JobWhere;
    key: string;
  }

  function jobUrl(w: JobWhere, expand: string | null): string {
    return `/print/${w.via}/${seg(w.ownerId)}/jobs/${seg(w.jobId)}${expand ? `?$expand=${expand}` : ''}`;
  }

  function isWatched(w: { via: Via; ownerId: string }): boolean {
    return targets.some((t) => t.via === w.via && t.id === w.ownerId);
  }

  function isFinal(j: SourceJob | undefined): boolean {
    return !!j && (j.state === 'completed' || j.state === 'failed' || j.state === 'canceled');
  }

  /** The tracked entries of this source still to poll (one per job). */
  async function activeTracked(): Promise<ActiveTracked[]> {
    let list: TrackedJob[];
    try {
      list = await deps.tracked.list(config.id);
    } catch (e) {
      deps.logger.warn('Universal Print: the tracked job ids could not be read; only the job lists are polled', { sourceId: config.id, error: e instanceof Error ? e.message : String(e) });
      return [];
    }
    const out = new Map<string, ActiveTracked>();
    for (const entry of list) {
      if (entry.finishedAt) continue;
      const where = parseTrackedId(entry.id, entry.submission);
      if (!where || !SAFE_ID.test(where.ownerId) || !SAFE_ID.test(where.jobId)) continue;
      const key = makeJobKey(config.id, locatorOf(where.ownerId, where.jobId));
      if (!out.has(key)) out.set(key, { entry, where, key });
    }
    return [...out.values()];
  }

  /** Marks the tracked entries whose job is final or purged as finished: kept, never polled again. */
  async function finishTracked(list: ActiveTracked[], done: (key: string) => boolean): Promise<void> {
    const at = new Date(deps.clock.now()).toISOString();
    for (const t of list) {
      if (!done(t.key)) continue;
      try {
        await deps.tracked.update(config.id, t.entry.id, { finishedAt: at });
      } catch (e) {
        deps.logger.warn('Universal Print: a finished tracked job could not be marked', { sourceId: config.id, key: t.key, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  function placeName(t: WatchedTarget): string {
    return `${t.via === 'shares' ? 'share' : 'printer'} "${t.name}"${t.name !== t.id ? ` (${t.id})` : ''}`;
  }

  /**
   * Tracks a job id handed in from outside. A Graph job id is unique per printer only, so a plain
   * id is looked for on every watched share and printer (one batched GET each); the locator form
   * `<share or printer id>/<job id>` names the place, watched or not. The job is then kept in the
   * tracked list and polled with a GET on its share or printer even when that one is not watched.
   */
  async function track(id: string, _opts: { kind?: 'html' | 'pdf' }, signal: AbortSignal): Promise<SourceJob> {
    const raw = id.trim();
    const slash = raw.indexOf('/');
    const jobId = slash >= 0 ? raw.slice(slash + 1) : raw;
    const ownerId = slash >= 0 ? raw.slice(0, slash) : null;
    if (!SAFE_ID.test(jobId) || (ownerId !== null && !SAFE_ID.test(ownerId))) {
      throw new AppFailure('invalid-input', `"${raw.slice(0, 80)}" is not a Universal Print job id (or <share or printer id>/<job id>).`, { field: 'id', sourceId: config.id });
    }
    try {
      const upn = scopeAll ? null : await currentUpn(signal);
      if (discoveredAt === null) await discover(signal);
      let places: WatchedTarget[];
      if (ownerId === null) {
        places = [...targets];
        if (!places.length) {
          throw new AppFailure('not-found', `Universal Print job "${jobId}" cannot be looked for: "${name}" watches no share or printer. Choose shares in Settings, or give the job as <share id>/<job id>.`, { sourceId: config.id });
        }
      } else {
        const watched = targets.filter((t) => t.id === ownerId);
        places = watched.length ? watched : [bare('shares', ownerId), bare('printers', ownerId)];
      }
      const hits: { target: WatchedTarget; pj: PrintJob }[] = [];
      const steps: Step[] = places.map((t) => {
        const where: JobWhere = { via: t.via, ownerId: t.id, jobId };
        return { id: String(++stepCounter), url: jobUrl(where, 'documents'), kind: 'job', op: 'read-job', target: t, where };
      });
      // A place nobody watches is named by its share's (or printer's) name, read in the same batch.
      const nameSteps = placeNameSteps(places.map((t) => ({ via: t.via, ownerId: t.id })));
      const res = withoutPlaceNames(await run([...steps, ...nameSteps], signal, (step, body) => {
        if (tookPlaceName(step, body)) return { next: null, error: null };
        const one = PrintJobSchema.safeParse(body);
        if (!one.success) return { next: null, error: `Universal Print answered job "${jobId}" on ${placeName(step.target!)} with an unexpected shape (${describeSchemaError(one.error)}).` };
        hits.push({ target: step.target!, pj: one.data });
        return { next: null, error: null };
      }));
      // The first hit in watch order wins; several places showing the very same job (a share and
      // its printer) are one job. Different jobs with the id are ambiguous.
      hits.sort((a, b) => places.indexOf(a.target) - places.indexOf(b.target));
      const identity = (pj: PrintJob) => JSON.stringify([pj.id, pj.createdDateTime ?? null, pj.createdBy?.id ?? pj.createdBy?.userPrincipalName ?? null]);
      const distinct = new Map<string, WatchedTarget[]>();
      for (const h of hits) distinct.set(identity(h.pj), [...(distinct.get(identity(h.pj)) ?? []), h.target]);
      if (distinct.size > 1) {
        throw new AppFailure(
          'conflict',
          `Universal Print job id "${jobId}" names different jobs on ${hits.map((h) => placeName(h.target)).join(', ')}; a job id is unique per printer only, so the app cannot tell which one is meant. Watch only the share the job was sent to, or open the job from the queue.`,
          { sourceId: config.id },
        );
      }
      if (!hits.length) {
        // Probing an unwatched id as a printer too: a refusal there only means it is no printer this
        // account may read.
        const probing = ownerId !== null && !targets.some((t) => t.id === ownerId);
        const quiet = (p: StepProblem) => probing && p.step.target?.via === 'printers' && p.status === 403;
        const missing = res.problems.filter((p) => p.status !== 404 && !quiet(p));
        const lookedAt = places.filter((t) => !res.problems.some((p) => p.step.target === t && p.status !== 404) && !res.throttled.some((st) => st.target === t));
        const notFoundOn = lookedAt.length ? `Universal Print has no job "${jobId}" on ${lookedAt.map(placeName).join(', ')}` : null;
        if (res.throttled.length) {
          // A place that could not be searched may hold the job: not "not found", but "try again".
          const wait = Math.ceil((res.retryAfterMs ?? 1000) / 1000);
          throw new AppFailure(
            'unreachable',
            `Universal Print is throttling requests, so job "${jobId}" could not be looked for on ${res.throttled.map((st) => placeName(st.target!)).join(', ')}${notFoundOn ? ` (${notFoundOn.replace(/^Universal Print has/, 'there is')})` : ''}; try again in ${wait} s.`,
            { sourceId: config.id },
          );
        }
        const failed = missing.filter((p) => !p.forbidden);
        if (failed.length) throw new AppFailure('unreachable', `${notFoundOn ? `${notFoundOn}, but ` : ''}${failed.map((p) => p.message.replace(/\.$/, '')).join('; ')}; try again.`, { sourceId: config.id });
        if (!notFoundOn) throw new AppFailure('not-allowed', missing[0].message, { sourceId: config.id });
        // Places the account may not read are named, since the job may be there.
        throw new AppFailure('not-found', `${notFoundOn}${missing.length ? ` (not searched: ${missing.map((p) => p.message.replace(/\.$/, '')).join('; ')})` : ''}.`, { sourceId: config.id });
      }
      const hit = hits[0];
      const where: JobWhere = { via: hit.target.via, ownerId: hit.target.id, jobId };
      const job = toSourceJob(hit.pj, targetFor(where.via, where.ownerId), mapCtx(upn ?? knownUpn()));
      const storedId = trackedIdOf(where);
      const at = new Date(deps.clock.now()).toISOString();
      const existing = (await deps.tracked.list(config.id)).find((t) => t.id === storedId);
      if (existing) {
        if (existing.finishedAt && !isFinal(job)) await deps.tracked.update(config.id, storedId, { finishedAt: undefined });
      } else {
        await deps.tracked.add({ sourceId: config.id, id: storedId, addedAt: at, ...(isFinal(job) ? { finishedAt: at } : {}) });
      }
      goneKeys.delete(job.key);
      deps.logger.info('Universal Print job tracked', { sourceId: config.id, key: job.key });
      return job;
    } catch (e) {
      throw failure(e, 'read-job', `look up job "${jobId}"`);
    }
  }

  async function untrack(job: Job): Promise<void> {
    const w = whereOf(job);
    for (const t of await deps.tracked.list(config.id)) {
      const tw = parseTrackedId(t.id, t.submission);
      if (tw && tw.via === w.via && tw.ownerId === w.ownerId && tw.jobId === w.jobId) await deps.tracked.remove(config.id, t.id);
    }
  }

  async function poll(ctx: PollContext): Promise<PollResult> {
    try {
      // Everyone's jobs need no user name; it only marks which of them are the user's own.
      const upn = scopeAll ? await currentUpn(ctx.signal).catch((e: unknown) => (e instanceof SourceError ? null : Promise.reject(e))) : await currentUpn(ctx.signal);
      if (discoveredAt === null || deps.clock.now() - discoveredAt >= discoveryEvery) await discover(ctx.signal);
      const mctx = mapCtx(upn);
      const jobs: SourceJob[] = [];
      const seen = new Set<string>();
      const steps: Step[] = targets.map((t) => ({ id: String(++stepCounter), url: jobsUrl(t, upn), kind: 'jobs', op: scopeAll || t.via === 'printers' ? 'list-all-jobs' : 'list-my-jobs', target: t }));
      // Tracked jobs the lists do not show (another share, another user's job, or not listed last
      // time) get one GET each, in the same batches.
      const trackedNow = await activeTracked();
      const trackedSteps: Step[] = trackedNow
        .filter((t) => !(isWatched(t.where) && listedKeys.has(t.key)))
        .map((t) => ({ id: String(++stepCounter), url: jobUrl(t.where, 'documents'), kind: 'tracked', op: 'read-job', target: targetFor(t.where.via, t.where.ownerId), where: t.where }));
      // Names first: a tracked job read in the same batch already shows its share's name.
      const nameSteps = placeNameSteps(trackedSteps.map((st) => st.where!));
      const listed = new Set<string>();
      const res = withoutPlaceNames(await run([...steps, ...nameSteps, ...trackedSteps], ctx.signal, (step, body) => {
        if (tookPlaceName(step, body)) return { next: null, error: null };
        if (step.kind === 'tracked') {
          const one = PrintJobSchema.safeParse(body);
          if (!one.success) return { next: null, error: `Universal Print answered tracked job "${step.where!.jobId}" with an unexpected shape (${describeSchemaError(one.error)}).` };
          const j = toSourceJob(one.data, targetFor(step.where!.via, step.where!.ownerId), mctx);
          if (!seen.has(j.key)) {
            seen.add(j.key);
            jobs.push(j);
          }
          return { next: null, error: null };
        }
        const page = JobPageSchema.safeParse(body);
        if (!page.success) {
          return { next: null, error: `Universal Print answered the job list of "${step.target!.name}" with an unexpected shape (${describeSchemaError(page.error)}).` };
        }
        for (const pj of page.data.value) {
          const j = toSourceJob(pj, step.target!, mctx);
          listed.add(j.key);
          if (seen.has(j.key)) continue;
          seen.add(j.key);
          jobs.push(j);
        }
        return { next: page.data['@odata.nextLink'] ?? null, error: null };
      }));

      listedKeys = listed;
      // A tracked job that 404s has been purged: gone, and never asked for again.
      const purged = new Set(res.problems.filter((p) => p.step.kind === 'tracked' && p.status === 404).map((p) => makeJobKey(config.id, locatorOf(p.step.where!.ownerId, p.step.where!.jobId))));
      res.problems = res.problems.filter((p) => !(p.step.kind === 'tracked' && p.status === 404));
      for (const k of purged) goneKeys.add(k);
      const byKey = new Map(jobs.map((j) => [j.key, j]));
      await finishTracked(trackedNow, (key) => purged.has(key) || isFinal(byKey.get(key)));

      const problems = [...discoveryProblems, ...res.problems];
      if (steps.length > 0 && problems.length > 0 && res.throttled.length === 0 && jobs.length === 0) {
        const failedJobSteps = new Set(res.problems.filter((p) => p.step.kind === 'jobs').map((p) => p.step.target!.id));
        if (failedJobSteps.size === steps.length) {
          // Nothing at all could be listed: say so as the source's state.
          const forbidden = res.problems.find((p) => p.forbidden);
          if (forbidden) throw new SourceError('auth-required', forbidden.message);
          throw new SourceError('degraded', res.problems[0].message);
        }
      }
      if (steps.length === 0 && problems.some((p) => p.forbidden)) throw new SourceError('auth-required', problems.find((p) => p.forbidden)!.message);

      const ph = printerHealth();
      const gone = [...goneKeys].filter((k) => !seen.has(k));
      goneKeys.clear();
      const complete = problems.length === 0 && res.throttled.length === 0;
      const detail: Record<string, unknown> = { printers: ph.detail };
      if (res.throttled.length) detail.throttledSteps = res.throttled.length;
      if (problems.length) detail.problems = problems.map((p) => p.message);
      let health: PollResult['health'];
      if (res.throttled.length) {
        health = { status: 'degraded', message: `Universal Print is throttling requests: ${res.throttled.length} job list${res.throttled.length === 1 ? '' : 's'} will be fetched again in ${Math.ceil((res.retryAfterMs ?? 0) / 1000)} s.`, detail };
      } else if (problems.length) {
        health = { status: 'degraded', message: problems.length === 1 ? problems[0].message : `${problems[0].message} (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})`, detail };
      } else if (targets.length === 0) {
        health = { status: 'ok', message: sharesSetting === 'all' ? 'No printer shares are visible to this account.' : 'No shares or printers are chosen to watch in Settings.', detail };
      } else {
        const base = `Watching ${targets.length} ${targets.length === 1 ? 'printer' : 'printers'}${scopeAll ? '' : ' for your jobs'}.`;
        health = { status: 'ok', message: ph.problems.length ? `${base} ${ph.problems.join(' ')}` : base, detail };
      }
      const out: PollResult = { jobs, complete, health, printers: targets.map((t) => toGraphPrinter(config.id, t)) };
      if (gone.length) out.gone = gone;
      if (res.retryAfterMs !== null) out.retryAfterMs = res.retryAfterMs;
      return out;
    } catch (e) {
      throw toSourceError(e);
    }
  }

  // ---------------------------------------------------------------- actions on one job

  function whereOf(job: Job): { via: Via; ownerId: string; jobId: string } {
    const x = job.extra as { via?: unknown; ownerId?: unknown; jobId?: unknown };
    if ((x.via === 'shares' || x.via === 'printers') && typeof x.ownerId === 'string' && typeof x.jobId === 'string') return { via: x.via, ownerId: x.ownerId, jobId: x.jobId };
    const locator = job.key.slice(job.key.indexOf(':') + 1);
    const i = locator.lastIndexOf('/');
    if (i <= 0) throw new AppFailure('invalid-input', `"${job.key}" is not a Universal Print job key.`, { sourceId: config.id });
    const ownerId = locator.slice(0, i);
    const via: Via = (config.printers ?? []).includes(ownerId) && !(Array.isArray(sharesSetting) && sharesSetting.includes(ownerId)) ? 'printers' : 'shares';
    return { via, ownerId, jobId: locator.slice(i + 1) };
  }

  function targetFor(via: Via, ownerId: string): WatchedTarget {
    const watched = targets.find((t) => t.via === via && t.id === ownerId);
    if (watched) return watched;
    const place = bare(via, ownerId);
    place.name = placeNames.get(`${via}/${ownerId}`) ?? ownerId;
    return place;
  }

  /**
   * Steps that read the names of shares and printers nobody watches, for the tracked jobs on them:
   * once, or again after the discovery interval when the name could not be read. Best effort: a
   * failure leaves the id in the name's place and never makes the cycle incomplete.
   */
  function placeNameSteps(places: readonly { via: Via; ownerId: string }[]): Step[] {
    const now = deps.clock.now();
    const steps: Step[] = [];
    for (const { via, ownerId } of places) {
      const key = `${via}/${ownerId}`;
      if (isWatched({ via, ownerId }) || placeNames.has(key)) continue;
      const asked = placeNameAskedAt.get(key);
      if (asked !== undefined && now - asked < discoveryEvery) continue;
      placeNameAskedAt.set(key, now);
      steps.push({ id: String(++stepCounter), url: `/print/${via}/${seg(ownerId)}`, kind: 'place-name', op: via === 'shares' ? 'read-share' : 'read-printer', target: bare(via, ownerId) });
    }
    return steps;
  }

  /** Takes a place-name step's answer; true when the step was one. */
  function tookPlaceName(step: Step, body: unknown): boolean {
    if (step.kind !== 'place-name') return false;
    const one = PrinterLikeSchema.safeParse(body);
    const name = one.success ? one.data.displayName?.trim() : undefined;
    if (name) placeNames.set(`${step.target!.via}/${step.target!.id}`, name);
    return true;
  }

  /** Place-name steps are best effort: their failures and throttling are left out of a cycle's result. */
  function withoutPlaceNames(res: RunResult): RunResult {
    const dropped = res.problems.filter((p) => p.step.kind === 'place-name');
    if (dropped.length) deps.logger.debug('Universal Print: names of unwatched shares or printers could not be read', { sourceId: config.id, problems: dropped.map((p) => p.message) });
    const throttled = res.throttled.filter((st) => st.kind !== 'place-name');
    return { problems: res.problems.filter((p) => p.step.kind !== 'place-name'), throttled, retryAfterMs: throttled.length ? res.retryAfterMs : null };
  }

  function failure(e: unknown, op: Operation, what: string, key?: string): AppFailure {
    if (e instanceof AppFailure) return e;
    if (e instanceof AuthRequiredError) return new AppFailure('auth-required', e.message, { sourceId: config.id });
    if (e instanceof HttpError) {
      const said = e.serviceMessage?.replace(/\.$/, '') ?? null;
      if (e.kind === 'unreachable' || e.kind === 'timeout') return new AppFailure('unreachable', `Universal Print (${client.host}) could not be reached to ${what}.`, { sourceId: config.id });
      if (e.kind === 'malformed') return new AppFailure('internal', `Universal Print answered the request to ${what} with something the app cannot read.`, { sourceId: config.id });
      if (e.kind === 'aborted') return new AppFailure('internal', `The request to ${what} was cancelled.`, { sourceId: config.id });
      if (e.status === 403) return new AppFailure('not-allowed', permissionMessage(op, `the request to ${what}`, said), { sourceId: config.id });
      if (e.status === 404) {
        if (key) goneKeys.add(key);
        return new AppFailure('not-found', `Universal Print no longer knows this job (it has been purged)${said ? `: ${said}` : ''}.`, { sourceId: config.id });
      }
      if (e.status === 429 || (e.status ?? 0) >= 500) return new AppFailure('unreachable', `Universal Print could not ${what} right now (${e.status}${said ? `: ${said}` : ''}); try again${e.retryAfterMs ? ` in ${Math.ceil(e.retryAfterMs / 1000)} s` : ' later'}.`, { sourceId: config.id });
      return new AppFailure('conflict', `Universal Print refused to ${what}${said ? `: ${said}` : ` (${e.status})`}.`, { sourceId: config.id });
    }
    return new AppFailure('internal', `Could not ${what}: ${e instanceof Error ? e.message : String(e)}`, { sourceId: config.id });
  }

  /** Printer ids behind shares, as Graph named them. */
  const sharePrinters = new Map<string, string>();

  /**
   * The printer behind a share: `GET /print/shares/{id}?$expand=printer`, which needs
   * Printer.Read.All and the Printer Administrator role — the admin app in admin mode, or the
   * signed-in administrator when printers are watched. null for everyone else.
   */
  async function sharePrinterId(shareId: string, signal: AbortSignal): Promise<string | null> {
    const known = sharePrinters.get(shareId);
    if (known) return known;
    const as = admin && appTokens ? { scopes: [], tokens: appTokens } : config.printers?.length || scopeAll ? { scopes: readScopes } : null;
    if (!as) return null;
    let printerId: string | null;
    try {
      printerId = (await client.send({ method: 'GET', path: `/print/shares/${seg(shareId)}?$expand=printer`, signal, ...as }, SharePrinterSchema)).data.printer?.id ?? null;
    } catch (e) {
      throw failure(e, 'read-printer', `read the printer of share "${targetFor('shares', shareId).name}"`);
    }
    if (printerId) sharePrinters.set(shareId, printerId);
    return printerId;
  }

  async function fetchJob(job: Job, signal: AbortSignal, expand: boolean): Promise<PrintJob> {
    const w = whereOf(job);
    try {
      const res = await client.send(
        { method: 'GET', path: `/print/${w.via}/${seg(w.ownerId)}/jobs/${seg(w.jobId)}${expand ? '?$expand=documents,tasks' : ''}`, signal, scopes: readScopes },
        PrintJobSchema,
      );
      return res.data;
    } catch (e) {
      throw failure(e, 'read-job', 'read the job', job.key);
    }
  }

  async function act(job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
    const w = whereOf(job);
    const target = targetFor(w.via, w.ownerId);
    const upn = knownUpn();
    if (action.type === 'cancel') {
      if (job.gone) throw new AppFailure('not-found', 'Universal Print no longer knows this job.', { sourceId: config.id });
      if (job.state === 'completed' || job.state === 'failed' || job.state === 'canceled') {
        throw new AppFailure('too-late', `The job is already ${job.rawState}; it can no longer be canceled.`, { sourceId: config.id });
      }
      try {
        await client.send({ method: 'POST', path: `/print/${w.via}/${seg(w.ownerId)}/jobs/${seg(w.jobId)}/cancel`, signal, scopes: readScopes });
      } catch (e) {
        const f = failure(e, 'cancel', 'cancel the job', job.key);
        if (f.code === 'conflict' && /already|no longer/i.test(f.message)) throw new AppFailure('too-late', f.message, { sourceId: config.id });
        throw f;
      }
      deps.logger.info('Universal Print job canceled', { sourceId: config.id, key: job.key });
    } else if (action.type === 'abort') {
      if (!admin || !appTokens) {
        throw new AppFailure('unsupported', 'Abort needs admin mode (application permissions through client credentials); turn it on for this source in Settings.', { sourceId: config.id });
      }
      if (w.via !== 'printers') {
        throw new AppFailure('unsupported', 'Abort works on jobs watched through their printer; add the printer to "printers" in the settings.', { sourceId: config.id });
      }
      if (!job.rawState.startsWith('processing')) {
        throw new AppFailure('too-late', `Only a processing job can be aborted; this one is ${job.rawState}.`, { sourceId: config.id });
      }
      try {
        await client.send({ method: 'POST', path: `/print/printers/${seg(w.ownerId)}/jobs/${seg(w.jobId)}/abort`, body: action.reason ? { reason: action.reason } : {}, signal, scopes: [], tokens: appTokens });
      } catch (e) {
        const f = failure(e, 'abort', 'abort the job', job.key);
        if (f.code === 'conflict') {
          throw new AppFailure(
            'conflict',
            `${f.message.replace(/\.$/, '')}. Graph aborts a job only while a print task created by a task trigger of this app's registration is processing on it; this job has no such task (it was not handed to this app by a trigger), so it cannot be aborted from here — cancel it instead.`,
            { sourceId: config.id },
          );
        }
        throw f;
      }
      deps.logger.info('Universal Print job aborted', { sourceId: config.id, key: job.key });
    } else {
      throw new AppFailure('unsupported', `Universal Print jobs cannot be ${{ hold: 'held', release: 'released', pause: 'paused', resume: 'resumed' }[action.type]} from here.`, { sourceId: config.id });
    }
    try {
      return toSourceJob(await fetchJob(job, signal, false), target, mapCtx(upn));
    } catch {
      // The action succeeded; the follow-up read did not: report what the action implies.
      const state = action.type === 'cancel' ? 'canceled' : 'aborted';
      return toSourceJob({ id: w.jobId, createdDateTime: job.createdAt, status: { state, description: null, details: [] } }, target, mapCtx(upn));
    }
  }

  async function details(job: Job, signal: AbortSignal): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
    const pj = await fetchJob(job, signal, true);
    const docs = (pj.documents ?? []).map((d) => ({
      id: d.id,
      name: d.displayName || null,
      contentType: d.contentType || null,
      size: d.size ?? null,
      uploadedAt: d.uploadedDateTime ?? null,
      downloadedAt: d.downloadedDateTime ?? null,
    }));
    const first = docs.find((d) => d.name);
    if (first?.name) documentNames.set(job.key, first.name);
    const facts: { label: string; value: string }[] = [{ label: 'State', value: pj.status.state + (pj.status.details?.length ? ` (${pj.status.details.join(', ')})` : '') }];
    if (pj.status.description) facts.push({ label: 'Description', value: pj.status.description });
    if (pj.createdBy?.userPrincipalName) facts.push({ label: 'Submitted by', value: pj.createdBy.userPrincipalName });
    if (pj.errorCode !== null && pj.errorCode !== undefined) facts.push({ label: 'Error code', value: String(pj.errorCode) });
    if (pj.redirectedTo) {
      const m = toSourceJob(pj, targetFor(whereOf(job).via, whereOf(job).ownerId), mapCtx(null));
      facts.push({ label: 'Redirected', value: String(m.extra.redirectedTo) });
    }
    if (pj.redirectedFrom) facts.push({ label: 'Redirected from', value: pj.redirectedFrom });
    if (pj.acknowledgedDateTime) facts.push({ label: 'Acknowledged by the printer', value: pj.acknowledgedDateTime });
    return {
      documents: docs,
      tasks: (pj.tasks ?? []).map((t) => ({ id: t.id, state: t.status?.state ?? 'unknown', description: t.status?.description ?? null })),
      facts,
    };
  }

  const source: JobSource = {
    id: config.id,
    kind: 'graph',
    name,
    loopback: false,
    poll,
    act,
    track,
    untrack,
    details,
    print: (req, file, ctx) => printing.print(req, file, ctx),
    cancelUpload: (job, signal) => printing.cancelUpload(job, signal, whereOf(job)),
    retry: (job, signal) => printing.retry(job, signal),
    async signIn(signal) {
      if (!tokens.signIn) throw new AppFailure('unsupported', `Sign-in needs a client id (an app registration) for "${name}" in Settings; without one the stored token is used.`, { sourceId: config.id });
      // Consent for what this source reads (the admin scopes too when it watches printers or
      // everyone's jobs); the printing scopes are asked for when the user first prints.
      await tokens.signIn({ signal, scopes: readScopes });
      discoveredAt = null;
    },
    async signOut() {
      if (!tokens.signOut) throw new AppFailure('unsupported', `"${name}" uses a stored token; remove it in Settings to sign out.`, { sourceId: config.id });
      await tokens.signOut();
    },
    dispose() {
      printing.dispose();
    },
  };
  return source;
}

/**
 * MSAL sign-in first; while nobody is signed in, a stored TOKEN secret (the CLI's
 * PQM_SECRET_<ID>_TOKEN, automation) is used instead.
 */
export function withStoredTokenFallback(msal: TokenProvider, stored: TokenProvider, deps: SourceDeps, sourceId: string): TokenProvider {
  let usingStored = false;
  return {
    async getToken(req, signal) {
      try {
        const t = await msal.getToken(req, signal);
        usingStored = false;
        return t;
      } catch (e) {
        if (!(e instanceof AuthRequiredError) || msal.account?.() || !(await deps.secrets.has(sourceId, 'TOKEN'))) throw e;
        usingStored = true;
        return stored.getToken(req, signal);
      }
    },
    signIn: msal.signIn ? (o) => msal.signIn!(o) : undefined,
    signOut: msal.signOut ? () => msal.signOut!() : undefined,
    account: () => (usingStored ? (stored.account?.() ?? null) : (msal.account?.() ?? null)),
  };
}

function safeHost(link: string): string {
  try {
    return new URL(link).host;
  } catch {
    return '(invalid URL)';
  }
}

export { locatorOf, makeJobKey };
