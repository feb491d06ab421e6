/**
 * secrets.json is written like every other file of the app: a temporary file renamed over it,
 * with the retries Windows needs while another process (an antivirus scanner, a backup tool)
 * holds the file open for a moment and the rename fails with EPERM or EBUSY.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Renames onto secrets.json that Windows refuses before letting one through. */
const refusals = { left: 0, seen: 0 };
function busy<T extends (...a: never[]) => Promise<void>>(rename: T): T {
  return (async (...args: Parameters<T>) => {
    const to = String(args[1]);
    if (to.endsWith('secrets.json') && refusals.left > 0) {
      refusals.left--;
      refusals.seen++;
      throw Object.assign(new Error(`EPERM: operation not permitted, rename -> '${to}'`), { code: 'EPERM' });
    }
    return rename(...args);
  }) as T;
}
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, default: fs, promises: { ...fs.promises, rename: busy(fs.promises.rename) } };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const fsp = await importOriginal<typeof import('node:fs/promises')>();
  return { ...fsp, default: fsp, rename: busy(fsp.rename) };
});

const { createEncryptedSecretStore } = await import('../../../main/desktop/secret-file');
const { silentLogger } = await import('../../../main/ports/ports');

const encryptor = {
  unavailableReason: async () => null,
  encrypt: async (plain: string) => Buffer.from(`enc:${plain}`),
  decrypt: async (cipher: Buffer) => ({ value: cipher.toString().slice(4), shouldReEncrypt: false }),
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pqm-secret-rename-'));
  refusals.left = 0;
  refusals.seen = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets.json on Windows', () => {
  it('is saved when the rename is refused for a moment, and nothing else is lost', async () => {
    const filePath = join(dir, 'secrets.json');
    const store = createEncryptedSecretStore({ filePath, encryptor, logger: silentLogger });
    await store.set('local', 'LICENSE', 'first-value');
    refusals.left = 2;
    await store.set('up', 'TOKEN', 'second-value');
    expect(refusals.seen).toBe(2);
    expect(await store.get('local', 'LICENSE')).toBe('first-value');
    expect(await store.get('up', 'TOKEN')).toBe('second-value');
    const text = readFileSync(filePath, 'utf8');
    expect(text).not.toContain('second-value');
    expect(JSON.parse(text)).toMatchObject({ version: 1, secrets: { 'local.LICENSE': expect.any(String), 'up.TOKEN': expect.any(String) } });
  });
});
