import { Backoff } from '../../engine/base/backoff.ts';
import { CookieJarFile } from '../../engine/sources/yahoo/cookie-jar-file.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { YahooSource, type YahooPollIntervals } from '../../engine/sources/yahoo/yahoo-source.ts';
import type { Tick } from '../../engine/domain/tick.ts';
import type { Bar } from '../../engine/sources/replay/bars-to-ticks.ts';
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

/** The one recorded one-minute chart() exchange: AAPL on a Saturday, so it holds no bars. */
const RECORDED_MINUTE_CHART =
  'https://query2.finance.yahoo.com/v8/finance/chart/AAPL?useYfid=true&interval=1m&includePrePost=false&events=div%7Csplit%7Cearn&lang=en-US&period1=1738368000&period2=1738454400';

export interface MinuteChart {
  fetch: typeof fetch;
  /** Answers to chart() wait for this (a slow backfill). */
  hold(until: Promise<void>): void;
  /** The [period1, period2) of each chart() request, in ms. */
  readonly asked: Array<{ interval: string; from: number; to: number }>;
}

/**
 * chart() for any symbol and range, answered with the recorded one-minute exchange carrying the
 * test's bars that fall in the asked period (the recorded day had no trading, so the test says what
 * traded). Other bar sizes get the recording as it is, without bars. Everything else goes to the
 * recordings unchanged.
 */
export function minuteChart(fixtures: FixtureFetch, bars: readonly Bar[]): MinuteChart {
  let gate: Promise<void> = Promise.resolve();
  const asked: MinuteChart['asked'] = [];
  const chartFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!url.pathname.startsWith('/v8/finance/chart/')) return fixtures.fetch(input, init);
    const interval = url.searchParams.get('interval') ?? '';
    const from = Number(url.searchParams.get('period1')) * 1_000;
    const to = Number(url.searchParams.get('period2')) * 1_000;
    asked.push({ interval, from, to });
    await gate;
    const recorded = await fixtures.fetch(RECORDED_MINUTE_CHART, init);
    const body = await recorded.json();
    const inRange = interval === '1m' ? bars.filter((b) => b.start >= from && b.start < to) : [];
    if (inRange.length > 0) {
      const result = body.chart.result[0];
      result.timestamp = inRange.map((b) => b.start / 1_000);
      result.indicators.quote = [
        {
          open: inRange.map((b) => b.open),
          high: inRange.map((b) => b.high),
          low: inRange.map((b) => b.low),
          close: inRange.map((b) => b.close),
          volume: inRange.map((b) => b.volume),
        },
      ];
    }
    return new Response(JSON.stringify(body), { status: recorded.status, headers: recorded.headers });
  };
  return {
    fetch: chartFetch as typeof fetch,
    hold: (until) => (gate = until),
    asked,
  };
}
