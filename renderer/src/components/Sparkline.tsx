/** A tiny line of recent closes; green when the last is above the first. */
export function Sparkline({ points, width = 64, height = 20 }: { points: number[]; width?: number; height?: number }) {
  if (points.length < 2) return <svg width={width} height={height} aria-hidden="true" />;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const d = points
    .map(
      (p, i) =>
        `${((i / (points.length - 1)) * width).toFixed(1)},${(height - 1 - ((p - min) / span) * (height - 2)).toFixed(1)}`,
    )
    .join(' ');
  return (
    <svg
      width={width}
      height={height}
      aria-hidden="true"
      className={points.at(-1)! >= points[0]! ? 'spark up' : 'spark down'}
    >
      <polyline points={d} fill="none" strokeWidth="1.5" />
    </svg>
  );
}
