/** main/updates.ts (electron-updater mocked), main/notifications.ts and main/platform.ts (Electron mocked). */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeJob } from '../../helpers/fake-bridge';
import type { Job } from '../../../preload/model';

const updaterListeners = new Map<string, (arg?: unknown) => void>();
const autoUpdater = {
  autoDownload: false,
  autoInstallOnAppQuit: false,
  logger: null as unknown,
  setFeedURL: vi.fn(),
  checkForUpdates: vi.fn(async () => null),
  quitAndInstall: vi.fn(),
  on: (name: string, fn: (arg?: unknown) => void) => updaterListeners.set(name, fn),
};
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
const app = { setLoginItemSettings: vi.fn(), getVersion: () => '1.2.3' };
const shell = { openExternal: vi.fn(async () => undefined) };
vi.mock('electron', () => {
  const mod = { Notification: FakeNotification, app, shell, dialog: {}, net: { fetch: vi.fn() } };
  return { ...mod, default: mod };
});

const { createAppUpdater } = await import('../../../main/updates');
const { createNotifier } = await import('../../../main/notifications');
const { createElectronPlatform } = await import('../../../main/platform');
const { silentLogger } = await import('../../../main/core/ports');
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
    expect(notice).toHaveBeenCalledWith('info', 'An update is ready. The update installs when the watched job finishes or when you quit.');
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
});

describe('Electron platform ports', () => {
  const platform = createElectronPlatform(() => null);
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
  it('starts at login, minimized to the tray when asked', () => {
    platform.setStartAtLogin!(true, true);
    expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: true, args: ['--hidden'] });
    platform.setStartAtLogin!(false, true);
    expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false, args: [] });
    expect(platform.versions().app).toBe('1.2.3');
  });
});
