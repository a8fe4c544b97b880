import {
  LineSeries,
  LineStyle,
  type IChartApi,
  type ISeriesApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import {
  CandleIndicators,
  DEFAULT_INDICATORS,
  indicatorKeys,
  sessionOfCandle,
  type IndicatorCandle,
  type IndicatorPoint,
  type IndicatorSpec,
} from '../../../engine/stream/indicators/index.ts';
import { ExchangeDays } from '../../../engine/domain/exchange-day.ts';

/** One colour per kind of line; Bollinger's three share one, its middle dashed. */
function styleOf(key: string): { color: string; lineStyle?: LineStyle } {
  if (key.startsWith('sma')) return { color: '#f5a623' };
  if (key.startsWith('ema')) return { color: '#4a90e2' };
  if (key.endsWith('.middle')) return { color: '#9b7fd4', lineStyle: LineStyle.Dashed };
  if (key.startsWith('bb')) return { color: '#9b7fd4' };
  if (key.startsWith('rsi')) return { color: '#d46fa5' };
  return { color: '#8bc34a', lineStyle: LineStyle.Dotted };
}

const RSI_PANE = 2;

/**
 * Indicator lines over a live candlestick chart, computed here from the candles the chart holds
 * with the engine's own indicator classes (the numbers `indicators.series` serves for the same
 * candles). The open candle is amended in O(1); a late tick that changes an older candle makes
 * the whole series be recomputed from the chart's candles.
 */
export class IndicatorOverlay {
  private readonly spec: IndicatorSpec;
  private readonly chart: IChartApi;
  private readonly series = new Map<string, ISeriesApi<'Line'>>();
  private live: CandleIndicators;
  /** Session VWAP restarts at midnight of the symbol's exchange (New York until the history says). */
  private sessionOf = sessionOfCandle();

  constructor(chart: IChartApi, spec: IndicatorSpec = DEFAULT_INDICATORS) {
    this.spec = spec;
    this.chart = chart;
    this.live = new CandleIndicators(spec, this.sessionOf);
    for (const key of indicatorKeys(spec)) {
      const rsi = key.startsWith('rsi');
      const line = chart.addSeries(
        LineSeries,
        {
          ...styleOf(key),
          lineWidth: 1,
          priceLineVisible: false,
          lastValueVisible: rsi,
          crosshairMarkerVisible: false,
          title: rsi ? key : '',
        },
        rsi ? RSI_PANE : 0,
      );
      if (rsi) {
        for (const price of [30, 70])
          line.createPriceLine({
            price,
            color: '#888',
            lineWidth: 1,
            lineStyle: LineStyle.Dotted,
            axisLabelVisible: false,
            title: '',
          });
      }
      this.series.set(key, line);
    }
    // As tall as the volume pane (the price pane has three times their share): a fixed height in
    // pixels squeezed the volume pane to a sliver in a small panel.
    if (this.spec.rsi) chart.panes()[RSI_PANE]?.setStretchFactor(1);
  }

  /** Takes the lines off the chart, and the RSI pane they left empty; the chart's view stays as it was. */
  remove(): void {
    for (const line of this.series.values()) this.chart.removeSeries(line);
    this.series.clear();
    const rsiPane = this.chart.panes()[RSI_PANE];
    if (rsiPane && rsiPane.getSeries().length === 0) this.chart.removePane(RSI_PANE);
  }

  /** The symbol's exchange time zone: sessions of the next reset begin at its midnight. */
  useTimeZone(timeZone: string): void {
    this.sessionOf = sessionOfCandle(new ExchangeDays(() => timeZone));
  }

  /** All candles of the chart, oldest first. */
  reset(candles: readonly IndicatorCandle[]): void {
    this.live = new CandleIndicators(this.spec, this.sessionOf);
    const points = candles.map((c) => this.live.push(c)!);
    for (const [key, line] of this.series) line.setData(points.map((p) => toLine(p, key)));
  }

  /** Candles that changed, oldest first; `all` gives every candle of the chart in case an older one changed. */
  apply(updates: readonly IndicatorCandle[], all: () => IndicatorCandle[]): void {
    if (updates.length > 0 && updates[0]!.start < this.live.openStart) {
      this.reset(all());
      return;
    }
    for (const candle of updates) {
      const point = this.live.push(candle)!;
      for (const [key, line] of this.series) line.update(toLine(point, key));
    }
  }
}

function toLine(point: IndicatorPoint, key: string): { time: Time; value?: number } {
  const time = (point.start / 1000) as UTCTimestamp;
  const value = point.values[key];
  // A warming-up indicator has no value yet: whitespace keeps the line's time axis in step.
  return value == null ? { time } : { time, value };
}
