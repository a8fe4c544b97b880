import type { Admin } from 'kafkajs';

/**
 * Errors a group coordinator gives while it is still reading the offsets topic (just after a broker
 * starts or a coordinator moves). kafkajs's admin.fetchOffsets does not retry them; the group's
 * offsets are there, only not yet loaded, so asking again shortly is the answer.
 */
const COORDINATOR_NOT_READY = new Set([
  14, // COORDINATOR_LOAD_IN_PROGRESS (kafkajs: GROUP_LOAD_IN_PROGRESS)
  15, // COORDINATOR_NOT_AVAILABLE (kafkajs: GROUP_COORDINATOR_NOT_AVAILABLE)
  16, // NOT_COORDINATOR (kafkajs: NOT_COORDINATOR_FOR_GROUP)
]);

/** By Kafka's error code: kafkajs names these codes differently from Kafka's own documentation. */
export function coordinatorNotReady(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && COORDINATOR_NOT_READY.has(code);
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
