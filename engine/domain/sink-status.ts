import { z } from 'zod';

export const SinkStateSchema = z.enum(['off', 'ok', 'retrying', 'failing']);
export type SinkState = z.infer<typeof SinkStateSchema>;

/**
 * A sink (a mirror of what the engine committed: InfluxDB today) as the status lists it: where it
 * writes, what it holds in memory and in SQLite, what it gave up, and what it wrote.
 */
export const SinkStatusSchema = z.object({
  /** Which plug-in, as the sink registry names it (`influx`). */
  kind: z.string(),
  /** For people: "InfluxDB mirror". Post-commit failures are reported under this name too. */
  name: z.string(),
  state: SinkStateSchema,
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
  /** While off: how to switch it on. */
  hint: z.string().optional(),
});
export type SinkStatus = z.infer<typeof SinkStatusSchema>;
