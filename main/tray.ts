/**
 * The tray icon, its tooltip and menu, and the Windows taskbar overlay badge, applied from the
 * plain tray model (main/desktop/tray-model.ts).
 */
import { Menu, Tray, nativeImage, nativeTheme, type BrowserWindow, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { join } from 'node:path';
import type { Logger } from './ports/ports';
import { badgeName, type TrayAction, type TrayMenuItem, type TrayModel, type TrayState } from './desktop/tray-model';

export function toMenuTemplate(items: readonly TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'submenu') return { label: item.label, submenu: toMenuTemplate(item.items, onAction) };
    const action = item.action;
    const out: MenuItemConstructorOptions = { label: item.label, enabled: item.enabled };
    if (action) out.click = () => onAction(action);
    return out;
  });
}

/** Tray icons per state, for light and dark taskbars (16 px, with @2x variants beside them). */
export function trayIconPath(iconDir: string, state: TrayState, darkTaskbar: boolean): string {
  return join(iconDir, 'tray', `${state}-${darkTaskbar ? 'dark' : 'light'}.png`);
}

export function badgeIconPath(iconDir: string, count: number): string | null {
  const name = badgeName(count);
  return name === null ? null : join(iconDir, 'badge', `${name === '9+' ? '9plus' : name}.png`);
}

export interface AppTray {
  update(model: TrayModel, win: BrowserWindow | null): void;
  destroy(): void;
}

export function createAppTray(opts: { iconDir: string; onAction(action: TrayAction): void; onClick(): void; logger: Logger }): AppTray {
  const images = new Map<string, NativeImage>();
  const image = (path: string) => {
    let img = images.get(path);
    if (!img) {
      img = nativeImage.createFromPath(path);
      if (img.isEmpty()) opts.logger.warn('A tray image is missing.', { path });
      images.set(path, img);
    }
    return img;
  };
  const dark = () => nativeTheme.shouldUseDarkColorsForSystemIntegratedUI;
  const tray = new Tray(image(trayIconPath(opts.iconDir, 'idle', dark())));
  tray.on('click', () => opts.onClick());
  let last: { state: TrayState; badge: number; dark: boolean } | null = null;

  // Replacing a context menu while it is open has crashed Electron on Windows, and rebuilding an
  // unchanged one is wasted work: the menu is replaced only when its items changed, and a change
  // that arrives while it is open waits until it has closed.
  let menuKey: string | null = null;
  let menuOpen = false;
  let waiting: TrayModel['menu'] | null = null;
  let destroyed = false;
  const setMenu = (items: TrayModel['menu']) => {
    const menu = Menu.buildFromTemplate(toMenuTemplate(items, opts.onAction));
    menu.on('menu-will-show', () => {
      menuOpen = true;
    });
    menu.on('menu-will-close', () => {
      menuOpen = false;
      // After the close has finished (and a clicked item has run).
      if (waiting) setImmediate(applyWaiting);
    });
    tray.setContextMenu(menu);
  };
  const applyWaiting = () => {
    if (!waiting || menuOpen || destroyed) return;
    const items = waiting;
    waiting = null;
    setMenu(items);
  };
  const updateMenu = (items: TrayModel['menu']) => {
    const key = JSON.stringify(items);
    if (key === menuKey) return;
    menuKey = key;
    if (menuOpen) {
      waiting = items;
      return;
    }
    waiting = null;
    setMenu(items);
  };

  return {
    update(model, win) {
      tray.setToolTip(model.tooltip);
      updateMenu(model.menu);
      const isDark = dark();
      if (!last || last.state !== model.state || last.dark !== isDark) tray.setImage(image(trayIconPath(opts.iconDir, model.state, isDark)));
      if (process.platform === 'win32' && win && !win.isDestroyed() && (!last || last.badge !== model.badgeCount)) {
        const badge = badgeIconPath(opts.iconDir, model.badgeCount);
        win.setOverlayIcon(badge ? image(badge) : null, badge ? `${model.badgeCount} active print jobs` : '');
      }
      last = { state: model.state, badge: model.badgeCount, dark: isDark };
    },
    destroy() {
      destroyed = true;
      tray.destroy();
    },
  };
}
