/** The PlatformPorts of the Electron app: dialogs, the browser, Electron's network stack, login items. */
import { app, dialog, net, shell, type BrowserWindow } from 'electron';
import type { UpdateStatus } from '../preload/contract/contract';
import { AppFailure } from '../preload/contract/model';
import type { PlatformPorts } from './core/app-core-types';
import { EXTERNAL_HOST_ALLOW_LIST, checkExternalUrl } from './desktop/external-links';
import { createNetFetch } from './net-fetch';
import { startAtLoginUnavailable, unavailableFeatures, type InstallInfo } from './desktop/install-kind';
import { describeLoginItem, loginArgs, loginItemWrite, type LoginItemReading } from './desktop/login-item';

export interface DesktopOptions {
  install: InstallInfo;
  /** The updater's status (off where there is no updater). */
  updateStatus(): UpdateStatus;
}

export const PRINTABLE_FILE_FILTERS = [
  { name: 'Documents', extensions: ['pdf', 'html', 'htm', 'txt', 'xps', 'oxps', 'jpg', 'jpeg', 'png', 'tif', 'tiff'] },
  { name: 'All files', extensions: ['*'] },
];

export function createElectronPlatform(getWindow: () => BrowserWindow | null, desktop: DesktopOptions): PlatformPorts {
  const loginUnavailable = () => startAtLoginUnavailable(desktop.install.kind, process.platform);
  const readLoginItem = (minimized: boolean): LoginItemReading => app.getLoginItemSettings({ path: process.execPath, args: loginArgs(minimized) });
  const parent = () => {
    const w = getWindow();
    return w && !w.isDestroyed() ? w : undefined;
  };
  return {
    async pickFileToPrint() {
      const options: Electron.OpenDialogOptions = { title: 'Choose a document to print', properties: ['openFile'], filters: PRINTABLE_FILE_FILTERS };
      const w = parent();
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return r.canceled || r.filePaths.length === 0 ? null : { path: r.filePaths[0] };
    },
    async pickSavePath(suggestedName, filters) {
      const options: Electron.SaveDialogOptions = { title: 'Save as', defaultPath: suggestedName, filters };
      const w = parent();
      const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async confirmCommand({ title, message, detail }) {
      // A native dialog: the window cannot draw it, answer it or change what it shows.
      const options: Electron.MessageBoxOptions = { type: 'warning', title, message, detail, buttons: ['Run', 'Cancel'], defaultId: 1, cancelId: 1, noLink: true };
      const w = parent();
      const r = w ? await dialog.showMessageBox(w, options) : await dialog.showMessageBox(options);
      return r.response === 0;
    },
    async openExternal(url, opts) {
      const verdict = checkExternalUrl(url, opts?.signInHost ? [...EXTERNAL_HOST_ALLOW_LIST, opts.signInHost.toLowerCase()] : EXTERNAL_HOST_ALLOW_LIST);
      if (!verdict.allowed) throw new AppFailure('not-allowed', verdict.reason);
      await shell.openExternal(verdict.url);
    },
    // net.request rather than net.fetch: the HTTP layer sees redirects and applies its policy.
    fetch: createNetFetch(net),
    setStartAtLogin(enabled, minimized) {
      // Portable and unpackaged copies never register: the path would not start this app again.
      if (loginUnavailable()) return;
      app.setLoginItemSettings(loginItemWrite({ startAtLogin: enabled, minimized, exe: process.execPath, reading: readLoginItem(minimized) }));
    },
    desktopInfo(ui) {
      const unavailable = loginUnavailable();
      return {
        install: desktop.install.kind,
        startAtLogin: unavailable ? { available: false, reason: unavailable } : describeLoginItem({ wanted: ui.startAtLogin, reading: readLoginItem(ui.startMinimized) }),
        update: desktop.updateStatus(),
        unavailable: unavailableFeatures(desktop.install.kind, process.platform),
      };
    },
    versions() {
      return {
        app: app.getVersion(),
        electron: process.versions.electron ?? '',
        chrome: process.versions.chrome ?? '',
        node: process.versions.node,
        platform: process.platform,
        arch: process.arch,
      };
    },
  };
}
