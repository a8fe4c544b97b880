/**
 * The diverging colour scale of the growth heatmaps: red below zero, green above, stronger with the
 * size of the move relative to the largest move shown. Colours are mixed with the theme's panel
 * colour in CSS, so the same scale reads in the dark and the light theme.
 */

/** The largest absolute value, never below `floor` (so a flat day does not look like a crash). */
export function heatScale(values: readonly number[], floor = 0.001): number {
  return values.reduce((max, v) => Math.max(max, Math.abs(v)), floor);
}

/** 0 (no colour) to 1 (full strength) for `value` on a scale whose extreme is `scale`. */
export function heatIntensity(value: number, scale: number): number {
  return scale > 0 ? Math.min(1, Math.abs(value) / scale) : 0;
}

/**
 * The background of a cell: the up or down colour, mixed into the panel colour by intensity. At most
 * 60 %, where the cell's text still has 4.9:1 in either theme (70 % gave 4.1:1 in the dark one).
 */
export function heatColour(value: number, scale: number): string {
  if (value === 0) return 'var(--panel-raised)';
  const share = Math.round(12 + 48 * heatIntensity(value, scale));
  return `color-mix(in srgb, var(${value > 0 ? '--up' : '--down'}) ${share}%, var(--panel))`;
}
