import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serves the real Yahoo HTTP exchanges recorded by the yahoo-finance2 project (fetch-mock-cache
 * format) through an injected fetch. A request that matches no recording throws, so a test that
 * would have reached the network fails instead of passing.
 */

/** ../shared/fixtures beside the repository, as CI lays it out. */
export const FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/fixtures/yahoo-http',
);

interface Recording {
  file: string;
  request: { url: string; method?: string };
  response: {
    status: number;
    statusText?: string;
    headers: Record<string, string | string[]>;
    bodyJson?: unknown;
    bodyText?: string;
  };
}

/** What a test may do to one exchange before it is served: change the body, or answer otherwise. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'timeout' }
  | { kind: 'network' }
  | { kind: 'truncate' }
  | { kind: 'body'; edit: (body: any) => unknown };

export interface FixtureFetch {
  fetch: typeof fetch;
  /** Every request served or refused, in order: `METHOD key`. */
  readonly log: string[];
  /** Faults applied to the next requests whose key contains `match`, one per request, in order. */
  inject(match: string, ...faults: Fault[]): void;
  /** A fault applied to every request whose key contains `match` until cleared. */
  always(match: string, fault: Fault | undefined): void;
}

/** The request's identity: method and URL without its crumb, with one host for query1 and query2. */
export function requestKey(method: string, url: string): string {
  const u = new URL(url);
  u.searchParams.delete('crumb');
  u.searchParams.sort();
  const host = /^query\d\.finance\.yahoo\.com$/.test(u.host) ? 'query.finance.yahoo.com' : u.host;
  return `${method.toUpperCase()} ${u.protocol}//${host}${decodeURIComponent(u.pathname)}${u.search}`;
}

function loadRecordings(dir: string): Map<string, Recording[]> {
  const byKey = new Map<string, Recording[]>();
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const recording = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Recording;
    recording.file = file;
    const key = requestKey(recording.request.method ?? 'GET', recording.request.url);
    byKey.set(key, [...(byKey.get(key) ?? []), recording]);
  }
  return byKey;
}

/**
 * Two recordings of the same URL come from two recording sessions (the consent flow's first step is
 * recorded twice): the one whose redirect leads to a recorded URL belongs to the recorded chain.
 */
function pick(candidates: Recording[], byKey: Map<string, Recording[]>): Recording {
  if (candidates.length === 1) return candidates[0]!;
  const chained = candidates.find((r) => {
    const location = r.response.headers.location;
    return typeof location === 'string' && byKey.has(requestKey('GET', location));
  });
  return chained ?? candidates[0]!;
}

function toResponse(recording: Recording, fault: Fault | undefined): Response {
  const { response } = recording;
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    // Set-Cookie stays one header per cookie: the cookie jar parses each one.
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (name !== 'content-length' && name !== 'content-encoding') headers.set(name, value);
  }
  let body = response.bodyJson !== undefined ? JSON.stringify(response.bodyJson) : (response.bodyText ?? '');
  if (fault?.kind === 'body') body = JSON.stringify(fault.edit(structuredClone(response.bodyJson)));
  if (fault?.kind === 'truncate') body = body.slice(0, Math.floor(body.length / 2));
  const status = response.status;
  // The Response constructor refuses a body on these statuses.
  const noBody = status === 204 || status === 304 || (status >= 300 && status < 400 && body === '');
  return new Response(noBody ? null : body, { status, statusText: response.statusText ?? '', headers });
}

/**
 * quoteSummary asks for several modules at once; the recordings hold one module each. The answer is
 * the recorded modules the request asked for, merged as Yahoo merges them; missing modules are
 * absent, as Yahoo leaves out modules it has no data for.
 */
function quoteSummaryComposite(url: URL, byKey: Map<string, Recording[]>): Recording | undefined {
  const modules = url.searchParams.get('modules')?.split(',') ?? [];
  if (modules.length < 2) return undefined;
  const parts: Recording[] = [];
  for (const module of modules) {
    const single = new URL(url);
    single.searchParams.set('modules', module);
    const found = byKey.get(requestKey('GET', single.toString()));
    if (found) parts.push(found[0]!);
  }
  const ok = parts.filter((p) => p.response.status === 200);
  if (ok.length === 0) return parts[0];
  const result: Record<string, unknown> = {};
  for (const part of ok) {
    const body = part.response.bodyJson as { quoteSummary: { result: Record<string, unknown>[] } };
    Object.assign(result, body.quoteSummary.result[0]);
  }
  return {
    file: ok.map((p) => p.file).join('+'),
    request: { url: url.toString(), method: 'GET' },
    response: { ...ok[0]!.response, bodyJson: { quoteSummary: { result: [result], error: null } } },
  };
}

export function createFixtureFetch(dir = FIXTURES_DIR): FixtureFetch {
  const byKey = loadRecordings(dir);
  const queued: Array<{ match: string; fault: Fault }> = [];
  const standing = new Map<string, Fault>();
  const log: string[] = [];

  const fixtureFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const key = requestKey(method, url);
    log.push(key);
    const index = queued.findIndex((q) => key.includes(q.match));
    const once = index >= 0 ? queued.splice(index, 1)[0]!.fault : undefined;
    const lasting = [...standing].find(([match]) => key.includes(match))?.[1];
    // Two body edits both apply (the lasting one first); otherwise the one-off fault wins.
    const fault: Fault | undefined =
      once?.kind === 'body' && lasting?.kind === 'body'
        ? { kind: 'body', edit: (body) => once.edit(lasting.edit(body)) }
        : (once ?? lasting);
    const found = byKey.get(key);
    const recording = found ? pick(found, byKey) : quoteSummaryComposite(new URL(url), byKey);
    if (!recording) throw new Error(`No recorded Yahoo exchange for ${key} (the test would have reached the network)`);
    if (fault?.kind === 'network') throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') });
    if (fault?.kind === 'timeout') {
      // Hangs like a dead connection until the caller's abort signal gives up on it.
      return new Promise((_, reject) => {
        const signal = init?.signal;
        if (!signal) return;
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (fault?.kind === 'status') {
      return new Response(fault.body ?? '', {
        status: fault.status,
        headers: { 'content-type': 'text/plain', ...fault.headers },
      });
    }
    return toResponse(recording, fault);
  };

  return {
    fetch: fixtureFetch as typeof fetch,
    log,
    inject(match, ...faults) {
      for (const fault of faults) queued.push({ match, fault });
    },
    always(match, fault) {
      if (fault) standing.set(match, fault);
      else standing.delete(match);
    },
  };
}
