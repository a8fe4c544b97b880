import { z } from 'zod';

export const MirrorStateSchema = z.enum(['off', 'ok', 'retrying', 'failing']);
export type MirrorState = z.infer<typeof MirrorStateSchema>;

/** The InfluxDB mirror as the status shows it: lines in memory, in SQLite, given up, and written. */
export const MirrorStatusSchema = z.object({
  state: MirrorStateSchema,
  /** Where the lines go, for people: `http://host:8086 db/rp` or `http://host:8086 org/bucket`. */
  target: z.string(),
  /** Lines in memory, including the request being sent. */
  buffered: z.number(),
  /** Lines waiting in SQLite. */
  spilled: z.number(),
  /** Lines given up: beyond the spill limit, refused by the server as malformed, or not encodable. */
  dropped: z.number(),
  written: z.number(),
  /** While retrying: why the last attempt failed. Otherwise: why lines were last dropped. */
  lastError: z.string().optional(),
});
export type MirrorStatus = z.infer<typeof MirrorStatusSchema>;
