import { describe, expect, it } from 'vitest';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { refreshCompanyProfiles, PROFILE_MAX_AGE_MS } from '../../engine/sources/yahoo/company-profile.ts';
import { searchSymbols } from '../../engine/sources/yahoo/symbol-search.ts';
import { yahooClientFactory } from '../../engine/sources/yahoo/yahoo-client.ts';
import { openDatabase } from '../../engine/store/database.ts';
import { CompanyRepo } from '../../engine/store/company-repo.ts';
import { syntheticCompany } from '../../engine/sources/synthetic-companies.ts';
import { createFixtureFetch } from '../support/yahoo-fixtures.ts';
import { NOW } from './helpers.ts';

function setup() {
  const fixtures = createFixtureFetch();
  const client = yahooClientFactory({ fetch: fixtures.fetch, timeoutMs: 1_000 })(new ExtendedCookieJar());
  const db = openDatabase(':memory:');
  return { fixtures, client, db, repo: new CompanyRepo(db) };
}

const summaryRequests = (log: string[]) => log.filter((k) => k.includes('/v10/finance/quoteSummary/'));

describe('Company info from quoteSummary', () => {
  it('stores the profile fields Yahoo recorded, in one request for all four modules', async () => {
    const { fixtures, client, db, repo } = setup();
    const result = await refreshCompanyProfiles(client, repo, ['AAPL'], NOW);
    expect(result).toEqual({ updated: ['AAPL'], failed: [] });
    expect(summaryRequests(fixtures.log)).toEqual([
      'GET https://query.finance.yahoo.com/v10/finance/quoteSummary/AAPL?formatted=false&modules=assetProfile%2Cprice%2CsummaryDetail%2CdefaultKeyStatistics',
    ]);
    // The recordings hold assetProfile and price; summaryDetail and defaultKeyStatistics were not
    // recorded, so their fields stay null rather than being made up.
    expect(repo.get('AAPL')).toEqual({
      symbol: 'AAPL',
      shortName: 'Apple Inc.',
      longName: 'Apple Inc.',
      sector: 'Technology',
      industry: 'Consumer Electronics',
      country: 'United States',
      currency: 'USD',
      exchange: 'NasdaqGS',
      marketCap: 3688676720640,
      trailingPe: null,
      forwardPe: null,
      fiftyTwoWeekHigh: null,
      fiftyTwoWeekLow: null,
      fiftyDayAverage: null,
      shortRatio: null,
      exchangeTimeZone: null,
      updatedAt: NOW,
      simulated: false,
    });
    db.close();
  });

  it('a profile the simulator made up is replaced by the real one at once, however fresh', async () => {
    const { fixtures, client, db, repo } = setup();
    repo.upsert(syntheticCompany(42, 'AAPL', NOW));
    expect(repo.get('AAPL')?.simulated).toBe(true);
    const result = await refreshCompanyProfiles(client, repo, ['AAPL'], NOW + 1);
    expect(result.updated).toEqual(['AAPL']);
    expect(summaryRequests(fixtures.log)).toHaveLength(1);
    expect(repo.get('AAPL')).toMatchObject({ longName: 'Apple Inc.', simulated: false, updatedAt: NOW + 1 });
    db.close();
  });

  it('a currency pair has no asset profile: name and currency only', async () => {
    const { client, db, repo } = setup();
    await refreshCompanyProfiles(client, repo, ['EURUSD=X'], NOW);
    const profile = repo.get('EURUSD=X')!;
    expect(profile.sector).toBeNull();
    expect(profile.shortName).toBe('EUR/USD');
    expect(profile.currency).toBe('USD');
    db.close();
  });

  it('refreshes daily, and keeps the cached profile when Yahoo fails', async () => {
    const { fixtures, client, db, repo } = setup();
    await refreshCompanyProfiles(client, repo, ['AAPL', 'AMZN'], NOW);
    expect(summaryRequests(fixtures.log)).toHaveLength(2);

    await refreshCompanyProfiles(client, repo, ['AAPL', 'AMZN'], NOW + PROFILE_MAX_AGE_MS - 1);
    expect(summaryRequests(fixtures.log)).toHaveLength(2);

    fixtures.inject('quoteSummary/AAPL', { kind: 'status', status: 503 });
    const later = NOW + PROFILE_MAX_AGE_MS;
    const result = await refreshCompanyProfiles(client, repo, ['AAPL', 'AMZN'], later);
    expect(result.updated).toEqual(['AMZN']);
    expect(result.failed).toEqual([{ symbol: 'AAPL', error: expect.stringContaining('HTTP 503') }]);
    expect(repo.get('AAPL')?.updatedAt).toBe(NOW);
    expect(repo.get('AMZN')?.updatedAt).toBe(later);
    db.close();
  });

  it('a retyped field costs that field, not the profile', async () => {
    const { fixtures, client, db, repo } = setup();
    fixtures.inject('quoteSummary/AAPL', {
      kind: 'body',
      edit: (body) => {
        body.quoteSummary.result[0].price.marketCap = 'n/a';
        return body;
      },
    });
    await refreshCompanyProfiles(client, repo, ['AAPL'], NOW);
    expect(repo.get('AAPL')).toMatchObject({ marketCap: null, sector: 'Technology', shortName: 'Apple Inc.' });
    db.close();
  });
});

describe('Symbol search', () => {
  it('returns name, exchange and type of each instrument', async () => {
    const { client } = setup();
    const matches = await searchSymbols(client, 'AAPL');
    expect(matches[0]).toEqual({ symbol: 'AAPL', name: 'Apple Inc.', exchange: 'NASDAQ', type: 'Equity' });
    expect(matches[1]).toEqual({
      symbol: 'AAPU',
      name: 'Direxion Daily AAPL Bull 2X Shares',
      exchange: 'NASDAQ',
      type: 'ETF',
    });
    expect(matches.length).toBeLessThanOrEqual(6);
  });

  it('skips a hit without a symbol and keeps the rest', async () => {
    const { fixtures, client } = setup();
    fixtures.inject('finance/search', {
      kind: 'body',
      edit: (body) => {
        delete body.quotes[0].symbol;
        return body;
      },
    });
    const matches = await searchSymbols(client, 'AAPL');
    expect(matches[0]?.symbol).toBe('AAPU');
  });
});
