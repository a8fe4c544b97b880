import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_TIME, TickSchema, isCanonicalTick } from '../../engine/domain/tick.ts';

/** Values near the edges of what a tick may be, valid and not. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    'AAPL',
    'aapl',
    ' MSFT',
    'BRK-B',
    'EURUSD=X',
    '^GSPC',
    '',
    'A'.repeat(25),
    'bad symbol',
    'buy',
    'sell',
    'BUY',
    'simulator',
    'yahoo',
    'replay',
    'kafka',
  ),
  fc.constantFrom(
    0,
    -1,
    1,
    1.5,
    1e15,
    MAX_EVENT_TIME,
    MAX_EVENT_TIME + 1,
    8.64e15,
    8.64e15 + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, {}, []),
);

const candidate = fc.record(
  {
    symbol: fieldValue,
    ts: fieldValue,
    price: fieldValue,
    volume: fieldValue,
    side: fieldValue,
    source: fieldValue,
    extra: fieldValue,
  },
  { requiredKeys: [] },
);

const validTick = fc.record(
  {
    symbol: fc.constantFrom('AAPL', 'BRK-B', 'GC=F', '0P000071W8.TO'),
    ts: fc.integer({ min: 1, max: MAX_EVENT_TIME }),
    price: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
    volume: fc.double({ min: 0, max: 1e9, noNaN: true }),
    side: fc.constantFrom('buy', 'sell'),
    source: fc.constantFrom('simulator', 'yahoo', 'replay'),
  },
  { requiredKeys: ['symbol', 'ts', 'price', 'volume', 'source'] },
);

describe('the canonical-tick fast path agrees with the zod schema', () => {
  it('accepts only what the schema accepts, unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(candidate, validTick), (value) => {
        if (!isCanonicalTick(value)) return;
        const parsed = TickSchema.safeParse(value);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(value);
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes every tick a source sends in canonical form', () => {
    fc.assert(
      fc.property(validTick, (tick) => isCanonicalTick(tick)),
      { numRuns: 2_000 },
    );
  });
});
