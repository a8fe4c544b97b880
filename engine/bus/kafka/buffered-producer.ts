import type { Message, Producer } from 'kafkajs';
import { backoffDelay, type BackoffOptions } from '../../base/backoff.ts';
import { sleep } from '../../base/sleep.ts';
import { describeKafkaError } from './kafka-client.ts';

export interface BufferedProducerOptions {
  topic: string;
  /** Messages held while the broker is away; enqueue() waits beyond it rather than drop. */
  capacity: number;
  /** Most messages in one produce request. */
  maxBatch?: number;
  /** Settles once the producer is connected; sends wait for it instead of failing. */
  ready?: Promise<void>;
  /**
   * Replaces the producer when the broker no longer accepts its sequence (its state was lost):
   * without a new producer session every later send would be refused and the bus would stall.
   */
  recover?: () => Promise<void>;
}

const SEND_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5_000 };

/**
 * A bounded in-memory queue in front of a kafkajs producer. Sends are batched (whatever queued up
 * while the previous request was in flight goes in the next one), acknowledged by all in-sync
 * replicas, and retried with exponential backoff until the broker takes them: nothing is dropped.
 */
export class BufferedProducer {
  readonly topic: string;
  readonly capacity: number;
  private readonly maxBatch: number;
  private producer: Producer;
  private readonly ready: Promise<void>;
  private readonly recover: (() => Promise<void>) | undefined;
  private inFlight: Message[] | undefined;
  private chunks: Message[][] = [];
  private queued = 0;
  private pumping = false;
  private stopped = false;
  private failures = 0;
  private waiters: Array<() => void> = [];
  sent = 0;
  error: string | undefined;

  constructor(producer: Producer, options: BufferedProducerOptions) {
    this.producer = producer;
    this.topic = options.topic;
    this.capacity = options.capacity;
    this.maxBatch = options.maxBatch ?? 5_000;
    this.ready = options.ready ?? Promise.resolve();
    this.recover = options.recover;
  }

  /** Sends go through this producer from now on (after the bus replaced a fenced one). */
  useProducer(producer: Producer): void {
    this.producer = producer;
  }

  get buffered(): number {
    return this.queued;
  }

  /** Queues the messages and returns once the queue is back under its capacity. */
  async enqueue(messages: Message[]): Promise<void> {
    if (this.stopped) throw new Error(`The Kafka producer for ${this.topic} is closed`);
    if (messages.length === 0) return;
    this.chunks.push(messages);
    this.queued += messages.length;
    void this.pump();
    while (this.queued > this.capacity && !this.stopped) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Waits until everything queued is acknowledged, or the time is up; returns what is left. */
  async flush(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.queued > 0 && Date.now() < deadline) await sleep(20);
    return this.queued;
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await this.ready;
      while (this.queued > 0 && !this.stopped) {
        // A failed batch is retried exactly as it was: the broker may have written it before the
        // answer was lost, and the idempotent producer's retry is recognised as a duplicate only
        // when it carries the same records. A bigger batch would be refused as out of sequence.
        const batch = (this.inFlight ??= this.peek());
        try {
          await this.producer.send({ topic: this.topic, messages: batch, acks: -1 });
          this.inFlight = undefined;
          this.take(batch.length);
          this.sent += batch.length;
          this.failures = 0;
          this.error = undefined;
          this.release();
        } catch (error) {
          this.failures++;
          this.error = describeKafkaError(error);
          if (this.recover && isSequenceError(error)) {
            this.error += ' (the producer starts a new session; this batch may be written twice)';
            await this.recover();
          }
          await sleep(backoffDelay(this.failures, SEND_BACKOFF));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The oldest queued messages, up to maxBatch, left in the queue until the broker acknowledges them. */
  private peek(): Message[] {
    const out: Message[] = [];
    for (const chunk of this.chunks) {
      for (const message of chunk) {
        if (out.length >= this.maxBatch) return out;
        out.push(message);
      }
    }
    return out;
  }

  private take(count: number): void {
    let left = count;
    while (left > 0) {
      const head = this.chunks[0]!;
      if (head.length <= left) {
        left -= head.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = head.slice(left);
        left = 0;
      }
    }
    this.queued -= count;
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** kafkajs wraps the broker's protocol error in its retry error: look at both. */
function isSequenceError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (SEQUENCE_ERRORS.has((e as { type?: string }).type ?? '')) return true;
  }
  return false;
}
