import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../api/dispatch.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { KeyStatus, SecretStore } from '../domain/secrets.ts';
import { EnvSecretStore } from './env-secrets.ts';

/** The OS's encryption as the host offers it: Electron's safeStorage on the desktop. */
export interface KeyCipher {
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  /** On Linux, the secret store behind it; "basic_text" means no keyring, only obfuscation. */
  backend?(): string;
}

const FileSchema = z.record(z.string(), z.string());

/**
 * Keys sealed by the OS keychain (safeStorage) in a file of their own beside the database, never
 * in it: only the ciphertext is on disk. A key in the environment is used while none is set here.
 */
export class EncryptedKeyFile implements SecretStore {
  private readonly file: string;
  private readonly cipher: KeyCipher;
  private readonly env: EnvSecretStore;

  constructor(file: string, cipher: KeyCipher, env: EnvSecretStore = new EnvSecretStore()) {
    this.file = file;
    this.cipher = cipher;
    this.env = env;
  }

  get(provider: ProviderId): string | undefined {
    const sealed = this.read()[provider];
    if (sealed === undefined || !this.cipher.available()) return this.env.get(provider);
    try {
      return this.cipher.decrypt(Buffer.from(sealed, 'base64'));
    } catch {
      // Sealed by another user or machine: as if none were set.
      return this.env.get(provider);
    }
  }

  set(provider: ProviderId, key: string | null): void {
    const sealed = this.read();
    if (key === null) delete sealed[provider];
    else {
      if (!this.cipher.available())
        throw new UserError(
          'The OS keychain is not available: the key was not saved (set it in the environment instead)',
        );
      sealed[provider] = this.cipher.encrypt(key).toString('base64');
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(sealed), { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }

  status(provider: ProviderId): KeyStatus {
    if (this.read()[provider] === undefined) return this.env.status(provider);
    const plainText = this.cipher.backend?.() === 'basic_text';
    return {
      present: this.get(provider) !== undefined,
      where: 'OS keychain',
      ...(plainText ? { warning: 'No keyring was found: the key is only obfuscated on disk, not encrypted' } : {}),
    };
  }

  private read(): Record<string, string> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return {};
    }
    try {
      const parsed = FileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
}
