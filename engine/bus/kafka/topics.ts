import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicPlan {
  ticks: string;
  partitions: number;
  dlq: string;
  companies: string;
}

/** The topics the app uses: ticks keyed by symbol, a dead-letter topic, and compacted company profiles. */
export function topicConfigs(plan: TopicPlan): ITopicConfig[] {
  return [
    { topic: plan.ticks, numPartitions: plan.partitions },
    { topic: plan.dlq, numPartitions: 1 },
    {
      topic: plan.companies,
      numPartitions: 1,
      // One record per symbol survives compaction: the latest profile.
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
  ];
}

/**
 * Creates the missing topics when the user allows it; otherwise says which are missing. The
 * replication factor is left to the cluster's default, so it suits a single node and a real cluster.
 */
export async function ensureTopics(admin: Admin, plan: TopicPlan, create: boolean): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topicConfigs(plan).filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  if (!create) {
    throw new Error(
      `Kafka topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => t.topic).join(', ')} missing; ` +
        'create them or allow the app to create topics in Settings',
    );
  }
  await admin.createTopics({ topics: missing, waitForLeaders: true });
}
