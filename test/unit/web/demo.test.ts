/**
 * `npm run demo`: where it runs (desktop app or browser preview), the Electron command line and
 * environment it builds, the app's demo-mode secret rule, and the ScriptX token hand-over through
 * tracked.json. Electron itself is never launched: the spawn is injected.
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppCore } from '../../../main/core/app-core';
import type { Logger } from '../../../main/ports/ports';
import { createDemoSecretStore, decideDemoMode, demoUserDataDir, isInsideFolder, takeDemoSecrets } from '../../../main/desktop/demo-mode';
import { createFileTrackedStore } from '../../../main/state/tracked';
import { secretEnvName } from '../../../preload/contract/model';
import { startWorkloadSimulators, WORKLOAD_SOURCE_IDS, type WorkloadSimulators } from '../../simulators/workload';
import {
  decideDemoLaunch,
  electronLaunchSpec,
  fallbackLine,
  startElectronDemo,
  systemProbe,
  trackedHandOver,
  writeDemoSettings,
  type ElectronProbe,
  type SpawnFn,
} from '../../preview/electron-demo';
import { planDemo } from '../../preview/demo';

const dirs: string[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(prefix = 'pqm-demo-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A probe over an in-memory file list. */
function probe(over: Partial<ElectronProbe> & { files?: Record<string, string> } = {}): ElectronProbe {
  const files = over.files ?? { '/app/node_modules/electron/path.txt': 'electron', '/app/node_modules/electron/dist/electron': '' };
  return {
    platform: over.platform ?? 'linux',
    env: over.env ?? { DISPLAY: ':0' },
    packageDir: over.packageDir ?? (() => '/app/node_modules/electron'),
    readText: over.readText ?? ((p) => files[p] ?? null),
    exists: over.exists ?? ((p) => p in files),
  };
}

describe('where the demo runs', () => {
  it('launches Electron where the package, its binary and a display are present', () => {
    expect(decideDemoLaunch(probe())).toEqual({ kind: 'electron', binary: '/app/node_modules/electron/dist/electron' });
    expect(decideDemoLaunch(probe({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toEqual({ kind: 'electron', binary: '/app/node_modules/electron/dist/electron' });
    // Windows and macOS always have a desktop.
    const win = { '/app/node_modules/electron/path.txt': 'electron.exe', '/app/node_modules/electron/dist/electron.exe': '' };
    expect(decideDemoLaunch(probe({ platform: 'win32', env: {}, files: win }))).toMatchObject({ kind: 'electron' });
    const mac = { '/app/node_modules/electron/path.txt': 'Electron.app/Contents/MacOS/Electron', '/app/node_modules/electron/dist/Electron.app/Contents/MacOS/Electron': '' };
    expect(decideDemoLaunch(probe({ platform: 'darwin', env: {}, files: mac }))).toEqual({ kind: 'electron', binary: '/app/node_modules/electron/dist/Electron.app/Contents/MacOS/Electron' });
  });

  it('falls back to the preview with one exact line when the binary is not installed (this machine)', () => {
    const d = decideDemoLaunch(probe({ files: {} }));
    expect(d).toEqual({
      kind: 'preview',
      reason: 'its binary is not installed',
      message: 'Electron cannot launch here (its binary is not installed), so the demo opens in the browser preview instead.',
    });
    expect(d.kind === 'preview' && d.message.includes('\n')).toBe(false);
  });

  it('names the other reasons: no package, a path.txt pointing nowhere, no display on Linux', () => {
    expect(decideDemoLaunch(probe({ packageDir: () => null }))).toMatchObject({ kind: 'preview', message: fallbackLine('the electron package is not installed') });
    expect(decideDemoLaunch(probe({ files: { '/app/node_modules/electron/path.txt': 'electron' } }))).toMatchObject({
      kind: 'preview',
      reason: 'its binary is not installed: /app/node_modules/electron/dist/electron does not exist',
    });
    expect(decideDemoLaunch(probe({ env: { DISPLAY: ' ', WAYLAND_DISPLAY: '' } }))).toEqual({
      kind: 'preview',
      reason: 'there is no display: neither DISPLAY nor WAYLAND_DISPLAY is set',
      message: 'Electron cannot launch here (there is no display: neither DISPLAY nor WAYLAND_DISPLAY is set), so the demo opens in the browser preview instead.',
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const files = { '/opt/electron/electron': '' };
    expect(decideDemoLaunch(probe({ env: { DISPLAY: ':1', ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, files }))).toEqual({ kind: 'electron', binary: '/opt/electron/electron' });
    expect(decideDemoLaunch(probe({ env: { DISPLAY: ':1', ELECTRON_OVERRIDE_DIST_PATH: '/opt/none' }, files }))).toMatchObject({ kind: 'preview' });
  });

  it('the system probe finds the package and binary of a project folder without requiring electron', () => {
    const root = tempDir();
    writeFileSync(join(root, 'package.json'), '{"name":"x"}');
    const pkg = join(root, 'node_modules/electron');
    mkdirSync(join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"electron","version":"45.4.1","main":"index.js"}');
    // Requiring this package would throw: the probe must not load it.
    writeFileSync(join(pkg, 'index.js'), 'throw new Error("electron was required");');
    const p = { ...systemProbe(root), platform: 'linux' as const, env: { DISPLAY: ':0' } };
    expect(decideDemoLaunch(p)).toMatchObject({ kind: 'preview', reason: 'its binary is not installed' });
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    writeFileSync(join(pkg, 'dist/electron'), '');
    expect(decideDemoLaunch(p)).toEqual({ kind: 'electron', binary: join(pkg, 'dist/electron') });
    expect(decideDemoLaunch({ ...systemProbe(tempDir()), platform: 'linux', env: { DISPLAY: ':0' } })).toMatchObject({ reason: 'the electron package is not installed' });
  });

  it('takes the preview options and refuses --config with a way forward', () => {
    expect(planDemo(['--seed', '3', '--speed', '2'], probe({ files: {} }))).toMatchObject({ cli: { seed: 3, speed: 2, workload: true }, decision: { kind: 'preview' } });
    expect(() => planDemo(['--config', 'x.json'], probe())).toThrow(/takes no --config; to watch real sources run "npm start -- --config <file>"/);
    expect(() => planDemo(['--speed', '0'], probe())).toThrow(/--speed must be/);
  });
});

const SECRETS = {
  scriptx: { LICENSE: '5b7c2a10-4f3e-4b8e-9c1d-2a6f0e9d7c31' },
  'universal-print': { TOKEN: 'eyJ.header.sig' },
  aodocs: { SECURITY_CODE: 'code-7f3a' },
};

describe('the Electron command line and environment', () => {
  it('passes the app, the settings and --demo on the command line, and the secrets in the environment only', () => {
    const spec = electronLaunchSpec({
      binary: '/e/electron',
      appDir: '/repo',
      configPath: '/tmp/pqm-demo-1/settings.json',
      secrets: SECRETS,
      baseEnv: { PATH: '/usr/bin', DISPLAY: ':0', ELECTRON_RUN_AS_NODE: '1', PQM_CONFIG: '/home/u/real.json', PQM_SECRET_OTHER_TOKEN: 'foreign', HOME: '/home/u' },
    });
    expect(spec.command).toBe('/e/electron');
    expect(spec.args).toEqual(['/repo', '--config', '/tmp/pqm-demo-1/settings.json', '--demo']);
    const line = [spec.command, ...spec.args].join(' ');
    for (const bag of Object.values(SECRETS)) for (const v of Object.values(bag)) expect(line).not.toContain(v);
    expect(spec.env).toEqual({
      PATH: '/usr/bin',
      DISPLAY: ':0',
      HOME: '/home/u',
      PQM_SECRET_SCRIPTX_LICENSE: SECRETS.scriptx.LICENSE,
      PQM_SECRET_UNIVERSAL_PRINT_TOKEN: SECRETS['universal-print'].TOKEN,
      PQM_SECRET_AODOCS_SECURITY_CODE: SECRETS.aodocs.SECURITY_CODE,
    });
  });
});

describe('demo mode in the app', () => {
  const tmp = '/tmp';
  it('accepts secrets from the environment only with --demo and a settings file inside the temp folder', () => {
    expect(decideDemoMode({ argv: ['electron', '.', '--config', '/tmp/pqm-demo-1/settings.json', '--demo'], configPath: '/tmp/pqm-demo-1/settings.json', tmpDir: tmp, platform: 'linux' })).toEqual({ demo: true });
    expect(decideDemoMode({ argv: ['electron', '.'], configPath: '/tmp/pqm-demo-1/settings.json', tmpDir: tmp, platform: 'linux' })).toEqual({ demo: false });
    // After "--" it is an argument, not our flag.
    expect(decideDemoMode({ argv: ['electron', '.', '--', '--demo'], configPath: '/tmp/x/settings.json', tmpDir: tmp, platform: 'linux' })).toEqual({ demo: false });
    const refused = decideDemoMode({ argv: ['x', '--demo'], configPath: '/home/u/.config/Print Queue Monitor/settings.json', tmpDir: tmp, platform: 'linux' });
    expect(refused).toEqual({ demo: false, problem: '--demo was ignored: the settings file is not in the temp folder (/tmp), so secrets are not read from the environment.' });
    expect(decideDemoMode({ argv: ['x', '--demo'], configPath: null, tmpDir: tmp, platform: 'linux' })).toMatchObject({ demo: false, problem: expect.stringMatching(/needs --config/) });
  });

  it('checks "inside the temp folder" strictly', () => {
    expect(isInsideFolder('/tmp/a/settings.json', '/tmp', 'linux')).toBe(true);
    expect(isInsideFolder('/tmp/../etc/settings.json', '/tmp', 'linux')).toBe(false);
    expect(isInsideFolder('/tmpfoo/settings.json', '/tmp', 'linux')).toBe(false);
    expect(isInsideFolder('/tmp', '/tmp', 'linux')).toBe(false);
    expect(isInsideFolder('tmp/settings.json', '/tmp', 'linux')).toBe(false);
    expect(isInsideFolder('/TMP/a/settings.json', '/tmp', 'linux')).toBe(false);
    expect(isInsideFolder('C:\\Users\\Al\\AppData\\Local\\Temp\\pqm-demo-1\\settings.json', 'c:\\users\\al\\appdata\\local\\temp', 'win32')).toBe(true);
    expect(isInsideFolder('C:/Users/Al/AppData/Local/Temp/pqm-demo-1/settings.json', 'C:\\Users\\Al\\AppData\\Local\\Temp', 'win32')).toBe(true);
    expect(isInsideFolder('C:\\Users\\Al\\AppData\\Roaming\\Print Queue Monitor\\settings.json', 'C:\\Users\\Al\\AppData\\Local\\Temp', 'win32')).toBe(false);
    expect(demoUserDataDir('C:\\Temp\\pqm-demo-1\\settings.json', 'win32')).toBe('C:\\Temp\\pqm-demo-1\\electron-user-data');
  });

  it('moves the secrets out of the environment and keeps them in memory for the run', async () => {
    const env: NodeJS.ProcessEnv = { PATH: '/bin', PQM_SECRET_SCRIPTX_LICENSE: ' lic ', PQM_SECRET_AODOCS_TOKEN: '' };
    const taken = takeDemoSecrets(env);
    expect(env).toEqual({ PATH: '/bin' });
    expect([...taken]).toEqual([['PQM_SECRET_SCRIPTX_LICENSE', 'lic']]);
    const store = createDemoSecretStore(taken);
    expect(await store.get('scriptx', 'LICENSE')).toBe('lic');
    expect(await store.has('aodocs', 'TOKEN')).toBe(false);
    await store.set('aodocs', 'TOKEN', 'typed');
    expect(await store.get('aodocs', 'TOKEN')).toBe('typed');
    await store.delete('scriptx', 'LICENSE');
    expect(await store.has('scriptx', 'LICENSE')).toBe(false);
    await expect(store.set('aodocs', 'TOKEN', '')).rejects.toThrow(/cannot be empty/);
    // The handed-over map itself is not changed.
    expect(taken.get('PQM_SECRET_SCRIPTX_LICENSE')).toBe('lic');
  });
});

describe('the ScriptX token hand-over', () => {
  it('adds the token to tracked.json next to the settings, without losing earlier ones', async () => {
    const dir = tempDir();
    const configPath = join(dir, 'settings.json');
    const hand = trackedHandOver(configPath, { now: () => Date.UTC(2026, 10, 23, 9, 0, 0) });
    await hand('tok-1', 'html');
    await hand('tok-2', 'pdf');
    const list = await createFileTrackedStore(join(dir, 'tracked.json')).list('scriptx');
    expect(list).toEqual([
      { sourceId: 'scriptx', id: 'tok-1', kind: 'html', addedAt: '2026-11-23T09:00:00.000Z' },
      { sourceId: 'scriptx', id: 'tok-2', kind: 'pdf', addedAt: '2026-11-23T09:00:00.000Z' },
    ]);
  });

  it('the app core, given the demo settings and the demo environment, shows every source ok and picks up a handed-over token', async () => {
    const sims: WorkloadSimulators = await startWorkloadSimulators({ printServer: true });
    closers.push(() => sims.close());
    const dir = tempDir();
    const configPath = await writeDemoSettings(dir, sims);
    const settingsText = readFileSync(configPath, 'utf8');
    for (const bag of Object.values(sims.secrets)) for (const v of Object.values(bag)) expect(settingsText).not.toContain(v);

    // What the app does at start in demo mode, from the environment the launcher builds.
    const spec = electronLaunchSpec({ binary: 'electron', appDir: '.', configPath, secrets: sims.secrets, baseEnv: {} });
    expect(decideDemoMode({ argv: spec.args, configPath, tmpDir: tmpdir(), platform: process.platform })).toEqual({ demo: true });
    const env = { ...spec.env };
    const core = await createAppCore({
      configPath,
      secrets: createDemoSecretStore(takeDemoSecrets(env)),
      logger: silent,
      platform: { pickFileToPrint: async () => null, pickSavePath: async () => null, openExternal: async () => undefined, versions: () => ({ app: 't', node: '', platform: '' }) },
    });
    closers.push(() => core.stop());
    core.start();

    await vi.waitFor(
      () =>
        expect(core.snapshot().sources.map((s) => [s.id, s.status]).sort()).toEqual([
          ['aodocs', 'ok'],
          ['print-server', 'ok'],
          ['scriptx', 'ok'],
          ['universal-print', 'ok'],
        ]),
      { timeout: 10_000, interval: 100 },
    );
    // The IPP print server: its queue with a job waiting for release, and a stopped label printer.
    await vi.waitFor(
      () => {
        const held = core.snapshot().jobs.find((j) => j.sourceId === 'print-server' && j.document === 'Payroll summary.pdf');
        expect(held).toMatchObject({ state: 'paused', reason: 'Waiting to be released', release: { allowed: true }, mine: true });
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(core.printers().filter((p) => p.sourceKind === 'ipp').map((p) => [p.name, p.state, p.reasons])).toEqual([
      ['Front desk laser', 'ready', []],
      ['Warehouse labels', 'stopped', ['Out of labels', 'Out of paper', 'Paused']],
    ]);
    // Universal Print's shares are printers too.
    expect(core.printers().filter((p) => p.sourceKind === 'graph').map((p) => [p.name, p.state, p.reasons])).toEqual([
      ['HQ 2nd floor (colour)', 'ready', []],
      ['HQ mailroom', 'ready', []],
      ['Lab plotter', 'ready', []],
    ]);
    // Handed over while the app is already polling: its ScriptX source re-reads the list.
    const token = sims.scriptx.addJob({ kind: 'html', steps: [{ status: 2, afterMs: 0 }, { status: 5, afterMs: 600_000 }] });
    await trackedHandOver(configPath)(token, 'html');
    await vi.waitFor(() => expect(core.snapshot().jobs.map((j) => j.key)).toContain(`${WORKLOAD_SOURCE_IDS.scriptx}:${token}`), { timeout: 10_000, interval: 100 });
  }, 15_000);
});

/** A stand-in child process: records kill() and exits when told. */
class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killed: string[] = [];
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.killed.push(signal);
    return true;
  }
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

/** Cleans up a demo whose fake Electron a failing test left running. */
function closeDemo(demo: { child: ChildProcess; stop(): Promise<number> }): () => Promise<unknown> {
  return () => {
    const child = demo.child as unknown as FakeChild;
    if (child.exitCode === null && child.signalCode === null) child.exit(null, 'SIGTERM');
    return demo.stop();
  };
}

function fakeBuild(): string {
  const appDir = tempDir('pqm-demo-app-');
  mkdirSync(join(appDir, 'out/main'), { recursive: true });
  writeFileSync(join(appDir, 'out/main/index.js'), '');
  return appDir;
}

describe('startElectronDemo', () => {
  function start(extra: { workload?: false } = {}) {
    const spawned: { command: string; args: readonly string[]; options: SpawnOptions; child: FakeChild }[] = [];
    const spawn: SpawnFn = (command, args, options) => {
      const child = new FakeChild();
      spawned.push({ command, args, options, child });
      return child as unknown as ChildProcess;
    };
    const signals = new EventEmitter();
    const promise = startElectronDemo({
      binary: '/e/electron',
      appDir: fakeBuild(),
      spawn,
      signals: signals as unknown as Parameters<typeof startElectronDemo>[0]['signals'],
      logger: silent,
      workload: extra.workload ?? { seed: 5, initialJobs: 9, outageEveryTicks: 0, baseTickMs: 60_000 },
    });
    return { spawned, signals, promise };
  }

  it('runs the simulators and workload, launches Electron once, hands tokens over, and stops everything when Electron exits', async () => {
    const { spawned, promise } = start();
    const demo = await promise;
    closers.push(closeDemo(demo));
    expect(spawned).toHaveLength(1);
    const { command, args, options, child } = spawned[0];
    expect(command).toBe('/e/electron');
    expect(args.slice(1)).toEqual(['--config', demo.configPath, '--demo']);
    expect(isInsideFolder(demo.configPath, tmpdir(), process.platform)).toBe(true);
    expect(options.env?.[secretEnvName('scriptx', 'LICENSE')]).toBe(demo.sims.secrets.scriptx.LICENSE);
    expect(JSON.parse(readFileSync(demo.configPath, 'utf8')).sources.map((s: { id: string }) => s.id)).toEqual(['scriptx', 'universal-print', 'aodocs', 'print-server']);
    // The workload's ScriptX jobs are in the list the app re-reads.
    const scriptxAdded = demo.workload!.events.filter((e) => e.type === 'job-added' && e.source === 'scriptx').map((e) => (e as { id: string }).id);
    expect(scriptxAdded.length).toBeGreaterThan(0);
    const tracked = await createFileTrackedStore(join(demo.configPath, '../tracked.json')).list('scriptx');
    expect(tracked.map((t) => t.id)).toEqual(scriptxAdded);

    const scriptxUrl = demo.sims.scriptx.url;
    child.exit(0);
    expect(await demo.done).toBe(0);
    expect(existsSync(demo.configPath)).toBe(false);
    await expect(fetch(scriptxUrl, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it('Ctrl+C stops Electron, then the simulators; the demo exits 0', async () => {
    const { spawned, signals, promise } = start({ workload: false });
    const demo = await promise;
    closers.push(closeDemo(demo));
    expect(demo.workload).toBeNull();
    signals.emit('SIGINT');
    expect(spawned[0].child.killed).toEqual(['SIGTERM']);
    spawned[0].child.exit(null, 'SIGTERM');
    expect(await demo.done).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('an Electron that crashes or cannot be spawned ends the demo with 1', async () => {
    const a = await start({ workload: false }).promise;
    closers.push(closeDemo(a));
    (a.child as unknown as FakeChild).exit(null, 'SIGSEGV');
    expect(await a.done).toBe(1);
    const b = await start({ workload: false }).promise;
    closers.push(closeDemo(b));
    b.child.emit('error', new Error('spawn /e/electron ENOENT'));
    expect(await b.done).toBe(1);
  });

  it('refuses to start without a built app, naming the missing file', async () => {
    await expect(startElectronDemo({ binary: '/e/electron', appDir: tempDir(), spawn: () => { throw new Error('must not spawn'); } })).rejects.toThrow(/The app is not built \(.*out\/main\/index\.js is missing\); run "npx electron-vite build" first\./);
  });
});

describe('main/index.ts in demo mode (mocked Electron)', () => {
  async function boot(argvTail: string[], env: Record<string, string>) {
    const calls: string[] = [];
    const created: { secrets: { get(id: string, name: string): Promise<string | undefined> } }[] = [];
    const added: string[] = [];
    let ready = false;
    const noop = () => undefined;
    const webContents = { id: 1, on: noop, once: noop, setWindowOpenHandler: noop, isLoading: () => false, send: noop, isDestroyed: () => false };
    const mod = {
      app: {
        setAppUserModelId: noop,
        setPath: (name: string, value: string) => calls.push(`setPath:${name}:${value}`),
        requestSingleInstanceLock: () => (calls.push('lock'), true),
        quit: noop,
        exit: (code: number) => calls.push(`exit:${code}`),
        on: noop,
        whenReady: async () => {
          ready = true;
        },
        // Electron's documentation: usable only after the ready event.
        getSystemLocale: () => {
          if (!ready) throw new Error('app.getSystemLocale() must be called after the ready event');
          return 'en-US';
        },
        getPath: () => tempDir(),
        isPackaged: false,
        getVersion: () => '0.1.0',
        getAppPath: () => '/app',
        setAsDefaultProtocolClient: (p: string) => (calls.push(`protocol:${p}`), true),
        setLoginItemSettings: noop,
      },
      dialog: { showErrorBox: (t: string, m: string) => calls.push(`error:${t}:${m}`) },
      nativeTheme: { on: noop, removeListener: noop, shouldUseDarkColorsForSystemIntegratedUI: false },
      net: { isOnline: () => true, fetch: vi.fn() },
      powerMonitor: { on: noop, removeListener: noop },
      BrowserWindow: class {
        webContents = webContents;
        on = noop;
        once = noop;
        maximize = noop;
        isDestroyed = () => false;
        isVisible = () => true;
        isMinimized = () => false;
        show = noop;
        focus = noop;
        restore = noop;
        loadFile = async () => undefined;
        loadURL = async () => undefined;
      },
      screen: { getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }), getAllDisplays: () => [] },
      session: { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop, setDevicePermissionHandler: noop, webRequest: { onHeadersReceived: noop } } },
      shell: { openExternal: vi.fn() },
      ipcMain: { handle: noop, removeHandler: noop },
      Tray: class {
        on = noop;
        setToolTip = noop;
        setContextMenu = noop;
        setImage = noop;
        destroy = noop;
      },
      Menu: { buildFromTemplate: (t: unknown) => ({ template: t, on: noop }) },
      protocol: { registerSchemesAsPrivileged: noop, handle: noop },
      nativeImage: { createFromPath: () => ({ isEmpty: () => false }) },
      Notification: class {
        static isSupported = () => false;
      },
      safeStorage: {},
    };
    vi.resetModules();
    vi.doMock('electron', () => ({ ...mod, default: mod }));
    vi.doMock('../../../main/core/app-core', async () => {
      const { Settings } = await import('../../../preload/contract/model');
      const { REQUEST_NAMES } = await import('../../../preload/contract/channels');
      const { createRedactor } = await import('../../../main/state/redact');
      return {
        createAppCore: async (o: { secrets: { get(id: string, name: string): Promise<string | undefined> } }) => {
          created.push(o);
          const redactor = createRedactor();
          const settings = Settings.parse({ version: 1, sources: [{ id: 'scriptx', kind: 'scriptx' }] });
          return {
            handlers: Object.fromEntries(REQUEST_NAMES.map((n) => [n, async () => null])),
            toError: (err: unknown) => redactor.redactError(err),
            snapshot: () => ({ jobs: [], sources: [] }),
            paused: () => null,
            onQueueEvent: () => () => undefined,
            setVisible: noop,
            setOnline: noop,
            setSuspended: noop,
            on: () => () => undefined,
            emit: noop,
            redactor: { ...redactor, addSecrets: (v: Iterable<string>) => (added.push(...v), redactor.addSecrets(v)) },
            settings: () => ({ settings, problems: [] }),
            start: () => calls.push('core-start'),
            stop: async () => undefined,
          };
        },
      };
    });
    const argv = process.argv;
    const saved = { ...process.env };
    process.argv = ['electron', '/repo', ...argvTail];
    Object.assign(process.env, env);
    try {
      await import('../../../main/index');
      await vi.waitFor(() => expect(calls).toContain('core-start'), { timeout: 5000, interval: 10 });
      return { calls, created, added, envAfter: { ...process.env } };
    } finally {
      process.argv = argv;
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      vi.doUnmock('electron');
      vi.doUnmock('../../../main/core/app-core');
      vi.resetModules();
    }
  }

  it('with --demo and a temp settings file: own userData, secrets from the environment moved into memory, no protocol registration', async () => {
    const dir = tempDir();
    const configPath = join(dir, 'settings.json');
    writeFileSync(configPath, '{"version":1,"sources":[]}');
    const r = await boot(['--config', configPath, '--demo'], { PQM_SECRET_SCRIPTX_LICENSE: 'demo-license-guid' });
    expect(r.calls[0]).toMatch(/^setPath:userData:.*electron-user-data$/);
    expect(r.calls[1]).toBe('lock');
    expect(r.calls.some((c) => c.startsWith('protocol:'))).toBe(false);
    expect(await r.created[0].secrets.get('scriptx', 'LICENSE')).toBe('demo-license-guid');
    expect(r.envAfter.PQM_SECRET_SCRIPTX_LICENSE).toBeUndefined();
    expect(r.added).toContain('demo-license-guid');
  });

  it('with --demo but settings outside the temp folder: a normal start, the environment is not read', async () => {
    // The temp folder the app sees is a fresh one; the settings live beside it, not inside it
    // (wherever this checkout is, even under the system temp folder).
    const fakeTmp = tempDir();
    const dir = tempDir();
    const configPath = join(dir, 'settings.json');
    writeFileSync(configPath, '{"version":1,"sources":[]}');
    const r = await boot(['--config', configPath, '--demo'], { PQM_SECRET_SCRIPTX_LICENSE: 'planted', TMPDIR: fakeTmp, TMP: fakeTmp, TEMP: fakeTmp });
    expect(r.calls.some((c) => c.startsWith('setPath:'))).toBe(false);
    expect(r.calls).toContain('protocol:print-queue-monitor');
    expect(r.envAfter.PQM_SECRET_SCRIPTX_LICENSE).toBe('planted');
    expect(r.added).toEqual([]);
  });
});
