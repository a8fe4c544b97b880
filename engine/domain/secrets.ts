import { z } from 'zod';
import type { ProviderId } from './provider.ts';

/** An API key as the user pastes it: printable, no spaces, of a sensible length. */
export const ApiKeySchema = z
  .string()
  .trim()
  .regex(/^[\x21-\x7e]{8,200}$/, 'A key is 8-200 letters, digits or symbols, without spaces');

/** Where a provider's key is kept, as the settings show it (never the key itself). */
export const KeyStatusSchema = z.object({
  present: z.boolean(),
  /** "OS keychain", "environment variable FINNHUB_API_KEY", "this session only". */
  where: z.string(),
  /** Something the user should know: the keychain falls back to plain text, a session key is forgotten. */
  warning: z.string().optional(),
});
export type KeyStatus = z.infer<typeof KeyStatusSchema>;

/**
 * The keys users bring for keyed providers. Kept by the host (Electron's safeStorage, the
 * environment for the headless host), never in SQLite nor in a log: the engine asks for a key
 * only when it connects, and tells the UI only whether one is there.
 */
export interface SecretStore {
  get(provider: ProviderId): string | undefined;
  /** Sets (or with null removes) a key; throws with a reason the user can act on when it cannot be kept. */
  set(provider: ProviderId, key: string | null): void;
  status(provider: ProviderId): KeyStatus;
}
