import { z } from 'zod';

/** One partition of the tick topic: how far the log goes and how far the engine has read it. */
export const PartitionHealthSchema = z.object({
  partition: z.number(),
  endOffset: z.number(),
  consumedOffset: z.number(),
  lag: z.number(),
});
export type PartitionHealth = z.infer<typeof PartitionHealthSchema>;

/** What a Kafka bus knows beyond the partitions: what Kafka UI or Kafdrop would show. */
export const KafkaHealthSchema = z.object({
  brokers: z.array(z.string()),
  controller: z.number().nullable(),
  clusterId: z.string().nullable(),
  groupId: z.string(),
  /** Partitions this consumer owns now. */
  assigned: z.array(z.number()),
  rebalances: z.number(),
  produced: z.number(),
  consumed: z.number(),
  producePerSecond: z.number(),
  consumePerSecond: z.number(),
  /** Offsets the group committed to Kafka, by partition: only a hint for lag tools, the engine resumes from SQLite. */
  committed: z.record(z.string(), z.number()),
  /** Candle versions this engine published to the candle topics (an engine that publishes them). */
  candlesPublished: z.number().optional(),
});
export type KafkaHealth = z.infer<typeof KafkaHealthSchema>;

/** The bus as the status shows it; the bus makes it, the contract carries it. */
export const BusHealthSchema = z.object({
  kind: z.enum(['in-process', 'kafka']),
  topic: z.string(),
  connected: z.boolean(),
  partitions: z.array(PartitionHealthSchema),
  /** Ticks accepted by publish() but not yet handed to the broker or the consumer. */
  buffered: z.number(),
  bufferCapacity: z.number(),
  error: z.string().optional(),
  kafka: KafkaHealthSchema.optional(),
});
export type BusHealth = z.infer<typeof BusHealthSchema>;
