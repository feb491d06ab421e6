/**
 * The top level of the repository is the product's card: the three processes' folders, the
 * packaging, the tests, the README, the benchmark, the documents and CI, beside the files the
 * tools look for there. Anything else (a launcher, a log a test wrote into the working folder) has
 * a place inside one of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');

const FOLDERS = ['main', 'renderer', 'preload', 'build', 'test', 'bench', 'docs', '.ci'];
/** The manifest, the compiler's settings, the README and the configuration files each tool reads from the top. */
const FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', '.gitignore', 'electron.vite.config.ts', 'eslint.config.js', 'vitest.config.ts'];

/** What .gitignore keeps out of the repository (built output, installed packages): names at the top level. */
function ignored(): Set<string> {
  const names = readFileSync(join(root, '.gitignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim().replace(/\/$/, ''))
    .filter((l) => l && !l.startsWith('#') && !l.includes('*') && !l.includes('/'));
  return new Set([...names, '.git']);
}

describe('the top level', () => {
  it('holds the product card\'s folders and the tools\' files, nothing else', () => {
    const skip = ignored();
    const entries = readdirSync(root, { withFileTypes: true }).filter((e) => !skip.has(e.name) && !/\.log$/.test(e.name));
    const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    const files = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
    expect(folders.filter((n) => !FOLDERS.includes(n)), 'folders with no place at the top level').toEqual([]);
    expect(files.filter((n) => !FILES.includes(n)), 'files with no place at the top level').toEqual([]);
    for (const f of ['main', 'renderer', 'preload', 'build', 'test', 'README.md', 'package.json']) expect([...folders, ...files]).toContain(f);
  });
});
