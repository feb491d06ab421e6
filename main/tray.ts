/**
 * The tray icon, its tooltip and menu, and the Windows taskbar overlay badge, applied from the
 * plain tray model (main/desktop/tray-model.ts), and kept on what the core says (followCoreInTray).
 */
import { Menu, Tray, nativeImage, nativeTheme, type BrowserWindow, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { join } from 'node:path';
import { canonicalLocale } from '../preload/contract/format-locale';
import type { AppCore } from './core/app-core-types';
import type { Logger } from './ports/ports';
import { buildTrayModel } from './desktop/tray-model';
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

/** Tray and badge follow the queue, at most this often. */
const TRAY_REFRESH_MS = 300;
/** The tray is also refreshed on this beat (a pause running out changes it without any event). */
const TRAY_TICK_MS = 30_000;

export interface TrayFollowerDeps {
  core: Pick<AppCore, 'snapshot' | 'paused' | 'on' | 'onQueueEvent'>;
  /** null: no notification area (the app still runs; nothing to follow). */
  tray: AppTray | null;
  getWindow(): BrowserWindow | null;
  /** Whether an update waits for a restart (the menu offers "Restart to update"). */
  updateReady(): boolean;
  /** app.getSystemLocale() (after 'ready'): the regional format of the times it shows, as the window's. */
  locale?: string;
}

export interface TrayFollower {
  /** Something the tray shows changed: refreshed once within TRAY_REFRESH_MS. */
  schedule(): void;
  /** Refreshed now. */
  refresh(): void;
  stop(): void;
}

/**
 * Keeps the tray on what the core says: queue changes, health, a pause, saved settings (by any
 * way: the window, a link, the tray), the taskbar turning dark or light, and a regular beat.
 */
export function followCoreInTray(deps: TrayFollowerDeps): TrayFollower {
  const timeFormat = new Intl.DateTimeFormat(canonicalLocale(deps.locale) ?? undefined, { hour: '2-digit', minute: '2-digit' });
  let timer: ReturnType<typeof setTimeout> | null = null;
  const refresh = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!deps.tray) return;
    const snap = deps.core.snapshot();
    const model = buildTrayModel({
      jobs: snap.jobs,
      sources: snap.sources,
      paused: deps.core.paused(),
      formatTime: (iso) => timeFormat.format(new Date(iso)),
      updateReady: deps.updateReady(),
    });
    deps.tray.update(model, deps.getWindow());
  };
  const schedule = (): void => {
    if (timer === null) timer = setTimeout(refresh, TRAY_REFRESH_MS);
  };
  const tick = setInterval(refresh, TRAY_TICK_MS);
  // nativeTheme's 'updated': the system's dark/light choice (the taskbar's colours) changed.
  nativeTheme.on('updated', schedule);
  const offs = [
    deps.core.onQueueEvent((event) => {
      if (event.type === 'patches' || event.type === 'health') schedule();
    }),
    deps.core.on('monitoring:paused', schedule),
    deps.core.on('settings:changed', schedule),
  ];
  return {
    schedule,
    refresh,
    stop() {
      clearInterval(tick);
      if (timer) clearTimeout(timer);
      timer = null;
      nativeTheme.removeListener('updated', schedule);
      offs.forEach((off) => off());
    },
  };
}
