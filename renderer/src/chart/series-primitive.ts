import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesApi,
  ISeriesPrimitive,
  PrimitivePaneViewZOrder,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';

export type RenderingTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

export interface PrimitiveHost {
  chart: IChartApi;
  series: ISeriesApi<SeriesType>;
  requestUpdate: () => void;
}

/**
 * A series primitive with one pane view: what is drawn comes from `draw`, once attached to a
 * series. Subclasses hold the data and call `update` when it changes.
 */
export abstract class SeriesPrimitive implements ISeriesPrimitive<Time> {
  protected host: PrimitiveHost | null = null;
  private readonly view: IPrimitivePaneView;

  constructor(zOrder: PrimitivePaneViewZOrder) {
    const renderer: IPrimitivePaneRenderer = { draw: (target) => this.host && this.draw(target, this.host) };
    this.view = { renderer: () => renderer, zOrder: () => zOrder };
  }

  attached({ chart, series, requestUpdate }: SeriesAttachedParameter<Time>): void {
    this.host = { chart, series, requestUpdate };
  }

  detached(): void {
    this.host = null;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.view];
  }

  protected update(): void {
    this.host?.requestUpdate();
  }

  protected abstract draw(target: RenderingTarget, host: PrimitiveHost): void;
}
