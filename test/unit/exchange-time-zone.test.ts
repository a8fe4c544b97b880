import { describe, expect, it } from 'vitest';
import { resolveExchangeTimeZone, suffixTimeZone, TimeZoneSchema } from '../../engine/domain/exchange-time-zone.ts';

describe('A symbol’s exchange time zone', () => {
  it('follows the suffix of Yahoo’s spelling when nothing better is known', () => {
    expect(suffixTimeZone('VOD.L')).toBe('Europe/London');
    expect(suffixTimeZone('7203.T')).toBe('Asia/Tokyo');
    expect(suffixTimeZone('SAP.DE')).toBe('Europe/Berlin');
    expect(suffixTimeZone('BBCA.JK')).toBe('Asia/Jakarta');
    expect(suffixTimeZone('NOVO-B.CO')).toBe('Europe/Copenhagen');
    expect(suffixTimeZone('AZT.OL')).toBe('Europe/Oslo');
    expect(suffixTimeZone('BHP.AX')).toBe('Australia/Sydney');
    expect(suffixTimeZone('0P000071W8.TO')).toBe('America/Toronto');
  });

  it('gives crypto and currency pairs UTC days: they trade around the clock', () => {
    expect(suffixTimeZone('BTC-USD')).toBe('UTC');
    expect(suffixTimeZone('ETH-EUR')).toBe('UTC');
    expect(suffixTimeZone('EURUSD=X')).toBe('UTC');
    expect(suffixTimeZone('JPY=X')).toBe('UTC');
  });

  it('knows no zone for a US ticker or an unknown suffix: those fall to New York', () => {
    expect(suffixTimeZone('AAPL')).toBeUndefined();
    expect(suffixTimeZone('BRK-B')).toBeUndefined();
    expect(suffixTimeZone('GC=F')).toBeUndefined();
    expect(suffixTimeZone('ABC.ZZ')).toBeUndefined();
    expect(resolveExchangeTimeZone({ symbol: 'AAPL' })).toBe('America/New_York');
    expect(resolveExchangeTimeZone({ symbol: 'BRK-B' })).toBe('America/New_York');
  });

  it('takes the user’s choice first, then what the feed reported, then the suffix', () => {
    expect(resolveExchangeTimeZone({ symbol: 'VOD.L' })).toBe('Europe/London');
    expect(resolveExchangeTimeZone({ symbol: 'EURUSD=X', reported: 'Europe/London' })).toBe('Europe/London');
    expect(resolveExchangeTimeZone({ symbol: 'AAPL', reported: 'America/New_York', chosen: 'Asia/Tokyo' })).toBe(
      'Asia/Tokyo',
    );
    expect(resolveExchangeTimeZone({ symbol: 'VOD.L', chosen: null, reported: null })).toBe('Europe/London');
  });

  it('skips a clue that names no time zone', () => {
    expect(resolveExchangeTimeZone({ symbol: 'VOD.L', reported: 'Mars/Olympus' })).toBe('Europe/London');
    expect(resolveExchangeTimeZone({ symbol: 'AAPL', chosen: 'nowhere', reported: 'Europe/Oslo' })).toBe('Europe/Oslo');
  });

  it('refuses a setting that is no IANA zone, with a message saying what to write', () => {
    expect(TimeZoneSchema.parse('Asia/Jakarta')).toBe('Asia/Jakarta');
    const bad = TimeZoneSchema.safeParse('Copenhagen');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/IANA name such as Europe\/London/);
  });
});
