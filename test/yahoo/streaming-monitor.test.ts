import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MarketMonitor } from '../../engine/app/market-monitor.ts';
import { Backoff } from '../../engine/base/backoff.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { until } from '../unit/helpers.ts';
import { FakeStreamer, REAL_FRAMES, realFrameAt } from './stream-helpers.ts';

/** The recorded BTC-USD quote's day volume: the baseline the stream's volume is counted from. */
const QUOTE_VOLUME = 21228961792;

let streamer: FakeStreamer;
let app: MarketMonitor | undefined;
beforeEach(async () => {
  streamer = await FakeStreamer.start();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await streamer.stop();
});

async function openStreaming(): Promise<MarketMonitor> {
  app = await MarketMonitor.open({
    dbPath: ':memory:',
    overrides: { source: { kind: 'yahoo' } },
    starterSymbols: ['BTC-USD'],
    yahooClient: yahooClientFactory({ fetch: createFixtureFetch().fetch, timeoutMs: 500 }),
    yahooStream: { url: streamer.url, backoff: new Backoff({ baseMs: 20, maxMs: 100, random: () => 0 }) },
    statusEveryMs: 20,
  });
  return app;
}

const storedTicks = (app: MarketMonitor) =>
  app.db.prepare('SELECT ts, price, volume FROM ticks ORDER BY ts, id').all() as Array<{
    ts: number;
    price: number;
    volume: number;
  }>;

describe('MarketMonitor on the Yahoo stream', () => {
  it('stores streamed messages as ticks at their trade time, volume exactly once, and shows the feed per symbol', async () => {
    const app = await openStreaming();
    await until(() => streamer.subscribed().join() === 'BTC-USD', 'the subscription');
    await until(() => app.status().source.state === 'live', 'the first poll');
    const t0 = Date.now();
    streamer.send(realFrameAt(REAL_FRAMES.btcUsd, { time: t0, dayVolume: QUOTE_VOLUME + 300, price: 96100 }));
    streamer.send(realFrameAt(REAL_FRAMES.btcUsd, { time: t0 + 1_000, dayVolume: QUOTE_VOLUME + 450, price: 96101.5 }));
    // The same message again (a re-sent subscription's answer): no tick.
    streamer.send(realFrameAt(REAL_FRAMES.btcUsd, { time: t0 + 1_000, dayVolume: QUOTE_VOLUME + 450, price: 96101.5 }));
    await until(() => storedTicks(app).length === 2, 'two stored ticks');
    expect(storedTicks(app)).toEqual([
      { ts: t0, price: 96100, volume: 300 },
      { ts: t0 + 1_000, price: 96101.5, volume: 150 },
    ]);
    const [item] = app.watchItems();
    expect(item!.last).toEqual({ price: 96101.5, ts: t0 + 1_000 });
    expect(item!.feed).toMatchObject({ provider: 'Yahoo Finance', mode: 'streaming', stale: null });
    expect(app.status().source).toMatchObject({ mode: 'streaming', message: expect.stringMatching(/^Streaming · /) });
  });

  it('announces a switch to polling on the watchlist without waiting for a tick, and polls only when streaming is off', async () => {
    const app = await openStreaming();
    const feeds: string[] = [];
    app.events.subscribe((event, payload) => {
      const feed = (payload as Array<{ feed?: { mode: string; why?: string } }>)[0]?.feed;
      if (event === 'watchlist' && feed) feeds.push(`${feed.mode} ${feed.why ?? ''}`.trim());
    });
    await until(() => streamer.subscribed().join() === 'BTC-USD', 'the subscription');
    await until(() => feeds.at(-1) === 'streaming', 'the watchlist told of streaming');
    streamer.refuse(true);
    streamer.dropAll();
    await until(() => feeds.some((f) => f.startsWith('polling stream down: ')), 'the watchlist told of polling');

    streamer.refuse(false);
    await until(() => streamer.subscribed().join() === 'BTC-USD', 'subscribed again');
    await until(() => feeds.at(-1) === 'streaming', 'the watchlist told of streaming again');

    await app.updateSettings({
      ...app.settings,
      source: { ...app.settings.source, yahoo: { ...app.settings.source.yahoo, streaming: false } },
    });
    await until(() => streamer.open === 0, 'the stream closed');
    expect(app.watchItems()[0]!.feed).toMatchObject({ mode: 'polling', why: 'streaming off in Settings' });
    expect(app.status().source).toMatchObject({ mode: 'polling', why: 'streaming off in Settings' });
  });
});
