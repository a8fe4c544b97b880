import { useEffect, useState } from 'react';
import type { CommandOutput } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import { formatPrice, formatVolume } from '../format.ts';

type Company = NonNullable<CommandOutput<'companies.get'>>;

/** The selected symbol's profile: what Grafana's fundamentals board showed in the seed system. */
export function CompanyCard({ api, symbol }: { api: ApiClient; symbol: string }) {
  const [company, setCompany] = useState<Company | null>(null);

  useEffect(() => {
    let live = true;
    api.call('companies.get', { symbol }).then(
      (c) => live && setCompany(c),
      () => live && setCompany(null),
    );
    return () => {
      live = false;
    };
  }, [api, symbol]);

  if (!company) return <div className="company-card empty">No company profile for {symbol} yet.</div>;
  const facts: Array<[string, string | null]> = [
    ['Sector', company.sector],
    ['Industry', company.industry],
    ['Country', company.country],
    ['Exchange', company.exchange],
    ['Market cap', company.marketCap === null ? null : `${formatVolume(company.marketCap)} ${company.currency ?? ''}`],
    ['P/E (trailing)', num(company.trailingPe)],
    ['P/E (forward)', num(company.forwardPe)],
    ['52-week low', num(company.fiftyTwoWeekLow)],
    ['52-week high', num(company.fiftyTwoWeekHigh)],
    ['50-day average', num(company.fiftyDayAverage)],
    ['Short ratio', num(company.shortRatio)],
  ];
  return (
    <div className="company-card" data-testid="company-card">
      <h3 title={company.longName ?? undefined}>{company.longName ?? company.shortName ?? symbol}</h3>
      <dl>
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value ?? '—'}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

const num = (n: number | null) => (n === null ? null : formatPrice(n));
