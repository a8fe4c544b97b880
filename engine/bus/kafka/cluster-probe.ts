import type { Admin } from 'kafkajs';
import { coordinatorNotReady, fetchCommittedOffsets } from './committed-offsets.ts';
import { describeKafkaError } from './kafka-client.ts';

/** What the admin client last learned about the cluster, the topic and the group. */
export interface ClusterView {
  reachable: boolean;
  brokers: string[];
  controller: number | null;
  clusterId: string | null;
  /** Next offset to be written, per partition (the high watermark). */
  endOffsets: Map<number, number>;
  /** What the group committed to Kafka, per partition. */
  committed: Map<number, number>;
  error?: string;
  at: number;
}

export const EMPTY_VIEW: ClusterView = {
  reachable: false,
  brokers: [],
  controller: null,
  clusterId: null,
  endOffsets: new Map(),
  committed: new Map(),
  at: 0,
};

/**
 * One round of admin requests; a failure is a view that says so, never a throw. It keeps what was
 * last known (brokers, offsets), so an outage shows as "unreachable since", not as an empty cluster.
 */
export async function probeCluster(
  admin: Admin,
  topic: string,
  groupId: string,
  previous: ClusterView = EMPTY_VIEW,
): Promise<ClusterView> {
  try {
    const cluster = await admin.describeCluster();
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await committedOrPrevious(admin, groupId, topic, previous);
    return {
      reachable: true,
      brokers: cluster.brokers.map((b) => `${b.host}:${b.port}`),
      controller: cluster.controller,
      clusterId: cluster.clusterId,
      endOffsets: new Map(ends.map((p) => [p.partition, Number(p.high)])),
      committed,
      at: Date.now(),
    };
  } catch (error) {
    return { ...previous, reachable: false, error: describeKafkaError(error), at: Date.now() };
  }
}

/**
 * A coordinator still loading its group (just after a broker restart) is a reachable cluster: the
 * view keeps the offsets it last knew and asks again on the next round instead of waiting here.
 */
async function committedOrPrevious(
  admin: Admin,
  groupId: string,
  topic: string,
  previous: ClusterView,
): Promise<Map<number, number>> {
  try {
    const offsets = await fetchCommittedOffsets(admin, groupId, topic, { waitMs: 0 });
    return new Map([...offsets].filter(([, offset]) => offset >= 0));
  } catch (error) {
    if (coordinatorNotReady(error)) return previous.committed;
    throw error;
  }
}
