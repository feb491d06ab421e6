/**
 * Updates through electron-updater from the generic feed in settings.updates.feedUrl; off while
 * it is unset. Installing by restart waits until no watched job is active (the decision is in
 * main/desktop/update-policy.ts); otherwise the update installs at the next quit. "Restart now"
 * (the tray and the Settings panel) asks for it explicitly. A failure (a refused signature, an
 * unreachable feed) is told to the user once, with its reason.
 */
import electronUpdater from 'electron-updater';
import type { UpdateStatus } from '../preload/contract/contract';
import type { Job } from '../preload/contract/model';
import type { AppCore } from './core/app-core-types';
import type { Logger } from './ports/ports';
import { decideInstall, updateFailureMessage, updateFeed } from './desktop/update-policy';

const CHECK_EVERY_MS = 6 * 60 * 60_000;

function updateFeedOff(): string {
  const d = updateFeed(undefined);
  return d.enabled ? '' : d.reason;
}

export interface UpdaterDeps {
  logger: Logger;
  jobs(): readonly Job[];
  windowVisible(): boolean;
  /** Says something to the user (an app notice). */
  notice(level: 'info' | 'warning' | 'error', message: string): void;
  /** Called right before the app restarts to install (lets the app quit cleanly). */
  beforeRestart(): void;
  /** The status changed (the tray offers "Restart to update" while one is ready). */
  onStatus?(status: UpdateStatus): void;
}

export interface AppUpdater {
  /** (Re)configures from the settings; null/undefined switches updates off. */
  configure(feedUrl: string | undefined | null): void;
  /** The queue changed: a waiting update may install now. */
  reconsider(opts?: { userRequested?: boolean }): void;
  /** The user asked to restart now: restarts unless watched jobs are active (then says why not). */
  restartNow(): { restarting: boolean; reason: string | null };
  status(): UpdateStatus;
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
  let version: string | null = null;
  let status: UpdateStatus = { state: 'off', reason: updateFeedOff() };
  const failuresShown = new Set<string>();

  function setStatus(next: UpdateStatus): void {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    status = next;
    deps.onStatus?.(next);
  }

  function failed(err: unknown): void {
    const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code?: unknown };
    deps.logger.warn('Updater error.', { error: e.message, code: typeof e.code === 'string' ? e.code : undefined });
    const message = updateFailureMessage({ code: typeof e.code === 'string' ? e.code : undefined, message: e.message });
    // A downloaded update stays installable; otherwise the status says what went wrong.
    if (!downloaded) setStatus({ state: 'failed', message });
    // electron-updater both emits 'error' and rejects the check, and checks repeat: tell it once.
    if (failuresShown.has(message)) return;
    failuresShown.add(message);
    deps.notice('error', message);
  }

  const check = () => {
    if (!feed) return;
    autoUpdater.checkForUpdates().catch(failed);
  };

  function reconsider(opts: { userRequested?: boolean } = {}): { restarting: boolean; reason: string | null } {
    const decision = decideInstall({ downloaded, jobs: deps.jobs(), windowVisible: deps.windowVisible(), userRequested: opts.userRequested ?? false });
    if (decision.action === 'restart-now') {
      deps.logger.info('Installing the downloaded update.');
      deps.beforeRestart();
      autoUpdater.quitAndInstall(true, true);
      return { restarting: true, reason: null };
    }
    if (decision.action === 'none') return { restarting: false, reason: 'No update is ready to install.' };
    if (decision.reason !== lastReason) {
      lastReason = decision.reason;
      setStatus({ state: 'ready', version, waitReason: decision.reason });
      if (!opts.userRequested) deps.notice('info', `An update is ready: choose Restart to update in the tray menu or in Settings. ${decision.reason}`);
    }
    return { restarting: false, reason: decision.reason };
  }

  autoUpdater.on('update-downloaded', (info?: unknown) => {
    downloaded = true;
    const v = (info as { version?: unknown } | undefined)?.version;
    version = typeof v === 'string' ? v : null;
    setStatus({ state: 'ready', version, waitReason: null });
    reconsider();
  });
  autoUpdater.on('error', failed);

  return {
    configure(feedUrl) {
      const decision = updateFeed(feedUrl);
      if (timer) clearInterval(timer);
      timer = null;
      if (!decision.enabled) {
        if (feed) deps.logger.info('Updates switched off.', { reason: decision.reason });
        feed = null;
        if (!downloaded) setStatus({ state: 'off', reason: decision.reason });
        return;
      }
      if (decision.url === feed) return;
      feed = decision.url;
      if (!downloaded) setStatus({ state: 'idle' });
      autoUpdater.setFeedURL({ provider: 'generic', url: decision.url });
      check();
      timer = setInterval(check, CHECK_EVERY_MS);
      timer.unref?.();
    },
    reconsider(opts) {
      reconsider(opts);
    },
    restartNow: () => reconsider({ userRequested: true }),
    status: () => status,
    dispose() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/**
 * Keeps the updater on the feed in the settings: now, and after every save, whichever way it was
 * saved (the core's `settings:changed`). Returns a function that stops following and disposes the updater.
 */
export function followSettingsInUpdater(core: Pick<AppCore, 'settings' | 'on'>, updater: Pick<AppUpdater, 'configure' | 'dispose'>): () => void {
  updater.configure(core.settings().settings.updates.feedUrl);
  const off = core.on('settings:changed', ({ settings }) => updater.configure(settings.updates.feedUrl));
  return () => {
    off();
    updater.dispose();
  };
}
