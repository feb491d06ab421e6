/**
 * Windows' refusals in the monitor's words: `toSourceError` for the health of the whole source
 * (the spooler stopped, access denied, an answer that cannot be read), `toActionFailure` for a
 * job action Windows refused, both in PowerShell's own words.
 */
import { AppFailure, type Job } from '../../../preload/contract/model';
import { SourceError } from '../../queue/source';
import { errorWords } from '../shared';
import type { WindowsSpoolerContext } from './context';
import { SpoolerCommandError, SpoolerHostError } from './host';

const SPOOLER_STOPPED = /SpoolerStopped|spooler service is not reachable|spooler.*not running|RPC server is unavailable|0x800706ba/i;
const ACCESS_DENIED = /access (is )?denied|PermissionDenied|0x80070005|0x80041003/i;
const NOT_FOUND = /not found|ObjectNotFound|0x80070709|0x80070057/i;

/** PowerShell's words for a failed command, as one user-facing sentence part. */
export function powershellWords(err: SpoolerCommandError): string {
  return err.message.trim().replace(/\s+/g, ' ').replace(/\.$/, '');
}

/** A failure reading `what` (the printers, the print jobs) as the source's health. */
export function toSourceError(err: unknown, what: string): SourceError {
  if (err instanceof SpoolerHostError) return new SourceError('down', `Could not read ${what}: ${err.message}`, { cause: err });
  if (err instanceof SpoolerCommandError) {
    const words = powershellWords(err);
    if (SPOOLER_STOPPED.test(`${err.message} ${err.errorId}`)) return new SourceError('down', `${words}. Start the "Print Spooler" service to see this PC's print queues.`, { cause: err });
    if (ACCESS_DENIED.test(`${err.message} ${err.category} ${err.errorId}`)) return new SourceError('auth-required', `Windows refused to show ${what}: ${words}.`, { cause: err });
    return new SourceError('down', `Windows could not list ${what}: ${words}.`, { cause: err });
  }
  if (err instanceof SyntaxError) return new SourceError('down', `Windows PowerShell answered with ${what} the monitor cannot read: ${err.message}.`, { cause: err });
  return new SourceError('down', `Could not read ${what}: ${errorWords(err)}.`, { cause: err });
}

/** A job action (`verb`: cancel, pause, resume) that Windows refused or could not run. */
export function toActionFailure(err: unknown, ctx: WindowsSpoolerContext, job: Job, verb: string): AppFailure {
  const sourceId = ctx.config.id;
  if (err instanceof SpoolerCommandError) {
    const words = powershellWords(err);
    const all = `${err.message} ${err.category} ${err.errorId}`;
    if (SPOOLER_STOPPED.test(all)) return new AppFailure('unreachable', `Could not ${verb} job ${job.nativeId}: the Windows print spooler service is not running (${words}).`, { sourceId });
    if (ACCESS_DENIED.test(all)) return new AppFailure('not-allowed', `Windows does not let you ${verb} job ${job.nativeId} on ${job.printer ?? 'this printer'}: ${words}.`, { sourceId });
    if (NOT_FOUND.test(all)) return new AppFailure('not-found', `Could not ${verb} job ${job.nativeId} on ${job.printer ?? 'this printer'}: ${words}.`, { sourceId });
    return new AppFailure('internal', `Windows refused to ${verb} job ${job.nativeId}: ${words}.`, { sourceId });
  }
  if (err instanceof SpoolerHostError) return new AppFailure('unreachable', `Could not ${verb} job ${job.nativeId}: ${err.message}`, { sourceId });
  return new AppFailure('internal', `Could not ${verb} job ${job.nativeId}: ${errorWords(err)}`, { sourceId });
}
