/**
 * Yahoo answers "slow down" and "who are you" with HTTP statuses that yahoo-finance2 turns into a
 * generic error without the response headers. The guard sits between the library and fetch so the
 * status and Retry-After reach the poller, and so a dead connection cannot hang a poll forever.
 */
import { parseRetryAfter } from '../../base/backoff.ts';

/** Statuses worth retrying later: auth (cookie or crumb gone stale), rate limit, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 429 || status >= 500;
}

export class YahooHttpError extends Error {
  override name = 'YahooHttpError';
  readonly status: number;
  /** From the Retry-After header, when Yahoo sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, url: string, retryAfterMs: number | undefined) {
    super(`Yahoo answered HTTP ${status} for ${new URL(url).pathname}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export class YahooTimeoutError extends Error {
  override name = 'YahooTimeoutError';
}

export interface GuardOptions {
  timeoutMs: number;
  now?: () => number;
}

export function guardFetch(inner: typeof fetch, options: GuardOptions): typeof fetch {
  const now = options.now ?? Date.now;
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await inner(input, { ...init, signal });
    } catch (error) {
      if (timeout.aborted) throw new YahooTimeoutError(`Yahoo did not answer within ${options.timeoutMs / 1_000} s`);
      throw error;
    }
    if (isRetryableStatus(response.status)) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      await response.body?.cancel();
      throw new YahooHttpError(response.status, url, parseRetryAfter(response.headers.get('retry-after'), now()));
    }
    return response;
  };
  return guarded as typeof fetch;
}
