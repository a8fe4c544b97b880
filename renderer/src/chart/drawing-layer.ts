import { LineStyle, type IChartApi, type IPriceLine, type ISeriesApi } from 'lightweight-charts';
import type { Drawing, DrawingKind, DrawingSpec } from '../../../engine/domain/drawing.ts';
import { INTERVAL_MS, type Interval } from '../../../engine/domain/interval.ts';
import type { ApiClient } from '../api/client.ts';
import { timeOfLogical, type BarAxis } from './drawing-geometry.ts';
import { chartBarAxis, logicalOfX } from './time-axis.ts';
import { DRAWING_COLOUR, DrawingsPrimitive } from './drawings-primitive.ts';

export type Anchor = { time: number; price: number };

/** What the panel shows about drawing: nothing, the next click asked for, or a note waiting for its text. */
export type DrawState =
  { tool: null } | { tool: DrawingKind; step: 'first' | 'second' } | { tool: 'note'; step: 'text'; at: Anchor };

export interface DrawingLayerOptions {
  api: ApiClient;
  symbol: string;
  interval: Interval;
  onDrawings: (drawings: Drawing[]) => void;
  onState: (state: DrawState) => void;
  onError: (message: string) => void;
}

/**
 * A symbol's drawings on one panel: loaded from the engine, redrawn when any panel of the symbol
 * changes them, and drawn with clicks on the price pane once a tool is armed (two clicks for a
 * trend line or rectangle, one for a horizontal line or a note). Native clicks, not the chart's
 * click events: the chart reports a quick second click as a double click only.
 */
export class DrawingLayer {
  private readonly options: DrawingLayerOptions;
  private readonly chart: IChartApi;
  private readonly series: ISeriesApi<'Candlestick'>;
  private readonly container: HTMLElement;
  private readonly primitive: DrawingsPrimitive;
  private readonly offEvent: () => void;
  private drawings: Drawing[] = [];
  private priceLines: IPriceLine[] = [];
  private state: DrawState = { tool: null };
  private first: Anchor | null = null;
  private pointer: Anchor | null = null;
  private disposed = false;

  constructor(
    chart: IChartApi,
    series: ISeriesApi<'Candlestick'>,
    container: HTMLElement,
    options: DrawingLayerOptions,
  ) {
    this.options = options;
    this.chart = chart;
    this.series = series;
    this.container = container;
    this.primitive = new DrawingsPrimitive(() => this.axis());
    series.attachPrimitive(this.primitive);
    this.offEvent = options.api.on('drawings', ({ symbol, drawings }) => {
      if (symbol === options.symbol) this.show(drawings);
    });
    options.api.call('drawings.list', { symbol: options.symbol }).then(
      (list) => this.show(list),
      (e: Error) => options.onError(e.message),
    );
    container.addEventListener('click', this.onClick);
    container.addEventListener('pointermove', this.onPointerMove);
  }

  /** Arms a tool (the next clicks draw it), or disarms with null. */
  arm(tool: DrawingKind | null): void {
    this.first = null;
    this.setState(tool === null ? { tool: null } : { tool, step: 'first' });
  }

  /** Gives the note waiting for its text its text, and stores it. */
  async addNote(text: string): Promise<void> {
    if (this.state.tool !== 'note' || this.state.step !== 'text') return;
    await this.add({ kind: 'note', at: this.state.at, text });
  }

  dispose(): void {
    this.disposed = true;
    this.offEvent();
    this.container.removeEventListener('click', this.onClick);
    this.container.removeEventListener('pointermove', this.onPointerMove);
    document.removeEventListener('keydown', this.onKey);
    this.series.detachPrimitive(this.primitive);
  }

  private show(drawings: Drawing[]): void {
    if (this.disposed) return;
    this.drawings = drawings;
    for (const line of this.priceLines) this.series.removePriceLine(line);
    this.priceLines = drawings.flatMap((d) =>
      d.spec.kind === 'hline'
        ? [
            this.series.createPriceLine({
              price: d.spec.price,
              color: DRAWING_COLOUR,
              lineWidth: 2,
              lineStyle: LineStyle.Dashed,
              axisLabelVisible: true,
              title: '',
            }),
          ]
        : [],
    );
    this.redraw();
    this.options.onDrawings(drawings);
  }

  private setState(state: DrawState): void {
    this.state = state;
    this.container.classList.toggle('drawing', state.tool !== null);
    if (state.tool === null) document.removeEventListener('keydown', this.onKey);
    else document.addEventListener('keydown', this.onKey);
    this.redraw();
    this.options.onState(state);
  }

  private redraw(): void {
    this.primitive.show(
      this.drawings.map((d) => d.spec),
      this.draft(),
    );
  }

  /** The shape between the first click and the pointer, while the second click is awaited. */
  private draft(): DrawingSpec | null {
    const { tool } = this.state;
    if (!this.first || !this.pointer || (tool !== 'trend' && tool !== 'rect')) return null;
    return { kind: tool, from: this.first, to: this.pointer };
  }

  private async add(spec: DrawingSpec): Promise<void> {
    this.first = null;
    this.setState({ tool: null });
    try {
      this.show(await this.options.api.call('drawings.add', { symbol: this.options.symbol, spec }));
    } catch (e) {
      this.options.onError((e as Error).message);
    }
  }

  private onClick = (event: MouseEvent): void => {
    const { tool } = this.state;
    // Only the chart's own canvases: the bar over its top edge has buttons and a text field.
    const at = event.target instanceof HTMLCanvasElement ? this.anchorAt(event) : null;
    if (tool === null || !at || ('step' in this.state && this.state.step === 'text')) return;
    if (tool === 'hline') void this.add({ kind: 'hline', price: at.price });
    else if (tool === 'note') this.setState({ tool: 'note', step: 'text', at });
    else if (!this.first) {
      this.first = at;
      this.setState({ tool, step: 'second' });
    } else void this.add({ kind: tool, from: this.first, to: at });
  };

  private onPointerMove = (event: PointerEvent): void => {
    if (!this.first) return;
    this.pointer = this.anchorAt(event) ?? this.pointer;
    this.redraw();
  };

  private onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') this.arm(null);
  };

  /** The moment and price under the pointer on the price pane (not the volume pane or the axes). */
  private anchorAt(event: MouseEvent): Anchor | null {
    const box = this.container.getBoundingClientRect();
    const [x, y] = [event.clientX - box.left, event.clientY - box.top];
    const timeScale = this.chart.timeScale();
    if (x < 0 || x > timeScale.width() || y < 0 || y > (this.chart.panes()[0]?.getHeight() ?? 0)) return null;
    const price = this.series.coordinateToPrice(y);
    const logical = logicalOfX(this.chart, x);
    if (price === null || logical === null) return null;
    const time = timeOfLogical(this.axis(), logical);
    return time === null ? null : { time: Math.max(0, time), price: roundPrice(price) };
  }

  private axis(): BarAxis {
    return chartBarAxis(this.chart, INTERVAL_MS[this.options.interval]);
  }
}

/** A clicked price to about six significant digits: finer than a pixel tells, without float noise. */
function roundPrice(price: number): number {
  const digits = Math.max(2, 5 - Math.floor(Math.log10(Math.abs(price) || 1)));
  return Number(price.toFixed(Math.min(8, digits)));
}
