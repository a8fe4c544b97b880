import { z } from 'zod';

/**
 * A real-time trade feed a watched symbol can take its prices from instead of the live source's
 * own (Yahoo): Coinbase for crypto pairs, keyless; Finnhub for US stocks, with the user's free key.
 */
export const ProviderIdSchema = z.enum(['coinbase', 'finnhub']);
export type ProviderId = z.infer<typeof ProviderIdSchema>;

export interface ProviderInfo {
  id: ProviderId;
  /** As the watchlist names it. */
  name: string;
  /** A key the user brings (kept in the OS keychain), or none. */
  needsKey: boolean;
  /** The free tier's cap on symbols streamed at once; symbols past it are shown stale with the cap as the reason. */
  maxSymbols?: number;
  /** The cap on messages a client may send it per second (subscriptions are paced to it). */
  maxMessagesPerSecond?: number;
  /** What it streams, for the watchlist's menu. */
  covers: string;
}

export const PROVIDERS: { readonly [K in ProviderId]: ProviderInfo } = {
  // Coinbase limits an unauthenticated client to 8 messages a second per IP address.
  coinbase: {
    id: 'coinbase',
    name: 'Coinbase',
    needsKey: false,
    maxMessagesPerSecond: 8,
    covers: 'crypto pairs such as BTC-USD',
  },
  // Finnhub's free tier streams 50 symbols per key, each subscribed in a message of its own.
  finnhub: {
    id: 'finnhub',
    name: 'Finnhub',
    needsKey: true,
    maxSymbols: 50,
    covers: 'US stocks, with a free key',
  },
};

/** Coinbase's product ids are Yahoo's crypto symbols: BTC-USD, ETH-EUR. */
const CRYPTO_PAIR = /^[A-Z0-9]{2,10}-[A-Z]{3,4}$/;
/** A US listing as Yahoo spells it: AAPL, BRK-B (Finnhub spells the class BRK.B). */
const US_STOCK = /^[A-Z]{1,5}(-[A-Z])?$/;

/** Why a provider cannot stream a symbol, or undefined when it can. */
export function providerRefusal(provider: ProviderId, symbol: string): string | undefined {
  if (provider === 'coinbase')
    return CRYPTO_PAIR.test(symbol) ? undefined : `Coinbase streams crypto pairs such as BTC-USD, not ${symbol}`;
  return US_STOCK.test(symbol) ? undefined : `Finnhub's free tier streams US stocks such as AAPL, not ${symbol}`;
}
