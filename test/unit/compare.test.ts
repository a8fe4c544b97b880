import { describe, expect, it } from 'vitest';
import { changeOverRange, returnsCorrelation, type ClosePoint } from '../../renderer/src/chart/compare.ts';

const series = (closes: number[], start = 0): ClosePoint[] => closes.map((close, i) => ({ start: start + i, close }));

describe('comparing two series over a visible range', () => {
  it('correlates returns, not prices: two rising series that zig-zag against each other correlate negatively', () => {
    const a = series([100, 102, 101, 104, 103, 106]);
    const b = series([50, 50.5, 51.5, 51.8, 53, 53.2]);
    // Python's statistics.correlation of the two return series gives -0.98349403065055.
    expect(returnsCorrelation(a, b, 0, 5)).toBeCloseTo(-0.98349403065055, 12);
    expect(returnsCorrelation(a, series([200, 204, 202, 208, 206, 212]), 0, 5)).toBeCloseTo(1, 10);
  });

  it('uses only the bars both have within the range, and says nothing from fewer than three returns', () => {
    const a = series([100, 101, 99, 102, 100, 103, 90]);
    const b = [...series([10, 10.1, 9.9, 10.2, 10, 10.3]).filter((p) => p.start !== 2), { start: 6, close: 20 }];
    // Bar 2 is missing from b: returns 3->4 and 4->5 (and 0->1) are common within [0, 5].
    expect(returnsCorrelation(a, b, 0, 5)).toBeCloseTo(1, 10);
    expect(returnsCorrelation(a, b, 3, 5)).toBeNull();
    expect(returnsCorrelation(a, series([5, 5, 5, 5, 5, 5, 5]), 0, 6)).toBeNull();
  });

  it('measures the change from the first visible close to the last', () => {
    const a = series([100, 110, 121, 90]);
    expect(changeOverRange(a, 0, 2)).toBeCloseTo(0.21, 12);
    expect(changeOverRange(a, 1, 3)).toBeCloseTo(90 / 110 - 1, 12);
    expect(changeOverRange(a, 3, 3)).toBeNull();
  });
});
