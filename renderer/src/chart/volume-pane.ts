import {
  LineSeries,
  type IChartApi,
  type IPrimitivePaneRenderer,
  type IPrimitivePaneView,
  type ISeriesApi,
  type ISeriesPrimitive,
  type Logical,
  type SeriesAttachedParameter,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';

const toTime = (ms: number) => (ms / 1000) as UTCTimestamp;

type RenderingTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

export interface VolumeColors {
  up: string;
  down: string;
}

/**
 * A chart's volume pane, drawn from plain arrays. A histogram series takes a data item per bar and
 * converts, indexes and prepares every one of them at each load (100,000 of them took 25-60 ms to set
 * and as long again at the first draw); this pane keeps one number per bar and draws only the bars
 * in view. An invisible line series gives the pane its price scale (0 to the largest volume in
 * view) and carries the primitive that draws the bars; it holds a point at the first and the last
 * bar loaded and at each live bar after them, enough for lightweight-charts to scale and draw its pane.
 *
 * Bar i here is bar i of the candlestick series: the panel keeps both in step.
 */
export class VolumePane {
  /** Start of the newest bar: a live candle either amends it or begins after it. */
  private newestStart = Number.NEGATIVE_INFINITY;
  private volumes: number[] = [];
  private ups: boolean[] = [];
  private readonly scale: ISeriesApi<'Line'>;
  private readonly chart: IChartApi;
  private readonly primitive: VolumePrimitive;

  constructor(chart: IChartApi, paneIndex: number, colors: VolumeColors) {
    this.chart = chart;
    this.scale = chart.addSeries(
      LineSeries,
      {
        priceFormat: { type: 'volume' },
        lineVisible: false,
        lastValueVisible: false,
        priceLineVisible: false,
        crosshairMarkerVisible: false,
        autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: this.largestInView() } }),
      },
      paneIndex,
    );
    this.primitive = new VolumePrimitive(this, colors);
    this.scale.attachPrimitive(this.primitive);
  }

  /** Every bar, oldest first. */
  setAll(starts: ArrayLike<number>, volumes: ArrayLike<number>, ups: (i: number) => boolean): void {
    const n = starts.length;
    this.volumes = Array.from(volumes);
    this.ups = Array.from({ length: n }, (_, i) => ups(i));
    this.newestStart = n > 0 ? starts[n - 1]! : Number.NEGATIVE_INFINITY;
    const ends = n > 1 ? [starts[0]!, starts[n - 1]!] : Array.from(starts);
    this.scale.setData(ends.map((start) => ({ time: toTime(start), value: 0 })));
    this.primitive.redraw();
  }

  /**
   * The newest bar changed, or a newer one began. The scale's point at that bar is set again rather
   * than the primitive asking for a redraw: a series update is a light update of the chart (the pane
   * rescaled and repainted once), where a primitive's request is a full one, which lays the panes
   * out again and so paints every canvas of the chart a second time in the next frame.
   */
  setNewest(start: number, volume: number, up: boolean): void {
    if (start === this.newestStart) {
      this.volumes[this.volumes.length - 1] = volume;
      this.ups[this.ups.length - 1] = up;
    } else {
      this.newestStart = start;
      this.volumes.push(volume);
      this.ups.push(up);
    }
    this.scale.update({ time: toTime(start), value: 0 });
  }

  /** The bars in view, as indexes into the arrays (both inclusive), or null when none is. */
  inView(): [from: number, to: number] | null {
    const range = this.chart.timeScale().getVisibleLogicalRange();
    if (!range || this.volumes.length === 0) return null;
    const from = Math.max(0, Math.floor(range.from));
    const to = Math.min(this.volumes.length - 1, Math.ceil(range.to));
    return from <= to ? [from, to] : null;
  }

  largestInView(): number {
    const view = this.inView();
    if (!view) return 1;
    let largest = 0;
    for (let i = view[0]; i <= view[1]; i++) largest = Math.max(largest, this.volumes[i]!);
    return largest || 1;
  }

  volumeAt(i: number): number {
    return this.volumes[i]!;
  }

  upAt(i: number): boolean {
    return this.ups[i]!;
  }

  x(i: number): number | null {
    return this.chart.timeScale().logicalToCoordinate(i as Logical);
  }

  y(volume: number): number | null {
    return this.scale.priceToCoordinate(volume);
  }
}

/** Draws the bars of a VolumePane; lightweight-charts calls it whenever the pane is drawn. */
class VolumePrimitive implements ISeriesPrimitive<Time> {
  private requestUpdate: (() => void) | undefined;
  private readonly view: IPrimitivePaneView;

  constructor(pane: VolumePane, colors: VolumeColors) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => drawBars(target, pane, colors) };
    this.view = { renderer: () => renderer };
  }

  attached(param: SeriesAttachedParameter<Time>): void {
    this.requestUpdate = param.requestUpdate;
  }

  detached(): void {
    this.requestUpdate = undefined;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  redraw(): void {
    this.requestUpdate?.();
  }
}

function drawBars(target: RenderingTarget, pane: VolumePane, colors: VolumeColors): void {
  const view = pane.inView();
  const zero = pane.y(0);
  if (!view || zero === null) return;
  const [from, to] = view;
  const first = pane.x(from);
  const next = pane.x(from + 1);
  if (first === null) return;
  const spacing = next === null ? 6 : next - first;
  target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio, verticalPixelRatio }) => {
    // Like lightweight-charts' own histogram: bars a little narrower than their spacing, a gap between.
    const width = Math.max(1, Math.floor(spacing * horizontalPixelRatio * 0.8));
    const bottom = Math.round(zero * verticalPixelRatio);
    for (let i = from; i <= to; i++) {
      const x = pane.x(i);
      const y = pane.y(pane.volumeAt(i));
      if (x === null || y === null) continue;
      const top = Math.round(y * verticalPixelRatio);
      context.fillStyle = pane.upAt(i) ? colors.up : colors.down;
      context.fillRect(Math.round(x * horizontalPixelRatio - width / 2), top, width, Math.max(1, bottom - top));
    }
  });
}
