/**
 * Secrets in secrets.json next to the settings: each value encrypted by the platform (Electron
 * safeStorage: DPAPI on Windows, Keychain on macOS, the keyring on Linux) and stored as base64
 * keyed `<sourceId>.<name>`. Nothing is ever stored in plain text: when encryption is unavailable
 * the store refuses with a message saying so. Values never appear in logs or errors.
 */
import { z } from 'zod';
import { AppFailure, SOURCE_ID_PATTERN, type SecretName } from '../../preload/contract/model';
import type { Logger, SecretStore } from '../ports/ports';
import { readTextIfExists, writeFileAtomic } from '../state/atomic-file';

/** The platform's encryption, asynchronous calls only. */
export interface Encryptor {
  /** null when available, else why not (in words). */
  unavailableReason(): Promise<string | null>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(cipher: Buffer): Promise<{ value: string; shouldReEncrypt: boolean }>;
}

const SecretsFile = z.object({
  version: z.literal(1),
  secrets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')),
});
type SecretsFile = z.infer<typeof SecretsFile>;

export const secretKey = (sourceId: string, name: SecretName): string => {
  if (!SOURCE_ID_PATTERN.test(sourceId)) throw new AppFailure('invalid-input', 'The source id is not valid.', { field: 'sourceId' });
  return `${sourceId}.${name}`;
};

/** The file's JSON, or undefined when it is not JSON (then it is reported as damaged). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createEncryptedSecretStore(opts: { filePath: string; encryptor: Encryptor; logger: Logger }): SecretStore {
  const { filePath, encryptor, logger } = opts;
  // One read-modify-write at a time, so two saves never lose each other's secret.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  async function load(): Promise<SecretsFile> {
    const text = await readTextIfExists(filePath);
    if (text === null) return { version: 1, secrets: {} };
    const parsed = SecretsFile.safeParse(parseJson(text));
    if (!parsed.success) {
      throw new AppFailure('internal', `The secrets file ${filePath} is damaged; it is left as it is. Remove it and enter the secrets again.`);
    }
    return parsed.data;
  }

  async function save(file: SecretsFile): Promise<void> {
    await writeFileAtomic(filePath, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  }

  async function requireEncryption(): Promise<void> {
    const reason = await encryptor.unavailableReason();
    if (reason !== null) {
      throw new AppFailure('unsupported', `Secrets cannot be stored: ${reason} Nothing was saved; for the command line, use the PQM_SECRET_<SOURCE>_<NAME> environment variables.`);
    }
  }

  return {
    async get(sourceId, name) {
      const key = secretKey(sourceId, name);
      const file = await serial(load);
      const b64 = file.secrets[key];
      if (b64 === undefined) return undefined;
      await requireEncryption();
      let out: { value: string; shouldReEncrypt: boolean };
      try {
        out = await encryptor.decrypt(Buffer.from(b64, 'base64'));
      } catch {
        logger.warn('A stored secret could not be decrypted (stored by another user or machine?).', { key });
        throw new AppFailure('auth-required', `The stored ${name} of "${sourceId}" could not be decrypted on this account; enter it again.`, { sourceId });
      }
      if (out.shouldReEncrypt) {
        // The platform rotated its key: store the value again under the new one.
        await serial(async () => {
          const again = await encryptor.encrypt(out.value);
          const f = await load();
          if (f.secrets[key] === b64) {
            f.secrets[key] = again.toString('base64');
            await save(f);
          }
        }).catch((err: unknown) => logger.warn('Re-encrypting a secret failed; the old copy is kept.', { key, error: (err as Error).message }));
      }
      return out.value;
    },
    async set(sourceId, name, value) {
      const key = secretKey(sourceId, name);
      if (typeof value !== 'string' || value.length === 0) throw new AppFailure('invalid-input', 'The secret is empty.', { field: 'value' });
      await requireEncryption();
      const cipher = await encryptor.encrypt(value);
      await serial(async () => {
        const file = await load();
        file.secrets[key] = cipher.toString('base64');
        await save(file);
      });
      logger.info('Secret stored.', { key });
    },
    async delete(sourceId, name) {
      const key = secretKey(sourceId, name);
      await serial(async () => {
        const file = await load();
        if (!(key in file.secrets)) return;
        delete file.secrets[key];
        await save(file);
      });
      logger.info('Secret removed.', { key });
    },
    async has(sourceId, name) {
      const key = secretKey(sourceId, name);
      const file = await serial(load);
      return Object.prototype.hasOwnProperty.call(file.secrets, key);
    },
  };
}
