import type { Backoff } from '../../base/backoff.ts';
import { ReconnectingSocket, type StreamProtocol, type StreamState } from '../ws/reconnecting-socket.ts';
import { decodePricingFrame, NOT_PRICING, type StreamQuote } from './pricing-message.ts';

export type { StreamState } from '../ws/reconnecting-socket.ts';

export const YAHOO_STREAM_URL = 'wss://streamer.finance.yahoo.com/?version=2';

export interface YahooStreamOptions {
  /** Yahoo's streamer unless a test points it at a local server. */
  url?: string;
  backoff?: Backoff;
  /**
   * The whole subscription is sent again this often, as yfinance does every 15 s: the streamer
   * is known to stop sending for subscriptions it was not reminded of.
   */
  resubscribeMs?: number;
  /** A ping is sent this often; one still unanswered at the next means the connection is dead. */
  pingMs?: number;
  /** A handshake that takes longer than this fails (and is retried with backoff). */
  handshakeTimeoutMs?: number;
  now?: () => number;
  onQuote: (quote: StreamQuote) => void;
  onState?: (state: StreamState) => void;
}

/** Yahoo's streamer protocol: a JSON `subscribe` of symbols, a base64 protobuf PricingData per price change. */
function yahooProtocol(url: string): StreamProtocol<StreamQuote> {
  return {
    url: () => url,
    subscribe: (symbols) => [JSON.stringify({ subscribe: symbols })],
    unsubscribe: (symbols) => [JSON.stringify({ unsubscribe: symbols })],
    decode: (frame) => {
      const quote = decodePricingFrame(frame);
      return quote === NOT_PRICING ? [] : [quote];
    },
  };
}

/** Yahoo's public price stream (streamer.finance.yahoo.com) on the shared reconnecting socket. */
export class YahooStream {
  private readonly socket: ReconnectingSocket<StreamQuote>;

  constructor(options: YahooStreamOptions) {
    this.socket = new ReconnectingSocket({
      protocol: yahooProtocol(options.url ?? YAHOO_STREAM_URL),
      serverName: 'the streamer',
      resubscribeMs: options.resubscribeMs ?? 15_000,
      backoff: options.backoff,
      pingMs: options.pingMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      now: options.now,
      // Messages may still arrive for a symbol just unsubscribed.
      onMessage: (quote) => {
        if (this.socket.symbols.has(quote.symbol)) options.onQuote(quote);
      },
      onState: options.onState,
    });
  }

  get state(): StreamState {
    return this.socket.state;
  }

  get counters(): ReconnectingSocket<StreamQuote>['counters'] {
    return this.socket.counters;
  }

  setSymbols(symbols: readonly string[]): void {
    this.socket.setSymbols(symbols);
  }

  stop(): void {
    this.socket.stop();
  }
}
