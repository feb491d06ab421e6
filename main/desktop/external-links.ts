/**
 * Which URLs may leave the app (opened in the system browser) and which pages count as the app
 * itself. Everything else is refused: the window never shows remote content, and
 * `shell.openExternal` with an attacker-chosen URL can run programs on Windows.
 */
import { APP_HOST, APP_SCHEME } from './app-identity';

/** Hosts whose https pages the app may open: Microsoft sign-in and documentation, the vendors' docs. */
export const EXTERNAL_HOST_ALLOW_LIST: readonly string[] = [
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.live.com',
  'microsoft.com',
  'learn.microsoft.com',
  'docs.microsoft.com',
  'aka.ms',
  'go.microsoft.com',
  'portal.azure.com',
  'entra.microsoft.com',
  'meadroid.com',
  'www.meadroid.com',
  'scriptxservices.meadroid.com',
  'aodocs.com',
  'www.aodocs.com',
  'support.aodocs.com',
];

export type LinkVerdict = { allowed: true; url: string } | { allowed: false; reason: string };

/**
 * Decides whether `raw` may be opened in the system browser. Only https, only an allow-listed host
 * (exact match: "login.microsoftonline.com.evil.example" is not "login.microsoftonline.com"), no
 * user name or password, no explicit port, no control characters. Returns the normalized URL.
 */
export function checkExternalUrl(raw: unknown, allowList: readonly string[] = EXTERNAL_HOST_ALLOW_LIST): LinkVerdict {
  if (typeof raw !== 'string' || raw.length === 0) return { allowed: false, reason: 'The link is empty.' };
  if (raw.length > 4096) return { allowed: false, reason: 'The link is longer than 4096 characters.' };
  if (/[\u0000-\u0020\u007f]/.test(raw)) return { allowed: false, reason: 'The link contains spaces or control characters.' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'The link is not a valid URL.' };
  }
  if (url.protocol !== 'https:') return { allowed: false, reason: `Only https links can be opened, not ${url.protocol.replace(/:$/, '')}.` };
  if (url.username || url.password) return { allowed: false, reason: 'Links with a user name or password are not opened.' };
  if (url.port) return { allowed: false, reason: 'Links with an explicit port are not opened.' };
  const host = url.hostname.toLowerCase();
  if (!allowList.includes(host)) return { allowed: false, reason: `Links to ${host} are not opened by Print Queue Monitor.` };
  return { allowed: true, url: url.toString() };
}

/** Where the app's own pages live: app://window/ (main/desktop/app-protocol.ts), or the dev server while developing. */
export interface AppPageLocation {
  /** The electron-vite dev server (ELECTRON_RENDERER_URL); only honoured in unpackaged runs. */
  devServerUrl?: string | null;
}

/** True when `raw` is one of the app's own pages (query and fragment ignored). */
export function isAppUrl(raw: unknown, where: AppPageLocation): boolean {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 8192) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === `${APP_SCHEME}:`) return url.host === APP_HOST && !url.username && !url.password && !url.port;
  if (where.devServerUrl) {
    try {
      const dev = new URL(where.devServerUrl);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === dev.origin && !url.username && !url.password;
    } catch {
      return false;
    }
  }
  return false;
}
