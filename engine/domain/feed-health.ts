import { z } from 'zod';

/** Why a symbol's price is not fresh: what the watchlist says instead of going blank. */
export const STALE_REASONS = [
  'paused',
  'rate-limited',
  'session',
  'offline',
  'provider-error',
  'unknown-symbol',
  'bad-data',
  'market-closed',
  'delayed',
  'stream-down',
  'no-data',
  /** A keyed provider (Finnhub) has no key yet. */
  'no-key',
  /** Past the provider's free-tier cap on streamed symbols. */
  'over-limit',
] as const;
export type StaleReason = (typeof STALE_REASONS)[number];

/** Where a watched symbol's prices come from now, when they last came, and why they are stale if they are. */
export const FeedHealthSchema = z.object({
  /** Who supplies the prices: "Yahoo Finance", "Coinbase", "Finnhub", "Simulator", "CSV replay". */
  provider: z.string(),
  mode: z.enum(['streaming', 'polling', 'simulated', 'replay']),
  /** Why a feed that can stream is polling instead. */
  why: z.string().optional(),
  /** Wall-clock time the feed last heard of the symbol (a streamed message or a polled row); null: not yet. */
  receivedAt: z.number().nullable(),
  stale: z.object({ reason: z.enum(STALE_REASONS), detail: z.string() }).nullable(),
});
export type FeedHealth = z.infer<typeof FeedHealthSchema>;
