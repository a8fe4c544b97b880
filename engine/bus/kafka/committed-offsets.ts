import type { Admin } from 'kafkajs';

/**
 * Errors a group coordinator gives while it is still reading the offsets topic (just after a broker
 * starts or a coordinator moves). kafkajs's admin.fetchOffsets does not retry them; the group's
 * offsets are there, only not yet loaded, so asking again shortly is the answer.
 */
const COORDINATOR_NOT_READY = new Set(['COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR']);

export function coordinatorNotReady(error: unknown): boolean {
  return COORDINATOR_NOT_READY.has(String((error as { type?: unknown } | null)?.type));
}

export interface CommittedOffsetsOptions {
  /** How long to keep asking a coordinator that is still loading. */
  waitMs?: number;
  retryEveryMs?: number;
}

/** What `groupId` committed on `topic`, per partition; -1 where it committed nothing. */
export async function fetchCommittedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  { waitMs = 10_000, retryEveryMs = 200 }: CommittedOffsetsOptions = {},
): Promise<Map<number, number>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const groups = await admin.fetchOffsets({ groupId, topics: [topic] });
      const partitions = groups.find((g) => g.topic === topic)?.partitions ?? [];
      return new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
    } catch (error) {
      if (!coordinatorNotReady(error) || Date.now() + retryEveryMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryEveryMs));
    }
  }
}
