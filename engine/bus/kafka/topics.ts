import type { Admin, ITopicConfig } from 'kafkajs';
import type { Interval } from '../../domain/interval.ts';
import { candleTopicConfigs } from './candle-topics.ts';

export interface TopicPlan {
  ticks: string;
  partitions: number;
  dlq: string;
  companies: string;
  /** The compacted candle topics of a scale-out engine (see candle-topics.ts), one per interval. */
  candles?: { prefix: string; intervals: readonly Interval[] };
}

/**
 * The topics the app uses: ticks keyed by symbol, a dead-letter topic, compacted company profiles
 * and, for an engine that publishes them, compacted candles with as many partitions as the ticks.
 */
export function topicConfigs(plan: TopicPlan): ITopicConfig[] {
  const candles = plan.candles ? candleTopicConfigs(plan.candles.prefix, plan.candles.intervals, plan.partitions) : [];
  return [
    ...candles,
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
