/** One trade as a provider's stream sent it, in the watchlist's spelling of the symbol. */
export interface StreamedTrade {
  symbol: string;
  /** The exchange's trade time, epoch milliseconds. */
  ts: number;
  price: number;
  size: number;
  /** The provider's trade id, when it sends one: a trade sent twice (a snapshot after a reconnect) counts once. */
  id?: string;
}

/** What a provider's frame says, once read. */
export type FeedMessage =
  | { kind: 'trades'; trades: StreamedTrade[] }
  /** Proof of life with nothing traded (Coinbase's heartbeats, Finnhub's pings). */
  | { kind: 'alive' }
  /** The server refused something (a subscription, the key): shown as the feed's reason. */
  | { kind: 'error'; message: string };
