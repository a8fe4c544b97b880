import { z } from 'zod';
import { SYMBOL_PATTERN, SymbolSchema } from './symbol.ts';

export const SideSchema = z.enum(['buy', 'sell']);
export type Side = z.infer<typeof SideSchema>;

export const TickSourceKindSchema = z.enum(['simulator', 'yahoo', 'replay']);
export type TickSourceKind = z.infer<typeof TickSourceKindSchema>;

/** Who made a tick: a source, or a trade feed a watched symbol was routed to within the live source. */
export const TickOriginSchema = z.enum([...TickSourceKindSchema.options, 'coinbase', 'finnhub']);
export type TickOrigin = z.infer<typeof TickOriginSchema>;

/**
 * The last instant of the year 9999: the latest event time a tick may carry. Every window of such a
 * tick (a day in any time zone included) stays inside JavaScript's date range, and ISO-8601 exports
 * write it with a four-digit year that any reader parses back.
 */
export const MAX_EVENT_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** One trade or quote change, in event time (the exchange's clock, epoch milliseconds). */
export const TickSchema = z
  .object({
    symbol: SymbolSchema,
    ts: z.number().int().positive().max(MAX_EVENT_TIME, 'a time after the year 9999'),
    price: z.number().finite().positive(),
    volume: z.number().finite().nonnegative(),
    side: SideSchema.optional(),
    source: TickOriginSchema,
  })
  .strict();

export type Tick = z.infer<typeof TickSchema>;

export type TickValidation = { ok: true; tick: Tick } | { ok: false; reason: string };

const TICK_KEYS = new Set(['symbol', 'ts', 'price', 'volume', 'side', 'source']);
const SOURCES = new Set<unknown>(TickOriginSchema.options);

/**
 * True for a tick already in canonical form, which is what every source sends: the engine's hot
 * path then skips zod. Anything else (including ticks zod would repair, like a lower-case symbol)
 * goes through the schema, which stays the definition. A test holds the two to agreement.
 */
export function isCanonicalTick(value: unknown): value is Tick {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  for (const key in v) if (!TICK_KEYS.has(key)) return false;
  return (
    typeof v.symbol === 'string' &&
    SYMBOL_PATTERN.test(v.symbol) &&
    typeof v.ts === 'number' &&
    Number.isInteger(v.ts) &&
    v.ts > 0 &&
    v.ts <= MAX_EVENT_TIME &&
    typeof v.price === 'number' &&
    Number.isFinite(v.price) &&
    v.price > 0 &&
    typeof v.volume === 'number' &&
    Number.isFinite(v.volume) &&
    v.volume >= 0 &&
    (v.side === undefined || v.side === 'buy' || v.side === 'sell') &&
    SOURCES.has(v.source)
  );
}

/** Validates a message from any bus; the reason is written for a human reading the dead-letter log. */
export function validateTick(value: unknown): TickValidation {
  const tick = checkTick(value);
  return typeof tick === 'string' ? { ok: false, reason: tick } : { ok: true, tick };
}

/** validateTick for the engine's hot path: the tick, or the reason it is none, with no result object per tick. */
export function checkTick(value: unknown): Tick | string {
  if (isCanonicalTick(value)) return value;
  const parsed = TickSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || 'tick'}: ${issue.message}`).join('; ');
}
