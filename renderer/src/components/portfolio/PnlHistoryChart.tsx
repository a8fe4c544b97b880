import { useEffect, useRef } from 'react';
import { AreaSeries, ColorType, createChart, type IChartApi, type ISeriesApi, type Time } from 'lightweight-charts';
import type { CommandOutput } from '../../../../engine/api/contract.ts';
import { DOWN, UP } from '../../chart/chart-controller.ts';
import { themeColours } from '../../chart/theme-colours.ts';

type History = CommandOutput<'portfolio.history'>;
export type HistoryMeasure = 'totalPnl' | 'marketValue';

const ACCENT = '#4c8dff';

/** Market value or P&L per stored day, as an area: P&L green above nothing gained, red below. */
export function PnlHistoryChart({
  history,
  measure,
  theme,
}: {
  history: History;
  measure: HistoryMeasure;
  theme: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Area'> | null>(null);

  useEffect(() => {
    const c = createChart(box.current!, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, attributionLogo: true },
      rightPriceScale: { minimumWidth: 72 },
      // A few days of history fill the width rather than sit at the left of an empty axis.
      timeScale: { rightOffset: 0, fixLeftEdge: true, fixRightEdge: true },
    });
    chart.current = c;
    series.current = c.addSeries(AreaSeries, { lineWidth: 2, priceLineVisible: false });
    return () => {
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => chart.current?.applyOptions(themeColours()), [theme]);

  useEffect(() => {
    const s = series.current;
    if (!s) return;
    const points = history.points.map((p) => ({ time: p.day as Time, value: p[measure] }));
    const last = points.at(-1)?.value ?? 0;
    const line = measure === 'marketValue' ? ACCENT : last >= 0 ? UP : DOWN;
    s.applyOptions({
      lineColor: line,
      topColor: `${line}55`,
      bottomColor: `${line}08`,
      ...(measure === 'totalPnl' ? { baseLineVisible: true } : {}),
    });
    s.setData(points);
    const c = chart.current;
    // After the next layout: autoSize gives the chart its width then.
    const frame = requestAnimationFrame(() => c?.timeScale().fitContent());
    return () => cancelAnimationFrame(frame);
  }, [history, measure]);

  return <div className="pnl-chart" ref={box} data-testid="pnl-chart" />;
}
