import { describe, it, expect } from 'vitest';
import type { EventName, EventPayload, Status } from '../../engine/api/contract.ts';
import { EventHub } from '../../engine/api/event-hub.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Interval } from '../../engine/domain/interval.ts';

type Message = { event: EventName; payload: unknown; at: number };

function record(hub: EventHub): Message[] {
  const got: Message[] = [];
  hub.subscribe(<E extends EventName>(event: E, payload: EventPayload<E>) => {
    got.push({ event, payload, at: performance.now() });
  });
  return got;
}

function candle(symbol: string, interval: Interval, start: number, close: number): Candle {
  return {
    symbol,
    interval,
    start,
    open: 1,
    high: Math.max(1, close),
    low: Math.min(1, close),
    close,
    volume: 1,
    turnover: close,
    trades: 1,
    buyVolume: 0,
    sellVolume: 0,
    openTs: start,
    closeTs: start,
  };
}

function status(accepted: number): Status {
  return {
    source: { kind: 'simulator', state: 'live', message: '' },
    bus: { kind: 'in-process', topic: 't', connected: true, buffered: 0, bufferCapacity: 1, partitions: [] },
    engine: { ticksPerSecond: 0, accepted, late: 0, invalid: 0, openWindows: 0, listenerErrors: [] },
    database: { path: ':memory:', sizeBytes: 0 },
    sinks: [],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventHub', () => {
  it('merges candles by series and window, the newest state winning, into one message', () => {
    const hub = new EventHub(1_000);
    const got = record(hub);
    hub.publish('candles', [candle('AAPL', '1m', 0, 1), candle('AAPL', '1s', 0, 2)]);
    hub.publish('candles', [candle('AAPL', '1m', 0, 3), candle('MSFT', '1m', 0, 4)]);
    hub.publish('candles', [candle('AAPL', '1m', 60_000, 5), candle('AAPL', '1m', 0, 6)]);
    expect(got).toEqual([]); // nothing goes out synchronously
    hub.flush();
    expect(got).toHaveLength(1);
    expect(got[0]!.event).toBe('candles');
    const sent = got[0]!.payload as Candle[];
    const byKey = new Map(sent.map((c) => [`${c.symbol}|${c.interval}|${c.start}`, c.close]));
    expect(sent).toHaveLength(byKey.size);
    expect(byKey).toEqual(
      new Map([
        ['AAPL|1m|0', 6],
        ['AAPL|1s|0', 2],
        ['MSFT|1m|0', 4],
        ['AAPL|1m|60000', 5],
      ]),
    );
    hub.close();
  });

  it('keeps only the latest status and watchlist, sends every notice, one message per channel per flush', () => {
    const hub = new EventHub(1_000);
    const got = record(hub);
    for (let i = 1; i <= 5; i++) {
      hub.publish('status', status(i));
      hub.publish('candles', [candle('AAPL', '1s', i * 1_000, i)]);
      hub.publish('watchlist', [
        {
          symbol: 'AAPL',
          position: 0,
          addedAt: 0,
          last: { price: i, ts: i },
          dayOpen: null,
          dayVolume: 0,
          spark: [],
          provider: null,
        },
      ]);
    }
    hub.publish('notice', { level: 'info', message: 'one' });
    hub.publish('notice', { level: 'warning', message: 'two' });
    hub.flush();
    const count = (e: EventName) => got.filter((m) => m.event === e).length;
    expect(count('status')).toBe(1);
    expect(count('candles')).toBe(1);
    expect(count('watchlist')).toBe(1);
    expect((got.find((m) => m.event === 'status')!.payload as Status).engine.accepted).toBe(5);
    expect((got.find((m) => m.event === 'candles')!.payload as Candle[]).length).toBe(5);
    expect(got.find((m) => m.event === 'watchlist')!.payload).toEqual([
      {
        symbol: 'AAPL',
        position: 0,
        addedAt: 0,
        last: { price: 5, ts: 5 },
        dayOpen: null,
        dayVolume: 0,
        spark: [],
        provider: null,
      },
    ]);
    expect(got.filter((m) => m.event === 'notice').map((m) => (m.payload as { message: string }).message)).toEqual([
      'one',
      'two',
    ]);

    // Nothing pending: a flush sends nothing, and what was sent is not sent again.
    got.length = 0;
    hub.flush();
    expect(got).toEqual([]);
    hub.close();
  });

  it('sends the first events after a quiet frame on the next turn, together; the next ones a frame after', async () => {
    const frameMs = 40;
    const hub = new EventHub(frameMs);
    const got = record(hub);
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    hub.publish('status', status(1));
    hub.publish('candles', [candle('AAPL', '1s', 0, 1)]);
    expect(got).toEqual([]); // never synchronously: what the same turn publishes rides along
    await nextTurn();
    expect(got.map((m) => m.event).sort()).toEqual(['candles', 'status']);
    const first = got[0]!.at;

    hub.publish('candles', [candle('AAPL', '1s', 0, 2)]);
    await nextTurn();
    expect(got).toHaveLength(2); // within the frame of the last flush: it waits
    const deadline = Date.now() + 2_000;
    while (got.length < 3 && Date.now() < deadline) await sleep(2);
    expect(got).toHaveLength(3);
    expect(got[2]!.at - first).toBeGreaterThanOrEqual(frameMs - 2);
    expect((got[2]!.payload as Candle[])[0]!.close).toBe(2);
    hub.close();
  });

  it('a steady stream still flushes every frame: publishing does not postpone delivery', async () => {
    const frameMs = 25;
    const hub = new EventHub(frameMs);
    const got = record(hub);
    const start = performance.now();
    let i = 0;
    while (performance.now() - start < 300) {
      hub.publish('candles', [candle('AAPL', '1s', 0, ++i)]);
      await sleep(3);
    }
    const during = got.length;
    hub.flush();
    // At most one message per frame, and several frames' worth while the stream went on.
    expect(during).toBeGreaterThanOrEqual(3);
    expect(during).toBeLessThanOrEqual(Math.ceil(300 / frameMs) + 1);
    // Every message held the newest state at its time: the last one carries the last close.
    expect((got.at(-1)!.payload as Candle[])[0]!.close).toBe(i);
    hub.close();
  });

  it('stops delivering to an unsubscribed listener, and close() drops what was pending', async () => {
    const hub = new EventHub(5);
    const kept = record(hub);
    const dropped: EventName[] = [];
    const unsubscribe = hub.subscribe((event) => dropped.push(event));
    hub.publish('status', status(1));
    unsubscribe();
    hub.flush();
    expect(kept.map((m) => m.event)).toEqual(['status']);
    expect(dropped).toEqual([]);

    hub.publish('status', status(2));
    hub.close();
    await sleep(30);
    expect(kept).toHaveLength(1);
  });
});
