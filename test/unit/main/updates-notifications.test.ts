/**
 * main/updates.ts (electron-updater mocked as documented: 'update-downloaded' with the UpdateInfo,
 * 'error' with an Error carrying electron-updater's code, checkForUpdates rejecting with the same
 * error), main/notifications.ts and main/platform.ts (Electron 45 mocked, login items backed by a
 * fake Windows registry: the Run key and Task Manager's StartupApproved state).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeJob } from '../../helpers/fake-bridge';
import { UiSettings, type Job } from '../../../preload/contract/model';

const realPlatform = process.platform;

const updaterListeners = new Map<string, (arg?: unknown) => void>();
const autoUpdater = {
  autoDownload: false,
  autoInstallOnAppQuit: false,
  logger: null as unknown,
  setFeedURL: vi.fn(),
  checkForUpdates: vi.fn(async (): Promise<unknown> => null),
  quitAndInstall: vi.fn(),
  on: (name: string, fn: (arg?: unknown) => void) => updaterListeners.set(name, fn),
};
/** An electron-updater error (builder-util-runtime's newError: an Error with a code). */
function updaterError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
vi.mock('electron-updater', () => ({ default: { autoUpdater }, autoUpdater }));

const notifications: { options: Record<string, unknown>; handlers: Map<string, () => void>; show: ReturnType<typeof vi.fn> }[] = [];
class FakeNotification {
  static isSupported = () => true;
  handlers = new Map<string, () => void>();
  show = vi.fn();
  constructor(public options: Record<string, unknown>) {
    notifications.push(this);
  }
  on(name: string, fn: () => void) {
    this.handlers.set(name, fn);
  }
}
/**
 * Windows' login items as Electron 45 documents them: setLoginItemSettings writes the Run value
 * (named after the app user model id) with path and args, and the StartupApproved state from
 * `enabled` (default true); openAtLogin false removes the Run value. getLoginItemSettings({ path, args })
 * answers openAtLogin only for the same path and args, executableWillLaunchAtLogin for the path with
 * any args when not turned off, and launchItems for the path.
 */
const registry = {
  run: new Map<string, { path: string; args: string[] }>(),
  approved: new Map<string, boolean>(),
  /** What a user does in Task Manager > Startup apps. */
  taskManager(enabled: boolean) {
    for (const name of registry.run.keys()) registry.approved.set(name, enabled);
  },
};
const RUN_NAME = 'com.printqueuemonitor.app';
const app = {
  isPackaged: true,
  getVersion: () => '1.2.3',
  setLoginItemSettings: vi.fn((s: { openAtLogin?: boolean; path?: string; args?: string[]; enabled?: boolean }) => {
    if (!s.openAtLogin) {
      registry.run.delete(RUN_NAME);
      return;
    }
    registry.run.set(RUN_NAME, { path: s.path ?? process.execPath, args: s.args ?? [] });
    registry.approved.set(RUN_NAME, s.enabled ?? true);
  }),
  getLoginItemSettings: vi.fn((o: { path?: string; args?: string[] } = {}) => {
    const path = o.path ?? process.execPath;
    const args = o.args ?? [];
    const items = [...registry.run.entries()]
      .filter(([, v]) => v.path === path)
      .map(([name, v]) => ({ name, path: v.path, args: v.args, scope: 'user', enabled: registry.approved.get(name) !== false }));
    return {
      openAtLogin: items.some((i) => JSON.stringify(i.args) === JSON.stringify(args)),
      executableWillLaunchAtLogin: items.some((i) => i.enabled),
      launchItems: items,
    };
  }),
};
const shell = { openExternal: vi.fn(async () => undefined) };
vi.mock('electron', () => {
  const mod = { Notification: FakeNotification, app, shell, dialog: {}, net: { fetch: vi.fn() } };
  return { ...mod, default: mod };
});

const { createAppUpdater } = await import('../../../main/updates');
const { createNotifier } = await import('../../../main/notifications');
const { createElectronPlatform } = await import('../../../main/platform');
const { silentLogger } = await import('../../../main/ports/ports');
const { signInHostOf } = await import('../../../main/sources/graph/msal');

describe('updates', () => {
  let jobs: Job[];
  let visible: boolean;
  const notice = vi.fn();
  const beforeRestart = vi.fn();
  beforeEach(() => {
    jobs = [];
    visible = false;
    vi.clearAllMocks();
    updaterListeners.clear();
  });
  const make = () => createAppUpdater({ logger: silentLogger, jobs: () => jobs, windowVisible: () => visible, notice, beforeRestart });
  const READY = 'An update is ready: choose Restart to update in the tray menu or in Settings.';

  it('is off while no feed is set: no feed URL, no check', () => {
    const u = make();
    u.configure(undefined);
    u.configure('ftp://updates.example.com');
    expect(autoUpdater.setFeedURL).not.toHaveBeenCalled();
    expect(autoUpdater.checkForUpdates).not.toHaveBeenCalled();
    u.dispose();
  });

  it('uses a generic feed and checks it', () => {
    const u = make();
    u.configure('https://updates.example.com/pqm/');
    expect(autoUpdater.setFeedURL).toHaveBeenCalledWith({ provider: 'generic', url: 'https://updates.example.com/pqm/' });
    expect(autoUpdater.checkForUpdates).toHaveBeenCalledTimes(1);
    u.dispose();
  });

  it('never restarts while a watched job is active; installs once the queue is idle and hidden', () => {
    const u = make();
    u.configure('https://updates.example.com/pqm/');
    jobs = [makeJob({ state: 'printing' })];
    updaterListeners.get('update-downloaded')!();
    expect(autoUpdater.quitAndInstall).not.toHaveBeenCalled();
    expect(notice).toHaveBeenCalledWith('info', `${READY} The update installs when the watched job finishes or when you quit.`);
    u.reconsider({ userRequested: true });
    expect(autoUpdater.quitAndInstall).not.toHaveBeenCalled();
    jobs = [makeJob({ state: 'completed' })];
    visible = true;
    u.reconsider();
    expect(autoUpdater.quitAndInstall).not.toHaveBeenCalled();
    visible = false;
    u.reconsider();
    expect(beforeRestart).toHaveBeenCalledTimes(1);
    expect(autoUpdater.quitAndInstall).toHaveBeenCalledWith(true, true);
    // Before the installer starts: it ends the app if it still runs a moment later.
    expect(beforeRestart.mock.invocationCallOrder[0]).toBeLessThan(autoUpdater.quitAndInstall.mock.invocationCallOrder[0]!);
    u.dispose();
  });

  it('says what the updater is doing: off without a feed, checking, then ready with the version', () => {
    const onStatus = vi.fn();
    const u = createAppUpdater({ logger: silentLogger, jobs: () => jobs, windowVisible: () => visible, notice, beforeRestart, onStatus });
    u.configure(undefined);
    expect(u.status()).toEqual({ state: 'off', reason: 'No update feed is set (settings: updates.feedUrl).' });
    u.configure('https://updates.example.com/pqm/');
    expect(u.status()).toEqual({ state: 'idle' });
    jobs = [makeJob({ state: 'printing' })];
    updaterListeners.get('update-downloaded')!({ version: '0.2.0', files: [], path: 'x.exe', sha512: 'x', releaseDate: '2026-12-01T00:00:00.000Z' });
    expect(u.status()).toEqual({ state: 'ready', version: '0.2.0', waitReason: 'The update installs when the watched job finishes or when you quit.' });
    expect(onStatus).toHaveBeenLastCalledWith(u.status());
    u.dispose();
  });

  it('"Restart now" restarts at once when no watched job is active, even with the window open', () => {
    const u = make();
    u.configure('https://updates.example.com/pqm/');
    expect(u.restartNow()).toEqual({ restarting: false, reason: 'No update is ready to install.' });
    visible = true;
    updaterListeners.get('update-downloaded')!({ version: '0.2.0' });
    expect(autoUpdater.quitAndInstall).not.toHaveBeenCalled();
    jobs = [makeJob({ state: 'queued' })];
    expect(u.restartNow()).toEqual({ restarting: false, reason: 'The update installs when the watched job finishes or when you quit.' });
    expect(autoUpdater.quitAndInstall).not.toHaveBeenCalled();
    jobs = [];
    expect(u.restartNow()).toEqual({ restarting: true, reason: null });
    expect(beforeRestart).toHaveBeenCalledTimes(1);
    expect(autoUpdater.quitAndInstall).toHaveBeenCalledWith(true, true);
    // Before the installer starts: it ends the app if it still runs a moment later.
    expect(beforeRestart.mock.invocationCallOrder[0]).toBeLessThan(autoUpdater.quitAndInstall.mock.invocationCallOrder[0]!);
    u.dispose();
  });

  it('shows a refused signature once, in words, however often electron-updater reports it', async () => {
    const err = updaterError('New version 0.2.0 is not signed by the application owner: publisherNames: Print Queue Monitor, raw info: {...}', 'ERR_UPDATER_INVALID_SIGNATURE');
    autoUpdater.checkForUpdates.mockImplementation(async () => {
      updaterListeners.get('error')!(err);
      throw err;
    });
    const u = make();
    u.configure('https://updates.example.com/pqm/');
    await vi.waitFor(() => expect(notice).toHaveBeenCalled());
    await Promise.resolve();
    updaterListeners.get('error')!(err);
    const errors = notice.mock.calls.filter(([level]) => level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0][1]).toMatch(/^Updating failed\. The update was refused: it is not signed by the publisher of this copy/);
    expect(u.status()).toEqual({ state: 'failed', message: errors[0][1] });
    autoUpdater.checkForUpdates.mockImplementation(async () => null);
    u.dispose();
  });

  it('names an unreachable feed and any other failure with its code', () => {
    const u = make();
    u.configure('https://updates.example.com/pqm/');
    updaterListeners.get('error')!(new Error('net::ERR_NAME_NOT_RESOLVED'));
    updaterListeners.get('error')!(updaterError('Cannot find channel "latest.yml" update info: HttpError: 404', 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND'));
    expect(notice.mock.calls).toEqual([
      ['error', 'Updating failed: the update feed could not be reached (net::ERR_NAME_NOT_RESOLVED).'],
      ['error', 'Updating failed. The update feed has no latest.yml: check updates.feedUrl in the settings file.'],
    ]);
    u.dispose();
  });
});

describe('notifier', () => {
  it('shows the rule\'s notification and a click opens the job', () => {
    const onClick = vi.fn();
    const n = createNotifier({ logger: silentLogger, onClick });
    n.deliver({ event: 'failed', title: 'Print failed: A', body: 'Paper jam', key: 'local:1', sourceId: 'local', count: 1 });
    const shown = notifications.at(-1)!;
    expect(shown.options).toMatchObject({ title: 'Print failed: A', body: 'Paper jam', silent: false });
    expect(shown.show).toHaveBeenCalled();
    shown.handlers.get('click')!();
    expect(onClick).toHaveBeenCalledWith('local:1');
    n.plain('Print Queue Monitor is still running', 'In the tray.');
    notifications.at(-1)!.handlers.get('click')!();
    expect(onClick).toHaveBeenLastCalledWith(undefined);
  });

  it('leaves notifications about jobs to the window while it has the focus (it shows them as notices), and shows them when it has not', () => {
    let focused = true;
    const n = createNotifier({ logger: silentLogger, onClick: vi.fn(), windowFocused: () => focused });
    const before = notifications.length;
    for (const event of ['completed', 'failed', 'canceledByOther', 'stuck'] as const) n.deliver({ event, title: `T ${event}`, body: 'B', key: 'local:1', sourceId: 'local', count: 1 });
    expect(notifications.length).toBe(before);
    // What the window does not show as a notice of a job still goes to the desktop.
    n.deliver({ event: 'sourceProblem', title: 'Local is unreachable', body: 'Down', sourceId: 'local', count: 1 });
    expect(notifications.length).toBe(before + 1);
    focused = false;
    n.deliver({ event: 'completed', title: 'Printed: A', body: 'Completed on P.', key: 'local:1', sourceId: 'local', count: 1 });
    expect(notifications.at(-1)!.options).toMatchObject({ title: 'Printed: A', silent: true });
  });
});

describe('Electron platform ports', () => {
  const updateStatus = () => ({ state: 'idle' as const });
  const installed = { kind: 'installed' as const, portableExe: null };
  const platform = createElectronPlatform(() => null, { install: installed, updateStatus });
  const ui = (startAtLogin: boolean, startMinimized = false) => UiSettings.parse({ startAtLogin, startMinimized });
  beforeEach(() => {
    registry.run.clear();
    registry.approved.clear();
    app.setLoginItemSettings.mockClear();
    Object.defineProperty(process, 'platform', { value: 'win32' });
  });
  afterEach(() => {
    Object.defineProperty(process, 'platform', { value: realPlatform });
  });
  it('opens only allow-listed https links', async () => {
    await expect(platform.openExternal('https://evil.example/')).rejects.toThrow(/Links to evil.example are not opened/);
    await expect(platform.openExternal('file:///C:/Windows/calc.exe')).rejects.toThrow(/Only https links/);
    expect(shell.openExternal).not.toHaveBeenCalled();
    await platform.openExternal('https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize');
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });
  it("opens a national cloud's sign-in page only for the sign-in host a source derived from its authority", async () => {
    shell.openExternal.mockClear();
    const us = 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/authorize?client_id=x';
    await expect(platform.openExternal(us)).rejects.toThrow(/Links to login.microsoftonline.us are not opened/);
    await expect(platform.openExternal(us, { signInHost: 'login.chinacloudapi.cn' })).rejects.toThrow(/not opened/);
    await expect(platform.openExternal('http://login.microsoftonline.us/x', { signInHost: 'login.microsoftonline.us' })).rejects.toThrow(/Only https links/);
    expect(shell.openExternal).not.toHaveBeenCalled();
    await platform.openExternal(us, { signInHost: 'login.microsoftonline.us' });
    await platform.openExternal('https://login.chinacloudapi.cn/t/oauth2/v2.0/authorize', { signInHost: signInHostOf('https://login.chinacloudapi.cn/t')! });
    expect(shell.openExternal).toHaveBeenCalledTimes(2);
    expect([signInHostOf('https://LOGIN.microsoftonline.us/tenant/'), signInHostOf('http://login.example/t'), signInHostOf('https://login.example:8443/t'), signInHostOf('not a url')]).toEqual(['login.microsoftonline.us', null, null, null]);
  });
  it('starts at login, minimized to the tray when asked, and removes the entry when turned off', () => {
    platform.setStartAtLogin!(true, true);
    expect(registry.run.get(RUN_NAME)).toEqual({ path: process.execPath, args: ['--hidden'] });
    expect(registry.approved.get(RUN_NAME)).toBe(true);
    expect(platform.desktopInfo!(ui(true, true)).startAtLogin).toEqual({ available: true, registered: true, enabledInWindows: true, note: null });
    platform.setStartAtLogin!(false, true);
    expect(registry.run.size).toBe(0);
    expect(platform.desktopInfo!(ui(false, true)).startAtLogin).toEqual({ available: true, registered: false, enabledInWindows: null, note: null });
    expect(platform.versions().app).toBe('1.2.3');
  });

  it('shows an entry turned off in Task Manager and keeps it off when only "start minimized" changes', () => {
    platform.setStartAtLogin!(true, false);
    registry.taskManager(false);
    const info = platform.desktopInfo!(ui(true, false));
    expect(info.startAtLogin).toMatchObject({ available: true, registered: true, enabledInWindows: false });
    expect(info.startAtLogin.available && info.startAtLogin.note).toMatch(/^Turned off in Task Manager \(Startup apps\)/);
    platform.setStartAtLogin!(true, true);
    expect(registry.run.get(RUN_NAME)).toEqual({ path: process.execPath, args: ['--hidden'] });
    expect(registry.approved.get(RUN_NAME)).toBe(false);
    // Turning the setting off and on again is the user asking for it: the entry is enabled again.
    platform.setStartAtLogin!(false, true);
    platform.setStartAtLogin!(true, true);
    expect(registry.approved.get(RUN_NAME)).toBe(true);
  });

  it('says when Windows has no entry although the setting is on', () => {
    expect(platform.desktopInfo!(ui(true)).startAtLogin).toMatchObject({ registered: false, note: expect.stringMatching(/^Windows has no sign-in entry for this copy/) });
    expect(platform.desktopInfo!(ui(true)).update).toEqual({ state: 'idle' });
    expect(platform.desktopInfo!(ui(true)).unavailable).toEqual([]);
  });

  it('never registers an unpackaged run (a bare electron.exe) and says why', () => {
    const dev = createElectronPlatform(() => null, { install: { kind: 'unpackaged', portableExe: null }, updateStatus });
    dev.setStartAtLogin!(true, false);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
    const info = dev.desktopInfo!(ui(true));
    expect(info.startAtLogin).toEqual({ available: false, reason: expect.stringMatching(/never registers itself/) });
    expect(info.install).toBe('unpackaged');
  });

  it('registers nothing from the portable build and lists what it cannot do', () => {
    const portable = createElectronPlatform(() => null, { install: { kind: 'portable', portableExe: 'D:\\Tools\\pqm.exe' }, updateStatus: () => ({ state: 'off', reason: 'x' }) });
    portable.setStartAtLogin!(true, true);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
    const info = portable.desktopInfo!(ui(true));
    expect(info.install).toBe('portable');
    expect(info.startAtLogin).toEqual({ available: false, reason: expect.stringMatching(/temporary copy that Windows deletes/) });
    expect(info.unavailable.map((u) => u.feature)).toEqual(['Start at login', 'Updates', 'Print Queue Monitor links', 'Notifications']);
    expect(info.unavailable.find((u) => u.feature === 'Notifications')!.reason).toMatch(/Start-menu shortcut/);
  });
});
