/**
 * Where a drawing's anchors fall on a chart. Drawings are anchored in time (epoch ms) so one made
 * on a 1-minute chart lands at the same moment on the hourly one; the chart places things by
 * logical index (bar number, fractions between bars). These convert between the two over the
 * chart's bar starts, and past the newest bar (the empty space at the right) by the interval.
 */

/** The chart's bars as the conversions need them: their count and each one's start. */
export interface BarAxis {
  count: number;
  startOf(index: number): number;
  intervalMs: number;
}

/** The index of the first bar starting at or after `time`, or `count` when none does. */
function firstAtOrAfter(axis: BarAxis, time: number): number {
  let lo = 0;
  let hi = axis.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (axis.startOf(mid) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The logical position of a moment: a bar's index at its start, fractions between bars, extrapolated outside them. */
export function logicalOfTime(axis: BarAxis, time: number): number | null {
  if (axis.count === 0) return null;
  const i = firstAtOrAfter(axis, time);
  if (i === axis.count) {
    const last = axis.count - 1;
    return last + (time - axis.startOf(last)) / axis.intervalMs;
  }
  const at = axis.startOf(i);
  if (at === time) return i;
  if (i === 0) return -(at - time) / axis.intervalMs;
  const before = axis.startOf(i - 1);
  return i - 1 + (time - before) / (at - before);
}

/** The moment at a logical position: the inverse of logicalOfTime, rounded to the millisecond. */
export function timeOfLogical(axis: BarAxis, logical: number): number | null {
  if (axis.count === 0 || !Number.isFinite(logical)) return null;
  const last = axis.count - 1;
  if (logical >= last) return Math.round(axis.startOf(last) + (logical - last) * axis.intervalMs);
  if (logical <= 0) return Math.round(axis.startOf(0) + logical * axis.intervalMs);
  const i = Math.floor(logical);
  const from = axis.startOf(i);
  return Math.round(from + (logical - i) * (axis.startOf(i + 1) - from));
}
