import type { ProviderId } from '../domain/provider.ts';
import type { KeyStatus, SecretStore } from '../domain/secrets.ts';

/** The environment variable each keyed provider's key may come from. */
export const KEY_VARIABLES: { readonly [K in ProviderId]?: string } = { finnhub: 'FINNHUB_API_KEY' };

/**
 * Keys for a host without a keychain (the headless server, the CLI): from the environment, or set
 * in the UI for this run only, and then said so. Nothing is written anywhere.
 */
export class EnvSecretStore implements SecretStore {
  private readonly session = new Map<ProviderId, string | null>();
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.env = env;
  }

  get(provider: ProviderId): string | undefined {
    if (this.session.has(provider)) return this.session.get(provider) ?? undefined;
    const variable = KEY_VARIABLES[provider];
    return (variable && this.env[variable]?.trim()) || undefined;
  }

  set(provider: ProviderId, key: string | null): void {
    this.session.set(provider, key);
  }

  status(provider: ProviderId): KeyStatus {
    const variable = KEY_VARIABLES[provider];
    if (this.session.has(provider)) {
      const present = this.session.get(provider) != null;
      return {
        present,
        where: 'this session only',
        ...(present
          ? { warning: `Forgotten when the app stops: set ${variable ?? 'the key'} in the environment to keep it` }
          : {}),
      };
    }
    return { present: this.get(provider) !== undefined, where: `environment variable ${variable ?? '(none)'}` };
  }
}
