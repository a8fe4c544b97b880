import { LineSeries, type IChartApi, type ISeriesApi } from 'lightweight-charts';
import type { Interval } from '../../../engine/domain/interval.ts';
import type { ApiClient } from '../api/client.ts';
import { toTime } from './bars.ts';
import { COMPARE_COLOURS, type ClosePoint } from './compare.ts';
import { HISTORY_PAGE } from './history-page.ts';

/** One compared symbol on the chart: its line and the closes it was drawn from. */
interface Compared {
  colour: string;
  line: ISeriesApi<'Line'>;
  closes: Map<number, number>;
}

/** A compared symbol as the legend shows it. */
export interface ComparedSeries {
  symbol: string;
  colour: string;
  points: ClosePoint[];
}

/**
 * Other symbols' closes drawn over a panel's candles, on the candles' price scale, which the
 * controller switches to percent while any is shown (lightweight-charts measures each series from
 * its own first visible bar), so the lines start together wherever the user scrolls. Each follows its live candles like the main series.
 */
export class CompareOverlay {
  private readonly chart: IChartApi;
  private readonly api: ApiClient;
  private readonly interval: Interval;
  private readonly onChange: () => void;
  private readonly compared = new Map<string, Compared>();
  private readonly offCandles: () => void;

  constructor(chart: IChartApi, api: ApiClient, interval: Interval, onChange: () => void) {
    this.chart = chart;
    this.api = api;
    this.interval = interval;
    this.onChange = onChange;
    this.offCandles = api.on('candles', (list) => {
      let changed = false;
      for (const c of list) {
        const entry = c.interval === interval ? this.compared.get(c.symbol) : undefined;
        if (!entry) continue;
        entry.closes.set(c.start, c.close);
        entry.line.update({ time: toTime(c.start), value: c.close });
        changed = true;
      }
      if (changed) onChange();
    });
  }

  /** Shows exactly these symbols (in this order of colours), fetching the history of new ones. */
  show(symbols: readonly string[]): void {
    for (const symbol of [...this.compared.keys()]) if (!symbols.includes(symbol)) this.drop(symbol);
    symbols.forEach((symbol, i) => {
      if (!this.compared.has(symbol)) this.add(symbol, COMPARE_COLOURS[i % COMPARE_COLOURS.length]!);
    });
    this.onChange();
  }

  series(): ComparedSeries[] {
    return [...this.compared].map(([symbol, { colour, closes }]) => ({
      symbol,
      colour,
      points: [...closes].map(([start, close]) => ({ start, close })).sort((a, b) => a.start - b.start),
    }));
  }

  dispose(): void {
    this.offCandles();
  }

  private add(symbol: string, colour: string): void {
    const line = this.chart.addSeries(LineSeries, {
      color: colour,
      lineWidth: 2,
      priceLineVisible: false,
      lastValueVisible: true,
      crosshairMarkerVisible: false,
      title: symbol,
    });
    const entry: Compared = { colour, line, closes: new Map() };
    this.compared.set(symbol, entry);
    this.api.call('candles.history', { symbol, interval: this.interval, limit: HISTORY_PAGE }).then(
      (h) => {
        if (this.compared.get(symbol) !== entry) return;
        // Live candles that came before the history are newer than it: they win.
        const live = new Map(entry.closes);
        for (let i = 0; i < h.start.length; i++) entry.closes.set(h.start[i]!, h.close[i]!);
        for (const [start, close] of live) entry.closes.set(start, close);
        const sorted = [...entry.closes].sort((a, b) => a[0] - b[0]);
        line.setData(sorted.map(([start, value]) => ({ time: toTime(start), value })));
        this.onChange();
      },
      () => undefined,
    );
  }

  private drop(symbol: string): void {
    const entry = this.compared.get(symbol)!;
    this.chart.removeSeries(entry.line);
    this.compared.delete(symbol);
  }
}
