import { describe, expect, it } from 'vitest';
import { QuoteTicker, type LiveQuote } from '../../engine/sources/yahoo/quote-ticks.ts';

/** 2026-12-01, a Tuesday, New York time (UTC−5). */
const at = (hh: number, mm: number, ss = 0, day = 1) => Date.UTC(2026, 11, day, hh + 5, mm, ss);
const quote = (ts: number, price: number, volume?: number): LiveQuote => ({
  symbol: 'AAPL',
  regularMarketPrice: price,
  regularMarketTime: ts,
  ...(volume === undefined ? {} : { regularMarketVolume: volume }),
  quoteType: 'EQUITY',
  exchangeTimezoneName: 'America/New_York',
});

/** A ticker whose feed began watching the day before, so a new day's volume is all the feed's. */
const ticker = () => new QuoteTicker({ liveSince: () => at(9, 0, 0, 0) });

describe('QuoteTicker fed by the price stream and the poll together', () => {
  it('counts volume a poll row brings after newer streamed prices without volume, once, at the row’s time', () => {
    const t = ticker();
    expect(t.toTick(quote(at(10, 0, 0), 200, 1_000_000))).toMatchObject({ volume: 0 });
    expect(t.toTick(quote(at(10, 0, 5), 200.5))).toMatchObject({ ts: at(10, 0, 5), price: 200.5, volume: 0 });
    // The poll answers for 10:00:03, behind the stream's price but with more volume.
    expect(t.toTick(quote(at(10, 0, 3), 200.25, 1_000_400))).toEqual({
      symbol: 'AAPL',
      ts: at(10, 0, 3),
      price: 200.25,
      volume: 400,
      source: 'yahoo',
    });
    expect(t.toTick(quote(at(10, 0, 3), 200.25, 1_000_400))).toBeUndefined();
    expect(t.toTick(quote(at(10, 0, 2), 200.2, 1_000_300))).toBeUndefined();
    // A newer streamed price still adds no volume; the next poll row adds only what is new.
    expect(t.toTick(quote(at(10, 0, 8), 200.75))).toMatchObject({ volume: 0 });
    expect(t.toTick(quote(at(10, 0, 7), 200.7, 1_000_450))).toMatchObject({ volume: 50 });
  });

  it('after the volume changes feeds, a lower figure moves the baseline instead of starting a session', () => {
    const t = ticker();
    t.toTick(quote(at(11, 0, 0), 100, 5_000_000));
    t.volumeFeedChanged('AAPL');
    expect(t.toTick(quote(at(11, 0, 2), 100.1, 4_999_000))).toMatchObject({ volume: 0 });
    expect(t.toTick(quote(at(11, 0, 4), 100.2, 4_999_600))).toMatchObject({ volume: 600 });
    // Without the switch, the same drop would count the whole figure again as a new session.
    const plain = ticker();
    plain.toTick(quote(at(11, 0, 0), 100, 5_000_000));
    expect(plain.toTick(quote(at(11, 0, 2), 100.1, 4_999_000))).toMatchObject({ volume: 4_999_000 });
  });

  it('takes the first volume seen as the baseline when the first quotes had none', () => {
    const t = ticker();
    t.toTick(quote(at(12, 0, 0), 50));
    expect(t.toTick(quote(at(12, 0, 1), 50.5, 7_000_000))).toMatchObject({ volume: 0 });
    expect(t.toTick(quote(at(12, 0, 2), 50.6, 7_000_100))).toMatchObject({ volume: 100 });
  });

  it('tells a new day by the day of the volume, not of a pre-market price without volume', () => {
    const t = ticker();
    t.toTick(quote(at(15, 59, 0, 0), 10, 1_000)); // a thin stock's close the day before
    expect(t.toTick(quote(at(8, 0, 0), 10.2))).toMatchObject({ volume: 0 }); // pre-market, streamed
    // Its first regular message: the day's 5,000 so far are all new, not 5,000 − yesterday's 1,000.
    expect(t.toTick(quote(at(9, 45, 0), 10.4, 5_000))).toMatchObject({ volume: 5_000 });
  });
});
