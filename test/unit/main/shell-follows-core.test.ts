/**
 * The shell's thin modules against a mocked Electron (45's documented events) and, for the tray and
 * the updater, the real app core: whatever way settings are saved, the tray and the updater follow
 * (main/tray.ts, main/updates.ts); sleep and the network reach the core (main/power.ts); quitting
 * runs in Electron's documented order (main/quit.ts).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ online: true, quits: 0 }));
vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  const app = Object.assign(new EventEmitter(), { quit: () => void electron.quits++ });
  const mod = {
    app,
    nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColorsForSystemIntegratedUI: false }),
    powerMonitor: new EventEmitter(),
    net: { isOnline: () => electron.online },
  };
  return { ...mod, default: mod };
});
vi.mock('electron-updater', () => ({ default: { autoUpdater: {} } }));

const { app, nativeTheme, powerMonitor } = (await import('electron')) as unknown as {
  app: import('node:events').EventEmitter;
  nativeTheme: import('node:events').EventEmitter;
  powerMonitor: import('node:events').EventEmitter;
};
const { createAppCore } = await import('../../../main/core/app-core');
const { followCoreInTray } = await import('../../../main/tray');
const { followSettingsInUpdater } = await import('../../../main/updates');
const { followPowerAndNetwork, ONLINE_CHECK_MS } = await import('../../../main/power');
const { createQuitSequence } = await import('../../../main/quit');
const { dispatch } = await import('../../../preload/contract/contract');
const { silentLogger } = await import('../../../main/ports/ports');
const { createMemorySecretStore } = await import('../../helpers/memory-stores');

describe('saved settings reach the tray and the updater, whichever way they were saved', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pqm-shell-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a save outside the window (a link, the tray, the CLI in this process) and a reread file both reach them', async () => {
    const configPath = join(dir, 'settings.json');
    await writeFile(configPath, JSON.stringify({ version: 1, sources: [{ id: 'local', kind: 'scriptx', enabled: false }] }));
    const core = await createAppCore({
      configPath,
      secrets: createMemorySecretStore(),
      platform: { pickFileToPrint: async () => null, pickSavePath: async () => null, openExternal: async () => undefined, versions: () => ({}) },
      logger: silentLogger,
    });
    const tray = { update: vi.fn(), destroy: vi.fn() };
    const updater = { configure: vi.fn(), dispose: vi.fn() };
    const follower = followCoreInTray({ core, tray, getWindow: () => null, updateReady: () => false });
    const stopUpdates = followSettingsInUpdater(core, updater);
    try {
      expect(updater.configure).toHaveBeenLastCalledWith(undefined);
      // Straight to the core's handlers, as the tray and links do: no IPC is involved.
      const view = await core.handlers.getSettings({});
      const settings = { ...view.settings, sources: [...view.settings.sources, { id: 'second', kind: 'scriptx' as const, enabled: false }] };
      const saved = await dispatch(core.handlers, 'saveSettings', { settings }, core.toError);
      expect(saved.ok).toBe(true);
      await vi.waitFor(() => expect(tray.update).toHaveBeenCalled(), { timeout: 5000, interval: 20 });
      expect(updater.configure).toHaveBeenCalledTimes(2);

      // The update feed is set in the file only; the core reads the file again.
      const onDisk = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
      await writeFile(configPath, JSON.stringify({ ...onDisk, updates: { feedUrl: 'https://updates.example.com/pqm/' } }));
      await core.reloadSettings();
      expect(updater.configure).toHaveBeenLastCalledWith('https://updates.example.com/pqm/');
    } finally {
      follower.stop();
      stopUpdates();
      await core.stop();
    }
    expect(updater.dispose).toHaveBeenCalled();
    // Stopped: nothing is followed any more.
    expect(nativeTheme.listenerCount('updated')).toBe(0);
  });

  it("the tray's times are in the system's regional format, as the window's", () => {
    const until = new Date(2026, 11, 3, 21, 5).toISOString();
    const shown = (locale?: string): string => {
      const tray = { update: vi.fn(), destroy: vi.fn() };
      const core = { snapshot: () => ({ jobs: [], sources: [] }), paused: () => ({ until }), on: () => () => undefined, onQueueEvent: () => () => undefined };
      const follower = followCoreInTray({ core, tray, getWindow: () => null, updateReady: () => false, locale });
      try {
        follower.refresh();
        return JSON.stringify(tray.update.mock.lastCall);
      } finally {
        follower.stop();
      }
    };
    expect(shown('de-DE')).toContain('until 21:05');
    expect(shown('en-US')).toContain('until 09:05 PM');
    // A tag Intl does not take: the process's default, never a failure.
    expect(shown('not a locale')).toContain(`until ${new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(new Date(until))}`);
  });

  it('the tray follows the taskbar turning dark or light (nativeTheme "updated")', async () => {
    vi.useFakeTimers();
    try {
      const tray = { update: vi.fn(), destroy: vi.fn() };
      const core = { snapshot: () => ({ jobs: [], sources: [] }), paused: () => null, on: () => () => undefined, onQueueEvent: () => () => undefined };
      const follower = followCoreInTray({ core, tray, getWindow: () => null, updateReady: () => false });
      nativeTheme.emit('updated');
      nativeTheme.emit('updated');
      // Refreshed once, within the tray's refresh delay.
      await vi.advanceTimersByTimeAsync(300);
      expect(tray.update).toHaveBeenCalledTimes(1);
      follower.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('sleep and the network (main/power.ts)', () => {
  it('powerMonitor suspend/resume and net.isOnline() changes reach the core; stopping removes the listeners', async () => {
    vi.useFakeTimers();
    try {
      const core = { setSuspended: vi.fn(), setOnline: vi.fn() };
      const info = vi.fn();
      electron.online = true;
      const stop = followPowerAndNetwork(core, { ...silentLogger, info });
      expect(core.setOnline).toHaveBeenLastCalledWith(true);
      powerMonitor.emit('suspend');
      expect(core.setSuspended).toHaveBeenLastCalledWith(true);
      powerMonitor.emit('resume');
      expect(core.setSuspended).toHaveBeenLastCalledWith(false);
      electron.online = false;
      await vi.advanceTimersByTimeAsync(ONLINE_CHECK_MS);
      expect(core.setOnline).toHaveBeenLastCalledWith(false);
      expect(info).toHaveBeenCalledWith('The network is offline.');
      // Unchanged: not told again.
      await vi.advanceTimersByTimeAsync(ONLINE_CHECK_MS);
      expect(core.setOnline).toHaveBeenCalledTimes(2);
      stop();
      expect(powerMonitor.listenerCount('suspend') + powerMonitor.listenerCount('resume')).toBe(0);
      electron.online = true;
      await vi.advanceTimersByTimeAsync(ONLINE_CHECK_MS);
      expect(core.setOnline).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('quitting (main/quit.ts), in Electron 45\'s order', () => {
  afterEach(() => {
    for (const name of ['window-all-closed', 'before-quit', 'will-quit']) app.removeAllListeners(name);
    electron.quits = 0;
  });

  const preventable = () => {
    const event = { defaultPrevented: false, preventDefault() {
      event.defaultPrevented = true;
    } };
    return event;
  };

  it('closing the window keeps the app in the tray until a quit is asked for', () => {
    const quit = createQuitSequence({ logger: silentLogger, flushSync: vi.fn(), shutdown: async () => undefined });
    app.emit('window-all-closed');
    expect(electron.quits).toBe(0);
    expect(quit.isQuitting()).toBe(false);
    quit.quit();
    expect(electron.quits).toBe(1);
    app.emit('window-all-closed');
    expect(electron.quits).toBe(2);
  });

  it('before-quit marks the app quitting; will-quit waits for the shutdown, then quits again and lets the second pass through', async () => {
    let finish: () => void = () => undefined;
    const shutdown = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const quit = createQuitSequence({ logger: silentLogger, flushSync: vi.fn(), shutdown });
    app.emit('before-quit', preventable());
    expect(quit.isQuitting()).toBe(true);
    const first = preventable();
    app.emit('will-quit', first);
    expect(first.defaultPrevented).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(electron.quits).toBe(0);
    finish();
    await vi.waitFor(() => expect(electron.quits).toBe(1));
    const second = preventable();
    app.emit('will-quit', second);
    expect(second.defaultPrevented).toBe(false);
    expect(shutdown).toHaveBeenCalledTimes(1);
  });

  it('a failed shutdown is logged and the app still quits', async () => {
    const error = vi.fn();
    createQuitSequence({ logger: { ...silentLogger, error }, flushSync: vi.fn(), shutdown: async () => Promise.reject(new Error('disk gone')) });
    app.emit('will-quit', preventable());
    await vi.waitFor(() => expect(electron.quits).toBe(1));
    expect(error).toHaveBeenCalledWith('Stopping cleanly failed.', { error: 'disk gone' });
  });

  it('the window\'s session-end (Windows logoff or shutdown) writes what is buffered before its handler returns', async () => {
    const { EventEmitter } = await import('node:events');
    const flushSync = vi.fn();
    const quit = createQuitSequence({ logger: silentLogger, flushSync, shutdown: async () => undefined });
    const win = new EventEmitter();
    quit.watchWindow(win as never);
    win.emit('session-end');
    expect(flushSync).toHaveBeenCalledTimes(1);
    expect(quit.isQuitting()).toBe(true);
  });
});
