import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import {
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  TickMarkType,
  createChart,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Candle } from '../../../engine/domain/candle.ts';
import { INTERVALS, type Interval } from '../../../engine/domain/interval.ts';
import type { CommandOutput } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import { formatPercent, formatPrice, formatTime, formatVolume } from '../format.ts';
import { IndicatorOverlay } from './indicator-overlay.ts';
import { showAnomalies } from './anomaly-overlay.ts';

const UP = '#26a69a';
const DOWN = '#ef5350';

interface Props {
  api: ApiClient;
  symbol: string;
  interval: Interval;
  onIntervalChange: (interval: Interval) => void;
  /** Panel controls shown in the header (symbol picker, widen, remove). */
  toolbar?: ReactNode;
}

/** What the panel keeps of a candle: what it draws, shows in the legend and feeds the indicators. */
type Bar = Pick<Candle, 'symbol' | 'interval' | 'start' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'turnover'>;
type History = CommandOutput<'candles.history'>;

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
const toVolume = (c: Bar): HistogramData<Time> => ({
  time: toTime(c.start),
  value: c.volume,
  color: c.close >= c.open ? UP_VOLUME : DOWN_VOLUME,
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

/** Index of `start` in the (ascending) start column, or -1. */
function indexOf(starts: Float64Array, start: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = starts[mid]!;
    if (at === start) return mid;
    if (at < start) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** One live candlestick chart with a volume pane; updates at most once per animation frame. */
export function ChartPanel({ api, symbol, interval, onIntervalChange, toolbar }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const [legend, setLegend] = useState<Bar | null>(null);
  const [empty, setEmpty] = useState(false);
  const [indicators, setIndicators] = useState(false);

  // A layout effect, so the history is asked for at mount, not after the browser's next paint; and
  // asked for before the chart is built, so the host reads it while the page builds the chart.
  useLayoutEffect(() => {
    const answer = api.call('candles.history', { symbol, interval, limit: 2_000 });
    const el = container.current!;
    const styles = getComputedStyle(document.documentElement);
    // The workspace is rebuilt when the theme changes, so colours read here follow it.
    const border = styles.getPropertyValue('--border').trim() || '#333';
    const chart: IChartApi = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: styles.getPropertyValue('--text-muted').trim() || '#999',
        attributionLogo: true,
        panes: { separatorColor: border },
      },
      grid: {
        vertLines: { color: styles.getPropertyValue('--grid').trim() || '#222' },
        horzLines: { color: styles.getPropertyValue('--grid').trim() || '#222' },
      },
      rightPriceScale: { borderColor: border },
      localization: { timeFormatter: (time: Time) => formatTime((time as number) * 1000) },
      timeScale: {
        borderColor: border,
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
    const volume: ISeriesApi<'Histogram'> = chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' } }, 1);
    chart.panes()[1]?.setHeight(90);
    const overlay = indicators ? new IndicatorOverlay(chart) : null;
    const hideAnomalies = showAnomalies(api, candles, symbol, interval);

    /** The history as loaded (columns, never changed), and every candle an event brought since. */
    let history: History | null = null;
    const live = new Map<number, Bar>();
    let pending = new Map<number, Bar>();
    /** At most one application of events per animation frame: set when applied, cleared by the next frame. */
    let appliedThisFrame = false;
    let frame = 0;
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
        volume.setData(all.map(toVolume));
      } else {
        for (const c of updates) {
          candles.update(toBar(c));
          volume.update(toVolume(c));
        }
      }
      overlay?.apply(updates, allBars);
      lastStart = Math.max(lastStart, updates.at(-1)!.start);
      setEmpty(false);
      showLast();
    };

    /**
     * Candles are handed to the chart as their message arrives, so lightweight-charts draws them in
     * the next animation frame; a second message within the same frame waits for that frame.
     */
    const applySoon = () => {
      if (!appliedThisFrame) {
        applyPending();
        appliedThisFrame = true;
        if (frame === 0) frame = requestAnimationFrame(nextFrame);
      }
    };
    const nextFrame = () => {
      frame = 0;
      appliedThisFrame = false;
      if (pending.size > 0) applySoon();
    };

    let loaded = false;
    const off = api.on('candles', (list) => {
      for (const c of list) if (c.symbol === symbol && c.interval === interval) pending.set(c.start, c);
      if (loaded && pending.size > 0) applySoon();
    });
    answer.then(
      (h) => {
        history = h;
        const n = h.start.length;
        // Both series' data built in one pass, each handed over once.
        const bars = new Array<CandlestickData<Time>>(n);
        const volumes = new Array<HistogramData<Time>>(n);
        for (let i = 0; i < n; i++) {
          const time = toTime(h.start[i]!);
          const open = h.open[i]!;
          const close = h.close[i]!;
          bars[i] = { time, open, high: h.high[i]!, low: h.low[i]!, close };
          volumes[i] = { time, value: h.volume[i]!, color: close >= open ? UP_VOLUME : DOWN_VOLUME };
        }
        candles.setData(bars);
        volume.setData(volumes);
        if (overlay) overlay.reset(Array.from({ length: n }, (_, i) => historyBar(h, i)));
        lastStart = n > 0 ? h.start[n - 1]! : Number.NEGATIVE_INFINITY;
        loaded = true;
        setEmpty(n === 0 && pending.size === 0);
        chart.timeScale().scrollToRealTime();
        applyPending();
        showLast();
      },
      () => setEmpty(true),
    );

    const onCrosshair = (param: MouseEventParams<Time>) => {
      hovering = param.time !== undefined;
      if (hovering) setLegend(barAt((param.time as number) * 1000));
      else showLast();
    };
    chart.subscribeCrosshairMove(onCrosshair);

    return () => {
      off();
      hideAnomalies();
      cancelAnimationFrame(frame);
      chart.unsubscribeCrosshairMove(onCrosshair);
      chart.remove();
      setLegend(null);
    };
  }, [api, symbol, interval, indicators]);

  return (
    <section className="chart-panel" aria-label={`${symbol} chart`}>
      <header className="chart-header">
        <h2>{symbol}</h2>
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
          onClick={() => setIndicators((on) => !on)}
        >
          Indicators
        </button>
        {toolbar}
        <Legend candle={legend} />
      </header>
      <div className="chart-body" ref={container} data-testid="chart">
        {empty && <p className="chart-empty">Waiting for the first trade of {symbol}…</p>}
      </div>
    </section>
  );
}

function Legend({ candle }: { candle: Bar | null }) {
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
      <span className="legend-time">{formatTime(candle.start)}</span>
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
