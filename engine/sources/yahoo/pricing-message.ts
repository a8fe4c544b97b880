import protobuf from 'protobufjs';
import { z } from 'zod';
import { PRICING_PROTO } from './pricing-schema.ts';

const PricingData = protobuf
  .parse(PRICING_PROTO, { keepCase: false })
  .root.lookupType('marketmonitor.yahoo.PricingData');

/** Yahoo's numbers for the instrument types, as quote() spells them. */
const QUOTE_TYPES: Record<number, string> = {
  5: 'ALTSYMBOL',
  7: 'HEARTBEAT',
  8: 'EQUITY',
  9: 'INDEX',
  11: 'MUTUALFUND',
  12: 'MONEYMARKET',
  13: 'OPTION',
  14: 'CURRENCY',
  15: 'WARRANT',
  17: 'BOND',
  18: 'FUTURE',
  20: 'ETF',
  23: 'COMMODITY',
  28: 'ECNQUOTE',
  41: 'CRYPTOCURRENCY',
  42: 'INDICATOR',
  1000: 'INDUSTRY',
};

/** The market session of a message; proto3 cannot send the first (0), so an absent field means pre-market. */
const MARKET_HOURS = ['PRE', 'REGULAR', 'POST', 'EXTENDED'] as const;
export type MarketHours = (typeof MARKET_HOURS)[number];

/** What the live feed takes from one streamed price message. */
export interface StreamQuote {
  symbol: string;
  price: number;
  /** The trade's time, epoch ms. */
  time: number;
  /** The day's cumulative volume, when the message carries it (pre-market and currency messages do not). */
  dayVolume: number | undefined;
  marketHours: MarketHours;
  quoteType: string | undefined;
}

const DecodedSchema = z.object({
  id: z.string({ error: 'no symbol' }).min(1, 'no symbol'),
  price: z.number({ error: 'no positive price' }).finite().positive('no positive price'),
  time: z.number({ error: 'no trade time' }).int().positive('no trade time'),
  dayVolume: z.number().int().nonnegative().optional(),
  marketHours: z.number().int().optional(),
  quoteType: z.number().int().optional(),
  priceHint: z.number().int().min(0).max(10).optional(),
});

/**
 * Prices travel as 32-bit floats (307.2 arrives as 307.20001220703125). Rounded to the decimals
 * Yahoo says the instrument is quoted in (or to a float's seven digits), so a streamed price equals
 * the polled one and an unchanged price is not taken for a move.
 */
function intendedPrice(price: number, priceHint: number | undefined): number {
  const rounded = priceHint === undefined ? 0 : Number(price.toFixed(priceHint));
  return rounded > 0 ? rounded : Number(price.toPrecision(7));
}

/** A frame that is not a usable price message: said why, so the feed can count and show it. */
export class PricingFrameError extends Error {}

/** A heartbeat or a frame of another type: nothing to do, and no fault. */
export const NOT_PRICING = Symbol('not a price message');

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * One text frame of Yahoo's streamer: `{"type":"pricing","message":"<base64 protobuf>"}` (version 2),
 * or the bare base64 of the first version. Throws PricingFrameError for anything unusable, so a
 * garbled frame is skipped and counted, never turned into a price.
 */
export function decodePricingFrame(frame: string): StreamQuote | typeof NOT_PRICING {
  const encoded = envelopeMessage(frame.trim());
  if (encoded === undefined) return NOT_PRICING;
  // Buffer.from skips characters that are not base64 instead of failing: check first.
  if (encoded.length % 4 === 1 || !BASE64.test(encoded)) throw new PricingFrameError('the message is not base64');
  let decoded: Record<string, unknown>;
  try {
    decoded = PricingData.toObject(PricingData.decode(Buffer.from(encoded, 'base64')), { longs: Number });
  } catch (error) {
    throw new PricingFrameError(
      `not a PricingData message (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (decoded.quoteType === 7) return NOT_PRICING;
  const parsed = DecodedSchema.safeParse(decoded);
  if (!parsed.success) throw new PricingFrameError(parsed.error.issues[0]?.message ?? 'unusable message');
  const { id, price, time, dayVolume, marketHours, quoteType, priceHint } = parsed.data;
  return {
    symbol: id,
    price: intendedPrice(price, priceHint),
    time,
    dayVolume,
    marketHours: MARKET_HOURS[marketHours ?? 0] ?? 'EXTENDED',
    quoteType: quoteType === undefined ? undefined : QUOTE_TYPES[quoteType],
  };
}

function envelopeMessage(frame: string): string | undefined {
  if (!frame.startsWith('{')) return frame;
  let envelope: unknown;
  try {
    envelope = JSON.parse(frame);
  } catch {
    throw new PricingFrameError('the frame is not JSON');
  }
  const { type, message } = (envelope ?? {}) as { type?: unknown; message?: unknown };
  if (type !== undefined && type !== 'pricing') return undefined;
  if (typeof message !== 'string') throw new PricingFrameError('the frame has no message');
  return message;
}
