import YahooFinance from 'yahoo-finance2';
import type { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { guardFetch } from './http-guard.ts';

/**
 * A yahoo-finance2 instance (its module methods need the whole instance as `this`); tests inject one
 * built on recorded exchanges.
 */
export type YahooClient = InstanceType<typeof YahooFinance>;

/** Builds a client around a cookie jar; called again with a fresh jar when Yahoo refuses the session. */
export type YahooClientFactory = (cookieJar: ExtendedCookieJar) => YahooClient;

export interface YahooClientOptions {
  /** The transport; the global fetch in production, recorded exchanges in tests. */
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** At most this many requests in flight at once (yahoo-finance2's own queue). */
  concurrency?: number;
}

export function yahooClientFactory(options: YahooClientOptions = {}): YahooClientFactory {
  const transport = guardFetch(options.fetch ?? globalThis.fetch, { timeoutMs: options.timeoutMs ?? 15_000 });
  return (cookieJar) =>
    new YahooFinance({
      fetch: transport,
      cookieJar,
      queue: { concurrency: options.concurrency ?? 2 },
      // The app reports problems in its own status line; the library's console output is noise there.
      validation: { logErrors: false, logOptionsErrors: false },
      versionCheck: false,
      suppressNotices: ['yahooSurvey'],
      logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, dir: () => {} },
    });
}
