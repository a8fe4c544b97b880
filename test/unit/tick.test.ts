import { describe, it, expect } from 'vitest';
import { validateTick, type TickValidation } from '../../engine/domain/tick.ts';

const good = { symbol: 'AAPL', ts: 1_700_000_000_000, price: 189.25, volume: 100, side: 'buy', source: 'simulator' };

function reasonOf(result: TickValidation): string {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.tick)}`);
  return result.reason;
}

describe('validateTick', () => {
  it('accepts a well-formed tick and returns it unchanged', () => {
    const result = validateTick(good);
    expect(result).toEqual({ ok: true, tick: good });
  });

  it('accepts a tick without a side, and every source kind', () => {
    for (const source of ['simulator', 'yahoo', 'replay']) {
      const { side: _side, ...noSide } = good;
      const result = validateTick({ ...noSide, source });
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.tick.side).toBeUndefined();
        expect(result.tick.source).toBe(source);
      }
    }
  });

  it('upper-cases and trims symbols', () => {
    for (const [raw, expected] of [
      ['aapl', 'AAPL'],
      [' brk-b ', 'BRK-B'],
      ['eurusd=x', 'EURUSD=X'],
      ['^gspc', '^GSPC'],
    ] as const) {
      const result = validateTick({ ...good, symbol: raw });
      expect(result.ok, raw).toBe(true);
      if (result.ok) expect(result.tick.symbol).toBe(expected);
    }
  });

  it('accepts a zero volume (a quote change)', () => {
    expect(validateTick({ ...good, volume: 0 }).ok).toBe(true);
  });

  it.each([
    ['NaN price', { price: Number.NaN }, 'price'],
    ['Infinity price', { price: Number.POSITIVE_INFINITY }, 'price'],
    ['-Infinity price', { price: Number.NEGATIVE_INFINITY }, 'price'],
    ['zero price', { price: 0 }, 'price'],
    ['negative price', { price: -1 }, 'price'],
    ['string price', { price: '10' }, 'price'],
    ['negative volume', { volume: -0.5 }, 'volume'],
    ['Infinity volume', { volume: Number.POSITIVE_INFINITY }, 'volume'],
    ['NaN volume', { volume: Number.NaN }, 'volume'],
    ['fractional ts', { ts: 1.5 }, 'ts'],
    ['zero ts', { ts: 0 }, 'ts'],
    ['ts at the end of the date range', { ts: 8.64e15 }, 'ts'],
    ['ts after the year 9999', { ts: Date.UTC(10_000, 0, 1) }, 'ts'],
    ['bad side', { side: 'short' }, 'side'],
    ['bad source', { source: 'bloomberg' }, 'source'],
    ['bad symbol', { symbol: 'bad symbol!' }, 'symbol'],
    ['empty symbol', { symbol: '' }, 'symbol'],
  ])('rejects a %s and names the field', (_name, patch, field) => {
    const reason = reasonOf(validateTick({ ...good, ...patch }));
    expect(reason.startsWith(`${field}: `) || reason.includes(`; ${field}: `)).toBe(true);
    // Only the broken field is blamed.
    const blamed = reason.split('; ').map((part) => part.split(':')[0]);
    expect(blamed).toEqual([field]);
  });

  it('rejects unknown fields and names them', () => {
    const reason = reasonOf(validateTick({ ...good, exchange: 'XNAS' }));
    expect(reason).toContain('exchange');
  });

  it.each(['symbol', 'ts', 'price', 'volume', 'source'])('rejects a tick missing %s and names it', (field) => {
    const tick: Record<string, unknown> = { ...good };
    delete tick[field];
    const reason = reasonOf(validateTick(tick));
    expect(reason.split('; ').map((part) => part.split(':')[0])).toEqual([field]);
  });

  it('names every broken field at once', () => {
    const reason = reasonOf(validateTick({ ...good, price: Number.NaN, volume: -1, side: 'x' }));
    const blamed = reason.split('; ').map((part) => part.split(':')[0]);
    expect(new Set(blamed)).toEqual(new Set(['price', 'volume', 'side']));
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', '{"symbol":"AAPL"}'],
    ['a number', 42],
    ['an array', [good]],
  ])('rejects %s with a readable reason', (_name, value) => {
    const reason = reasonOf(validateTick(value));
    expect(reason.length).toBeGreaterThan(5);
    expect(reason).toMatch(/^tick: /);
  });
});
