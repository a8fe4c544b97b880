import { z } from 'zod';

/** What the app knows of a listed company: enriches every analysis. Unknown fields are null. */
export const CompanyProfileSchema = z.object({
  symbol: z.string(),
  shortName: z.string().nullable(),
  longName: z.string().nullable(),
  sector: z.string().nullable(),
  industry: z.string().nullable(),
  country: z.string().nullable(),
  currency: z.string().nullable(),
  exchange: z.string().nullable(),
  marketCap: z.number().nullable(),
  trailingPe: z.number().nullable(),
  forwardPe: z.number().nullable(),
  fiftyTwoWeekHigh: z.number().nullable(),
  fiftyTwoWeekLow: z.number().nullable(),
  fiftyDayAverage: z.number().nullable(),
  shortRatio: z.number().nullable(),
  /**
   * The IANA time zone the symbol's feed reported for its exchange (Yahoo's exchangeTimezoneName);
   * null until one did. Optional on the way in, so profiles published before it existed still parse.
   */
  exchangeTimeZone: z.string().nullable().default(null),
  updatedAt: z.number(),
  /**
   * Made up by the simulator, not a real company's: shown as such wherever profiles appear, and
   * never stored over a real profile. Absent in profiles from before the field existed: false.
   */
  simulated: z.boolean().default(false),
});

export type CompanyProfile = z.output<typeof CompanyProfileSchema>;

const TECHNOLOGY_GROUPS: Array<[RegExp, string]> = [
  [/semiconductor/i, 'Semiconductors'],
  [/software|application|systems software/i, 'Software'],
  [/internet|interactive media|e-?commerce|broadline retail/i, 'Internet'],
  [/hardware|computer|electronic|communications equipment|storage|peripherals/i, 'Hardware'],
  [/it services|information technology services|it consulting|data processing/i, 'IT Services'],
];

/**
 * The "technology" dimension of the analyses: which kind of technology a company's industry is, or
 * "Non-technology". Derived from the industry so it works for every data source.
 */
export function technologyGroup(industry: string | null | undefined): string {
  if (!industry) return 'Unknown';
  for (const [pattern, group] of TECHNOLOGY_GROUPS) if (pattern.test(industry)) return group;
  return 'Non-technology';
}
