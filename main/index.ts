/**
 * The Electron main process: one instance per user, the app core (settings -> sources -> engine)
 * behind the validated IPC contract, a hardened window that hides to the tray, the tray and
 * taskbar badge, notifications, deep links, start at login and updates. Every decision lives in a
 * plain module (main/desktop/*, main/core/*); this file only wires Electron to them.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName } from '../preload/contract/channels';
import type { Events, Handlers, UpdateStatus } from '../preload/contract/contract';
import { AppFailure, type Settings } from '../preload/contract/model';
import { createAppCore } from './core/app-core';
import type { AppCore } from './core/app-core-types';
import { systemClock, type Logger } from './ports/ports';
import { APP_ID, PROTOCOL } from './desktop/app-identity';
import { readLaunchArgs, secondInstanceArgv, secondInstanceData } from './desktop/argv';
import { DEMO_FLAG, createDemoSecretStore, decideDemoMode, demoUserDataDir, takeDemoSecrets } from './desktop/demo-mode';
import { createLaunchRouter, type LaunchRouter } from './desktop/launch-router';
import { createNotificationRules, type NotificationRules } from '../preload/contract/notification-rules';
import { CLOSE_TO_TRAY_NOTICE } from './desktop/once-notices';
import { createAppState } from './app-state';
import { createTrayActionRunner, withOwnActionNotes } from './desktop/tray-actions';
import { createWindowGate, type HeldEvent } from './desktop/window-gate';
import type { AppPageLocation } from './desktop/external-links';
import { createSenderCheck, forwardEvents, registerIpc } from './ipc';
import { createNotifier, type Notifier } from './notifications';
import { createElectronPlatform } from './platform';
import { registerProtocolClient } from './protocol';
import { createSafeStorageSecretStore } from './secrets';
import { createAppTray, followCoreInTray, type AppTray } from './tray';
import { followPowerAndNetwork } from './power';
import { createQuitSequence } from './quit';
import { createAppUpdater, followSettingsInUpdater, type AppUpdater } from './updates';
import { detectInstall, updatesUnavailable } from './desktop/install-kind';
import { updateFeed, withInstallUpdate } from './desktop/update-policy';
import { createMainWindow, handleAppProtocol, hardenWebContents, pageViewport, registerAppScheme, showWindow } from './window';
import type { FirstFrameSource } from './desktop/app-protocol';
import { besideSettings, configArg, resolveConfigPath } from './state/settings';
import { createFileLogger, redactingLogger } from './state/logger';

const mainDir = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(mainDir, '../preload/index.cjs');
const rendererDir = join(mainDir, '../renderer');

// ---------------------------------------------------------------------------------------------
// Before 'ready': one instance, the Windows identity, the protocol, macOS link events
// ---------------------------------------------------------------------------------------------

if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
// The window's origin, app://window/: a privileged scheme must be declared before 'ready'.
registerAppScheme();

// `npm run demo`: a throw-away settings file in the temp folder, the simulators' secrets handed
// over in the environment, and a userData folder of its own (so an installed instance is untouched).
const demo = readDemoLaunch();
if (demo.active) app.setPath('userData', demoUserDataDir(demo.configPath, process.platform));

// The exact argv goes along: the one 'second-instance' rebuilds may be reordered (secondInstanceArgv).
const isPrimary = app.requestSingleInstanceLock(secondInstanceData(process.argv));
if (!isPrimary) {
  // The running instance receives our argv through 'second-instance' and acts on it.
  app.quit();
} else {
  void startPrimary();
}

type DemoLaunch = { active: true; configPath: string; secrets: Map<string, string> } | { active: false; problem?: string };

function readDemoLaunch(): DemoLaunch {
  if (!process.argv.includes(DEMO_FLAG)) return { active: false };
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  let configPath: string | null = null;
  try {
    const explicit = configArg(process.argv);
    configPath = explicit === undefined ? null : real(resolve(explicit));
  } catch {
    configPath = null;
  }
  const decision = decideDemoMode({ argv: process.argv, configPath, tmpDir: real(tmpdir()), platform: process.platform });
  if (!decision.demo || configPath === null) return { active: false, problem: decision.demo ? undefined : decision.problem };
  return { active: true, configPath, secrets: takeDemoSecrets(process.env) };
}

async function startPrimary(): Promise<void> {
  const early = collectEarlyLaunches();
  // Until the log file is known nothing is logged; once the core exists every line passes its redactor.
  let logger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
  const log = forwardingLogger(() => logger);
  // What quitting stops, known once everything has started.
  let shutdown = async (): Promise<void> => undefined;
  let flushSync = (): void => undefined;
  const quit = createQuitSequence({ logger: log, shutdown: () => shutdown(), flushSync: () => flushSync() });

  await app.whenReady();

  const configPath = configPathOrExit();
  if (configPath === null) return;

  const fileLogger = createFileLogger({ dir: besideSettings(configPath, 'logs'), fileName: 'main.log' });
  logger = fileLogger;
  const install = announceStart(log);

  const devServerUrl = !app.isPackaged ? (process.env.ELECTRON_RENDERER_URL ?? null) : null;
  const where: AppPageLocation = { devServerUrl };
  // The window's page is served with its first rows in it once the core is open (set below).
  let firstFrame: ReturnType<FirstFrameSource> = null;
  handleAppProtocol(rendererDir, () => firstFrame);
  // Any web contents, now or later (devtools aside), is refused navigation, popups and webviews.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, where, log));

  const iconDir = app.isPackaged ? join(process.resourcesPath, 'icons') : join(app.getAppPath(), 'build', 'icons');
  const appIcon = join(iconDir, 'app.png');
  // The regional format for the window's and the tray's dates, times and numbers (Electron: only
  // after 'ready').
  const systemLocale = app.getSystemLocale();

  let win: BrowserWindow | null = null;
  const getWindow = () => (win && !win.isDestroyed() ? win : null);

  let updater: AppUpdater | null = null;
  const noUpdater = () => {
    const feed = updateFeed(settings().updates.feedUrl);
    return updatesUnavailable(install.kind) ?? (feed.enabled ? 'No update is ready to install.' : feed.reason);
  };
  const core = await openCore({ configPath, install, log, logFiles: () => fileLogger.files(), getWindow, updateStatus: () => updater?.status() ?? { state: 'off', reason: noUpdater() } });
  if (!core) return;
  firstFrame = {
    handlers: core.handlers,
    toError: core.toError,
    locale: systemLocale,
    // The window asking for its page: the frame is drawn for its size.
    viewport: () => {
      const w = getWindow();
      return w ? pageViewport(w) : null;
    },
  };
  if (demo.active) core.redactor.addSecrets([...demo.secrets.values()]);
  logger = redactingLogger(fileLogger, core.redactor);
  const settings = () => core.settings().settings;

  // What main pushes to the page on its own (open a job, a notice) waits until the page says it
  // listens (windowReady): a link that started the app is not lost to a page still loading.
  const gate = createWindowGate((event, payload) => core.emit(event, payload));
  const toWindow = <E extends EventName>(event: E, payload: Events[E]): void => {
    if (event === 'app:navigate' || event === 'app:notice') gate.emit(event as HeldEvent, payload as Events[HeldEvent]);
    else core.emit(event, payload);
  };

  // --- notifications ---------------------------------------------------------------------------
  const navigateTo = (key: string | undefined) => {
    showWindow(getWindow());
    if (key) gate.emit('app:navigate', { key });
  };
  const { notifier, rules } = startNotifications({ icon: appIcon, log, getWindow, onClick: navigateTo, settings: () => settings().notifications });
  const handlers: Handlers = {
    ...withInstallUpdate(withOwnActionNotes(core.handlers, (key) => rules.noteOwnAction(key)), () => updater, noUpdater),
    windowReady: async () => {
      gate.open();
      return null;
    },
  };

  // The tray offers "Restart to update" once an update is ready (set once the tray exists).
  let updateStatusChanged = (): void => undefined;
  // --- updates (installed copies only: electron-updater cannot update the portable build) ---------
  const updates = startUpdates({ core, install, log, getWindow, notice: (level, message) => gate.emit('app:notice', { level, message }), markQuitting: () => quit.markQuitting(), flushSync: () => flushSync(), onStatus: () => updateStatusChanged() });
  updater = updates.updater;
  const stopUpdates = updates.stop;

  // --- IPC ---------------------------------------------------------------------------------------
  const unregisterIpc = registerIpc({ handlers, isTrustedSender: createSenderCheck(getWindow, where), logger: log, toError: core.toError });
  const stopForwarding = forwardEvents(core, getWindow, log);

  // --- window ------------------------------------------------------------------------------------
  const startHidden = readLaunchArgs(process.argv).hidden;
  const window = openWindow({ configPath, where, startHidden, icon: appIcon, systemLocale, log, quit, notifier, onVisibilityChange: (visible) => {
    core.setVisible(visible);
    if (!visible) updater?.reconsider();
  } });
  win = window;
  core.setVisible(!startHidden);

  // --- tray and taskbar badge ----------------------------------------------------------------------
  const runTrayAction = createTrayActionRunner({
    handlers,
    toError: core.toError,
    emit: toWindow,
    showWindow: () => showWindow(getWindow()),
    noteOwnAction: (key) => rules.noteOwnAction(key),
    quit: () => quit.quit(),
    alert: (message) => notifier.plain('Print Queue Monitor', message),
    logger: log,
  });
  const tray = trayOrNone(() => createAppTray({ iconDir, onAction: (action) => void runTrayAction(action), onClick: () => showWindow(getWindow()), logger: log }), log);
  const trayFollower = followCoreInTray({ core, tray, getWindow, updateReady: () => updater?.status().state === 'ready', locale: systemLocale });
  updateStatusChanged = trayFollower.schedule;

  const unsubscribeQueue = core.onQueueEvent((event) => {
    rules.handle(event);
    if (event.type === 'transition') updater?.reconsider();
  });

  // --- machine sleep and network -----------------------------------------------------------------------
  const stopPower = followPowerAndNetwork(core, log);

  // Start at login is written only when the setting changes (the core calls the platform then), never
  // at launch: an entry the user turned off in Task Manager stays off.

  // --- launch requests: our own argv, then whatever arrived while starting -------------------------------
  const router = createLaunchRouter({
    handlers,
    toError: core.toError,
    sourceIds: () => settings().sources.map((s) => s.id),
    emit: toWindow,
    showWindow: () => showWindow(getWindow()),
    logger: log,
  });
  core.start();
  trayFollower.refresh();
  // A (re)loading page is not listening: what is pushed to it is held until it says windowReady.
  window.webContents.on('did-start-loading', () => gate.close());
  window.webContents.on('render-process-gone', () => gate.close());
  void early.handOver(router);

  // --- quitting ------------------------------------------------------------------------------------------
  flushSync = () => {
    flushNotifications(rules, log);
    core.flushSync();
  };
  shutdown = async () => {
    trayFollower.stop();
    stopPower();
    unsubscribeQueue();
    rules.flush();
    rules.dispose();
    stopUpdates();
    stopForwarding();
    unregisterIpc();
    tray?.destroy();
    // Stop polling and finish writing history before the process ends.
    await core.stop();
  };
  quit.watchWindow(window);
  // A closed window with no tray would leave an invisible app behind.
  if (!tray) quit.markQuitting();
  log.info(`Ready; links ${PROTOCOL}:// are handled.`);
}

/** The settings file this run uses (--config, PQM_CONFIG, or beside the user data), or null once the user was told why not (the app then exits). */
function configPathOrExit(): string | null {
  try {
    return resolveConfigPath({ argv: process.argv, env: process.env, platform: process.platform, userDataDir: app.getPath('userData') });
  } catch (err) {
    dialog.showErrorBox('Print Queue Monitor cannot start', err instanceof AppFailure ? err.message : String(err));
    app.exit(2);
    return null;
  }
}

/** The updater (installed copies only: electron-updater cannot update the portable build), following saved settings. */
function startUpdates(o: {
  core: AppCore;
  install: ReturnType<typeof detectInstall>;
  log: Logger;
  getWindow: () => BrowserWindow | null;
  notice: (level: 'info' | 'warning' | 'error', message: string) => void;
  markQuitting: () => void;
  /** Writes what is buffered (history, notifications) before it returns. */
  flushSync: () => void;
  onStatus: () => void;
}): { updater: AppUpdater | null; stop: () => void } {
  if (o.install.kind !== 'installed') return { updater: null, stop: () => undefined };
  const updater = createAppUpdater({
    logger: o.log,
    jobs: () => o.core.snapshot().jobs,
    windowVisible: () => o.getWindow()?.isVisible() ?? false,
    notice: o.notice,
    // quitAndInstall starts the installer before it quits the app, and the installer (updating)
    // ends the app's process if it is still running a moment later: nothing may wait for the
    // asynchronous shutdown of 'will-quit'.
    beforeRestart: () => {
      o.markQuitting();
      o.flushSync();
    },
    onStatus: o.onStatus,
  });
  // Saved settings reach the updater whichever way they were saved.
  return { updater, stop: followSettingsInUpdater(o.core, updater) };
}

/** The queue window, where it was last time; closing it to the tray says so once. */
function openWindow(o: {
  configPath: string;
  where: AppPageLocation;
  startHidden: boolean;
  icon: string;
  /** app.getSystemLocale(), read once after 'ready'. */
  systemLocale: string;
  log: Logger;
  quit: { isQuitting(): boolean };
  notifier: Notifier;
  onVisibilityChange: (visible: boolean) => void;
}): BrowserWindow {
  const appState = createAppState(dirname(o.configPath), o.log);
  return createMainWindow({
    preloadPath,
    where: o.where,
    savedState: appState.windowState(),
    saveState: (state) => appState.saveWindowState(state),
    startHidden: o.startHidden,
    icon: o.icon,
    devTools: !app.isPackaged,
    systemLocale: o.systemLocale,
    logger: o.log,
    isQuitting: () => o.quit.isQuitting(),
    onClosedToTray: () => {
      void appState.notices.claim(CLOSE_TO_TRAY_NOTICE).then((first) => {
        if (first) o.notifier.plain('Print Queue Monitor is still running', 'It keeps watching your print jobs from the notification area. To stop it, choose Quit in the tray menu.');
      });
    },
    onVisibilityChange: o.onVisibilityChange,
  });
}

/** The app core over the settings file, or null once the user was told why it cannot start (the app then exits). */
async function openCore(o: {
  configPath: string;
  install: ReturnType<typeof detectInstall>;
  log: Logger;
  logFiles: () => string[];
  getWindow: () => BrowserWindow | null;
  updateStatus: () => UpdateStatus;
}): Promise<AppCore | null> {
  try {
    return await createAppCore({
      configPath: o.configPath,
      secrets: demo.active ? createDemoSecretStore(demo.secrets) : createSafeStorageSecretStore(o.configPath, o.log),
      platform: createElectronPlatform(o.getWindow, { install: o.install, updateStatus: o.updateStatus }),
      logger: o.log,
      logFiles: o.logFiles,
    });
  } catch (err) {
    o.log.error('The app core could not start.', { error: (err as Error).message });
    dialog.showErrorBox('Print Queue Monitor cannot start', (err as Error).message);
    app.exit(1);
    return null;
  }
}

/** Desktop notifications under the notification rules; job notices are left to the window while it has the focus. */
function startNotifications(o: { icon: string; log: Logger; getWindow: () => BrowserWindow | null; onClick: (key: string | undefined) => void; settings: () => Settings['notifications'] }): { notifier: Notifier; rules: NotificationRules } {
  const notifier: Notifier = createNotifier({
    icon: o.icon,
    logger: o.log,
    onClick: o.onClick,
    windowFocused: () => {
      const w = o.getWindow();
      return !!w && w.isVisible() && !w.isMinimized() && w.isFocused();
    },
  });
  const rules: NotificationRules = createNotificationRules({
    clock: systemClock,
    settings: o.settings,
    deliver: (spec) => notifier.deliver(spec),
  });
  return { notifier, rules };
}

/** Notifications waiting to be grouped are shown at quit, not dropped. */
function flushNotifications(rules: NotificationRules, log: Logger): void {
  try {
    rules.flush();
  } catch (err) {
    log.warn('Showing the last notifications failed.', { error: (err as Error).message });
  }
}

function noop(): void {
  return undefined;
}

/** A logger that writes wherever `current()` says at the time (the file, then through the core's redactor). */
function forwardingLogger(current: () => Logger): Logger {
  return {
    debug: (m, d) => current().debug(m, d),
    info: (m, d) => current().info(m, d),
    warn: (m, d) => current().warn(m, d),
    error: (m, d) => current().error(m, d),
  };
}

/** Logs the start, and registers the link handler where this copy may: how this copy was installed. */
function announceStart(log: Logger): ReturnType<typeof detectInstall> {
  process.on('unhandledRejection', (reason) => log.error('Unhandled rejection.', { error: reason instanceof Error ? reason.message : String(reason) }));
  log.info('Starting.', { version: app.getVersion(), packaged: app.isPackaged, platform: process.platform });
  if (!demo.active && demo.problem) log.warn(demo.problem);
  // Installed, portable (unpacked to %TEMP% at each run) or unpackaged: what may be registered and updated.
  const install = detectInstall({ isPackaged: app.isPackaged, platform: process.platform, env: process.env });
  if (demo.active) log.info('Demo mode: built-in simulators; secrets handed over by the demo launcher are kept in memory only.', { secrets: demo.secrets.size });
  // The demo runs the development binary from a temp folder: links stay with the installed app.
  // The portable copy's path is deleted at exit: it registers nothing.
  else if (install.kind !== 'portable') registerProtocolClient(log);
  else log.info('Portable copy: no link handler, start at login or updates are registered.');
  return install;
}

/** The tray icon, or null where there is no notification area (the window then quits when closed). */
function trayOrNone(create: () => AppTray, log: Logger): AppTray | null {
  try {
    return create();
  } catch (err) {
    log.warn('No tray icon could be created; closing the window quits.', { error: (err as Error).message });
    return null;
  }
}

/**
 * Links and second instances that arrive while the app starts (macOS delivers links as events,
 * possibly before 'ready'): kept, then handed to the launch router in order once it exists.
 */
function collectEarlyLaunches(): { handOver(router: LaunchRouter): Promise<void> } {
  let router: LaunchRouter | null = null;
  const earlyUrls: string[] = [];
  const earlyArgv: string[][] = [];
  app.on('second-instance', (_event, rebuilt, _cwd, additionalData) => {
    const argv = secondInstanceArgv(rebuilt, additionalData);
    if (router) void router.handleArgv(argv);
    else earlyArgv.push([...argv]);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (router) void router.handleUrl(url);
    else earlyUrls.push(url);
  });
  return {
    async handOver(ready) {
      router = ready;
      await ready.handleArgv(process.argv, { firstInstance: true });
      for (const argv of earlyArgv.splice(0)) await ready.handleArgv(argv);
      for (const url of earlyUrls.splice(0)) await ready.handleUrl(url);
    },
  };
}
