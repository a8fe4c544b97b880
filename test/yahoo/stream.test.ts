import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../engine/base/backoff.ts';
import type { StreamQuote } from '../../engine/sources/yahoo/pricing-message.ts';
import { YahooStream, type StreamState, type YahooStreamOptions } from '../../engine/sources/yahoo/yahoo-stream.ts';
import { until } from '../unit/helpers.ts';
import { envelope, FakeStreamer, REAL_FRAMES } from './stream-helpers.ts';

/** Backoff without jitter that remembers every wait it handed out. */
class RecordingBackoff extends Backoff {
  readonly waits: number[] = [];
  override next(retryAfterMs?: number): number {
    const wait = super.next(retryAfterMs);
    this.waits.push(wait);
    return wait;
  }
}

let streamer: FakeStreamer;
let stream: YahooStream | undefined;
beforeEach(async () => {
  streamer = await FakeStreamer.start();
});
afterEach(async () => {
  stream?.stop();
  stream = undefined;
  await streamer.stop();
});

function open(options: Partial<YahooStreamOptions> = {}) {
  const quotes: StreamQuote[] = [];
  const states: StreamState['kind'][] = [];
  const reasons: string[] = [];
  const backoff = new RecordingBackoff({ baseMs: 20, maxMs: 160, random: () => 0 });
  stream = new YahooStream({
    url: streamer.url,
    backoff,
    onQuote: (q) => quotes.push(q),
    onState: (s) => {
      states.push(s.kind);
      if (s.kind === 'down') reasons.push(s.reason);
    },
    ...options,
  });
  return { stream, quotes, states, reasons, backoff };
}

const btc = envelope(REAL_FRAMES.btcUsd);

describe('YahooStream against a local streamer', () => {
  it('subscribes the watchlist, follows its changes at once, and hands over decoded messages', async () => {
    const { stream, quotes } = open();
    stream.setSymbols(['BTC-USD', 'AAPL']);
    await until(() => streamer.subscribed().length === 2, 'the subscription');
    expect(streamer.received[0]).toEqual({ subscribe: ['BTC-USD', 'AAPL'] });

    stream.setSymbols(['BTC-USD', 'MSFT']);
    await until(() => streamer.subscribed().join() === 'BTC-USD,MSFT', 'the changed subscription');
    expect(streamer.received.slice(1)).toEqual([{ subscribe: ['MSFT'] }, { unsubscribe: ['AAPL'] }]);

    streamer.send(btc);
    await until(() => quotes.length === 1, 'a quote');
    expect(quotes[0]).toMatchObject({ symbol: 'BTC-USD', price: 94745.08, dayVolume: 59712028672 });
    expect(stream.state.kind).toBe('open');
  });

  it('closes the socket when the watchlist empties, and opens one when it fills again', async () => {
    const { stream } = open();
    stream.setSymbols(['AAPL']);
    await until(() => streamer.open === 1, 'a connection');
    stream.setSymbols([]);
    await until(() => streamer.open === 0, 'the socket closed');
    expect(stream.state.kind).toBe('idle');
    stream.setSymbols(['AAPL']);
    await until(() => streamer.subscribed().join() === 'AAPL', 'a new subscription');
    expect(streamer.connections).toHaveLength(2);
  });

  it('drops messages of a symbol no longer watched', async () => {
    const { stream, quotes } = open();
    stream.setSymbols(['AAPL']);
    await until(() => streamer.open === 1, 'a connection');
    streamer.send(btc);
    streamer.send(envelope(REAL_FRAMES.aaplRegularPair[0]));
    await until(() => quotes.length === 1, 'the AAPL quote');
    expect(quotes.map((q) => q.symbol)).toEqual(['AAPL']);
  });

  it('skips garbage frames and counts them, and keeps reading the ones after', async () => {
    const { stream, quotes } = open();
    stream.setSymbols(['BTC-USD']);
    await until(() => streamer.open === 1, 'a connection');
    streamer.send('{"type":"pricing","message":"%%%"}');
    streamer.send('not json at all{');
    streamer.send(envelope(REAL_FRAMES.btcUsd.slice(0, 30)));
    streamer.send(btc);
    await until(() => quotes.length === 1, 'the good quote');
    expect(stream.counters).toMatchObject({ garbled: 3, messages: 1 });
    expect(stream.counters.lastGarbled).toMatch(/PricingData/);
    expect(stream.state.kind).toBe('open');
  });

  it('reconnects and subscribes everything again after the socket is closed in the middle of a frame', async () => {
    const { stream, quotes, states } = open();
    stream.setSymbols(['BTC-USD', 'AAPL']);
    await until(() => streamer.open === 1, 'a connection');
    streamer.cutMidFrame();
    await until(() => streamer.connections.length === 2 && streamer.subscribed().length === 2, 'a reconnect');
    expect(states).toContain('down');
    expect(quotes).toEqual([]);
    streamer.send(btc);
    await until(() => quotes.length === 1, 'a quote on the new connection');
    expect(stream.state.kind).toBe('open');
  });

  it('bounds a reconnect storm: waits double up to the cap while the streamer refuses or hangs up', async () => {
    const { stream, backoff, reasons } = open();
    streamer.refuse(true);
    stream.setSymbols(['AAPL']);
    await until(() => backoff.waits.length >= 5, 'five failed attempts');
    streamer.refuse(false);
    // Accepted, but hung up before any message: not a recovery, the waits keep growing.
    const hangUp = setInterval(() => streamer.dropAll(), 1);
    await until(() => backoff.waits.length >= 7, 'two hang-ups');
    clearInterval(hangUp);
    // Equal jitter at its floor: half the ceiling, which doubles from 20 ms to the 160 ms cap.
    expect(backoff.waits.slice(0, 7)).toEqual([10, 20, 40, 80, 80, 80, 80]);
    expect(stream.counters.connects).toBe(backoff.waits.length + (stream.state.kind === 'down' ? 0 : 1));
    expect(reasons[0]).toBe('the streamer answered HTTP 503');
  });

  it('a usable message resets the backoff, so the next failure is retried soon again', async () => {
    const { stream, backoff } = open();
    streamer.refuse(true);
    stream.setSymbols(['BTC-USD']);
    await until(() => backoff.waits.length >= 3, 'three failed attempts');
    streamer.refuse(false);
    await until(() => streamer.open === 1, 'a connection');
    streamer.send(btc);
    await until(() => stream.counters.messages === 1, 'a message');
    streamer.dropAll();
    await until(() => backoff.waits.length >= 4, 'the next failure');
    expect(backoff.waits.slice(0, 4)).toEqual([10, 20, 40, 10]);
  });

  it('drops a connection whose streamer stopped answering pings, and connects again', async () => {
    const { stream, states } = open({ pingMs: 30 });
    stream.setSymbols(['AAPL']);
    await until(() => streamer.open === 1, 'a connection');
    // The server stops reading: pings go unanswered, though TCP stays up.
    (streamer.connections[0] as unknown as { _socket: { pause(): void } })._socket.pause();
    await until(() => streamer.connections.length === 2, 'a new connection');
    expect(states).toContain('down');
  });

  it('sends the whole subscription again now and then, as a keep-alive', async () => {
    const { stream } = open({ resubscribeMs: 20 });
    stream.setSymbols(['AAPL', 'MSFT']);
    await until(() => streamer.received.length >= 3, 'reminders');
    expect(streamer.received.slice(0, 3)).toEqual(Array(3).fill({ subscribe: ['AAPL', 'MSFT'] }));
  });
});
