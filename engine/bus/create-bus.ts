import type { BusSettings } from '../domain/bus-settings.ts';
import type { TickBus } from './bus.ts';
import { InProcessLog } from './in-process-log.ts';
import { KafkaBus } from './kafka/kafka-bus.ts';

/** The bus the settings ask for; `groupId` is the consumer group a Kafka bus joins. */
export function createBus(settings: BusSettings, groupId: string): TickBus {
  if (settings.kind === 'kafka') {
    return new KafkaBus({ settings: settings.kafka, topic: settings.topic, partitions: settings.partitions, groupId });
  }
  return new InProcessLog({ topic: settings.topic, partitions: settings.partitions });
}
