import { UserError } from '../api/dispatch.ts';
import type { AlertRule } from '../domain/alert-rule.ts';
import type { Drawing, DrawingSpec } from '../domain/drawing.ts';
import type { DrawingRepo } from '../store/drawing-repo.ts';

export interface DrawingBoardDeps {
  repo: DrawingRepo;
  /** Every panel of the symbol shows the change. */
  publish: (symbol: string, drawings: Drawing[]) => void;
  lastPrice: (symbol: string) => number | undefined;
  addAlert: (rule: { symbol: string; kind: 'price-above' | 'price-below'; threshold: number }) => AlertRule[];
}

/** The commands on drawings: each change is told to every panel of the symbol. */
export class DrawingBoard {
  private readonly deps: DrawingBoardDeps;

  constructor(deps: DrawingBoardDeps) {
    this.deps = deps;
  }

  list(symbol: string): Drawing[] {
    return this.deps.repo.list(symbol);
  }

  add(symbol: string, spec: DrawingSpec): Drawing[] {
    this.deps.repo.add(symbol, spec);
    return this.changed(symbol);
  }

  update(id: number, spec: DrawingSpec): Drawing[] {
    const symbol = this.deps.repo.update(id, spec);
    if (!symbol) throw new UserError(`There is no drawing ${id}: it was removed`);
    return this.changed(symbol);
  }

  remove(id: number): Drawing[] {
    const symbol = this.deps.repo.remove(id);
    if (!symbol) throw new UserError(`There is no drawing ${id}: it was removed`);
    return this.changed(symbol);
  }

  /**
   * A horizontal line becomes a price alert: "above" when the line is over the last price, "below"
   * when under, so the rule fires when the price reaches the line.
   */
  alertFrom(id: number): AlertRule[] {
    const drawing = this.deps.repo.get(id);
    if (!drawing) throw new UserError(`There is no drawing ${id}: it was removed`);
    if (drawing.spec.kind !== 'hline') throw new UserError('Only a horizontal line can become a price alert');
    const { symbol } = drawing;
    const last = this.deps.lastPrice(symbol);
    if (last === undefined) throw new UserError(`${symbol} has no price yet: the alert's side is not known`);
    const price = drawing.spec.price;
    if (price === last) throw new UserError(`${symbol} is at ${price} already`);
    return this.deps.addAlert({ symbol, kind: price > last ? 'price-above' : 'price-below', threshold: price });
  }

  private changed(symbol: string): Drawing[] {
    const drawings = this.deps.repo.list(symbol);
    this.deps.publish(symbol, drawings);
    return drawings;
  }
}
