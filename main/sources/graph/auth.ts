/**
 * Where the Graph source gets its bearer tokens: a TokenProvider. Two kinds exist: the stored
 * static token (TOKEN secret, or PQM_SECRET_<ID>_TOKEN in the CLI through the SecretStore) and
 * MSAL sign-in (msal.ts). Tokens never leave main and never appear in messages or logs.
 */
import type { SecretStore } from '../../ports/ports';

export interface TokenRequest {
  scopes: string[];
  /** Ignore any cached token (after a 401). */
  forceRefresh?: boolean;
}

export interface TokenProvider {
  /** A token for the scopes, silently; throws AuthRequiredError when the user must sign in. */
  getToken(opts: TokenRequest, signal?: AbortSignal): Promise<string>;
  /** Interactive sign-in (system browser, else device code); `scopes` asks for more consent. */
  signIn?(opts?: { scopes?: string[]; signal?: AbortSignal }): Promise<void>;
  signOut?(): Promise<void>;
  account?(): { username: string } | null;
}

/** The user must sign in (again): no token, refused, expired and not renewable. */
export class AuthRequiredError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AuthRequiredError';
  }
}

/**
 * Delegated scopes for watching the user's own jobs and cancelling them; User.Read lets the source
 * ask Graph who "me" is (`GET /me`) when neither the sign-in nor the settings name the user.
 */
export const READ_SCOPES = [
  'https://graph.microsoft.com/PrintJob.ReadBasic',
  'https://graph.microsoft.com/PrintJob.ReadWriteBasic',
  'https://graph.microsoft.com/PrinterShare.ReadBasic.All',
  'https://graph.microsoft.com/User.Read',
];
/** Asked for only when the user first prints (incremental consent). */
export const PRINT_SCOPES = ['https://graph.microsoft.com/PrintJob.Create', 'https://graph.microsoft.com/PrintJob.ReadWrite'];
/** Admins watching every user's jobs through printers. */
export const ADMIN_READ_SCOPES = ['https://graph.microsoft.com/Printer.Read.All', 'https://graph.microsoft.com/PrintJob.ReadWrite.All'];
/** Client credentials always ask for the app's configured application permissions. */
export const APP_SCOPES = ['https://graph.microsoft.com/.default'];

/**
 * A provider over the stored TOKEN secret (an access token pasted in or provided by automation).
 * Access tokens are opaque to clients: it names no account, and the source asks Graph who "me" is.
 */
export function createStaticTokenProvider(secrets: SecretStore, sourceId: string): TokenProvider {
  return {
    async getToken() {
      // Read every time: the user (or the CLI environment) may have replaced the token.
      const token = (await secrets.get(sourceId, 'TOKEN'))?.trim();
      if (!token) {
        throw new AuthRequiredError(
          `No Universal Print token is stored for source "${sourceId}": sign in, or set PQM_SECRET_${sourceId.toUpperCase().replace(/-/g, '_')}_TOKEN.`,
        );
      }
      return token;
    },
  };
}
