/**
 * Start at login, decided from the setting and from what Windows has (Electron 45
 * `app.getLoginItemSettings`): the Run entry (`openAtLogin`, `launchItems`) and whether it is
 * turned off in Task Manager's Startup apps (`executableWillLaunchAtLogin`, `launchItems[].enabled`).
 *
 * The entry is written only when the setting changes. Turning the setting on registers the entry and
 * enables it (the user just asked for it); changing "start minimized" rewrites the arguments but keeps
 * the Task Manager choice; at launch nothing is written, so an entry turned off in Task Manager stays
 * off and the Settings panel says so.
 */
import type { LoginItemStatus } from '../../preload/contract/contract';
import { HIDDEN_FLAG } from './app-identity';

/** What `app.getLoginItemSettings()` answers (the fields used here). */
export interface LoginItemReading {
  openAtLogin: boolean;
  /** Windows: set to open at login (with any arguments) and not turned off. */
  executableWillLaunchAtLogin?: boolean;
  /** Windows: the Run entries for the executable. */
  launchItems?: { name: string; path: string; args: string[]; scope?: string; enabled: boolean }[];
}

/** What `app.setLoginItemSettings()` takes (the fields used here). */
export interface LoginItemWrite {
  openAtLogin: boolean;
  path?: string;
  args?: string[];
  /** Windows: the Task Manager (StartupApproved) state written with the entry. */
  enabled?: boolean;
}

export function loginArgs(minimized: boolean): string[] {
  return minimized ? [HIDDEN_FLAG] : [];
}

/** Windows has an entry for this executable (with whatever arguments). */
function registered(r: LoginItemReading): boolean {
  return r.openAtLogin || (r.launchItems?.length ?? 0) > 0 || r.executableWillLaunchAtLogin === true;
}

/** false: turned off in Task Manager; null: no entry, or the platform does not say. */
function enabledInWindows(r: LoginItemReading): boolean | null {
  if (!registered(r)) return null;
  if (r.launchItems && r.launchItems.length > 0) return r.launchItems.some((i) => i.enabled);
  return typeof r.executableWillLaunchAtLogin === 'boolean' ? r.executableWillLaunchAtLogin : null;
}

/** The entry to write when the setting changed; `exe` is the executable to start. */
export function loginItemWrite(o: { startAtLogin: boolean; minimized: boolean; exe: string; reading: LoginItemReading }): LoginItemWrite {
  const args = loginArgs(o.minimized);
  if (!o.startAtLogin) return { openAtLogin: false, path: o.exe, args };
  // Already registered: only the arguments changed; keep what the user chose in Task Manager.
  const current = enabledInWindows(o.reading);
  return { openAtLogin: true, path: o.exe, args, enabled: current ?? true };
}

/** What Settings shows beside the checkbox. */
export function describeLoginItem(o: { wanted: boolean; reading: LoginItemReading }): LoginItemStatus {
  const isRegistered = registered(o.reading);
  const enabled = enabledInWindows(o.reading);
  let note: string | null = null;
  if (o.wanted && isRegistered && enabled === false) {
    note = 'Turned off in Task Manager (Startup apps): Windows will not start Print Queue Monitor when you sign in. Turn it on there; this setting does not override your choice.';
  } else if (o.wanted && !isRegistered) {
    note = 'Windows has no sign-in entry for this copy, so it will not start when you sign in. Untick and save, then tick and save to add the entry again.';
  } else if (!o.wanted && isRegistered && enabled !== false) {
    note = 'Windows still has a sign-in entry for this copy, so it starts when you sign in. Turn it off in Task Manager (Startup apps), or tick and save, then untick and save.';
  }
  return { available: true, registered: isRegistered, enabledInWindows: enabled, note };
}
