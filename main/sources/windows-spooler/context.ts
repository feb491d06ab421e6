/**
 * What the Windows spooler source's modules share: its configuration, the one Windows PowerShell
 * host process, whether Windows pushes job changes, and the jobs as last seen.
 */
import type { WindowsSpoolerSourceConfig } from '../../../preload/contract/model';
import type { SourceJob } from '../../queue/source';
import { safeUserName } from '../shared';
import type { SourceDeps } from '../deps';
import { spawnPowerShellHost, SpoolerHost, type SpawnSpoolerHost } from './host';
import { rowsOf, toSourceJob } from './mapping';

export interface WindowsSpoolerOptions {
  /** Starts the host process (default: Windows PowerShell with host.ps1). */
  spawnHost?: SpawnSpoolerHost;
  /** The operating system (default: this one); the source runs only on Windows unless a host is given. */
  platform?: NodeJS.Platform;
  /** The Windows user whose jobs are "mine" (default: the signed-in user). */
  user?: string;
  timeoutMs?: number;
}

export interface WindowsSpoolerContext {
  config: WindowsSpoolerSourceConfig;
  deps: SourceDeps;
  name: string;
  scope: 'mine' | 'all';
  user: string;
  /** The printers watched (lower case), or null for all. */
  watched: Set<string> | null;
  /** Why this computer cannot watch the spooler, or null. */
  unavailable: string | null;
  host: SpoolerHost;
  changeListener: (() => void) | null;
  subscribed: 'no' | 'yes' | 'refused';
  subscribeMessage: string;
  /** The jobs as last seen, to tell a job that printed and left the queue from one deleted. */
  lastSeen: Map<string, SourceJob>;
  /** The StatusMask Windows last gave each job it reported deleted since the last poll (by job key). */
  departed: Map<string, number>;
}

/** Why this computer cannot watch the Windows spooler, or null. */
export function spoolerUnavailableReason(platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  const os = platform === 'darwin' ? 'macOS' : platform === 'linux' ? 'Linux' : platform;
  return `The Windows print spooler source needs Windows; this computer runs ${os}.`;
}


export function createWindowsSpoolerContext(config: WindowsSpoolerSourceConfig, deps: SourceDeps, opts: WindowsSpoolerOptions): WindowsSpoolerContext {
  const ctx: WindowsSpoolerContext = {
    config,
    deps,
    name: config.name ?? 'Print queues on this PC',
    scope: config.scope ?? 'mine',
    user: opts.user ?? safeUserName(),
    watched: config.printers ? new Set(config.printers.map((p) => p.toLowerCase())) : null,
    unavailable: opts.spawnHost ? null : spoolerUnavailableReason(opts.platform),
    host: new SpoolerHost(
      opts.spawnHost ?? spawnPowerShellHost,
      deps.logger,
      (e) => {
        deps.logger.debug('spooler job event', { sourceId: config.id, change: e.change });
        if (e.change === '__InstanceDeletionEvent') noteDeparted(ctx, e.text);
        ctx.changeListener?.();
      },
      () => {
        ctx.subscribed = 'no';
      },
      opts.timeoutMs,
    ),
    changeListener: null,
    subscribed: 'no',
    subscribeMessage: '',
    lastSeen: new Map(),
    departed: new Map(),
  };
  return ctx;
}

/** Whether a printer is one the source watches. */
export const watches = (ctx: WindowsSpoolerContext, printer: string | null): boolean => ctx.watched === null || (printer !== null && ctx.watched.has(printer.toLowerCase()));

/**
 * A deletion event carries the job as Windows last saw it: deleted (the Deleting bit) or printed.
 * Kept until the next poll, which tells from it how a job that left the queue ended. An event
 * whose text cannot be read is left out; the poll then goes by the job as it last saw it.
 */
function noteDeparted(ctx: WindowsSpoolerContext, text: string): void {
  let rows: Record<string, unknown>[];
  try {
    rows = rowsOf(text);
  } catch {
    ctx.deps.logger.debug('spooler deletion event not readable', { sourceId: ctx.config.id });
    return;
  }
  for (const row of rows) {
    const job = toSourceJob(row, { sourceId: ctx.config.id, user: ctx.user });
    if (job && typeof job.extra.statusMask === 'number') ctx.departed.set(job.key, job.extra.statusMask);
  }
}
