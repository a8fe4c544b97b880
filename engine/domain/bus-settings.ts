import { z } from 'zod';

const TopicName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash');

/** host:port, as kafkajs and every Kafka tool write a bootstrap server. */
const BrokerAddress = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/, 'a broker is host:port, e.g. 127.0.0.1:9092')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'the port must be 1-65535');

const SaslSchema = z
  .object({
    mechanism: z.enum(['none', 'plain', 'scram-sha-256', 'scram-sha-512']).default('none'),
    username: z.string().max(500).default(''),
    password: z.string().max(2_000).default(''),
  })
  .strict()
  .refine((s) => s.mechanism === 'none' || s.username.length > 0, {
    message: 'SASL needs a user name',
    path: ['username'],
  });

/** How the app reaches a Kafka cluster: a local broker by default, TLS and SASL for remote ones. */
export const KafkaSettingsSchema = z
  .object({
    brokers: z.array(BrokerAddress).min(1, 'at least one broker').max(50).default(['127.0.0.1:9092']),
    clientId: z.string().min(1).max(200).default('market-monitor'),
    /**
     * The consumer group. Empty means this installation's own group (made up on first use and
     * saved), so a desktop reads every partition; headless engines that split the partitions
     * share one name.
     */
    groupId: z.string().max(200).default(''),
    /** Create missing topics through the admin client on first use. */
    createTopics: z.boolean().default(true),
    dlqTopic: TopicName.default('market.ticks.dlq'),
    companiesTopic: TopicName.default('market.companies'),
    tls: z.boolean().default(false),
    /** Off only for a test cluster with a self-signed certificate. */
    tlsRejectUnauthorized: z.boolean().default(true),
    /** A PEM file with the cluster's certificate authority, for clusters signed by a private CA. */
    tlsCaFile: z.string().max(4_096).default(''),
    sasl: SaslSchema.prefault({}),
    /**
     * How long the group waits for a silent consumer before giving its partitions to another.
     * Brokers refuse values under their group.min.session.timeout.ms (6 s by default).
     */
    sessionTimeoutMs: z.number().int().min(1_000).max(300_000).default(10_000),
    /** Ticks held in memory while the broker is away; the producer waits beyond it, nothing is dropped. */
    bufferCapacity: z.number().int().min(1_000).max(10_000_000).default(200_000),
    /**
     * Scale-out: an engine publishes every candle version it computes to the compacted topics
     * `<candleTopicPrefix>.<interval>` (e.g. market.candles.1m), which viewers read.
     */
    publishCandles: z.boolean().default(false),
    candleTopicPrefix: TopicName.default('market.candles'),
  })
  .strict();

export type KafkaSettings = z.output<typeof KafkaSettingsSchema>;
export type KafkaSettingsInput = z.input<typeof KafkaSettingsSchema>;

/**
 * What this app does with the bus. An engine computes candles from the ticks; a viewer computes
 * nothing: it reads the candle topics that engines publish (Kafka only) into its own database.
 */
export const AppModeSchema = z.enum(['engine', 'viewer']);
export type AppMode = z.infer<typeof AppModeSchema>;

/** Which bus carries ticks from the producer to the engine. */
export const BusSettingsSchema = z
  .object({
    kind: z.enum(['in-process', 'kafka']).default('in-process'),
    mode: AppModeSchema.default('engine'),
    topic: TopicName.default('market.ticks'),
    partitions: z.number().int().min(1).max(256).default(4),
    kafka: KafkaSettingsSchema.prefault({}),
  })
  .strict()
  .refine((s) => s.mode === 'engine' || s.kind === 'kafka', {
    message: 'A viewer reads the candles engines publish on Kafka: choose the Kafka bus',
    path: ['mode'],
  });

export type BusSettings = z.output<typeof BusSettingsSchema>;
