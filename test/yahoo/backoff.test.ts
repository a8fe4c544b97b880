import { describe, expect, it } from 'vitest';
import { Backoff, parseRetryAfter } from '../../engine/base/backoff.ts';
import { classifyFailure } from '../../engine/sources/yahoo/failure.ts';
import { YahooHttpError } from '../../engine/sources/yahoo/http-guard.ts';

describe('Backoff and Retry-After', () => {
  it('doubles its ceiling per failure, waits between half and all of it, and stops at the cap', () => {
    let r = 0;
    const backoff = new Backoff({ baseMs: 1_000, maxMs: 8_000, random: () => r });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      500, 1_000, 2_000, 4_000, 4_000,
    ]);
    r = 0.999_999;
    expect(backoff.next()).toBe(8_000);
    backoff.reset();
    r = 0.5;
    expect(backoff.next()).toBe(750);
  });

  it('never retries sooner than Retry-After asks', () => {
    const backoff = new Backoff({ baseMs: 1_000, random: () => 0 });
    expect(backoff.next(40_000)).toBe(40_000);
    expect(backoff.next(100)).toBe(1_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2025, 1, 17, 12, 0, 0);
    expect(parseRetryAfter('40', now)).toBe(40_000);
    expect(parseRetryAfter('Mon, 17 Feb 2025 12:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Mon, 17 Feb 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('classifies what went wrong into what the user sees', () => {
    const http = (status: number) =>
      classifyFailure(new YahooHttpError(status, 'https://query2.finance.yahoo.com/x', 5_000));
    expect(http(429)).toMatchObject({ state: 'rate-limited', retryAfterMs: 5_000, resetSession: false });
    expect(http(401)).toMatchObject({ state: 'delayed', resetSession: true });
    expect(http(403)).toMatchObject({ state: 'delayed', resetSession: true });
    expect(http(502)).toMatchObject({ state: 'delayed', resetSession: false });
    expect(classifyFailure(new Error('Failed to get crumb, status 500'))).toMatchObject({ resetSession: true });
    expect(classifyFailure(new TypeError('fetch failed'))).toMatchObject({ state: 'offline' });
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({
      state: 'delayed',
    });
  });
});
