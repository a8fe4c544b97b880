import { afterEach, describe, expect, it } from 'vitest';
import { editQuote, startOn, yahooHarness, type Harness } from './helpers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.source.stop();
  h = undefined;
});

/** Starts on AAPL and BABA with a healthy session, so each fault hits a running source. */
async function running(): Promise<Harness> {
  h = yahooHarness({ timeoutMs: 100 });
  await startOn(h, ['AAPL', 'BABA']);
  expect(h.source.status().state).toBe('live');
  return h;
}

/** After the fault, the recorded answer again: the source recovers and both symbols flow. */
async function recovers(h: Harness): Promise<void> {
  h.fixtures.inject(
    'quote?symbols',
    editQuote('AAPL', (row) => (row.regularMarketPrice = 250)),
  );
  await h.source.pollNow();
  expect(h.source.status().state).toBe('live');
  expect(h.emitted.at(-1)?.map((t) => [t.symbol, t.price])).toContainEqual(['AAPL', 250]);
}

describe('Yahoo faults injected into the recorded exchanges', () => {
  it('429 with Retry-After: rate-limited, waits as long as Yahoo asks', async () => {
    await running();
    h!.fixtures.inject('quote?symbols', { kind: 'status', status: 429, headers: { 'retry-after': '40' } });
    await h!.source.pollNow();
    expect(h!.source.status()).toEqual({
      kind: 'yahoo',
      state: 'rate-limited',
      message: 'Rate-limited, retrying in 40 s',
    });
    expect(h!.emitted).toHaveLength(1);
    await recovers(h!);
  });

  it('500s: delayed, with exponential backoff between attempts', async () => {
    await running();
    const waits: string[] = [];
    for (let i = 0; i < 4; i++) {
      h!.fixtures.inject('quote?symbols', { kind: 'status', status: 500, body: 'Internal Server Error' });
      await h!.source.pollNow();
      const status = h!.source.status();
      expect(status.state).toBe('delayed');
      waits.push(status.message);
    }
    // No jitter in the test (random = 0): each wait is half the doubling ceiling.
    expect(waits).toEqual([
      'Delayed: Yahoo server error (HTTP 500), retrying in 1 s',
      'Delayed: Yahoo server error (HTTP 500), retrying in 2 s',
      'Delayed: Yahoo server error (HTTP 500), retrying in 4 s',
      'Delayed: Yahoo server error (HTTP 500), retrying in 8 s',
    ]);
    await recovers(h!);
    // Success resets the backoff.
    h!.fixtures.inject('quote?symbols', { kind: 'status', status: 503 });
    await h!.source.pollNow();
    expect(h!.source.status().message).toBe('Delayed: Yahoo server error (HTTP 503), retrying in 1 s');
  });

  it('a timeout: offline, no crash', async () => {
    await running();
    h!.fixtures.inject('quote?symbols', { kind: 'timeout' });
    await h!.source.pollNow();
    expect(h!.source.status()).toEqual({
      kind: 'yahoo',
      state: 'offline',
      message: 'Offline: Yahoo did not answer in time, retrying in 1 s',
    });
    await recovers(h!);
  });

  it('no network: offline', async () => {
    await running();
    h!.fixtures.inject('quote?symbols', { kind: 'network' });
    await h!.source.pollNow();
    expect(h!.source.status().message).toBe('Offline: Yahoo is unreachable, retrying in 1 s');
    await recovers(h!);
  });

  it('truncated JSON: delayed, nothing emitted', async () => {
    await running();
    h!.fixtures.inject('quote?symbols', { kind: 'truncate' });
    await h!.source.pollNow();
    const status = h!.source.status();
    expect(status.state).toBe('delayed');
    expect(status.message).toMatch(/^Delayed: unusable answer from Yahoo .*retrying in 1 s$/);
    expect(h!.emitted).toHaveLength(1);
    await recovers(h!);
  });

  it('a renamed field in one symbol: that symbol is skipped and reported, the other keeps flowing', async () => {
    await running();
    h!.fixtures.always(
      'quote?symbols',
      editQuote('AAPL', (row) => {
        row.lastPrice = row.regularMarketPrice;
        delete row.regularMarketPrice;
      }),
    );
    h!.fixtures.inject(
      'quote?symbols',
      editQuote('BABA', (row) => (row.regularMarketPrice = 130)),
    );
    await h!.source.pollNow();
    expect(h!.emitted.at(-1)).toEqual([expect.objectContaining({ symbol: 'BABA', price: 130 })]);
    const status = h!.source.status();
    expect(status.state).toBe('live');
    expect(status.message).toContain('skipped AAPL (regularMarketPrice:');
    h!.fixtures.always('quote?symbols', undefined);
    await recovers(h!);
    expect(h!.source.status().message).not.toContain('skipped');
  });

  it('a refused crumb (401): starts a new session, which shakes hands again', async () => {
    await running();
    const handshakes = () => h!.fixtures.log.filter((k) => k.endsWith('/v1/test/getcrumb')).length;
    expect(handshakes()).toBe(1);
    h!.fixtures.inject('quote?symbols', {
      kind: 'status',
      status: 401,
      body: '{"finance":{"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}',
    });
    await h!.source.pollNow();
    expect(h!.source.status().message).toBe('Delayed: session refused (HTTP 401), retrying in 1 s');
    await recovers(h!);
    expect(handshakes()).toBe(2);
  });

  it('a failing crumb handshake: delayed, then recovers', async () => {
    h = yahooHarness();
    h.fixtures.inject('/v1/test/getcrumb', { kind: 'status', status: 500 });
    await startOn(h, ['AAPL', 'BABA']);
    expect(h.source.status().state).toBe('delayed');
    expect(h.emitted).toHaveLength(0);
    await h.source.pollNow();
    expect(h.source.status().state).toBe('live');
    expect(h.emitted.flat().map((t) => t.symbol)).toEqual(['AAPL', 'BABA']);
  });
});
