import { FakeSocketServer } from '../support/fake-socket-server.ts';

/**
 * Messages in the shapes the providers document, with the values of real ones that public
 * projects keep in their tests: a Coinbase market_trades update of BTC-USD (2026-04-13), the
 * heartbeats and subscriptions acknowledgements of the Advanced Trade docs, and Finnhub's
 * documented trade message (BINANCE:BTCUSDT, 2019-12-05) and ping.
 */
export const COINBASE_SAMPLES = {
  trades: {
    channel: 'market_trades',
    client_id: '',
    timestamp: '2026-04-13T22:37:22.952905057Z',
    sequence_num: 3,
    events: [
      {
        type: 'update',
        trades: [
          {
            trade_id: '1000273158',
            product_id: 'BTC-USD',
            price: '74214',
            size: '0.0173',
            side: 'BUY',
            time: '2026-04-13T22:37:22.888019Z',
          },
        ],
      },
    ],
  },
  heartbeat: {
    channel: 'heartbeats',
    client_id: '',
    timestamp: '2023-06-23T20:31:26.122969572Z',
    sequence_num: 0,
    events: [{ current_time: '2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105', heartbeat_counter: '3049' }],
  },
  subscriptions: {
    channel: 'subscriptions',
    client_id: '',
    timestamp: '2026-04-07T14:30:00.000000Z',
    sequence_num: 0,
    events: [{ subscriptions: { market_trades: ['BTC-USD', 'ETH-USD'] } }],
  },
} as const;

export const FINNHUB_SAMPLES = {
  trade: { data: [{ p: 7296.89, s: 'BINANCE:BTCUSDT', t: 1575526691134, v: 0.011467 }], type: 'trade' },
  ping: { type: 'ping' },
} as const;

export interface TradeAt {
  id?: string;
  symbol: string;
  ts: number;
  price: number;
  size: number;
}

/** The real Coinbase message with other trades in it (a snapshot, newest first, or an update). */
export function coinbaseFrame(trades: readonly TradeAt[], type: 'snapshot' | 'update' = 'update'): string {
  const [sample] = COINBASE_SAMPLES.trades.events[0].trades;
  return JSON.stringify({
    ...COINBASE_SAMPLES.trades,
    timestamp: new Date(Math.max(...trades.map((t) => t.ts))).toISOString(),
    events: [
      {
        type,
        trades: trades.map((t) => ({
          ...sample,
          trade_id: t.id ?? sample.trade_id,
          product_id: t.symbol,
          price: String(t.price),
          size: String(t.size),
          time: new Date(t.ts).toISOString(),
        })),
      },
    ],
  });
}

/** The documented Finnhub trade message with other trades in it. */
export function finnhubFrame(trades: readonly TradeAt[]): string {
  return JSON.stringify({
    ...FINNHUB_SAMPLES.trade,
    data: trades.map((t) => ({ ...FINNHUB_SAMPLES.trade.data[0], s: t.symbol, p: t.price, t: t.ts, v: t.size })),
  });
}

interface CoinbaseRequest {
  type?: string;
  channel?: string;
  product_ids?: string[];
}

/** advanced-trade-ws.coinbase.com on 127.0.0.1: subscriptions are the market_trades channel's product ids. */
export class FakeCoinbase extends FakeSocketServer {
  private constructor() {
    super((message) => {
      const { type, channel, product_ids = [] } = message as CoinbaseRequest;
      if (channel !== 'market_trades') return {};
      return type === 'subscribe' ? { subscribe: product_ids } : { unsubscribe: product_ids };
    });
  }

  static async start(): Promise<FakeCoinbase> {
    const server = new FakeCoinbase();
    await server.listen('/');
    return server;
  }

  /** The channels each request named, as sent. */
  channels(): string[] {
    return this.received.map((m) => `${(m as CoinbaseRequest).type} ${(m as CoinbaseRequest).channel}`);
  }
}

/** ws.finnhub.io on 127.0.0.1: one `subscribe` per symbol; a handshake without the right token gets 401. */
export class FakeFinnhub extends FakeSocketServer {
  /** The key it accepts. */
  static readonly KEY = 'c0ffee0test0key0finnhub';

  private constructor() {
    super((message) => {
      const { type, symbol } = message as { type?: string; symbol?: string };
      if (!symbol) return {};
      return type === 'subscribe' ? { subscribe: [symbol] } : { unsubscribe: [symbol] };
    });
  }

  static async start(): Promise<FakeFinnhub> {
    const server = new FakeFinnhub();
    await server.listen('/');
    return server;
  }

  protected override refusalFor(url: string): number | undefined {
    const token = new URL(url, 'ws://x').searchParams.get('token');
    return token === FakeFinnhub.KEY ? super.refusalFor(url) : 401;
  }

  /** The tokens the handshakes carried. */
  tokens(): string[] {
    return this.handshakes.map((url) => new URL(url, 'ws://x').searchParams.get('token') ?? '');
  }
}
