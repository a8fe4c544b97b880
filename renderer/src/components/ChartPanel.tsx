import { useEffectEvent, useId, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { INTERVALS, type Interval } from '../../../engine/domain/interval.ts';
import type { ApiClient } from '../api/client.ts';
import type { Bar } from '../chart/bars.ts';
import { ChartController, type CompareStat } from '../chart/chart-controller.ts';
import { formatDay, formatPercent, formatPrice, formatTimeIn, formatVolume } from '../format.ts';
import type { Drawing, DrawingKind } from '../../../engine/domain/drawing.ts';
import type { DrawState } from '../chart/drawing-layer.ts';
import { DrawingBar, DrawingList, DrawSelect } from './DrawingTools.tsx';
import { ChartOptions, type ChartView } from './ChartOptions.tsx';
import { displayZone } from '../chart/chart-time-zone.ts';
import { LatestValue } from '../chart/latest-value.ts';

interface Props {
  api: ApiClient;
  symbol: string;
  interval: Interval;
  onIntervalChange: (interval: Interval) => void;
  /** Whether the indicator lines are drawn (kept with the panel's layout). */
  indicators: boolean;
  onIndicatorsChange: (on: boolean) => void;
  /** The theme in effect: a change recolours the chart in place, keeping its scroll and zoom. */
  theme: 'dark' | 'light';
  /** Panel controls shown in the header (symbol picker, widen, remove). */
  toolbar?: ReactNode;
  /** Symbols drawn over this one in percent (kept with the panel's layout). */
  compare?: readonly string[];
  onCompareChange?: (symbols: string[]) => void;
  /** What may be compared: the watchlist's symbols. */
  compareChoices?: readonly string[];
  /** Price scale, clock and session shading (kept with the panel's layout). */
  view?: ChartView;
  onViewChange?: (patch: Partial<ChartView>) => void;
}

/** A new panel's: prices in plain numbers, the exchange's clock, extended hours shaded. */
const DEFAULT_VIEW: ChartView = { log: false, timeZone: 'exchange', sessions: true };

/** One live candlestick chart with a volume pane: a ChartController per symbol and interval. */
export function ChartPanel(props: Props) {
  const { api, symbol, interval, onIntervalChange, indicators, onIndicatorsChange, theme, toolbar } = props;
  const view = props.view ?? DEFAULT_VIEW;
  const legendId = useId();
  /** Read when a chart is built; later changes go to the chart in place. */
  const viewNow = useEffectEvent(() => view);
  const compare = props.compare ?? NONE;
  const [comparison, setComparison] = useState<{ main: number | null; stats: CompareStat[] }>({
    main: null,
    stats: [],
  });
  const compareNow = useEffectEvent(() => compare);
  const container = useRef<HTMLDivElement>(null);
  const controller = useRef<ChartController | null>(null);
  /** The legend's bar: it alone re-renders with each live candle, not the whole panel. */
  const [legend] = useState(() => new LatestValue<Bar | null>(null));
  const [empty, setEmpty] = useState(false);
  /** Read when a chart is built: toggling indicators later changes the chart, not the effect. */
  const indicatorsOn = useEffectEvent(() => indicators);
  /** The exchange time zone the symbol's day bars start in, once the history said. */
  const [dayZone, setDayZone] = useState<string | undefined>(undefined);
  const [drawState, setDrawState] = useState<DrawState>({ tool: null });
  const [drawings, setDrawings] = useState<Drawing[]>([]);
  const [drawMessage, setDrawMessage] = useState<{ text: string; error: boolean } | null>(null);
  const drawError = (e: unknown) => setDrawMessage({ text: (e as Error).message ?? String(e), error: true });

  // A layout effect, so the history is asked for at mount, not after the browser's next paint.
  useLayoutEffect(() => {
    const chart = new ChartController(container.current!, {
      api,
      symbol,
      interval,
      indicators: indicatorsOn(),
      onLegend: legend.set,
      onEmpty: setEmpty,
      onTimeZone: setDayZone,
      compare: compareNow(),
      ...viewNow(),
      onCompare: (main, stats) => setComparison({ main, stats }),
      drawing: {
        onDrawings: setDrawings,
        onState: setDrawState,
        onError: (message) => setDrawMessage({ text: message, error: true }),
      },
    });
    controller.current = chart;
    return () => {
      controller.current = null;
      chart.dispose();
      legend.set(null);
      setDrawState({ tool: null });
    };
  }, [api, symbol, interval, legend]);

  useLayoutEffect(() => controller.current?.showIndicators(indicators), [indicators]);
  useLayoutEffect(() => controller.current?.restyle(), [theme]);
  useLayoutEffect(() => controller.current?.showCompare(compare), [compare]);
  useLayoutEffect(() => controller.current?.showLog(view.log), [view.log]);
  useLayoutEffect(() => controller.current?.showTimeZone(view.timeZone), [view.timeZone]);
  useLayoutEffect(() => controller.current?.showSessions(view.sessions), [view.sessions]);
  const arm = (tool: DrawingKind | null) => {
    setDrawMessage(null);
    controller.current?.armDrawing(tool);
  };
  const lineAtLast = () => {
    arm(null);
    const price = controller.current?.lastClose() ?? null;
    if (price === null) return drawError(new Error(`${symbol} has no bar yet to draw at`));
    api.call('drawings.add', { symbol, spec: { kind: 'hline', price } }).catch(drawError);
  };
  const alertFrom = (id: number) => {
    const line = drawings.find((d) => d.id === id)?.spec;
    api.call('drawings.toAlert', { id }).then((rules) => {
      const rule = rules.find((r) => r.symbol === symbol && line?.kind === 'hline' && r.threshold === line.price);
      const side = rule?.kind === 'price-below' ? 'falls to' : 'rises to';
      const text = rule ? `Alert set: when ${symbol} ${side} ${formatPrice(rule.threshold)}` : `Alert set on ${symbol}`;
      setDrawMessage({ text, error: false });
    }, drawError);
  };
  const choices = (props.compareChoices ?? []).filter((s) => s !== symbol && !compare.includes(s));

  return (
    <section className="chart-panel" aria-label={`${symbol} chart`}>
      <header className="chart-header">
        <h2>{symbol}</h2>
        <Legend
          id={legendId}
          feed={legend}
          interval={interval}
          timeZone={dayZone}
          clock={displayZone(view.timeZone, dayZone)}
        />
        {/* In a small panel these float over the chart's top edge, shown on hover or focus. */}
        <div className="panel-controls">
          <div className="intervals" role="group" aria-label="Interval">
            {INTERVALS.map((i) => (
              <button
                key={i}
                className={i === interval ? 'active' : ''}
                aria-pressed={i === interval}
                onClick={() => onIntervalChange(i)}
              >
                {i}
              </button>
            ))}
          </div>
          <button
            className={`indicators-toggle${indicators ? ' active' : ''}`}
            aria-pressed={indicators}
            title="SMA 20, EMA 50, Bollinger 20×2, session VWAP and RSI 14"
            onClick={() => onIndicatorsChange(!indicators)}
          >
            Indicators
          </button>
          {props.onCompareChange && (
            <select
              className="compare-add"
              aria-label={`Compare ${symbol} with`}
              value=""
              disabled={choices.length === 0}
              title={
                choices.length
                  ? 'Overlay another symbol, in percent from the first visible bar'
                  : 'Nothing else to compare: add symbols to the watchlist'
              }
              onChange={(e) => e.target.value && props.onCompareChange!([...compare, e.target.value])}
            >
              <option value="">Compare…</option>
              {choices.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
          <ChartOptions
            symbol={symbol}
            interval={interval}
            view={view}
            exchangeZone={dayZone}
            onChange={(patch) => props.onViewChange?.(patch)}
          />
          <DrawSelect symbol={symbol} state={drawState} onArm={arm} onLineAtLast={lineAtLast} />
          <DrawingList
            drawings={drawings}
            onAlert={alertFrom}
            onRemove={(id) => api.call('drawings.remove', { id }).catch(drawError)}
          />
          {toolbar}
        </div>
      </header>
      {compare.length > 0 && (
        <CompareLegend
          symbol={symbol}
          main={comparison.main}
          stats={comparison.stats}
          onRemove={(s) => props.onCompareChange?.(compare.filter((c) => c !== s))}
        />
      )}
      <div
        className="chart-body"
        ref={container}
        data-testid="chart"
        role="figure"
        aria-label={`${symbol} ${interval} candles`}
        aria-describedby={legendId}
      >
        {empty && <p className="chart-empty">Waiting for the first trade of {symbol}…</p>}
        {/* Over the chart's top edge, so arming a tool does not move the chart under the pointer. */}
        <DrawingBar
          state={drawState}
          message={drawMessage}
          onCancel={() => arm(null)}
          onNote={(text) => controller.current?.addNote(text).catch(drawError)}
          onDismiss={() => setDrawMessage(null)}
        />
      </div>
    </section>
  );
}

const NONE: readonly string[] = [];

/** The compared symbols: colour, change over the visible range, correlation of returns with the panel's. */
function CompareLegend({
  symbol,
  main,
  stats,
  onRemove,
}: {
  symbol: string;
  main: number | null;
  stats: CompareStat[];
  onRemove: (symbol: string) => void;
}) {
  const change = (ratio: number | null) => (ratio === null ? '—' : formatPercent(ratio));
  return (
    <ul className="compare-legend" aria-label="Compared symbols" data-testid="compare-legend">
      <li className="compare-main">
        {symbol} <b>{change(main)}</b>
      </li>
      {stats.map((s) => (
        <li key={s.symbol} data-symbol={s.symbol} data-correlation={s.correlation ?? ''}>
          <span className="swatch" style={{ background: s.colour }} aria-hidden="true" />
          {s.symbol} <b>{change(s.change)}</b>
          <span
            className="correlation"
            title={`Correlation of ${s.symbol}'s bar-to-bar returns with ${symbol}'s over the visible bars`}
          >
            ρ {s.correlation === null ? '—' : s.correlation.toFixed(2)}
          </span>
          <button aria-label={`Stop comparing ${s.symbol}`} title="Stop comparing" onClick={() => onRemove(s.symbol)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function Legend({
  id,
  feed,
  interval,
  timeZone,
  clock,
}: {
  id: string;
  feed: LatestValue<Bar | null>;
  interval: Interval;
  /** The exchange's zone: a day bar is its date there. */
  timeZone?: string | undefined;
  /** The zone intraday times are read in; undefined for local time. */
  clock: string | undefined;
}) {
  const candle = useSyncExternalStore(feed.subscribe, feed.get);
  if (!candle) return <div className="legend" data-testid="legend" id={id} />;
  const change = candle.open ? (candle.close - candle.open) / candle.open : 0;
  return (
    <div
      className="legend"
      data-testid="legend"
      id={id}
      data-start={candle.start}
      data-open={candle.open}
      data-high={candle.high}
      data-low={candle.low}
      data-close={candle.close}
      data-volume={candle.volume}
    >
      <span className="legend-time">
        {interval === '1d' ? formatDay(candle.start, timeZone) : formatTimeIn(candle.start, clock)}
      </span>
      <span className="legend-range">
        O <b>{formatPrice(candle.open)}</b>
      </span>
      <span className="legend-range">
        H <b>{formatPrice(candle.high)}</b>
      </span>
      <span className="legend-range">
        L <b>{formatPrice(candle.low)}</b>
      </span>
      <span>
        <span className="legend-key">C</span> <b>{formatPrice(candle.close)}</b>
      </span>
      <span className="legend-volume">
        V <b>{formatVolume(candle.volume)}</b>
      </span>
      <span className={change >= 0 ? 'up' : 'down'}>{formatPercent(change)}</span>
    </div>
  );
}
