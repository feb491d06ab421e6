/**
 * The main window, hardened per the Electron security checklist: isolated, sandboxed, no Node, no
 * remote content, navigation and new windows refused, every permission denied, a strict CSP. The
 * window remembers its bounds and hides to the tray when closed; quitting is explicit.
 */
import { BrowserWindow, protocol, screen, session as electronSession, shell, type BrowserWindowConstructorOptions, type Session, type WebContents, type WebPreferences } from 'electron';
import type { Logger } from './ports/ports';
import { restoreBounds, MIN_SIZE, type SavedWindowState } from './desktop/bounds';
import { appContentSecurityPolicy } from './desktop/csp';
import { checkExternalUrl, isAppUrl, type AppPageLocation } from './desktop/external-links';
import { APP_PAGE_URL, PRODUCT_NAME } from './desktop/app-identity';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler, type FirstFrameSource } from './desktop/app-protocol';
import { formatLocaleArguments } from '../preload/contract/format-locale';

/** Whether a window made by createMainWindow is to be maximized when it is first shown. */
const willMaximize = new WeakMap<BrowserWindow, () => boolean>();

/**
 * The size, in CSS pixels, of the page the window shows or is about to show: its content size
 * (DIP, Electron's docs) over the page's zoom factor; for a window to be maximized when first shown
 * (its page is drawn while it is still hidden at its normal size), the work area of its display less
 * the window's frame.
 */
export function pageViewport(win: BrowserWindow): { width: number; height: number } | null {
  const [contentW = 0, contentH = 0] = win.getContentSize();
  let width = contentW;
  let height = contentH;
  if (willMaximize.get(win)?.() === true) {
    const [outerW = 0, outerH = 0] = win.getSize();
    const area = screen.getDisplayMatching(win.getBounds()).workArea;
    width = area.width - (outerW - contentW);
    height = area.height - (outerH - contentH);
  }
  const zoom = win.webContents.getZoomFactor() || 1;
  return width > 0 && height > 0 ? { width: Math.floor(width / zoom), height: Math.floor(height / zoom) } : null;
}

/** Before 'ready': app:// is a standard, secure scheme (Electron allows this call only once, before ready). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/**
 * After 'ready': app://window/ answers from the built renderer folder, with the CSP header, and the
 * window's page with its first rows in it once `firstFrame` can answer (the core is open).
 */
export function handleAppProtocol(rendererDir: string, firstFrame?: FirstFrameSource): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rendererDir, firstFrame }));
}

/**
 * The web preferences of every window the app opens. Pure: a test asserts each one.
 * `systemLocale`: app.getSystemLocale() (after 'ready'), handed to the preload for the window's
 * dates, times and numbers (preload/contract/format-locale.ts).
 */
export function secureWebPreferences(preloadPath: string, opts: { devTools?: boolean; systemLocale?: string } = {}): WebPreferences {
  return {
    preload: preloadPath,
    additionalArguments: formatLocaleArguments(opts.systemLocale),
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    autoplayPolicy: 'user-gesture-required',
    devTools: opts.devTools ?? false,
  };
}

export interface WindowOptionsInput {
  preloadPath: string;
  bounds: { x: number; y: number; width: number; height: number };
  /** Start hidden (login with --hidden, or until the page is ready). */
  show: boolean;
  icon?: string;
  backgroundColor?: string;
  /** Developer tools: unpackaged runs only. */
  devTools?: boolean;
  /** app.getSystemLocale(): the system's regional format, for the window's dates, times and numbers. */
  systemLocale?: string;
}

export function buildWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const options: BrowserWindowConstructorOptions = {
    title: PRODUCT_NAME,
    ...input.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: input.show,
    backgroundColor: input.backgroundColor ?? '#1f1f1f',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(input.preloadPath, { devTools: input.devTools ?? false, systemLocale: input.systemLocale }),
  };
  if (input.icon) options.icon = input.icon;
  return options;
}

/** Opens a link in the system browser only when it is allow-listed; says why not otherwise. */
export function openExternalIfAllowed(url: string, logger: Logger): boolean {
  const verdict = checkExternalUrl(url);
  if (!verdict.allowed) {
    logger.warn('Refused to open a link.', { reason: verdict.reason });
    return false;
  }
  shell.openExternal(verdict.url).catch((err: unknown) => logger.warn('Opening a link failed.', { error: (err as Error).message }));
  return true;
}

const hardened = new WeakSet<WebContents>();

/** Navigation away from the app, new windows and webviews are refused. Idempotent. */
export function hardenWebContents(contents: WebContents, where: AppPageLocation, logger: Logger): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url, where)) return;
    event.preventDefault();
    logger.warn('Navigation refused.', { scheme: url.slice(0, url.indexOf(':') + 1) });
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // A link the user clicked: open it in the browser if allow-listed; never a new app window.
    openExternalIfAllowed(url, logger);
    return { action: 'deny' };
  });
}

/**
 * The one permission the window needs: writing text to the clipboard (Copy job id, the sign-in
 * code), which Chromium asks for as 'clipboard-sanitized-write' (Electron's session docs), granted
 * to the app's own page in its main frame only. Reading the clipboard and everything else is denied.
 */
function permitted(permission: string, url: unknown, isMainFrame: unknown, where: AppPageLocation): boolean {
  return permission === 'clipboard-sanitized-write' && isMainFrame === true && isAppUrl(url, where);
}

/**
 * Every permission request and check denied but writing to the clipboard (`permitted`). The app://
 * pages carry the CSP header themselves; the development server's pages are given it here.
 */
export function hardenSession(ses: Session, where: AppPageLocation): void {
  // Most web APIs check a permission, then request it when the check is denied (Electron's docs):
  // both answer the same.
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permitted(permission, details?.requestingUrl, details?.isMainFrame, where)));
  ses.setPermissionCheckHandler((_contents, permission, _origin, details) => permitted(permission, details?.requestingUrl, details?.isMainFrame, where));
  ses.setDevicePermissionHandler(() => false);
  const csp = appContentSecurityPolicy(where.devServerUrl);
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!where.devServerUrl || details.url.startsWith(`${APP_SCHEME}:`) || !isAppUrl(details.url, where)) {
      callback({});
      return;
    }
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}

export interface MainWindowDeps {
  preloadPath: string;
  where: AppPageLocation;
  savedState: SavedWindowState | null;
  saveState(state: SavedWindowState): void;
  startHidden: boolean;
  icon?: string;
  devTools?: boolean;
  /** app.getSystemLocale(), read after 'ready' (buildWindowOptions). */
  systemLocale?: string;
  logger: Logger;
  /** True once the user chose Quit: then closing really closes. */
  isQuitting(): boolean;
  /** The window was closed to the tray (show the one-time notice). */
  onClosedToTray(): void;
  onVisibilityChange(visible: boolean): void;
}

export function createMainWindow(deps: MainWindowDeps): BrowserWindow {
  hardenSession(electronSession.defaultSession, deps.where);
  const workAreas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea);
  const restored = restoreBounds(deps.savedState, workAreas);
  const options = buildWindowOptions({ preloadPath: deps.preloadPath, bounds: { x: restored.x, y: restored.y, width: restored.width, height: restored.height }, show: false, icon: deps.icon, devTools: deps.devTools, systemLocale: deps.systemLocale });
  // The isolation flags are repeated literally here so that static scanners of the shipped code
  // (electronegativity) can see them at the constructor; they equal secureWebPreferences().
  const win = new BrowserWindow({ ...options, webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } });
  hardenWebContents(win.webContents, deps.where, deps.logger);
  // maximize() also shows a hidden window (Electron's BrowserWindow docs): a window last left
  // maximized is maximized when it is first shown, never while it is to stay in the tray.
  let maximizeWhenShown = restored.maximized;
  willMaximize.set(win, () => maximizeWhenShown);

  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  const saveNow = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    deps.saveState({ x: b.x, y: b.y, width: b.width, height: b.height, maximized: maximizeWhenShown || win.isMaximized() });
  };
  const saveSoon = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', (event) => {
    if (saveTimer) clearTimeout(saveTimer);
    saveNow();
    if (deps.isQuitting()) return;
    event.preventDefault();
    win.hide();
    deps.onClosedToTray();
  });
  win.on('show', () => {
    if (maximizeWhenShown) {
      maximizeWhenShown = false;
      win.maximize();
    }
    deps.onVisibilityChange(true);
  });
  win.on('restore', () => deps.onVisibilityChange(true));
  win.on('hide', () => deps.onVisibilityChange(false));
  win.on('minimize', () => deps.onVisibilityChange(false));
  win.once('ready-to-show', () => {
    if (!deps.startHidden) win.show();
  });

  const load = win.loadURL(deps.where.devServerUrl ?? APP_PAGE_URL);
  load.catch((err: unknown) => deps.logger.error('The window could not load its page.', { error: (err as Error).message }));
  return win;
}

/** Brings the window to the front: shown, restored if minimized, focused. */
export function showWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
