/**
 * `npm run demo` in the desktop app: this Node process runs the three simulators and the live
 * workload, writes a throw-away settings file for them in the temp folder and launches Electron
 * on the built app with `--config <file> --demo`. The simulators' secrets travel in the child's
 * environment only (main/desktop/demo-mode.ts says when the app accepts them); the ScriptX tokens
 * the workload submits are handed over through tracked.json next to the settings, the list the
 * app's ScriptX source re-reads every few seconds. Electron exiting stops the simulators; Ctrl+C
 * stops both.
 *
 * Where Electron cannot launch (package or binary missing, Linux without a display) the demo says
 * so in one line and runs the browser preview instead.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { secretEnvName, type PollingSettings, type SecretName, type SettingsInput } from '../../preload/contract/model';
import { DEMO_FLAG } from '../../main/desktop/demo-mode';
import type { Logger } from '../../main/ports/ports';
import { besideSettings } from '../../main/state/settings';
import { createFileTrackedStore, TRACKED_FILE_NAME } from '../../main/state/tracked';
import { createWorkload, startWorkloadSimulators, WORKLOAD_SOURCE_IDS, type Workload, type WorkloadOptions, type WorkloadSimulators } from '../simulators/workload';
import { PREVIEW_POLLING } from './start-preview';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

// ---------------------------------------------------------------------------------------------
// Can Electron launch here?
// ---------------------------------------------------------------------------------------------

/** What the decision looks at; injected in tests. */
export interface ElectronProbe {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The folder of the installed `electron` package, or null when it is not installed. */
  packageDir(): string | null;
  readText(path: string): string | null;
  exists(path: string): boolean;
}

export type DemoLaunchDecision = { kind: 'electron'; binary: string } | { kind: 'preview'; reason: string; message: string };

/** The one line printed when the demo falls back to the browser preview. */
export function fallbackLine(reason: string): string {
  return `Electron cannot launch here (${reason}), so the demo opens in the browser preview instead.`;
}

/**
 * Finds the Electron binary the way the electron package's index.js does (path.txt, dist/,
 * ELECTRON_OVERRIDE_DIST_PATH), without requiring that package: when its binary is missing, its
 * index.js starts a download, which must never happen just to find out.
 */
export function decideDemoLaunch(probe: ElectronProbe): DemoLaunchDecision {
  const preview = (reason: string): DemoLaunchDecision => ({ kind: 'preview', reason, message: fallbackLine(reason) });
  const dir = probe.packageDir();
  if (dir === null) return preview('the electron package is not installed');
  const pathTxt = probe.readText(join(dir, 'path.txt'))?.trim() || null;
  const override = probe.env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  let binary: string;
  if (override) binary = join(override, pathTxt ?? (probe.platform === 'win32' ? 'electron.exe' : 'electron'));
  else if (pathTxt) binary = join(dir, 'dist', pathTxt);
  else return preview('its binary is not installed');
  if (!probe.exists(binary)) return preview(`its binary is not installed: ${binary} does not exist`);
  if (probe.platform !== 'win32' && probe.platform !== 'darwin' && !probe.env.DISPLAY?.trim() && !probe.env.WAYLAND_DISPLAY?.trim()) {
    return preview('there is no display: neither DISPLAY nor WAYLAND_DISPLAY is set');
  }
  return { kind: 'electron', binary };
}

/** The probe of this machine. */
export function systemProbe(from: string = REPO_ROOT): ElectronProbe {
  const req = createRequire(join(from, 'package.json'));
  return {
    platform: process.platform,
    env: process.env,
    packageDir() {
      try {
        return dirname(req.resolve('electron/package.json'));
      } catch {
        return null;
      }
    },
    readText(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
    exists: (path) => existsSync(path),
  };
}

// ---------------------------------------------------------------------------------------------
// The Electron command line and environment
// ---------------------------------------------------------------------------------------------

export interface ElectronLaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The simulators' secrets as `PQM_SECRET_<ID>_<NAME>` variables. */
export function demoSecretEnv(secrets: Record<string, Partial<Record<SecretName, string>>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [sourceId, bag] of Object.entries(secrets)) {
    for (const [name, value] of Object.entries(bag)) if (value) out[secretEnvName(sourceId, name as SecretName)] = value;
  }
  return out;
}

/**
 * `<electron> <appDir> --config <file> --demo`; the secrets in the environment only. Variables
 * that would change what the child is (ELECTRON_RUN_AS_NODE), which settings it reads
 * (PQM_CONFIG) or which secrets it gets (any other PQM_SECRET_*) are not passed on.
 */
export function electronLaunchSpec(opts: {
  binary: string;
  appDir: string;
  configPath: string;
  secrets: Record<string, Partial<Record<SecretName, string>>>;
  baseEnv: NodeJS.ProcessEnv;
}): ElectronLaunchSpec {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(opts.baseEnv)) {
    if (v === undefined || k === 'ELECTRON_RUN_AS_NODE' || k === 'PQM_CONFIG' || k.startsWith('PQM_SECRET_')) continue;
    env[k] = v;
  }
  Object.assign(env, demoSecretEnv(opts.secrets));
  return { command: opts.binary, args: [opts.appDir, '--config', opts.configPath, DEMO_FLAG], env };
}

// ---------------------------------------------------------------------------------------------
// Settings and the ScriptX token hand-over
// ---------------------------------------------------------------------------------------------

export async function writeDemoSettings(dir: string, sims: Pick<WorkloadSimulators, 'sources'>, polling: Partial<PollingSettings> = PREVIEW_POLLING): Promise<string> {
  const configPath = join(dir, 'settings.json');
  const settings: SettingsInput = { version: 1, sources: sims.sources, polling };
  await writeFile(configPath, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return configPath;
}

/**
 * Hands a ScriptX token to the app: added to tracked.json next to the settings (under the
 * cross-process lock, atomically), where the app's ScriptX source picks it up on its next re-read.
 */
export function trackedHandOver(configPath: string, opts: { logger?: Logger; now?: () => number } = {}): (token: string, kind: 'html' | 'pdf') => Promise<void> {
  const store = createFileTrackedStore(besideSettings(configPath, TRACKED_FILE_NAME), opts);
  const now = opts.now ?? Date.now;
  return (token, kind) => store.add({ sourceId: WORKLOAD_SOURCE_IDS.scriptx, id: token, kind, addedAt: new Date(now()).toISOString() });
}

// ---------------------------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------------------------

export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface ElectronDemoOptions {
  binary: string;
  appDir?: string;
  workload?: WorkloadOptions | false;
  spawn?: SpawnFn;
  logger?: Logger;
  /** Where the settings folder is made; default the OS temp folder (the app requires it for --demo). */
  tmpDir?: string;
  /** Process signals that stop the demo; default SIGINT and SIGTERM of this process. */
  signals?: { on(signal: 'SIGINT' | 'SIGTERM', fn: () => void): void; off(signal: 'SIGINT' | 'SIGTERM', fn: () => void): void };
}

export interface ElectronDemo {
  child: ChildProcess;
  configPath: string;
  sims: WorkloadSimulators;
  workload: Workload | null;
  /** Resolves when Electron has exited and everything is stopped: Electron's exit code. */
  done: Promise<number>;
  /** Stops Electron (if running), the workload and the simulators. */
  stop(): Promise<number>;
}

export async function startElectronDemo(opts: ElectronDemoOptions): Promise<ElectronDemo> {
  const appDir = opts.appDir ?? REPO_ROOT;
  const main = join(appDir, 'out/main/index.js');
  if (!existsSync(main)) throw new Error(`The app is not built (${main} is missing); run "npx electron-vite build" first.`);
  const spawn = opts.spawn ?? (nodeSpawn as SpawnFn);
  const signals = opts.signals ?? process;
  const warn = (m: string) => (opts.logger ? opts.logger.warn(m) : process.stderr.write(`${m}\n`));

  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'pqm-demo-'));
  let sims: WorkloadSimulators | null = null;
  let workload: Workload | null = null;
  const cleanup = async () => {
    await workload?.stop().catch((err: unknown) => warn(`The workload did not stop cleanly: ${String(err)}`));
    await sims?.close().catch((err: unknown) => warn(`The simulators did not stop cleanly: ${String(err)}`));
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  let child: ChildProcess | null = null;
  let configPath: string;
  try {
    sims = await startWorkloadSimulators({ printServer: true });
    configPath = await writeDemoSettings(dir, sims);
    const spec = electronLaunchSpec({ binary: opts.binary, appDir, configPath, secrets: sims.secrets, baseEnv: process.env });
    child = spawn(spec.command, spec.args, { env: spec.env, stdio: 'inherit' });
    if (opts.workload !== false) {
      workload = createWorkload(sims, {
        ...opts.workload,
        trackScriptx: trackedHandOver(configPath, { logger: opts.logger }),
        onEvent: (e) => {
          if (e.type === 'error') warn(e.message);
          if (opts.workload) opts.workload.onEvent?.(e);
        },
      });
      await workload.start();
    }
  } catch (err) {
    child?.kill('SIGTERM');
    await cleanup();
    throw err;
  }
  const started = { sims, configPath, child };

  let stopping = false;
  const done = new Promise<number>((resolveDone) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      signals.off('SIGINT', onSignal);
      signals.off('SIGTERM', onSignal);
      void cleanup().then(() => resolveDone(code));
    };
    started.child.once('exit', (code, signal) => finish(code ?? (stopping && signal ? 0 : 1)));
    started.child.once('error', (err) => {
      warn(`Electron could not be started: ${err.message}`);
      finish(1);
    });
  });
  function onSignal(): void {
    if (stopping) return;
    stopping = true;
    if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGTERM');
  }
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);

  return {
    child: started.child,
    configPath: started.configPath,
    sims: started.sims,
    workload,
    done,
    stop() {
      onSignal();
      return done;
    },
  };
}
