/**
 * Where the Graph source gets its bearer tokens: a TokenProvider. Two kinds exist: the stored
 * static token (TOKEN secret, or PQM_SECRET_<ID>_TOKEN in the CLI through the SecretStore) and
 * MSAL sign-in (msal.ts). Tokens never leave main and never appear in messages or logs.
 */
import type { SecretStore } from '../../core/ports';

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

/** Delegated scopes for watching the user's own jobs and cancelling them. */
export const READ_SCOPES = ['https://graph.microsoft.com/PrintJob.ReadBasic', 'https://graph.microsoft.com/PrintJob.ReadWriteBasic', 'https://graph.microsoft.com/PrinterShare.ReadBasic.All'];
/** Asked for only when the user first prints (incremental consent). */
export const PRINT_SCOPES = ['https://graph.microsoft.com/PrintJob.Create', 'https://graph.microsoft.com/PrintJob.ReadWrite'];
/** Admins watching every user's jobs through printers. */
export const ADMIN_READ_SCOPES = ['https://graph.microsoft.com/Printer.Read.All', 'https://graph.microsoft.com/PrintJob.ReadWrite.All'];
/** Client credentials always ask for the app's configured application permissions. */
export const APP_SCOPES = ['https://graph.microsoft.com/.default'];

/** The claims of a JWT access token, decoded WITHOUT verifying it (only to learn the UPN). */
export function decodeJwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = Buffer.from(parts[1], 'base64url').toString('utf8');
    const claims = JSON.parse(json) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The signed-in user's UPN from an access token's upn / preferred_username / unique_name claim. */
export function upnFromToken(token: string): string | null {
  const c = decodeJwtClaims(token);
  if (!c) return null;
  for (const k of ['upn', 'preferred_username', 'unique_name']) {
    const v = c[k];
    if (typeof v === 'string' && v.includes('@')) return v;
  }
  return null;
}

/** A provider over the stored TOKEN secret (an access token pasted in or provided by automation). */
export function createStaticTokenProvider(secrets: SecretStore, sourceId: string): TokenProvider {
  let lastUpn: string | null = null;
  return {
    async getToken() {
      // Read every time: the user (or the CLI environment) may have replaced the token.
      const token = (await secrets.get(sourceId, 'TOKEN'))?.trim();
      if (!token) {
        throw new AuthRequiredError(
          `No Universal Print token is stored for source "${sourceId}": sign in, or set PQM_SECRET_${sourceId.toUpperCase().replace(/-/g, '_')}_TOKEN.`,
        );
      }
      lastUpn = upnFromToken(token);
      return token;
    },
    account() {
      return lastUpn ? { username: lastUpn } : null;
    },
  };
}
