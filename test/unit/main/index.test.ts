/**
 * main/index.ts wired against a mocked Electron and a stand-in app core: one instance, the Windows
 * identity, the secure window, exactly the contract over IPC, the tray, and second-instance links.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_NAMES, requestChannel } from '../../../preload/contract/channels';
import { Settings } from '../../../preload/contract/model';
import { createRedactor } from '../../../main/state/redact';
import { settle } from '../../helpers/fake-clock';

const state = vi.hoisted(() => ({
  lock: true,
  lockData: undefined as unknown,
  appListeners: new Map<string, (...args: unknown[]) => void>(),
  handled: new Map<string, (...args: unknown[]) => unknown>(),
  windows: [] as { options: Record<string, unknown>; loaded: string | null }[],
  schemes: [] as unknown[],
  handledSchemes: [] as string[],
  trays: 0,
  userData: '',
  calls: [] as string[],
  packaged: false,
  /** 'ready' has been emitted (whenReady resolved). */
  ready: false,
}));

// electron-updater, as far as main/updates.ts touches it: creating the updater is recorded.
vi.mock('electron-updater', () => {
  const autoUpdater = { on: () => undefined, setFeedURL: () => undefined, checkForUpdates: async () => null, quitAndInstall: () => undefined };
  const mod = {
    get autoUpdater() {
      state.calls.push('updater');
      return autoUpdater;
    },
  };
  return { default: mod };
});

vi.mock('electron', () => {
  const noop = () => undefined;
  const webContents = () => ({ id: 1, on: noop, once: noop, setWindowOpenHandler: noop, isLoading: () => false, send: noop, isDestroyed: () => false });
  class BrowserWindow {
    webContents = webContents();
    record: { options: Record<string, unknown>; loaded: string | null };
    constructor(options: Record<string, unknown>) {
      // Electron: "Cannot create BrowserWindow before app is ready".
      if (!state.ready) throw new Error('Cannot create BrowserWindow before app is ready');
      this.record = { options, loaded: null };
      state.windows.push(this.record);
    }
    on = noop;
    once = noop;
    maximize = noop;
    setOverlayIcon = noop;
    isDestroyed = () => false;
    isVisible = () => true;
    isMinimized = () => false;
    show = noop;
    focus = noop;
    restore = noop;
    loadFile = async () => {
      throw new Error('the window is served from app://, never loaded from a file');
    };
    loadURL = async (u: string) => {
      this.record.loaded = u;
    };
  }
  class Tray {
    constructor() {
      state.trays++;
    }
    on = noop;
    setToolTip = noop;
    setContextMenu = noop;
    setImage = noop;
    destroy = noop;
  }
  const mod = {
    app: {
      setAppUserModelId: (id: string) => state.calls.push(`aumid:${id}`),
      requestSingleInstanceLock: (data?: unknown) => (state.calls.push('lock'), (state.lockData = data), state.lock),
      quit: () => state.calls.push('quit'),
      exit: (code: number) => state.calls.push(`exit:${code}`),
      on: (name: string, fn: (...args: unknown[]) => void) => state.appListeners.set(name, fn),
      whenReady: async () => {
        state.ready = true;
      },
      // Electron's documentation: "This API must be called after the ready event is emitted."
      getSystemLocale: () => {
        if (!state.ready) throw new Error('app.getSystemLocale() must be called after the ready event');
        return 'en-GB';
      },
      getPath: () => state.userData,
      get isPackaged() {
        return state.packaged;
      },
      getVersion: () => '0.1.0',
      getAppPath: () => '/app',
      setAsDefaultProtocolClient: (p: string) => (state.calls.push(`protocol:${p}`), true),
      setLoginItemSettings: (o: unknown) => state.calls.push(`login-item:${JSON.stringify(o)}`),
      getLoginItemSettings: () => ({ openAtLogin: false, executableWillLaunchAtLogin: false, launchItems: [] }),
    },
    dialog: { showErrorBox: (t: string, m: string) => state.calls.push(`error:${t}:${m}`) },
    nativeTheme: { on: noop, removeListener: noop, shouldUseDarkColorsForSystemIntegratedUI: false },
    net: { isOnline: () => true, fetch: vi.fn() },
    powerMonitor: { on: noop, removeListener: noop },
    BrowserWindow,
    screen: { getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }), getAllDisplays: () => [] },
    session: { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop, setDevicePermissionHandler: noop, webRequest: { onHeadersReceived: noop } } },
    shell: { openExternal: vi.fn() },
    ipcMain: { handle: (c: string, fn: (...args: unknown[]) => unknown) => state.handled.set(c, fn), removeHandler: (c: string) => state.handled.delete(c) },
    Tray,
    Menu: { buildFromTemplate: (t: unknown) => ({ template: t, on: noop }) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => state.schemes.push(...s),
      handle: (scheme: string) => state.handledSchemes.push(scheme),
    },
    nativeImage: { createFromPath: () => ({ isEmpty: () => false }) },
    Notification: class {
      static isSupported = () => false;
    },
    safeStorage: {},
  };
  return { ...mod, default: mod };
});

const core = vi.hoisted(() => ({ emit: vi.fn(), trackJob: vi.fn(), start: vi.fn() }));
vi.mock('../../../main/core/app-core', () => ({
  createAppCore: async () => {
    const { REQUEST_NAMES: names } = await import('../../../preload/contract/channels');
    const handlers = Object.fromEntries(names.map((n) => [n, vi.fn(async () => null)])) as Record<string, ReturnType<typeof vi.fn>>;
    handlers.trackJob = core.trackJob;
    const settings = Settings.parse({ version: 1, sources: [{ id: 'local', kind: 'scriptx' }] });
    return {
      handlers,
      toError: (err: unknown) => createRedactor().redactError(err),
      snapshot: () => ({ jobs: [], sources: [] }),
      paused: () => null,
      onQueueEvent: () => () => undefined,
      setVisible: vi.fn(),
      setOnline: vi.fn(),
      setSuspended: vi.fn(),
      on: () => () => undefined,
      emit: core.emit,
      redactor: createRedactor(),
      settings: () => ({ settings, problems: [] }),
      start: core.start,
      stop: async () => undefined,
    };
  },
}));

const realPlatform = process.platform;
const realArgv = [...process.argv];
const realCwd = process.cwd();
afterEach(() => {
  process.chdir(realCwd);
  core.start.mockClear();
  Object.defineProperty(process, 'platform', { value: realPlatform });
  vi.resetModules();
  state.appListeners.clear();
  state.handled.clear();
  state.windows.length = 0;
  state.calls.length = 0;
  state.trays = 0;
  state.schemes.length = 0;
  state.handledSchemes.length = 0;
  process.argv = [...realArgv];
  state.packaged = false;
  state.ready = false;
  delete process.env.PORTABLE_EXECUTABLE_FILE;
  if (state.userData) rmSync(state.userData, { recursive: true, force: true });
});

async function boot(lock: boolean) {
  state.lock = lock;
  // Set by Electron in a packaged app (where the tray icons are read from).
  Object.defineProperty(process, 'resourcesPath', { value: join(tmpdir(), 'pqm-resources'), configurable: true });
  state.userData = mkdtempSync(join(tmpdir(), 'pqm-index-'));
  Object.defineProperty(process, 'platform', { value: 'win32' });
  // With the platform told as Windows, the settings path is joined the Windows way
  // ('\\tmp\\pqm-index-…\\settings.json'), which this host's path functions read as a name in the
  // working folder: the files the app keeps beside its settings (logs) are written there, so the
  // working folder is the run's own.
  process.chdir(state.userData);
  await import('../../../main/index');
  if (lock) await vi.waitFor(() => expect(core.start).toHaveBeenCalled(), { timeout: 5000, interval: 10 });
  await settle(40);
}

describe('main process startup', () => {
  it('a second instance hands over and quits without starting anything', async () => {
    await boot(false);
    expect(state.calls).toEqual([`aumid:com.printqueuemonitor.app`, 'lock', 'quit']);
    // Its own argv goes to the first instance as additionalData (Electron's docs: the argv the
    // first one is given "will not be exactly the same").
    expect(state.lockData).toEqual({ argv: process.argv });
    expect(state.windows).toHaveLength(0);
    expect(state.handled.size).toBe(0);
  });

  it('the first instance sets the identity, registers the protocol, the contract, a secure window and the tray', async () => {
    await boot(true);
    expect(state.calls.slice(0, 2)).toEqual(['aumid:com.printqueuemonitor.app', 'lock']);
    expect(state.calls).toContain('protocol:print-queue-monitor');
    expect([...state.handled.keys()].sort()).toEqual(REQUEST_NAMES.map((n) => requestChannel(n)).sort());
    expect(state.windows).toHaveLength(1);
    expect(state.windows[0].options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String((state.windows[0].options.webPreferences as { preload: string }).preload)).toMatch(/preload[\\/]index\.cjs$/);
    // The system's regional format, read after 'ready', handed to the preload for dates and times.
    expect((state.windows[0].options.webPreferences as { additionalArguments: string[] }).additionalArguments).toEqual(['--pqm-format-locale=en-GB']);
    expect(state.windows[0].loaded).toBe('app://window/index.html');
    expect(state.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, codeCache: true } }]);
    expect(state.handledSchemes).toEqual(['app']);
    expect(state.trays).toBe(1);
    expect(core.start).toHaveBeenCalled();
  });

  const windowReady = () =>
    state.handled.get(requestChannel('windowReady'))!({ sender: { id: 1 }, senderFrame: { parent: null, url: 'app://window/index.html' } }, {});

  it('holds the link that started the app until the page says it listens (windowReady), then sends it', async () => {
    process.argv = [...realArgv, 'print-queue-monitor://open?key=local:cold'];
    await boot(true);
    expect(core.emit).not.toHaveBeenCalledWith('app:navigate', expect.anything());
    // Answers reach the page as their JSON text (main/ipc.ts).
    expect(await windowReady()).toBe(JSON.stringify({ ok: true, value: null }));
    expect(core.emit).toHaveBeenCalledWith('app:navigate', { key: 'local:cold' });
  });

  it('an installed launch writes no login item (one turned off in Task Manager stays off) and runs the updater', async () => {
    state.packaged = true;
    await boot(true);
    expect(state.calls.filter((c) => c.startsWith('login-item:'))).toEqual([]);
    expect(state.calls).toContain('protocol:print-queue-monitor');
    expect(state.calls).toContain('updater');
  });

  it('a portable launch registers no link handler, no login item and runs no updater', async () => {
    state.packaged = true;
    process.env.PORTABLE_EXECUTABLE_FILE = 'D:\\Tools\\Print-Queue-Monitor-Portable-0.1.0-x64.exe';
    await boot(true);
    expect(state.calls.filter((c) => c.startsWith('protocol:') || c.startsWith('login-item:') || c === 'updater')).toEqual([]);
    expect(core.start).toHaveBeenCalled();
  });

  it('routes a second instance\'s deep link to the running one and refuses a hostile one', async () => {
    await boot(true);
    await windowReady();
    core.emit.mockClear();
    state.appListeners.get('second-instance')!({}, ['pqm.exe', 'print-queue-monitor://open?key=local:abc'], 'C:\\');
    await settle();
    expect(core.emit).toHaveBeenCalledWith('app:navigate', { key: 'local:abc' });
    state.appListeners.get('second-instance')!({}, ['pqm.exe', 'print-queue-monitor://track?source=local&id=1&url=https://evil'], 'C:\\');
    await settle();
    expect(core.emit).toHaveBeenLastCalledWith('app:notice', { level: 'warning', message: expect.stringMatching(/^The link was refused/) });
    expect(core.trackJob).not.toHaveBeenCalled();
    // The argv the second instance handed over wins over the one rebuilt for this one.
    core.emit.mockClear();
    state.appListeners.get('second-instance')!({}, ['pqm.exe', 'print-queue-monitor://open?key=local:rebuilt'], 'C:\\', { argv: ['pqm.exe', 'print-queue-monitor://open?key=local:handed'] });
    await settle();
    expect(core.emit).toHaveBeenCalledWith('app:navigate', { key: 'local:handed' });
  });
});
