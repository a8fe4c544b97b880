import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Watermark } from '../../engine/stream/watermark.ts';

const tsArb = fc.integer({ min: 1, max: 4_000_000_000_000 });

describe('Watermark', () => {
  it('counts nothing as late before any tick was seen', () => {
    const w = new Watermark(2_000, 60_000);
    expect(w.isLate(1)).toBe(false);
    expect(w.isLate(Number.MIN_SAFE_INTEGER)).toBe(false);
    expect(w.maxSeen).toBe(Number.NEGATIVE_INFINITY);
  });

  it('trails the largest event time seen by the out-of-orderness bound, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(tsArb, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (seen, ooo, lateness) => {
          const w = new Watermark(ooo, lateness);
          let max = -Infinity;
          for (const ts of seen) {
            w.observe(ts);
            max = ts > max ? ts : max;
            // Never goes back.
            expect(w.maxSeen).toBe(max);
            expect(w.current).toBe(max - ooo);
            expect(w.lateBefore).toBe(max - ooo - lateness);
          }
        },
      ),
    );
  });

  it('is late exactly below watermark minus allowed lateness', () => {
    fc.assert(
      fc.property(
        tsArb,
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (max, ooo, lateness) => {
          const w = new Watermark(ooo, lateness);
          w.observe(max);
          const boundary = max - ooo - lateness;
          expect(w.isLate(boundary)).toBe(false);
          expect(w.isLate(boundary - 1)).toBe(true);
          expect(w.isLate(max)).toBe(false);
          expect(w.isLate(max + 1_000)).toBe(false);
        },
      ),
    );
  });

  it('with no bounds, only ticks older than the newest are late', () => {
    const w = new Watermark(0, 0);
    w.observe(1_000);
    expect(w.isLate(1_000)).toBe(false);
    expect(w.isLate(999)).toBe(true);
  });

  it('restore only moves forward, like observe', () => {
    fc.assert(
      fc.property(tsArb, tsArb, (a, b) => {
        const w = new Watermark(10, 20);
        w.observe(a);
        w.restore(b);
        expect(w.maxSeen).toBe(Math.max(a, b));
        expect(w.lateBefore).toBe(Math.max(a, b) - 30);
      }),
    );
  });

  it('a restored watermark decides lateness like the one it was saved from', () => {
    fc.assert(
      fc.property(
        fc.array(tsArb, { minLength: 1, maxLength: 30 }),
        fc.array(tsArb, { maxLength: 30 }),
        (before, after) => {
          const original = new Watermark(2_000, 60_000);
          for (const ts of before) original.observe(ts);
          const restored = new Watermark(2_000, 60_000);
          restored.restore(original.maxSeen);
          for (const ts of after) {
            expect(restored.isLate(ts)).toBe(original.isLate(ts));
            original.observe(ts);
            restored.observe(ts);
          }
        },
      ),
    );
  });
});
