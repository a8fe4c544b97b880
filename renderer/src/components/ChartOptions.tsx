import { useId } from 'react';
import type { Interval } from '../../../engine/domain/interval.ts';
import { CHART_TIME_ZONES, displayZone, type ChartTimeZone } from '../chart/chart-time-zone.ts';
import { hasExtendedHours } from '../chart/session-shading.ts';

/** What a panel's options menu changes (kept with the panel's layout). */
export interface ChartView {
  log: boolean;
  timeZone: ChartTimeZone;
  sessions: boolean;
}

const ZONE_LABELS: Record<ChartTimeZone, string> = { exchange: 'Exchange', local: 'Local', UTC: 'UTC' };

/** The price scale, the clock and the session shading of one panel, in a small menu of its header. */
export function ChartOptions({
  symbol,
  interval,
  view,
  exchangeZone,
  onChange,
}: {
  symbol: string;
  interval: Interval;
  view: ChartView;
  exchangeZone: string | undefined;
  onChange: (patch: Partial<ChartView>) => void;
}) {
  const shading = interval !== '1d' && hasExtendedHours(exchangeZone);
  // Each panel's own radio group, even two panels of one symbol and interval.
  const group = useId();
  return (
    <details className="chart-options">
      <summary aria-label={`Chart options of ${symbol}`} title="Price scale, time zone, sessions">
        ⚙
      </summary>
      <div className="chart-options-menu">
        <label>
          <input type="checkbox" checked={view.log} onChange={(e) => onChange({ log: e.target.checked })} />
          Log price scale
        </label>
        <fieldset>
          <legend>Time zone</legend>
          {CHART_TIME_ZONES.map((choice) => (
            <label key={choice}>
              <input
                type="radio"
                name={group}
                checked={view.timeZone === choice}
                onChange={() => onChange({ timeZone: choice })}
              />
              {ZONE_LABELS[choice]}
              <span className="muted">{zoneName(choice, exchangeZone)}</span>
            </label>
          ))}
        </fieldset>
        <label title={shading ? undefined : 'Only US symbols trade before and after the regular session'}>
          <input
            type="checkbox"
            checked={view.sessions}
            disabled={!shading}
            onChange={(e) => onChange({ sessions: e.target.checked })}
          />
          Shade pre-market and after-hours
        </label>
      </div>
    </details>
  );
}

function zoneName(choice: ChartTimeZone, exchangeZone: string | undefined): string {
  return displayZone(choice, exchangeZone) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}
