interface Props {
  points: number[];
  width?: number;
  height?: number;
  /** 'trend' colours a rise green and a fall red (prices); 'neutral' does not judge (lag, rates). */
  tone?: 'trend' | 'neutral';
}

/** A tiny line of recent values. */
export function Sparkline({ points, width = 64, height = 20, tone = 'trend' }: Props) {
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
      className={tone === 'neutral' ? 'spark' : points.at(-1)! >= points[0]! ? 'spark up' : 'spark down'}
    >
      <polyline points={d} fill="none" strokeWidth="1.5" />
    </svg>
  );
}
