/**
 * Graph's JSON $batch, the way this source uses it: GET steps of at most 20 per call, next pages
 * followed, throttled steps (per-item 429, or 503/504 with Retry-After) re-sent after the longest
 * Retry-After among them while the successful steps are kept, and 401 steps sent once more with a
 * refreshed token. Also the best-effort steps that read the names of unwatched shares and printers.
 */
import { parseRetryAfter } from '../../http/client';
import { backoffMs, randomOf, sleep } from '../shared';
import { AuthRequiredError } from './auth';
import { ForeignLinkError, MAX_BATCH, PrinterLikeSchema, graphErrorMessage, seg, type BatchItemAnswer } from './client';
import { bare, isWatched, nextStepId, type GraphContext, type Step, type StepProblem } from './context';
import { permissionMessage, type JobWhere, type Via, type WatchedTarget } from './mapping';

export interface RunResult {
  problems: StepProblem[];
  /** Steps still throttled when the poll ended. */
  throttled: Step[];
  retryAfterMs: number | null;
}

/** What a step's page said: the next page's link, or a problem with it. */
export type OnPage = (step: Step, body: unknown) => { next: string | null; error: string | null };

export function jobUrl(w: JobWhere, expand: string | null): string {
  return `/print/${w.via}/${seg(w.ownerId)}/jobs/${seg(w.jobId)}${expand ? `?$expand=${expand}` : ''}`;
}

/** A share's or printer's job list: the user's own jobs, or everyone's (scope "all"). */
export function jobsUrl(ctx: GraphContext, t: WatchedTarget, upn: string | null): string {
  const base = `/print/${t.via}/${seg(t.id)}/jobs`;
  // Documents (for the queue's document column) come only when asked for.
  if (ctx.scopeAll) return `${base}?$expand=documents`;
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

interface Round {
  throttled: { step: Step; retryAfterMs: number | null }[];
  unauthorized: Step[];
}

/** Sends the queued steps in batches of at most 20; pages, problems and what to re-send land in `round`. */
async function sendQueued(ctx: GraphContext, queue: Step[], problems: StepProblem[], token: { refreshNow: boolean }, signal: AbortSignal, onPage: OnPage): Promise<Round> {
  const round: Round = { throttled: [], unauthorized: [] };
  while (queue.length) {
    const chunk = queue.splice(0, MAX_BATCH);
    // One refresh after a 401: the first batch that follows asks for a new token, the rest use it.
    const refresh = token.refreshNow;
    token.refreshNow = false;
    const answers = await ctx.client.batch(
      chunk.map((s) => ({ id: s.id, method: 'GET' as const, url: s.url })),
      ctx.readScopes,
      signal,
      refresh,
    );
    for (const step of chunk) {
      const a = answers.get(step.id)!;
      if (a.status >= 200 && a.status < 300) {
        const r = onPage(step, a.body);
        if (r.error) problems.push({ step, status: a.status, forbidden: false, message: r.error });
        if (r.next) {
          try {
            queue.push({ ...step, id: nextStepId(ctx), url: ctx.client.relativeLink(r.next) });
          } catch (e) {
            if (!(e instanceof ForeignLinkError)) throw e;
            ctx.deps.logger.warn('Graph next-page link refused', { sourceId: ctx.config.id, host: safeHost(r.next) });
            problems.push({ step, status: null, forbidden: false, message: e.message });
          }
        }
      } else if (a.status === 429 || ((a.status === 503 || a.status === 504) && a.headers['retry-after'] !== undefined)) {
        round.throttled.push({ step: { ...step, id: nextStepId(ctx) }, retryAfterMs: parseRetryAfter(a.headers['retry-after'], ctx.deps.clock.now()) });
      } else if (a.status === 401) {
        round.unauthorized.push({ ...step, id: nextStepId(ctx) });
      } else {
        problems.push(describeItem(step, a));
      }
    }
  }
  return round;
}

/**
 * Runs steps through $batch (<= 20 each), following next pages, re-sending throttled steps after
 * the longest Retry-After among them and 401 steps once with a refreshed token.
 */
export async function run(ctx: GraphContext, initial: Step[], signal: AbortSignal, onPage: OnPage): Promise<RunResult> {
  const queue = [...initial];
  const problems: StepProblem[] = [];
  let refreshed = false;
  const token = { refreshNow: false };
  let rounds = 0;
  for (;;) {
    const { throttled, unauthorized } = await sendQueued(ctx, queue, problems, token, signal, onPage);
    if (unauthorized.length) {
      if (refreshed) {
        throw new AuthRequiredError('Universal Print no longer accepts the sign-in (401 after a token refresh): sign in again.');
      }
      refreshed = true;
      token.refreshNow = true;
      queue.push(...unauthorized);
    }
    if (throttled.length) {
      // Without Retry-After: exponential back-off with jitter.
      const wait = Math.max(...throttled.map((t) => t.retryAfterMs ?? backoffMs(rounds, randomOf(ctx.deps))));
      if (rounds >= ctx.maxRounds || wait > ctx.maxWait) {
        return { problems, throttled: throttled.map((t) => t.step), retryAfterMs: wait };
      }
      rounds += 1;
      ctx.deps.logger.info('Graph batch steps throttled; re-sending after Retry-After', { sourceId: ctx.config.id, steps: throttled.length, waitMs: wait });
      await sleep(ctx.deps.clock, wait, signal);
      queue.push(...throttled.map((t) => t.step));
    }
    if (!queue.length) return { problems, throttled: [], retryAfterMs: null };
  }
}

/**
 * Steps that read the names of shares and printers nobody watches, for the tracked jobs on them:
 * once, or again after the discovery interval when the name could not be read. Best effort: a
 * failure leaves the id in the name's place and never makes the cycle incomplete.
 */
export function placeNameSteps(ctx: GraphContext, places: readonly { via: Via; ownerId: string }[]): Step[] {
  const now = ctx.deps.clock.now();
  const steps: Step[] = [];
  for (const { via, ownerId } of places) {
    const key = `${via}/${ownerId}`;
    if (isWatched(ctx, { via, ownerId }) || ctx.placeNames.has(key)) continue;
    const asked = ctx.placeNameAskedAt.get(key);
    if (asked !== undefined && now - asked < ctx.discoveryEvery) continue;
    ctx.placeNameAskedAt.set(key, now);
    steps.push({ id: nextStepId(ctx), url: `/print/${via}/${seg(ownerId)}`, kind: 'place-name', op: via === 'shares' ? 'read-share' : 'read-printer', target: bare(via, ownerId) });
  }
  return steps;
}

/** Takes a place-name step's answer; true when the step was one. */
export function tookPlaceName(ctx: GraphContext, step: Step, body: unknown): boolean {
  if (step.kind !== 'place-name') return false;
  const one = PrinterLikeSchema.safeParse(body);
  const name = one.success ? one.data.displayName?.trim() : undefined;
  if (name) ctx.placeNames.set(`${step.target!.via}/${step.target!.id}`, name);
  return true;
}

/** Place-name steps are best effort: their failures and throttling are left out of a cycle's result. */
export function withoutPlaceNames(ctx: GraphContext, res: RunResult): RunResult {
  const dropped = res.problems.filter((p) => p.step.kind === 'place-name');
  if (dropped.length) ctx.deps.logger.debug('Universal Print: names of unwatched shares or printers could not be read', { sourceId: ctx.config.id, problems: dropped.map((p) => p.message) });
  const throttled = res.throttled.filter((st) => st.kind !== 'place-name');
  return { problems: res.problems.filter((p) => p.step.kind !== 'place-name'), throttled, retryAfterMs: throttled.length ? res.retryAfterMs : null };
}

function safeHost(link: string): string {
  try {
    return new URL(link).host;
  } catch {
    return '(invalid URL)';
  }
}
