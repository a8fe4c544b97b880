import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../unit/helpers.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { editQuote, startOn, yahooHarness, type Harness } from './helpers.ts';
import type { Tick } from '../../engine/domain/tick.ts';

const AAPL_TIME = 1739566800_000;
const BABA_TIME = 1739566802_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.source.stop();
  h = undefined;
  vi.useRealTimers();
});

describe('Yahoo live quotes on recorded exchanges', () => {
  it('shakes hands (cookie, consent, crumb) and polls the whole watchlist in one quote() request', async () => {
    h = yahooHarness();
    await startOn(h, ['AAPL', 'BABA']);
    expect(h.fixtures.log.slice(0, 7)).toEqual([
      'GET https://finance.yahoo.com/quote/AAPL',
      expect.stringContaining('GET https://guce.yahoo.com/consent'),
      expect.stringContaining('GET https://consent.yahoo.com/v2/collectConsent'),
      expect.stringContaining('POST https://consent.yahoo.com/v2/collectConsent'),
      expect.stringContaining('GET https://guce.yahoo.com/copyConsent'),
      'GET https://finance.yahoo.com/quote/AAPL?guccounter=1',
      'GET https://query.finance.yahoo.com/v1/test/getcrumb',
    ]);
    expect(h.quoteRequests()).toEqual(['GET https://query.finance.yahoo.com/v7/finance/quote?symbols=AAPL%2CBABA']);
    expect(h.emitted).toEqual([
      [
        { symbol: 'AAPL', ts: AAPL_TIME, price: 244.6, volume: 0, source: 'yahoo' },
        { symbol: 'BABA', ts: BABA_TIME, price: 124.73, volume: 0, source: 'yahoo' },
      ],
    ]);
    expect(h.source.status()).toEqual({ kind: 'yahoo', state: 'live', message: 'Market closed: 2 symbols every 60 s' });
  });

  it('makes a tick only of a changed quote, with per-tick volume from the cumulative day volume', async () => {
    h = yahooHarness();
    await startOn(h, ['AAPL', 'BABA']);
    await h.source.pollNow(); // the same answer again: nothing changed
    expect(h.emitted).toHaveLength(1);

    h.fixtures.inject(
      'quote?symbols',
      editQuote('AAPL', (row) => {
        row.regularMarketVolume = 40896227 + 1_200;
        row.regularMarketTime = 1739566805;
      }),
    );
    await h.source.pollNow();
    expect(h.emitted[1]).toEqual([
      { symbol: 'AAPL', ts: 1739566805_000, price: 244.6, volume: 1_200, source: 'yahoo' },
    ]);

    h.fixtures.inject(
      'quote?symbols',
      editQuote('BABA', (row) => {
        row.regularMarketPrice = 125.01;
      }),
    );
    await h.source.pollNow();
    // The price moved without volume: a tick of no volume. AAPL is back to the recorded answer, older
    // than the one seen last (a lagging Yahoo server): stale, so neither a tick nor a new baseline;
    // taking its lower volume for a new session would count the whole day's volume again.
    expect(h.emitted[2]).toEqual([{ symbol: 'BABA', ts: BABA_TIME, price: 125.01, volume: 0, source: 'yahoo' }]);

    // A row without its volume says nothing about volume: the baseline stays.
    h.fixtures.inject(
      'quote?symbols',
      editQuote('AAPL', (row) => {
        delete row.regularMarketVolume;
        row.regularMarketPrice = 244.7;
        row.regularMarketTime = 1739566806;
      }),
    );
    await h.source.pollNow();
    h.fixtures.inject(
      'quote?symbols',
      editQuote('AAPL', (row) => {
        row.regularMarketVolume = 40896227 + 1_500;
        row.regularMarketTime = 1739566807;
      }),
    );
    await h.source.pollNow();
    const aapl = (batch: Tick[] | undefined) => batch?.filter((t) => t.symbol === 'AAPL');
    expect(h.emitted.slice(3).map(aapl)).toEqual([
      [{ symbol: 'AAPL', ts: 1739566806_000, price: 244.7, volume: 0, source: 'yahoo' }],
      [{ symbol: 'AAPL', ts: 1739566807_000, price: 244.6, volume: 300, source: 'yahoo' }],
    ]);

    // A lower volume at a later time: the next session counts from zero.
    h.fixtures.inject(
      'quote?symbols',
      editQuote('AAPL', (row) => {
        row.regularMarketVolume = 5_000;
        row.regularMarketTime = 1739566807 + 3 * 86_400;
      }),
    );
    await h.source.pollNow();
    expect(aapl(h.emitted[5])).toEqual([
      { symbol: 'AAPL', ts: (1739566807 + 3 * 86_400) * 1_000, price: 244.6, volume: 5_000, source: 'yahoo' },
    ]);
  });

  it('a stock quote of a new exchange day starts a new session even when its volume did not fall', async () => {
    h = yahooHarness();
    await startOn(h, ['AAPL']);
    // The recorded Friday close had 40,896,227 shares; by Monday 10:00 in New York 41,000,000 traded.
    h.fixtures.inject(
      'quote?symbols',
      editQuote('AAPL', (row) => {
        row.regularMarketVolume = 41_000_000;
        row.regularMarketTime = Date.UTC(2025, 1, 17, 15) / 1_000;
      }),
    );
    await h.source.pollNow();
    expect(h.emitted.at(-1)).toEqual([
      { symbol: 'AAPL', ts: Date.UTC(2025, 1, 17, 15), price: 244.6, volume: 41_000_000, source: 'yahoo' },
    ]);
  });

  it('a futures session goes on across midnight: only a falling volume starts a new one', async () => {
    // The recorded gold future (COMEX, a session from 18:00 to 17:00 New York time), first seen
    // before midnight with 50,000 contracts traded, then as recorded at 05:44 the next day.
    h = yahooHarness({ now: Date.UTC(2025, 1, 17, 4, 40) });
    h.fixtures.inject(
      'quote?symbols',
      editQuote('GC=F', (row) => {
        row.regularMarketVolume = 50_000;
        row.regularMarketTime = Date.UTC(2025, 1, 17, 4, 50) / 1_000;
      }),
    );
    await startOn(h, ['GC=F']);
    await h.source.pollNow();
    expect(h.emitted.flat().map((t) => [t.ts, t.volume])).toEqual([
      [Date.UTC(2025, 1, 17, 4, 50), 0],
      [1739789091_000, 4_706],
    ]);
  });

  it('an answer for a symbol removed while it was on its way leaves no baseline behind for a re-add', async () => {
    h = yahooHarness();
    await startOn(h, ['AAPL', 'BABA']);
    const later = (seconds: number, volume: number) =>
      editQuote('AAPL', (row) => {
        row.regularMarketVolume = 40896227 + volume;
        row.regularMarketTime = 1739566800 + seconds;
      });
    const removeAaplMeanwhile = later(5, 1_000);
    h.fixtures.inject('quote?symbols', {
      kind: 'body',
      edit: (body) => {
        h!.source.setSymbols(['BABA']);
        return removeAaplMeanwhile.edit(body);
      },
    });
    await h.source.pollNow();
    h.source.setSymbols(['AAPL', 'BABA']);
    h.fixtures.inject('quote?symbols', later(10, 3_000));
    await h.source.pollNow();
    // Watched again from here: the first quote is the baseline, what traded while away is history's.
    expect(
      h.emitted
        .flat()
        .filter((t) => t.symbol === 'AAPL')
        .map((t) => t.volume),
    ).toEqual([0, 0]);
  });

  it('polls every 5 s in the regular session and every 60 s when the market is closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    h = yahooHarness();
    h.fixtures.always(
      'quote?symbols',
      editQuote('AAPL', (row) => (row.marketState = 'REGULAR')),
    );
    h.source.setSymbols(['AAPL', 'BABA']);
    h.source.start(async () => {});
    await vi.advanceTimersByTimeAsync(0);
    await h.source.firstPoll;
    expect(h.quoteRequests()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(h.quoteRequests()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.quoteRequests()).toHaveLength(2);
    expect(h.source.status().message).toBe('Live: 2 symbols every 5 s');

    h.fixtures.always('quote?symbols', undefined); // the recording: CLOSED
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.quoteRequests()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(h.quoteRequests()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.quoteRequests()).toHaveLength(4);
  });

  it('keeps the session in a cookie jar file, so a restart skips the handshake', async () => {
    const { dir, cleanup } = tempDir('mm-yahoo-');
    try {
      const cookieFile = path.join(dir, 'yahoo-cookies.json');
      h = yahooHarness({ cookieFile });
      await startOn(h, ['AAPL']);
      await h.source.stop();
      const saved = fs.readFileSync(cookieFile, 'utf8');
      expect(saved).toContain('haT3oykhHqZ'); // the crumb, kept by yahoo-finance2 in the jar

      const fixtures = createFixtureFetch();
      h = yahooHarness({ cookieFile, fixtures });
      await startOn(h, ['AAPL']);
      expect(fixtures.log).toEqual(['GET https://query.finance.yahoo.com/v7/finance/quote?symbols=AAPL']);
      expect(h.emitted.flat().map((t) => t.symbol)).toEqual(['AAPL']);
    } finally {
      cleanup();
    }
  });

  it('a damaged cookie jar file only costs a handshake', async () => {
    const { dir, cleanup } = tempDir('mm-yahoo-');
    try {
      const cookieFile = path.join(dir, 'yahoo-cookies.json');
      fs.writeFileSync(cookieFile, '{"cookies": [tr');
      h = yahooHarness({ cookieFile });
      await startOn(h, ['AAPL']);
      expect(h.fixtures.log.filter((k) => k.endsWith('/v1/test/getcrumb'))).toHaveLength(1);
      expect(h.source.status().state).toBe('live');
      expect(fs.readFileSync(cookieFile, 'utf8')).toContain('haT3oykhHqZ');
    } finally {
      cleanup();
    }
  });

  it('a session file that cannot be written costs the saved session, not the quotes', async () => {
    const { dir, cleanup } = tempDir('mm-yahoo-');
    try {
      const notADirectory = path.join(dir, 'market.db');
      fs.writeFileSync(notADirectory, '');
      h = yahooHarness({ cookieFile: path.join(notADirectory, 'yahoo-cookies.json') });
      await startOn(h, ['AAPL']);
      expect(h.emitted.flat().map((t) => t.symbol)).toEqual(['AAPL']);
      expect(h.source.status().state).toBe('live');
      expect(h.source.status().message).toMatch(/^Market closed: 1 symbol every 60 s · Yahoo session not saved: /);

      // A refused session is forgotten; a file that cannot be removed must not stop the polling.
      h.fixtures.inject('quote?symbols', { kind: 'status', status: 401 });
      await h.source.pollNow();
      expect(h.source.status().state).toBe('delayed');
      h.fixtures.inject(
        'quote?symbols',
        editQuote('AAPL', (row) => (row.regularMarketPrice = 250)),
      );
      await h.source.pollNow();
      expect(h.source.status().state).toBe('live');
      expect(h.emitted.at(-1)?.map((t) => t.price)).toEqual([250]);
    } finally {
      cleanup();
    }
  });

  it('pauses without asking Yahoo anything and resumes at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    h = yahooHarness();
    h.source.setSymbols(['AAPL']);
    h.source.start(async () => {});
    await vi.advanceTimersByTimeAsync(0);
    await h.source.firstPoll;
    h.source.pause();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(h.quoteRequests()).toHaveLength(1);
    expect(h.source.status().state).toBe('paused');
    h.source.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.quoteRequests()).toHaveLength(2);
  });

  it('leaves quotes older than the start of live watching to the history backfill', async () => {
    h = yahooHarness({ now: Date.UTC(2025, 1, 17, 15, 0, 30) }); // the Monday after the recorded Friday close
    await startOn(h, ['AAPL', 'BABA']);
    expect(h.source.liveSince('AAPL')).toBe(Date.UTC(2025, 1, 17, 15, 0, 0));
    expect(h.emitted).toEqual([]);
    expect(h.source.status().state).toBe('live');
    // The recorded quote is the baseline. Monday's first quote is of a new session that began before
    // the feed watched (10:00 in New York): its volume so far is history's, so it is the new baseline.
    // A later change is a tick, with the volume traded since.
    for (const [second, volume] of [
      [40, 2_500_000],
      [50, 2_500_300],
    ] as const) {
      h.fixtures.inject(
        'quote?symbols',
        editQuote('AAPL', (row) => {
          row.regularMarketVolume = volume;
          row.regularMarketPrice = 245;
          row.regularMarketTime = Date.UTC(2025, 1, 17, 15, 0, second) / 1_000;
        }),
      );
      await h.source.pollNow();
    }
    expect(h.emitted).toEqual([
      [{ symbol: 'AAPL', ts: Date.UTC(2025, 1, 17, 15, 0, 40), price: 245, volume: 0, source: 'yahoo' }],
      [{ symbol: 'AAPL', ts: Date.UTC(2025, 1, 17, 15, 0, 50), price: 245, volume: 300, source: 'yahoo' }],
    ]);
  });

  it('fails a test that would reach the network', async () => {
    const fixtures = createFixtureFetch();
    await expect(fixtures.fetch('https://query2.finance.yahoo.com/v7/finance/quote?symbols=ZZZZ')).rejects.toThrow(
      /No recorded Yahoo exchange/,
    );
  });
});
