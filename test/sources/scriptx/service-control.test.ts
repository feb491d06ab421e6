/**
 * How service-control commands are started, checked against Windows' and Node's documented
 * behaviour (test/simulators/windows/command-line.ts): batch files through cmd.exe with every
 * argument quoted for cmd, spawn failures (thrown at once or reported later) in words, and Windows
 * services elevated with a UAC prompt whose refusal (error 1223) is a cancel, not a failure.
 */
import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../../preload/contract/model';
import { controlService, createExecFileRunner, execFileRunner, needsAdmin, type CommandResult, type CommandRunner } from '../../../main/sources/scriptx/service-control';
import { readCmdInvocation, refuseBatchWithoutShell } from '../../simulators/windows/command-line';
import { FakeClock } from '../../helpers/fake-clock';

const ENV = { ComSpec: 'C:\\WINDOWS\\system32\\cmd.exe', SystemRoot: 'C:\\WINDOWS', PATH: 'C:\\WINDOWS', USERNAME: 'alice', TEMP: 'C:\\Temp' };
const ok: CommandResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false };

/** A runner that starts nothing but behaves as Node on Windows does: a batch file without a shell throws spawn EINVAL synchronously. */
function windowsRunner(result: (file: string, args: string[]) => CommandResult = () => ok) {
  const calls: { file: string; args: string[]; verbatim: boolean; timeoutMs: number }[] = [];
  const run: CommandRunner = (file, args, opts) => {
    refuseBatchWithoutShell({ file, args, options: { shell: false, windowsVerbatimArguments: opts.verbatim } });
    calls.push({ file, args, verbatim: opts.verbatim === true, timeoutMs: opts.timeoutMs });
    return Promise.resolve(result(file, args));
  };
  return Object.assign(run, { calls });
}

const deps = (runner: CommandRunner, alive = true) => ({ runner, platform: 'win32', clock: new FakeClock(), isAlive: async () => alive, where: 'this PC', env: ENV, livenessAttempts: 1 });
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof AppFailure ? e.toJSON() : e));

describe('batch files (.cmd, .bat)', () => {
  const hostile = ['--port', '41191', 'a&b', 'x|y', '>out.txt', '(z)', '%PATH%', '%USERNAME%x%TEMP%', 'say "hi"', 'C:\\dir with space\\', 'trail\\\\', '^!;,=*?`', ''];

  it('run through cmd.exe /d /s /c with every argument quoted for cmd: what the batch file receives is what was configured', async () => {
    const runner = windowsRunner();
    const file = 'C:\\Program Files\\MeadCo\\ScriptX.Services (x64)\\restart.cmd';
    const said = await controlService('restart', { restart: { file, args: hostile } }, deps(runner));
    expect(said).toBe('ScriptX.Services is running (it answers at this PC).');
    expect(runner.calls).toHaveLength(1);
    const call = runner.calls[0];
    expect(call.file).toBe(ENV.ComSpec);
    expect(call.verbatim).toBe(true);
    // The simulator refuses an unescaped operator and expands every defined %VARIABLE%.
    expect(readCmdInvocation(call.args, ENV)).toEqual({ command: file, args: hostile });
  });

  it('any case and the trailing dots Windows ignores still count as a batch file; an executable runs directly', async () => {
    for (const file of ['C:\\svc\\RESTART.BAT', 'C:\\svc\\go.Cmd', 'C:\\svc\\go.cmd.']) {
      const runner = windowsRunner();
      await controlService('start', { start: { file, args: ['a b'] } }, deps(runner));
      expect(runner.calls[0].file).toBe(ENV.ComSpec);
      expect(readCmdInvocation(runner.calls[0].args, ENV).args).toEqual(['a b']);
    }
    const runner = windowsRunner();
    await controlService('start', { start: { file: 'C:\\svc\\svc.exe', args: ['a&b'] } }, deps(runner));
    expect(runner.calls).toEqual([{ file: 'C:\\svc\\svc.exe', args: ['a&b'], verbatim: false, timeoutMs: 30_000 }]);
  });

  it('refuses an argument cmd cannot carry (a line break), naming it, without running anything', async () => {
    const runner = windowsRunner();
    expect(await failure(controlService('start', { start: { file: 'C:\\svc\\go.cmd', args: ['ok', 'two\r\nlines'] } }, deps(runner)))).toEqual({
      code: 'invalid-input',
      field: 'service',
      message: 'An argument contains a line break or a NUL character, which cannot be passed to a batch file.',
    });
    expect(runner.calls).toHaveLength(0);
  });
});

describe('spawn failures', () => {
  it('a synchronous throw from execFile (Node refusing a batch file, an argument it cannot pass) becomes a clear message, not an internal error', async () => {
    const runner = createExecFileRunner((file, args, options) => {
      refuseBatchWithoutShell({ file, args, options });
      throw new Error('unreachable in this test');
    });
    const r = await runner('C:\\svc\\go.bat', [], { timeoutMs: 1000 });
    expect(r).toMatchObject({ exitCode: null, spawnError: 'EINVAL' });

    // Real Node: an argument holding a NUL byte is refused synchronously (ERR_INVALID_ARG_VALUE).
    const real = await execFileRunner(process.execPath, ['a\u0000b'], { timeoutMs: 5000 });
    expect(real).toMatchObject({ exitCode: null, spawnError: 'ERR_INVALID_ARG_VALUE' });
    expect(await failure(controlService('start', { start: { file: process.execPath, args: ['a\u0000b'] } }, { ...deps(execFileRunner), env: ENV }))).toEqual({
      code: 'internal',
      message: `Could not run ${process.execPath} a\u0000b (a file name or argument contains a character a command line cannot hold).`,
    });
  });

  it('a program that does not exist (reported after the spawn) is not-found', async () => {
    expect(await failure(controlService('start', { start: { file: '/nonexistent/pqm-svc', args: [] } }, deps(execFileRunner)))).toEqual({
      code: 'not-found',
      message: 'Could not run /nonexistent/pqm-svc (the program was not found).',
    });
  });
});

describe('Windows services: elevation', () => {
  const decode = (args: string[]) => {
    const i = args.indexOf('-EncodedCommand');
    return Buffer.from(args[i + 1], 'base64').toString('utf16le');
  };

  it('sc.exe runs elevated through PowerShell (ShellExecute "runas": the UAC prompt), waiting for its exit code', async () => {
    const runner = windowsRunner();
    await controlService('restart', { windowsServiceName: "MeadCo's ScriptX.Services" }, deps(runner));
    expect(runner.calls.map((c) => c.file)).toEqual(['C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe']);
    expect(runner.calls[0].args.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(runner.calls[0].timeoutMs).toBe(120_000);
    const stop = decode(runner.calls[0].args);
    expect(stop).toContain("$psi.FileName = Join-Path $env:SystemRoot 'System32\\sc.exe'");
    // The service name is one quoted sc.exe argument, inside a PowerShell literal (quote doubled).
    expect(stop).toContain(`$psi.Arguments = 'stop "MeadCo''s ScriptX.Services"'`);
    expect(stop).toContain("$psi.Verb = 'runas'");
    expect(stop).toContain('$psi.UseShellExecute = $true');
    expect(stop).toMatch(/NativeErrorCode -eq 1223\) \{ exit 1223 \}/);
    expect(stop).toMatch(/\$p\.WaitForExit\(\)\nexit \$p\.ExitCode$/);
    expect(decode(runner.calls[1].args)).toContain(`$psi.Arguments = 'start "MeadCo''s ScriptX.Services"'`);
  });

  it('a declined prompt (1223) is canceled with words, and stops a restart before its start', async () => {
    const runner = windowsRunner(() => ({ exitCode: 1223, stdout: '', stderr: '', timedOut: false }));
    expect(await failure(controlService('restart', { windowsServiceName: 'ScriptX' }, deps(runner)))).toEqual({
      code: 'canceled',
      message: 'You canceled the administrator prompt, so ScriptX.Services was not restarted. Windows asks for administrator rights to stop the "ScriptX" service.',
    });
    expect(runner.calls).toHaveLength(1);
  });

  it("sc.exe's own exit codes: already running / already stopped are fine, an unknown service is not-found", async () => {
    expect(await controlService('start', { windowsServiceName: 'ScriptX' }, deps(windowsRunner(() => ({ exitCode: 1056, stdout: '', stderr: '', timedOut: false }))))).toBe('ScriptX.Services is running (it answers at this PC).');
    expect(await controlService('stop', { windowsServiceName: 'ScriptX' }, deps(windowsRunner(() => ({ exitCode: 1062, stdout: '', stderr: '', timedOut: false })), false))).toBe('ScriptX.Services has stopped (nothing answers at this PC).');
    expect(await failure(controlService('start', { windowsServiceName: 'Nope' }, deps(windowsRunner(() => ({ exitCode: 1060, stdout: '', stderr: '', timedOut: false })))))).toEqual({
      code: 'not-found',
      message: 'sc.exe start Nope failed (exit code 1060): there is no Windows service by that name on this PC.',
    });
    expect(await failure(controlService('start', { windowsServiceName: 'a"b' }, deps(windowsRunner())))).toMatchObject({ code: 'invalid-input', field: 'service.windowsServiceName' });
  });

  it('says which actions will ask for administrator rights', () => {
    expect(needsAdmin({ windowsServiceName: 'ScriptX', restart: { file: 'C:\\r.cmd', args: [] } }, 'win32')).toEqual({ start: true, stop: true, restart: false });
    expect(needsAdmin({ start: { file: 'C:\\s.exe', args: [] } }, 'win32')).toEqual({ start: false, stop: false, restart: false });
    expect(needsAdmin({ windowsServiceName: 'ScriptX' }, 'linux')).toEqual({ start: false, stop: false, restart: false });
  });
});
