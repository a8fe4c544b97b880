import type { FeedHealth } from '../../domain/feed-health.ts';
import { ProviderIdSchema, type ProviderId } from '../../domain/provider.ts';
import type { Tick } from '../../domain/tick.ts';
import type { SourceStatus, TickSource } from '../source.ts';
import type { YahooSource } from '../yahoo/yahoo-source.ts';
import { TradeFeed, type TradeFeedOptions } from './trade-feed.ts';
import type { StreamedTrade } from './streamed-trade.ts';

export type ProviderFeedSettings = Omit<TradeFeedOptions, 'provider' | 'onTrades' | 'onChange'>;

export interface RoutedLiveSourceOptions {
  /** The live source (Yahoo): every watched symbol's market state, stitch point and time zone, and the prices of those not routed. */
  live: YahooSource;
  feeds: { readonly [K in ProviderId]: ProviderFeedSettings };
  /** The provider the watchlist names for a symbol; absent: the live source's own. */
  providerOf: (symbol: string) => ProviderId | undefined;
  /** The event time of a symbol's newest stored tick: a snapshot after a restart repeats trades stored before it. */
  lastTickTime?: (symbol: string) => number | undefined;
  /** A routed symbol's health changed without a tick (a feed went down). */
  onChange?: () => void;
}

/**
 * The live source with some symbols routed to other real-time feeds: Yahoo still watches every
 * symbol (market state, time zone, the stitch point between history and live data), but a routed
 * symbol's prices come from its provider alone, so its candles never mix two feeds' volumes.
 * Every tick, whichever feed made it, reaches the bus through one ordered path.
 */
export class RoutedLiveSource implements TickSource {
  readonly kind = 'yahoo' as const;
  private readonly options: RoutedLiveSourceOptions;
  private readonly feeds: ReadonlyMap<ProviderId, TradeFeed>;
  private symbols: string[] = [];
  /** Per routed symbol, the earliest event time it may send: its stitch point, and after what was stored. */
  private readonly floors = new Map<string, number>();
  private routes = new Map<string, ProviderId>();
  private emit: ((ticks: Tick[]) => Promise<void>) | undefined;
  private publishing: Promise<void> = Promise.resolve();
  private paused = false;
  private stopped = false;

  constructor(options: RoutedLiveSourceOptions) {
    this.options = options;
    this.feeds = new Map(
      ProviderIdSchema.options.map((provider) => [
        provider,
        new TradeFeed({
          ...options.feeds[provider],
          provider,
          onTrades: (symbol, trades) => this.traded(provider, symbol, trades),
          onChange: () => options.onChange?.(),
        }),
      ]),
    );
  }

  get live(): YahooSource {
    return this.options.live;
  }

  feed(provider: ProviderId): TradeFeed {
    return this.feeds.get(provider)!;
  }

  setSymbols(symbols: readonly string[]): void {
    this.symbols = [...symbols];
    const routes = new Map<string, ProviderId>();
    for (const symbol of symbols) {
      const provider = this.options.providerOf(symbol);
      if (provider) routes.set(symbol, provider);
    }
    // A symbol that changed provider starts again from what is stored by then.
    for (const symbol of this.floors.keys())
      if (routes.get(symbol) !== this.routes.get(symbol)) this.floors.delete(symbol);
    this.routes = routes;
    this.options.live.setSymbols(symbols);
    this.subscribeFeeds();
  }

  /** A provider's key was set or removed. */
  keyChanged(provider: ProviderId): void {
    this.feed(provider).keyChanged();
  }

  start(emit: (ticks: Tick[]) => Promise<void>): void {
    this.emit = emit;
    this.options.live.start((ticks) => this.publish(ticks.filter((t) => !this.routes.has(t.symbol))));
    this.subscribeFeeds();
  }

  pause(): void {
    this.paused = true;
    this.options.live.pause();
    this.subscribeFeeds();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.options.live.resume();
    this.subscribeFeeds();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const feed of this.feeds.values()) feed.stop();
    await this.options.live.stop();
    await this.publishing;
  }

  status(): SourceStatus {
    const status = this.options.live.status();
    const routed = [...this.feeds.values()]
      .map((feed) => this.describeFeed(feed))
      .filter(Boolean)
      .join(' · ');
    return routed ? { ...status, message: `${status.message} · ${routed}` } : status;
  }

  feedOf(symbol: string): FeedHealth {
    const provider = this.routes.get(symbol);
    const own = this.options.live.feedOf(symbol);
    if (!provider) return own;
    const closed = own.stale?.reason === 'market-closed' ? own.stale.detail : undefined;
    return this.feed(provider).health(symbol, { paused: this.paused, marketClosed: closed });
  }

  private subscribeFeeds(): void {
    if (this.stopped) return;
    const active = this.emit !== undefined && !this.paused;
    for (const [provider, feed] of this.feeds)
      feed.setSymbols(active ? this.symbols.filter((s) => this.routes.get(s) === provider) : []);
  }

  private describeFeed(feed: TradeFeed): string {
    const count = [...this.routes.values()].filter((p) => p === feed.info.id).length;
    if (count === 0) return '';
    const state = feed.state;
    const what = `${count} symbol${count === 1 ? '' : 's'}`;
    if (state.kind === 'open') return `${feed.info.name}: streaming ${what}`;
    if (state.kind === 'down') return `${feed.info.name}: stream down (${state.reason})`;
    if (state.kind === 'connecting') return `${feed.info.name}: connecting`;
    return `${feed.info.name}: ${this.paused ? 'paused' : 'not streaming'} ${what}`;
  }

  private traded(provider: ProviderId, symbol: string, trades: StreamedTrade[]): void {
    if (this.stopped || this.paused || !this.emit || this.routes.get(symbol) !== provider) return;
    const floor = this.floorOf(symbol);
    if (floor === undefined) return;
    const ticks: Tick[] = trades
      .filter((t) => t.ts >= floor && t.size >= 0)
      .map((t) => ({ symbol, ts: Math.round(t.ts), price: t.price, volume: t.size, source: provider }));
    if (ticks.length === 0) return;
    void this.publish(ticks).catch(() => {
      // The bus refused (it is closing): a streamed trade has no one to tell.
    });
  }

  /**
   * Where a symbol's routed ticks may begin: its stitch point (the backfill fills what is before),
   * and past the newest tick stored when the route began (a snapshot repeats trades made before a
   * restart). Yahoo's first answer fixes the stitch; a trade that comes first claims it.
   */
  private floorOf(symbol: string): number | undefined {
    const known = this.floors.get(symbol);
    if (known !== undefined) return known;
    const stitch = this.options.live.liveSince(symbol) ?? this.options.live.claimStitch(symbol);
    if (stitch === undefined) return undefined;
    const stored = this.options.lastTickTime?.(symbol);
    const floor = stored === undefined ? stitch : Math.max(stitch, stored + 1);
    this.floors.set(symbol, floor);
    return floor;
  }

  private publish(ticks: Tick[]): Promise<void> {
    if (ticks.length === 0) return Promise.resolve();
    const sent = this.publishing.then(() => this.emit!(ticks));
    this.publishing = sent.catch(() => undefined);
    return sent;
  }
}
