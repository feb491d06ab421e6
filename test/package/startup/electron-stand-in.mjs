/**
 * A recording stand-in for the `electron` module, for loading the built main process in plain Node.
 * It follows electron.d.ts (the same names and shapes) and Electron 45's documented ordering, and
 * is stricter than a per-test mock: an API documented as usable only after 'ready' throws before it
 * (BrowserWindow, Tray, screen, powerMonitor, protocol.handle, session, dialog, Notification,
 * safeStorage), registerSchemesAsPrivileged throws after it, and every call is recorded with the
 * phase it ran in. Windows ends a session with the window's 'session-end' only.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { netRequest } from '../../helpers/electron-net.mjs';

const rec = {
  ready: false,
  calls: [],
  violations: [],
  windows: [],
  trays: [],
  menus: [],
  notifications: [],
  images: [],
  ipcHandlers: new Map(),
  ipcListeners: new Map(),
  schemes: [],
  protocolHandlers: new Map(),
  loginItems: [],
  quit: 0,
  exitCode: null,
  waiters: [],
};
globalThis.__electronStandIn = rec;

function call(name, detail) {
  rec.calls.push({ name, phase: rec.ready ? 'ready' : 'before-ready', ...(detail === undefined ? {} : { detail }) });
  for (const w of [...rec.waiters]) {
    if (!w.test()) continue;
    rec.waiters.splice(rec.waiters.indexOf(w), 1);
    w.resolve();
  }
}
function needsReady(name) {
  call(name);
  if (!rec.ready) {
    rec.violations.push(`${name} before ready`);
    throw new Error(`${name} cannot be used before the app is ready`);
  }
}
/** Resolves when `test` holds (checked after every recorded call). */
export function until(test) {
  if (test()) return Promise.resolve();
  return new Promise((resolve) => rec.waiters.push({ test, resolve }));
}
rec.until = until;

class App extends EventEmitter {
  isPackaged = true;
  // Electron's defaults: userData is <appData>/<app name>.
  #paths = new Map([
    ['userData', process.env.PQM_STAND_IN_USER_DATA],
    ['temp', process.env.TMPDIR ?? '/tmp'],
    ['home', process.env.HOME ?? '/'],
  ]);
  #readyResolvers = [];
  #locked = false;
  setAppUserModelId(id) {
    call('app.setAppUserModelId', id);
  }
  setPath(name, value) {
    call('app.setPath', name);
    this.#paths.set(name, value);
  }
  getPath(name) {
    call('app.getPath', name);
    const p = this.#paths.get(name);
    if (!p) throw new Error(`Failed to get '${name}' path`);
    return p;
  }
  requestSingleInstanceLock() {
    call('app.requestSingleInstanceLock');
    if (rec.ready) rec.violations.push('requestSingleInstanceLock after ready');
    this.#locked = true;
    return true;
  }
  hasSingleInstanceLock() {
    return this.#locked;
  }
  whenReady() {
    call('app.whenReady');
    return rec.ready ? Promise.resolve() : new Promise((r) => this.#readyResolvers.push(r));
  }
  isReady() {
    return rec.ready;
  }
  /** The stand-in's own: Electron finished initializing. */
  __becomeReady() {
    rec.ready = true;
    call('<ready>');
    this.emit('ready', {}, {});
    for (const r of this.#readyResolvers.splice(0)) r();
  }
  getVersion() {
    return '0.1.0';
  }
  getName() {
    return 'Print Queue Monitor';
  }
  getAppPath() {
    return process.env.PQM_STAND_IN_APP_PATH;
  }
  // Both documented as usable only after 'ready'. The display language is English (US), the
  // regional format the United Kingdom's, as on many English Windows installs.
  getLocale() {
    needsReady('app.getLocale');
    return 'en-US';
  }
  getSystemLocale() {
    needsReady('app.getSystemLocale');
    return 'en-GB';
  }
  setAsDefaultProtocolClient(protocol) {
    call('app.setAsDefaultProtocolClient', protocol);
    return true;
  }
  setLoginItemSettings(settings) {
    call('app.setLoginItemSettings');
    rec.loginItems.push(settings);
  }
  getLoginItemSettings() {
    return { openAtLogin: false };
  }
  quit() {
    call('app.quit');
    rec.quit++;
    // Electron: 'before-quit', then windows close, then 'will-quit' (preventable), then 'quit'.
    queueMicrotask(() => {
      const before = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      this.emit('before-quit', before);
      if (before.defaultPrevented) return;
      for (const w of rec.windows) if (!w.isDestroyed()) w.__close();
      const will = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
      this.emit('will-quit', will);
      if (will.defaultPrevented) return;
      rec.exitCode = 0;
      this.emit('quit', {}, 0);
      call('<exited>');
    });
  }
  exit(code = 0) {
    call('app.exit', code);
    rec.exitCode = code;
  }
  relaunch() {
    call('app.relaunch');
  }
}
export const app = new App();

class WebContents extends EventEmitter {
  static #next = 1;
  id = WebContents.#next++;
  sent = [];
  #destroyed = false;
  openHandler = null;
  send(channel, ...args) {
    call('webContents.send', channel);
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(h) {
    this.openHandler = h;
  }
  isDestroyed() {
    return this.#destroyed;
  }
  isLoading() {
    return false;
  }
  getURL() {
    return this.url ?? '';
  }
  /** electron.d.ts: `getZoomFactor(): number` (1: not zoomed). */
  getZoomFactor() {
    return 1;
  }
  __destroy() {
    this.#destroyed = true;
  }
}

export class BrowserWindow extends EventEmitter {
  #visible = false;
  #focused = false;
  #destroyed = false;
  #bounds;
  constructor(options = {}) {
    super();
    needsReady('new BrowserWindow');
    this.options = options;
    this.webContents = new WebContents();
    this.#bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    this.loaded = [];
    rec.windows.push(this);
  }
  static getAllWindows() {
    return rec.windows.filter((w) => !w.isDestroyed());
  }
  loadURL(url) {
    call('win.loadURL', url);
    this.loaded.push(url);
    this.webContents.url = url;
    return Promise.resolve();
  }
  loadFile(file) {
    call('win.loadFile', file);
    this.loaded.push(`file:${file}`);
    return Promise.resolve();
  }
  show() {
    this.#visible = true;
    this.emit('show');
  }
  hide() {
    this.#visible = false;
    this.emit('hide');
  }
  focus() {
    this.#focused = true;
  }
  blur() {
    this.#focused = false;
  }
  isFocused() {
    return this.#focused && this.#visible;
  }
  restore() {}
  maximize() {}
  isVisible() {
    return this.#visible;
  }
  isMinimized() {
    return false;
  }
  isMaximized() {
    return false;
  }
  isDestroyed() {
    return this.#destroyed;
  }
  getNormalBounds() {
    return { ...this.#bounds };
  }
  getBounds() {
    return { ...this.#bounds };
  }
  /** electron.d.ts: `getContentSize(): number[]`, [width, height] of the client area (a frame of 16 × 39 here, as Windows 11 draws one). */
  getContentSize() {
    return [this.#bounds.width - 16, this.#bounds.height - 39];
  }
  /** electron.d.ts: `getSize(): number[]`, the whole window's [width, height]. */
  getSize() {
    return [this.#bounds.width, this.#bounds.height];
  }
  setOverlayIcon(image, description) {
    call('win.setOverlayIcon', description);
  }
  /** Closing: 'close' (preventable), then 'closed'. */
  __close() {
    const ev = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', ev);
    if (ev.defaultPrevented) return false;
    this.#destroyed = true;
    this.webContents.__destroy();
    this.emit('closed');
    return true;
  }
}

class Menu extends EventEmitter {
  constructor(template) {
    super();
    this.template = template;
  }
  static buildFromTemplate(template) {
    call('Menu.buildFromTemplate');
    const m = new Menu(template);
    rec.menus.push(m);
    return m;
  }
}
export { Menu };

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    needsReady('new Tray');
    this.image = image;
    this.menu = null;
    rec.trays.push(this);
  }
  setToolTip(t) {
    this.tooltip = t;
  }
  setImage(image) {
    this.image = image;
  }
  setContextMenu(menu) {
    call('tray.setContextMenu');
    this.menu = menu;
  }
  destroy() {
    call('tray.destroy');
    this.destroyed = true;
  }
}

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    needsReady('new Notification');
    this.options = options;
    rec.notifications.push(options);
  }
  show() {
    call('notification.show', this.options.title);
  }
}

export const nativeImage = {
  createFromPath(path) {
    call('nativeImage.createFromPath', path);
    const exists = existsSync(path);
    rec.images.push({ path, exists });
    return { path, isEmpty: () => !exists };
  },
  createEmpty() {
    return { isEmpty: () => true };
  },
};

export const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false, shouldUseDarkColorsForSystemIntegratedUI: false, themeSource: 'system' });

class IpcMain extends EventEmitter {
  handle(channel, fn) {
    call('ipcMain.handle', channel);
    if (rec.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    rec.ipcHandlers.set(channel, fn);
  }
  removeHandler(channel) {
    rec.ipcHandlers.delete(channel);
  }
}
export const ipcMain = new IpcMain();

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    call('protocol.registerSchemesAsPrivileged');
    if (rec.ready) {
      rec.violations.push('registerSchemesAsPrivileged after ready');
      throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    }
    rec.schemes.push(...schemes);
  },
  handle(scheme, handler) {
    needsReady('protocol.handle');
    rec.protocolHandlers.set(scheme, handler);
  },
  unhandle(scheme) {
    rec.protocolHandlers.delete(scheme);
  },
};

const screenApi = {
  getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 }, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }),
  getDisplayMatching: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 }, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }),
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
};
export const screen = new Proxy(screenApi, {
  get(target, prop) {
    if (typeof prop === 'string' && prop in target) needsReady(`screen.${prop}`);
    return target[prop];
  },
});

const power = new EventEmitter();
power.getSystemIdleState = () => 'active';
export const powerMonitor = new Proxy(power, {
  get(target, prop) {
    if (prop === 'on' || prop === 'once' || prop === 'addListener') needsReady('powerMonitor');
    const v = target[prop];
    return typeof v === 'function' ? v.bind(target) : v;
  },
});

const defaultSession = {
  setPermissionRequestHandler() {},
  setPermissionCheckHandler() {},
  setDevicePermissionHandler() {},
  webRequest: { onHeadersReceived() {} },
  protocol,
};
export const session = {
  get defaultSession() {
    needsReady('session.defaultSession');
    return defaultSession;
  },
};

export const dialog = {
  showErrorBox(title, content) {
    call('dialog.showErrorBox', `${title}: ${content}`);
  },
  async showOpenDialog() {
    needsReady('dialog.showOpenDialog');
    return { canceled: true, filePaths: [] };
  },
  async showSaveDialog() {
    needsReady('dialog.showSaveDialog');
    return { canceled: true };
  },
  async showMessageBox() {
    needsReady('dialog.showMessageBox');
    return { response: 0, checkboxChecked: false };
  },
};

export const shell = {
  async openExternal(url) {
    call('shell.openExternal', url);
  },
};

export const net = {
  isOnline() {
    return true;
  },
  fetch(input, init) {
    needsReady('net.fetch');
    return fetch(input, init);
  },
  request(options) {
    needsReady('net.request');
    return netRequest(options);
  },
};

export const safeStorage = {
  isEncryptionAvailable() {
    needsReady('safeStorage.isEncryptionAvailable');
    return false;
  },
  encryptString() {
    throw new Error('Encryption is not available.');
  },
  decryptString() {
    throw new Error('Decryption is not available.');
  },
};

export const autoUpdater = new EventEmitter();
export const contextBridge = undefined;
export const ipcRenderer = undefined;

export default { app, BrowserWindow, Menu, Tray, Notification, nativeImage, nativeTheme, ipcMain, protocol, screen, powerMonitor, session, dialog, shell, net, safeStorage, autoUpdater, contextBridge, ipcRenderer };
