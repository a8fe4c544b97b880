import { ExchangeSessions } from '../../../engine/domain/trading-sessions.ts';
import { logicalOfTime, type BarAxis } from './drawing-geometry.ts';
import { SeriesPrimitive, type PrimitiveHost, type RenderingTarget } from './series-primitive.ts';
import { xOfLogical } from './time-axis.ts';

export interface ExtendedSpan {
  phase: 'pre' | 'post';
  start: number;
  end: number;
}

/**
 * The zones whose exchanges trade before and after the regular session as ExchangeSessions models
 * it (US equities: pre-market 04:00, after-hours to 20:00). Elsewhere there is nothing to shade.
 */
const EXTENDED_HOURS_ZONES = new Set(['America/New_York']);

export const hasExtendedHours = (timeZone: string | undefined) =>
  timeZone !== undefined && EXTENDED_HOURS_ZONES.has(timeZone);

/** The pre-market and after-hours stretches that overlap [from, to), oldest first. */
export function extendedSpans(sessions: ExchangeSessions, from: number, to: number): ExtendedSpan[] {
  const spans: ExtendedSpan[] = [];
  for (let t = from; t < to;) {
    const span = sessions.spanAt(t);
    if (span.phase === 'pre' || span.phase === 'post')
      spans.push({ phase: span.phase, start: span.start, end: span.end });
    t = span.end;
  }
  return spans;
}

const SHADE: Record<ExtendedSpan['phase'], string> = {
  pre: 'rgba(120, 140, 200, 0.09)',
  post: 'rgba(150, 120, 200, 0.09)',
};

/**
 * Shades a panel's pre-market and after-hours bars (intraday intervals of a US symbol), behind
 * the candles, so a trader sees which prices came from the thin sessions.
 */
export class SessionShading extends SeriesPrimitive {
  private sessions: ExchangeSessions | null = null;
  private readonly axis: () => BarAxis;
  /** The spans of the last range drawn: recomputed when the view moves, not at every frame. */
  private cache: { from: number; to: number; spans: ExtendedSpan[] } | null = null;

  constructor(axis: () => BarAxis) {
    super('bottom');
    this.axis = axis;
  }

  /** Shades this exchange's extended hours, or nothing (null). */
  use(timeZone: string | null): void {
    this.sessions = timeZone && hasExtendedHours(timeZone) ? new ExchangeSessions(timeZone) : null;
    this.cache = null;
    this.update();
  }

  protected draw(target: RenderingTarget, { chart }: PrimitiveHost): void {
    const range = chart.timeScale().getVisibleRange();
    if (!this.sessions || !range) return;
    const axis = this.axis();
    // A bar beyond each edge, so a span that starts off-screen still reaches the edge.
    const [from, to] = [(range.from as number) * 1000 - axis.intervalMs, (range.to as number) * 1000 + axis.intervalMs];
    if (!this.cache || this.cache.from !== from || this.cache.to !== to)
      this.cache = { from, to, spans: extendedSpans(this.sessions, from, to) };
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      for (const span of this.cache!.spans) {
        const bars = barsIn(axis, span);
        const left = bars ? xOfLogical(chart, bars.first - 0.5) : null;
        const right = bars ? xOfLogical(chart, bars.last + 0.5) : null;
        if (left === null || right === null || right <= left) continue;
        context.fillStyle = SHADE[span.phase];
        context.fillRect(left, 0, right - left, mediaSize.height);
      }
    });
  }
}

/** The first and last bar starting inside a span (whole bars are shaded), or null when none does. */
export function barsIn(axis: BarAxis, span: { start: number; end: number }): { first: number; last: number } | null {
  const from = logicalOfTime(axis, span.start);
  const to = logicalOfTime(axis, span.end);
  if (from === null || to === null) return null;
  const first = Math.max(0, Math.ceil(from));
  const last = Math.min(axis.count - 1, Math.ceil(to) - 1);
  return last < first ? null : { first, last };
}
