import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstIndexNotBefore } from '../../engine/base/sorted.ts';

describe('firstIndexNotBefore', () => {
  it('finds where a sorted array stops being below a key, as a linear scan does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: -60, max: 60 }), (values, key) => {
        const sorted = [...values].sort((a, b) => a - b);
        const scan = sorted.findIndex((v) => v >= key);
        expect(firstIndexNotBefore(sorted.length, (i) => sorted[i]! < key)).toBe(scan < 0 ? sorted.length : scan);
      }),
    );
  });
});
