import { Backoff } from '../../engine/sources/yahoo/backoff.ts';
import { CookieJarFile } from '../../engine/sources/yahoo/cookie-jar-file.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { YahooSource, type YahooPollIntervals } from '../../engine/sources/yahoo/yahoo-source.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import { createFixtureFetch, type FixtureFetch } from '../support/yahoo-fixtures.ts';

/** An hour before the recorded quotes (AAPL at 2025-02-14 21:00 UTC), so they are live ticks. */
export const NOW = Date.UTC(2025, 1, 14, 20, 0, 0);

export interface Harness {
  fixtures: FixtureFetch;
  source: YahooSource;
  emitted: Tick[][];
  /** Quote requests the source made. */
  quoteRequests(): string[];
}

/** A YahooSource on the recorded exchanges, with a fixed clock and jitter-free backoff. */
export function yahooHarness(
  options: {
    cookieFile?: string;
    intervals?: Partial<YahooPollIntervals>;
    fixtures?: FixtureFetch;
    timeoutMs?: number;
    now?: number;
  } = {},
): Harness {
  const fixtures = options.fixtures ?? createFixtureFetch();
  const emitted: Tick[][] = [];
  const source = new YahooSource({
    client: yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: options.timeoutMs ?? 1_000 }),
    cookies: new CookieJarFile(options.cookieFile),
    intervals: options.intervals ?? {},
    backoff: new Backoff({ baseMs: 2_000, random: () => 0 }),
    now: () => options.now ?? NOW,
  });
  return {
    fixtures,
    source,
    emitted,
    quoteRequests: () => fixtures.log.filter((k) => k.includes('/v7/finance/quote')),
  };
}

export async function startOn(h: Harness, symbols: string[]): Promise<void> {
  h.source.setSymbols(symbols);
  h.source.start(async (ticks) => {
    h.emitted.push(ticks);
  });
  await h.source.firstPoll;
}

/** Edits one symbol's row of a recorded quote answer. */
export function editQuote(symbol: string, edit: (row: Record<string, unknown>) => void) {
  return {
    kind: 'body' as const,
    edit: (body: { quoteResponse: { result: Record<string, unknown>[] } }) => {
      for (const row of body.quoteResponse.result) if (row.symbol === symbol) edit(row);
      return body;
    },
  };
}
