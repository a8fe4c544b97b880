import { z } from 'zod';
import { BusSettingsSchema } from './bus-settings.ts';
import { TimeZoneSchema } from './exchange-time-zone.ts';
import { InfluxSettingsSchema } from './influx-settings.ts';
import { INTERVALS, IntervalSchema } from './interval.ts';

/** Settings > stream.futureSkewMs: 10 minutes of disagreement between exchange and host clocks. */
export const DEFAULT_FUTURE_SKEW_MS = 10 * 60_000;
const MAX_FUTURE_SKEW_MS = 100 * 365.25 * 86_400_000;

/** When the simulated market trades: around the clock, or on its exchange's hours. */
export const SIMULATOR_SESSIONS = ['continuous', 'exchange'] as const;
export type SimulatorSessions = (typeof SIMULATOR_SESSIONS)[number];

export const SimulatorSettingsSchema = z
  .object({
    seed: z.number().int().default(42),
    ticksPerSecond: z
      .number()
      .min(1, 'at least 1 tick per second')
      .max(100_000, 'at most 100,000 ticks per second')
      .default(20),
    /**
     * 'exchange' trades on New York hours (pre-market, regular, after-hours; weekdays, holidays not
     * modelled). Around the clock stays the default so that someone offline at night or at the
     * weekend still sees a moving market.
     */
    sessions: z.enum(SIMULATOR_SESSIONS).default('continuous'),
  })
  .strict();

const ColumnName = z.string().trim().min(1, 'a column name').max(200);

export const ReplaySettingsSchema = z
  .object({
    file: z.string().default(''),
    speed: z.union([z.literal('max'), z.number().positive().max(1_000_000)]).default('max'),
    symbol: z.string().optional(),
    /** The exchange time zone of every symbol in the file (--timezone); otherwise the usual rule. */
    timeZone: TimeZoneSchema.optional(),
    /** The file's own column names for the tick fields, for CSVs from elsewhere. */
    columns: z
      .object({
        symbol: ColumnName.optional(),
        timestamp: ColumnName.optional(),
        price: ColumnName.optional(),
        volume: ColumnName.optional(),
        side: ColumnName.optional(),
      })
      .strict()
      .optional(),
    /** The replay stops once more rows than this were unreadable or invalid. */
    maxBadRows: z.number().int('a whole number').min(0).max(1e9).default(1_000),
  })
  .strict();

/** Yahoo Finance polling: a quote every few seconds in the session, rarely when the market is shut. */
export const YahooSettingsSchema = z
  .object({
    regularSeconds: z.number().min(2, 'at least 2 seconds between polls').max(3_600).default(5),
    extendedSeconds: z.number().min(2, 'at least 2 seconds between polls').max(3_600).default(15),
    closedSeconds: z.number().min(10, 'at least 10 seconds between polls').max(86_400).default(60),
    /** Yahoo's price stream (a WebSocket) as the live path, the poll its fallback; off polls only. */
    streaming: z.boolean().default(true),
  })
  .strict();

export const SourceSettingsSchema = z
  .object({
    kind: z.enum(['simulator', 'replay', 'yahoo']).default('simulator'),
    simulator: SimulatorSettingsSchema.prefault({}),
    replay: ReplaySettingsSchema.prefault({}),
    yahoo: YahooSettingsSchema.prefault({}),
  })
  .strict()
  .refine((s) => s.kind !== 'replay' || s.replay.file.length > 0, {
    message: 'Choose a CSV file to replay',
    path: ['replay', 'file'],
  });

export const StreamSettingsSchema = z
  .object({
    intervals: z
      .array(IntervalSchema)
      .min(1)
      .default([...INTERVALS]),
    /** How far out of event-time order ticks may arrive before they count as late. */
    outOfOrdernessMs: z.number().int().min(0).max(3_600_000).default(2_000),
    /** How long after the watermark passes a window a late tick may still amend it. */
    allowedLatenessMs: z.number().int().min(0).max(86_400_000).default(60_000),
    /**
     * How far ahead of this computer's clock an event time may be; later ones are dead-lettered
     * "from the future" and never move the watermark. Raise it to replay a file dated ahead.
     */
    futureSkewMs: z.number().int().min(0).max(MAX_FUTURE_SKEW_MS, 'at most 100 years').default(DEFAULT_FUTURE_SKEW_MS),
    /**
     * The exchange time zone per symbol, where the user knows better than the feed or the suffix
     * rule (domain/exchange-time-zone.ts). Day candles start at its midnight.
     */
    timeZones: z.record(z.string(), TimeZoneSchema).default({}),
  })
  .strict();

/** How long raw records are kept; candles, company profiles and alerts are kept for good. */
export const StorageSettingsSchema = z
  .object({
    /** Raw ticks older than this many days (by event time) are deleted; 0 keeps them all. */
    tickRetentionDays: z.number().int('whole days').min(0, '0 keeps every tick').max(36_500).default(0),
    /** Refused messages older than this many days are deleted; 0 keeps them all. */
    deadLetterRetentionDays: z.number().int('whole days').min(0).max(36_500).default(30),
  })
  .strict();

export const AppearanceSettingsSchema = z
  .object({
    theme: z.enum(['system', 'dark', 'light']).default('system'),
  })
  .strict();

export const SettingsSchema = z
  .object({
    source: SourceSettingsSchema.prefault({}),
    bus: BusSettingsSchema.prefault({}),
    stream: StreamSettingsSchema.prefault({}),
    appearance: AppearanceSettingsSchema.prefault({}),
    storage: StorageSettingsSchema.prefault({}),
    influx: InfluxSettingsSchema.prefault({}),
  })
  .strict();

export type Settings = z.output<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
