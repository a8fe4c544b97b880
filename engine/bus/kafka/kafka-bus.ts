import type { Admin, Consumer, Producer } from 'kafkajs';
import type { KafkaSettings } from '../../domain/bus-settings.ts';
import type { CompanyProfile } from '../../domain/company.ts';
import type { Tick } from '../../domain/tick.ts';
import { RateMeter } from '../../base/rate-meter.ts';
import type { DeadLetter } from '../../domain/dead-letter.ts';
import type { BusHealth, PartitionHealth, TickBus, TickConsumer } from '../bus.ts';
import { BufferedProducer } from './buffered-producer.ts';
import { EMPTY_VIEW, probeCluster, type ClusterView } from './cluster-probe.ts';
import { ConsumerRunner } from './consumer-runner.ts';
import {
  checkTlsCaFile,
  createKafkaClient,
  describeKafkaError,
  groupConsumerConfig,
  type KafkaClient,
} from './kafka-client.ts';
import { companyMessage, deadLetterMessage, tickMessage } from './tick-records.ts';
import { ensureTopics } from './topics.ts';
import { CandlePublisher } from './candle-topics.ts';
import type { Candle } from '../../domain/candle.ts';
import type { Interval } from '../../domain/interval.ts';
import { sleep } from '../../base/sleep.ts';

export interface KafkaBusOptions {
  settings: KafkaSettings;
  topic: string;
  /** Partitions of the ticks topic when the app creates it. */
  partitions: number;
  /** The consumer group (the installation's own, or one shared by headless engines). */
  groupId: string;
  /** How often the admin client refreshes brokers, end offsets and committed offsets. */
  probeEveryMs?: number;
  /** The intervals whose candle topics this engine creates and publishes to (settings.publishCandles). */
  candleIntervals?: readonly Interval[];
}

const CONNECT_RETRY_MS = 2_000;
const CLOSE_FLUSH_MS = 10_000;

/**
 * The bus over a real Kafka cluster. Publishing never blocks on the network: ticks go to a bounded
 * buffer that a batched, acks=all producer drains. Consuming goes through ConsumerRunner, which
 * resumes from the offsets stored in SQLite. Health comes from an admin client polled in the background.
 */
export class KafkaBus implements TickBus {
  readonly kind = 'kafka' as const;
  readonly topic: string;
  readonly groupId: string;
  private readonly options: KafkaBusOptions;
  private readonly kafka: KafkaClient;
  private producer: Producer;
  private replacing: Promise<void> | undefined;
  private readonly admin: Admin;
  private readonly ticksOut: BufferedProducer;
  private readonly lettersOut: BufferedProducer;
  private readonly companiesOut: BufferedProducer;
  private readonly candlesOut: CandlePublisher | undefined;
  private consumer: Consumer | undefined;
  private runner: ConsumerRunner | undefined;
  private target: TickConsumer | undefined;
  private view: ClusterView = EMPTY_VIEW;
  private setupError: string | undefined;
  private topicsReady = false;
  private ready: Promise<void>;
  private closing = false;
  private closed = false;
  private producerConnected = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly produceRate = new RateMeter();
  private readonly consumeRate = new RateMeter();

  constructor(options: KafkaBusOptions) {
    this.options = options;
    this.topic = options.topic;
    this.groupId = options.groupId;
    this.kafka = createKafkaClient(options.settings);
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
    this.ready = this.connect();
    const capacity = options.settings.bufferCapacity;
    const ready = this.ready;
    const recover = () => this.replaceProducer();
    this.ticksOut = new BufferedProducer(this.producer, { topic: this.topic, capacity, ready, recover });
    this.lettersOut = new BufferedProducer(this.producer, {
      topic: options.settings.dlqTopic,
      capacity,
      ready,
      recover,
    });
    this.companiesOut = new BufferedProducer(this.producer, {
      topic: options.settings.companiesTopic,
      capacity: 10_000,
      ready,
      recover,
    });
    this.candlesOut = options.candleIntervals
      ? new CandlePublisher(this.kafka, options.settings.candleTopicPrefix)
      : undefined;
    this.probeTimer = setInterval(() => void this.probe(), options.probeEveryMs ?? 2_000);
    this.probeTimer.unref();
  }

  async publish(ticks: readonly Tick[]): Promise<void> {
    await this.ticksOut.enqueue(ticks.map(tickMessage));
  }

  deadLetter(letters: readonly DeadLetter[]): void {
    // SQLite already holds them; the topic is for other tools, so a full buffer is not waited on.
    void this.lettersOut.enqueue(letters.map(deadLetterMessage)).catch(() => undefined);
  }

  publishCompany(profile: CompanyProfile): void {
    void this.companiesOut.enqueue([companyMessage(profile)]).catch(() => undefined);
  }

  /** Whether this bus publishes candles (an engine that shares its work with viewers). */
  get publishesCandles(): boolean {
    return this.candlesOut !== undefined;
  }

  /**
   * Publishes a batch's candle versions to the candle topics and waits for the broker to hold them
   * (the engine calls it before it commits the batch; a failure fails the batch, which is retried).
   */
  async publishCandles(candles: readonly Candle[]): Promise<void> {
    if (!this.candlesOut) return;
    await this.ready;
    if (this.closing) throw new Error('The Kafka bus is closing');
    await this.candlesOut.publish(candles);
  }

  async subscribe(target: TickConsumer): Promise<void> {
    this.target = target;
    if (this.topicsReady) await this.startConsumer();
  }

  // Idempotent: a retried send after a lost acknowledgement is not written twice.
  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  /** A new producer session for all three outputs, once, however many of them asked. */
  private replaceProducer(): Promise<void> {
    this.replacing ??= (async () => {
      const old = this.producer;
      this.producer = this.newProducer();
      for (const out of [this.ticksOut, this.lettersOut, this.companiesOut]) out.useProducer(this.producer);
      await old.disconnect().catch(() => undefined);
      await this.retrying('Kafka producer', () => this.producer.connect());
    })().finally(() => (this.replacing = undefined));
    return this.replacing;
  }

  /**
   * Asks the cluster now instead of waiting for the next poll (drain, tests). Sends acknowledged
   * while the probe was out can lie past the end offsets it brought back, and the engine may have
   * consumed exactly up to those: so what was buffered when the probe set out still counts, and a
   * drain asks again instead of calling the log caught up with records still unread in it.
   */
  async refresh(): Promise<BusHealth> {
    const bufferedBefore = this.ticksOut.buffered;
    await this.probe();
    const health = this.health();
    return { ...health, buffered: Math.max(health.buffered, bufferedBefore) };
  }

  health(): BusHealth {
    const view = this.view;
    const error = this.setupError ?? this.ticksOut.error ?? view.error ?? this.runner?.error ?? this.candlesOut?.error;
    const produced = this.ticksOut.sent;
    const consumed = this.runner?.consumed ?? 0;
    return {
      kind: this.kind,
      topic: this.topic,
      connected: !this.closed && view.reachable && this.ticksOut.error === undefined && !this.setupError,
      buffered: this.ticksOut.buffered,
      bufferCapacity: this.ticksOut.capacity,
      partitions: this.partitionHealth(view),
      ...(error ? { error } : {}),
      kafka: {
        brokers: view.brokers.length > 0 ? view.brokers : this.options.settings.brokers,
        controller: view.controller,
        clusterId: view.clusterId,
        groupId: this.groupId,
        assigned: this.runner?.assigned ?? [],
        rebalances: this.runner?.rebalances ?? 0,
        produced,
        consumed,
        producePerSecond: round(this.produceRate.sample(produced)),
        consumePerSecond: round(this.consumeRate.sample(consumed)),
        committed: Object.fromEntries(view.committed),
        ...(this.candlesOut ? { candlesPublished: this.candlesOut.published } : {}),
      },
    };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true; // stops the connect loops, so `ready` settles even with no cluster
    clearInterval(this.probeTimer);
    await this.ready.catch(() => undefined);
    // Graceful: what the producer holds goes to the broker before the app lets go of it.
    if (this.producerConnected) {
      await this.ticksOut.flush(CLOSE_FLUSH_MS);
      await this.lettersOut.flush(1_000);
      await this.companiesOut.flush(1_000);
    }
    this.closed = true;
    for (const out of [this.ticksOut, this.lettersOut, this.companiesOut]) out.stop();
    await Promise.allSettled([
      this.consumer?.disconnect(),
      this.producer.disconnect(),
      this.admin.disconnect(),
      this.candlesOut?.close(),
    ]);
  }

  /**
   * Creates the topics, then starts the consumer and connects the producer independently (an
   * engine that only consumes must not wait on a producer), retrying each until the cluster
   * answers or the bus closes. Settles when the producer is connected or the bus is closing.
   */
  private async connect(): Promise<void> {
    const topicsReady = await this.retrying('Kafka', async () => {
      const caProblem = checkTlsCaFile(this.options.settings);
      if (caProblem) throw new Error(`TLS certificate authority ${this.options.settings.tlsCaFile}: ${caProblem}`);
      await this.admin.connect();
      await ensureTopics(
        this.admin,
        {
          ticks: this.topic,
          partitions: this.options.partitions,
          dlq: this.options.settings.dlqTopic,
          companies: this.options.settings.companiesTopic,
          ...(this.options.candleIntervals
            ? {
                candles: {
                  prefix: this.options.settings.candleTopicPrefix,
                  intervals: this.options.candleIntervals,
                },
              }
            : {}),
        },
        this.options.settings.createTopics,
      );
    });
    if (!topicsReady) return;
    this.topicsReady = true;
    void this.startConsumer();
    void this.probe();
    this.producerConnected = await this.retrying('Kafka producer', () => this.producer.connect());
  }

  /** Tries until it works (true) or the bus is closing (false); the status shows each failure. */
  private async retrying(what: string, attempt: () => Promise<void>): Promise<boolean> {
    while (!this.closing) {
      try {
        await attempt();
        this.setupError = undefined;
        return true;
      } catch (error) {
        this.setupError = `${what} at ${this.options.settings.brokers.join(', ')}: ${describeKafkaError(error)}`;
        await sleep(CONNECT_RETRY_MS);
      }
    }
    return false;
  }

  private async startConsumer(): Promise<void> {
    if (this.closing || !this.target || !this.topicsReady || this.consumer) return;
    const consumer = this.kafka.consumer({
      ...groupConsumerConfig(this.options.settings, this.groupId, () => this.closing),
      rebalanceTimeout: 20_000,
    });
    this.consumer = consumer;
    this.runner = new ConsumerRunner(consumer, this.topic, this.target);
    const started = await this.retrying('Kafka consumer', async () => {
      await consumer.connect();
      await this.runner!.start();
    });
    if (!started) await consumer.disconnect().catch(() => undefined);
  }

  private async probe(): Promise<void> {
    if (this.closed) return;
    this.view = await probeCluster(this.admin, this.topic, this.groupId, this.view);
  }

  /** End offsets from the cluster; consumed offsets from SQLite, the engine's own record of what it stored. */
  private partitionHealth(view: ClusterView): PartitionHealth[] {
    return [...view.endOffsets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, endOffset]) => {
        const consumedOffset = this.target?.resumeOffset(this.topic, partition) ?? 0;
        // The end offset is from the last poll; what the engine stored since is proof the log reached it.
        const end = Math.max(endOffset, consumedOffset);
        return { partition, endOffset: end, consumedOffset, lag: end - consumedOffset };
      });
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
