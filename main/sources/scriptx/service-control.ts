/**
 * Starting, stopping and restarting the local ScriptX.Services with commands the user or the
 * administrator configured (no guessed executable or service names ship with the app): an
 * executable with arguments, or for an On-Premise install a Windows service controlled with sc.exe.
 *
 * How each runs on Windows:
 * - an executable: execFile, no shell;
 * - a batch file (.cmd/.bat), which Node refuses to start without a shell (spawn EINVAL since the
 *   fix for CVE-2024-27980): `cmd.exe /d /s /c "<line>"`, the file and every argument quoted and
 *   escaped for cmd, so that no configured text is read by cmd as an operator or a variable;
 * - a Windows service (`sc.exe start|stop <name>`), which needs administrator rights: started
 *   elevated through PowerShell (a UAC prompt), waiting for sc.exe's exit code; a declined prompt
 *   (Windows error 1223) is reported as canceled, not as a failure.
 * Every command has a timeout; a licensing/ping check afterwards says whether the service really is
 * up (or down).
 */
import { execFile } from 'node:child_process';
import { AppFailure, type ScriptxSourceConfig } from '../../../preload/contract/model';
import type { Clock } from '../../ports/ports';
import { powershellPath } from '../shared';

export type ServiceControlAction = 'start' | 'stop' | 'restart';

export interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The command could not be started at all (ENOENT, EACCES, EINVAL...). */
  spawnError?: string;
}

export interface CommandOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** The arguments are one command line already quoted for its reader (cmd.exe). */
  verbatim?: boolean;
}

export type CommandRunner = (file: string, args: string[], opts: CommandOptions) => Promise<CommandResult>;

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** Declining an elevation prompt gives more time than the command: the prompt waits for a person. */
export const ELEVATED_COMMAND_TIMEOUT_MS = 120_000;
/** ERROR_CANCELLED: the user declined the UAC prompt. */
export const ERROR_CANCELLED = 1223;

type ExecFileLike = (
  file: string,
  args: string[],
  options: { timeout: number; windowsHide: boolean; shell: false; maxBuffer: number; signal?: AbortSignal; windowsVerbatimArguments: boolean },
  callback: (err: Error | null, stdout: string | Buffer, stderr: string | Buffer) => void,
) => unknown;

/**
 * A runner on node's execFile (no shell, output capped, killed at the timeout). A failure to start,
 * thrown at once (EINVAL, an argument Node refuses) or reported later (ENOENT), comes back as
 * `spawnError`, never as an exception.
 */
export function createExecFileRunner(exec: ExecFileLike = execFile as unknown as ExecFileLike): CommandRunner {
  return (file, args, opts) =>
    new Promise((resolve) => {
      const done = (err: Error | null, stdout: string | Buffer, stderr: string | Buffer) => {
        const out = { stdout: String(stdout ?? ''), stderr: String(stderr ?? '') };
        if (!err) return resolve({ exitCode: 0, timedOut: false, ...out });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number };
        if (typeof e.code === 'string' && e.code !== 'ABORT_ERR') return resolve({ exitCode: null, timedOut: false, spawnError: e.code, ...out });
        const timedOut = e.killed === true && e.signal !== null && e.signal !== undefined;
        resolve({ exitCode: typeof e.code === 'number' ? e.code : null, timedOut, ...out });
      };
      try {
        exec(file, args, { timeout: opts.timeoutMs, windowsHide: true, shell: false, maxBuffer: 1024 * 1024, signal: opts.signal, windowsVerbatimArguments: opts.verbatim === true }, done);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        resolve({ exitCode: null, timedOut: false, stdout: '', stderr: '', spawnError: typeof code === 'string' ? code : (err as Error).message || 'unknown error' });
      }
    });
}

export const execFileRunner: CommandRunner = createExecFileRunner();

// ---------------------------------------------------------------------------------------------
// Command lines for cmd.exe and the elevated sc.exe
// ---------------------------------------------------------------------------------------------

/** Characters cmd.exe reads specially (operators, quoting, variables, delimiters). */
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

/** Windows runs a name ending in .bat or .cmd (trailing dots and spaces ignored) as a batch file. */
export const isBatchFile = (file: string): boolean => /\.(bat|cmd)[\s.]*$/i.test(file);

function refuseUnquotable(text: string, what: string): void {
  if (/[\r\n\u0000]/.test(text)) {
    throw new AppFailure('invalid-input', `${what} contains a line break or a NUL character, which cannot be passed to a batch file.`, { field: 'service' });
  }
}

/**
 * One argument for a batch file run by `cmd.exe /d /s /c`: quoted for the C runtime's argument
 * rules (backslashes before a quote doubled), then every cmd metacharacter escaped with ^ twice:
 * cmd reads the line once and the batch file's arguments once more.
 */
export function quoteBatchArgument(arg: string): string {
  refuseUnquotable(arg, 'An argument');
  const quoted = `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1')}"`;
  return quoted.replace(CMD_META, '^$1').replace(CMD_META, '^$1');
}

/** The batch file itself: read once by cmd, so escaped once. */
export function quoteBatchFile(file: string): string {
  refuseUnquotable(file, 'The file name');
  return file.replace(CMD_META, '^$1');
}

export interface ProcessCommand {
  file: string;
  args: string[];
  verbatim: boolean;
  timeoutMs: number;
  /** Said in messages: what the user configured. */
  display: string;
  /** Runs elevated: exit code 1223 means the prompt was declined. */
  elevated: boolean;
}

/** A PowerShell string literal: single quotes, embedded ones doubled. */
const psString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The PowerShell script that runs sc.exe elevated (ShellExecute with the "runas" verb shows the UAC
 * prompt), waits for it and exits with its exit code; a declined prompt (Win32Exception 1223, at
 * whatever depth PowerShell wraps it) exits with 1223.
 */
export function elevatedScScript(verb: 'start' | 'stop', serviceName: string): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    '$psi = New-Object System.Diagnostics.ProcessStartInfo',
    "$psi.FileName = Join-Path $env:SystemRoot 'System32\\sc.exe'",
    `$psi.Arguments = ${psString(`${verb} "${serviceName}"`)}`,
    "$psi.Verb = 'runas'",
    '$psi.UseShellExecute = $true',
    "$psi.WindowStyle = 'Hidden'",
    'try { $p = [System.Diagnostics.Process]::Start($psi) } catch {',
    '  $e = $_.Exception',
    `  while ($e) { if ($e -is [System.ComponentModel.Win32Exception] -and $e.NativeErrorCode -eq ${ERROR_CANCELLED}) { exit ${ERROR_CANCELLED} }; $e = $e.InnerException }`,
    '  [Console]::Error.WriteLine($_.Exception.Message); exit 1',
    '}',
    '$p.WaitForExit()',
    'exit $p.ExitCode',
  ].join('\n');
}

/** cmd.exe, by ComSpec or its full path. */
export function cmdPath(env: Record<string, string | undefined>): string {
  return env.ComSpec ?? env.COMSPEC ?? `${env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows'}\\System32\\cmd.exe`;
}

/** How a planned command is started on Windows. Throws invalid-input for what cannot be quoted. */
export function toProcessCommand(cmd: PlannedCommand, env: Record<string, string | undefined>): ProcessCommand {
  const display = commandLine(cmd);
  if (cmd.service) {
    const script = elevatedScScript(cmd.service.verb, cmd.service.name);
    return {
      file: powershellPath(env),
      args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')],
      verbatim: false,
      timeoutMs: Math.max(cmd.timeoutMs, ELEVATED_COMMAND_TIMEOUT_MS),
      display,
      elevated: true,
    };
  }
  if (isBatchFile(cmd.file)) {
    const line = [quoteBatchFile(cmd.file), ...cmd.args.map(quoteBatchArgument)].join(' ');
    return { file: cmdPath(env), args: ['/d', '/s', '/c', `"${line}"`], verbatim: true, timeoutMs: cmd.timeoutMs, display, elevated: false };
  }
  return { file: cmd.file, args: [...cmd.args], verbatim: false, timeoutMs: cmd.timeoutMs, display, elevated: false };
}

export interface PlannedCommand {
  file: string;
  args: string[];
  timeoutMs: number;
  /** `sc.exe <verb> <name>` for a configured Windows service: run elevated. */
  service?: { verb: 'start' | 'stop'; name: string };
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
    if (service.windowsServiceName) {
      if (/["\u0000-\u001f]/.test(service.windowsServiceName)) {
        throw new AppFailure('invalid-input', 'The Windows service name contains a quote or a control character; Windows service names never do.', { field: 'service.windowsServiceName' });
      }
      return { file: 'sc.exe', args: [a, service.windowsServiceName], timeoutMs: DEFAULT_COMMAND_TIMEOUT_MS, service: { verb: a, name: service.windowsServiceName } };
    }
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

/** Which actions ask Windows for administrator rights (a UAC prompt) before they run. */
export function needsAdmin(service: ScriptxSourceConfig['service'], platform: string): { start: boolean; stop: boolean; restart: boolean } {
  const elevated = (a: ServiceControlAction) => platform === 'win32' && service?.windowsServiceName !== undefined && (a === 'restart' ? !service.restart : !service[a]);
  return { start: elevated('start'), stop: elevated('stop'), restart: elevated('restart') };
}

/** Which actions are configured (a configuration that cannot run still shows its button: the click says why). */
export function canControl(service: ScriptxSourceConfig['service'], platform: string): { start: boolean; stop: boolean; restart: boolean } {
  const win = platform === 'win32';
  const configured = (a: ServiceControlAction) => {
    try {
      return planCommands(a, service) !== null;
    } catch {
      return true;
    }
  };
  return { start: win && configured('start'), stop: win && configured('stop'), restart: win && configured('restart') };
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
  /** The environment (ComSpec, SystemRoot); process.env by default. */
  env?: Record<string, string | undefined>;
}

const VERB: Record<ServiceControlAction, string> = { start: 'start', stop: 'stop', restart: 'restart' };
const DONE: Record<ServiceControlAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted' };

/** Why a program could not be started, in words. */
export function spawnErrorWords(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'the program was not found';
    case 'EACCES':
    case 'EPERM':
      return 'Windows does not allow this account to run it';
    case 'EINVAL':
      return 'Windows cannot start it this way (a batch file must end in .cmd or .bat)';
    case 'E2BIG':
      return 'its command line is too long';
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return 'a file name or argument contains a character a command line cannot hold';
    default:
      return code;
  }
}

/** sc.exe's exit codes (Windows error codes) that say something plain. */
const SC_EXIT: Record<number, string> = {
  5: 'Windows refused: administrator rights are needed',
  1053: 'the service did not respond to the request in time',
  1058: 'the service is disabled',
  1060: 'there is no Windows service by that name on this PC',
  1061: 'the service cannot accept the request right now',
};

/** Throws the AppFailure a finished (or failed to start) command means; returns when it did its job. */
function checkOutcome(action: ServiceControlAction, cmd: PlannedCommand, pc: ProcessCommand, r: CommandResult): void {
  if (r.spawnError) {
    const code = r.spawnError === 'ENOENT' ? 'not-found' : r.spawnError === 'EACCES' || r.spawnError === 'EPERM' ? 'not-allowed' : 'internal';
    throw new AppFailure(code, `Could not run ${pc.elevated ? `${pc.display} as administrator (PowerShell could not be started: ${spawnErrorWords(r.spawnError)})` : `${pc.display} (${spawnErrorWords(r.spawnError)})`}.`);
  }
  if (r.timedOut) {
    throw new AppFailure('internal', `${pc.display} did not finish within ${Math.round(pc.timeoutMs / 1000)} s and was stopped.`);
  }
  if (r.exitCode === 0) return;
  if (cmd.service) {
    if (r.exitCode === ERROR_CANCELLED) {
      throw new AppFailure('canceled', `You canceled the administrator prompt, so ScriptX.Services was not ${DONE[action]}. Windows asks for administrator rights to ${cmd.service.verb} the "${cmd.service.name}" service.`);
    }
    // Already in the wanted state: the liveness check that follows says so.
    if ((cmd.service.verb === 'start' && r.exitCode === 1056) || (cmd.service.verb === 'stop' && r.exitCode === 1062)) return;
    const said = r.exitCode !== null ? SC_EXIT[r.exitCode] : undefined;
    if (said) throw new AppFailure(r.exitCode === 1060 ? 'not-found' : r.exitCode === 5 ? 'not-allowed' : 'internal', `${pc.display} failed (exit code ${r.exitCode}): ${said}.`);
  }
  const words = outputWords(r);
  throw new AppFailure('internal', `${pc.display} failed (exit code ${r.exitCode ?? 'unknown'})${words ? `: ${words}` : '.'}`);
}

/** Runs the action and checks the outcome; resolves with a sentence for the user, throws AppFailure. */
export async function controlService(action: ServiceControlAction, service: ScriptxSourceConfig['service'], deps: ServiceControlDeps): Promise<string> {
  if (deps.platform !== 'win32') {
    throw new AppFailure('unsupported', `Starting and stopping ScriptX.Services is available on Windows only (this is ${deps.platform}).`);
  }
  const plan = planCommands(action, service);
  if (!plan) {
    throw new AppFailure('unsupported', `No ${VERB[action]} command is configured for this ScriptX.Services source; add one (or a Windows service name) under "service" in the settings.`, { field: `service.${action}` });
  }
  const env = deps.env ?? process.env;
  for (const cmd of plan) {
    const pc = toProcessCommand(cmd, env);
    const r = await deps.runner(pc.file, pc.args, { timeoutMs: pc.timeoutMs, signal: deps.signal, verbatim: pc.verbatim });
    checkOutcome(action, cmd, pc, r);
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
