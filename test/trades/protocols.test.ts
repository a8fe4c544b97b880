import { describe, expect, it } from 'vitest';
import { decodeCoinbaseFrame } from '../../engine/sources/trades/coinbase-protocol.ts';
import { decodeFinnhubFrame, finnhubProtocol } from '../../engine/sources/trades/finnhub-protocol.ts';
import { providerRefusal } from '../../engine/domain/provider.ts';
import { COINBASE_SAMPLES, FINNHUB_SAMPLES } from './trade-servers.ts';

describe('Coinbase market_trades frames', () => {
  it('reads a real trade: price and size from their decimal strings, the trade time to the millisecond', () => {
    expect(decodeCoinbaseFrame(JSON.stringify(COINBASE_SAMPLES.trades))).toEqual([
      {
        kind: 'trades',
        trades: [
          {
            symbol: 'BTC-USD',
            ts: Date.UTC(2026, 3, 13, 22, 37, 22, 888),
            price: 74214,
            size: 0.0173,
            id: '1000273158',
          },
        ],
      },
    ]);
  });

  it('reads heartbeats as proof of life, acknowledgements as nothing, and an error as the server said it', () => {
    expect(decodeCoinbaseFrame(JSON.stringify(COINBASE_SAMPLES.heartbeat))).toEqual([{ kind: 'alive' }]);
    expect(decodeCoinbaseFrame(JSON.stringify(COINBASE_SAMPLES.subscriptions))).toEqual([]);
    expect(decodeCoinbaseFrame('{"type":"error","message":"failure to subscribe"}')).toEqual([
      { kind: 'error', message: 'failure to subscribe' },
    ]);
  });

  it('refuses what is not a Coinbase message, and a trade with an unreadable price or time', () => {
    expect(() => decodeCoinbaseFrame('not json')).toThrow();
    expect(() => decodeCoinbaseFrame('{"channel":"ticker"}')).toThrow(/not a Coinbase message/);
    const trade = COINBASE_SAMPLES.trades.events[0].trades[0];
    const withTrade = (changes: object) =>
      JSON.stringify({ ...COINBASE_SAMPLES.trades, events: [{ type: 'update', trades: [{ ...trade, ...changes }] }] });
    expect(() => decodeCoinbaseFrame(withTrade({ price: 'NaN' }))).toThrow(/decimal/);
    expect(() => decodeCoinbaseFrame(withTrade({ price: '0' }))).toThrow(/positive/);
    expect(() => decodeCoinbaseFrame(withTrade({ time: 'yesterday' }))).toThrow(/unreadable time/);
  });
});

describe('Finnhub trade frames', () => {
  it('reads the documented trade message, and spells class shares as the watchlist does', () => {
    expect(decodeFinnhubFrame(JSON.stringify(FINNHUB_SAMPLES.trade))).toEqual([
      { kind: 'trades', trades: [{ symbol: 'BINANCE:BTCUSDT', ts: 1575526691134, price: 7296.89, size: 0.011467 }] },
    ]);
    const brk = { ...FINNHUB_SAMPLES.trade, data: [{ ...FINNHUB_SAMPLES.trade.data[0], s: 'BRK.B' }] };
    expect(decodeFinnhubFrame(JSON.stringify(brk))).toMatchObject([{ trades: [{ symbol: 'BRK-B' }] }]);
    expect(decodeFinnhubFrame(JSON.stringify(FINNHUB_SAMPLES.ping))).toEqual([{ kind: 'alive' }]);
    expect(decodeFinnhubFrame('{"type":"error","msg":"Subscribing to too many symbols"}')).toEqual([
      { kind: 'error', message: 'Subscribing to too many symbols' },
    ]);
    expect(() => decodeFinnhubFrame('{"type":"trade","data":[{"s":"AAPL","p":-1,"t":1,"v":1}]}')).toThrow();
  });

  it('subscribes one symbol per message and carries the key in the URL, encoded', () => {
    const protocol = finnhubProtocol(() => 'a&b=c', 'ws://127.0.0.1:1');
    expect(protocol.url()).toBe('ws://127.0.0.1:1?token=a%26b%3Dc');
    expect(protocol.subscribe(['AAPL', 'BRK-B'])).toEqual([
      '{"type":"subscribe","symbol":"AAPL"}',
      '{"type":"subscribe","symbol":"BRK.B"}',
    ]);
  });
});

describe('which provider streams which symbol', () => {
  it('Coinbase takes crypto pairs, Finnhub US stocks, each saying why it refuses the others', () => {
    expect(providerRefusal('coinbase', 'BTC-USD')).toBeUndefined();
    expect(providerRefusal('coinbase', 'AAPL')).toMatch(/crypto pairs/);
    expect(providerRefusal('finnhub', 'BRK-B')).toBeUndefined();
    expect(providerRefusal('finnhub', 'BTC-USD')).toMatch(/US stocks/);
    expect(providerRefusal('finnhub', 'VOD.L')).toMatch(/US stocks/);
  });
});
