import { z } from 'zod';

const HttpUrl = z
  .string()
  .trim()
  .refine((text) => {
    try {
      return ['http:', 'https:'].includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, 'An http:// or https:// address, for example http://127.0.0.1:8086');

/**
 * The optional InfluxDB mirror. Version 1 writes to `db` (and `rp`) with optional user and password;
 * version 2 writes to `bucket` of `org` with an API token.
 */
export const InfluxSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    version: z.enum(['1', '2']).default('1'),
    url: HttpUrl.default('http://127.0.0.1:8086'),
    db: z.string().trim().max(200).default('market_monitor'),
    /** Empty: the database's default retention policy. */
    rp: z.string().trim().max(200).default(''),
    user: z.string().max(200).default(''),
    password: z.string().max(1_000).default(''),
    org: z.string().trim().max(200).default(''),
    bucket: z.string().trim().max(200).default(''),
    token: z.string().max(1_000).default(''),
    /** Lines per request; InfluxDB recommends 5,000. */
    batchSize: z.number().int().min(1, 'at least 1 line').max(5_000, 'at most 5,000 lines').default(5_000),
    flushIntervalMs: z.number().int().min(50, 'at least 50 ms').max(60_000, 'at most 60,000 ms').default(1_000),
    /** Lines held in memory before they spill to SQLite. */
    memoryLines: z.number().int().min(1).max(1_000_000).default(20_000),
    /** Lines kept in SQLite while InfluxDB is away; beyond it the oldest are dropped and counted. */
    spillLimitLines: z.number().int().min(0).max(100_000_000).default(2_000_000),
  })
  .strict()
  .refine((s) => !s.enabled || s.version !== '1' || s.db.length > 0, {
    message: 'Name the database to write to',
    path: ['db'],
  })
  .refine((s) => !s.enabled || s.version !== '2' || s.org.length > 0, {
    message: 'Name the organization',
    path: ['org'],
  })
  .refine((s) => !s.enabled || s.version !== '2' || s.bucket.length > 0, {
    message: 'Name the bucket to write to',
    path: ['bucket'],
  })
  .refine((s) => !s.enabled || s.version !== '2' || s.token.length > 0, {
    message: 'An API token with write access to the bucket',
    path: ['token'],
  });

export type InfluxSettings = z.output<typeof InfluxSettingsSchema>;
export type InfluxSettingsInput = z.input<typeof InfluxSettingsSchema>;
