import { useState, type ReactNode } from 'react';
import type { CommandOutput } from '../../../engine/api/contract.ts';
import type { ApiClient } from '../api/client.ts';

type BusSettings = CommandOutput<'settings.get'>['bus'];
type KafkaTest = CommandOutput<'kafka.testConnection'>;

/** The bus fields as a person edits them: brokers as one comma-separated line. */
export interface BusDraft {
  kind: BusSettings['kind'];
  mode: BusSettings['mode'];
  publishCandles: boolean;
  candleTopicPrefix: string;
  brokers: string;
  topic: string;
  partitions: string;
  groupId: string;
  createTopics: boolean;
  tls: boolean;
  tlsVerify: boolean;
  tlsCaFile: string;
  saslMechanism: BusSettings['kafka']['sasl']['mechanism'];
  username: string;
  password: string;
}

export const toBusDraft = (bus: BusSettings): BusDraft => ({
  kind: bus.kind,
  mode: bus.mode,
  publishCandles: bus.kafka.publishCandles,
  candleTopicPrefix: bus.kafka.candleTopicPrefix,
  brokers: bus.kafka.brokers.join(', '),
  topic: bus.topic,
  partitions: String(bus.partitions),
  groupId: bus.kafka.groupId,
  createTopics: bus.kafka.createTopics,
  tls: bus.kafka.tls,
  tlsVerify: bus.kafka.tlsRejectUnauthorized,
  tlsCaFile: bus.kafka.tlsCaFile,
  saslMechanism: bus.kafka.sasl.mechanism,
  username: bus.kafka.sasl.username,
  password: bus.kafka.sasl.password,
});

/** The settings input for the bus: what the draft changes, over what was saved. */
export function busInput(saved: BusSettings, draft: BusDraft, num: (text: string) => number | string) {
  return {
    ...saved,
    kind: draft.kind,
    // A viewer needs Kafka: back on the in-process bus, this app computes its own candles again.
    mode: draft.kind === 'kafka' ? draft.mode : 'engine',
    topic: draft.topic.trim(),
    partitions: num(draft.partitions),
    kafka: kafkaInput(saved.kafka, draft),
  };
}

function kafkaInput(saved: BusSettings['kafka'], draft: BusDraft) {
  return {
    ...saved,
    brokers: draft.brokers
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0),
    groupId: draft.groupId.trim(),
    publishCandles: draft.publishCandles,
    candleTopicPrefix: draft.candleTopicPrefix.trim(),
    createTopics: draft.createTopics,
    tls: draft.tls,
    tlsRejectUnauthorized: draft.tlsVerify,
    tlsCaFile: draft.tlsCaFile.trim(),
    sasl: { mechanism: draft.saslMechanism, username: draft.username, password: draft.password },
  };
}

/** Renders the text field of a settings path (its label comes from the path). */
type FieldRenderer = (
  path: string,
  value: string,
  onChange: (v: string) => void,
  hint?: string,
  type?: 'text' | 'password',
) => ReactNode;

/** Settings > Bus: in-process or Kafka, with the connection, security and a connection test. */
export function KafkaSettings(props: {
  api: ApiClient;
  saved: BusSettings;
  draft: BusDraft;
  onChange: (patch: Partial<BusDraft>) => void;
  field: FieldRenderer;
}) {
  const { api, saved, draft, onChange, field } = props;
  const [test, setTest] = useState<KafkaTest | 'testing' | null>(null);

  const runTest = async () => {
    setTest('testing');
    try {
      setTest(await api.call('kafka.testConnection', kafkaInput(saved.kafka, draft)));
    } catch (e) {
      setTest({ ok: false, error: e instanceof Error ? e.message : String(e), tookMs: 0 });
    }
  };

  return (
    <fieldset>
      <legend>Message bus</legend>
      <label className="field">
        <span>Ticks travel through</span>
        <select
          value={draft.kind}
          onChange={(e) => onChange({ kind: e.target.value as BusDraft['kind'] })}
          aria-label="Bus"
          data-field="bus.kind"
        >
          <option value="in-process">This app alone (nothing else to install)</option>
          <option value="kafka">Apache Kafka</option>
        </select>
      </label>
      {draft.kind === 'kafka' && (
        <>
          {field(
            'bus.kafka.brokers',
            draft.brokers,
            (v) => onChange({ brokers: v }),
            'host:port, separated by commas (npm run kafka:local starts one on 127.0.0.1:9092)',
          )}
          <Choice
            label="This app"
            name="App mode"
            path="bus.mode"
            value={draft.mode}
            options={{ engine: 'Engine: computes candles', viewer: 'Viewer: shows engines’ candles' }}
            onChange={(mode) => onChange({ mode })}
          />
          {draft.mode === 'engine' && (
            <Check
              label="Publish candles for viewers"
              checked={draft.publishCandles}
              onChange={(v) => onChange({ publishCandles: v })}
            />
          )}
          {(draft.mode === 'viewer' || draft.publishCandles) &&
            field(
              'bus.kafka.candleTopicPrefix',
              draft.candleTopicPrefix,
              (v) => onChange({ candleTopicPrefix: v }),
              'One compacted topic per interval: <prefix>.1m, <prefix>.1h, …',
            )}
          {field('bus.topic', draft.topic, (v) => onChange({ topic: v }))}
          {field(
            'bus.partitions',
            draft.partitions,
            (v) => onChange({ partitions: v }),
            'Used when the app creates the topic',
          )}
          {field(
            'bus.kafka.groupId',
            draft.groupId,
            (v) => onChange({ groupId: v }),
            'Empty: this installation’s own group. Headless engines that share the work share one name',
          )}
          <Check
            label="Create missing topics"
            checked={draft.createTopics}
            onChange={(v) => onChange({ createTopics: v })}
          />
          <Check label="Use TLS" checked={draft.tls} onChange={(v) => onChange({ tls: v })} />
          {draft.tls && (
            <>
              {field(
                'bus.kafka.tlsCaFile',
                draft.tlsCaFile,
                (v) => onChange({ tlsCaFile: v }),
                'A PEM file, for a cluster signed by a private CA. Empty: the system’s authorities',
              )}
              <Check
                label="Verify the cluster’s certificate"
                checked={draft.tlsVerify}
                onChange={(v) => onChange({ tlsVerify: v })}
              />
            </>
          )}
          <label className="field">
            <span>SASL</span>
            <select
              value={draft.saslMechanism}
              onChange={(e) => onChange({ saslMechanism: e.target.value as BusDraft['saslMechanism'] })}
              aria-label="SASL mechanism"
              data-field="bus.kafka.sasl.mechanism"
            >
              <option value="none">None</option>
              <option value="plain">PLAIN</option>
              <option value="scram-sha-256">SCRAM-SHA-256</option>
              <option value="scram-sha-512">SCRAM-SHA-512</option>
            </select>
          </label>
          {draft.saslMechanism !== 'none' && (
            <>
              {field('bus.kafka.sasl.username', draft.username, (v) => onChange({ username: v }))}
              {field(
                'bus.kafka.sasl.password',
                draft.password,
                (v) => onChange({ password: v }),
                undefined,
                'password',
              )}
            </>
          )}
          <button type="button" onClick={runTest} disabled={test === 'testing'}>
            {test === 'testing' ? 'Testing Kafka…' : 'Test Kafka connection'}
          </button>
          {test && test !== 'testing' && (
            <p role="status" className={test.ok ? 'hint' : 'field-error wrap'} data-testid="kafka-test">
              {test.ok
                ? `Connected in ${test.tookMs} ms: ${test.brokers.length} broker${test.brokers.length === 1 ? '' : 's'} (${test.brokers.join(', ')}), controller ${test.controller ?? '–'}, ${test.topics.length} topic${test.topics.length === 1 ? '' : 's'}${test.topics.length ? `: ${test.topics.slice(0, 8).join(', ')}` : ''}`
                : test.error}
            </p>
          )}
        </>
      )}
    </fieldset>
  );
}

/** A labelled select over fixed choices (value → what the user reads). */
function Choice<V extends string>(props: {
  label: string;
  name: string;
  path: string;
  value: V;
  options: Record<V, string>;
  onChange: (value: V) => void;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <select
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as V)}
        aria-label={props.name}
        data-field={props.path}
      >
        {(Object.entries(props.options) as Array<[V, string]>).map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function Check(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-label={props.label}
      />
    </label>
  );
}
