/** createMainWindow with Electron mocked: bounds restored on screen, close hides to the tray, Quit closes. */
import { describe, expect, it, vi } from 'vitest';

const created = vi.hoisted(() => ({ windows: [] as FakeWindowT[] }));
type FakeWindowT = {
  options: Record<string, unknown>;
  listeners: Map<string, (e: { preventDefault(): void }) => void>;
  hide: ReturnType<typeof vi.fn>;
  show: ReturnType<typeof vi.fn> & (() => void);
  maximize: ReturnType<typeof vi.fn>;
  isVisible(): boolean;
  isMaximized(): boolean;
};
vi.mock('electron', () => {
  const noop = () => undefined;
  // As Electron documents it: show() shows the window ('show' when it was hidden); maximize() also
  // shows (but does not focus) a window that is not displayed yet.
  class BrowserWindow {
    listeners = new Map<string, (e: { preventDefault(): void }) => void>();
    visible = false;
    maximized = false;
    private appear() {
      if (this.visible) return;
      this.visible = true;
      this.listeners.get('show')?.({ preventDefault: noop });
    }
    hide = vi.fn(() => {
      this.visible = false;
    });
    show = vi.fn(() => this.appear());
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
    maximize = vi.fn(() => {
      this.maximized = true;
      this.appear();
    });
    isDestroyed = () => false;
    isVisible = () => this.visible;
    isMaximized = () => this.maximized;
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

function open(quitting: { value: boolean }, over: { maximized?: boolean; startHidden?: boolean } = {}) {
  const deps = {
    preloadPath: '/out/preload/index.cjs',
    where: { devServerUrl: null },
    // Saved on a second monitor that is gone now.
    savedState: { x: 3000, y: 100, width: 1000, height: 700, maximized: over.maximized ?? false },
    saveState: vi.fn(),
    startHidden: over.startHidden ?? false,
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

  it('a window last left maximized stays in the tray when started hidden, and is maximized when first shown', () => {
    const hidden = open({ value: false }, { maximized: true, startHidden: true });
    hidden.win.listeners.get('ready-to-show')!({ preventDefault: vi.fn() });
    expect(hidden.win.isVisible()).toBe(false);
    expect(hidden.deps.onVisibilityChange).not.toHaveBeenCalledWith(true);
    // Closed (to the tray) or quit before it was ever shown: it is still remembered as maximized.
    hidden.win.listeners.get('close')!({ preventDefault: vi.fn() });
    expect(hidden.deps.saveState).toHaveBeenLastCalledWith(expect.objectContaining({ maximized: true }));
    hidden.win.show();
    expect(hidden.win.isVisible()).toBe(true);
    expect(hidden.win.isMaximized()).toBe(true);
    expect(hidden.deps.onVisibilityChange).toHaveBeenLastCalledWith(true);

    const shown = open({ value: false }, { maximized: true });
    expect(shown.win.isVisible()).toBe(false);
    shown.win.listeners.get('ready-to-show')!({ preventDefault: vi.fn() });
    expect(shown.win.isVisible()).toBe(true);
    expect(shown.win.isMaximized()).toBe(true);
  });
});
