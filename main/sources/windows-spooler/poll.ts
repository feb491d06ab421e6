/**
 * One poll of the Windows spooler: the printers and the print jobs of this PC, read through the
 * host process. Job changes are pushed by a CIM indication subscription when Windows allows it;
 * polling at the engine's rates is the fallback.
 */
import type { PollContext, PollResult, SourceJob, SourcePrinter } from '../../queue/source';
import { SourceError } from '../../queue/source';
import { watches, type WindowsSpoolerContext } from './context';
import { SpoolerHostError, type SpoolerCommandError, type SpoolerOp } from './host';
import { powershellWords, toSourceError } from './errors';
import { rowsOf, toSourceJob, toSourcePrinter } from './mapping';
import { BLOCKING_BITS, STATUS_BITS } from './states';

async function ask(ctx: WindowsSpoolerContext, op: SpoolerOp, signal: AbortSignal, what: string): Promise<string> {
  try {
    return await ctx.host.request(op, {}, signal);
  } catch (err) {
    throw toSourceError(err, what);
  }
}

/** Asks Windows to push job changes, once; a refusal leaves the source polling (and says so). */
async function subscribe(ctx: WindowsSpoolerContext, signal: AbortSignal): Promise<void> {
  if (ctx.subscribed !== 'no' || ctx.changeListener === null) return;
  try {
    await ctx.host.request('subscribe', {}, signal);
    ctx.subscribed = 'yes';
    ctx.subscribeMessage = '';
  } catch (err) {
    if (err instanceof SpoolerHostError) throw toSourceError(err, 'the print jobs');
    ctx.subscribed = 'refused';
    ctx.subscribeMessage = err instanceof Error ? powershellWords(err as SpoolerCommandError) : String(err);
    ctx.deps.logger.warn('spooler change events refused; polling only', { sourceId: ctx.config.id, message: ctx.subscribeMessage });
  }
}

/**
 * How a job that left the queue since the last poll ended. Windows removes a job once it has
 * printed (unless the printer keeps printed documents) and when someone deletes it. A deletion
 * event says which, when Windows saw it (the Deleting bit, or Printed / sent to the printer);
 * without one, a job last seen printing or with every page printed has printed, but one last seen
 * blocked (out of paper, offline, in error) was most likely deleted by someone who gave up on it,
 * and one that left before printing was deleted: the engine reports both as gone (the list is
 * complete) rather than printed.
 */
function endedSinceLastSeen(ctx: WindowsSpoolerContext, seen: Set<string>): SourceJob[] {
  const ended: SourceJob[] = [];
  for (const [key, before] of ctx.lastSeen) {
    if (seen.has(key) || before.state === 'canceled' || before.state === 'completed') continue;
    const told = ctx.departed.get(key);
    const mask = told ?? (typeof before.extra.statusMask === 'number' ? before.extra.statusMask : 0);
    const end = (state: 'canceled' | 'completed', reason: string, detail: string, why: string, over: Partial<SourceJob> = {}): SourceJob => ({
      ...before,
      state,
      reason,
      detail,
      cancel: { allowed: false, reason: why },
      pause: { allowed: false, reason: 'The job is finished.' },
      resume: { allowed: false, reason: 'The job is not paused.' },
      ...over,
    });
    if (mask & (STATUS_BITS.Deleting | STATUS_BITS.Deleted)) {
      ended.push(end('canceled', 'Deleted', 'Deleted in Windows; it left the queue', 'The job was deleted.'));
      continue;
    }
    const blocked = (mask & BLOCKING_BITS) !== 0;
    const allPagesPrinted = before.pages != null && before.pages > 0 && before.pagesPrinted === before.pages;
    const sent = (mask & (STATUS_BITS.Printed | STATUS_BITS.Complete)) !== 0 || (!blocked && ((mask & STATUS_BITS.Printing) !== 0 || allPagesPrinted));
    if (sent) ended.push(end('completed', 'Printed', 'Printed; Windows removed it from the queue', 'The job has printed.', { progress: 1, pagesPrinted: before.pages ?? before.pagesPrinted ?? null }));
  }
  return ended;
}

export async function poll(ctx: WindowsSpoolerContext, pollCtx: PollContext): Promise<PollResult> {
  const { config } = ctx;
  if (ctx.unavailable) throw new SourceError('down', ctx.unavailable);
  await subscribe(ctx, pollCtx.signal);
  const printerText = await ask(ctx, 'printers', pollCtx.signal, 'the printers');
  const jobText = await ask(ctx, 'jobs', pollCtx.signal, 'the print jobs');
  let printers: SourcePrinter[];
  let rows: Record<string, unknown>[];
  try {
    printers = rowsOf(printerText)
      .map((r) => toSourcePrinter(r, config.id))
      .filter((p): p is SourcePrinter => p !== null && watches(ctx, p.name));
    rows = rowsOf(jobText);
  } catch (err) {
    throw toSourceError(err, 'print jobs');
  }
  const jobs: SourceJob[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const job = toSourceJob(row, { sourceId: config.id, user: ctx.user });
    if (!job || !watches(ctx, job.printer) || (ctx.scope === 'mine' && !job.mine)) continue;
    jobs.push(job);
    seen.add(job.key);
  }
  jobs.push(...endedSinceLastSeen(ctx, seen));
  ctx.lastSeen.clear();
  ctx.departed.clear();
  for (const j of jobs) if (j.state !== 'completed' && j.state !== 'canceled') ctx.lastSeen.set(j.key, j);
  const push = ctx.subscribed === 'yes' ? 'changes pushed by Windows' : ctx.subscribed === 'refused' ? `polled (Windows refused change events: ${ctx.subscribeMessage})` : 'polled';
  return {
    jobs,
    complete: true,
    printers,
    health: { status: ctx.subscribed === 'refused' ? 'degraded' : 'ok', message: `${printers.length} printer${printers.length === 1 ? '' : 's'}, ${jobs.length} job${jobs.length === 1 ? '' : 's'} in the queue; ${push}.` },
  };
}
