import { z } from 'zod';

const TopicName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash');

/** Which bus carries ticks from the producer to the engine. */
export const BusSettingsSchema = z
  .object({
    kind: z.enum(['in-process']).default('in-process'),
    topic: TopicName.default('market.ticks'),
    partitions: z.number().int().min(1).max(256).default(4),
  })
  .strict();

export type BusSettings = z.output<typeof BusSettingsSchema>;
