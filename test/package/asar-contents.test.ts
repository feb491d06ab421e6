/**
 * Runs electron-builder for real (linux --dir, a placeholder Electron executable: the binary is not
 * available here, and @electron/fuses cannot flip a placeholder, so this pack has `electronFuses: null`) on
 * a real copy of the project: the real build output in out/ (npm test builds it first), a real
 * node_modules tree (hard links, not a symlink, so electron-builder sees nested dependencies as it
 * does on a build machine), plus decoy sources and tests. Asserts what app.asar holds: the built
 * output only, small, with no TypeScript sources or source maps.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
const asar = createRequire(import.meta.url)('@electron/asar') as {
  listPackage(path: string, opts: { isPack: boolean }): string[];
  statFile(archive: string, filename: string, followLinks?: boolean): { size?: number; files?: unknown };
};
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown; dump(value: unknown): string };
/** The most app.asar may weigh. */
const MAX_ASAR_BYTES = 8 * 1024 * 1024;
let work: string;
let archive: string;
let files: string[];

/** A real directory tree with every file hard-linked (copied across file systems), links kept. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (entry.isDirectory()) linkTree(src, dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}

/** Every file of the built main process (out/main), for the import check. */
function mainBundleFiles(dir = join(root, 'out', 'main')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? mainBundleFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

beforeAll(async () => {
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) throw new Error('out/ is missing: run `npm run build` first (npm test does).');
  work = mkdtempSync(join(tmpdir(), 'pqm-package-'));
  const proj = join(work, 'proj');
  for (const dir of ['test/unit', 'main', 'renderer/src']) mkdirSync(join(proj, dir), { recursive: true });
  cpSync(join(root, 'package.json'), join(proj, 'package.json'));
  cpSync(join(root, 'build'), join(proj, 'build'), { recursive: true });
  // The configuration as shipped, with the fuses off (a placeholder binary has no fuse wire).
  const configFile = join(proj, 'build', 'electron-builder.yml');
  const config = yaml.load(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(configFile, yaml.dump({ ...config, electronFuses: null }));
  cpSync(join(root, 'out'), join(proj, 'out'), { recursive: true });
  linkTree(join(root, 'node_modules'), join(proj, 'node_modules'));
  expect(lstatSync(join(proj, 'node_modules')).isSymbolicLink()).toBe(false);
  // Decoys that must never be packed: a source map next to the output, sources and tests.
  writeFileSync(join(proj, 'out/main/index.js.map'), '{}');
  writeFileSync(join(proj, 'test/unit/decoy.test.ts'), '');
  writeFileSync(join(proj, 'main/index.ts'), '');
  writeFileSync(join(proj, 'renderer/src/main.tsx'), '');
  const electronDist = join(work, 'electron-dist');
  mkdirSync(electronDist);
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  await run(
    join(root, 'node_modules', '.bin', 'electron-builder'),
    [
      '--linux',
      '--dir',
      '--config',
      'build/electron-builder.yml',
      `-c.electronDist=${electronDist}`,
      `-c.directories.output=${join(work, 'dist')}`,
      '--publish',
      'never',
    ],
    { cwd: proj, timeout: 170_000, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  archive = join(work, 'dist', 'linux-unpacked', 'resources', 'app.asar');
  files = asar.listPackage(archive, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('app.asar, packed from a real copy of the project', () => {
  it('holds the built output and package.json', () => {
    for (const f of ['/package.json', '/out/main/index.js', '/out/main/cli.js', '/out/preload/index.cjs', '/out/renderer/index.html']) expect(files).toContain(f);
  });

  it('holds only the built output: no node_modules, sources, tests, build scripts or simulators', () => {
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual(['out', 'package.json']);
  });

  it('holds no TypeScript sources and no source maps', () => {
    expect(files.filter((f) => /\.(c|m)?tsx?$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it(`weighs at most ${MAX_ASAR_BYTES / 1048576} MB`, () => {
    const bytes = readFileSync(archive).length;
    expect(bytes).toBeLessThanOrEqual(MAX_ASAR_BYTES);
    const packed = files.reduce((sum, f) => sum + (asar.statFile(archive, f.slice(1), false).size ?? 0), 0);
    expect(packed).toBeGreaterThan(0);
  });

  it('ships the tray icons outside the archive, where the app reads them', () => {
    const res = join(work, 'dist', 'linux-unpacked', 'resources', 'icons');
    expect(existsSync(join(res, 'tray', 'attention-dark.png'))).toBe(true);
    expect(existsSync(join(res, 'badge', '9plus.png'))).toBe(true);
    expect(existsSync(join(res, 'app.png'))).toBe(true);
  });
});

describe('the built main process', () => {
  it('needs nothing outside the archive: it imports only Node built-ins and electron', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const external = new Set<string>();
    for (const file of mainBundleFiles()) {
      const code = readFileSync(file, 'utf8');
      // Static imports, dynamic imports and require calls with a bare specifier.
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']((?:@[a-z0-9][\w.-]*\/)?[a-z][\w.:-]*(?:\/[\w.-]+)*)["']/g)) {
        const name = m[1];
        if (!builtins.has(name) && name !== 'electron') external.add(`${name} (${file.slice(root.length + 1)})`);
      }
    }
    // ajv writes require("ajv/...") into the source of the validators it generates as text; these
    // are strings inside template literals, never executed by the app.
    expect([...external].filter((e) => !/^ajv(-formats)?\//.test(e))).toEqual([]);
  });
});
