import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import type { KafkaSettings } from '../../domain/bus-settings.ts';
import type { Interval } from '../../domain/interval.ts';
import type { ViewerHealth } from '../../domain/viewer-health.ts';
import { sleep } from '../../base/sleep.ts';
import type { BusBatch } from '../bus.ts';
import { candleTopic, decodeCandleRecord } from './candle-topics.ts';
import { createKafkaClient, describeKafkaError, groupConsumerConfig, type KafkaClient } from './kafka-client.ts';

/** What the viewer does with the candle records: like a tick consumer, it resumes from what it stored. */
export interface CandleFeedTarget {
  /** The next offset to read in a candle topic's partition, as stored with the candles. */
  resumeOffset(topic: string, partition: number): number | undefined;
  /** One partition's records; stored, with the next offset, before the promise settles. */
  onBatch(batch: BusBatch): Promise<void> | void;
}

export interface CandleFeedOptions {
  settings: KafkaSettings;
  intervals: readonly Interval[];
}

const RETRY_MS = 2_000;

/**
 * A viewer's consumer of the candle topics. It reads every partition of every interval's topic
 * (a group of its own, made up per run: the offsets live in SQLite beside the candles, so the group
 * keeps nothing), from where its database stands, and from the beginning the first time.
 */
export class CandleFeed {
  readonly topics: string[];
  private readonly kafka: KafkaClient;
  private readonly admin: Admin;
  private readonly consumer: Consumer;
  private readonly settings: KafkaSettings;
  private target: CandleFeedTarget | undefined;
  private assigned: Record<string, number[]> = {};
  private consumed = 0;
  private error: string | undefined;
  private running = false;
  private closing = false;
  private started: Promise<void> | undefined;
  /** The topics' end offsets as last fetched, by `topic#partition`. */
  private ends = new Map<string, number>();
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(options: CandleFeedOptions) {
    this.settings = options.settings;
    this.topics = options.intervals.map((interval) => candleTopic(options.settings.candleTopicPrefix, interval));
    this.kafka = createKafkaClient(options.settings);
    this.admin = this.kafka.admin();
    this.consumer = this.kafka.consumer(
      groupConsumerConfig(
        options.settings,
        `${options.settings.clientId}-viewer-${randomUUID().slice(0, 8)}`,
        () => this.closing,
      ),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => this.onJoin(event.payload.memberAssignment));
  }

  /** Starts reading; retries in the background until the candle topics exist and the cluster answers. */
  start(target: CandleFeedTarget): void {
    this.target = target;
    this.started ??= this.run();
    this.probeTimer = setInterval(() => void this.probe(), 1_000);
    this.probeTimer.unref();
  }

  health(): ViewerHealth {
    let lag = 0;
    for (const [key, end] of this.ends) {
      const [topic, partition] = splitKey(key);
      lag += Math.max(0, end - (this.target?.resumeOffset(topic, partition) ?? 0));
    }
    return {
      topics: this.topics,
      connected: this.running && this.error === undefined,
      assigned: Object.values(this.assigned).reduce((n, partitions) => n + partitions.length, 0),
      consumed: this.consumed,
      lag,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Fetches the candle topics' end offsets now, so health().lag says what is left to read. */
  async probe(): Promise<void> {
    if (!this.running) return;
    try {
      const ends = new Map<string, number>();
      for (const topic of this.topics) {
        for (const p of await this.admin.fetchTopicOffsets(topic)) ends.set(`${topic}#${p.partition}`, Number(p.high));
      }
      this.ends = ends;
    } catch (error) {
      this.error = `candle topics: ${describeKafkaError(error)}`;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.probeTimer);
    await this.started?.catch(() => undefined);
    await Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      try {
        await this.admin.connect();
        const existing = new Set(await this.admin.listTopics());
        const missing = this.topics.filter((t) => !existing.has(t));
        if (missing.length > 0)
          throw new Error(`waiting for an engine to create ${missing.join(', ')} (publishCandles)`);
        await this.consumer.connect();
        await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
        await this.consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 1,
          eachBatch: (payload) => this.eachBatch(payload),
        });
        this.running = true;
        this.error = undefined;
        await this.probe();
        return;
      } catch (error) {
        this.error = `Kafka at ${this.settings.brokers.join(', ')}: ${describeKafkaError(error)}`;
        await sleep(RETRY_MS);
      }
    }
  }

  /** Synchronous in kafkajs before the first fetch of the new assignment: the seeks apply to it. */
  private onJoin(assignment: Record<string, number[]>): void {
    this.assigned = assignment;
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) this.seekToStored(topic, partition);
    }
  }

  private seekToStored(topic: string, partition: number): void {
    const offset = this.target?.resumeOffset(topic, partition) ?? 0;
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    if (batch.messages.length === 0 || !this.target || !isRunning() || isStale()) return;
    const resume = this.target.resumeOffset(topic, partition) ?? 0;
    const records = batch.messages.filter((m) => Number(m.offset) >= resume).map(decodeCandleRecord);
    if (records.length > 0) {
      try {
        await this.target.onBatch({ topic, partition, records });
      } catch (error) {
        this.error = `viewer: ${describeKafkaError(error)}`;
        await sleep(RETRY_MS);
        this.seekToStored(topic, partition);
        return;
      }
      this.consumed += records.length;
      this.error = undefined;
    }
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
