import type { DrawingSpec } from '../../../engine/domain/drawing.ts';
import type { BarAxis } from './drawing-geometry.ts';
import { xOfTime } from './time-axis.ts';
import { SeriesPrimitive, type RenderingTarget } from './series-primitive.ts';

type Anchor = { time: number; price: number };

export const DRAWING_COLOUR = '#4f9dff';
const FILL = 'rgba(79, 157, 255, 0.14)';
const NOTE_FONT = '12px system-ui, sans-serif';

/**
 * A panel's trend lines, rectangles and notes (horizontal lines are the series' own price lines),
 * and the one being drawn, which follows the pointer. Anchors are moments and prices, placed on
 * whatever interval the panel shows.
 */
export class DrawingsPrimitive extends SeriesPrimitive {
  private specs: DrawingSpec[] = [];
  private draft: DrawingSpec | null = null;
  private readonly axis: () => BarAxis;

  constructor(axis: () => BarAxis) {
    // Over the candles: a drawing is read against them.
    super('top');
    this.axis = axis;
  }

  show(specs: readonly DrawingSpec[], draft: DrawingSpec | null): void {
    this.specs = specs.filter((s) => s.kind !== 'hline');
    this.draft = draft;
    this.update();
  }

  private point(a: Anchor): { x: number; y: number } | null {
    const x = this.host ? xOfTime(this.host.chart, this.axis(), a.time) : null;
    const y = this.host?.series.priceToCoordinate(a.price) ?? null;
    return x === null || y === null ? null : { x, y };
  }

  protected draw(target: RenderingTarget): void {
    target.useMediaCoordinateSpace(({ context }) => {
      for (const spec of this.specs) this.drawOne(context, spec, false);
      if (this.draft) this.drawOne(context, this.draft, true);
    });
  }

  private drawOne(context: CanvasRenderingContext2D, spec: DrawingSpec, draft: boolean): void {
    context.save();
    context.strokeStyle = DRAWING_COLOUR;
    context.fillStyle = FILL;
    context.lineWidth = 2;
    if (draft) context.setLineDash([5, 4]);
    if (spec.kind === 'trend' || spec.kind === 'rect') {
      const a = this.point(spec.from);
      const b = this.point(spec.to);
      if (a && b) {
        if (spec.kind === 'rect') {
          context.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
          context.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
        } else {
          context.beginPath();
          context.moveTo(a.x, a.y);
          context.lineTo(b.x, b.y);
          context.stroke();
          for (const p of [a, b]) dot(context, p.x, p.y);
        }
      }
    } else if (spec.kind === 'note') {
      const p = this.point(spec.at);
      if (p) drawNote(context, p.x, p.y, spec.text);
    }
    context.restore();
  }
}

function dot(context: CanvasRenderingContext2D, x: number, y: number): void {
  context.beginPath();
  context.arc(x, y, 3, 0, Math.PI * 2);
  context.fillStyle = DRAWING_COLOUR;
  context.fill();
}

/** A note: a pin at its anchor and its text in a box just above and to the right. */
function drawNote(context: CanvasRenderingContext2D, x: number, y: number, text: string): void {
  dot(context, x, y);
  context.font = NOTE_FONT;
  const width = context.measureText(text).width + 12;
  const [left, top, height] = [x + 6, y - 26, 20];
  context.fillStyle = DRAWING_COLOUR;
  context.beginPath();
  context.roundRect(left, top, width, height, 4);
  context.fill();
  context.fillStyle = '#fff';
  context.textBaseline = 'middle';
  context.fillText(text, left + 6, top + height / 2);
}
