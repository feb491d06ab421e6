/**
 * The app's SecretStore: values encrypted with Electron safeStorage, asynchronous calls only
 * (isAsyncEncryptionAvailable / encryptStringAsync / decryptStringAsync, present in Electron 45's
 * typings; the synchronous calls are deprecated and go away in Electron 46), stored in
 * secrets.json next to the settings. See main/desktop/secret-file.ts for the file and the rules.
 */
import { safeStorage } from 'electron';
import { join, dirname } from 'node:path';
import type { Logger, SecretStore } from './ports/ports';
import { createEncryptedSecretStore, type Encryptor } from './desktop/secret-file';

export const SECRETS_FILE_NAME = 'secrets.json';

/** safeStorage behind the Encryptor interface. Call only after app 'ready'. */
export function safeStorageEncryptor(platform: NodeJS.Platform = process.platform): Encryptor {
  return {
    async unavailableReason() {
      if (!(await safeStorage.isAsyncEncryptionAvailable())) {
        return 'the operating system offers no encryption for this account (on Linux: no keyring such as GNOME Keyring or KWallet is running).';
      }
      // Linux without a keyring falls back to a fixed key ("basic_text"): that is not encryption.
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
        return 'no keyring (GNOME Keyring or KWallet) is available, so secrets would only be obfuscated.';
      }
      return null;
    },
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    async decrypt(cipher) {
      const out = await safeStorage.decryptStringAsync(cipher);
      return { value: out.result, shouldReEncrypt: out.shouldReEncrypt };
    },
  };
}

/** The SecretStore for the app: secrets.json in the same folder as settings.json. */
export function createSafeStorageSecretStore(configPath: string, logger: Logger): SecretStore {
  return createEncryptedSecretStore({ filePath: join(dirname(configPath), SECRETS_FILE_NAME), encryptor: safeStorageEncryptor(), logger });
}
