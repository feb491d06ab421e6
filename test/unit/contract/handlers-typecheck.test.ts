/**
 * The contract is typed once: main must implement a handler for every request, or the typecheck
 * fails. Proven by compiling two small programs against preload/contract/contract.ts: one that provides
 * every handler (compiles) and one that leaves one out (refused, naming the missing request).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

async function typecheck(source: string): Promise<{ code: number; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pqm-contract-'));
  try {
    const file = join(dir, 'handlers.ts');
    await writeFile(file, source);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), compilerOptions: { noEmit: true, types: [] }, include: [], files: [file] }),
    );
    return await new Promise((resolvePromise) => {
      execFile(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
        resolvePromise({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const contract = JSON.stringify(join(ROOT, 'preload', 'contract', 'contract'));

describe('main implements exactly the contract', () => {
  it('compiles when every request has a handler, and fails naming the request when one is missing', async () => {
    const complete = await typecheck(`import type { Handlers } from ${contract};
declare const all: Handlers;
export const handlers: Handlers = { ...all };
`);
    expect(complete.output).toBe('');
    expect(complete.code).toBe(0);

    const missing = await typecheck(`import type { Handlers } from ${contract};
declare const all: Handlers;
const { saveDiagnostics: _left, ...rest } = all;
export const handlers: Handlers = rest;
`);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/saveDiagnostics/);
    expect(missing.output).toMatch(/TS2741|TS2322/);
  }, 150_000);
});
