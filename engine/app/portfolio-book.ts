import { UserError } from '../api/dispatch.ts';
import {
  currenciesOf,
  portfolioHistory,
  portfolioInputs,
  type HistoryPoint,
  type LatestPriceOf,
} from '../analyses/portfolio-positions.ts';
import { exportAnalysis } from '../export/export-analysis.ts';
import {
  fxSymbolsNeeded,
  localDate,
  valuePortfolio,
  type Lot,
  type LotColumnMapping,
  type PortfolioSummary,
} from '../domain/portfolio.ts';
import type { SqliteDatabase } from '../store/database.ts';
import { PortfolioRepo, type StoredLot } from '../store/portfolio-repo.ts';
import { CompanyRepo } from '../store/company-repo.ts';
import { quoteUnit } from '../domain/currency.ts';
import { parseLotsCsv } from './portfolio-import.ts';
import { AnalysisParamsSchema } from '../analyses/analysis.ts';

export interface PortfolioBookDeps {
  db: SqliteDatabase;
  /** The app's latest price of a symbol (its quote board), the stored one failing that. */
  latest: LatestPriceOf;
  /**
   * Makes sure the symbols' prices arrive: the positions' own symbols and the FX symbols that
   * convert them into the base currency. The app puts missing ones on the watchlist (see
   * MarketMonitor.watchSymbols for why there and not on a hidden list).
   */
  track: (symbols: readonly string[]) => void;
  /** The clock: "today" for the day P&L is its local date. */
  now?: () => number;
}

export interface PortfolioView extends PortfolioSummary {
  /** The local date lots count as traded "today" on. */
  today: string;
  accounts: string[];
  /** The FX rates used, by Yahoo symbol (EURUSD=X). */
  rates: Record<string, number>;
  /** FX symbols the positions need that have no rate yet. */
  missingRates: string[];
}

/**
 * The Portfolio view's engine side: stored lots valued with the app's latest quotes and the FX
 * rates of watched FX symbols, in a base currency kept with the database.
 */
export class PortfolioBook {
  private readonly repo: PortfolioRepo;
  private readonly companies: CompanyRepo;
  private readonly deps: PortfolioBookDeps;

  constructor(deps: PortfolioBookDeps) {
    this.deps = deps;
    this.repo = new PortfolioRepo(deps.db);
    this.companies = new CompanyRepo(deps.db);
  }

  private today(): string {
    return localDate((this.deps.now ?? Date.now)());
  }

  summary(): PortfolioView {
    const { lots, quotes, rates, base } = portfolioInputs(this.deps.db, { latest: this.deps.latest });
    const summary = valuePortfolio(lots, quotes, rates, base, this.today());
    const needed = fxSymbolsNeeded(currenciesOf(quotes), base);
    return {
      ...summary,
      today: this.today(),
      accounts: this.repo.accounts(),
      rates: Object.fromEntries(rates),
      missingRates: needed.filter((s) => !rates.has(s)),
    };
  }

  lots(): StoredLot[] {
    return this.repo.lots();
  }

  addLot(lot: Lot): PortfolioView {
    this.repo.addLot(lot);
    return this.changed();
  }

  editLot(id: number, lot: Lot): PortfolioView {
    if (!this.repo.editLot(id, lot)) throw new UserError(`There is no lot ${id}: it was removed`);
    return this.changed();
  }

  removeLot(id: number): PortfolioView {
    if (!this.repo.removeLot(id)) throw new UserError(`There is no lot ${id}: it was removed`);
    return this.summary();
  }

  setBase(base: string): PortfolioView {
    this.repo.setBaseCurrency(base);
    return this.changed();
  }

  /** All the rows or none: a bad row refuses the file with its number and reason, nothing stored changes. */
  importCsv(csv: string, columns: LotColumnMapping, account: string | undefined): PortfolioView & { imported: number } {
    const lots = parseLotsCsv(csv, columns, account);
    const imported = this.repo.importLots(lots);
    return { ...this.changed(), imported };
  }

  exportCsv(): { filename: string; csv: string } {
    const { filename, csv } = exportAnalysis(this.deps.db, 'positions', AnalysisParamsSchema.parse({}));
    return { filename, csv };
  }

  history(days: number): { base: string; points: HistoryPoint[] } {
    return portfolioHistory(this.deps.db, { days, latest: this.deps.latest });
  }

  /**
   * A symbol's profile was saved (its currency may be known only now): if a position holds it,
   * the FX symbols are tracked again.
   */
  profileSaved(symbol: string): void {
    if (this.repo.lots().some((l) => l.symbol === symbol)) this.trackFx();
  }

  /** After a change the positions' symbols are tracked, and the FX symbols their currencies need. */
  private changed(): PortfolioView {
    this.deps.track([...new Set(this.repo.lots().map((l) => l.symbol))]);
    this.trackFx();
    return this.summary();
  }

  private trackFx(): void {
    const symbols = [...new Set(this.repo.lots().map((l) => l.symbol))];
    const currencies = symbols.flatMap((s) => {
      const major = quoteUnit(this.companies.get(s)?.currency).major;
      return major ? [major] : [];
    });
    this.deps.track(fxSymbolsNeeded(currencies, this.repo.baseCurrency()));
  }
}
