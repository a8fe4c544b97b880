import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../engine/base/backoff.ts';
import type { ProviderId } from '../../engine/domain/provider.ts';
import { coinbaseProtocol } from '../../engine/sources/trades/coinbase-protocol.ts';
import { finnhubProtocol } from '../../engine/sources/trades/finnhub-protocol.ts';
import type { StreamedTrade } from '../../engine/sources/trades/streamed-trade.ts';
import { TradeFeed, type TradeFeedOptions } from '../../engine/sources/trades/trade-feed.ts';
import { until } from '../unit/helpers.ts';
import { COINBASE_SAMPLES, coinbaseFrame, FakeCoinbase, FakeFinnhub, finnhubFrame } from './trade-servers.ts';

/** Backoff without jitter that remembers every wait it handed out. */
class RecordingBackoff extends Backoff {
  readonly waits: number[] = [];
  override next(retryAfterMs?: number): number {
    const wait = super.next(retryAfterMs);
    this.waits.push(wait);
    return wait;
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Opened {
  feed: TradeFeed;
  trades: StreamedTrade[];
  backoff: RecordingBackoff;
}

function openFeed(provider: ProviderId, url: string, options: Partial<TradeFeedOptions> = {}): Opened {
  const trades: StreamedTrade[] = [];
  const backoff = new RecordingBackoff({ baseMs: 20, maxMs: 160, random: () => 0 });
  const protocol =
    provider === 'coinbase' ? coinbaseProtocol(url) : finnhubProtocol(options.key ?? (() => FakeFinnhub.KEY), url);
  const feed = new TradeFeed({
    provider,
    protocol,
    backoff,
    key: () => FakeFinnhub.KEY,
    onTrades: (_symbol, batch) => trades.push(...batch),
    ...options,
  });
  cleanups.push(() => feed.stop());
  return { feed, trades, backoff };
}

async function coinbase(): Promise<FakeCoinbase> {
  const server = await FakeCoinbase.start();
  cleanups.push(() => server.stop());
  return server;
}

const T0 = Date.UTC(2026, 11, 3, 14, 30);
const trade = (id: number, seconds: number, price: number, symbol = 'BTC-USD') => ({
  id: String(id),
  symbol,
  ts: T0 + seconds * 1_000,
  price,
  size: 0.01 * id,
});

describe('the Coinbase feed against a local server', () => {
  it('subscribes market_trades and heartbeats for the routed pairs, and follows the watchlist at once', async () => {
    const server = await coinbase();
    const { feed } = openFeed('coinbase', server.url);
    feed.setSymbols(['BTC-USD', 'ETH-USD']);
    await until(() => server.subscribed().join() === 'BTC-USD,ETH-USD', 'the subscription');
    expect(server.channels().slice(0, 2)).toEqual(['subscribe market_trades', 'subscribe heartbeats']);
    feed.setSymbols(['ETH-USD']);
    await until(() => server.subscribed().join() === 'ETH-USD', 'BTC-USD unsubscribed');
    feed.setSymbols([]);
    await until(() => server.open === 0, 'the connection closed with nothing to stream');
  });

  it('paces its requests to Coinbase’s 8 messages a second: the rest wait their turn, none is lost', async () => {
    const server = await coinbase();
    const { feed } = openFeed('coinbase', server.url);
    const pairs = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-USD', 'XRP-USD', 'DOGE-USD'];
    feed.setSymbols(pairs.slice(0, 1));
    await until(() => server.subscribed().length === 1, 'the first subscription');
    const before = feed.socketCounters.sent;
    // Five more pairs added one by one: ten requests (trades and heartbeats for each), asked at once.
    for (let i = 2; i <= pairs.length; i++) feed.setSymbols(pairs.slice(0, i));
    expect(feed.socketCounters.sent - before).toBeLessThanOrEqual(8);
    await until(() => server.subscribed().length === pairs.length, 'every pair subscribed');
    expect(feed.socketCounters.sent - before).toBe(10);
  });

  it('sends each trade once, oldest first: the snapshot is newest first and comes again after a reconnect', async () => {
    const server = await coinbase();
    const snapshot = [trade(3, 2, 74_216), trade(2, 1, 74_215), trade(1, 0, 74_214)];
    server.onConnect = (ws) => setTimeout(() => ws.send(coinbaseFrame(snapshot, 'snapshot')), 20);
    const { feed, trades } = openFeed('coinbase', server.url);
    feed.setSymbols(['BTC-USD']);
    await until(() => trades.length === 3, 'the snapshot');
    expect(trades.map((t) => t.id)).toEqual(['1', '2', '3']);

    server.send(coinbaseFrame([trade(4, 3, 74_220)]));
    await until(() => trades.length === 4, 'an update');
    // Trade 5 was made while the connection was down: the next snapshot has it, and 3 and 4 again.
    snapshot.unshift(trade(5, 4, 74_221), trade(4, 3, 74_220));
    server.dropAll();
    await until(() => trades.length === 5, 'the trade made during the outage');
    await until(() => feed.counters.duplicates === 4, 'the four repeats counted');
    expect(trades.map((t) => [t.id, t.price, t.ts - T0])).toEqual([
      ['1', 74_214, 0],
      ['2', 74_215, 1_000],
      ['3', 74_216, 2_000],
      ['4', 74_220, 3_000],
      ['5', 74_221, 4_000],
    ]);
  });

  it('counts garbage frames without pricing them, survives a connection cut mid-frame, and shows Coinbase errors', async () => {
    const server = await coinbase();
    const { feed, trades } = openFeed('coinbase', server.url);
    feed.setSymbols(['BTC-USD']);
    await until(() => server.subscribed().length === 1, 'the subscription');
    server.send('{"channel":"market_trades","events":[{"type":"update","trades":[{"price":"1"}]}]}');
    server.send('<html>502</html>');
    server.send(Buffer.from([1, 2, 3]).toString());
    server.send(JSON.stringify(COINBASE_SAMPLES.heartbeat));
    await until(() => feed.socketCounters.garbled === 3, 'three garbled frames');
    expect(trades).toEqual([]);

    server.cutMidFrame('{"channel":"market_tr');
    await until(() => feed.state.kind === 'down', 'the cut noticed');
    await until(() => server.subscribed().length === 1, 'subscribed again');
    server.send('{"type":"error","message":"failure to subscribe"}');
    await until(() => feed.health('BTC-USD', { paused: false }).why !== undefined, 'the error shown');
    expect(feed.health('BTC-USD', { paused: false }).why).toBe('Coinbase said: failure to subscribe');
    server.send(coinbaseFrame([trade(9, 0, 74_000)]));
    await until(() => trades.length === 1, 'trades again after the cut');
  });

  it('reconnects when the server goes silent, and marks a silent symbol stale with how long', async () => {
    const server = await coinbase();
    const { feed } = openFeed('coinbase', server.url, { idleMs: 200, silenceMs: 100 });
    const reasons: string[] = [];
    const watch = setInterval(() => {
      const { state } = feed;
      if (state.kind === 'down' && reasons.at(-1) !== state.reason) reasons.push(state.reason);
    }, 5);
    cleanups.push(() => clearInterval(watch));
    feed.setSymbols(['BTC-USD']);
    await until(() => server.subscribed().length === 1, 'the subscription');
    server.send(coinbaseFrame([trade(1, 0, 74_000)]));
    await until(() => feed.health('BTC-USD', { paused: false }).receivedAt !== null, 'the trade heard');
    await until(() => feed.health('BTC-USD', { paused: false }).stale?.reason === 'no-data', 'stale for silence');
    expect(feed.health('BTC-USD', { paused: false }).stale!.detail).toMatch(/^no trade for \d+ s$/);
    await until(() => reasons.length > 0, 'the silent connection given up');
    expect(reasons[0]).toMatch(/^nothing received for \d+ s$/);
    await until(() => server.connections.length >= 2, 'a new connection');
  });

  it('bounds a reconnect storm: waits double up to the cap while Coinbase refuses or hangs up', async () => {
    const server = await coinbase();
    server.refuse(true);
    const { feed, backoff } = openFeed('coinbase', server.url);
    feed.setSymbols(['BTC-USD']);
    await until(() => backoff.waits.length >= 5, 'five failed attempts');
    // Accepted, but hung up before any trade: not a recovery, the waits keep growing.
    server.refuse(false);
    server.onConnect = (ws) => ws.close();
    await until(() => backoff.waits.length >= 7, 'two hang-ups');
    expect(backoff.waits.slice(0, 7)).toEqual([10, 20, 40, 80, 80, 80, 80]);
    expect(feed.health('BTC-USD', { paused: false })).toMatchObject({
      provider: 'Coinbase',
      stale: { reason: 'stream-down' },
    });
    // A usable message resets the backoff.
    server.onConnect = (ws) => ws.send(coinbaseFrame([trade(1, 0, 74_000)]));
    await until(() => feed.state.kind === 'open' && feed.socketCounters.messages > 0, 'a usable message');
    server.dropAll();
    const before = backoff.waits.length;
    await until(() => backoff.waits.length > before, 'the next failure');
    expect(backoff.waits.at(-1)).toBe(10);
  });
});

describe('the Finnhub feed against a local server', () => {
  it('connects with the key only, streams at most 50 symbols, and names the cap for the rest', async () => {
    const server = await FakeFinnhub.start();
    cleanups.push(() => server.stop());
    let key: string | undefined;
    const { feed, trades } = openFeed('finnhub', server.url, { key: () => key });
    const symbols = Array.from({ length: 52 }, (_, i) => `S${String.fromCharCode(65 + (i % 26))}${i < 26 ? '' : 'X'}`);
    feed.setSymbols(symbols);
    expect(feed.state.kind).toBe('idle');
    expect(feed.health('SA', { paused: false }).stale).toMatchObject({ reason: 'no-key', detail: /Settings/ });

    key = 'wrong-key-123';
    feed.keyChanged();
    await until(() => feed.state.kind === 'down', 'the refused key');
    expect(feed.health('SA', { paused: false }).stale!.detail).toMatch(/Finnhub answered HTTP 401/);

    key = FakeFinnhub.KEY;
    feed.keyChanged();
    await until(() => server.subscribed().length === 50, 'fifty subscriptions');
    expect(server.tokens().at(-1)).toBe(FakeFinnhub.KEY);
    expect(server.subscribed()).not.toContain(symbols[50]);
    expect(feed.health(symbols[51]!, { paused: false }).stale).toMatchObject({
      reason: 'over-limit',
      detail: `Finnhub's free tier streams 50 symbols at once; ${symbols[51]} is past them`,
    });

    server.send(finnhubFrame([{ symbol: 'SA', ts: T0, price: 190.5, size: 100 }]));
    server.send(finnhubFrame([{ symbol: symbols[51]!, ts: T0, price: 5, size: 1 }]));
    await until(() => trades.length === 1, 'a trade');
    expect(trades).toEqual([{ symbol: 'SA', ts: T0, price: 190.5, size: 100 }]);
    expect(feed.health('SA', { paused: false, marketClosed: 'market closed (post)' }).stale).toEqual({
      reason: 'market-closed',
      detail: 'market closed (post)',
    });
  });
});
