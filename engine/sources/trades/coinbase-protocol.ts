import { z } from 'zod';
import type { StreamProtocol } from '../ws/reconnecting-socket.ts';
import type { FeedMessage, StreamedTrade } from './streamed-trade.ts';

export const COINBASE_STREAM_URL = 'wss://advanced-trade-ws.coinbase.com';

const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'a decimal number')
  .transform(Number);

const TradeSchema = z.object({
  trade_id: z.string(),
  product_id: z.string(),
  price: decimal.refine((p) => p > 0, 'a positive price'),
  size: decimal,
  time: z.string().transform((text, ctx) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: `an unreadable time ${text}` });
    return ms;
  }),
});

const FrameSchema = z.discriminatedUnion('channel', [
  z.object({
    channel: z.literal('market_trades'),
    events: z.array(z.object({ type: z.string(), trades: z.array(TradeSchema) })),
  }),
  z.object({ channel: z.literal('heartbeats') }),
  z.object({ channel: z.literal('subscriptions') }),
]);

const ErrorSchema = z.object({ type: z.literal('error'), message: z.string() });

/**
 * Coinbase Advanced Trade's public market data: the `market_trades` channel (every trade, batched
 * over 250 ms, a snapshot of recent trades first) and `heartbeats`, which keeps the subscription
 * open through quiet spells (Coinbase closes a silent channel within 60-90 s) and proves the feed alive.
 */
export function coinbaseProtocol(url: string = COINBASE_STREAM_URL): StreamProtocol<FeedMessage> {
  const frames = (type: 'subscribe' | 'unsubscribe', symbols: readonly string[]) => [
    JSON.stringify({ type, product_ids: symbols, channel: 'market_trades' }),
    JSON.stringify({ type, product_ids: symbols, channel: 'heartbeats' }),
  ];
  return {
    url: () => url,
    subscribe: (symbols) => frames('subscribe', symbols),
    unsubscribe: (symbols) => frames('unsubscribe', symbols),
    decode: (frame) => decodeCoinbaseFrame(frame),
  };
}

export function decodeCoinbaseFrame(frame: string): FeedMessage[] {
  const json: unknown = JSON.parse(frame);
  const error = ErrorSchema.safeParse(json);
  if (error.success) return [{ kind: 'error', message: error.data.message }];
  const parsed = FrameSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a Coinbase message: ${parsed.error.issues[0]?.message ?? 'unknown shape'}`);
  const message = parsed.data;
  if (message.channel === 'subscriptions') return [];
  if (message.channel === 'heartbeats') return [{ kind: 'alive' }];
  const trades: StreamedTrade[] = message.events.flatMap((event) =>
    event.trades.map((t) => ({ symbol: t.product_id, ts: t.time, price: t.price, size: t.size, id: t.trade_id })),
  );
  return [{ kind: 'trades', trades }];
}
