import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../engine/sources/yahoo/failure.ts';
import { YahooHttpError } from '../../engine/sources/yahoo/http-guard.ts';
import type { LiveQuote } from '../../engine/sources/yahoo/quote-ticks.ts';
import { SymbolFeeds, type FeedContext } from '../../engine/sources/yahoo/symbol-feeds.ts';

const NOW = Date.UTC(2026, 11, 1, 15, 0, 0);
const row = (extra: Partial<LiveQuote> = {}): LiveQuote => ({
  symbol: 'AAPL',
  regularMarketPrice: 200,
  regularMarketTime: NOW - 2_000,
  regularMarketVolume: 1_000_000,
  marketState: 'REGULAR',
  exchangeDataDelayedBy: 0,
  ...extra,
});
const ctx = (extra: Partial<FeedContext> = {}): FeedContext => ({
  now: NOW,
  stream: { kind: 'down', reason: 'connect ECONNREFUSED', retryAt: NOW + 8_000 },
  silenceMs: 60_000,
  failed: undefined,
  paused: false,
  pollEveryMs: 5_000,
  ...extra,
});

function polledAt(at: number, quote = row()): SymbolFeeds {
  const feeds = new SymbolFeeds();
  feeds.polled(['AAPL'], [quote], [], at);
  return feeds;
}

describe('SymbolFeeds: why a price is stale', () => {
  it('fresh polled data while the stream is down is polling, not stale', () => {
    expect(polledAt(NOW - 3_000).health('AAPL', ctx())).toEqual({
      provider: 'Yahoo Finance',
      mode: 'polling',
      why: 'stream down: connect ECONNREFUSED, retrying in 8 s',
      receivedAt: NOW - 3_000,
      stale: null,
    });
  });

  it('old data with the stream down is "stream down"; with streaming off, "no data"', () => {
    expect(polledAt(NOW - 90_000).health('AAPL', ctx()).stale).toEqual({
      reason: 'stream-down',
      detail: 'nothing for 90 s; stream down: connect ECONNREFUSED, retrying in 8 s',
    });
    expect(polledAt(NOW - 90_000).health('AAPL', ctx({ stream: undefined })).stale).toMatchObject({
      reason: 'no-data',
    });
  });

  it.each([
    [401, 'session', 'session refused (HTTP 401)'],
    [429, 'rate-limited', 'rate-limited'],
    [503, 'provider-error', 'Yahoo server error (HTTP 503)'],
  ] as const)('a failing poll (HTTP %i) is "%s"', (status, reason, detail) => {
    const failed = {
      failure: classifyFailure(
        new YahooHttpError(status, 'https://query2.finance.yahoo.com/v7/finance/quote', undefined),
      ),
      retryAt: NOW + 4_000,
    };
    expect(polledAt(NOW - 3_000).health('AAPL', ctx({ failed })).stale).toEqual({
      reason,
      detail: `${detail}, retrying in 4 s; stream down`,
    });
  });

  it('a crumb handshake failure is "session", no network is "offline"', () => {
    const crumb = { failure: classifyFailure(new Error('Could not get crumb')), retryAt: NOW };
    expect(polledAt(NOW).health('AAPL', ctx({ failed: crumb })).stale?.reason).toBe('session');
    const offline = { failure: classifyFailure(new TypeError('fetch failed')), retryAt: NOW };
    expect(polledAt(NOW).health('AAPL', ctx({ failed: offline })).stale?.reason).toBe('offline');
  });

  it('a row Yahoo sent in a shape we cannot use is "bad data"; pause beats everything', () => {
    const feeds = new SymbolFeeds();
    feeds.polled(['AAPL'], [], [{ symbol: 'AAPL', reason: 'regularMarketPrice: expected number' }], NOW);
    expect(feeds.health('AAPL', ctx()).stale).toEqual({
      reason: 'bad-data',
      detail: 'regularMarketPrice: expected number',
    });
    expect(feeds.health('AAPL', ctx({ paused: true })).stale).toEqual({ reason: 'paused', detail: 'paused' });
  });

  it('a holiday or night is "market closed" until a streamed message shows trading', () => {
    const feeds = polledAt(NOW - 1_000, row({ marketState: 'CLOSED' }));
    const open = ctx({ stream: { kind: 'open', since: NOW - 600_000 } });
    expect(feeds.health('AAPL', open)).toMatchObject({ mode: 'streaming', stale: { reason: 'market-closed' } });
    feeds.streamed('AAPL', false, NOW);
    expect(feeds.health('AAPL', open)).toMatchObject({ mode: 'streaming', stale: null });
  });
});
