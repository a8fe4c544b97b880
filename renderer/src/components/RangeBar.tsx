import { formatPrice } from '../format.ts';

interface Props {
  low: number | null;
  high: number | null;
  /** The last price: a marker on the bar. */
  value: number | null;
  /** The 50-day average: a tick on the bar. */
  average: number | null;
}

const position = (v: number, low: number, high: number) =>
  `${Math.min(100, Math.max(0, ((v - low) / (high - low)) * 100)).toFixed(1)}%`;

/** Where a price sits between its 52-week low and high; keeps its height while values are unknown. */
export function RangeBar({ low, high, value, average }: Props) {
  const known = low !== null && high !== null && high > low;
  return (
    <div
      className="range-bar"
      role="img"
      aria-label={
        known && value !== null
          ? `Last ${formatPrice(value)} in a 52-week range of ${formatPrice(low)} to ${formatPrice(high)}`
          : '52-week range not known yet'
      }
    >
      <div className="range-track">
        {known && average !== null && (
          <span className="range-average" style={{ left: position(average, low, high) }} title="50-day average" />
        )}
        {known && value !== null && (
          <span className="range-marker" style={{ left: position(value, low, high) }} data-testid="range-marker" />
        )}
      </div>
      <div className="range-ends">
        <span>{known ? formatPrice(low) : '—'}</span>
        <span>52 weeks</span>
        <span>{known ? formatPrice(high) : '—'}</span>
      </div>
    </div>
  );
}
