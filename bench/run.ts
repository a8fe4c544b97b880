/**
 * `npm run bench [-- --json FILE]`: every benchmark beside its baseline, measured in the same run.
 * Goals (docs/BENCHMARKS.md): engine >= 1,000,000 ticks/s, persistence >= 0.8 of raw inserts,
 * no task over 16 ms while ingesting. The Kafka figures are recorded beside the in-process bus,
 * and the engine on Kafka beside Kafka Streams (exactly_once_v2) doing the same aggregation (>= 3 x).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { aggregationBench, blockingBench, makeTicks, persistenceBench } from './engine.bench.ts';
import { startBusyCore } from './busy-core.ts';
import { formatTable, type BenchResult } from './harness.ts';
import { kafkaBenches } from './kafka.bench.ts';
import { rendererBenches } from './renderer.bench.ts';

const { values } = parseArgs({ options: { json: { type: 'string' }, 'busy-core': { type: 'boolean' } } });
const stopBusyCore = values['busy-core'] ? startBusyCore() : undefined;
if (stopBusyCore) console.log('One core kept busy by another process for the whole run (--busy-core)');

const results: BenchResult[] = [];
const ticks = makeTicks(1_000_000);
results.push(aggregationBench(ticks));
results.push(persistenceBench(ticks.slice(0, 300_000)));
results.push(await blockingBench(ticks.slice(0, 200_000)));
// A real broker from Maven Central's jars (Java 17); MARKET_MONITOR_SKIP_KAFKA=1 leaves it out.
if (process.env.MARKET_MONITOR_SKIP_KAFKA === '1') console.log('Kafka benchmarks skipped: MARKET_MONITOR_SKIP_KAFKA=1');
else results.push(...(await kafkaBenches(ticks.slice(0, 200_000), ticks.slice(0, 10_000))));

// Debian's Chromium against the headless host; skipped, with the reason, where it cannot run
// (MARKET_MONITOR_SKIP_RENDERER=1, no Chromium, or no `npm run build:renderer` yet).
results.push(...(await rendererBenches()));

stopBusyCore?.();
console.log(formatTable(results));
if (values.json) {
  fs.writeFileSync(values.json, `${JSON.stringify({ results }, null, 2)}\n`);
  console.log(`\nWrote ${values.json}`);
}
