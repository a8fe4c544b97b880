import { z } from 'zod';

/**
 * A bus record the engine refused (invalid, or too late for its window), kept with the reason so
 * nothing a producer sent is lost silently. The bus makes them, the store keeps them.
 */
export const DeadLetterSchema = z.object({
  at: z.number(),
  topic: z.string(),
  partition: z.number(),
  offset: z.number(),
  reason: z.string(),
  payload: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;
