/**
 * IPP job groups -> the normalized jobs of this source: which queue each belongs to (a server's
 * Get-Jobs spans queues), and why a job waits when the server gives no reason of its own.
 */
import type { SourceJob, SourcePrinter } from '../../queue/source';
import { str, TAG, type AttributeGroup } from './codec';
import { wanted, type IppContext } from './context';
import { toSourceJob } from './states';

/** The queue a job belongs to, from its job-printer-uri (a server's Get-Jobs spans queues). */
function printerIdOf(ctx: IppContext, g: AttributeGroup): string | null {
  if (ctx.target.kind === 'printer') return ctx.target.id;
  const uri = str(g, 'job-printer-uri');
  const m = uri ? /\/(?:printers|classes)\/([^/?#]+)\/?$/.exec(uri) : null;
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/**
 * CUPS gives a job waiting on a paused or stopped printer no reason of its own (job-state-reasons
 * none or job-queued): the printer's state and reasons say why it waits.
 */
function waitReason(job: SourceJob, printer: SourcePrinter | undefined): string | null {
  if (!printer || (printer.state !== 'paused' && printer.state !== 'stopped' && printer.state !== 'offline')) return null;
  if (job.state !== 'queued' && job.state !== 'paused' && job.state !== 'printing') return null;
  const why = printer.reasons.filter((r) => r !== 'Paused' && r !== 'Offline');
  return `The printer is ${printer.state}${why.length ? ` (${why.join(', ')})` : ''}`;
}

export function mapJobs(ctx: IppContext, groups: AttributeGroup[], now: number, printers: ReadonlyMap<string, SourcePrinter>): SourceJob[] {
  const out: SourceJob[] = [];
  for (const g of groups) {
    if (g.tag !== TAG.JOB) continue;
    const id = printerIdOf(ctx, g);
    if (id === null || !wanted(ctx, id)) continue;
    const job = toSourceJob(g, { sourceId: ctx.config.id, printer: { id, name: ctx.names.get(id) ?? id }, user: ctx.user, nowMs: now });
    if (!job) continue;
    if (job.reason === null && job.rawState.startsWith('3 ')) job.reason = waitReason(job, printers.get(id));
    out.push(job);
  }
  return out;
}
