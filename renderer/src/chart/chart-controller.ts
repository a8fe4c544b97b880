import {
  CandlestickSeries,
  ColorType,
  PriceScaleMode,
  TickMarkType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type LogicalRange,
  type MouseEventParams,
  type Time,
} from 'lightweight-charts';
import { MAX_CANDLES_PER_REQUEST } from '../../../engine/api/contract.ts';
import type { Interval } from '../../../engine/domain/interval.ts';
import type { ApiClient } from '../api/client.ts';
import { formatDay, formatTimeIn } from '../format.ts';
import { displayZone, tickMark, type ChartTimeZone } from './chart-time-zone.ts';
import { SessionShading } from './session-shading.ts';
import { chartBarAxis } from './time-axis.ts';
import { INTERVAL_MS } from '../../../engine/domain/interval.ts';
import { showAnomalies } from './anomaly-overlay.ts';
import { historyBar, historyCandlesticks, indexOf, prependColumns, toBar, type Bar, type History } from './bars.ts';
import { liveChartFrames } from './frame-budget.ts';
import { themeColours } from './theme-colours.ts';
import { HISTORY_PAGE } from './history-page.ts';
import { IndicatorOverlay } from './indicator-overlay.ts';
import { VolumePane } from './volume-pane.ts';
import { CompareOverlay } from './compare-overlay.ts';
import { changeOverRange, returnsCorrelation } from './compare.ts';
import { DrawingLayer, type DrawingLayerOptions } from './drawing-layer.ts';
import type { DrawingKind } from '../../../engine/domain/drawing.ts';

/** A compared symbol over the visible range: its line's colour, its change, and how its returns go with the panel's. */
export interface CompareStat {
  symbol: string;
  colour: string;
  change: number | null;
  correlation: number | null;
}

/** The smallest chart that shows TradingView's logo (px). */
const LOGO_MIN_SIZE = { width: 360, height: 240 };

export const UP = '#26a69a';
export const DOWN = '#ef5350';
const UP_VOLUME = `${UP}88`;
const DOWN_VOLUME = `${DOWN}88`;

/** How close to the oldest loaded bar the view may come before the page before it is asked for. */
const PREFETCH_BARS = 200;

export interface ChartControllerOptions {
  api: ApiClient;
  symbol: string;
  interval: Interval;
  /** Whether the indicator lines are drawn from the start. */
  indicators: boolean;
  /** The bar the legend shows: under the crosshair, else the newest. */
  onLegend: (bar: Bar | null) => void;
  /** Whether there is nothing to draw yet (no history, no live candle). */
  onEmpty: (empty: boolean) => void;
  /** The exchange time zone of the symbol's day bars, once the history told it. */
  onTimeZone: (timeZone: string | undefined) => void;
  /** Symbols drawn over the candles, in percent from the first visible bar. */
  compare?: readonly string[];
  /** A logarithmic price scale (comparing puts it in percent whatever this says). */
  log: boolean;
  /** The clock the axis, crosshair and legend read in. */
  timeZone: ChartTimeZone;
  /** Shades pre-market and after-hours bars where the exchange has them (intraday intervals). */
  sessions: boolean;
  /** The panel's own change and each compared symbol's, over the visible range. */
  onCompare?: (main: number | null, stats: CompareStat[]) => void;
  /** The symbol's drawings as they change, the drawing tool's state, and a drawing refused. */
  drawing: Pick<DrawingLayerOptions, 'onDrawings' | 'onState' | 'onError'>;
}

/**
 * One symbol and interval on a lightweight-charts chart: the candlesticks, the volume pane, the
 * indicator overlay and the anomaly markers, fed with the history (in pages, older ones as the
 * user scrolls back) and the live candles (at most once per frame, within the page's budget).
 * Indicators and theme change in place, so the chart keeps its history, scroll and zoom.
 */
export class ChartController {
  private readonly options: ChartControllerOptions;
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: VolumePane;
  private overlay: IndicatorOverlay | null;
  private readonly hideAnomalies: () => void;
  private readonly offCandles: () => void;
  private readonly compare: CompareOverlay;
  private readonly drawings: DrawingLayer;
  private readonly shading: SessionShading;
  private log: boolean;
  private zoneChoice: ChartTimeZone;
  private sessions: boolean;

  /** The history loaded so far (columns; older pages are joined in front). */
  private history: History | null = null;
  private timeZone: string | undefined;
  /** Whether a page before the oldest loaded bar may exist (the last page came back full). */
  private olderMayExist = false;
  private loadingOlder = false;
  private loaded = false;
  private disposed = false;
  /** Every candle an event brought since the history, by start. */
  private readonly live = new Map<number, Bar>();
  private pending = new Map<number, Bar>();
  private lastStart = Number.NEGATIVE_INFINITY;
  private hovering = false;
  private logoShown = true;
  private readonly sizeWatch: ResizeObserver;

  constructor(container: HTMLElement, options: ChartControllerOptions) {
    this.options = options;
    this.log = options.log;
    this.zoneChoice = options.timeZone;
    this.sessions = options.sessions;
    const { api, symbol, interval } = options;
    // Asked for before the chart is built, so the host reads it while the page builds the chart.
    const answer = api.call('candles.history', { symbol, interval, limit: HISTORY_PAGE });
    this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, attributionLogo: true },
      rightPriceScale: { minimumWidth: 72 },
      timeScale: { timeVisible: true, secondsVisible: interval === '1s', rightOffset: 4 },
    });
    this.applyTimeZone();
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    this.volume = new VolumePane(this.chart, 1, { up: UP_VOLUME, down: DOWN_VOLUME });
    // Volume takes a quarter of the height whatever the panel's size: a fixed height left small
    // panels of a 4-column grid a sliver of price.
    this.chart.panes()[0]?.setStretchFactor(3);
    this.chart.panes()[1]?.setStretchFactor(1);
    this.restyle();
    this.overlay = options.indicators ? new IndicatorOverlay(this.chart) : null;
    this.hideAnomalies = showAnomalies(api, this.candles, symbol, interval);
    this.compare = new CompareOverlay(this.chart, api, interval, () => this.reportCompare());
    this.compare.show(options.compare ?? []);
    this.applyScaleMode();
    this.shading = new SessionShading(() => chartBarAxis(this.chart, INTERVAL_MS[interval]));
    this.candles.attachPrimitive(this.shading);
    this.sizeWatch = new ResizeObserver(([entry]) => entry && this.fitLogo(entry.contentRect));
    this.sizeWatch.observe(container);
    this.drawings = new DrawingLayer(this.chart, this.candles, container, {
      api,
      symbol,
      interval,
      ...options.drawing,
    });

    this.offCandles = api.on('candles', (list) => {
      for (const c of list) if (c.symbol === symbol && c.interval === interval) this.pending.set(c.start, c);
      // Handed to the chart as the message arrives (lightweight-charts draws in the next frame),
      // unless this frame's budget of chart updates is spent: then in a frame soon after.
      if (this.loaded && this.pending.size > 0) liveChartFrames.run(this.applyPending);
    });
    answer.then(
      (h) => this.showHistory(h),
      () => !this.disposed && options.onEmpty(true),
    );
    this.chart.timeScale().subscribeVisibleLogicalRangeChange(this.onRange);
    this.chart.subscribeCrosshairMove(this.onCrosshair);
  }

  /** Draws or removes the indicator lines, from the bars already loaded: nothing is fetched again. */
  showIndicators(on: boolean): void {
    if (on === (this.overlay !== null)) return;
    if (on) {
      this.overlay = new IndicatorOverlay(this.chart);
      if (this.timeZone) this.overlay.useTimeZone(this.timeZone);
      this.overlay.reset(this.allBars());
    } else {
      this.overlay!.remove();
      this.overlay = null;
    }
  }

  /** Draws exactly these symbols over the candles (none: the price scale in prices again). */
  showCompare(symbols: readonly string[]): void {
    this.compare.show(symbols);
    this.applyScaleMode();
  }

  showLog(on: boolean): void {
    this.log = on;
    this.applyScaleMode();
  }

  showTimeZone(choice: ChartTimeZone): void {
    this.zoneChoice = choice;
    this.applyTimeZone();
  }

  showSessions(on: boolean): void {
    this.sessions = on;
    this.applyShading();
  }

  /** Percent while comparing (each line from its first visible bar), else log or plain prices. */
  private applyScaleMode(): void {
    const scale = this.compare.series().length > 0 ? 'percent' : this.log ? 'log' : 'price';
    const mode = { percent: PriceScaleMode.Percentage, log: PriceScaleMode.Logarithmic, price: PriceScaleMode.Normal };
    this.chart.priceScale('right').applyOptions({ mode: mode[scale] });
    // Where a test (or a stylesheet) can read the scale in effect.
    this.chart.chartElement().parentElement?.setAttribute('data-scale', scale);
  }

  /** New formatters make the chart redraw its axis and crosshair labels in the zone now chosen. */
  private applyTimeZone(): void {
    const zone = displayZone(this.zoneChoice, this.timeZone);
    this.chart.applyOptions({
      localization: { timeFormatter: (time: Time) => this.barTime((time as number) * 1000, zone) },
      timeScale: {
        tickMarkFormatter: (time: Time, type: TickMarkType) =>
          tickMark((time as number) * 1000, type, this.options.interval === '1d' ? this.timeZone : zone),
      },
    });
  }

  private applyShading(): void {
    this.shading.use(this.sessions && this.options.interval !== '1d' ? (this.timeZone ?? null) : null);
  }

  /** Arms a drawing tool: the next clicks on the price pane draw it (null: stop drawing). */
  armDrawing(tool: DrawingKind | null): void {
    this.drawings.arm(tool);
  }

  /** The newest bar's close, or null before any bar. */
  lastClose(): number | null {
    return Number.isFinite(this.lastStart) ? (this.barAt(this.lastStart)?.close ?? null) : null;
  }

  /** Stores the note placed by the last click with this text. */
  addNote(text: string): Promise<void> {
    return this.drawings.addNote(text);
  }

  /** Tells the legend how each line moved over what is visible, and how it moved with the candles. */
  private reportCompare(): void {
    const compared = this.compare.series();
    const range = this.chart.timeScale().getVisibleRange();
    if (this.disposed || !this.options.onCompare) return;
    if (compared.length === 0 || !range) {
      this.options.onCompare(null, []);
      return;
    }
    const [from, to] = [(range.from as number) * 1000, (range.to as number) * 1000];
    const main = this.allBars();
    this.options.onCompare(
      changeOverRange(main, from, to),
      compared.map(({ symbol, colour, points }) => ({
        symbol,
        colour,
        change: changeOverRange(points, from, to),
        correlation: returnsCorrelation(main, points, from, to),
      })),
    );
  }

  /** Takes the colours of the theme now in effect from the page's CSS variables. */
  restyle(): void {
    this.chart.applyOptions(themeColours());
  }

  dispose(): void {
    this.disposed = true;
    this.sizeWatch.disconnect();
    this.offCandles();
    this.compare.dispose();
    this.drawings.dispose();
    this.chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.onRange);
    this.hideAnomalies();
    liveChartFrames.cancel(this.applyPending);
    this.chart.unsubscribeCrosshairMove(this.onCrosshair);
    this.chart.remove();
  }

  /**
   * TradingView's logo covers a good part of a small chart (a grid of 16 on a laptop): it is left
   * out there. The attribution the library's licence asks for stays in the app (About, and Help >
   * TradingView Lightweight Charts) and in the README, and on every chart large enough to spare it.
   */
  private fitLogo({ width, height }: { width: number; height: number }): void {
    const shown = width >= LOGO_MIN_SIZE.width && height >= LOGO_MIN_SIZE.height;
    if (shown === this.logoShown) return;
    this.logoShown = shown;
    this.chart.applyOptions({ layout: { attributionLogo: shown } });
  }

  /** A day bar is an exchange date: no time of day, and not the evening before west of its zone. */
  private barTime(ms: number, zone: string | undefined): string {
    return this.options.interval === '1d' ? formatDay(ms, this.timeZone) : formatTimeIn(ms, zone);
  }

  private showHistory(h: History): void {
    // The panel changed symbol or interval (or closed) before its history came: that chart is gone.
    if (this.disposed) return;
    this.history = h;
    this.timeZone = h.timeZone;
    this.options.onTimeZone(h.timeZone);
    this.applyTimeZone();
    this.applyShading();
    if (h.timeZone) this.overlay?.useTimeZone(h.timeZone);
    const n = h.start.length;
    this.olderMayExist = n >= HISTORY_PAGE;
    this.candles.setData(historyCandlesticks(h));
    this.volume.setAll(h.start, h.volume, (i) => h.close[i]! >= h.open[i]!);
    this.overlay?.reset(Array.from({ length: n }, (_, i) => historyBar(h, i)));
    this.lastStart = n > 0 ? h.start[n - 1]! : Number.NEGATIVE_INFINITY;
    this.loaded = true;
    this.options.onEmpty(n === 0 && this.pending.size === 0);
    this.chart.timeScale().scrollToRealTime();
    this.applyPending();
    this.showLast();
    this.reportCompare();
  }

  private barAt(start: number): Bar | null {
    const fresh = this.live.get(start);
    if (fresh) return fresh;
    const at = this.history ? indexOf(this.history.start, start) : -1;
    return at >= 0 ? historyBar(this.history!, at) : null;
  }

  /** Every bar, oldest first: the history with the live candles laid over it. */
  private allBars = (): Bar[] => {
    const byStart = new Map<number, Bar>();
    const h = this.history;
    if (h) for (let i = 0; i < h.start.length; i++) byStart.set(h.start[i]!, historyBar(h, i));
    for (const c of this.live.values()) byStart.set(c.start, c);
    return [...byStart.values()].sort((a, b) => a.start - b.start);
  };

  private redrawAll(): Bar[] {
    const all = this.allBars();
    this.candles.setData(all.map(toBar));
    this.volume.setAll(
      all.map((c) => c.start),
      all.map((c) => c.volume),
      (i) => all[i]!.close >= all[i]!.open,
    );
    return all;
  }

  private showLast(): void {
    if (this.hovering) return;
    this.options.onLegend(Number.isFinite(this.lastStart) ? this.barAt(this.lastStart) : null);
  }

  private applyPending = (): void => {
    const updates = [...this.pending.values()].sort((a, b) => a.start - b.start);
    this.pending = new Map();
    if (updates.length === 0) return;
    for (const c of updates) this.live.set(c.start, c);
    // An amendment of an older bar: lightweight-charts only updates the newest, so redraw all.
    if (updates[0]!.start < this.lastStart) this.redrawAll();
    else
      for (const c of updates) {
        this.candles.update(toBar(c));
        this.volume.setNewest(c.start, c.volume, c.close >= c.open);
      }
    this.overlay?.apply(updates, this.allBars);
    this.lastStart = Math.max(this.lastStart, updates.at(-1)!.start);
    this.options.onEmpty(false);
    this.showLast();
    if (this.compare.series().length > 0) this.reportCompare();
  };

  /**
   * Scrolling back near the oldest bar loaded asks for the page before it, and the chart keeps
   * showing the same bars while it grows at the left.
   */
  private loadOlder(): void {
    const history = this.history;
    if (!history || this.loadingOlder || !this.olderMayExist || history.start.length === 0) return;
    this.loadingOlder = true;
    const { api, symbol, interval } = this.options;
    // Each page as long as what is loaded (doubling, up to the contract's limit): every page
    // redraws the whole series, so scrolling back through 100,000 candles takes 6 of them, not 50.
    const limit = Math.min(MAX_CANDLES_PER_REQUEST, Math.max(HISTORY_PAGE, history.start.length));
    api.call('candles.history', { symbol, interval, to: history.start[0]! - 1, limit }).then(
      (older) => {
        this.loadingOlder = false;
        if (this.disposed || !this.history) return;
        this.olderMayExist = older.start.length >= limit;
        if (older.start.length === 0) return;
        const range = this.chart.timeScale().getVisibleLogicalRange();
        this.history = prependColumns(older, this.history);
        const all = this.redrawAll();
        this.overlay?.reset(all);
        if (range)
          this.chart.timeScale().setVisibleLogicalRange({
            from: range.from + older.start.length,
            to: range.to + older.start.length,
          });
      },
      () => (this.loadingOlder = false),
    );
  }

  private onRange = (range: LogicalRange | null): void => {
    if (range && range.from < PREFETCH_BARS) this.loadOlder();
    if (this.compare.series().length > 0) this.reportCompare();
  };

  private onCrosshair = (param: MouseEventParams<Time>): void => {
    this.hovering = param.time !== undefined;
    if (this.hovering) this.options.onLegend(this.barAt((param.time as number) * 1000));
    else this.showLast();
  };
}
