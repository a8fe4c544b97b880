import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { InfluxSettings } from '../../domain/influx-settings.ts';
import { parseRetryAfter } from '../../base/backoff.ts';

const gzipAsync = promisify(gzip);

/** What became of one request. `retry` says whether the same lines may succeed later. */
export type WriteOutcome =
  | { ok: true }
  | { ok: false; retry: true; error: string; retryAfterMs?: number }
  | {
      ok: false;
      retry: false;
      error: string;
      /** Lines the server says it dropped; the rest were written. */
      dropped?: number;
    };

export interface InfluxEndpoint {
  url: URL;
  headers: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** The write endpoint of either API version, with millisecond precision. */
export function writeEndpoint(settings: InfluxSettings): InfluxEndpoint {
  const base = settings.url.replace(/\/+$/, '');
  if (settings.version === '2') {
    const url = new URL(`${base}/api/v2/write`);
    url.search = new URLSearchParams({ org: settings.org, bucket: settings.bucket, precision: 'ms' }).toString();
    return { url, headers: { Authorization: `Token ${settings.token}` } };
  }
  const url = new URL(`${base}/write`);
  const params = new URLSearchParams({ db: settings.db, precision: 'ms' });
  if (settings.rp) params.set('rp', settings.rp);
  // Credentials go in the header, not the query string, so that proxies do not log them.
  const headers: Record<string, string> = {};
  if (settings.user)
    headers.Authorization = `Basic ${Buffer.from(`${settings.user}:${settings.password}`).toString('base64')}`;
  url.search = params.toString();
  return { url, headers };
}

/** Sends lines (joined by newlines) as one gzip request and classifies the answer. */
export async function writeLines(
  endpoint: InfluxEndpoint,
  lines: readonly string[],
  signal?: AbortSignal,
): Promise<WriteOutcome> {
  const body = await gzipAsync(lines.join('\n'));
  let res: Response;
  try {
    res = await fetch(endpoint.url, {
      method: 'POST',
      headers: { ...endpoint.headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'gzip' },
      body,
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
        : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, retry: true, error: `${endpoint.url.origin} did not answer: ${describe(error)}` };
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel();
    return { ok: true };
  }
  const message = `${res.status} ${await errorText(res)}`;
  // A malformed or oversized batch will fail again: retrying would block every line behind it.
  if (res.status === 400 || res.status === 413 || res.status === 422) {
    // 1.x writes the good lines of a batch and says how many it dropped ("partial write: ... dropped=N").
    const dropped = /\bdropped=(\d+)/.exec(message);
    return dropped
      ? { ok: false, retry: false, error: message, dropped: Number(dropped[1]) }
      : { ok: false, retry: false, error: message };
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  return retryAfterMs === undefined
    ? { ok: false, retry: true, error: message }
    : { ok: false, retry: true, error: message, retryAfterMs };
}

/** The error message of a 1.x (`{"error": ...}`) or 2.x (`{"code", "message"}`) answer, or its text. */
export async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const json = JSON.parse(text) as { error?: string; message?: string; code?: string };
    return json.error ?? (json.message ? `${json.code ? `${json.code}: ` : ''}${json.message}` : text);
  } catch {
    return text.trim().slice(0, 500) || res.statusText;
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
