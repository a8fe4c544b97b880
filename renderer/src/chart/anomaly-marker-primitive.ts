import type { AutoscaleInfo, Logical, UTCTimestamp } from 'lightweight-charts';
import type { AnomalyMarker } from './anomaly-markers.ts';
import { SeriesPrimitive, type PrimitiveHost, type RenderingTarget } from './series-primitive.ts';

const COLOR = '#f5a623';
/** Room between the bar's high and the arrow's tip, in CSS pixels. */
const GAP = 3;
/** The arrow's width (and height) is this share of the bar spacing, kept between the two bounds (CSS pixels). */
const WIDTH_SHARE = 0.8;
const MIN_WIDTH = 9;
const MAX_WIDTH = 13;

/**
 * A candlestick series' anomaly markers: a small arrow pointing down at the high of each marked bar.
 * lightweight-charts' own markers plugin re-reads every bar of the series (a converted copy, through
 * `series.data()`) at the first draw after each data change, live updates included: 15-30 ms a frame
 * with 100,000 bars loaded. This one looks up only the marked bars, and draws only those in view.
 */
export class AnomalyMarkerPrimitive extends SeriesPrimitive {
  private times: UTCTimestamp[] = [];

  constructor() {
    // 'normal': on the pane's main canvas after the series, redrawn when data or the view change;
    // the top canvas is redrawn at every crosshair move, and arrows there would cover the crosshair.
    super('normal');
  }

  setMarkers(markers: readonly AnomalyMarker[]): void {
    this.times = markers.map((m) => m.time);
    this.update();
  }

  /** Room above the highest bar for an arrow, so a marker on it is not cut off at the pane's top. */
  autoscaleInfo(): AutoscaleInfo | null {
    return this.times.length === 0 ? null : { priceRange: null, margins: { above: GAP + MAX_WIDTH + 2, below: 0 } };
  }

  protected draw(target: RenderingTarget, host: PrimitiveHost): void {
    const range = host.chart.timeScale().getVisibleLogicalRange();
    if (!range || this.times.length === 0) return;
    const timeScale = host.chart.timeScale();
    // The bar spacing as drawn now (the options keep the initial one, not the user's zoom).
    const from = Math.floor(range.from) as Logical;
    const spacing =
      (timeScale.logicalToCoordinate((from + 1) as Logical) ?? 0) - (timeScale.logicalToCoordinate(from) ?? 0);
    const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, spacing * WIDTH_SHARE));
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio: h, verticalPixelRatio: v }) => {
      // Whole bitmap pixels, an odd width: centred on the wick as lightweight-charts draws it
      // (at Math.round(x * ratio)), not blurred across two pixel columns.
      const across = Math.round(width * h) | 1;
      context.fillStyle = COLOR;
      for (const time of this.times) {
        const index = timeScale.timeToIndex(time, false) as Logical | null;
        if (index === null || index < range.from - 1 || index > range.to + 1) continue;
        const bar = host.series.dataByIndex(index);
        const x = timeScale.logicalToCoordinate(index);
        const high = bar && 'high' in bar ? host.series.priceToCoordinate(bar.high) : null;
        if (x === null || high === null) continue;
        drawArrow(
          context,
          Math.round(x * h),
          Math.round(high * v) - Math.round(GAP * v),
          across,
          Math.round(width * v),
        );
      }
    });
  }
}

/**
 * An arrow pointing down at (x, tip), `width` wide and as tall (bitmap pixels): a head of
 * 60 % of its height under a shaft a third of its width.
 */
function drawArrow(context: CanvasRenderingContext2D, x: number, tip: number, width: number, height: number): void {
  const neck = tip - height * 0.6;
  const shaft = width / 3;
  context.beginPath();
  context.moveTo(x, tip);
  context.lineTo(x - width / 2, neck);
  context.lineTo(x - shaft / 2, neck);
  context.lineTo(x - shaft / 2, tip - height);
  context.lineTo(x + shaft / 2, tip - height);
  context.lineTo(x + shaft / 2, neck);
  context.lineTo(x + width / 2, neck);
  context.closePath();
  context.fill();
}
