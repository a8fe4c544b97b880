import type { ITopicConfig, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Candle } from '../../domain/candle.ts';
import type { Interval } from '../../domain/interval.ts';
import type { BusRecord } from '../bus.ts';
import { describeKafkaError, type KafkaClient } from './kafka-client.ts';

/** The compacted topic of one interval's candles: `market.candles.1m` for the default prefix. */
export function candleTopic(prefix: string, interval: Interval): string {
  return `${prefix}.${interval}`;
}

/**
 * One compacted topic per interval. Compaction keeps the newest record of each key (one window of
 * one symbol), so a viewer that starts from the beginning reads each window's last version.
 */
export function candleTopicConfigs(prefix: string, intervals: readonly Interval[], partitions: number): ITopicConfig[] {
  return intervals.map((interval) => ({
    topic: candleTopic(prefix, interval),
    numPartitions: partitions,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  }));
}

/** A window's record key: the interval is the topic, so symbol and start name the window. */
export function candleKey(candle: Pick<Candle, 'symbol' | 'start'>): string {
  return `${candle.symbol}|${candle.start}`;
}

/**
 * A candle version as a record. Its version is its tick count (`trades`): a window's versions are
 * folds of ever longer prefixes of one partition's ticks, so more trades is newer, and two engines
 * that folded the same number of a window's ticks computed the same candle. A re-publish after a
 * crash or a rebalance is therefore identical or newer, never a different candle under one version.
 */
export function candleMessage(candle: Candle): Message {
  return { key: candleKey(candle), value: JSON.stringify(candle) };
}

/** A candle record's bytes as a bus record (the viewer validates the value). */
export function decodeCandleRecord(message: KafkaMessage): BusRecord {
  const offset = Number(message.offset);
  const key = message.key?.toString('utf8') ?? '';
  const text = message.value?.toString('utf8') ?? '';
  if (text.length === 0) return { offset, key, value: null, error: 'empty record (a tombstone)' };
  try {
    return { offset, key, value: JSON.parse(text) };
  } catch (error) {
    return { offset, key, value: text, error: `not JSON (${(error as Error).message})` };
  }
}

/**
 * Publishes the candle versions of a batch before the engine commits the batch to SQLite, and
 * waits for every in-sync replica to have them. A crash after the publish and before the commit
 * replays the batch, which publishes the same versions again (same keys, same values): nothing is
 * lost, and what is written twice is identical. A crash before the publish has committed nothing.
 */
export class CandlePublisher {
  readonly prefix: string;
  published = 0;
  error: string | undefined;
  private readonly kafka: KafkaClient;
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(kafka: KafkaClient, prefix: string) {
    this.kafka = kafka;
    this.prefix = prefix;
    this.producer = this.newProducer();
  }

  async publish(candles: readonly Candle[]): Promise<void> {
    if (candles.length === 0) return;
    if (this.closed) throw new Error('The candle publisher is closed');
    // Serialised now: the aggregator folds later ticks into these same objects.
    const byTopic = new Map<string, Message[]>();
    for (const candle of candles) {
      const topic = candleTopic(this.prefix, candle.interval);
      let messages = byTopic.get(topic);
      if (!messages) byTopic.set(topic, (messages = []));
      messages.push(candleMessage(candle));
    }
    try {
      await (this.connecting ??= this.producer.connect().catch((error: unknown) => {
        this.connecting = undefined;
        throw error;
      }));
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      this.published += candles.length;
      this.error = undefined;
    } catch (error) {
      this.error = `candle topics: ${describeKafkaError(error)}`;
      // A producer whose session the broker forgot refuses every later send: start a new one.
      const old = this.producer;
      this.producer = this.newProducer();
      this.connecting = undefined;
      await old.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect().catch(() => undefined);
  }

  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }
}
