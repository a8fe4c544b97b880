import path from 'node:path';
import type { Notice } from '../api/contract.ts';
import type { ExchangeDays } from '../domain/exchange-day.ts';
import type { Settings } from '../domain/settings.ts';
import { CookieJarFile } from '../sources/yahoo/cookie-jar-file.ts';
import { yahooClientFactory, type YahooClientFactory } from '../sources/yahoo/yahoo-client.ts';
import { YahooHistory } from '../sources/yahoo/yahoo-history.ts';
import { YahooSource, type YahooStreamSettings } from '../sources/yahoo/yahoo-source.ts';
import { BackfillCandles } from '../store/backfill-candles.ts';
import type { CompanyRepo } from '../store/company-repo.ts';
import type { SqliteDatabase } from '../store/database.ts';

export interface YahooFeed {
  source: YahooSource;
  history: YahooHistory;
}

export interface YahooFeedDeps {
  settings: Settings;
  dbPath: string;
  db: SqliteDatabase;
  companies: CompanyRepo;
  /** The event time of a symbol's newest stored tick. */
  lastTickTime: (symbol: string) => number | undefined;
  /** Writes the candles waiting behind their ticks: the backfill reads and fills the file itself. */
  flushCandles: () => void;
  /** The real yahoo-finance2 unless a test injects one on recorded exchanges. */
  client?: YahooClientFactory | undefined;
  /**
   * The price stream's connection (tests point it at a local server). A test that injects a client
   * on recorded exchanges and no stream has the stream off: there is no recording of Yahoo's.
   */
  stream?: Partial<YahooStreamSettings> | undefined;
  notify: (notice: Notice) => void;
  /** Profiles or history arrived: the watchlist and profile card can show them. */
  onStored: (symbol: string) => void;
  /** A symbol's history is stored up to where its live feed began: the engine merges the two. */
  onBackfilled: (symbol: string, gapFrom: number, stitch: number) => void;
  /** Yahoo told a symbol's exchange time zone (a quote, a chart's meta). */
  onTimeZone: (symbol: string, timeZone: string) => void;
  /** The exchange days the backfill cuts daily bars into. */
  days: ExchangeDays;
}

/** The session file lives beside the database; an in-memory database keeps it in memory too. */
function cookieFile(dbPath: string): string | undefined {
  return dbPath === ':memory:' ? undefined : path.join(path.dirname(dbPath), 'yahoo-cookies.json');
}

/** Builds the live Yahoo source and its history companion from settings. */
export function startYahooFeed(deps: YahooFeedDeps): YahooFeed {
  const { yahoo } = deps.settings.source;
  const candles = new BackfillCandles(deps.db, deps.flushCandles);
  const source = new YahooSource({
    client: deps.client ?? yahooClientFactory(),
    cookies: new CookieJarFile(cookieFile(deps.dbPath)),
    intervals: {
      regularMs: yahoo.regularSeconds * 1_000,
      extendedMs: yahoo.extendedSeconds * 1_000,
      closedMs: yahoo.closedSeconds * 1_000,
    },
    lastTickTime: deps.lastTickTime,
    stream:
      deps.stream === undefined && deps.client !== undefined ? undefined : { ...deps.stream, enabled: yahoo.streaming },
    onLiveRun: (symbol) => candles.markLiveRun(symbol),
    storedVolume: (symbol, from, to) => candles.minuteVolume(symbol, from, to),
    onTimeZone: deps.onTimeZone,
  });
  const history = new YahooHistory({
    client: () => source.client,
    stitchOf: (symbol) => source.stitchOf(symbol),
    companies: deps.companies,
    candles,
    intervals: deps.settings.stream.intervals,
    onStored: (symbol) => deps.onStored(symbol),
    onBackfilled: (symbol, gapFrom, stitch) => deps.onBackfilled(symbol, gapFrom, stitch),
    onActivity: (activity) => source.setActivity(activity),
    onTimeZone: deps.onTimeZone,
    days: deps.days,
  });
  void source.firstPoll.then((status) => {
    if (status.state === 'offline')
      deps.notify({
        level: 'warning',
        message: `Yahoo Finance is unreachable (${status.message}). Choose the simulator in Settings to watch a market offline.`,
      });
  });
  return { source, history };
}
