/**
 * Runs the real `pqm` program as a child process: main/cli/pqm.ts bundled once with esbuild into a
 * temp folder (plain `node`, ~0.1 s per start), with a temp settings folder and env secrets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** The `pqm` command as installed (`npm link`): the launcher package.json's `bin` names, which runs
 * the CLI that `npm run build` writes to out/main. */
export function installedCommand(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: { pqm?: string } };
  if (typeof pkg.bin?.pqm !== 'string') throw new Error('package.json names no `pqm` command in `bin`.');
  return join(ROOT, pkg.bin.pqm);
}

export async function buildCli(): Promise<{ bundle: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-cli-build-'));
  const bundle = join(dir, 'cli.mjs');
  buildSync({
    entryPoints: [join(ROOT, 'main/cli/pqm.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
    // Some bundled dependencies are CommonJS and call require().
    banner: { js: "import { createRequire as __pqmCreateRequire } from 'node:module'; const require = __pqmCreateRequire(import.meta.url);" },
  });
  return { bundle, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  dir: string;
  config: string;
  env: NodeJS.ProcessEnv;
}

/** A temp folder with settings.json (written from `settings` unless it is a string: raw text). */
export async function cliHome(settings: unknown, secrets: Record<string, string> = {}): Promise<CliEnv & { dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-cli-'));
  const config = join(dir, 'settings.json');
  if (settings !== undefined) await writeFile(config, typeof settings === 'string' ? settings : JSON.stringify(settings, null, 2));
  // Only what the child needs: no inherited PQM_* variables, no proxies.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), ...secrets };
  return { dir, config, env, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** pqm processes started here that have not closed yet (see stopRunningPqm). */
const running = new Set<ChildProcess>();

/**
 * Runs pqm to its end: resolves once the process has exited and closed its output. No time limit of
 * its own (a loaded machine can take seconds to start Node): a run that never ends is a hang, which
 * the test's own time limit reports, and stopRunningPqm (after each test) ends it.
 */
export function runPqm(bundle: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; stdoutFd?: number }): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    // stdoutFd: the output goes to that file instead of a pipe (stdout is then '').
    const child = spawn(process.execPath, [bundle, ...args], { env: opts.env, cwd: opts.cwd ?? opts.env.HOME, stdio: ['ignore', opts.stdoutFd ?? 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    // 'close', not 'exit': output may still be in the pipes when the process has exited.
    child.on('close', (code, signal) => {
      running.delete(child);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Kills pqm processes still going (a test that timed out waiting on one): for afterEach. */
export function stopRunningPqm(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A long-running pqm (watch): lines as they come, and a way to wait for one. */
export function startPqm(bundle: string, args: string[], opts: { env: NodeJS.ProcessEnv }) {
  const child: ChildProcess = spawn(process.execPath, [bundle, ...args], { env: opts.env, cwd: opts.env.HOME, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let closed = false;
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (!w.test(line)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      closed = true;
      // Every line is in: a line still awaited will never come.
      for (const w of waiters.splice(0)) w.reject(new Error(`pqm ended (${signal ?? code}) without the line awaited; lines: ${lines.join('\n')}; stderr: ${stderr}`));
      r({ code, signal });
    }),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    /**
     * The first line (printed so far or to come) that passes `test`; fails when pqm ends without
     * one. No time limit of its own: the test's limit reports a pqm that hangs.
     */
    waitFor(test: (line: string) => boolean): Promise<string> {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new Error(`pqm ended without the line awaited; lines: ${lines.join('\n')}; stderr: ${stderr}`));
      return new Promise((resolve, reject) => waiters.push({ test, resolve, reject }));
    },
  };
}

/**
 * Resolves once `condition` holds, checked every few milliseconds: for state of this process that
 * has no event to wait on (a simulator's request log). No deadline of its own: a condition that
 * never comes is a hang, and the test's timeout reports it.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** Every file under a folder (recursively), as text: for scanning for secrets. */
export async function allFilesText(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out.push({ path: p, text: await readFile(p, 'utf8') });
  }
  return out;
}
