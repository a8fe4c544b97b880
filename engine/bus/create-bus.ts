import type { BusSettings } from '../domain/bus-settings.ts';
import type { TickBus } from './bus.ts';
import { InProcessLog } from './in-process-log.ts';

/** The bus the settings ask for. */
export function createBus(settings: BusSettings): TickBus {
  return new InProcessLog({ topic: settings.topic, partitions: settings.partitions });
}
