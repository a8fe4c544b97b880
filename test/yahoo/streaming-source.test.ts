import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tick } from '../../engine/domain/tick.ts';
import { Backoff } from '../../engine/base/backoff.ts';
import { CookieJarFile } from '../../engine/sources/yahoo/cookie-jar-file.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { YahooSource } from '../../engine/sources/yahoo/yahoo-source.ts';
import { createFixtureFetch, type FixtureFetch } from '../support/yahoo-fixtures.ts';
import { until } from '../unit/helpers.ts';
import { editQuote } from './helpers.ts';
import { FakeStreamer, REAL_FRAMES, realFrameAt } from './stream-helpers.ts';

/** The recorded BTC-USD quote: 96,077.45 at 2025-02-17 10:53:00 UTC, day volume 21,228,961,792. */
const QUOTE_TIME = 1739789580_000;
const QUOTE_VOLUME = 21228961792;
const SILENCE_MS = 60_000;

let streamer: FakeStreamer;
let source: YahooSource | undefined;
let clock = QUOTE_TIME + 30_000;
beforeEach(async () => {
  streamer = await FakeStreamer.start();
  clock = QUOTE_TIME + 30_000;
});
afterEach(async () => {
  await source?.stop();
  source = undefined;
  await streamer.stop();
});

function streamingSource(fixtures: FixtureFetch = createFixtureFetch()) {
  const ticks: Tick[] = [];
  source = new YahooSource({
    client: yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 1_000 }),
    cookies: new CookieJarFile(undefined),
    // Polls happen when the test asks, or when the stream fails: never by the clock.
    intervals: { regularMs: 3_600_000, extendedMs: 3_600_000, closedMs: 3_600_000 },
    backoff: new Backoff({ baseMs: 2_000, random: () => 0 }),
    now: () => clock,
    stream: {
      enabled: true,
      url: streamer.url,
      silenceMs: SILENCE_MS,
      backoff: new Backoff({ baseMs: 20, maxMs: 100, random: () => 0 }),
    },
  });
  return { source, ticks, fixtures };
}

async function startOn(s: YahooSource, ticks: Tick[], symbols: string[]): Promise<void> {
  s.setSymbols(symbols);
  s.start(async (batch) => void ticks.push(...batch));
  await s.firstPoll;
  await until(() => streamer.subscribed().join() === [...symbols].sort().join(), 'the subscription');
}

/** A BTC-USD message as Yahoo streams it (yfinance's real sample), at a later time and volume. */
const btcAt = (secondsAfterQuote: number, volumeAdded: number, price = 96100) =>
  realFrameAt(REAL_FRAMES.btcUsd, {
    time: QUOTE_TIME + secondsAfterQuote * 1_000,
    dayVolume: QUOTE_VOLUME + volumeAdded,
    price,
  });

const volume = (ticks: Tick[]) => ticks.reduce((sum, t) => sum + t.volume, 0);

describe('YahooSource with the price stream', () => {
  it('streams: messages become ticks at their trade time, the day volume counted once from the poll baseline', async () => {
    const { source, ticks } = streamingSource();
    await startOn(source, ticks, ['BTC-USD']);
    expect(ticks).toEqual([{ symbol: 'BTC-USD', ts: QUOTE_TIME, price: 96077.45, volume: 0, source: 'yahoo' }]);

    streamer.send(btcAt(5, 1_000, 96100.5));
    streamer.send(btcAt(7, 1_500, 96101.25));
    await until(() => ticks.length === 3, 'two streamed ticks');
    expect(ticks.slice(1)).toEqual([
      { symbol: 'BTC-USD', ts: QUOTE_TIME + 5_000, price: 96100.5, volume: 1_000, source: 'yahoo' },
      { symbol: 'BTC-USD', ts: QUOTE_TIME + 7_000, price: 96101.25, volume: 500, source: 'yahoo' },
    ]);
    // The slow poll still answers with its older row: no price news, and its volume is the stream's to give.
    await source.pollNow();
    expect(ticks).toHaveLength(3);
    expect(volume(ticks)).toBe(1_500);

    expect(source.status()).toMatchObject({ kind: 'yahoo', state: 'live', mode: 'streaming' });
    expect(source.status().message).toMatch(/^Streaming · /);
    expect(source.feedOf('BTC-USD')).toEqual({
      provider: 'Yahoo Finance',
      mode: 'streaming',
      receivedAt: clock,
      stale: null,
    });
  });

  it('falls back to the poll when the socket fails and back to the stream when it returns, volume exactly once', async () => {
    const fixtures = createFixtureFetch();
    const { source, ticks } = streamingSource(fixtures);
    await startOn(source, ticks, ['BTC-USD']);
    streamer.send(btcAt(5, 1_000));
    await until(() => ticks.length === 2, 'a streamed tick');

    // The socket fails and the streamer refuses new ones: the poll takes over at once.
    const polls = source.counters.polls;
    fixtures.inject(
      '/v7/finance/quote',
      editQuote('BTC-USD', (row) => {
        row.regularMarketTime = QUOTE_TIME / 1_000 + 10;
        row.regularMarketVolume = QUOTE_VOLUME + 1_800;
        row.regularMarketPrice = 96120;
      }),
    );
    streamer.refuse(true);
    streamer.dropAll();
    await until(() => source.counters.polls > polls && ticks.length === 3, 'the fallback poll');
    expect(ticks[2]).toEqual({
      symbol: 'BTC-USD',
      ts: QUOTE_TIME + 10_000,
      price: 96120,
      volume: 800,
      source: 'yahoo',
    });
    // Between refused attempts the stream is briefly "connecting": wait for "down", then read it all at once.
    await until(() => /^stream down: /.test(source.feedOf('BTC-USD').why ?? ''), 'the stream down');
    expect(source.feedOf('BTC-USD')).toMatchObject({
      mode: 'polling',
      why: expect.stringMatching(/^stream down: /),
      stale: null,
    });
    expect(source.status()).toMatchObject({ mode: 'polling', why: expect.stringMatching(/^stream down: /) });
    expect(source.status().message).toMatch(
      /^Polling \(stream down: .*retrying in \d+ s\) · Live: 1 symbol every 3600 s$/,
    );

    streamer.refuse(false);
    await until(() => streamer.subscribed().join() === 'BTC-USD', 'the stream back');
    streamer.send(btcAt(12, 2_600, 96130));
    await until(() => ticks.length === 4, 'a streamed tick again');
    expect(ticks[3]).toMatchObject({ ts: QUOTE_TIME + 12_000, volume: 800 });
    expect(source.feedOf('BTC-USD').mode).toBe('streaming');
    expect(volume(ticks)).toBe(2_600);
  });

  it('a stream that stops sending: the symbol is polled after the silence, and a lasting poll failure marks it stale', async () => {
    const fixtures = createFixtureFetch();
    const { source, ticks } = streamingSource(fixtures);
    await startOn(source, ticks, ['BTC-USD']);
    streamer.send(btcAt(5, 1_000));
    await until(() => ticks.length === 2, 'a streamed tick');

    clock += SILENCE_MS + 1_000;
    expect(source.feedOf('BTC-USD')).toMatchObject({ mode: 'polling', why: 'stream silent for 61 s' });
    expect(source.status().message).toMatch(/^Polling \(stream silent for 61 s\)/);

    fixtures.always('/v7/finance/quote', { kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    await source.pollNow();
    expect(source.feedOf('BTC-USD').stale).toEqual({
      reason: 'rate-limited',
      detail: 'rate-limited, retrying in 30 s',
    });

    // A message again: streaming, and fresh, whatever the poll says.
    streamer.send(btcAt(70, 1_200));
    await until(() => ticks.length === 3, 'the stream again');
    expect(source.feedOf('BTC-USD')).toMatchObject({ mode: 'streaming', stale: null });
  });

  it('says why a price is stale: unknown symbol, market closed, delayed exchange', async () => {
    const fixtures = createFixtureFetch();
    fixtures.inject('/v7/finance/quote', {
      kind: 'body',
      edit: (body: { quoteResponse: { result: unknown[] } }) => ({
        ...body,
        quoteResponse: { ...body.quoteResponse, result: [] },
      }),
    });
    const { source, ticks } = streamingSource(fixtures);
    await startOn(source, ticks, ['BTC-USD']);
    expect(source.feedOf('BTC-USD').stale).toEqual({
      reason: 'unknown-symbol',
      detail: 'Yahoo has no quote for BTC-USD',
    });
    await source.stop();

    const closed = streamingSource();
    await startOn(closed.source, closed.ticks, ['AAPL']);
    clock += 10 * SILENCE_MS;
    // Subscribed and quiet while the market is shut: still streaming, and the price is marked as a closed market's.
    expect(closed.source.feedOf('AAPL')).toMatchObject({
      mode: 'streaming',
      stale: { reason: 'market-closed', detail: 'market closed (closed)' },
    });
    await closed.source.stop();

    const delayed = streamingSource();
    await startOn(delayed.source, delayed.ticks, ['AZT.OL']);
    expect(delayed.source.feedOf('AZT.OL').stale).toEqual({
      reason: 'delayed',
      detail: 'delayed 15 min by the exchange',
    });
  });

  it('pre-market messages keep the feed alive but are no ticks: the live feed follows the regular session', async () => {
    const { source, ticks } = streamingSource();
    await startOn(source, ticks, ['AAPL']);
    const before = ticks.length;
    // yahoo-finance2's real pre-market AAPL message, moved after the recorded quote (Yahoo said CLOSED).
    clock += 1_000;
    streamer.send(realFrameAt(REAL_FRAMES.aaplPreMarket, { time: clock }));
    await until(() => source.feedOf('AAPL').stale === null, 'the message heard');
    expect(ticks).toHaveLength(before);
    expect(source.feedOf('AAPL')).toMatchObject({ mode: 'streaming', receivedAt: clock });
    expect(source.counters.streamedTicks).toBe(0);
  });

  it('crypto trades around the clock: its messages are ticks whatever session they say', async () => {
    const { source, ticks } = streamingSource();
    await startOn(source, ticks, ['BTC-USD']);
    streamer.send(
      realFrameAt(REAL_FRAMES.btcUsd, { time: QUOTE_TIME + 5_000, dayVolume: QUOTE_VOLUME + 10, marketHours: 3 }),
    );
    await until(() => ticks.length === 2, 'the tick');
    expect(ticks[1]).toMatchObject({ ts: QUOTE_TIME + 5_000, volume: 10 });
  });

  it('subscriptions follow the watchlist, and a paused source closes the stream', async () => {
    const { source, ticks } = streamingSource();
    await startOn(source, ticks, ['BTC-USD']);
    source.setSymbols(['BTC-USD', 'AAPL']);
    await until(() => streamer.subscribed().join() === 'AAPL,BTC-USD', 'AAPL subscribed');
    source.setSymbols(['AAPL']);
    await until(() => streamer.subscribed().join() === 'AAPL', 'BTC-USD unsubscribed');
    source.pause();
    await until(() => streamer.open === 0, 'the stream closed');
    expect(source.status()).toEqual({ kind: 'yahoo', state: 'paused', message: 'Yahoo Finance paused' });
    expect(source.feedOf('AAPL').stale).toEqual({ reason: 'paused', detail: 'paused' });
    source.resume();
    await until(() => streamer.subscribed().join() === 'AAPL', 'subscribed again');
    source.setSymbols([]);
    await until(() => streamer.open === 0, 'the stream closed for an empty watchlist');
    expect(source.status().message).toMatch(/^Nothing to stream · /);
    expect(source.status().mode).toBeUndefined();
  });
});
