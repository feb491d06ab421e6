/**
 * Updates through electron-updater from the generic feed in settings.updates.feedUrl; off while
 * it is unset. Installing by restart waits until no watched job is active (the decision is in
 * main/desktop/update-policy.ts); otherwise the update installs at the next quit.
 */
import electronUpdater from 'electron-updater';
import type { Job } from '../preload/model';
import type { Logger } from './core/ports';
import { decideInstall, updateFeed } from './desktop/update-policy';

const CHECK_EVERY_MS = 6 * 60 * 60_000;

export interface UpdaterDeps {
  logger: Logger;
  jobs(): readonly Job[];
  windowVisible(): boolean;
  /** Says something to the user (an app notice). */
  notice(level: 'info' | 'warning', message: string): void;
  /** Called right before the app restarts to install (lets the app quit cleanly). */
  beforeRestart(): void;
}

export interface AppUpdater {
  /** (Re)configures from the settings; null/undefined switches updates off. */
  configure(feedUrl: string | undefined | null): void;
  /** The queue changed: a waiting update may install now. */
  reconsider(opts?: { userRequested?: boolean }): void;
  dispose(): void;
}

export function createAppUpdater(deps: UpdaterDeps): AppUpdater {
  const { autoUpdater } = electronUpdater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = {
    info: (m?: unknown) => deps.logger.info(`Updater: ${String(m)}`),
    warn: (m?: unknown) => deps.logger.warn(`Updater: ${String(m)}`),
    error: (m?: unknown) => deps.logger.error(`Updater: ${String(m)}`),
    debug: (m: string) => deps.logger.debug(`Updater: ${m}`),
  };
  let feed: string | null = null;
  let downloaded = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastReason: string | null = null;

  const check = () => {
    if (!feed) return;
    autoUpdater.checkForUpdates().catch((err: unknown) => deps.logger.warn('Update check failed.', { error: (err as Error).message }));
  };

  function reconsider(opts: { userRequested?: boolean } = {}) {
    const decision = decideInstall({ downloaded, jobs: deps.jobs(), windowVisible: deps.windowVisible(), userRequested: opts.userRequested ?? false });
    if (decision.action === 'restart-now') {
      deps.logger.info('Installing the downloaded update.');
      deps.beforeRestart();
      autoUpdater.quitAndInstall(true, true);
    } else if (decision.action === 'wait' && decision.reason !== lastReason) {
      lastReason = decision.reason;
      deps.notice('info', `An update is ready. ${decision.reason}`);
    }
  }

  autoUpdater.on('update-downloaded', () => {
    downloaded = true;
    reconsider();
  });
  autoUpdater.on('error', (err: Error) => deps.logger.warn('Updater error.', { error: err.message }));

  return {
    configure(feedUrl) {
      const decision = updateFeed(feedUrl);
      if (timer) clearInterval(timer);
      timer = null;
      if (!decision.enabled) {
        if (feed) deps.logger.info('Updates switched off.', { reason: decision.reason });
        feed = null;
        return;
      }
      if (decision.url === feed) return;
      feed = decision.url;
      autoUpdater.setFeedURL({ provider: 'generic', url: decision.url });
      check();
      timer = setInterval(check, CHECK_EVERY_MS);
      timer.unref?.();
    },
    reconsider,
    dispose() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
