import { z } from 'zod';
import type { CompanyProfile } from '../../domain/company.ts';
import type { CompanyProfileStore } from './history-stores.ts';
import type { YahooClient } from './yahoo-client.ts';

export const PROFILE_MODULES = ['assetProfile', 'price', 'summaryDetail', 'defaultKeyStatistics'] as const;

/** One field that Yahoo may leave out, null, or send in a shape we do not know: any of those is null. */
const num = z.number().finite().nullish().catch(null);
const text = z.string().nullish().catch(null);

/**
 * The fields the seed system kept, module by module. Each field falls back to null on its own, so
 * a renamed or retyped field costs that field, not the profile.
 */
const SummarySchema = z.object({
  assetProfile: z.object({ sector: text, industry: text, country: text }).partial().nullish().catch(null),
  price: z
    .object({ shortName: text, longName: text, currency: text, exchangeName: text, exchange: text, marketCap: num })
    .partial()
    .nullish()
    .catch(null),
  summaryDetail: z
    .object({
      trailingPE: num,
      forwardPE: num,
      fiftyTwoWeekHigh: num,
      fiftyTwoWeekLow: num,
      fiftyDayAverage: num,
      marketCap: num,
      currency: text,
    })
    .partial()
    .nullish()
    .catch(null),
  defaultKeyStatistics: z.object({ shortRatio: num, forwardPE: num }).partial().nullish().catch(null),
});

export function toCompanyProfile(symbol: string, summary: unknown, updatedAt: number): CompanyProfile {
  const parsed = SummarySchema.safeParse(summary ?? {});
  const s = parsed.success ? parsed.data : {};
  const a = s.assetProfile ?? {};
  const p = s.price ?? {};
  const d = s.summaryDetail ?? {};
  const k = s.defaultKeyStatistics ?? {};
  return {
    symbol,
    shortName: p.shortName ?? null,
    longName: p.longName ?? null,
    sector: a.sector ?? null,
    industry: a.industry ?? null,
    country: a.country ?? null,
    currency: p.currency ?? d.currency ?? null,
    exchange: p.exchangeName ?? p.exchange ?? null,
    marketCap: p.marketCap ?? d.marketCap ?? null,
    trailingPe: d.trailingPE ?? null,
    forwardPe: d.forwardPE ?? k.forwardPE ?? null,
    fiftyTwoWeekHigh: d.fiftyTwoWeekHigh ?? null,
    fiftyTwoWeekLow: d.fiftyTwoWeekLow ?? null,
    fiftyDayAverage: d.fiftyDayAverage ?? null,
    shortRatio: k.shortRatio ?? null,
    exchangeTimeZone: null,
    updatedAt,
    simulated: false,
  };
}

export const PROFILE_MAX_AGE_MS = 24 * 3_600_000;

/** Missing, older than a day, or made up by the simulator (Yahoo knows the real company). */
export function profileNeedsFetch(profile: CompanyProfile | undefined, now: number): boolean {
  return !profile || profile.simulated || now - profile.updatedAt >= PROFILE_MAX_AGE_MS;
}

/** Fetches a company's profile from quoteSummary (one request for all four modules). */
export async function fetchCompanyProfile(client: YahooClient, symbol: string, now: number): Promise<CompanyProfile> {
  const summary: unknown = await client.quoteSummary(
    symbol,
    { modules: [...PROFILE_MODULES] },
    { validateResult: false },
  );
  return toCompanyProfile(symbol, summary, now);
}

/**
 * Keeps the companies table fresh: a profile older than a day is fetched again; one that cannot be
 * fetched keeps its cached copy, so the analyses still group the symbol offline.
 */
export async function refreshCompanyProfiles(
  client: YahooClient,
  repo: CompanyProfileStore,
  symbols: readonly string[],
  now: number,
): Promise<{ updated: string[]; failed: Array<{ symbol: string; error: string }> }> {
  const updated: string[] = [];
  const failed: Array<{ symbol: string; error: string }> = [];
  // One at a time: profiles are not urgent, and the live quotes share Yahoo's patience.
  for (const symbol of symbols) {
    if (!profileNeedsFetch(repo.get(symbol), now)) continue;
    try {
      repo.upsert(await fetchCompanyProfile(client, symbol, now));
      updated.push(symbol);
    } catch (error) {
      failed.push({ symbol, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { updated, failed };
}
