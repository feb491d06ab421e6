/** main/secrets.ts with safeStorage mocked: async encryption only, never plaintext on disk. */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const safeStorage = {
  isAsyncEncryptionAvailable: vi.fn(async () => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptStringAsync: vi.fn(async (plain: string) => Buffer.from(`enc(${Buffer.from(plain).toString('hex')})`)),
  decryptStringAsync: vi.fn(async (cipher: Buffer) => ({ result: Buffer.from(/^enc\(([0-9a-f]*)\)$/.exec(cipher.toString())![1], 'hex').toString(), shouldReEncrypt: false })),
  // The synchronous API must never be used.
  isEncryptionAvailable: vi.fn(() => {
    throw new Error('sync call');
  }),
  encryptString: vi.fn(() => {
    throw new Error('sync call');
  }),
  decryptString: vi.fn(() => {
    throw new Error('sync call');
  }),
};
vi.mock('electron', () => ({ safeStorage, default: { safeStorage } }));

const { createSafeStorageSecretStore, safeStorageEncryptor } = await import('../../../main/secrets');
const { silentLogger } = await import('../../../main/ports/ports');

const SECRET = '5091E665-8916-4D21-996E-00A2DE5DE416';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pqm-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('safeStorage secret store', () => {
  it('encrypts with the async API and never writes the value in plain text', async () => {
    const store = createSafeStorageSecretStore(join(dir, 'settings.json'), silentLogger);
    await store.set('local', 'LICENSE', SECRET);
    const text = readFileSync(join(dir, 'secrets.json'), 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SECRET.toLowerCase());
    expect(JSON.parse(text).secrets['local.LICENSE']).toBe(Buffer.from(`enc(${Buffer.from(SECRET).toString('hex')})`).toString('base64'));
    expect(await store.get('local', 'LICENSE')).toBe(SECRET);
    expect(await store.has('local', 'LICENSE')).toBe(true);
    await store.delete('local', 'LICENSE');
    expect(await store.has('local', 'LICENSE')).toBe(false);
    expect(safeStorage.encryptStringAsync).toHaveBeenCalled();
    expect(safeStorage.decryptStringAsync).toHaveBeenCalled();
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
    expect(safeStorage.decryptString).not.toHaveBeenCalled();
    expect(safeStorage.isEncryptionAvailable).not.toHaveBeenCalled();
  });

  it('refuses to store anything when the platform cannot encrypt, saying why', async () => {
    safeStorage.isAsyncEncryptionAvailable.mockResolvedValueOnce(false);
    const store = createSafeStorageSecretStore(join(dir, 'settings.json'), silentLogger);
    await expect(store.set('up', 'TOKEN', 'eyJhbGciOi-secret-token')).rejects.toThrow(/Secrets cannot be stored: the operating system offers no encryption/);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('treats the Linux basic_text fallback as no encryption', async () => {
    safeStorage.getSelectedStorageBackend.mockReturnValueOnce('basic_text');
    expect(await safeStorageEncryptor('linux').unavailableReason()).toMatch(/keyring/);
    safeStorage.getSelectedStorageBackend.mockReturnValue('basic_text');
    try {
      expect(await safeStorageEncryptor('win32').unavailableReason()).toBeNull();
    } finally {
      safeStorage.getSelectedStorageBackend.mockReturnValue('gnome_libsecret');
    }
  });

  it('asks for the secret again when it cannot be decrypted, without showing it', async () => {
    const store = createSafeStorageSecretStore(join(dir, 'settings.json'), silentLogger);
    await store.set('ao', 'SECURITY_CODE', 'code-1234567');
    safeStorage.decryptStringAsync.mockRejectedValueOnce(new Error('DPAPI failed'));
    const err = await store.get('ao', 'SECURITY_CODE').catch((e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({ code: 'auth-required' });
    expect((err as Error).message).toMatch(/could not be decrypted on this account; enter it again/);
    expect((err as Error).message).not.toContain('code-1234567');
  });
});
