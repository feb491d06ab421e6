/**
 * The Windows print spooler source: the print queues of this PC, read through one long-lived
 * Windows PowerShell process (host.ps1) with Get-CimInstance Win32_PrintJob / Win32_Printer.
 * Job changes are pushed by a CIM indication subscription on Win32_PrintJob (creation,
 * modification, deletion); the engine's polling at its own rates is the fallback. Jobs are
 * canceled, paused and resumed with Remove-PrintJob, Suspend-PrintJob and Resume-PrintJob, and a
 * refusal is reported in PowerShell's words.
 *
 * Windows removes a job from the queue once it has printed (unless the printer keeps printed
 * documents), so a job last seen printing or sent to the printer that leaves the queue has printed.
 */
import { userInfo } from 'node:os';
import { AppFailure, type Job, type JobDetails, type WindowsSpoolerSourceConfig } from '../../../preload/contract/model';
import { SourceError, type JobAction, type JobSource, type PollContext, type PollResult, type SourceJob, type SourcePrinter } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { spawnPowerShellHost, SpoolerCommandError, SpoolerHost, SpoolerHostError, type SpawnSpoolerHost, type SpoolerOp } from './host';
import { parseLocator, rowsOf, STATUS_BITS, statusBitNames, toSourceJob, toSourcePrinter } from './states';

export interface WindowsSpoolerOptions {
  /** Starts the host process (default: Windows PowerShell with host.ps1). */
  spawnHost?: SpawnSpoolerHost;
  /** The operating system (default: this one); the source runs only on Windows unless a host is given. */
  platform?: NodeJS.Platform;
  /** The Windows user whose jobs are "mine" (default: the signed-in user). */
  user?: string;
  timeoutMs?: number;
}

/** Why this computer cannot watch the Windows spooler, or null. */
export function spoolerUnavailableReason(platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const os = platform === 'darwin' ? 'macOS' : platform === 'linux' ? 'Linux' : platform;
  return `The Windows print spooler source needs Windows; this computer runs ${os}.`;
}

/** PowerShell's words for a failed command, as one user-facing sentence part. */
function powershellWords(err: SpoolerCommandError): string {
  return err.message.trim().replace(/\s+/g, ' ').replace(/\.$/, '');
}

const SPOOLER_STOPPED = /SpoolerStopped|spooler service is not reachable|spooler.*not running|RPC server is unavailable|0x800706ba/i;
const ACCESS_DENIED = /access (is )?denied|PermissionDenied|0x80070005|0x80041003/i;
const NOT_FOUND = /not found|ObjectNotFound|0x80070709|0x80070057/i;

export function createWindowsSpoolerSource(config: WindowsSpoolerSourceConfig, deps: SourceDeps, opts: WindowsSpoolerOptions = {}): JobSource {
  const name = config.name ?? 'Print queues on this PC';
  const scope = config.scope ?? 'mine';
  const user = opts.user ?? safeUserName();
  const watched = config.printers ? new Set(config.printers.map((p) => p.toLowerCase())) : null;
  const unavailable = opts.spawnHost ? null : spoolerUnavailableReason(opts.platform);
  let changeListener: (() => void) | null = null;
  let subscribed: 'no' | 'yes' | 'refused' = 'no';
  let subscribeMessage = '';
  /** The jobs as last seen, to tell a job that printed and left the queue from one deleted. */
  const lastSeen = new Map<string, SourceJob>();

  const host = new SpoolerHost(
    opts.spawnHost ?? spawnPowerShellHost,
    deps.logger,
    (e) => {
      deps.logger.debug('spooler job event', { sourceId: config.id, change: e.change });
      changeListener?.();
    },
    () => {
      subscribed = 'no';
    },
    opts.timeoutMs,
  );

  const watches = (printer: string | null): boolean => watched === null || (printer !== null && watched.has(printer.toLowerCase()));

  function pollFailure(err: unknown, what: string): SourceError {
    if (err instanceof SpoolerHostError) return new SourceError('down', `${err.message} (reading ${what}).`, { cause: err });
    if (err instanceof SpoolerCommandError) {
      const words = powershellWords(err);
      if (SPOOLER_STOPPED.test(`${err.message} ${err.errorId}`)) return new SourceError('down', `${words}. Start the "Print Spooler" service to see this PC's print queues.`, { cause: err });
      if (ACCESS_DENIED.test(`${err.message} ${err.category} ${err.errorId}`)) return new SourceError('auth-required', `Windows refused to show ${what}: ${words}.`, { cause: err });
      return new SourceError('down', `Windows could not list ${what}: ${words}.`, { cause: err });
    }
    if (err instanceof SyntaxError) return new SourceError('down', `Windows PowerShell answered with ${what} the monitor cannot read: ${err.message}.`, { cause: err });
    return new SourceError('down', `Could not read ${what}: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
  }

  async function ask(op: SpoolerOp, signal: AbortSignal, what: string, params: Record<string, unknown> = {}): Promise<string> {
    try {
      return await host.request(op, params, signal);
    } catch (err) {
      throw pollFailure(err, what);
    }
  }

  async function subscribe(signal: AbortSignal): Promise<void> {
    if (subscribed !== 'no' || changeListener === null) return;
    try {
      await host.request('subscribe', {}, signal);
      subscribed = 'yes';
      subscribeMessage = '';
    } catch (err) {
      if (err instanceof SpoolerHostError) throw pollFailure(err, 'the print jobs');
      subscribed = 'refused';
      subscribeMessage = err instanceof Error ? powershellWords(err as SpoolerCommandError) : String(err);
      deps.logger.warn('spooler change events refused; polling only', { sourceId: config.id, message: subscribeMessage });
    }
  }

  async function poll(ctx: PollContext): Promise<PollResult> {
    if (unavailable) throw new SourceError('down', unavailable);
    await subscribe(ctx.signal);
    const printerText = await ask('printers', ctx.signal, 'the printers');
    const jobText = await ask('jobs', ctx.signal, 'the print jobs');
    let printers: SourcePrinter[];
    let rows: Record<string, unknown>[];
    try {
      printers = rowsOf(printerText)
        .map((r) => toSourcePrinter(r, config.id))
        .filter((p): p is SourcePrinter => p !== null && watches(p.name));
      rows = rowsOf(jobText);
    } catch (err) {
      throw pollFailure(err, 'print jobs');
    }
    const jobs: SourceJob[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const job = toSourceJob(row, { sourceId: config.id, user });
      if (!job || !watches(job.printer) || (scope === 'mine' && !job.mine)) continue;
      jobs.push(job);
      seen.add(job.key);
    }
    // A job that left the queue after it was sent to the printer has printed; one that left
    // before is reported gone by the engine (the list is complete).
    for (const [key, before] of lastSeen) {
      if (seen.has(key)) continue;
      const mask = typeof before.extra.statusMask === 'number' ? before.extra.statusMask : 0;
      const sent = (mask & (STATUS_BITS.Printing | STATUS_BITS.Complete | STATUS_BITS.Printed)) !== 0 || (before.pages != null && before.pages > 0 && before.pagesPrinted === before.pages);
      if (sent && before.state !== 'canceled' && before.state !== 'completed') {
        jobs.push({ ...before, state: 'completed', reason: 'Printed', detail: 'Printed; Windows removed it from the queue', progress: 1, pagesPrinted: before.pages ?? before.pagesPrinted ?? null, cancel: { allowed: false, reason: 'The job has printed.' }, pause: { allowed: false, reason: 'The job is finished.' }, resume: { allowed: false, reason: 'The job is not paused.' } });
      }
    }
    lastSeen.clear();
    for (const j of jobs) if (j.state !== 'completed' && j.state !== 'canceled') lastSeen.set(j.key, j);
    const push = subscribed === 'yes' ? 'changes pushed by Windows' : subscribed === 'refused' ? `polled (Windows refused change events: ${subscribeMessage})` : 'polled';
    return {
      jobs,
      complete: true,
      printers,
      health: { status: subscribed === 'refused' ? 'degraded' : 'ok', message: `${printers.length} printer${printers.length === 1 ? '' : 's'}, ${jobs.length} job${jobs.length === 1 ? '' : 's'} in the queue; ${push}.` },
    };
  }

  function actionFailure(err: unknown, job: Job, verb: string): AppFailure {
    if (err instanceof SpoolerCommandError) {
      const words = powershellWords(err);
      const all = `${err.message} ${err.category} ${err.errorId}`;
      if (SPOOLER_STOPPED.test(all)) return new AppFailure('unreachable', `Could not ${verb} job ${job.nativeId}: the Windows print spooler service is not running (${words}).`, { sourceId: config.id });
      if (ACCESS_DENIED.test(all)) return new AppFailure('not-allowed', `Windows does not let you ${verb} job ${job.nativeId} on ${job.printer ?? 'this printer'}: ${words}.`, { sourceId: config.id });
      if (NOT_FOUND.test(all)) return new AppFailure('not-found', `Could not ${verb} job ${job.nativeId} on ${job.printer ?? 'this printer'}: ${words}.`, { sourceId: config.id });
      return new AppFailure('internal', `Windows refused to ${verb} job ${job.nativeId}: ${words}.`, { sourceId: config.id });
    }
    if (err instanceof SpoolerHostError) return new AppFailure('unreachable', `Could not ${verb} job ${job.nativeId}: ${err.message}`, { sourceId: config.id });
    return new AppFailure('internal', `Could not ${verb} job ${job.nativeId}: ${err instanceof Error ? err.message : String(err)}`, { sourceId: config.id });
  }

  const IMPLIED: Record<'cancel' | 'pause' | 'resume', Partial<SourceJob>> = {
    cancel: { state: 'canceled', reason: 'Deleted', rawState: `${STATUS_BITS.Deleting} Deleting` },
    pause: { state: 'paused', reason: 'Paused', pause: { allowed: false, reason: 'The job is already paused.' }, resume: { allowed: true } },
    resume: { state: 'queued', reason: null, pause: { allowed: true }, resume: { allowed: false, reason: 'The job is not paused.' } },
  };

  return {
    id: config.id,
    kind: 'windows-spooler',
    name,
    loopback: true,
    poll,

    watch(onChange) {
      changeListener = onChange;
    },

    async act(job: Job, action: JobAction, signal: AbortSignal): Promise<SourceJob> {
      if (action.type !== 'cancel' && action.type !== 'pause' && action.type !== 'resume') {
        throw new AppFailure('unsupported', 'Jobs in a Windows print queue can be canceled, paused and resumed.', { sourceId: config.id });
      }
      if (unavailable) throw new AppFailure('unsupported', unavailable, { sourceId: config.id });
      const where = job.sourceId === config.id ? parseLocator(job.key.slice(config.id.length + 1)) : null;
      if (!where) throw new AppFailure('invalid-input', `"${job.key}" is not a job of ${name}.`, { sourceId: config.id, field: 'key' });
      const permission = action.type === 'cancel' ? job.cancel : job[action.type];
      if (permission && !permission.allowed) throw new AppFailure(job.gone ? 'not-found' : 'too-late', permission.reason ?? `Job ${job.nativeId} cannot be changed now.`, { sourceId: config.id });
      const verb = action.type;
      try {
        await host.request(action.type, { printer: where.printer, jobId: where.jobId }, signal);
      } catch (err) {
        const failure = actionFailure(err, job, verb);
        deps.logger.warn('spooler job action refused', { sourceId: config.id, jobId: job.nativeId, action: verb, code: failure.code, message: failure.message });
        throw failure;
      }
      deps.logger.info('spooler job action done', { sourceId: config.id, jobId: job.nativeId, action: verb });
      const { stale: _s, stuck: _k, gone: _g, lastSeenAt: _l, ...rest } = job;
      const after: SourceJob = { ...rest, ...IMPLIED[action.type] };
      if (action.type === 'cancel') lastSeen.delete(job.key);
      return after;
    },

    async details(job: Job): Promise<Omit<JobDetails, 'job' | 'timeline'>> {
      const facts: { label: string; value: string }[] = [{ label: 'Job id', value: job.nativeId }];
      const mask = typeof job.extra.statusMask === 'number' ? job.extra.statusMask : null;
      if (mask !== null) facts.push({ label: 'StatusMask', value: `${mask}${mask ? ` (${statusBitNames(mask).join(', ')})` : ''}` });
      if (typeof job.extra.jobStatus === 'string') facts.push({ label: 'JobStatus', value: job.extra.jobStatus });
      if (job.pages != null) facts.push({ label: 'Pages', value: `${job.pagesPrinted ?? 0} of ${job.pages} printed` });
      if (job.printer) facts.push({ label: 'Printer', value: job.printer });
      return { facts };
    },

    dispose() {
      changeListener = null;
      host.dispose();
    },
  };
}

export function safeUserName(): string {
  try {
    return userInfo().username || '';
  } catch {
    return '';
  }
}
