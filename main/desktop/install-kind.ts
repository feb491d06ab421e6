/**
 * How this copy of the app runs, and what it therefore cannot do.
 *
 * The portable build (electron-builder's `portable` target, `unpackDirName: true`) unpacks itself
 * to a new folder under %TEMP% at each launch and deletes it at exit; it tells the app where the .exe really is in the
 * environment variable PORTABLE_EXECUTABLE_FILE. Anything registered with Windows for
 * `process.execPath` would point at a deleted folder, so the portable copy registers nothing that
 * needs a stable path, has no Start-menu shortcut (Windows shows toasts only for an app id that a
 * Start-menu shortcut carries) and is not updated by electron-updater.
 *
 * An unpackaged run (`npm start`, the demo) is the development Electron binary: registering it would
 * start a bare electron.exe at sign-in.
 */
import type { InstallKind } from '../../preload/contract/contract';

export const PORTABLE_ENV = 'PORTABLE_EXECUTABLE_FILE';

export interface InstallInfo {
  kind: InstallKind;
  /** The portable .exe as the user keeps it (PORTABLE_EXECUTABLE_FILE); null otherwise. */
  portableExe: string | null;
}

export function detectInstall(o: { isPackaged: boolean; platform: NodeJS.Platform; env: NodeJS.ProcessEnv }): InstallInfo {
  if (!o.isPackaged) return { kind: 'unpackaged', portableExe: null };
  const exe = o.env[PORTABLE_ENV];
  if (o.platform === 'win32' && typeof exe === 'string' && exe.trim() !== '') return { kind: 'portable', portableExe: exe };
  return { kind: 'installed', portableExe: null };
}

const PORTABLE_TEMP = 'The portable version runs from a temporary copy that Windows deletes when it closes';

/** Why start at login cannot be offered here; null when it can. */
export function startAtLoginUnavailable(kind: InstallKind, platform: NodeJS.Platform): string | null {
  if (kind === 'portable') return `${PORTABLE_TEMP}, so it cannot start when you sign in. Use the installer for that.`;
  if (kind === 'unpackaged') return 'A development run (npm start, npm run demo) never registers itself to start at sign-in; installed copies do.';
  if (platform !== 'win32' && platform !== 'darwin') return 'Start at login is available on Windows and macOS; on Linux add the app to your desktop\'s autostart.';
  return null;
}

/** Why updates are not offered here; null when they are. */
export function updatesUnavailable(kind: InstallKind): string | null {
  if (kind === 'portable') return 'The portable version is not updated automatically: download the new portable file, or use the installer to get updates.';
  if (kind === 'unpackaged') return 'A development run is not updated; installed copies are.';
  return null;
}

/** What this copy cannot do, and why, for the Settings panel. */
export function unavailableFeatures(kind: InstallKind, platform: NodeJS.Platform): { feature: string; reason: string }[] {
  const out: { feature: string; reason: string }[] = [];
  const login = startAtLoginUnavailable(kind, platform);
  if (login) out.push({ feature: 'Start at login', reason: login });
  const updates = updatesUnavailable(kind);
  if (updates) out.push({ feature: 'Updates', reason: updates });
  if (kind === 'portable') {
    out.push({ feature: 'Print Queue Monitor links', reason: `${PORTABLE_TEMP}, so it does not register itself to open print-queue-monitor:// links. The installed version does.` });
    out.push({
      feature: 'Notifications',
      reason: 'Windows shows an app\'s notifications only when a Start-menu shortcut carries its id, and the portable version creates none: Windows may not show them. The queue and the tray icon still show every change.',
    });
  }
  return out;
}
