/**
 * When updates are checked and installed. Updates come from a generic feed set in the settings
 * (settings.updates.feedUrl) and are off while it is unset. A downloaded update is never installed
 * by restarting while watched jobs are active: it waits for an idle queue, or for the next quit.
 */
import { isFinal, type Job } from '../../preload/model';

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
