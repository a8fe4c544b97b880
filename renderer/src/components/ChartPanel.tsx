import { useEffect, useRef, useState, type ReactNode } from 'react';
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
import type { ApiClient } from '../api/client.ts';
import { formatPercent, formatPrice, formatTime, formatVolume } from '../format.ts';
import { IndicatorOverlay } from './indicator-overlay.ts';

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

const toTime = (ms: number) => (ms / 1000) as UTCTimestamp;
const toBar = (c: Candle): CandlestickData<Time> => ({
  time: toTime(c.start),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
});
const toVolume = (c: Candle): HistogramData<Time> => ({
  time: toTime(c.start),
  value: c.volume,
  color: c.close >= c.open ? `${UP}88` : `${DOWN}88`,
});

/** One live candlestick chart with a volume pane; updates at most once per animation frame. */
export function ChartPanel({ api, symbol, interval, onIntervalChange, toolbar }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const [legend, setLegend] = useState<Candle | null>(null);
  const [empty, setEmpty] = useState(false);
  const [indicators, setIndicators] = useState(false);

  useEffect(() => {
    const el = container.current!;
    const styles = getComputedStyle(document.documentElement);
    const chart: IChartApi = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: styles.getPropertyValue('--text-muted').trim() || '#999',
        attributionLogo: true,
        panes: { separatorColor: styles.getPropertyValue('--border').trim() || '#333' },
      },
      grid: {
        vertLines: { color: styles.getPropertyValue('--grid').trim() || '#222' },
        horzLines: { color: styles.getPropertyValue('--grid').trim() || '#222' },
      },
      localization: { timeFormatter: (time: Time) => formatTime((time as number) * 1000) },
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
    const volume: ISeriesApi<'Histogram'> = chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' } }, 1);
    chart.panes()[1]?.setHeight(90);
    const overlay = indicators ? new IndicatorOverlay(chart) : null;

    const bars = new Map<number, Candle>();
    let pending = new Map<number, Candle>();
    let frame = 0;
    let lastStart = Number.NEGATIVE_INFINITY;
    let hovering = false;

    const showLast = () => {
      if (hovering) return;
      const last = candles.data().at(-1);
      setLegend(last ? (bars.get((last.time as number) * 1000) ?? null) : null);
    };

    const applyPending = () => {
      frame = 0;
      const updates = [...pending.values()].sort((a, b) => a.start - b.start);
      pending = new Map();
      if (updates.length === 0) return;
      for (const c of updates) bars.set(c.start, c);
      if (updates[0]!.start < lastStart) {
        // An amendment of an older bar: lightweight-charts only updates the newest, so redraw all.
        const all = [...bars.values()].sort((a, b) => a.start - b.start);
        candles.setData(all.map(toBar));
        volume.setData(all.map(toVolume));
      } else {
        for (const c of updates) {
          candles.update(toBar(c));
          volume.update(toVolume(c));
        }
      }
      overlay?.apply(updates, () => [...bars.values()].sort((a, b) => a.start - b.start));
      lastStart = Math.max(lastStart, updates.at(-1)!.start);
      setEmpty(false);
      showLast();
    };

    let loaded = false;
    const off = api.on('candles', (list) => {
      for (const c of list) if (c.symbol === symbol && c.interval === interval) pending.set(c.start, c);
      if (loaded && pending.size > 0 && frame === 0) frame = requestAnimationFrame(applyPending);
    });
    api.call('candles.list', { symbol, interval, limit: 2_000 }).then(
      (history) => {
        for (const c of history) bars.set(c.start, c);
        candles.setData(history.map(toBar));
        volume.setData(history.map(toVolume));
        overlay?.reset(history);
        lastStart = history.at(-1)?.start ?? Number.NEGATIVE_INFINITY;
        loaded = true;
        setEmpty(history.length === 0 && pending.size === 0);
        chart.timeScale().scrollToRealTime();
        applyPending();
      },
      () => setEmpty(true),
    );

    const onCrosshair = (param: MouseEventParams<Time>) => {
      hovering = param.time !== undefined;
      if (hovering) setLegend(bars.get((param.time as number) * 1000) ?? null);
      else showLast();
    };
    chart.subscribeCrosshairMove(onCrosshair);

    return () => {
      off();
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

function Legend({ candle }: { candle: Candle | null }) {
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
