import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePricingFrame, NOT_PRICING, PricingFrameError } from '../../engine/sources/yahoo/pricing-message.ts';
import { PRICING_PROTO } from '../../engine/sources/yahoo/pricing-schema.ts';
import { REAL_FRAMES, envelope, pricingFrame } from './stream-helpers.ts';

describe("Yahoo's streamed PricingData messages", () => {
  it('the inlined schema is pricing.proto, word for word', () => {
    const file = fs.readFileSync(path.resolve(import.meta.dirname, '../../engine/sources/yahoo/pricing.proto'), 'utf8');
    expect(PRICING_PROTO).toBe(file);
  });

  it("decodes yfinance's BTC-USD sample to the values its test expects", () => {
    expect(decodePricingFrame(envelope(REAL_FRAMES.btcUsd))).toEqual({
      symbol: 'BTC-USD',
      price: 94745.08,
      time: 1736509140000,
      dayVolume: 59712028672,
      marketHours: 'REGULAR',
      quoteType: 'CRYPTOCURRENCY',
    });
  });

  it('decodes a pre-market AAPL message: no volume, market hours 0 is pre-market', () => {
    expect(decodePricingFrame(envelope(REAL_FRAMES.aaplPreMarket))).toEqual({
      symbol: 'AAPL',
      price: 305.76,
      time: 1779437422000,
      dayVolume: undefined,
      marketHours: 'PRE',
      quoteType: 'EQUITY',
    });
  });

  it('reads volume as zigzag sint64: two AAPL messages five seconds apart on 2020-05-18', () => {
    const [first, second] = REAL_FRAMES.aaplRegularPair.map((m) => decodePricingFrame(m));
    expect(first).toMatchObject({
      symbol: 'AAPL',
      price: 314.77,
      time: Date.UTC(2020, 4, 18, 16, 55, 33),
      dayVolume: 17557274,
    });
    expect(second).toMatchObject({ price: 314.79, time: Date.UTC(2020, 4, 18, 16, 55, 38), dayVolume: 17557426 });
    expect(first).toMatchObject({ marketHours: 'REGULAR', quoteType: 'EQUITY' });
  });

  it('takes the bare base64 of the first protocol version and a currency without volume', () => {
    expect(decodePricingFrame(REAL_FRAMES.eurUsd)).toEqual({
      symbol: 'EURUSD=X',
      price: 1.1533,
      time: Date.UTC(2026, 7, 13, 12, 3, 9),
      dayVolume: undefined,
      marketHours: 'REGULAR',
      quoteType: 'CURRENCY',
    });
  });

  it('skips heartbeats and frames of other types without calling them faults', () => {
    expect(decodePricingFrame(envelope(pricingFrame({ id: 'AAPL', quoteType: 7, price: 1, time: 1 })))).toBe(
      NOT_PRICING,
    );
    expect(decodePricingFrame('{"type":"heartbeat"}')).toBe(NOT_PRICING);
  });

  it.each([
    ['not JSON', '{"type":"pricing","message":', /not JSON/],
    ['no message', '{"type":"pricing"}', /no message/],
    ['not base64', envelope('%%%not base64%%%'), /not base64/],
    ['a truncated message', envelope(REAL_FRAMES.btcUsd.slice(0, 40)), /not a PricingData message/],
    [
      'random bytes',
      envelope(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]).toString('base64')),
      /not a PricingData/,
    ],
    ['no price', envelope(pricingFrame({ id: 'AAPL', time: 1_700_000_000_000 })), /no positive price/],
    ['no symbol', envelope(pricingFrame({ price: 10, time: 1_700_000_000_000 })), /no symbol/],
    ['no time', envelope(pricingFrame({ id: 'AAPL', price: 10 })), /no trade time/],
  ])('refuses %s with a reason', (_what, frame, reason) => {
    expect(() => decodePricingFrame(frame)).toThrow(PricingFrameError);
    expect(() => decodePricingFrame(frame)).toThrow(reason);
  });
});
