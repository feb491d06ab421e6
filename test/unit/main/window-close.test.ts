/** createMainWindow with Electron mocked: bounds restored on screen, close hides to the tray, Quit closes. */
import { describe, expect, it, vi } from 'vitest';

const created = vi.hoisted(() => ({ windows: [] as FakeWindowT[] }));
type FakeWindowT = {
  options: Record<string, unknown>;
  listeners: Map<string, (e: { preventDefault(): void }) => void>;
  hide: ReturnType<typeof vi.fn>;
  show: ReturnType<typeof vi.fn>;
};
vi.mock('electron', () => {
  const noop = () => undefined;
  class BrowserWindow {
    listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    hide = vi.fn();
    show = vi.fn();
    webContents = { on: noop, setWindowOpenHandler: noop };
    constructor(public options: Record<string, unknown>) {
      created.windows.push(this as unknown as FakeWindowT);
    }
    on(name: string, fn: (e: { preventDefault(): void }) => void) {
      this.listeners.set(name, fn);
    }
    once(name: string, fn: (e: { preventDefault(): void }) => void) {
      this.listeners.set(name, fn);
    }
    maximize = vi.fn();
    isDestroyed = () => false;
    isMaximized = () => false;
    getNormalBounds = () => ({ x: 10, y: 20, width: 900, height: 700 });
    loadFile = async () => undefined;
    loadURL = async () => undefined;
  }
  const mod = {
    BrowserWindow,
    screen: { getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1366, height: 728 } }), getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1366, height: 728 } }] },
    session: { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop, setDevicePermissionHandler: noop, webRequest: { onHeadersReceived: noop } } },
    shell: { openExternal: vi.fn() },
  };
  return { ...mod, default: mod };
});

const { createMainWindow } = await import('../../../main/window');
const { silentLogger } = await import('../../../main/ports/ports');

function open(quitting: { value: boolean }) {
  const deps = {
    preloadPath: '/out/preload/index.cjs',
    where: { devServerUrl: null },
    // Saved on a second monitor that is gone now.
    savedState: { x: 3000, y: 100, width: 1000, height: 700, maximized: false },
    saveState: vi.fn(),
    startHidden: false,
    logger: silentLogger,
    isQuitting: () => quitting.value,
    onClosedToTray: vi.fn(),
    onVisibilityChange: vi.fn(),
  };
  createMainWindow(deps);
  return { deps, win: created.windows.at(-1)! };
}

describe('main window', () => {
  it('opens on a display that still exists', () => {
    const { win } = open({ value: false });
    expect(win.options).toMatchObject({ x: 183, y: 14, width: 1000, height: 700, show: false });
  });

  it('closing hides to the tray, saves the bounds and reports it; Quit really closes', () => {
    const quitting = { value: false };
    const { deps, win } = open(quitting);
    const event = { preventDefault: vi.fn() };
    win.listeners.get('close')!(event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(win.hide).toHaveBeenCalled();
    expect(deps.onClosedToTray).toHaveBeenCalledTimes(1);
    expect(deps.saveState).toHaveBeenCalledWith({ x: 10, y: 20, width: 900, height: 700, maximized: false });
    quitting.value = true;
    const second = { preventDefault: vi.fn() };
    win.listeners.get('close')!(second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(deps.onClosedToTray).toHaveBeenCalledTimes(1);
  });

  it('shows when ready unless started hidden, and reports visibility to the engine', () => {
    const { deps, win } = open({ value: false });
    win.listeners.get('ready-to-show')!({ preventDefault: vi.fn() });
    expect(win.show).toHaveBeenCalled();
    win.listeners.get('hide')!({ preventDefault: vi.fn() });
    expect(deps.onVisibilityChange).toHaveBeenLastCalledWith(false);
  });
});
