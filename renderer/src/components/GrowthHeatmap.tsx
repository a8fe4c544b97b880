import { formatDay, formatInteger, formatPercent } from '../format.ts';
import { heatColour, heatScale } from '../heat-scale.ts';

type Cell = string | number | null;

interface Props {
  /** Rows of a growth analysis: day, group, averageGrowth, stocks. */
  rows: readonly Record<string, Cell>[];
  /** What the groups are: industry, country or technology. */
  groupLabel: string;
}

interface HeatCell {
  growth: number;
  stocks: number;
}

/** Daily growth as a grid: one row per group, one column per exchange day, coloured around zero. */
export function GrowthHeatmap({ rows, groupLabel }: Props) {
  const cells = new Map<string, HeatCell>();
  const days = new Set<number>();
  const groups = new Set<string>();
  for (const row of rows) {
    if (typeof row.day !== 'number' || typeof row.averageGrowth !== 'number') continue;
    const group = String(row.group ?? 'Unknown');
    days.add(row.day);
    groups.add(group);
    cells.set(`${group}|${row.day}`, { growth: row.averageGrowth, stocks: Number(row.stocks ?? 0) });
  }
  if (cells.size === 0) {
    return (
      <p className="empty">
        No daily candles yet. The heatmap fills in once the engine has seen a trading day: keep the source running, or
        replay a CSV file (<code>market-monitor replay</code>).
      </p>
    );
  }
  const dayList = [...days].sort((a, b) => a - b);
  const groupList = [...groups].sort((a, b) => a.localeCompare(b));
  const scale = heatScale([...cells.values()].map((c) => c.growth));

  return (
    <div className="heatmap" data-testid="heatmap">
      <div className="heatmap-scroll">
        <table className="heatmap-grid">
          <thead>
            <tr>
              <th scope="col">{groupLabel}</th>
              {dayList.map((day) => (
                <th key={day} scope="col" className="num">
                  {formatDay(day, 'UTC')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groupList.map((group) => (
              <tr key={group}>
                <th scope="row">{group}</th>
                {dayList.map((day) => {
                  const cell = cells.get(`${group}|${day}`);
                  if (!cell) return <td key={day} className="heat-cell missing" aria-label="no data" />;
                  return (
                    <td
                      key={day}
                      className="heat-cell num"
                      data-testid="heat-cell"
                      data-group={group}
                      data-day={day}
                      data-value={cell.growth}
                      style={{ background: heatColour(cell.growth, scale) }}
                      title={`${group}, ${formatDay(day, 'UTC')}: ${formatPercent(cell.growth)} over ${formatInteger(cell.stocks)} stock${cell.stocks === 1 ? '' : 's'}`}
                    >
                      {formatPercent(cell.growth)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <HeatLegend scale={scale} />
    </div>
  );
}

function HeatLegend({ scale }: { scale: number }) {
  return (
    <div className="heat-legend" aria-label="Colour scale">
      <span>{formatPercent(-scale)}</span>
      <span
        className="heat-legend-bar"
        style={{
          background: `linear-gradient(to right, ${heatColour(-scale, scale)}, var(--panel-raised), ${heatColour(scale, scale)})`,
        }}
      />
      <span>{formatPercent(scale)}</span>
    </div>
  );
}
