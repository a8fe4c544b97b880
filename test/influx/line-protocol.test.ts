// The encoder against the InfluxDB line protocol: escaping per element, integer and string fields,
// and the values the 1.x/2.x parsers cannot hold, which are refused rather than stored wrongly.
import { describe, expect, it } from 'vitest';
import {
  encodePoint,
  escapeMeasurement,
  escapeTag,
  formatFieldValue,
  LineProtocolError,
} from '../../engine/sinks/influx/line-protocol.ts';
import { candleLine, tickLine } from '../../engine/sinks/influx/series.ts';
import { backoffDelay, parseRetryAfter } from '../../engine/base/backoff.ts';
import type { Candle } from '../../engine/domain/candle.ts';

describe('line protocol escaping', () => {
  it('escapes comma and space in measurements, but not "="', () => {
    expect(escapeMeasurement('my measurement,v1=x')).toBe('my\\ measurement\\,v1=x');
  });

  it('escapes comma, space and "=" in tag keys and values; keeps unicode and quotes as they are', () => {
    expect(escapeTag('BRK B,A=1')).toBe('BRK\\ B\\,A\\=1');
    expect(escapeTag('Ä"ö😀')).toBe('Ä"ö😀');
  });

  it('writes a backslash as itself where the parser reads it literally', () => {
    expect(escapeTag('a\\b')).toBe('a\\b');
    expect(escapeTag('a\\\\b')).toBe('a\\\\b');
  });

  it('refuses names the parser cannot hold: trailing backslash, backslash before an escaped character, line breaks, empty', () => {
    for (const bad of ['end\\', 'x\\,y', 'x\\ y', 'x\\=y', 'two\nlines', '']) {
      expect(() => escapeTag(bad), JSON.stringify(bad)).toThrow(LineProtocolError);
    }
    expect(() => escapeMeasurement('m\\ x')).toThrow(LineProtocolError);
    // "=" is not special in a measurement, so a backslash before it is fine there.
    expect(escapeMeasurement('m\\=x')).toBe('m\\=x');
  });

  it('quotes string fields, escaping only " and \\', () => {
    expect(formatFieldValue('say "hi" \\ o, k=1')).toBe('"say \\"hi\\" \\\\ o, k=1"');
  });

  it('writes integers with the i suffix, floats as plain numbers, booleans as words', () => {
    expect(formatFieldValue({ int: 42 })).toBe('42i');
    expect(formatFieldValue({ int: -7 })).toBe('-7i');
    expect(formatFieldValue(101.25)).toBe('101.25');
    expect(formatFieldValue(3)).toBe('3');
    expect(formatFieldValue(1e-7)).toBe('1e-7');
    expect(formatFieldValue(true)).toBe('true');
    expect(() => formatFieldValue({ int: 1.5 })).toThrow(LineProtocolError);
    expect(() => formatFieldValue(Number.NaN)).toThrow(LineProtocolError);
  });

  it('orders tags, skips undefined fields and ends with the millisecond timestamp', () => {
    const line = encodePoint({
      measurement: 'm',
      tags: { z: '1', a: '2' },
      fields: { price: 1.5, side: undefined, n: { int: 3 } },
      ts: 1_700_000_000_123,
    });
    expect(line).toBe('m,a=2,z=1 price=1.5,n=3i 1700000000123');
    expect(() => encodePoint({ measurement: 'm', fields: { a: undefined }, ts: 1 })).toThrow(LineProtocolError);
    expect(() => encodePoint({ measurement: 'm', fields: { a: 1 }, ts: 1.5 })).toThrow(LineProtocolError);
  });
});

describe('series', () => {
  it('writes a tick to stock-price-v1 with price, volume and side', () => {
    expect(
      tickLine({ symbol: 'BRK-B', ts: 1_700_000_000_001, price: 412.5, volume: 300, side: 'buy', source: 'simulator' }),
    ).toBe('stock-price-v1,symbol=BRK-B price=412.5,volume=300,side="buy" 1700000000001');
    expect(tickLine({ symbol: 'EURUSD=X', ts: 5, price: 1.08, volume: 0, source: 'yahoo' })).toBe(
      'stock-price-v1,symbol=EURUSD\\=X price=1.08,volume=0 5',
    );
  });

  it('writes a candle to candles-<interval> at its window start, with vwap and integer trades', () => {
    const candle: Candle = {
      symbol: 'AAPL',
      interval: '1m',
      start: 1_700_000_040_000,
      open: 10,
      high: 12,
      low: 9.5,
      close: 11,
      volume: 4,
      turnover: 42,
      trades: 3,
      buyVolume: 3,
      sellVolume: 1,
      openTs: 1_700_000_040_001,
      closeTs: 1_700_000_040_900,
    };
    expect(candleLine(candle)).toBe(
      'candles-1m,symbol=AAPL open=10,high=12,low=9.5,close=11,volume=4,vwap=10.5,trades=3i 1700000040000',
    );
  });
});

describe('retry timing', () => {
  it('doubles the backoff per attempt up to the cap, with jitter in the upper half', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(10, options, () => 1)).toBe(1_000);
    expect(backoffDelay(10, options, () => 0)).toBe(500);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
