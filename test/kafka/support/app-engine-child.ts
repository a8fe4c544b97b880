// One MarketMonitor in its own process, as `market-monitor serve --kafka ... --publish-candles`
// runs it: an engine of a scale-out group (or a lone reference engine), with an empty watchlist so
// its simulator produces nothing. Prints its partition assignment as it changes; SIGKILL is a crash,
// SIGTERM a clean stop.
import { parseArgs } from 'node:util';
import { MarketMonitor } from '../../../engine/app/market-monitor.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    partitions: { type: 'string', default: '6' },
    prefix: { type: 'string', default: 'market.candles' },
    publish: { type: 'boolean', default: false },
  },
});

const app = await MarketMonitor.open({
  dbPath: values.db!,
  statusEveryMs: 60_000,
  overrides: {
    bus: {
      kind: 'kafka',
      mode: 'engine',
      topic: values.topic!,
      partitions: Number(values.partitions),
      kafka: {
        brokers: values.brokers!.split(','),
        groupId: values.group!,
        sessionTimeoutMs: 3_000,
        dlqTopic: `${values.topic!}.dlq`,
        companiesTopic: `${values.topic!}.companies`,
        publishCandles: values.publish,
        candleTopicPrefix: values.prefix!,
      },
    },
  },
});

let last: string | undefined;
let lastError = '';
setInterval(() => {
  const health = app.status().bus;
  const assigned = health.kafka?.assigned.join(',') ?? '';
  if (assigned !== last) process.stdout.write(`assigned ${assigned}\n`);
  last = assigned;
  if (health.error && health.error !== lastError) process.stderr.write(`engine ${process.pid}: ${health.error}\n`);
  lastError = health.error ?? '';
}, 50);

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
