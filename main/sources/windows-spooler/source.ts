/**
 * The Windows print spooler source: the print queues of this PC, read through one long-lived
 * Windows PowerShell process (host.ps1) with Get-CimInstance Win32_PrintJob / Win32_Printer.
 * Job changes are pushed by a CIM indication subscription on Win32_PrintJob (creation,
 * modification, deletion); the engine's polling at its own rates is the fallback (poll.ts). Jobs
 * are canceled, paused and resumed with Remove-PrintJob, Suspend-PrintJob and Resume-PrintJob,
 * and a refusal is reported in PowerShell's words (actions.ts, errors.ts).
 */
import type { WindowsSpoolerSourceConfig } from '../../../preload/contract/model';
import type { JobSource } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { act, details } from './actions';
import { createWindowsSpoolerContext, type WindowsSpoolerOptions } from './context';
import { poll } from './poll';

export { spoolerUnavailableReason, type WindowsSpoolerOptions } from './context';

export function createWindowsSpoolerSource(config: WindowsSpoolerSourceConfig, deps: SourceDeps, opts: WindowsSpoolerOptions = {}): JobSource {
  const ctx = createWindowsSpoolerContext(config, deps, opts);
  return {
    id: config.id,
    kind: 'windows-spooler',
    name: ctx.name,
    loopback: true,
    poll: (pollCtx) => poll(ctx, pollCtx),
    watch(onChange) {
      ctx.changeListener = onChange;
    },
    act: (job, action, signal) => act(ctx, job, action, signal),
    details: async (job) => details(job),
    dispose() {
      ctx.changeListener = null;
      ctx.host.dispose();
    },
  };
}
