import type { BusSettings } from '../domain/bus-settings.ts';
import type { Interval } from '../domain/interval.ts';
import type { TickBus } from './bus.ts';
import { InProcessLog } from './in-process-log.ts';
import { KafkaBus } from './kafka/kafka-bus.ts';

/**
 * The bus the settings ask for; `groupId` is the consumer group a Kafka bus joins. An engine on
 * Kafka that publishes candles creates the candle topics of `intervals` and publishes to them.
 */
export function createBus(settings: BusSettings, groupId: string, intervals: readonly Interval[] = []): TickBus {
  if (settings.kind === 'kafka') {
    const publish = settings.mode === 'engine' && settings.kafka.publishCandles;
    return new KafkaBus({
      settings: settings.kafka,
      topic: settings.topic,
      partitions: settings.partitions,
      groupId,
      ...(publish ? { candleIntervals: intervals } : {}),
    });
  }
  return new InProcessLog({ topic: settings.topic, partitions: settings.partitions });
}
