import { safeStorage } from 'electron';
import type { KeyCipher } from '../../engine/app/encrypted-key-file.ts';

/** Electron's safeStorage: the macOS Keychain, Windows DPAPI, or the Linux keyring (libsecret, kwallet). */
export const safeStorageCipher: KeyCipher = {
  available: () => safeStorage.isEncryptionAvailable(),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (sealed) => safeStorage.decryptString(sealed),
  backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'),
};
