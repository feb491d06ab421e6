/**
 * One poll of an IPP printer or CUPS server. Each poll reads the printers' health
 * (Get-Printer-Attributes, or CUPS-Get-Printers for a server) and the jobs not completed
 * (Get-Jobs). The full cycle adds the recently completed jobs, so a job that finished is seen in
 * its final state, and then says the list is complete; the fast cycle looks up, one by one, active
 * jobs that have left the not-completed list. With an event subscription (subscription.ts), a
 * quiet fast poll is one Get-Notifications.
 */
import { isFinal } from '../../../preload/contract/job-states';
import type { PollContext, PollResult, SourceJob, SourcePrinter } from '../../queue/source';
import { andMore, errorWords, isAbort, printerTroubleWords } from '../shared';
import { lookUp } from './actions';
import { OP, str, TAG, type AttributeGroup, type RequestAttribute } from './codec';
import { kw, wanted, type IppContext } from './context';
import { toSourceError } from './errors';
import { mapJobs } from './mapping';
import { changedSinceLast, EVENT_LIFE_MS, RENEW_BEFORE_MS, renew, subscribe } from './subscription';
import { JOB_ATTRIBUTES, PRINTER_ATTRIBUTES, toSourcePrinter } from './states';

async function getJobs(ctx: IppContext, which: 'not-completed' | 'completed', signal: AbortSignal): Promise<AttributeGroup[]> {
  const attrs: RequestAttribute[] = [kw('which-jobs', which), kw('requested-attributes', JOB_ATTRIBUTES)];
  if (ctx.scope === 'mine') attrs.push({ tag: TAG.BOOLEAN, name: 'my-jobs', value: true });
  if (which === 'completed') attrs.push({ tag: TAG.INTEGER, name: 'limit', value: ctx.completedLimit });
  const a = await ctx.client.call(ctx.listUri, OP.GET_JOBS, attrs, signal, `Listing the ${which} jobs`);
  return a.groups;
}

async function readPrinters(ctx: IppContext, signal: AbortSignal): Promise<{ printers: SourcePrinter[]; missing: string[] }> {
  const { target } = ctx;
  const requested = kw('requested-attributes', PRINTER_ATTRIBUTES);
  let groups: AttributeGroup[];
  if (target.kind === 'printer') {
    groups = (await ctx.client.call(target.uri, OP.GET_PRINTER_ATTRIBUTES, [requested], signal, 'Reading the printer')).groups;
  } else {
    groups = (await ctx.client.call(`${target.base}/`, OP.CUPS_GET_PRINTERS, [requested], signal, 'Listing the printers')).groups;
  }
  const printers: SourcePrinter[] = [];
  for (const g of groups) {
    if (g.tag !== TAG.PRINTER) continue;
    const id = target.kind === 'printer' ? target.id : str(g, 'printer-name');
    if (!id || !wanted(ctx, id)) continue;
    const p = toSourcePrinter(g, ctx.config.id, id);
    ctx.names.set(id, p.name);
    printers.push(p);
  }
  const missing = target.kind === 'server' && target.queues ? target.queues.filter((q) => !printers.some((p) => p.id.toLowerCase() === q.toLowerCase())) : [];
  return { printers, missing };
}

/** Keeps the subscription alive; the health to repeat when a fast poll finds nothing changed. */
async function quietHealth(ctx: IppContext, pollCtx: PollContext, now: number, quiet: PollResult['health'] | null): Promise<PollResult['health'] | null> {
  const { signal } = pollCtx;
  if (ctx.subscription && ctx.subscription.expiresAt - now < RENEW_BEFORE_MS) await renew(ctx, signal);
  // A fast poll with a subscription: nothing changed, nothing to read. Servers keep events
  // only briefly (CUPS about 15 s), so after a longer gap everything is read again.
  if (pollCtx.mode === 'active' && ctx.subscription && quiet && now - ctx.lastReadAt < EVENT_LIFE_MS && !(await changedSinceLast(ctx, signal))) return quiet;
  // A one-shot poll (a listing from the command line, a test from Settings) would only cancel it again.
  if (!ctx.subscription && now >= ctx.subscribeAfter && !ctx.stopped && !pollCtx.oneShot) await subscribe(ctx, signal);
  return null;
}

/** The source's words for a poll: jobs in the queue, and the printers that are in trouble. */
function healthWords(ctx: IppContext, jobs: SourceJob[], printers: SourcePrinter[]): { message: string; active: number } {
  const active = jobs.filter((j) => !isFinal({ state: j.state, gone: false })).length;
  const printerWords = printers.map(printerTroubleWords).filter((w): w is string => w !== null);
  const base = `${active} ${active === 1 ? 'job' : 'jobs'} in the queue${ctx.target.kind === 'server' ? ` of ${printers.length} ${printers.length === 1 ? 'printer' : 'printers'}` : ''}`;
  return { message: `${[base, ...printerWords].join('; ')}.`, active };
}

export async function poll(ctx: IppContext, pollCtx: PollContext): Promise<PollResult> {
  const { config, deps } = ctx;
  const { signal } = pollCtx;
  const now = deps.clock.now();
  // Cleared until this poll succeeds: after a failure, the next poll reads everything.
  const quiet = ctx.lastHealth;
  ctx.lastHealth = null;
  ctx.client.takeUnreadable();
  let printers: SourcePrinter[];
  let missing: string[];
  let jobs: SourceJob[];
  let completedCount = 0;
  try {
    const unchanged = await quietHealth(ctx, pollCtx, now, quiet);
    if (unchanged) {
      ctx.lastHealth = unchanged;
      return { jobs: [], complete: false, health: unchanged };
    }
    ({ printers, missing } = await readPrinters(ctx, signal));
    const byId = new Map(printers.map((p) => [p.id, p]));
    ctx.lastPrinters = byId;
    jobs = mapJobs(ctx, await getJobs(ctx, 'not-completed', signal), now, byId);
    if (pollCtx.mode === 'full') {
      const done = await getJobs(ctx, 'completed', signal);
      completedCount = done.filter((g) => g.tag === TAG.JOB).length;
      jobs.push(...mapJobs(ctx, done, now, byId));
    }
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    throw toSourceError(err, ctx);
  }
  const seen = new Set(jobs.map((j) => j.key));
  const gone: string[] = [];
  const stale: string[] = [];
  const problems: string[] = missing.map((q) => `The CUPS server at ${ctx.host} has no queue "${q}"; check "printers" in Settings.`);
  // A value of the wrong length loses that value only; the rest of the answer is read.
  const unreadable = ctx.client.takeUnreadable();
  if (unreadable.length) problems.push(`The IPP server at ${ctx.host} sent ${unreadable.length === 1 ? 'a value' : 'values'} the monitor cannot read, left out: ${andMore(unreadable, ['value', 'values'])}.`);
  let skipped = 0;
  if (pollCtx.mode === 'active') {
    const vanished = [...pollCtx.activeJobs.values()].filter((j) => j.sourceId === config.id && !seen.has(j.key));
    skipped = Math.max(0, vanished.length - ctx.maxLookups);
    for (const job of vanished.slice(0, ctx.maxLookups)) {
      try {
        const found = await lookUp(ctx, job, signal);
        if (found === 'gone') gone.push(job.key);
        else jobs.push(found);
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        stale.push(job.key);
        problems.push(`Job ${job.nativeId} could not be read: ${errorWords(err)}.`);
      }
    }
  }
  const complete = pollCtx.mode === 'full' && missing.length === 0 && completedCount < ctx.completedLimit;
  const { message, active } = healthWords(ctx, jobs, printers);
  deps.logger.debug('IPP poll', { sourceId: config.id, mode: pollCtx.mode, jobs: jobs.length, active, printers: printers.length, complete });
  const result: PollResult = {
    jobs,
    complete: complete && skipped === 0,
    printers,
    health: problems.length ? { status: 'degraded', message: `${andMore(problems, ['problem', 'problems'])} ${message}` } : { status: 'ok', message },
  };
  if (gone.length) result.gone = gone;
  if (stale.length) result.stale = stale;
  // A look-up that failed is read again at the next poll, event or not.
  ctx.lastHealth = stale.length ? null : result.health;
  ctx.lastReadAt = now;
  return result;
}
