import type { FeedHealth, StaleReason } from '../../domain/feed-health.ts';
import type { YahooFailure } from './failure.ts';
import type { LiveQuote } from './quote-ticks.ts';
import type { StreamState } from './yahoo-stream.ts';

/** Yahoo's market states outside any trading: overnight, weekends and holidays. */
const CLOSED_STATES = new Set(['CLOSED', 'PREPRE', 'POSTPOST']);

/** What the feed knows of one watched symbol, from both paths. */
export interface SymbolFeed {
  /** The last polled row: market state, delay, time zone, type, volume. */
  row?: LiveQuote;
  rowAt?: number;
  /** When the stream last sent a message for it. */
  streamAt?: number;
  /** Its streamed messages carry the day's volume. */
  streamVolume: boolean;
  /** Which path the volume is taken from now (the other path's is ignored, so none counts twice). */
  volumeFeed: 'poll' | 'stream';
  /** Asked in the last poll and absent from Yahoo's answer. */
  unknown: boolean;
  /** Its row failed the schema in the last poll. */
  rejected?: string;
}

export type FeedMode = { streaming: true; why?: undefined } | { streaming: false; why: string };

/** The feed-wide facts a symbol's mode and staleness depend on. */
export interface FeedContext {
  now: number;
  /** The stream's state; undefined when streaming is off. */
  stream: StreamState | undefined;
  silenceMs: number;
  failed: { failure: YahooFailure; retryAt: number } | undefined;
  paused: boolean;
  /** The poll's current pace: data older than a few of these is stale. */
  pollEveryMs: number;
}

function failureReason(failure: YahooFailure): StaleReason {
  if (failure.state === 'rate-limited') return 'rate-limited';
  if (failure.resetSession) return 'session';
  if (failure.state === 'offline') return 'offline';
  return 'provider-error';
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1_000))} s`;

/**
 * Per symbol: whether it streams or is polled (and why), and why its price is stale. Kept apart
 * from the source so that the rules read in one place and the watchlist gets them word for word.
 */
export class SymbolFeeds {
  private readonly feeds = new Map<string, SymbolFeed>();

  get(symbol: string): SymbolFeed {
    let feed = this.feeds.get(symbol);
    if (!feed) this.feeds.set(symbol, (feed = { streamVolume: false, volumeFeed: 'poll', unknown: false }));
    return feed;
  }

  forget(symbol: string): void {
    this.feeds.delete(symbol);
  }

  /** A poll answered: rows for some asked symbols, refusals for others, nothing for the unknown. */
  polled(
    asked: readonly string[],
    quotes: readonly LiveQuote[],
    rejected: ReadonlyArray<{ symbol: string; reason: string }>,
    now: number,
  ): void {
    for (const symbol of asked) {
      const feed = this.get(symbol);
      const row = quotes.find((q) => q.symbol === symbol);
      const refusal = rejected.find((r) => r.symbol === symbol)?.reason;
      feed.unknown = !row && refusal === undefined;
      feed.rejected = refusal;
      if (row) Object.assign(feed, { row, rowAt: now });
    }
  }

  streamed(symbol: string, hasVolume: boolean, now: number): void {
    const feed = this.get(symbol);
    feed.streamAt = now;
    if (hasVolume) feed.streamVolume = true;
  }

  marketClosed(symbol: string): boolean {
    const feed = this.get(symbol);
    const state = feed.row?.marketState;
    // A message streamed after the poll said "closed" shows it trades (extended hours, crypto).
    return (
      state !== undefined && CLOSED_STATES.has(state) && !((feed.streamAt ?? -Infinity) > (feed.rowAt ?? Infinity))
    );
  }

  mode(symbol: string, ctx: FeedContext): FeedMode {
    const { stream } = ctx;
    if (!stream) return { streaming: false, why: 'streaming off in Settings' };
    if (stream.kind === 'down')
      return {
        streaming: false,
        why: `stream down: ${stream.reason}, retrying in ${seconds(stream.retryAt - ctx.now)}`,
      };
    if (stream.kind === 'idle') return { streaming: false, why: 'stream closed' };
    if (stream.kind === 'connecting') return { streaming: false, why: 'stream connecting' };
    const feed = this.get(symbol);
    // Nothing to send while the market is shut: subscribed and quiet is streaming.
    if (this.marketClosed(symbol)) return { streaming: true };
    const heard = Math.max(feed.streamAt ?? -Infinity, stream.since);
    if (ctx.now - heard <= ctx.silenceMs) return { streaming: true };
    return {
      streaming: false,
      why:
        feed.streamAt === undefined ? 'no streamed data yet' : `stream silent for ${seconds(ctx.now - feed.streamAt)}`,
    };
  }

  /** The poll is needed at its market pace for this symbol: it is not streaming, or its stream lacks the volume. */
  needsPoll(symbol: string, ctx: FeedContext): boolean {
    if (!this.mode(symbol, ctx).streaming) return true;
    const feed = this.get(symbol);
    return !feed.streamVolume && (feed.row?.regularMarketVolume ?? 0) > 0 && !this.marketClosed(symbol);
  }

  health(symbol: string, ctx: FeedContext): FeedHealth {
    const feed = this.get(symbol);
    const mode = this.mode(symbol, ctx);
    const heard = Math.max(feed.streamAt ?? -Infinity, feed.rowAt ?? -Infinity);
    const receivedAt = Number.isFinite(heard) ? heard : null;
    return {
      provider: 'Yahoo Finance',
      mode: mode.streaming ? 'streaming' : 'polling',
      ...(mode.why ? { why: mode.why } : {}),
      receivedAt,
      stale: this.staleness(symbol, feed, mode, receivedAt, ctx),
    };
  }

  private staleness(
    symbol: string,
    feed: SymbolFeed,
    mode: FeedMode,
    receivedAt: number | null,
    ctx: FeedContext,
  ): FeedHealth['stale'] {
    if (ctx.paused) return { reason: 'paused', detail: 'paused' };
    if (feed.unknown) return { reason: 'unknown-symbol', detail: `Yahoo has no quote for ${symbol}` };
    if (ctx.failed && !mode.streaming) {
      const { failure, retryAt } = ctx.failed;
      const stream = mode.why.startsWith('stream down') ? '; stream down' : '';
      return {
        reason: failureReason(failure),
        detail: `${failure.reason}, retrying in ${seconds(retryAt - ctx.now)}${stream}`,
      };
    }
    if (feed.rejected && !mode.streaming) return { reason: 'bad-data', detail: feed.rejected };
    if (this.marketClosed(symbol))
      return { reason: 'market-closed', detail: `market closed (${feed.row!.marketState!.toLowerCase()})` };
    const delay = feed.row?.exchangeDataDelayedBy ?? 0;
    if (delay > 0) return { reason: 'delayed', detail: `delayed ${delay} min by the exchange` };
    if (receivedAt !== null && !mode.streaming && ctx.now - receivedAt > Math.max(3 * ctx.pollEveryMs, ctx.silenceMs)) {
      const reason = mode.why.startsWith('stream down') ? 'stream-down' : 'no-data';
      return { reason, detail: `nothing for ${seconds(ctx.now - receivedAt)}; ${mode.why}` };
    }
    return null;
  }
}
