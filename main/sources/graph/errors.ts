/**
 * Universal Print's failures in the app's words: `toSourceError` for the source's health (a poll
 * that failed), `toActionFailure` for the answer to one action (cancel, abort, track, print).
 */
import { AppFailure } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { SourceError } from '../../queue/source';
import { errorWords } from '../shared';
import { AuthRequiredError } from './auth';
import { graphErrorMessage } from './client';
import type { GraphContext } from './context';
import { permissionMessage, type Operation } from './mapping';

/** A poll's failure as the health it implies. An abort is thrown on, never turned into health. */
export function toSourceError(e: unknown, ctx: Pick<GraphContext, 'client' | 'scopeAll'>): SourceError {
  if (e instanceof SourceError) return e;
  if (e instanceof AuthRequiredError) return new SourceError('auth-required', e.message, { cause: e });
  if (e instanceof HttpError) {
    if (e.kind === 'unreachable' || e.kind === 'timeout') {
      return new SourceError('down', `Universal Print (${ctx.client.host}) could not be reached: ${e.kind === 'timeout' ? 'no answer in time' : e.message.replace(/^.*could not be reached \((.*)\)$/, '$1')}. Check the network connection.`, { cause: e });
    }
    if (e.kind === 'redirect') return new SourceError('degraded', `Universal Print ${e.message.replace(/^[A-Z]+ \S+ /, '')}`, { cause: e });
    if (e.kind === 'malformed' || e.kind === 'too-large') {
      return new SourceError('degraded', `Universal Print answered with something the app cannot read (${e.message.replace(/^[A-Z]+ \S+ /, '')}); the jobs shown are the last known.`, { cause: e });
    }
    if (e.kind === 'http') {
      if (e.status === 403) return new SourceError('auth-required', permissionMessage(ctx.scopeAll ? 'list-all-jobs' : 'list-my-jobs', 'the job lists', e.serviceMessage), { cause: e });
      const wait = e.retryAfterMs;
      const said = e.serviceMessage ? `: ${e.serviceMessage}` : '';
      return new SourceError('degraded', `Universal Print answered ${e.status}${said}${wait ? `; retrying in ${Math.ceil(wait / 1000)} s` : ''}.`, { cause: e, retryAfterMs: wait });
    }
  }
  if (e instanceof Error && e.name === 'AbortError') throw e;
  return new SourceError('degraded', `Universal Print poll failed: ${errorWords(e)}`, { cause: e });
}

export interface ActionFailureOptions {
  /** The job's key: a 404 marks it gone at the next poll. */
  key?: string;
  /** A step of printing (create, upload, start, cancel an upload): worded for the upload. */
  upload?: boolean;
}

/** An action's failure as the error envelope, in Graph's words; `what` completes "could not …". */
export function toActionFailure(e: unknown, ctx: Pick<GraphContext, 'config' | 'client'> & { goneKeys?: Set<string> }, op: Operation, what: string, opts: ActionFailureOptions = {}): AppFailure {
  const sourceId = ctx.config.id;
  if (e instanceof AppFailure) return e;
  if (e instanceof AuthRequiredError) return new AppFailure('auth-required', e.message, { sourceId });
  if (e instanceof HttpError) {
    if (opts.upload) return uploadFailure(ctx, e, op, what);
    const said = e.serviceMessage?.replace(/\.$/, '') ?? null;
    if (e.kind === 'unreachable' || e.kind === 'timeout') return new AppFailure('unreachable', `Universal Print (${ctx.client.host}) could not be reached to ${what}.`, { sourceId });
    if (e.kind === 'malformed') return new AppFailure('internal', `Universal Print answered the request to ${what} with something the app cannot read.`, { sourceId });
    if (e.kind === 'aborted') return new AppFailure('internal', `The request to ${what} was canceled.`, { sourceId });
    if (e.status === 403) return new AppFailure('not-allowed', permissionMessage(op, `the request to ${what}`, said), { sourceId });
    if (e.status === 404) {
      if (opts.key) ctx.goneKeys?.add(opts.key);
      return new AppFailure('not-found', `Universal Print no longer knows this job (it has been purged)${said ? `: ${said}` : ''}.`, { sourceId });
    }
    if (e.status === 429 || (e.status ?? 0) >= 500) return new AppFailure('unreachable', `Universal Print could not ${what} right now (${e.status}${said ? `: ${said}` : ''}); try again${e.retryAfterMs ? ` in ${Math.ceil(e.retryAfterMs / 1000)} s` : ' later'}.`, { sourceId });
    return new AppFailure('conflict', `Universal Print refused to ${what}${said ? `: ${said}` : ` (${e.status})`}.`, { sourceId });
  }
  return new AppFailure('internal', `Could not ${what}: ${errorWords(e)}`, { sourceId });
}

function uploadFailure(ctx: Pick<GraphContext, 'config' | 'client'>, e: HttpError, op: Operation, what: string): AppFailure {
  const sourceId = ctx.config.id;
  const said = (e.serviceMessage ?? graphErrorMessage(e.body))?.replace(/\.$/, '') ?? null;
  if (e.kind === 'aborted') return new AppFailure('conflict', `The upload was canceled before ${what} finished.`, { sourceId });
  if (e.kind === 'unreachable' || e.kind === 'timeout') return new AppFailure('unreachable', `Universal Print (${ctx.client.host}) could not be reached to ${what}.`, { sourceId });
  if (e.kind === 'malformed') return new AppFailure('internal', `Universal Print answered the request to ${what} with something the app cannot read.`, { sourceId });
  if (e.status === 403) return new AppFailure('not-allowed', permissionMessage(op, `the request to ${what}`, said), { sourceId });
  if (e.status === 404) return new AppFailure('not-found', `Universal Print does not know ${what.replace(/^\w+ /, '')}${said ? `: ${said}` : ''}.`, { sourceId });
  return new AppFailure(e.status && e.status >= 500 ? 'unreachable' : 'conflict', `Universal Print refused to ${what}${said ? `: ${said}` : ` (${e.status})`}.`, { sourceId });
}
