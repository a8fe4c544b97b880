import { z } from 'zod';
import type { StreamProtocol } from '../ws/reconnecting-socket.ts';
import type { FeedMessage } from './streamed-trade.ts';

export const FINNHUB_STREAM_URL = 'wss://ws.finnhub.io';

const FrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('trade'),
    data: z.array(
      z.object({
        s: z.string(),
        p: z.number().positive(),
        t: z.number().int().positive(),
        v: z.number().nonnegative(),
      }),
    ),
  }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('error'), msg: z.string() }),
]);

/**
 * Finnhub's trades WebSocket: the key in the URL, one JSON `subscribe` per symbol, trades as
 * `{type: "trade", data: [{s, p, t (ms), v}]}`. The watchlist spells class shares BRK-B; Finnhub BRK.B.
 */
export function finnhubProtocol(
  key: () => string | undefined,
  url: string = FINNHUB_STREAM_URL,
): StreamProtocol<FeedMessage> {
  const frames = (type: 'subscribe' | 'unsubscribe', symbols: readonly string[]) =>
    symbols.map((symbol) => JSON.stringify({ type, symbol: symbol.replace('-', '.') }));
  return {
    url: () => `${url}?token=${encodeURIComponent(key() ?? '')}`,
    subscribe: (symbols) => frames('subscribe', symbols),
    unsubscribe: (symbols) => frames('unsubscribe', symbols),
    decode: (frame) => decodeFinnhubFrame(frame),
  };
}

export function decodeFinnhubFrame(frame: string): FeedMessage[] {
  const parsed = FrameSchema.safeParse(JSON.parse(frame));
  if (!parsed.success) throw new Error(`not a Finnhub message: ${parsed.error.issues[0]?.message ?? 'unknown shape'}`);
  const message = parsed.data;
  if (message.type === 'ping') return [{ kind: 'alive' }];
  if (message.type === 'error') return [{ kind: 'error', message: message.msg }];
  const trades = message.data.map((t) => ({ symbol: t.s.replace('.', '-'), ts: t.t, price: t.p, size: t.v }));
  return [{ kind: 'trades', trades }];
}
