import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { BusRecord, TickConsumer } from '../bus.ts';
import { StaleBatchError } from '../../domain/stale-batch-error.ts';
import { decodeRecord } from './tick-records.ts';
import { describeKafkaError } from './kafka-client.ts';
import { sleep } from '../../base/sleep.ts';

/** Records handed to the engine at once: one batch (validate, aggregate, commit) stays inside a frame. */
const MAX_RECORDS_PER_BATCH = 1_000;
const RETRY_AFTER_FAILURE_MS = 1_000;

/**
 * Feeds a kafkajs consumer's batches to the engine. SQLite, not Kafka, holds the truth about
 * what was consumed: on every assignment the consumer seeks to the offset stored with the results,
 * records before it are skipped, and the offsets committed to Kafka are only a hint for lag tools.
 */
export class ConsumerRunner {
  readonly topic: string;
  assigned: number[] = [];
  rebalances = 0;
  consumed = 0;
  error: string | undefined;
  private readonly consumer: Consumer;
  private readonly target: TickConsumer;
  private listening = false;

  constructor(consumer: Consumer, topic: string, target: TickConsumer) {
    this.consumer = consumer;
    this.topic = topic;
    this.target = target;
  }

  /** Subscribes and runs; may be called again after a failure (the bus retries until the cluster answers). */
  async start(): Promise<void> {
    if (!this.listening) {
      this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => this.onJoin(event.payload.memberAssignment));
      this.listening = true;
    }
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 5_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Called synchronously by kafkajs before it fetches for the new assignment, so the seeks apply to the first fetch. */
  private onJoin(assignment: Record<string, number[]>): void {
    this.rebalances++;
    this.assigned = [...(assignment[this.topic] ?? [])].sort((a, b) => a - b);
    this.target.onAssignmentChanged?.();
    for (const partition of this.assigned) this.seekToStored(partition);
  }

  private seekToStored(partition: number): void {
    const offset = this.target.resumeOffset(this.topic, partition) ?? 0;
    this.consumer.seek({ topic: this.topic, partition, offset: String(offset) });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const { topic, partition } = batch;
    if (batch.messages.length === 0) return;
    const resume = this.target.resumeOffset(topic, partition) ?? 0;
    const records: BusRecord[] = [];
    for (const message of batch.messages) if (Number(message.offset) >= resume) records.push(decodeRecord(message));
    for (let i = 0; i < records.length; i += MAX_RECORDS_PER_BATCH) {
      if (!isRunning() || isStale()) return;
      const chunk = records.slice(i, i + MAX_RECORDS_PER_BATCH);
      try {
        await this.target.onBatch({ topic, partition, records: chunk });
      } catch (error) {
        await this.recover(partition, error);
        return;
      }
      this.error = undefined;
      this.consumed += chunk.length;
      resolveOffset(String(chunk[chunk.length - 1]!.offset));
      await heartbeat();
    }
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
  }

  /**
   * The engine refused or failed the batch and rebuilt its state from SQLite: read the partition
   * again from what SQLite holds. A stale batch (another consumer got there first) needs no pause.
   */
  private async recover(partition: number, error: unknown): Promise<void> {
    if (!(error instanceof StaleBatchError)) {
      this.error = `engine: ${describeKafkaError(error)}`;
      await sleep(RETRY_AFTER_FAILURE_MS);
    }
    this.seekToStored(partition);
  }
}
