import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePreviewArgs } from '../../preview/preview';
import { createMemorySecretStore, DEFAULT_RENDERER_DIR, readyLine, startPreview } from '../../preview/start-preview';
import type { SecretStore } from '../../../main/ports/ports';

describe('preview arguments', () => {
  it('reads --config, --seed, --speed and --no-workload', () => {
    expect(parsePreviewArgs([])).toEqual({ configPath: undefined, seed: 1, speed: 1, workload: true });
    expect(parsePreviewArgs(['--config', 'a.json', '--seed', '9', '--speed', '2.5', '--no-workload'])).toEqual({ configPath: 'a.json', seed: 9, speed: 2.5, workload: false });
  });
  it('refuses bad values with a message naming the option', () => {
    expect(() => parsePreviewArgs(['--speed', '0'])).toThrow(/--speed must be a number above 0/);
    expect(() => parsePreviewArgs(['--seed=-1'])).toThrow(/--seed must be a non-negative integer, not "-1"/);
    expect(() => parsePreviewArgs(['--config', ' '])).toThrow(/--config needs the path/);
    expect(() => parsePreviewArgs(['--port', '1'])).toThrow(/port/);
  });
  it('prints the ready line in the agreed form', () => {
    expect(readyLine('http://127.0.0.1:5/#token=abc')).toBe('Preview ready: http://127.0.0.1:5/#token=abc');
  });
});

describe('memory secret store', () => {
  it('keeps secrets for the run, in front of a read-only fallback', async () => {
    const fallback: SecretStore = {
      get: async (id, name) => (id === 'a' && name === 'TOKEN' ? 'from-env' : undefined),
      has: async () => false,
      set: async () => {
        throw new Error('read-only');
      },
      delete: async () => {
        throw new Error('read-only');
      },
    };
    const s = createMemorySecretStore({ b: { LICENSE: 'lic-value' } }, fallback);
    expect(await s.get('b', 'LICENSE')).toBe('lic-value');
    expect(await s.get('a', 'TOKEN')).toBe('from-env');
    expect(await s.has('a', 'LICENSE')).toBe(false);
    await s.set('a', 'TOKEN', 'typed-in');
    expect(await s.get('a', 'TOKEN')).toBe('typed-in');
    await s.delete('a', 'TOKEN');
    expect(await s.get('a', 'TOKEN')).toBeUndefined();
    await expect(s.set('a', 'TOKEN', '')).rejects.toThrow(/cannot be empty/);
  });
});

const BUILD_FIRST = `${join(DEFAULT_RENDERER_DIR, 'index.html')} is missing: run \`npm run build\` first`;

describe('startPreview errors', () => {
  it('says what is missing: the built renderer, a settings file, valid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pqm-preview-test-'));
    try {
      await expect(startPreview({ rendererDir: dir })).rejects.toThrow(/built renderer is missing.*electron-vite build/);
      expect(existsSync(join(DEFAULT_RENDERER_DIR, 'index.html')), BUILD_FIRST).toBe(true);
      await expect(startPreview({ configPath: join(dir, 'nope.json') })).rejects.toThrow(/nope\.json does not exist/);
      writeFileSync(join(dir, 'bad.json'), '{ not json');
      await expect(startPreview({ configPath: join(dir, 'bad.json') })).rejects.toThrow(/bad\.json is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run preview, as a process', () => {
  it('prints exactly one ready line with a 127.0.0.1 address and a token, and serves the page', async () => {
    expect(existsSync(join(DEFAULT_RENDERER_DIR, 'index.html')), BUILD_FIRST).toBe(true);
    const root = resolve(import.meta.dirname, '../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/preview/preview.ts', '--speed', '5'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // 'close', not 'exit': what it wrote to stderr before exiting is then all read.
    const closed = new Promise<number | null>((r) => child.once('close', r));
    try {
      // The first complete line, or the process ending without one (a hang is the test's timeout).
      const line = await new Promise<string>((done, fail) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) done(out.split('\n')[0]);
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        void closed.then((code) => fail(new Error(`preview exited with ${code}: ${err}`)));
      });
      const m = /^Preview ready: (http:\/\/127\.0\.0\.1:(\d+)\/)\?token=([A-Za-z0-9_-]{43})$/.exec(line);
      expect(m, line).not.toBeNull();
      const res = await fetch(m![1]);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${m![2]}`);
      expect(await res.text()).toContain('<div id="app">');
    } finally {
      // Stopped and waited for even when it has already ended ('close' has then come or is coming).
      child.kill('SIGTERM');
      await closed;
    }
  }, 30_000);
});
