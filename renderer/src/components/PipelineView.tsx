import { useEffect, useRef, useState } from 'react';
import type { CommandOutput, Status } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';
import { formatInteger, formatRate, formatTime, formatVolume } from '../format.ts';
import { Sparkline } from './Sparkline.tsx';
import { ScheduledJobs } from './jobs/ScheduledJobs.tsx';

const HISTORY = 60;

/** A sink's states in the colours the other cards use. */
const SINK_TONE = { off: 'off', ok: 'ok', retrying: 'delayed', failing: 'error' } as const;

/** One sink of the status's list: off with how to switch it on, or where it writes and how it fares. */
function SinkCard({ sink }: { sink: Status['sinks'][number] }) {
  return (
    <article className="card" data-testid={`pipeline-sink-${sink.kind}`}>
      <h3>{sink.name}</h3>
      <p className={`state ${SINK_TONE[sink.state]}`}>{sink.state}</p>
      {sink.state === 'off' && sink.hint && <p className="muted wrap">{sink.hint}</p>}
      {sink.state !== 'off' && (
        <>
          <p className="muted" title={sink.target}>
            {sink.target}
          </p>
          <p className="muted wrap">
            {formatInteger(sink.written)} written · {formatInteger(sink.buffered)} in memory ·{' '}
            {formatInteger(sink.spilled)} spilled
          </p>
          <p className={sink.dropped > 0 ? 'field-error' : 'muted'}>{formatInteger(sink.dropped)} dropped</p>
          {sink.lastError && <p className="field-error wrap">{sink.lastError}</p>}
        </>
      )}
    </article>
  );
}

/** The pipeline's health, as Kafka UI or Kafdrop would show it: source, bus partitions, engine, storage. */
export function PipelineView({ api, status }: { api: ApiClient; status: Status | undefined }) {
  const lagHistory = useRef(new Map<number, number[]>());
  const rateHistory = useRef<number[]>([]);
  const [deadLetters, setDeadLetters] = useState<CommandOutput<'deadLetters.recent'>>([]);

  if (status) {
    for (const p of status.bus.partitions) {
      const h = lagHistory.current.get(p.partition) ?? [];
      if (h.length === 0 || h.at(-1) !== p.lag || h.length < HISTORY) h.push(p.lag);
      lagHistory.current.set(p.partition, h.slice(-HISTORY));
    }
    rateHistory.current = [...rateHistory.current, status.engine.ticksPerSecond].slice(-HISTORY);
  }

  useEffect(() => {
    const load = () => api.call('deadLetters.recent', { limit: 20 }).then(setDeadLetters, () => undefined);
    void load();
    const timer = window.setInterval(load, 3_000);
    return () => window.clearInterval(timer);
  }, [api]);

  if (!status) return <section className="pipeline">Waiting for the engine…</section>;
  const { source, bus, engine, database, sinks } = status;
  return (
    <section className="pipeline" aria-label="Pipeline">
      <div className="cards">
        <article className="card" data-testid="pipeline-source">
          <h3>Source</h3>
          <p className={`state ${source.state}`}>{source.state}</p>
          <p className="muted">{source.message}</p>
        </article>
        <article className="card" data-testid="pipeline-bus">
          <h3>Bus</h3>
          <p className={`state ${bus.connected ? 'live' : 'error'}`}>
            {bus.kind} · {bus.connected ? 'connected' : 'disconnected'}
          </p>
          <p className="muted">Topic {bus.topic}</p>
          <p className="muted">
            Buffer {formatInteger(bus.buffered)} / {formatInteger(bus.bufferCapacity)}
          </p>
          {bus.error && <p className="field-error wrap">{bus.error}</p>}
        </article>
        {bus.kafka && <KafkaCard kafka={bus.kafka} />}
        {status.viewer && (
          <article className="card" data-testid="pipeline-viewer">
            <h3>Viewer mode</h3>
            <p className={`state ${status.viewer.connected ? 'live' : 'error'}`}>
              {status.viewer.connected ? 'reading the engines’ candles' : 'not reading'}
            </p>
            <p className="muted wrap">{status.viewer.topics.join(', ')}</p>
            <p className="muted">
              {formatInteger(status.viewer.consumed)} read · lag {formatInteger(status.viewer.lag)} ·{' '}
              {formatInteger(status.viewer.assigned)} partitions
            </p>
            {status.viewer.error && <p className="field-error wrap">{status.viewer.error}</p>}
          </article>
        )}
        <article className="card" data-testid="pipeline-engine">
          <h3>Engine</h3>
          <p className="big">{formatRate(engine.ticksPerSecond)} ticks/s</p>
          <Sparkline points={rateHistory.current} width={160} height={28} tone="neutral" />
          <p className="muted">
            {formatInteger(engine.accepted)} accepted · {formatInteger(engine.late)} late ·{' '}
            {formatInteger(engine.invalid)} invalid
          </p>
          <p className="muted">{formatInteger(engine.openWindows)} open windows</p>
          {engine.listenerErrors.length > 0 && (
            <ul className="listener-errors" data-testid="listener-errors" aria-label="Failed after commit">
              {engine.listenerErrors.map((f) => (
                <li key={f.name} className="field-error wrap">
                  {f.name} failed {formatInteger(f.count)}× after a stored batch, last at {formatTime(f.lastAt)}:{' '}
                  {f.lastMessage}
                </li>
              ))}
            </ul>
          )}
        </article>
        <article className="card" data-testid="pipeline-database">
          <h3>Database</h3>
          <p className="big">{formatVolume(database.sizeBytes)}B</p>
          <p className="muted" title={database.path}>
            {database.path}
          </p>
        </article>
        {sinks.map((sink) => (
          <SinkCard key={sink.kind} sink={sink} />
        ))}
      </div>
      <h3>Partitions</h3>
      <div className="table-scroll">
        <table data-testid="partitions">
          <thead>
            <tr>
              <th>Partition</th>
              <th className="num">End offset</th>
              <th className="num">Consumed</th>
              <th className="num">Lag</th>
              {bus.kafka && <th className="num">Committed to Kafka</th>}
              <th>Lag, last minute</th>
            </tr>
          </thead>
          <tbody>
            {bus.partitions.map((p) => (
              <tr key={p.partition}>
                <td>{p.partition}</td>
                <td className="num">{formatInteger(p.endOffset)}</td>
                <td className="num">{formatInteger(p.consumedOffset)}</td>
                <td className="num">{formatInteger(p.lag)}</td>
                {bus.kafka && <td className="num">{committedText(bus.kafka, p.partition)}</td>}
                <td>
                  <Sparkline
                    points={lagHistory.current.get(p.partition) ?? []}
                    width={120}
                    height={18}
                    tone="neutral"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Dead letters</h3>
      {deadLetters.length === 0 ? (
        <p className="empty">No message has been refused.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="dead-letters">
            <thead>
              <tr>
                <th>Time</th>
                <th>Partition/offset</th>
                <th>Reason</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {deadLetters.map((d) => (
                <tr key={`${d.topic}-${d.partition}-${d.offset}-${d.at}`}>
                  <td>{formatTime(d.at)}</td>
                  <td>
                    {d.partition}/{d.offset}
                  </td>
                  <td>{d.reason}</td>
                  <td className="payload" title={d.payload}>
                    {d.payload.slice(0, 80)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ScheduledJobs api={api} />
    </section>
  );
}

type KafkaHealth = NonNullable<Status['bus']['kafka']>;

/** The cluster as the admin client sees it, and this consumer's place in its group. */
function KafkaCard({ kafka }: { kafka: KafkaHealth }) {
  return (
    <article className="card" data-testid="pipeline-kafka">
      <h3>Kafka</h3>
      <p className="muted wrap" title="Brokers">
        {kafka.brokers.join(', ')}
      </p>
      <p className="muted">
        Controller {kafka.controller ?? '–'} · cluster {kafka.clusterId ?? '–'}
      </p>
      <p className="muted wrap">
        Group {kafka.groupId} · partitions {kafka.assigned.length > 0 ? kafka.assigned.join(', ') : 'none yet'} ·{' '}
        {formatInteger(kafka.rebalances)} rebalance{kafka.rebalances === 1 ? '' : 's'}
      </p>
      <p className="muted">
        Produce {formatRate(kafka.producePerSecond)}/s · consume {formatRate(kafka.consumePerSecond)}/s
      </p>
      {kafka.candlesPublished !== undefined && (
        <p className="muted" data-testid="pipeline-candles-published">
          {formatInteger(kafka.candlesPublished)} candle versions published for viewers
        </p>
      )}
    </article>
  );
}

/** Kafka's committed offsets are only a hint for lag tools: the engine resumes from SQLite. */
function committedText(kafka: KafkaHealth, partition: number): string {
  const offset = kafka.committed[String(partition)];
  return offset === undefined ? '–' : formatInteger(offset);
}
