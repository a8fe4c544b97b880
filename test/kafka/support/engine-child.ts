// One engine in its own process, for tests that kill it: consumes a topic into a SQLite file
// until SIGKILL (a crash) or SIGTERM (a clean stop). Prints its partition assignment as it changes.
import { parseArgs } from 'node:util';
import { kafkaEngine } from './engine.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    partitions: { type: 'string', default: '3' },
    session: { type: 'string', default: '3000' },
    /** Pauses before each batch, so that a kill lands mid-stream rather than after the last record. */
    'batch-delay': { type: 'string', default: '0' },
  },
});

const engine = kafkaEngine({
  dbFile: values.db!,
  brokers: values.brokers!.split(','),
  topic: values.topic!,
  groupId: values.group!,
  partitions: Number(values.partitions),
  sessionTimeoutMs: Number(values.session),
});
const delayMs = Number(values['batch-delay']);
if (delayMs > 0) {
  const onBatch = engine.processor.onBatch.bind(engine.processor);
  engine.processor.onBatch = async (batch) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return onBatch(batch);
  };
}
await engine.bus.subscribe(engine.processor);

let last = '';
let lastError = '';
setInterval(() => {
  const health = engine.bus.health();
  const assigned = health.kafka?.assigned.join(',') ?? '';
  if (assigned !== last) process.stdout.write(`assigned ${assigned}\n`);
  if ((health.error ?? '') !== lastError && health.error)
    process.stderr.write(`engine ${process.pid}: ${health.error}\n`);
  last = assigned;
  if (process.env.MM_CHILD_DEBUG)
    process.stderr.write(
      `dbg ${process.pid} ${JSON.stringify({ a: assigned, r: health.kafka?.rebalances, c: health.kafka?.consumed, e: health.error })}\n`,
    );
  lastError = health.error ?? '';
}, 50);

process.once('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
