/**
 * IPP failures in the app's words: `toSourceError` for the source's health (a poll that failed),
 * `toActionFailure` for the answer to one action (cancel, hold, release, read).
 */
import { AppFailure, type Job } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { SourceError } from '../../queue/source';
import { errorWords } from '../shared';
import { IPP_STATUS, IppStatusError, IppVersionError, versionWords } from './client';
import type { IppContext } from './context';

/** The server's own words and the status, e.g. `"Job #3 is finished" (client-error-not-possible)`. */
function said(err: IppStatusError): string {
  return err.serviceMessage ? `"${err.serviceMessage}" (${err.statusName})` : err.statusName;
}

/** A printer that refused every IPP version asked: `The IPP server at host accepts none of ... (IPP/2.0, 1.1 and 1.0: "..." (server-error-version-not-supported))`. */
function noVersionWords(ctx: IppContext, err: IppVersionError): string {
  return `The IPP server at ${ctx.host} accepts none of the IPP versions the monitor speaks (it answered ${versionWords(err.tried)} with ${said(err)})`;
}

/**
 * The server asks (`toDo`: " to cancel job 3") for the password the monitor keeps off an
 * unencrypted connection, and the address that would carry it.
 */
function withheldWords(ctx: IppContext, toDo = ''): string {
  const https = new URL(ctx.config.url);
  https.protocol = https.protocol === 'ipp:' ? 'ipps:' : 'https:';
  return `The IPP server at ${ctx.host} asks for a user name and password${toDo}, which the monitor sends only over an encrypted connection: use ${https.toString().replace(/\/$/, '')} in Settings.`;
}

function httpSourceError(ctx: IppContext, err: HttpError): SourceError | null {
  const { host, name } = ctx;
  if (err.kind === 'unreachable' || err.kind === 'timeout') {
    const why = err.kind === 'timeout' ? 'no answer in time' : err.message.replace(/^.* could not be reached \((.*)\)$/, '$1');
    return new SourceError('down', `The IPP server at ${host} could not be reached (${why}). Check that the printer or server is on and the address in Settings.`, { cause: err });
  }
  if (err.kind === 'http' && err.status === 401 && ctx.client.credentialsWithheld) return new SourceError('auth-required', withheldWords(ctx), { cause: err });
  if (err.kind === 'http' && err.status === 401) {
    return new SourceError('auth-required', `The IPP server at ${host} asks for a user name and password: set "user" and store the password for "${name}" in Settings${err.serviceMessage ? ` (it said "${err.serviceMessage}")` : ''}.`, { cause: err });
  }
  if (err.kind === 'http' && err.status === 426) {
    return new SourceError('degraded', `The IPP server at ${host} requires encryption: use an ipps:// (or https://) address in Settings.`, { cause: err });
  }
  if (err.kind === 'http' && err.status === 403) {
    return new SourceError('auth-required', `The IPP server at ${host} refused access (403${err.serviceMessage ? `: "${err.serviceMessage}"` : ''}); check the user name and password in Settings.`, { cause: err });
  }
  if (err.kind === 'http') {
    return new SourceError('degraded', `The IPP server at ${host} answered HTTP ${err.status}${err.serviceMessage ? `: "${err.serviceMessage}"` : ''}; it will be tried again.`, { retryAfterMs: err.retryAfterMs, cause: err });
  }
  if (err.kind === 'malformed' || err.kind === 'too-large') {
    return new SourceError('degraded', `The IPP server at ${host} sent an answer the monitor cannot read (${err.message}); it will be tried again.`, { cause: err });
  }
  return null;
}

/** A failure that concerns the whole source, as the health it implies. */
export function toSourceError(err: unknown, ctx: IppContext): SourceError {
  const { host, target } = ctx;
  if (err instanceof HttpError) {
    const e = httpSourceError(ctx, err);
    if (e) return e;
  }
  if (err instanceof IppVersionError) {
    return new SourceError('degraded', `${noVersionWords(ctx, err)}. Check that the address in Settings is the printer's IPP address; it will be tried again.`, { cause: err });
  }
  if (err instanceof IppStatusError) {
    if (err.status === IPP_STATUS.NOT_AUTHENTICATED || err.status === IPP_STATUS.FORBIDDEN) {
      return new SourceError('auth-required', `The IPP server at ${host} refused to list jobs: ${said(err)}. Check the user name and password in Settings.`, { cause: err });
    }
    if (err.status === IPP_STATUS.OPERATION_NOT_SUPPORTED && target.kind === 'server') {
      return new SourceError('degraded', `The IPP server at ${host} does not list its printers (CUPS-Get-Printers: ${said(err)}), so it is a printer rather than a CUPS server: give the printer's own address in Settings, such as ipp://${host}/ipp/print.`, { cause: err });
    }
    if (err.status === IPP_STATUS.NOT_FOUND && target.kind === 'printer') {
      return new SourceError('degraded', `The IPP server at ${host} has no printer at ${new URL(target.uri).pathname}: ${said(err)}. Check the address in Settings.`, { cause: err });
    }
    return new SourceError('degraded', `The IPP server at ${host} refused a request: ${err.message}.`, { cause: err });
  }
  return new SourceError('degraded', `Reading the IPP server at ${host} failed: ${errorWords(err)}.`, { cause: err });
}

export function toActionFailure(err: unknown, ctx: IppContext, job: Job, verb: string): AppFailure {
  const sourceId = ctx.config.id;
  if (err instanceof AppFailure) return err;
  if (err instanceof IppVersionError) return new AppFailure('unsupported', `${noVersionWords(ctx, err)}, so the monitor cannot ${verb} job ${job.nativeId}.`, { sourceId });
  if (err instanceof IppStatusError) {
    const words = said(err);
    switch (err.status) {
      case IPP_STATUS.NOT_AUTHENTICATED:
        return new AppFailure('auth-required', `The IPP server asks who you are to ${verb} job ${job.nativeId}: ${words}. Set the user name and password in Settings.`, { sourceId });
      case IPP_STATUS.FORBIDDEN:
      case IPP_STATUS.NOT_AUTHORIZED:
        return new AppFailure('not-allowed', `The IPP server does not let ${ctx.user} ${verb} job ${job.nativeId}: ${words}.`, { sourceId });
      case IPP_STATUS.NOT_FOUND:
      case IPP_STATUS.GONE:
        return new AppFailure('not-found', `The IPP server no longer knows job ${job.nativeId}: ${words}.`, { sourceId });
      case IPP_STATUS.NOT_POSSIBLE:
        return new AppFailure('too-late', `Job ${job.nativeId} cannot be ${verb === 'cancel' ? 'canceled' : verb === 'hold' ? 'held' : 'released'} now: ${words}.`, { sourceId });
      case IPP_STATUS.OPERATION_NOT_SUPPORTED:
        return new AppFailure('unsupported', `This printer does not support ${verb === 'hold' ? 'Hold-Job' : verb === 'release' ? 'Release-Job' : 'Cancel-Job'}: ${words}.`, { sourceId });
      default:
        return new AppFailure('internal', `The IPP server refused to ${verb} job ${job.nativeId}: ${words}.`, { sourceId });
    }
  }
  if (err instanceof HttpError) {
    if (err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'aborted') return new AppFailure('unreachable', `The IPP server at ${ctx.host} could not be reached to ${verb} job ${job.nativeId}; try again when it is back.`, { sourceId });
    if (err.kind === 'http' && err.status === 401 && ctx.client.credentialsWithheld) return new AppFailure('auth-required', withheldWords(ctx, ` to ${verb} job ${job.nativeId}`), { sourceId });
    if (err.kind === 'http' && err.status === 401) return new AppFailure('auth-required', `The IPP server at ${ctx.host} asks for a user name and password to ${verb} job ${job.nativeId}.`, { sourceId });
    if (err.kind === 'http' && err.status === 426) return new AppFailure('not-allowed', `The IPP server at ${ctx.host} requires encryption to ${verb} job ${job.nativeId}: use an ipps:// (or https://) address in Settings.`, { sourceId });
    return new AppFailure('internal', `The IPP server at ${ctx.host} answered the request to ${verb} job ${job.nativeId} with something the monitor cannot use: ${err.message}.`, { sourceId });
  }
  return new AppFailure('internal', `Could not ${verb} job ${job.nativeId}: ${errorWords(err)}`, { sourceId });
}
