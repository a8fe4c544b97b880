import type { SourceState } from '../source.ts';
import { YahooHttpError, YahooTimeoutError } from './http-guard.ts';

/** What a failed Yahoo call means for the user and for the next attempt. */
export interface YahooFailure {
  state: Extract<SourceState, 'rate-limited' | 'delayed' | 'offline'>;
  /** Short, for the status bar. */
  reason: string;
  retryAfterMs: number | undefined;
  /** The cookie or crumb is no longer accepted: start a new session before retrying. */
  resetSession: boolean;
}

export function classifyFailure(error: unknown): YahooFailure {
  if (error instanceof YahooHttpError) {
    const { status, retryAfterMs } = error;
    if (status === 429) return { state: 'rate-limited', reason: 'rate-limited', retryAfterMs, resetSession: false };
    if (status === 401 || status === 403)
      return { state: 'delayed', reason: `session refused (HTTP ${status})`, retryAfterMs, resetSession: true };
    return { state: 'delayed', reason: `Yahoo server error (HTTP ${status})`, retryAfterMs, resetSession: false };
  }
  if (error instanceof YahooTimeoutError)
    return { state: 'offline', reason: 'Yahoo did not answer in time', retryAfterMs: undefined, resetSession: false };
  const message = error instanceof Error ? error.message : String(error);
  // Failures of the cookie/consent/crumb handshake inside yahoo-finance2 arrive as plain Errors.
  if (/crumb|cookie|consent/i.test(message))
    return { state: 'delayed', reason: 'Yahoo session handshake failed', retryAfterMs: undefined, resetSession: true };
  if (/fetch failed|ENOTFOUND|ECONNREFUSED|ECONNRESET|EAI_AGAIN|network/i.test(message))
    return { state: 'offline', reason: 'Yahoo is unreachable', retryAfterMs: undefined, resetSession: false };
  // Unparsable or unexpected answers: Yahoo is there but said something we cannot use.
  return {
    state: 'delayed',
    reason: `unusable answer from Yahoo (${message.slice(0, 80)})`,
    retryAfterMs: undefined,
    resetSession: false,
  };
}
