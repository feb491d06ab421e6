/**
 * Crash safety of the state the app and the CLI share: a writer process is killed with SIGKILL in
 * the middle of writing tracked ids or the settings file, 100 times each; every time the file left
 * behind is complete and readable, and what was written before the kill is still there.
 * (History has the same trial in test/unit/state/history.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { loadSettings } from '../../main/state/settings';
import { createFileTrackedStore } from '../../main/state/tracked';

const TRIALS = 100;
let dir: string;
let writer: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-crash-'));
  writer = join(dir, 'state-writer.mjs');
  // Bundled once to plain JavaScript so that each trial starts in milliseconds.
  await build({ entryPoints: [resolve(__dirname, 'fixtures/state-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the writer until it has completed `afterWrites` writes, then kills it `delayMs` later. */
function killMidWay(kind: 'tracked' | 'settings', file: string, prefix: string, afterWrites: number, delayMs: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [writer, kind, file, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (!killed && buf.includes(`wrote ${afterWrites}\n`)) {
        killed = true;
        if (delayMs === 0) child.kill('SIGKILL');
        else setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    // 'close', not 'exit': its stderr is then read to the end.
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the writer exited with ${code}: ${stderr}`));
      else resolvePromise(signal);
    });
  });
}

describe('kill -9 during writes', () => {
  it(`tracked ids: ${TRIALS} trials, always readable, nothing written before the kill lost`, async () => {
    const file = join(dir, 'tracked.json');
    for (let t = 0; t < TRIALS; t++) {
      await killMidWay('tracked', file, `t${t}`, 1, t % 5);
      const text = await readFile(file, 'utf8');
      expect(() => JSON.parse(text), `trial ${t}: tracked.json is not JSON`).not.toThrow();
      const ids = new Set((await createFileTrackedStore(file).list('local')).map((j) => j.id));
      for (let earlier = 0; earlier <= t; earlier++) expect(ids.has(`t${earlier}-0`), `trial ${t}: lost t${earlier}-0`).toBe(true);
    }
    const left = await readdir(dir);
    expect(left.filter((n) => /corrupt/.test(n))).toEqual([]);
  }, 180_000);

  it(`settings: ${TRIALS} trials, always a complete, valid file`, async () => {
    const file = join(dir, 'settings.json');
    for (let t = 0; t < TRIALS; t++) {
      await killMidWay('settings', file, `s${t}`, 1, t % 5);
      const loaded = await loadSettings(file);
      expect(loaded.problems, `trial ${t}`).toEqual([]);
      expect(loaded.status).toBe('ok');
      const ao = loaded.settings.sources.find((s) => s.id === 'ao');
      expect(ao && ao.kind === 'aodocs' ? ao.libraryIds.length : 0).toBe(100);
      // The write completed before the kill (or a later one) is what is on disk.
      expect(ao && ao.kind === 'aodocs' ? ao.libraryIds[0] : '').toMatch(new RegExp(`^s${t}-\\d+-0$`));
    }
  }, 180_000);
});
