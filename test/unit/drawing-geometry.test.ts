import { describe, expect, it } from 'vitest';
import { logicalOfTime, timeOfLogical, type BarAxis } from '../../renderer/src/chart/drawing-geometry.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Bars at these starts (a gap in the middle, as over a market's night). */
function axis(starts: number[], intervalMs: number): BarAxis {
  return { count: starts.length, startOf: (i) => starts[i]!, intervalMs };
}

describe('drawing anchors between moments and bar positions', () => {
  const hours = axis([0, HOUR, 2 * HOUR, 10 * HOUR, 11 * HOUR], HOUR);

  it('puts a bar start on its bar and a moment inside a bar (or a gap) between two', () => {
    expect(logicalOfTime(hours, HOUR)).toBe(1);
    expect(logicalOfTime(hours, HOUR + 15 * MINUTE)).toBe(1.25);
    // Six hours into an eight-hour gap: three quarters of the way from bar 2 to bar 3.
    expect(logicalOfTime(hours, 8 * HOUR)).toBe(2.75);
  });

  it('extrapolates by the interval before the first bar and after the last', () => {
    expect(logicalOfTime(hours, 13 * HOUR)).toBe(6);
    expect(logicalOfTime(hours, -2 * HOUR)).toBe(-2);
  });

  it('turns a position back into the same moment, on any interval', () => {
    for (const t of [0, HOUR + 15 * MINUTE, 8 * HOUR, 13 * HOUR, -2 * HOUR]) {
      expect(timeOfLogical(hours, logicalOfTime(hours, t)!)).toBe(t);
    }
    const minutes = axis(
      Array.from({ length: 600 }, (_, i) => i * MINUTE),
      MINUTE,
    );
    // A drawing made at minute 90 of the 1-minute chart sits half-way through the second hourly bar.
    expect(logicalOfTime(hours, timeOfLogical(minutes, 90)!)).toBe(1.5);
  });

  it('has no position on an empty chart', () => {
    const empty = axis([], MINUTE);
    expect(logicalOfTime(empty, 0)).toBeNull();
    expect(timeOfLogical(empty, 0)).toBeNull();
  });
});
