/**
 * AODocs failures in the app's words: `toSourceError` for the source's health (null when the
 * failure concerns one library or one job only), `toActionFailure` for the answer to one action,
 * and `describeProblem` for one library's or look-up's problem in a poll.
 */
import { AppFailure } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { SourceError } from '../../queue/source';
import { errorWords } from '../shared';
import { AodocsCredentialMissing } from './client';
import type { AodocsContext } from './context';

function authMessage(ctx: AodocsContext, err: HttpError): string {
  const said = err.serviceMessage ? ` ("${err.serviceMessage}")` : '';
  const m = err.serviceMessage ?? '';
  const why = /expir/i.test(m)
    ? 'has expired'
    : /invalid|wrong|unknown|not valid|revoked/i.test(m)
      ? 'is not valid (mistyped or revoked)'
      : /required|missing/i.test(m)
        ? 'was not accepted'
        : 'is wrong, revoked or expired';
  const words = ctx.client.credentialWords;
  return `AODocs refused the ${words}${said}: it ${why}. Enter a new ${words} for "${ctx.name}" in Settings.`;
}

/** A failure that concerns the whole source (unreachable, credentials), or null for a partial one. */
export function toSourceError(err: unknown, ctx: AodocsContext): SourceError | null {
  if (err instanceof AodocsCredentialMissing) return new SourceError('auth-required', err.message);
  if (err instanceof HttpError) {
    if (err.kind === 'unreachable' || err.kind === 'timeout') {
      return new SourceError('down', `AODocs at ${ctx.host} could not be reached (${err.kind === 'timeout' ? 'no answer in time' : err.message.replace(/^.* could not be reached \((.*)\)$/, '$1')}). Check the network connection and the AODocs address in Settings.`, { cause: err });
    }
    if (err.kind === 'http' && err.status === 401) return new SourceError('auth-required', authMessage(ctx, err), { cause: err });
  }
  return null;
}

/** One library's (or one look-up's) problem, for the health of a poll that otherwise answered. */
export function describeProblem(err: unknown, libraryId: string | null): string {
  const where = libraryId ? `library ${libraryId}` : 'a job look-up';
  if (err instanceof HttpError) {
    if (err.kind === 'http') {
      const said = err.serviceMessage ?? `HTTP ${err.status}`;
      if (err.status === 403) return `No access to ${where}: AODocs says "${said}".`;
      if (err.status === 404 && libraryId) return `AODocs does not know ${where} ("${said}"): check the library id in Settings.`;
      if (err.status === 429) return `AODocs is throttling requests for ${where} ("${said}"); polling slows down.`;
      if (err.status === 400) return `AODocs refused the request for ${where} as invalid ("${said}"): check the Workspace domain${libraryId ? ' and the library id' : ''} in Settings.`;
      if (err.status === 409) return `AODocs refused the request for ${where} with a conflict: "${said}".`;
      return `AODocs answered ${err.status} for ${where}: "${said}". It will be tried again.`;
    }
    if (err.kind === 'malformed' || err.kind === 'too-large') return `AODocs sent an answer the monitor cannot read for ${where}: ${err.message}.`;
  }
  return `Reading ${where} failed: ${errorWords(err)}.`;
}

/** Turns a failed single-job request into the error envelope, in the service's words. */
export function toActionFailure(err: unknown, ctx: AodocsContext, job: { nativeId: string }, action: string): AppFailure {
  const sourceId = ctx.config.id;
  if (err instanceof AppFailure) return err;
  if (err instanceof AodocsCredentialMissing) return new AppFailure('auth-required', err.message, { sourceId });
  if (err instanceof HttpError) {
    const said = err.serviceMessage ?? (err.status !== null ? `HTTP ${err.status}` : err.message);
    switch (err.kind) {
      case 'aborted':
        return new AppFailure('unreachable', `The request to ${action} AODocs job ${job.nativeId} was canceled.`, { sourceId });
      case 'unreachable':
      case 'timeout':
        return new AppFailure('unreachable', `AODocs at ${ctx.host} could not be reached to ${action} job ${job.nativeId}; try again when it is back.`, { sourceId });
      case 'malformed':
      case 'too-large':
        return new AppFailure('internal', `AODocs answered the request to ${action} job ${job.nativeId} with something the monitor cannot read: ${err.message}.`, { sourceId });
      case 'http':
        return httpActionFailure(ctx, err, job, action, said);
    }
  }
  return new AppFailure('internal', `Could not ${action} AODocs job ${job.nativeId}: ${errorWords(err)}`, { sourceId });
}

function httpActionFailure(ctx: AodocsContext, err: HttpError, job: { nativeId: string }, action: string, said: string): AppFailure {
  const sourceId = ctx.config.id;
  if (err.status === 401) return new AppFailure('auth-required', authMessage(ctx, err), { sourceId });
  if (err.status === 403) {
    return action === 'cancel'
      ? new AppFailure('not-allowed', 'Only library administrators can cancel AODocs jobs', { sourceId })
      : new AppFailure('not-allowed', `AODocs does not allow you to ${action} job ${job.nativeId}: "${said}".`, { sourceId });
  }
  if (err.status === 404) return new AppFailure('not-found', `AODocs does not know job ${job.nativeId} ("${said}").`, { sourceId });
  if (err.status === 409) return new AppFailure('conflict', `AODocs refused to ${action} job ${job.nativeId}: "${said}".`, { sourceId });
  if (err.status !== null && err.status >= 500) {
    return new AppFailure('unreachable', `AODocs could not ${action} job ${job.nativeId} now (${err.status}: "${said}"); try again later.`, { sourceId });
  }
  return new AppFailure('internal', `AODocs answered ${err.status} to the request to ${action} job ${job.nativeId}: "${said}".`, { sourceId });
}
