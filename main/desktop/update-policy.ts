/**
 * When updates are checked and installed. Updates come from a generic feed set in the settings
 * (settings.updates.feedUrl) and are off while it is unset. A downloaded update is never installed
 * by restarting while watched jobs are active: it waits for an idle queue, or for the next quit.
 */
import type { Handlers } from '../../preload/contract/contract';
import { AppFailure, isFinal, type Job } from '../../preload/contract/model';

export type FeedDecision = { enabled: true; url: string } | { enabled: false; reason: string };

/** An https feed, or http only on this machine (a test server). */
export function updateFeed(feedUrl: string | undefined | null): FeedDecision {
  if (!feedUrl) return { enabled: false, reason: 'No update feed is set (settings: updates.feedUrl).' };
  let url: URL;
  try {
    url = new URL(feedUrl);
  } catch {
    return { enabled: false, reason: 'The update feed is not a valid URL.' };
  }
  if (url.username || url.password) return { enabled: false, reason: 'The update feed URL must not carry a user name or password.' };
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return { enabled: false, reason: 'The update feed must be an https:// URL.' };
  }
  return { enabled: true, url: url.toString() };
}

export interface InstallSituation {
  downloaded: boolean;
  jobs: readonly Job[];
  /** The user is looking at the window. */
  windowVisible: boolean;
  /** The user asked to restart now (from a notice). */
  userRequested: boolean;
}

export type InstallDecision =
  | { action: 'none' }
  | { action: 'restart-now' }
  | { action: 'wait'; reason: string };

export function decideInstall(s: InstallSituation): InstallDecision {
  if (!s.downloaded) return { action: 'none' };
  const active = s.jobs.filter((j) => !isFinal(j)).length;
  if (active > 0) {
    return { action: 'wait', reason: `The update installs when the ${active === 1 ? 'watched job finishes' : `${active} watched jobs finish`} or when you quit.` };
  }
  if (s.userRequested) return { action: 'restart-now' };
  // Never take the window away from a user who is looking at it.
  if (s.windowVisible) return { action: 'wait', reason: 'The update installs when you quit Print Queue Monitor.' };
  return { action: 'restart-now' };
}

/** electron-updater's error codes, in words. */
const FAILURES: Record<string, string> = {
  ERR_UPDATER_INVALID_SIGNATURE:
    'The update was refused: it is not signed by the publisher of this copy (the signature check of the downloaded installer failed). Ask whoever publishes the updates to sign them with the same certificate.',
  ERR_UPDATER_CHANNEL_FILE_NOT_FOUND: 'The update feed has no latest.yml: check updates.feedUrl in the settings file.',
  ERR_UPDATER_LATEST_VERSION_NOT_FOUND: 'The update feed names no version: check updates.feedUrl in the settings file.',
  ERR_UPDATER_INVALID_UPDATE_INFO: 'The update feed\'s latest.yml could not be read.',
  ERR_UPDATER_NO_PUBLISHED_VERSIONS: 'The update feed has no published version yet.',
  ERR_CHECKSUM_MISMATCH: 'The downloaded update is damaged (its checksum does not match the feed); it will be downloaded again at the next check.',
};

/** The one sentence shown when checking, downloading or verifying an update fails. */
export function updateFailureMessage(err: { code?: string; message: string }): string {
  const known = err.code ? FAILURES[err.code] : undefined;
  if (known) return `Updating failed. ${known}`;
  const firstLine = err.message.split('\n')[0].trim().slice(0, 200) || 'unknown error';
  if (/net::ERR_|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(firstLine)) return `Updating failed: the update feed could not be reached (${firstLine}).`;
  return `Updating failed: ${firstLine}${err.code ? ` (${err.code})` : ''}.`;
}

/**
 * The handlers with `installUpdate` answered by the app's updater ("Restart now" in the window and
 * the tray); without an updater (portable, unpackaged, no feed) it is refused with the reason.
 */
export function withInstallUpdate(
  handlers: Handlers,
  updater: () => { restartNow(): { restarting: boolean; reason: string | null } } | null,
  unavailable: () => string,
): Handlers {
  return {
    ...handlers,
    async installUpdate() {
      const u = updater();
      if (!u) throw new AppFailure('unsupported', unavailable());
      return u.restartNow();
    },
  };
}
