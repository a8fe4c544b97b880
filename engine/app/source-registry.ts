import type { Notice } from '../api/contract.ts';
import type { ExchangeDays } from '../domain/exchange-day.ts';
import type { FeedHealth } from '../domain/feed-health.ts';
import type { Settings } from '../domain/settings.ts';
import type { SymbolMatch } from '../domain/symbol-match.ts';
import type { Tick, TickSourceKind } from '../domain/tick.ts';
import { ReplaySource } from '../sources/replay/replay-source.ts';
import { MarketSimulator } from '../sources/simulator.ts';
import type { TickSource } from '../sources/source.ts';
import { syntheticCompany } from '../sources/synthetic-companies.ts';
import { searchSymbols } from '../sources/yahoo/symbol-search.ts';
import type { YahooClientFactory } from '../sources/yahoo/yahoo-client.ts';
import type { YahooSource, YahooStreamSettings } from '../sources/yahoo/yahoo-source.ts';
import type { CompanyRepo } from '../store/company-repo.ts';
import type { SqliteDatabase } from '../store/database.ts';
import type { MarketStore } from '../store/market-store.ts';
import { startYahooFeed } from './yahoo-feed.ts';
import type { Backoff } from '../base/backoff.ts';
import type { ProviderId } from '../domain/provider.ts';
import type { SecretStore } from '../domain/secrets.ts';
import { COINBASE_STREAM_URL, coinbaseProtocol } from '../sources/trades/coinbase-protocol.ts';
import { FINNHUB_STREAM_URL, finnhubProtocol } from '../sources/trades/finnhub-protocol.ts';
import { RoutedLiveSource } from '../sources/trades/routed-live-source.ts';

/** A provider's connection, as tests point it at a local server. */
export interface ProviderFeedConnection {
  url?: string;
  backoff?: Backoff;
  idleMs?: number;
  pingMs?: number;
  silenceMs?: number;
}
export type ProviderFeedConnections = { readonly [K in ProviderId]?: ProviderFeedConnection };

/** What the composition root hands a source plug-in: the settings, the store, and where to report. */
export interface SourceContext {
  settings: Settings;
  dbPath: string;
  db: SqliteDatabase;
  store: MarketStore;
  companies: CompanyRepo;
  /** The exchange days the source cuts history into. */
  days: ExchangeDays;
  yahooClient?: YahooClientFactory | undefined;
  yahooStream?: Partial<YahooStreamSettings> | undefined;
  /** The real-time providers' sockets (tests point them at local servers). */
  providerFeeds?: ProviderFeedConnections | undefined;
  /** The watchlist's provider for a symbol; absent: the live source's own. */
  providerOf: (symbol: string) => ProviderId | undefined;
  /** Keys for keyed providers. */
  secrets: SecretStore;
  /** A routed symbol's feed health changed without a tick. */
  onFeedChange: () => void;
  notify: (notice: Notice) => void;
  /** Profiles or history of a symbol arrived. */
  onStored: (symbol: string) => void;
  /** A symbol's history is stored up to where its live feed began: the engine merges the two. */
  onBackfilled: (symbol: string, gapFrom: number, stitch: number) => void;
  /** The feed (or the file) told a symbol's exchange time zone. */
  onTimeZone: (symbol: string, timeZone: string) => void;
}

/** Work a source does for the watched symbols beside its ticks: history backfill, company profiles. */
export interface SourceCompanion {
  watch(symbols: readonly string[]): void;
  stop(): Promise<void>;
}

/** A source as the app runs it: the ticks, and the optional capabilities of its kind. */
export interface RunningSource {
  source: TickSource;
  /** Who the watchlist names as the provider of a symbol the source says nothing more about. */
  feed: Pick<FeedHealth, 'provider' | 'mode'>;
  /** History backfill and company profiles for the watched symbols. */
  companion?: SourceCompanion;
  /** Instruments matching a query, for the watchlist's add box. */
  search?: (query: string) => Promise<SymbolMatch[]>;
  /** The live source with symbols routed to real-time providers (Yahoo only). */
  routed?: RoutedLiveSource;
  /** Sees each batch before it is published (a replay tells the zone of its file's symbols). */
  beforePublish?: (ticks: readonly Tick[]) => void;
}

export type SourceFactory = (context: SourceContext) => RunningSource;

/**
 * Every kind of source, by the kind Settings and ticks name it with. The type makes a new kind of
 * `TickSourceKindSchema` fail to compile until it has its line here.
 */
export const SOURCES: { readonly [K in TickSourceKind]: SourceFactory } = {
  simulator: simulatorSource,
  replay: replaySource,
  yahoo: yahooSource,
};

export function startSource(context: SourceContext): RunningSource {
  return SOURCES[context.settings.source.kind](context);
}

function simulatorSource({ settings, store, companies }: SourceContext): RunningSource {
  const { seed, ticksPerSecond, sessions } = settings.source.simulator;
  return {
    source: new MarketSimulator({ resumeFrom: (symbol) => store.lastPrice(symbol), seed, ticksPerSecond, sessions }),
    feed: { provider: 'Simulator', mode: 'simulated' },
    // The simulated market makes up a profile for each of its symbols that has none, so every
    // analysis has groups to show; one stored already (real or made up before) is kept, and the
    // made-up one's 52-week range brackets where the symbol trades now.
    companion: {
      watch(symbols) {
        for (const symbol of symbols) {
          // A row dated 0 holds only the zone a quote told: no profile yet.
          if (companies.get(symbol)?.updatedAt) continue;
          companies.upsert(syntheticCompany(seed, symbol, Date.now(), store.lastPrice(symbol)?.price));
        }
      },
      stop: async () => undefined,
    },
  };
}

function replaySource({ settings, store, onTimeZone }: SourceContext): RunningSource {
  const { replay } = settings.source;
  const { timeZone } = replay;
  const told = new Set<string>();
  return {
    source: new ReplaySource({
      file: replay.file,
      speed: replay.speed,
      maxBadRows: replay.maxBadRows,
      stored: store,
      ...(replay.symbol ? { symbol: replay.symbol } : {}),
      ...(replay.columns ? { columns: replay.columns } : {}),
    }),
    feed: { provider: 'CSV replay', mode: 'replay' },
    // A replay's --timezone is what its file says of its symbols' exchange: told like a feed's
    // zone, before a symbol's first tick, so symbols of the database not in the file keep theirs.
    ...(timeZone
      ? {
          beforePublish: (ticks: readonly Tick[]) => {
            for (const { symbol } of ticks) {
              if (told.has(symbol)) continue;
              told.add(symbol);
              onTimeZone(symbol, timeZone);
            }
          },
        }
      : {}),
  };
}

function yahooSource(context: SourceContext): RunningSource {
  const feed = startYahooFeed({
    settings: context.settings,
    dbPath: context.dbPath,
    db: context.db,
    companies: context.companies,
    lastTickTime: (symbol) => context.store.lastTickTime(symbol),
    flushCandles: () => context.store.flushCandles(),
    client: context.yahooClient,
    stream: context.yahooStream,
    notify: context.notify,
    onStored: context.onStored,
    onBackfilled: context.onBackfilled,
    onTimeZone: context.onTimeZone,
    days: context.days,
  });
  const routed = routedLiveSource(context, feed.source);
  return {
    source: routed,
    routed,
    feed: { provider: 'Yahoo Finance', mode: 'polling' },
    companion: feed.history,
    // Only while Yahoo is the source: the simulator takes any ticker, and must not call the internet behind the user's back.
    search: (query) => searchSymbols(feed.source.client, query),
  };
}

/** Coinbase's heartbeats come every second: this much silence is a dead feed. */
const COINBASE_IDLE_MS = 30_000;

function routedLiveSource(context: SourceContext, live: YahooSource): RoutedLiveSource {
  const { coinbase = {}, finnhub = {} } = context.providerFeeds ?? {};
  return new RoutedLiveSource({
    live,
    providerOf: context.providerOf,
    lastTickTime: (symbol) => context.store.lastTickTime(symbol),
    onChange: context.onFeedChange,
    feeds: {
      coinbase: {
        ...coinbase,
        protocol: coinbaseProtocol(coinbase.url ?? COINBASE_STREAM_URL),
        idleMs: coinbase.idleMs ?? COINBASE_IDLE_MS,
      },
      finnhub: {
        ...finnhub,
        protocol: finnhubProtocol(() => context.secrets.get('finnhub'), finnhub.url ?? FINNHUB_STREAM_URL),
        key: () => context.secrets.get('finnhub'),
      },
    },
  });
}
