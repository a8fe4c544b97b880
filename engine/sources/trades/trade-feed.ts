import type { Backoff } from '../../base/backoff.ts';
import type { FeedHealth } from '../../domain/feed-health.ts';
import { PROVIDERS, providerRefusal, type ProviderId } from '../../domain/provider.ts';
import { ReconnectingSocket, type StreamProtocol, type StreamState } from '../ws/reconnecting-socket.ts';
import type { FeedMessage, StreamedTrade } from './streamed-trade.ts';

export interface TradeFeedOptions {
  provider: ProviderId;
  protocol: StreamProtocol<FeedMessage>;
  /** The user's key for a keyed provider: without one the feed does not connect, and says why. */
  key?: () => string | undefined;
  backoff?: Backoff;
  /** No frame at all for this long (heartbeats included) means the server stopped sending. */
  idleMs?: number;
  pingMs?: number;
  /** A subscribed symbol with nothing received this long is stale ("no data"). */
  silenceMs?: number;
  now?: () => number;
  /** New trades of one symbol, oldest first, each sent once. */
  onTrades: (symbol: string, trades: StreamedTrade[]) => void;
  /** The connection's state or a symbol's health changed. */
  onChange?: () => void;
}

/** What the feed knew of one symbol last. */
interface SymbolState {
  heardAt?: number;
  /** Ids of the latest trades, oldest first: the snapshot after a reconnect repeats them. */
  recentIds: Set<string>;
}

/** What the caller knows of a symbol the feed cannot: the market is shut, the user paused. */
export interface HealthContext {
  paused: boolean;
  /** The market's closed state in words, from the live source's poll. */
  marketClosed?: string | undefined;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1_000))} s`;

/**
 * One provider's trade stream for the symbols routed to it: subscriptions capped at the free tier's
 * limit, trades deduplicated by id, and a health per symbol that names the reason when its
 * price is stale (stream down, no key, past the cap, silent).
 */
export class TradeFeed {
  private readonly options: TradeFeedOptions;
  private readonly socket: ReconnectingSocket<FeedMessage>;
  private readonly now: () => number;
  private readonly states = new Map<string, SymbolState>();
  private wanted: string[] = [];
  private streamed = new Set<string>();
  private serverError: string | undefined;
  readonly counters = { trades: 0, duplicates: 0 };

  constructor(options: TradeFeedOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.socket = new ReconnectingSocket({
      protocol: options.protocol,
      serverName: PROVIDERS[options.provider].name,
      backoff: options.backoff,
      idleMs: options.idleMs,
      pingMs: options.pingMs,
      maxFramesPerSecond: PROVIDERS[options.provider].maxMessagesPerSecond,
      now: this.now,
      onMessage: (message) => this.receive(message),
      onState: (state) => {
        if (state.kind === 'open') this.serverError = undefined;
        options.onChange?.();
      },
    });
  }

  get info() {
    return PROVIDERS[this.options.provider];
  }

  get state(): StreamState {
    return this.socket.state;
  }

  get socketCounters(): ReconnectingSocket<FeedMessage>['counters'] {
    return this.socket.counters;
  }

  /** The symbols routed here, in watchlist order: the first `maxSymbols` that it can stream are subscribed. */
  setSymbols(symbols: readonly string[]): void {
    this.wanted = [...symbols];
    for (const symbol of [...this.states.keys()]) if (!symbols.includes(symbol)) this.states.delete(symbol);
    const streamable = symbols.filter((s) => !providerRefusal(this.options.provider, s));
    const capped = streamable.slice(0, this.info.maxSymbols ?? Infinity);
    this.streamed = new Set(this.hasKey() ? capped : []);
    this.socket.setSymbols([...this.streamed]);
  }

  /** The key changed: connect again with it (or stop, without one). */
  keyChanged(): void {
    const symbols = this.wanted;
    this.setSymbols([]);
    this.setSymbols(symbols);
  }

  stop(): void {
    this.socket.stop();
  }

  health(symbol: string, ctx: HealthContext): FeedHealth {
    const state = this.states.get(symbol);
    const heardAt = state?.heardAt ?? null;
    return {
      provider: this.info.name,
      mode: 'streaming',
      ...(this.why() ? { why: this.why() } : {}),
      receivedAt: heardAt,
      stale: this.staleness(symbol, heardAt, ctx),
    };
  }

  private hasKey(): boolean {
    return !this.info.needsKey || Boolean(this.options.key?.());
  }

  /** Why the stream is not delivering, feed-wide. */
  private why(): string | undefined {
    const state = this.socket.state;
    if (state.kind === 'down')
      return `stream down: ${state.reason}, retrying in ${seconds(state.retryAt - this.now())}`;
    if (state.kind === 'connecting') return 'stream connecting';
    if (this.serverError) return `${this.info.name} said: ${this.serverError}`;
    return undefined;
  }

  private staleness(symbol: string, heardAt: number | null, ctx: HealthContext): FeedHealth['stale'] {
    const name = this.info.name;
    if (ctx.paused) return { reason: 'paused', detail: 'paused' };
    const refusal = providerRefusal(this.options.provider, symbol);
    if (refusal) return { reason: 'unknown-symbol', detail: refusal };
    if (!this.hasKey())
      return { reason: 'no-key', detail: `${name} needs a key: add your free key in Settings > Source` };
    if (!this.streamed.has(symbol))
      return {
        reason: 'over-limit',
        detail: `${name}'s free tier streams ${this.info.maxSymbols} symbols at once; ${symbol} is past them`,
      };
    const state = this.socket.state;
    if (state.kind === 'down') return { reason: 'stream-down', detail: this.why()! };
    if (ctx.marketClosed) return { reason: 'market-closed', detail: ctx.marketClosed };
    const silence = this.options.silenceMs ?? 60_000;
    const since = heardAt ?? (state.kind === 'open' ? state.since : this.now());
    if (this.now() - since > silence) {
      const what = heardAt === null ? `no trade from ${name} yet` : `no trade for ${seconds(this.now() - heardAt)}`;
      return { reason: 'no-data', detail: this.serverError ? `${what}; ${name} said: ${this.serverError}` : what };
    }
    return null;
  }

  private receive(message: FeedMessage): void {
    if (message.kind === 'alive') return;
    if (message.kind === 'error') {
      this.serverError = message.message;
      this.options.onChange?.();
      return;
    }
    const bySymbol = new Map<string, StreamedTrade[]>();
    for (const trade of message.trades) {
      if (!this.streamed.has(trade.symbol)) continue; // just unsubscribed
      bySymbol.set(trade.symbol, [...(bySymbol.get(trade.symbol) ?? []), trade]);
    }
    for (const [symbol, trades] of bySymbol) {
      const fresh = this.fresh(symbol, trades);
      if (fresh.length) this.options.onTrades(symbol, fresh);
    }
  }

  /**
   * The trades not sent before, oldest first. Coinbase sends a snapshot of recent trades newest
   * first, and again after every reconnect: an id seen lately is a repeat. The snapshot's trades
   * not seen (made while the connection was down) fill the gap. Trades without ids (Finnhub's,
   * which are never sent twice) all count.
   */
  private fresh(symbol: string, trades: StreamedTrade[]): StreamedTrade[] {
    let state = this.states.get(symbol);
    if (!state) this.states.set(symbol, (state = { recentIds: new Set() }));
    state.heardAt = this.now();
    const sorted = [...trades].sort((a, b) => a.ts - b.ts || compareIds(a.id, b.id));
    const out: StreamedTrade[] = [];
    for (const trade of sorted) {
      if (trade.id !== undefined) {
        if (state.recentIds.has(trade.id)) {
          this.counters.duplicates++;
          continue;
        }
        remember(state.recentIds, trade.id);
      }
      out.push(trade);
    }
    this.counters.trades += out.length;
    return out;
  }
}

/** More than a snapshot holds (Coinbase's is 50 trades), few enough to cost nothing. */
const RECENT_IDS = 1_000;

function remember(ids: Set<string>, id: string): void {
  ids.add(id);
  if (ids.size > RECENT_IDS) ids.delete(ids.values().next().value!);
}

/** Numeric ids (Coinbase's) in number order; others as text. */
function compareIds(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return 0;
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
