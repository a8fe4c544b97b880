import type { IChartApi, Logical, Time } from 'lightweight-charts';
import { logicalOfTime, type BarAxis } from './drawing-geometry.ts';

/** Far past any bar's time: asks the time scale for its last point. */
const END_OF_TIME = 1e12 as Time;

/** The chart's bars by index, as its time scale holds them (compared symbols' bars included). */
export function chartBarAxis(chart: IChartApi, intervalMs: number): BarAxis {
  const timeScale = chart.timeScale();
  const last = timeScale.timeToIndex(END_OF_TIME, true);
  return {
    count: last === null ? 0 : last + 1,
    startOf: (i) =>
      ((timeScale.coordinateToTime(timeScale.logicalToCoordinate(i as Logical) ?? 0) as number) ?? 0) * 1000,
    intervalMs,
  };
}

/**
 * The pixel x of a logical position. lightweight-charts places whole bars only (a fraction gives
 * 0), so fractions are laid between the two bars around them.
 */
export function xOfLogical(chart: IChartApi, logical: number): number | null {
  const timeScale = chart.timeScale();
  const i = Math.floor(logical);
  const x = timeScale.logicalToCoordinate(i as Logical);
  const next = timeScale.logicalToCoordinate((i + 1) as Logical);
  return x === null || next === null ? null : x + (logical - i) * (next - x);
}

/** The pixel x of a moment on the chart, between bars where it falls between them. */
export function xOfTime(chart: IChartApi, axis: BarAxis, time: number): number | null {
  const logical = logicalOfTime(axis, time);
  return logical === null ? null : xOfLogical(chart, logical);
}

/** The fractional logical position under a pixel x (the chart's own answer is a whole bar). */
export function logicalOfX(chart: IChartApi, x: number): number | null {
  const timeScale = chart.timeScale();
  const i = timeScale.coordinateToLogical(x);
  const xi = i === null ? null : timeScale.logicalToCoordinate(i);
  const next = i === null ? null : timeScale.logicalToCoordinate((i + 1) as Logical);
  if (i === null || xi === null || next === null || next === xi) return null;
  return i + (x - xi) / (next - xi);
}
