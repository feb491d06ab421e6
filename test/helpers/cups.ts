/**
 * A private CUPS for the tests: Debian's own cupsd, started as a foreground process on a free
 * 127.0.0.1 port with a temporary ServerRoot, `FileDevice Yes` and queues that print to /dev/null.
 * Clients (lp, lpadmin, cupsdisable, ...) reach it through CUPS_SERVER.
 *
 * cupsd starts only as root (it then drops to user lp). Elsewhere, or without the packages
 * (`apt-get install cups cups-client cups-ipp-utils`), the CUPS tests fail saying so, unless
 * PQM_SKIP_CUPS_TESTS=1 skips them on purpose.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SKIP_CUPS_TESTS = process.env.PQM_SKIP_CUPS_TESTS === '1';
const CUPSD = '/usr/sbin/cupsd';
const CLIENTS = ['/usr/bin/lp', '/usr/sbin/lpadmin', '/usr/sbin/cupsdisable', '/usr/sbin/cupsenable', '/usr/sbin/cupsreject', '/usr/sbin/cupsaccept', '/usr/bin/cancel'];

/** Why a private cupsd cannot run here, or null when it can. */
export function cupsMissing(): string | null {
  const missing = [CUPSD, ...CLIENTS].filter((f) => !existsSync(f));
  if (missing.length) return `The CUPS tests need ${missing.join(', ')} (apt-get install -y cups cups-client cups-ipp-utils). Set PQM_SKIP_CUPS_TESTS=1 to skip them on purpose.`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'The CUPS tests start their own cupsd, which runs only as root (CI runs as root). Set PQM_SKIP_CUPS_TESTS=1 to skip them on purpose.';
  }
  return null;
}

/** A port on 127.0.0.1 that nothing listens on (as it was a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cups {
  port: number;
  /** http://127.0.0.1:<port> — the server, all its queues. */
  serverUrl: string;
  /** ipp://127.0.0.1:<port>/printers/<name> */
  printerUrl(name: string): string;
  /** Runs a CUPS client program against this server; rejects when it fails. */
  run(file: string, args: string[]): Promise<string>;
  /** Adds an enabled queue that prints to /dev/null, or to `device` (a CUPS device URI). */
  addQueue(name: string, info?: string, device?: string): Promise<void>;
  /** Submits a file; resolves with the job id. */
  submit(queue: string, title: string, opts?: { hold?: boolean }): Promise<number>;
  user: string;
  stop(): Promise<void>;
}

export async function startCups(): Promise<Cups> {
  const why = cupsMissing();
  if (why) throw new Error(why);
  const root = mkdtempSync(join(tmpdir(), 'pqm-cups-'));
  chmodSync(root, 0o755);
  const lp = Number(await runPlain('/usr/bin/id', ['-u', 'lp']));
  const lpGroup = Number(await runPlain('/usr/bin/id', ['-g', 'lp']));
  for (const d of ['spool', 'spool/tmp', 'cache', 'state', 'log']) {
    mkdirSync(join(root, d), { recursive: true });
    chownSync(join(root, d), lp, lpGroup);
  }
  const port = await freePort();
  writeFileSync(
    join(root, 'cupsd.conf'),
    [
      `Listen 127.0.0.1:${port}`,
      'LogLevel warn',
      'WebInterface No',
      'Browsing No',
      'DefaultAuthType None',
      '<Location />',
      '  Order allow,deny',
      '  Allow all',
      '</Location>',
      '<Policy default>',
      '  JobPrivateAccess all',
      '  JobPrivateValues none',
      '  SubscriptionPrivateAccess all',
      '  SubscriptionPrivateValues none',
      '  <Limit All>',
      '    Order deny,allow',
      '    Allow all',
      '  </Limit>',
      '</Policy>',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'cups-files.conf'),
    [
      'User lp',
      'Group lp',
      `ServerRoot ${root}`,
      `RequestRoot ${root}/spool`,
      `CacheDir ${root}/cache`,
      `StateDir ${root}/state`,
      `TempDir ${root}/spool/tmp`,
      `ErrorLog ${root}/log/error_log`,
      `AccessLog ${root}/log/access_log`,
      `PageLog ${root}/log/page_log`,
      'FileDevice Yes',
      '',
    ].join('\n'),
  );
  const doc = join(root, 'document.txt');
  writeFileSync(doc, 'Print Queue Monitor test page\n'.repeat(200));

  const child: ChildProcess = spawn(CUPSD, ['-f', '-c', join(root, 'cupsd.conf'), '-s', join(root, 'cups-files.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  const env = { ...process.env, CUPS_SERVER: `127.0.0.1:${port}` };
  const run = (file: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(file, args, { env, timeout: 15_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      });
    });

  // Ready when the scheduler accepts a connection on its port (or fails when cupsd exits).
  for (;;) {
    if (!running) {
      const log = existsSync(join(root, 'log/error_log')) ? readFileSync(join(root, 'log/error_log'), 'utf8') : '';
      rmSync(root, { recursive: true, force: true });
      throw new Error(`cupsd exited before it was ready: ${output}${log}`);
    }
    const ok = await Promise.race([canConnect(port), exited.then(() => false)]);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await run('/usr/bin/lpstat', ['-r']);

  const cups: Cups = {
    port,
    serverUrl: `http://127.0.0.1:${port}`,
    printerUrl: (name) => `ipp://127.0.0.1:${port}/printers/${encodeURIComponent(name)}`,
    run,
    user: userInfo().username,
    async addQueue(name, info, device = 'file:///dev/null') {
      await run('/usr/sbin/lpadmin', ['-p', name, '-E', '-v', device, ...(info ? ['-D', info] : [])]);
    },
    async submit(queue, title, opts = {}) {
      const out = await run('/usr/bin/lp', ['-d', queue, '-t', title, ...(opts.hold ? ['-H', 'indefinite'] : []), doc]);
      const m = /request id is .*-(\d+) /.exec(out);
      if (!m) throw new Error(`lp did not say the job id: ${out}`);
      return Number(m[1]);
    },
    async stop() {
      if (running) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return cups;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function runPlain(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))));
}
