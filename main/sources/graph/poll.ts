/**
 * One poll of Universal Print. Graph has no push for job states, so every cycle lists the jobs of
 * each watched share and printer (the user's own by default, through the documented
 * `createdBy/userPrincipalName` filter) in JSON $batch calls, next pages included, and never one
 * GET per job. Which shares and printers exist (and their status for the sources panel) is looked
 * up on the first cycle and then at most every few minutes.
 */
import { makeJobKey } from '../../../preload/contract/model';
import { describeSchemaError } from '../../http/client';
import { SourceError, type PollContext, type PollResult, type SourceJob } from '../../queue/source';
import { andMore, printerTroubleWords } from '../shared';
import { jobUrl, jobsUrl, placeNameSteps, run, tookPlaceName, withoutPlaceNames, type RunResult } from './batch';
import { JobPageSchema, PrintJobSchema } from './client';
import { currentUpn, isWatched, mapCtx, nextStepId, targetFor, type GraphContext, type Step, type StepProblem } from './context';
import { toSourceError } from './errors';
import { locatorOf, toSourceJob } from './mapping';
import { toGraphPrinter } from './states';
import { discover } from './discovery';
import { activeTracked, finishTracked, isFinalJob } from './tracked';

function printerHealth(ctx: GraphContext): { problems: string[]; detail: Record<string, unknown>[] } {
  const problems: string[] = [];
  const detail = ctx.targets.map((t) => {
    // In the words the Printers view shows for it: its state and reasons, not Graph's own values.
    const words = printerTroubleWords(toGraphPrinter(ctx.config.id, t));
    if (words) problems.push(`${words}.`);
    return { kind: t.via === 'shares' ? 'share' : 'printer', id: t.id, name: t.name, state: t.state, details: t.details, description: t.description, isAcceptingJobs: t.isAcceptingJobs };
  });
  return { problems, detail };
}

/** The source's health after a cycle that listed something. */
function cycleHealth(ctx: GraphContext, res: RunResult, problems: StepProblem[]): PollResult['health'] {
  const ph = printerHealth(ctx);
  const detail: Record<string, unknown> = { printers: ph.detail };
  if (res.throttled.length) detail.throttledSteps = res.throttled.length;
  if (problems.length) detail.problems = problems.map((p) => p.message);
  if (res.throttled.length) {
    return { status: 'degraded', message: `Universal Print is throttling requests: ${res.throttled.length} job list${res.throttled.length === 1 ? '' : 's'} will be fetched again in ${Math.ceil((res.retryAfterMs ?? 0) / 1000)} s.`, detail };
  }
  if (problems.length) {
    return { status: 'degraded', message: andMore(problems.map((p) => p.message), ['problem', 'problems']), detail };
  }
  if (ctx.targets.length === 0) {
    return { status: 'ok', message: ctx.sharesSetting === 'all' ? 'No printer shares are visible to this account.' : 'No shares or printers are chosen to watch in Settings.', detail };
  }
  const base = `Watching ${ctx.targets.length} ${ctx.targets.length === 1 ? 'printer' : 'printers'}${ctx.scopeAll ? '' : ' for your jobs'}.`;
  return { status: 'ok', message: ph.problems.length ? `${base} ${ph.problems.join(' ')}` : base, detail };
}

/** Nothing at all could be listed: that is the source's state, thrown as its health. */
function throwWhenNothingListed(steps: Step[], res: RunResult, problems: StepProblem[], listedJobs: number): void {
  if (steps.length > 0 && problems.length > 0 && res.throttled.length === 0 && listedJobs === 0) {
    const failedJobSteps = new Set(res.problems.filter((p) => p.step.kind === 'jobs').map((p) => p.step.target!.id));
    if (failedJobSteps.size === steps.length) {
      const forbidden = res.problems.find((p) => p.forbidden);
      if (forbidden) throw new SourceError('auth-required', forbidden.message);
      throw new SourceError('degraded', res.problems[0].message);
    }
  }
  if (steps.length === 0 && problems.some((p) => p.forbidden)) throw new SourceError('auth-required', problems.find((p) => p.forbidden)!.message);
}

export async function poll(ctx: GraphContext, pollCtx: PollContext): Promise<PollResult> {
  const { config, scopeAll } = ctx;
  try {
    // Everyone's jobs need no user name; it only marks which of them are the user's own.
    const upn = scopeAll ? await currentUpn(ctx, pollCtx.signal).catch((e: unknown) => (e instanceof SourceError ? null : Promise.reject(e))) : await currentUpn(ctx, pollCtx.signal);
    if (ctx.discoveredAt === null || ctx.deps.clock.now() - ctx.discoveredAt >= ctx.discoveryEvery) await discover(ctx, pollCtx.signal);
    const mctx = mapCtx(ctx, upn);
    const jobs: SourceJob[] = [];
    const seen = new Set<string>();
    const steps: Step[] = ctx.targets.map((t) => ({ id: nextStepId(ctx), url: jobsUrl(ctx, t, upn), kind: 'jobs', op: scopeAll || t.via === 'printers' ? 'list-all-jobs' : 'list-my-jobs', target: t }));
    // Tracked jobs the lists do not show (another share, another user's job, or not listed last
    // time) get one GET each, in the same batches.
    const trackedNow = await activeTracked(ctx);
    const trackedSteps: Step[] = trackedNow
      .filter((t) => !(isWatched(ctx, t.where) && ctx.listedKeys.has(t.key)))
      .map((t) => ({ id: nextStepId(ctx), url: jobUrl(t.where, 'documents'), kind: 'tracked', op: 'read-job', target: targetFor(ctx, t.where.via, t.where.ownerId), where: t.where }));
    // Names first: a tracked job read in the same batch already shows its share's name.
    const nameSteps = placeNameSteps(ctx, trackedSteps.map((st) => st.where!));
    const listed = new Set<string>();
    const add = (j: SourceJob) => {
      if (seen.has(j.key)) return;
      seen.add(j.key);
      jobs.push(j);
    };
    const res = withoutPlaceNames(ctx, await run(ctx, [...steps, ...nameSteps, ...trackedSteps], pollCtx.signal, (step, body) => {
      if (tookPlaceName(ctx, step, body)) return { next: null, error: null };
      if (step.kind === 'tracked') {
        const one = PrintJobSchema.safeParse(body);
        if (!one.success) return { next: null, error: `Universal Print answered tracked job "${step.where!.jobId}" with an unexpected shape (${describeSchemaError(one.error)}).` };
        add(toSourceJob(one.data, targetFor(ctx, step.where!.via, step.where!.ownerId), mctx));
        return { next: null, error: null };
      }
      const page = JobPageSchema.safeParse(body);
      if (!page.success) {
        return { next: null, error: `Universal Print answered the job list of "${step.target!.name}" with an unexpected shape (${describeSchemaError(page.error)}).` };
      }
      for (const pj of page.data.value) {
        const j = toSourceJob(pj, step.target!, mctx);
        listed.add(j.key);
        add(j);
      }
      return { next: page.data['@odata.nextLink'] ?? null, error: null };
    }));

    ctx.listedKeys = listed;
    // A tracked job that 404s has been purged: gone, and never asked for again.
    const purged = new Set(res.problems.filter((p) => p.step.kind === 'tracked' && p.status === 404).map((p) => makeJobKey(config.id, locatorOf(p.step.where!.ownerId, p.step.where!.jobId))));
    res.problems = res.problems.filter((p) => !(p.step.kind === 'tracked' && p.status === 404));
    for (const k of purged) ctx.goneKeys.add(k);
    const byKey = new Map(jobs.map((j) => [j.key, j]));
    await finishTracked(ctx, trackedNow, (key) => purged.has(key) || isFinalJob(byKey.get(key)));

    const problems = [...ctx.discoveryProblems, ...res.problems];
    throwWhenNothingListed(steps, res, problems, jobs.length);
    const gone = [...ctx.goneKeys].filter((k) => !seen.has(k));
    ctx.goneKeys.clear();
    const complete = problems.length === 0 && res.throttled.length === 0;
    const out: PollResult = { jobs, complete, health: cycleHealth(ctx, res, problems), printers: ctx.targets.map((t) => toGraphPrinter(config.id, t)) };
    if (gone.length) out.gone = gone;
    if (res.retryAfterMs !== null) out.retryAfterMs = res.retryAfterMs;
    return out;
  } catch (e) {
    throw toSourceError(e, ctx);
  }
}
