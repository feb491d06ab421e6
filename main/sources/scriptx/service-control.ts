/**
 * Starting, stopping and restarting the local ScriptX.Services with commands the user or the
 * administrator configured (no guessed executable or service names ship with the app): an
 * executable with arguments, or for an On-Premise install a Windows service controlled with sc.exe.
 * Commands run through execFile (never a shell) with a timeout; a licensing/ping check afterwards
 * says whether the service really is up (or down).
 */
import { execFile } from 'node:child_process';
import { AppFailure, type ScriptxSourceConfig } from '../../../preload/model';
import type { Clock } from '../../core/ports';

export type ServiceControlAction = 'start' | 'stop' | 'restart';

export interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The command could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
}

export type CommandRunner = (file: string, args: string[], opts: { timeoutMs: number; signal?: AbortSignal }) => Promise<CommandResult>;

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/** The default runner: node's execFile, no shell, output capped, killed at the timeout. */
export const execFileRunner: CommandRunner = (file, args, opts) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: opts.timeoutMs, windowsHide: true, shell: false, maxBuffer: 1024 * 1024, signal: opts.signal }, (err, stdout, stderr) => {
      const out = { stdout: String(stdout ?? ''), stderr: String(stderr ?? '') };
      if (!err) return resolve({ exitCode: 0, timedOut: false, ...out });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number };
      if (typeof e.code === 'string' && e.code !== 'ABORT_ERR') return resolve({ exitCode: null, timedOut: false, spawnError: e.code, ...out });
      const timedOut = e.killed === true && e.signal !== null && e.signal !== undefined;
      resolve({ exitCode: typeof e.code === 'number' ? e.code : null, timedOut, ...out });
    });
  });

export interface PlannedCommand {
  file: string;
  args: string[];
  timeoutMs: number;
}

/**
 * The commands an action runs, in order: the configured command for it; for restart without one,
 * stop then start; with only a Windows service name, `sc.exe stop|start <name>`. null: nothing is
 * configured for this action.
 */
export function planCommands(action: ServiceControlAction, service: ScriptxSourceConfig['service']): PlannedCommand[] | null {
  if (!service) return null;
  const one = (a: 'start' | 'stop'): PlannedCommand | null => {
    const cmd = service[a];
    if (cmd) return { file: cmd.file, args: [...(cmd.args ?? [])], timeoutMs: cmd.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS };
    if (service.windowsServiceName) return { file: 'sc.exe', args: [a, service.windowsServiceName], timeoutMs: DEFAULT_COMMAND_TIMEOUT_MS };
    return null;
  };
  if (action === 'restart') {
    if (service.restart) return [{ file: service.restart.file, args: [...(service.restart.args ?? [])], timeoutMs: service.restart.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS }];
    const stop = one('stop');
    const start = one('start');
    return stop && start ? [stop, start] : null;
  }
  const cmd = one(action);
  return cmd ? [cmd] : null;
}

export function canControl(service: ScriptxSourceConfig['service'], platform: string): { start: boolean; stop: boolean; restart: boolean } {
  const win = platform === 'win32';
  return {
    start: win && planCommands('start', service) !== null,
    stop: win && planCommands('stop', service) !== null,
    restart: win && planCommands('restart', service) !== null,
  };
}

function commandLine(c: PlannedCommand): string {
  return [c.file, ...c.args].map((p) => (/\s/.test(p) ? `"${p}"` : p)).join(' ');
}

function outputWords(r: CommandResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export interface ServiceControlDeps {
  runner: CommandRunner;
  platform: string;
  clock: Clock;
  /** True when licensing/ping answers. */
  isAlive: () => Promise<boolean>;
  /** Where the liveness check looked (for messages). */
  where: string;
  livenessAttempts?: number;
  livenessIntervalMs?: number;
  signal?: AbortSignal;
}

const VERB: Record<ServiceControlAction, string> = { start: 'start', stop: 'stop', restart: 'restart' };

/** Runs the action and checks the outcome; resolves with a sentence for the user, throws AppFailure. */
export async function controlService(action: ServiceControlAction, service: ScriptxSourceConfig['service'], deps: ServiceControlDeps): Promise<string> {
  if (deps.platform !== 'win32') {
    throw new AppFailure('unsupported', `Starting and stopping ScriptX.Services is available on Windows only (this is ${deps.platform}).`);
  }
  const plan = planCommands(action, service);
  if (!plan) {
    throw new AppFailure('unsupported', `No ${VERB[action]} command is configured for this ScriptX.Services source; add one (or a Windows service name) under "service" in the settings.`, { field: `service.${action}` });
  }
  for (const cmd of plan) {
    const r = await deps.runner(cmd.file, cmd.args, { timeoutMs: cmd.timeoutMs, signal: deps.signal });
    if (r.spawnError) {
      throw new AppFailure('internal', `Could not run ${commandLine(cmd)} (${r.spawnError === 'ENOENT' ? 'the program was not found' : r.spawnError}).`);
    }
    if (r.timedOut) {
      throw new AppFailure('internal', `${commandLine(cmd)} did not finish within ${Math.round(cmd.timeoutMs / 1000)} s and was stopped.`);
    }
    if (r.exitCode !== 0) {
      const words = outputWords(r);
      throw new AppFailure('internal', `${commandLine(cmd)} failed (exit code ${r.exitCode ?? 'unknown'})${words ? `: ${words}` : '.'}`);
    }
  }
  const wantAlive = action !== 'stop';
  const attempts = deps.livenessAttempts ?? 20;
  const interval = deps.livenessIntervalMs ?? 500;
  for (let i = 0; i < attempts; i++) {
    const alive = await deps.isAlive();
    if (alive === wantAlive) {
      return wantAlive ? `ScriptX.Services is running (it answers at ${deps.where}).` : `ScriptX.Services has stopped (nothing answers at ${deps.where}).`;
    }
    if (i < attempts - 1) await new Promise<void>((r) => deps.clock.setTimeout(r, interval));
  }
  const waitedMs = attempts * interval;
  const waited = waitedMs < 10_000 ? String(Math.round(waitedMs / 100) / 10) : String(Math.round(waitedMs / 1000));
  throw new AppFailure(
    'unreachable',
    wantAlive
      ? `The ${VERB[action]} command finished, but ScriptX.Services did not answer at ${deps.where} within ${waited} s.`
      : `The stop command finished, but ScriptX.Services still answers at ${deps.where}.`,
  );
}
