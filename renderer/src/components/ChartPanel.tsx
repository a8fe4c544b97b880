import { useEffectEvent, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import {
  CandlestickSeries,
  ColorType,
  TickMarkType,
  createChart,
  type CandlestickData,
  type IChartApi,
  type ISeriesApi,
  type LogicalRange,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Candle } from '../../../engine/domain/candle.ts';
import { INTERVALS, type Interval } from '../../../engine/domain/interval.ts';
import { MAX_CANDLES_PER_REQUEST, type CommandOutput } from '../../../engine/api/contract.ts';
import { firstIndexNotBefore } from '../../../engine/base/sorted.ts';
import type { ApiClient } from '../api/client.ts';
import { formatDay, formatPercent, formatPrice, formatTime, formatVolume } from '../format.ts';
import { IndicatorOverlay } from './indicator-overlay.ts';
import { showAnomalies } from './anomaly-overlay.ts';
import { liveChartFrames } from './frame-budget.ts';
import { HISTORY_PAGE } from './history-page.ts';
import { VolumePane } from './volume-pane.ts';

const UP = '#26a69a';
const DOWN = '#ef5350';

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
}

/** What the other effects may change on the chart the main effect built, without rebuilding it. */
interface LiveChart {
  showIndicators(on: boolean): void;
  restyle(): void;
}

/** What the panel keeps of a candle: what it draws, shows in the legend and feeds the indicators. */
type Bar = Pick<Candle, 'symbol' | 'interval' | 'start' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'turnover'>;
type History = CommandOutput<'candles.history'>;

/** How close to the oldest loaded bar the view may come before the page before it is asked for. */
const PREFETCH_BARS = 200;

const UP_VOLUME = `${UP}88`;
const DOWN_VOLUME = `${DOWN}88`;
const toTime = (ms: number) => (ms / 1000) as UTCTimestamp;
const toBar = (c: Bar): CandlestickData<Time> => ({
  time: toTime(c.start),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
});
/** The bar at index i of a history answer. */
const historyBar = (h: History, i: number): Bar => ({
  symbol: h.symbol,
  interval: h.interval,
  start: h.start[i]!,
  open: h.open[i]!,
  high: h.high[i]!,
  low: h.low[i]!,
  close: h.close[i]!,
  volume: h.volume[i]!,
  turnover: h.turnover[i]!,
});

/** An older page joined in front of the history loaded so far. */
function prependColumns(older: History, newer: History): History {
  const join = (a: Float64Array<ArrayBuffer>, b: Float64Array<ArrayBuffer>) => {
    const out = new Float64Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    symbol: newer.symbol,
    interval: newer.interval,
    start: join(older.start, newer.start),
    open: join(older.open, newer.open),
    high: join(older.high, newer.high),
    low: join(older.low, newer.low),
    close: join(older.close, newer.close),
    volume: join(older.volume, newer.volume),
    turnover: join(older.turnover, newer.turnover),
  };
}

/** Index of `start` in the (ascending) start column, or -1. */
function indexOf(starts: Float64Array, start: number): number {
  const at = firstIndexNotBefore(starts.length, (i) => starts[i]! < start);
  return starts[at] === start ? at : -1;
}

/** One live candlestick chart with a volume pane; updates at most once per animation frame. */
export function ChartPanel(props: Props) {
  const { api, symbol, interval, onIntervalChange, indicators, onIndicatorsChange, theme, toolbar } = props;
  const container = useRef<HTMLDivElement>(null);
  const liveChart = useRef<LiveChart | null>(null);
  const [legend, setLegend] = useState<Bar | null>(null);
  const [empty, setEmpty] = useState(false);
  /** Read when a chart is built: toggling indicators later changes the chart, not the effect. */
  const indicatorsOn = useEffectEvent(() => indicators);
  /** The exchange time zone the symbol's day bars start in, once the history said. */
  const [dayZone, setDayZone] = useState<string | undefined>(undefined);

  // A layout effect, so the history is asked for at mount, not after the browser's next paint; and
  // asked for before the chart is built, so the host reads it while the page builds the chart.
  useLayoutEffect(() => {
    const answer = api.call('candles.history', { symbol, interval, limit: HISTORY_PAGE });
    let timeZone: string | undefined;
    // A day bar is an exchange date: no time of day, and not the evening before west of its zone.
    const barTime = (ms: number) => (interval === '1d' ? formatDay(ms, timeZone) : formatTime(ms));
    const el = container.current!;
    const chart: IChartApi = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, attributionLogo: true },
      rightPriceScale: { minimumWidth: 72 },
      localization: { timeFormatter: (time: Time) => barTime((time as number) * 1000) },
      timeScale: {
        timeVisible: true,
        secondsVisible: interval === '1s',
        rightOffset: 4,
        tickMarkFormatter: (time: Time, type: TickMarkType) => localTickMark((time as number) * 1000, type),
      },
    });
    const candles: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    const volume = new VolumePane(chart, 1, { up: UP_VOLUME, down: DOWN_VOLUME });
    // Volume takes a quarter of the height whatever the panel's size: a fixed height left small
    // panels of a 4-column grid a sliver of price.
    chart.panes()[0]?.setStretchFactor(3);
    chart.panes()[1]?.setStretchFactor(1);
    chart.applyOptions(themeColours());
    let overlay = indicatorsOn() ? new IndicatorOverlay(chart) : null;
    const hideAnomalies = showAnomalies(api, candles, symbol, interval);

    /** The history loaded so far (columns; older pages are joined in front), and every candle an event brought since. */
    let history: History | null = null;
    /** Whether a page before the oldest loaded bar may exist (the last page came back full). */
    let olderMayExist = false;
    let loadingOlder = false;
    let disposed = false;
    const live = new Map<number, Bar>();
    let pending = new Map<number, Bar>();
    let lastStart = Number.NEGATIVE_INFINITY;
    let hovering = false;

    const barAt = (start: number): Bar | null => {
      const fresh = live.get(start);
      if (fresh) return fresh;
      const at = history ? indexOf(history.start, start) : -1;
      return at >= 0 ? historyBar(history!, at) : null;
    };
    /** Every bar, oldest first: the history with the live candles laid over it. */
    const allBars = (): Bar[] => {
      const byStart = new Map<number, Bar>();
      if (history)
        for (let i = 0; i < history.start.length; i++) byStart.set(history.start[i]!, historyBar(history, i));
      for (const c of live.values()) byStart.set(c.start, c);
      return [...byStart.values()].sort((a, b) => a.start - b.start);
    };

    const setVolumes = (all: Bar[]) =>
      volume.setAll(
        all.map((c) => c.start),
        all.map((c) => c.volume),
        (i) => all[i]!.close >= all[i]!.open,
      );

    const showLast = () => {
      if (hovering) return;
      setLegend(Number.isFinite(lastStart) ? barAt(lastStart) : null);
    };

    const applyPending = () => {
      const updates = [...pending.values()].sort((a, b) => a.start - b.start);
      pending = new Map();
      if (updates.length === 0) return;
      for (const c of updates) live.set(c.start, c);
      if (updates[0]!.start < lastStart) {
        // An amendment of an older bar: lightweight-charts only updates the newest, so redraw all.
        const all = allBars();
        candles.setData(all.map(toBar));
        setVolumes(all);
      } else {
        for (const c of updates) {
          candles.update(toBar(c));
          volume.setNewest(c.start, c.volume, c.close >= c.open);
        }
      }
      overlay?.apply(updates, allBars);
      lastStart = Math.max(lastStart, updates.at(-1)!.start);
      setEmpty(false);
      showLast();
    };

    let loaded = false;
    const off = api.on('candles', (list) => {
      for (const c of list) if (c.symbol === symbol && c.interval === interval) pending.set(c.start, c);
      // Handed to the chart as the message arrives (lightweight-charts draws in the next frame), unless
      // this frame's budget of chart updates is spent: then in a frame soon after.
      if (loaded && pending.size > 0) liveChartFrames.run(applyPending);
    });
    answer.then(
      (h) => {
        // The panel changed symbol or interval (or closed) before its history came: that chart is gone.
        if (disposed) return;
        history = h;
        timeZone = h.timeZone;
        setDayZone(h.timeZone);
        if (h.timeZone) overlay?.useTimeZone(h.timeZone);
        const n = h.start.length;
        olderMayExist = n >= HISTORY_PAGE;
        const bars = new Array<CandlestickData<Time>>(n);
        for (let i = 0; i < n; i++)
          bars[i] = {
            time: toTime(h.start[i]!),
            open: h.open[i]!,
            high: h.high[i]!,
            low: h.low[i]!,
            close: h.close[i]!,
          };
        candles.setData(bars);
        volume.setAll(h.start, h.volume, (i) => h.close[i]! >= h.open[i]!);
        if (overlay) overlay.reset(Array.from({ length: n }, (_, i) => historyBar(h, i)));
        lastStart = n > 0 ? h.start[n - 1]! : Number.NEGATIVE_INFINITY;
        loaded = true;
        setEmpty(n === 0 && pending.size === 0);
        chart.timeScale().scrollToRealTime();
        applyPending();
        showLast();
      },
      () => !disposed && setEmpty(true),
    );

    /**
     * Scrolling back near the oldest bar loaded asks for the page before it, and the chart keeps
     * showing the same bars while it grows at the left.
     */
    const loadOlder = () => {
      if (!history || loadingOlder || !olderMayExist || history.start.length === 0) return;
      loadingOlder = true;
      const oldest = history.start[0]!;
      // Each page as long as what is loaded (doubling, up to the contract's limit): every page
      // redraws the whole series, so scrolling back through 100,000 candles takes 6 of them, not 50.
      const limit = Math.min(MAX_CANDLES_PER_REQUEST, Math.max(HISTORY_PAGE, history.start.length));
      api.call('candles.history', { symbol, interval, to: oldest - 1, limit }).then(
        (older) => {
          loadingOlder = false;
          if (disposed || !history) return;
          olderMayExist = older.start.length >= limit;
          if (older.start.length === 0) return;
          const range = chart.timeScale().getVisibleLogicalRange();
          history = prependColumns(older, history);
          const all = allBars();
          candles.setData(all.map(toBar));
          setVolumes(all);
          overlay?.reset(all);
          if (range)
            chart.timeScale().setVisibleLogicalRange({
              from: range.from + older.start.length,
              to: range.to + older.start.length,
            });
        },
        () => (loadingOlder = false),
      );
    };
    const onRange = (range: LogicalRange | null) => {
      if (range && range.from < PREFETCH_BARS) loadOlder();
    };
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);

    const onCrosshair = (param: MouseEventParams<Time>) => {
      hovering = param.time !== undefined;
      if (hovering) setLegend(barAt((param.time as number) * 1000));
      else showLast();
    };
    chart.subscribeCrosshairMove(onCrosshair);

    liveChart.current = {
      showIndicators(on) {
        if (on === (overlay !== null)) return;
        if (on) {
          overlay = new IndicatorOverlay(chart);
          if (timeZone) overlay.useTimeZone(timeZone);
          overlay.reset(allBars());
        } else {
          overlay!.remove();
          overlay = null;
        }
      },
      restyle: () => chart.applyOptions(themeColours()),
    };

    return () => {
      liveChart.current = null;
      disposed = true;
      off();
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
      hideAnomalies();
      liveChartFrames.cancel(applyPending);
      chart.unsubscribeCrosshairMove(onCrosshair);
      chart.remove();
      setLegend(null);
    };
  }, [api, symbol, interval]);

  useLayoutEffect(() => liveChart.current?.showIndicators(indicators), [indicators]);
  useLayoutEffect(() => liveChart.current?.restyle(), [theme]);

  return (
    <section className="chart-panel" aria-label={`${symbol} chart`}>
      <header className="chart-header">
        <h2>{symbol}</h2>
        <Legend candle={legend} interval={interval} timeZone={dayZone} />
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
          {toolbar}
        </div>
      </header>
      <div className="chart-body" ref={container} data-testid="chart">
        {empty && <p className="chart-empty">Waiting for the first trade of {symbol}…</p>}
      </div>
    </section>
  );
}

/** The chart's colours from the page's CSS variables, which follow the theme. */
function themeColours() {
  const styles = getComputedStyle(document.documentElement);
  const colour = (name: string, fallback: string) => styles.getPropertyValue(name).trim() || fallback;
  const border = colour('--border', '#333');
  const grid = colour('--grid', '#222');
  return {
    layout: { textColor: colour('--text-muted', '#999'), panes: { separatorColor: border } },
    grid: { vertLines: { color: grid }, horzLines: { color: grid } },
    rightPriceScale: { borderColor: border },
    timeScale: { borderColor: border },
  };
}

function Legend({
  candle,
  interval,
  timeZone,
}: {
  candle: Bar | null;
  interval: Interval;
  timeZone?: string | undefined;
}) {
  if (!candle) return <div className="legend" data-testid="legend" />;
  const change = candle.open ? (candle.close - candle.open) / candle.open : 0;
  return (
    <div
      className="legend"
      data-testid="legend"
      data-start={candle.start}
      data-open={candle.open}
      data-high={candle.high}
      data-low={candle.low}
      data-close={candle.close}
      data-volume={candle.volume}
    >
      <span className="legend-time">
        {interval === '1d' ? formatDay(candle.start, timeZone) : formatTime(candle.start)}
      </span>
      <span>
        O <b>{formatPrice(candle.open)}</b>
      </span>
      <span>
        H <b>{formatPrice(candle.high)}</b>
      </span>
      <span>
        L <b>{formatPrice(candle.low)}</b>
      </span>
      <span>
        C <b>{formatPrice(candle.close)}</b>
      </span>
      <span>
        V <b>{formatVolume(candle.volume)}</b>
      </span>
      <span className={change >= 0 ? 'up' : 'down'}>{formatPercent(change)}</span>
    </div>
  );
}

const tickFormats: Record<TickMarkType, Intl.DateTimeFormatOptions> = {
  [TickMarkType.Year]: { year: 'numeric' },
  [TickMarkType.Month]: { month: 'short' },
  [TickMarkType.DayOfMonth]: { day: 'numeric', month: 'short' },
  [TickMarkType.Time]: { hour: '2-digit', minute: '2-digit' },
  [TickMarkType.TimeWithSeconds]: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
};

/** Axis labels in the user's own time zone (lightweight-charts draws UTC by default). */
function localTickMark(ms: number, type: TickMarkType): string {
  return new Intl.DateTimeFormat(undefined, tickFormats[type]).format(new Date(ms));
}
