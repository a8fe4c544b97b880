import protobuf from 'protobufjs';
import { FakeSocketServer } from '../support/fake-socket-server.ts';
import { PRICING_PROTO } from '../../engine/sources/yahoo/pricing-schema.ts';

/**
 * Real messages of Yahoo's streamer, as public projects keep them in their tests: yfinance's
 * `tests/test_live.py` (BTC-USD), yahoo-finance2's streamer test (AAPL before the open), a pair of
 * AAPL messages of 2020-05-18 from another project's decoder test, and a EURUSD=X message captured
 * 2026-08-13 (bare base64, as the first protocol version sent it).
 */
export const REAL_FRAMES = {
  btcUsd:
    'CgdCVEMtVVNEFYoMuUcYwLCVgIplIgNVU0QqA0NDQzApOAFFPWrEP0iAgOrxvANVx/25R12csrRHZYD8skR9/' +
    '7i0R7ABgIDq8bwD2AEE4AGAgOrxvAPoAYCA6vG8A/IBA0JUQ4ECAAAAwPrjckGJAgAA2P5ZT3tC',
  aaplPreMarket: 'CgRBQVBMFUjhmEMY4Jbi68lnKgNOTVMwCDgARTxEgT5lACBFP9gBBA==',
  aaplRegularPair: [
    'CgRBQVBMFexhnUMYkI6yi8VcKgNOTVMwCDgBRW68EkBItJzfEGXAwuFA2AEE',
    'CgRBQVBMFR9lnUMYoNyyi8VcKgNOTVMwCDgBRYJBE0BI5J7fEGWAj+JA2AEE',
  ],
  eurUsd: 'CghFVVJVU0Q9WBVanpM/GJDhibD/ZyoDQ0NZMA44AUV3Mb49ZQBAjDrYAQg=',
} as const;

const PricingData = protobuf.parse(PRICING_PROTO).root.lookupType('marketmonitor.yahoo.PricingData');

/** The version-2 envelope around a base64 message. */
export function envelope(base64: string): string {
  return JSON.stringify({ type: 'pricing', message: base64 });
}

/** The fields of a decoded message, in protobufjs's camelCase. */
export function decodeFields(base64: string): Record<string, unknown> {
  return PricingData.toObject(PricingData.decode(Buffer.from(base64, 'base64')), { longs: Number });
}

/** Encodes PricingData fields as Yahoo sends them (base64). */
export function pricingFrame(fields: Record<string, unknown>): string {
  return Buffer.from(PricingData.encode(PricingData.fromObject(fields)).finish()).toString('base64');
}

/** A real message with some fields changed (a later time, another volume), in its envelope. */
export function realFrameAt(base64: string, changes: Record<string, unknown>): string {
  return envelope(pricingFrame({ ...decodeFields(base64), ...changes }));
}

/** A local stand-in for streamer.finance.yahoo.com: JSON `subscribe` / `unsubscribe` lists of symbols. */
export class FakeStreamer extends FakeSocketServer {
  private constructor() {
    super((message) => message as { subscribe?: string[]; unsubscribe?: string[] });
  }

  static async start(): Promise<FakeStreamer> {
    const streamer = new FakeStreamer();
    await streamer.listen('/?version=2');
    return streamer;
  }
}
