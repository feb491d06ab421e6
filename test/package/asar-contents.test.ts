/**
 * Runs electron-builder for real (linux --dir, a placeholder Electron executable: the binary is not
 * available here) on a copy of the project holding a stand-in build output plus decoy sources and
 * tests, and asserts what app.asar holds: the built output and production dependencies only.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
const asar = createRequire(import.meta.url)('@electron/asar') as { listPackage(path: string, opts: { isPack: boolean }): string[] };
let work: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pqm-package-'));
  const proj = join(work, 'proj');
  for (const dir of ['out/main', 'out/preload', 'out/renderer/assets', 'test/unit', 'main', 'renderer/src']) mkdirSync(join(proj, dir), { recursive: true });
  cpSync(join(root, 'package.json'), join(proj, 'package.json'));
  cpSync(join(root, 'build'), join(proj, 'build'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(proj, 'node_modules'), 'dir');
  writeFileSync(join(proj, 'out/main/index.js'), 'export {};\n');
  writeFileSync(join(proj, 'out/main/index.js.map'), '{}');
  writeFileSync(join(proj, 'out/preload/index.cjs'), '"use strict";\n');
  writeFileSync(join(proj, 'out/renderer/index.html'), '<!doctype html>');
  writeFileSync(join(proj, 'out/renderer/assets/index.js'), '');
  writeFileSync(join(proj, 'test/unit/decoy.test.ts'), '');
  writeFileSync(join(proj, 'main/index.ts'), '');
  writeFileSync(join(proj, 'renderer/src/main.tsx'), '');
  const electronDist = join(work, 'electron-dist');
  mkdirSync(electronDist);
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  await run(
    join(root, 'node_modules', '.bin', 'electron-builder'),
    ['--linux', '--dir', '--config', 'build/electron-builder.yml', `-c.electronDist=${electronDist}`, `-c.directories.output=${join(work, 'dist')}`, '--publish', 'never'],
    { cwd: proj, timeout: 110_000, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
  );
  files = asar.listPackage(join(work, 'dist', 'linux-unpacked', 'resources', 'app.asar'), { isPack: false }).map((f) => f.replace(/\\/g, '/'));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('app.asar', () => {
  it('holds the built output and package.json', () => {
    for (const f of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html']) expect(files).toContain(f);
  });

  it('holds no sources, tests, source maps, build scripts or simulators', () => {
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual(['node_modules', 'out', 'package.json']);
    expect(files.filter((f) => f.endsWith('.map') && f.startsWith('/out/'))).toEqual([]);
  });

  it('holds the production dependencies and none of the development ones', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const modules = new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => {
      const parts = f.split('/');
      return parts[2].startsWith('@') ? `${parts[2]}/${parts[3]}` : parts[2];
    }));
    for (const dep of Object.keys(pkg.dependencies)) expect(modules, dep).toContain(dep);
    for (const dev of Object.keys(pkg.devDependencies)) expect(modules.has(dev), dev).toBe(false);
  });

  it('ships the tray icons outside the archive, where the app reads them', () => {
    const res = join(work, 'dist', 'linux-unpacked', 'resources', 'icons');
    expect(existsSync(join(res, 'tray', 'attention-dark.png'))).toBe(true);
    expect(existsSync(join(res, 'badge', '9plus.png'))).toBe(true);
    expect(existsSync(join(res, 'app.png'))).toBe(true);
  });
});
