/**
 * ScriptX.Services failures in the monitor's words: `toSourceError` for the health of the whole
 * source, `toActionFailure` for the answer to one action (print, cancel, license, printers), and
 * the messages they share. A license GUID never reaches a message.
 */
import { AppFailure } from '../../../preload/contract/model';
import { HttpError } from '../../http/client';
import { SourceError } from '../../queue/source';
import { errorWords } from '../shared';
import { lost, whereOf, type Entry, type ScriptxContext } from './context';

export const LICENSE_PROBLEM = 'the license GUID is missing or not valid for this service';
export const CANCEL_VERSION_MESSAGE = 'cancel needs ScriptX.Services 2.10 or later';

/** A guid in the service's words (POST licensing echoes it) never reaches a message. */
const redactGuids = (text: string) => text.replace(/\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?/g, '(license GUID)');

/** The service's own words about a failed request, GUIDs removed, or null. */
export const serviceWords = (err: HttpError): string | null => (err.serviceMessage ? redactGuids(err.serviceMessage) : null);

/** " 5 s" when the service said how long to wait, else "". */
const waitWords = (err: HttpError): string => (err.retryAfterMs !== null ? ` ${Math.ceil(err.retryAfterMs / 1000)} s` : '');

/** An HTTP answer of 4xx other than 401 and 429: the service refused what was asked. */
export function isRefusal(err: unknown): err is HttpError & { status: number } {
  return err instanceof HttpError && err.kind === 'http' && err.status !== null && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429;
}

/** A 404 answer. */
export function isNotFound(err: unknown): err is HttpError {
  return err instanceof HttpError && err.kind === 'http' && err.status === 404;
}

function downError(ctx: ScriptxContext, err: HttpError, where: string): SourceError {
  const net = /could not be reached \((.+)\)$/.exec(err.message)?.[1];
  const how = err.kind === 'timeout' ? 'it did not answer in time' : (net ?? 'nothing answered');
  const fix = ctx.config.baseUrl ? 'Check that the server is running and the address in Settings.' : 'Start ScriptX.Services on this PC.';
  return new SourceError('down', `ScriptX.Services at ${where} could not be reached (${how}). ${fix}`, {
    cause: err,
    detail: ctx.found ? { baseUrl: ctx.found.baseUrl, foundBy: ctx.found.foundBy } : undefined,
  });
}

function authError(ctx: ScriptxContext, err: HttpError): SourceError {
  const said = serviceWords(err);
  return new SourceError('auth-required', `ScriptX.Services refused the request${said ? ` ("${said}")` : ''}: ${LICENSE_PROBLEM}. Enter the license GUID for "${ctx.name}" in Settings.`, { cause: err });
}

/** Turns a failure of a whole-service call into the SourceError the engine understands. */
export function toSourceError(err: unknown, ctx: ScriptxContext): SourceError {
  if (err instanceof SourceError) return err;
  if (err instanceof HttpError) {
    if (err.kind === 'unreachable' || err.kind === 'timeout') {
      const where = whereOf(ctx);
      lost(ctx);
      return downError(ctx, err, where);
    }
    if (err.kind === 'http' && err.status === 401) return authError(ctx, err);
    if (err.kind === 'http' && err.status === 429) {
      return new SourceError('degraded', `ScriptX.Services is busy and asked to wait${waitWords(err)}.`, { retryAfterMs: err.retryAfterMs, cause: err });
    }
    if (err.kind === 'http') {
      const said = serviceWords(err);
      return new SourceError('degraded', `ScriptX.Services answered ${err.status}${said ? `: "${said}"` : ''}.`, { retryAfterMs: err.retryAfterMs, cause: err });
    }
    if (err.kind === 'malformed' || err.kind === 'too-large') return new SourceError('degraded', `ScriptX.Services sent an answer the monitor cannot read: ${err.message}.`, { cause: err });
  }
  return new SourceError('degraded', `Reading ScriptX.Services failed: ${errorWords(err)}`, { cause: err });
}

/** An AppFailure for an action (print, cancel, license, printers) that failed; `what` names the action. */
export function toActionFailure(err: unknown, ctx: ScriptxContext, what: string): AppFailure {
  const sourceId = ctx.config.id;
  if (err instanceof AppFailure) return err;
  if (err instanceof SourceError) return new AppFailure(err.status === 'auth-required' ? 'auth-required' : 'unreachable', err.message, { sourceId, cause: err });
  if (err instanceof HttpError) {
    const said = serviceWords(err);
    const answered = `${what} failed: ScriptX.Services answered ${err.status}${said ? `: "${said}"` : ''}.`;
    if (err.kind === 'unreachable' || err.kind === 'timeout') {
      const where = whereOf(ctx);
      lost(ctx);
      return new AppFailure('unreachable', `${what} failed: ScriptX.Services at ${where} could not be reached.`, { sourceId, cause: err });
    }
    if (err.kind === 'http' && err.status === 401) return new AppFailure('auth-required', `${what} failed: ${LICENSE_PROBLEM}.`, { sourceId, cause: err });
    if (err.kind === 'http' && err.status === 429) return new AppFailure('conflict', `${what} failed: ScriptX.Services is busy; try again${err.retryAfterMs !== null ? ` in${waitWords(err)}` : ' shortly'}.`, { sourceId, cause: err });
    if (err.kind === 'http' && err.status !== null && err.status >= 400 && err.status < 500) return new AppFailure('invalid-input', answered, { sourceId, cause: err });
    if (err.kind === 'http') return new AppFailure('internal', answered, { sourceId, cause: err });
    if (err.kind === 'malformed' || err.kind === 'too-large') return new AppFailure('internal', `${what} failed: ScriptX.Services sent an answer the monitor cannot read (${err.message}).`, { sourceId, cause: err });
    if (err.kind === 'aborted') return new AppFailure('internal', `${what} was canceled.`, { sourceId, cause: err });
  }
  return new AppFailure('internal', `${what} failed: ${errorWords(err)}`, { sourceId, cause: err });
}

/** One job's status request that failed while the service answers otherwise, in words. */
export function jobProblem(e: Entry, err: unknown): string {
  const job = `job ${e.token}`;
  if (err instanceof HttpError) {
    const said = serviceWords(err);
    if (err.kind === 'http' && err.status === 429) return `ScriptX.Services is busy (429) and asked to wait${waitWords(err)} before asking about ${job} again.`;
    if (err.kind === 'http') return `ScriptX.Services answered ${err.status} for the status of ${job}${said ? `: "${said}"` : ''}.`;
    if (err.kind === 'malformed' || err.kind === 'too-large') return `ScriptX.Services sent a status for ${job} that the monitor cannot read (${err.message}).`;
  }
  return `Reading the status of ${job} failed: ${errorWords(err)}`;
}
