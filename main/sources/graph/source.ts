/**
 * The Microsoft Graph Universal Print source: wiring only. Polling is in poll.ts (with
 * discovery.ts and the $batch runner in batch.ts), job actions in actions.ts, tracked ids in
 * tracked.ts, printing and uploads in printing.ts, the words for failures in errors.ts.
 *
 * Throttled batch steps (per-item 429) are re-sent after the longest Retry-After among them while
 * the successful steps are kept; a 401 gets one silent token refresh, then the source asks for
 * sign-in; a 403 names the permission or role that is missing.
 */
import { AppFailure, makeJobKey, type GraphSourceConfig } from '../../../preload/contract/model';
import type { JobSource } from '../../queue/source';
import type { SourceDeps } from '../deps';
import { act, details, sharePrinterId } from './actions';
import { AuthRequiredError, createStaticTokenProvider, type TokenProvider } from './auth';
import { createGraphContext, placeName, targetFor, whereOf, type GraphSourceOptions } from './context';
import { locatorOf } from './mapping';
import { createMsalTokenProvider, createAppTokenProvider } from './msal';
import { poll } from './poll';
import { createPrinting } from './printing';
import { track, untrack } from './tracked';

export type { GraphSourceOptions } from './context';

export function createGraphSource(config: GraphSourceConfig, deps: SourceDeps, opts: GraphSourceOptions = {}): JobSource {
  const tokens: TokenProvider =
    opts.tokenProvider ??
    (config.clientId ? withStoredTokenFallback(createMsalTokenProvider(config, deps), createStaticTokenProvider(deps.secrets, config.id), deps, config.id) : createStaticTokenProvider(deps.secrets, config.id));
  const appTokens: TokenProvider | null = config.admin?.enabled ? (opts.appTokenProvider ?? createAppTokenProvider(config, deps)) : null;
  const ctx = createGraphContext(config, deps, tokens, appTokens, opts);
  const { name } = ctx;
  const printing = createPrinting({
    ctx,
    sharePrinterId: (shareId, signal) => sharePrinterId(ctx, shareId, signal),
    placeName: (via, id) => placeName(targetFor(ctx, via, id)),
    chunkBytes: opts.uploadChunkBytes,
  });

  return {
    id: config.id,
    kind: 'graph',
    name,
    loopback: false,
    poll: (pollCtx) => poll(ctx, pollCtx),
    act: (job, action, signal) => act(ctx, job, action, signal),
    track: (id, _opts, signal) => track(ctx, id, signal),
    untrack: (job) => untrack(ctx, job),
    details: (job, signal) => details(ctx, job, signal),
    print: (req, file, c) => printing.print(req, file, c),
    cancelUpload: (job, signal) => printing.cancelUpload(job, signal, whereOf(ctx, job)),
    retry: (job, signal) => printing.retry(job, signal),
    async signIn(signal) {
      if (!tokens.signIn) throw new AppFailure('unsupported', `Sign-in needs a client id (an app registration) for "${name}" in Settings; without one the stored token is used.`, { sourceId: config.id });
      // Consent for what this source reads (the admin scopes too when it watches printers or
      // everyone's jobs); the printing scopes are asked for when the user first prints.
      await tokens.signIn({ signal, scopes: ctx.readScopes });
      ctx.discoveredAt = null;
    },
    async signOut() {
      if (!tokens.signOut) throw new AppFailure('unsupported', `"${name}" uses a stored token; remove it in Settings to sign out.`, { sourceId: config.id });
      await tokens.signOut();
    },
    dispose() {
      printing.dispose();
    },
  };
}

/**
 * MSAL sign-in first; while nobody is signed in, a stored TOKEN secret (the CLI's
 * PQM_SECRET_<ID>_TOKEN, automation) is used instead.
 */
export function withStoredTokenFallback(msal: TokenProvider, stored: TokenProvider, deps: SourceDeps, sourceId: string): TokenProvider {
  let usingStored = false;
  return {
    async getToken(req, signal) {
      try {
        const t = await msal.getToken(req, signal);
        usingStored = false;
        return t;
      } catch (e) {
        if (!(e instanceof AuthRequiredError) || msal.account?.() || !(await deps.secrets.has(sourceId, 'TOKEN'))) throw e;
        usingStored = true;
        return stored.getToken(req, signal);
      }
    },
    signIn: msal.signIn ? (o) => msal.signIn!(o) : undefined,
    signOut: msal.signOut ? () => msal.signOut!() : undefined,
    account: () => (usingStored ? (stored.account?.() ?? null) : (msal.account?.() ?? null)),
  };
}

export { locatorOf, makeJobKey };
