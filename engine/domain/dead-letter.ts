/**
 * A bus record the engine refused (invalid, or too late for its window), kept with the reason so
 * nothing a producer sent is lost silently. The bus makes them, the store keeps them.
 */
export interface DeadLetter {
  at: number;
  topic: string;
  partition: number;
  offset: number;
  reason: string;
  payload: string;
}
