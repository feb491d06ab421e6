/**
 * pqm never overwrites its own state, never writes on a read-only command, never echoes a file's
 * contents in an error, and every error is exactly one line (or one JSON object with --json).
 * Driven in-process through runCli (the whole program minus process wiring).
 */
import { chmod, lstat, mkdir, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { cliHome, type CliEnv } from './helpers';

const homes: { dispose(): Promise<void> }[] = [];
afterEach(async () => {
  for (const h of homes.splice(0)) await h.dispose();
});

const SETTINGS = { version: 1, sources: [{ id: 'local', kind: 'scriptx', baseUrl: 'http://127.0.0.1:9' }] };

async function home(settings: unknown = SETTINGS): Promise<CliEnv> {
  const h = await cliHome(settings);
  homes.push(h);
  return h;
}

async function pqm(h: CliEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: ['--config', h.config, ...args],
    env: h.env,
    cwd: h.dir,
    platform: process.platform,
    version: '0.0.0',
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interrupted: new Promise(() => undefined),
  });
  return { code, stdout, stderr };
}

describe('--out never targets the configuration in use', () => {
  it('refuses the settings, tracked, history, secrets, window-state and log files, however they are named', async () => {
    const h = await home();
    await writeFile(join(h.dir, 'history.json'), '{"version":1,"entries":[]}');
    await mkdir(join(h.dir, 'logs'));
    await symlink(h.config, join(h.dir, 'link-to-settings.json'));
    const before = await readFile(h.config, 'utf8');
    const targets = ['settings.json', './settings.json', 'link-to-settings.json', 'tracked.json', 'history.json', 'secrets.json', 'app-state.json', 'logs/cli.log', 'settings.json.lock'];
    for (const target of targets) {
      for (const args of [['diagnostics', '--out', target, '--force'], ['history', 'export', '--csv', '--out', target, '--force']]) {
        const r = await pqm(h, args);
        expect(r.code, `${args.join(' ')}`).toBe(2);
        expect(r.stderr).toMatch(/^pqm: error \(invalid-input\): --out .* is one of the files Print Queue Monitor keeps its own state in/);
      }
    }
    expect(await readFile(h.config, 'utf8')).toBe(before);
    expect(await readFile(join(h.dir, 'history.json'), 'utf8')).toBe('{"version":1,"entries":[]}');
    expect((await lstat(join(h.dir, 'link-to-settings.json'))).isSymbolicLink()).toBe(true);
  });

  it('refuses to replace an existing file unless --force is given', async () => {
    const h = await home();
    const out = join(h.dir, 'report.json');
    await writeFile(out, 'keep me');
    const r = await pqm(h, ['diagnostics', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pqm: error (invalid-input): --out ${out} already exists; add --force to replace it. [field --out]\n`);
    expect(await readFile(out, 'utf8')).toBe('keep me');
    const e = await pqm(h, ['history', 'export', '--json', '--out', out]);
    expect(e.code).toBe(2);
    expect(await readFile(out, 'utf8')).toBe('keep me');
    const forced = await pqm(h, ['diagnostics', '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ kind: 'print-queue-monitor-diagnostics' });
  });

  it('a folder given as --out is named as such, also with --force, and a file that cannot be written says why, not the temporary file', async () => {
    const h = await home();
    const folder = join(h.dir, 'reports');
    await mkdir(folder);
    for (const args of [['diagnostics', '--out', folder], ['diagnostics', '--out', folder, '--force'], ['history', 'export', '--csv', '--out', folder, '--force']]) {
      const r = await pqm(h, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`pqm: error (invalid-input): --out ${folder} is a folder; give the name of the file to write (a file in it, for example). [field --out]\n`);
    }
    // A path under a file (its "folder" is a file): why, in words.
    await writeFile(join(h.dir, 'plain.txt'), 'x');
    for (const args of [['diagnostics', '--out', join(h.dir, 'plain.txt', 'd.json')], ['history', 'export', '--csv', '--out', join(h.dir, 'plain.txt', 'h.csv')]]) {
      const r = await pqm(h, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^pqm: error \(invalid-input\): Could not write .*plain\.txt\/(d\.json|h\.csv): a part of its path is a file, not a folder \((ENOTDIR|EEXIST)\)\.\n$/);
      expect(r.stderr).not.toMatch(/pqm-tmp/);
    }
  });
});

describe('read-only commands never write', () => {
  it('settings show, jobs and history leave an unversioned file, its mode and its link as they were', async () => {
    const h = await home();
    const text = JSON.stringify({ sources: SETTINGS.sources });
    const real = join(h.dir, 'real-settings.json');
    await writeFile(real, text);
    await chmod(real, 0o644);
    await rm(h.config);
    await symlink(real, h.config);
    for (const [args, code] of [[['settings', 'show'], 0], [['history', '--json'], 0], [['settings', 'validate'], 0], [['jobs'], 3]] as const) {
      const r = await pqm(h, [...args]);
      expect(r.code, args.join(' ')).toBe(code);
    }
    expect((await lstat(h.config)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, 'utf8')).toBe(text);
    expect((await stat(real)).mode & 0o777).toBe(0o644);
    expect((await readdir(h.dir)).filter((n) => n.includes('backup'))).toEqual([]);
  });
});

describe('errors', () => {
  it('never echo the settings file, and are one line (one JSON object with --json)', async () => {
    const h = await home('{ "sources": [ { "id": "local", "kind": "scriptx", "license": Zq9-SECRET-fragment } ] }');
    const r = await pqm(h, ['jobs']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Zq9');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const j = await pqm(h, ['jobs', '--json']);
    expect(j.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(j.stderr)).toMatchObject({ error: { code: 'invalid-input' } });
    expect(j.stderr).not.toContain('Zq9');
    const v = await pqm(h, ['settings', 'validate']);
    expect(v.stdout + v.stderr).not.toContain('Zq9');
    expect(v.stdout).toMatch(/not valid JSON \(at line 1, column \d+\)|not valid JSON \(it cannot be parsed\)/);
  });

  it('print --html "" says the HTML is empty; control characters are escaped, never written raw', async () => {
    const h = await home();
    const p = await pqm(h, ['print', 'local', '--html', '']);
    expect(p.code).toBe(2);
    expect(p.stderr).toBe('pqm: error (invalid-input): --html is empty: give the HTML to print. (see: pqm print --help)\n');
    const c = await pqm(h, ['cancel', 'zz:a\u0000b\nc\u001b[2J']);
    expect(c.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(c.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(c.stderr).toContain('a\\u0000b\\u000ac\\u001b[2J');
  });
});

describe('pqm track', () => {
  it('refuses "." and ".." as ids before any request', async () => {
    const h = await home();
    for (const id of ['.', '..']) {
      const r = await pqm(h, ['track', 'local', id, '--json']);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'invalid-input', field: 'id' } });
    }
  });
});

describe('settings validate', () => {
  it('names every unknown key, with a did-you-mean for near misses; refuses user info and link-local URLs', async () => {
    const h = await home({
      version: 1,
      sources: [
        { id: 'local', kind: 'scriptx', baseURL: 'http://127.0.0.1:41191' },
        { id: 'ao', kind: 'aodocs', libraryIDs: ['x'], libraryIds: ['x'] },
        { id: 'srv', kind: 'scriptx', baseUrl: 'http://bob:pw-S3cret@printsrv.example' },
        { id: 'meta', kind: 'scriptx', baseUrl: 'http://169.254.169.254/' },
        { id: 'lan', kind: 'scriptx', baseUrl: 'http://192.168.1.20:41191' },
        { id: 'up', kind: 'graph', authority: 'http://login.example.com/tenant' },
      ],
      notification: {},
      histroy: { retentionDays: 3 },
      junk: 'x'.repeat(100_000),
    });
    const r = await pqm(h, ['settings', 'validate', '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { problems: { field: string; message: string }[]; sources: string[] };
    const by = Object.fromEntries(out.problems.map((p) => [p.field, p.message]));
    expect(by['sources.0.baseURL']).toMatch(/unknown setting "baseURL" \(did you mean "baseUrl"\?\)/);
    expect(by['sources.1.libraryIDs']).toMatch(/did you mean "libraryIds"/);
    expect(by['sources.2.baseUrl']).toMatch(/must not contain a user name or password/);
    expect(by['sources.3.baseUrl']).toMatch(/link-local/);
    expect(by['sources.5.authority']).toMatch(/must be an https:\/\/ URL/);
    expect(by.notification).toMatch(/did you mean "notifications"/);
    expect(by.histroy).toMatch(/did you mean "history"/);
    expect(by.junk).toMatch(/unknown setting "junk"/);
    expect(out.sources).toEqual(['lan']);
    expect(r.stdout + r.stderr).not.toContain('pw-S3cret');
    // Nor in what other commands print, log or bundle.
    const show = await pqm(h, ['settings', 'show']);
    const diag = await pqm(h, ['diagnostics', '--out', 'd.json']);
    expect(diag.code).toBe(0);
    const written = [show.stdout, show.stderr, diag.stderr, await readFile(join(h.dir, 'd.json'), 'utf8'), await readFile(join(h.dir, 'logs', 'cli.log'), 'utf8')].join('\n');
    expect(written).not.toContain('pw-S3cret');
    expect(written).not.toContain('x'.repeat(200));
    expect(r.stdout.length).toBeLessThan(5000);
  });
});
