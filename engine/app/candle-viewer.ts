import type { BusBatch } from '../bus/bus.ts';
import { CandleFeed } from '../bus/kafka/candle-feed.ts';
import type { KafkaSettings } from '../domain/bus-settings.ts';
import { CandleSchema, type Candle } from '../domain/candle.ts';
import type { Interval } from '../domain/interval.ts';
import type { ViewerHealth } from '../domain/viewer-health.ts';
import type { MarketStore } from '../store/market-store.ts';

/** The checkpoints a viewer keeps of the candle topics (one group name per database: it reads them all). */
export const VIEWER_CHECKPOINTS = 'candle-viewer';

export interface CandleViewerOptions {
  settings: KafkaSettings;
  intervals: readonly Interval[];
  store: MarketStore;
  /** Told of the candles a batch stored (newer versions only): the chart, quotes and watchlist. */
  onCandles: (candles: Candle[]) => void;
}

/**
 * Viewer mode: the engines compute, this app only stores what they publish. Each record of the
 * candle topics is validated and merged into SQLite (the newest version of a window wins), with
 * the topic's offset in the same transaction, so a restart reads on from where it stood.
 */
export class CandleViewer {
  invalid = 0;
  private readonly feed: CandleFeed;
  private readonly store: MarketStore;
  private readonly onCandles: (candles: Candle[]) => void;

  constructor(options: CandleViewerOptions) {
    this.store = options.store;
    this.onCandles = options.onCandles;
    this.feed = new CandleFeed({ settings: options.settings, intervals: options.intervals });
  }

  start(): void {
    this.feed.start({
      resumeOffset: (topic, partition) => this.store.checkpoint(VIEWER_CHECKPOINTS, topic, partition)?.nextOffset,
      onBatch: (batch) => this.onBatch(batch),
    });
  }

  health(): ViewerHealth {
    return this.feed.health();
  }

  /** Asks the cluster for the candle topics' end offsets now (tests, a drain). */
  refresh(): Promise<void> {
    return this.feed.probe();
  }

  close(): Promise<void> {
    return this.feed.close();
  }

  private onBatch(batch: BusBatch): void {
    const interval = batch.topic.slice(batch.topic.lastIndexOf('.') + 1);
    const candles: Candle[] = [];
    for (const record of batch.records) {
      const parsed = record.error ? undefined : CandleSchema.safeParse(record.value);
      // A record of another interval, or not a candle, is skipped: the offset moves past it all the same.
      if (parsed?.success && parsed.data.interval === interval) candles.push(parsed.data);
      else this.invalid++;
    }
    const stored = this.store.mergePublishedCandles({
      candles,
      checkpoint: {
        consumerGroup: VIEWER_CHECKPOINTS,
        topic: batch.topic,
        partition: batch.partition,
        nextOffset: batch.records[batch.records.length - 1]!.offset + 1,
      },
    });
    if (stored.length > 0) this.onCandles(stored);
  }
}
