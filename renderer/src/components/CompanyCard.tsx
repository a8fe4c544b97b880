import { useEffect, useState } from 'react';
import type { CommandOutput, WatchItem } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import { quoteUnit, type QuoteUnit } from '../../../engine/domain/currency.ts';
import {
  formatInteger,
  formatMoneyTotal,
  formatPercent,
  formatPrice,
  formatQuotedPrice,
  formatVolume,
} from '../format.ts';
import { RangeBar } from './RangeBar.tsx';

type Company = NonNullable<CommandOutput<'companies.get'>>;

interface Props {
  api: ApiClient;
  symbol: string;
  /** The symbol's live quote from the watchlist: last price, day open and volume. */
  quote?: WatchItem | undefined;
}

/**
 * The selected symbol in detail: its live quote, where the price sits in its 52-week range, and the
 * company profile (what Grafana's fundamentals board showed in the seed system). Every row is there
 * from the first render, with a dash until its value arrives, so nothing moves when data comes in.
 */
export function CompanyCard({ api, symbol, quote }: Props) {
  /** undefined while loading, null when there is no profile. */
  const [company, setCompany] = useState<Company | null | undefined>(undefined);

  useEffect(() => {
    let live = true;
    setCompany(undefined);
    api.call('companies.get', { symbol }).then(
      (c) => live && setCompany(c),
      () => live && setCompany(null),
    );
    return () => {
      live = false;
    };
  }, [api, symbol]);

  const last = quote?.last?.price ?? null;
  const change = last !== null && quote?.dayOpen ? (last - quote.dayOpen) / quote.dayOpen : null;
  const currency = company?.currency ?? null;
  const unit = quoteUnit(currency);
  const price = (n: number | null | undefined) => (n == null ? null : formatQuotedPrice(n, currency));
  const facts: Array<[string, string | null]> = [
    // A crypto pair trades fractions of a coin: 0.5 must not read as 1.
    [
      'Day volume',
      quote
        ? Number.isInteger(quote.dayVolume)
          ? formatInteger(quote.dayVolume)
          : formatVolume(quote.dayVolume)
        : null,
    ],
    ['Sector', company?.sector ?? null],
    ['Industry', company?.industry ?? null],
    ['Country', company?.country ?? null],
    ['Exchange', company?.exchange ?? null],
    ['Market cap', company?.marketCap == null ? null : formatMoneyTotal(company.marketCap, currency)],
    ['P/E (trailing)', num(company?.trailingPe)],
    ['P/E (forward)', num(company?.forwardPe)],
    ['52-week low', price(company?.fiftyTwoWeekLow)],
    ['52-week high', price(company?.fiftyTwoWeekHigh)],
    ['50-day average', price(company?.fiftyDayAverage)],
    ['Short ratio', num(company?.shortRatio)],
  ];
  const name = company?.longName ?? company?.shortName ?? null;
  return (
    <section className="company-card" data-testid="company-card" aria-label={`${symbol} details`}>
      <header className="company-head">
        <h3 title={name ?? undefined}>
          {symbol}
          <span className="company-name">{name ?? (company === null ? 'No company profile yet' : '\u00a0')}</span>
          {company?.simulated && (
            <span
              className="company-simulated"
              data-testid="company-simulated"
              title="Made up by the simulator: not this company's real figures"
            >
              simulated
            </span>
          )}
        </h3>
        <div className="company-quote">
          <span className="company-price">
            <span className="company-last" data-testid="detail-last">
              {last === null ? '—' : formatPrice(last)}
            </span>
            {unit.quoted && (
              <span className="company-unit" data-testid="detail-unit" title={unitNote(unit) ?? undefined}>
                {unit.quoted}
              </span>
            )}
          </span>
          <span className={change === null ? 'muted' : change >= 0 ? 'up' : 'down'} data-testid="detail-change">
            {change === null ? '—' : formatPercent(change)}
          </span>
        </div>
      </header>
      {unit.minorName && (
        <p className="company-unit-note" data-testid="detail-unit-note">
          {unitNote(unit)}
        </p>
      )}
      <RangeBar
        low={company?.fiftyTwoWeekLow ?? null}
        high={company?.fiftyTwoWeekHigh ?? null}
        value={last}
        average={company?.fiftyDayAverage ?? null}
      />
      <dl>
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value ?? '—'}</dd>
          </div>
        ))}
      </dl>
      {company === null && (
        <p className="company-hint">
          Profiles come from Yahoo Finance (Settings → Source) or the simulator's made-up companies; this symbol has
          none stored yet.
        </p>
      )}
    </section>
  );
}

const num = (n: number | null | undefined) => (n == null ? null : formatPrice(n));

/** Said wherever prices are quoted in a minor unit, so nobody reads pence as pounds. */
function unitNote(unit: QuoteUnit): string | null {
  if (!unit.minorName) return null;
  return `Prices in ${unit.minorName} (${unit.quoted}; ${unit.perMajor} = 1 ${unit.major}), market cap in ${unit.major}`;
}
