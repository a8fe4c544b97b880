import { useEffect, useEffectEvent, useRef, useState, type FormEvent } from 'react';
import { ProviderKeys } from './ProviderKeys.tsx';
import type { CommandOutput } from '../../../engine/api/contract.ts';
import { ApiCallError, type ApiClient } from '../api/client.ts';
import { busInput, KafkaSettings, toBusDraft, type BusDraft } from './KafkaSettings.tsx';
import { SETTINGS_LABELS, summaryLine } from './settings-fields.ts';

type Settings = CommandOutput<'settings.get'>;

interface Draft {
  source: Settings['source']['kind'];
  ticksPerSecond: string;
  seed: string;
  sessions: Settings['source']['simulator']['sessions'];
  replayFile: string;
  replaySymbol: string;
  replayColumns: string;
  yahooRegular: string;
  yahooClosed: string;
  yahooStreaming: boolean;
  outOfOrdernessMs: string;
  allowedLatenessMs: string;
  futureSkewMinutes: string;
  timeZones: string;
  theme: Settings['appearance']['theme'];
  tickRetentionDays: string;
  deadLetterRetentionDays: string;
  influx: InfluxDraft;
  bus: BusDraft;
}

type InfluxDraft = Pick<
  Settings['influx'],
  'enabled' | 'version' | 'url' | 'db' | 'rp' | 'user' | 'password' | 'org' | 'bucket' | 'token'
>;
type InfluxTest = CommandOutput<'influx.testConnection'>;

const toDraft = (s: Settings): Draft => ({
  source: s.source.kind,
  ticksPerSecond: String(s.source.simulator.ticksPerSecond),
  seed: String(s.source.simulator.seed),
  sessions: s.source.simulator.sessions,
  replayFile: s.source.replay.file,
  replaySymbol: s.source.replay.symbol ?? '',
  replayColumns: Object.entries(s.source.replay.columns ?? {})
    .map(([field, column]) => `${field}=${column}`)
    .join(', '),
  yahooRegular: String(s.source.yahoo.regularSeconds),
  yahooClosed: String(s.source.yahoo.closedSeconds),
  yahooStreaming: s.source.yahoo.streaming,
  outOfOrdernessMs: String(s.stream.outOfOrdernessMs),
  allowedLatenessMs: String(s.stream.allowedLatenessMs),
  futureSkewMinutes: String(s.stream.futureSkewMs / 60_000),
  timeZones: Object.entries(s.stream.timeZones)
    .map(([symbol, zone]) => `${symbol}=${zone}`)
    .join(', '),
  theme: s.appearance.theme,
  tickRetentionDays: String(s.storage.tickRetentionDays),
  deadLetterRetentionDays: String(s.storage.deadLetterRetentionDays),
  bus: toBusDraft(s.bus),
  influx: {
    enabled: s.influx.enabled,
    version: s.influx.version,
    url: s.influx.url,
    db: s.influx.db,
    rp: s.influx.rp,
    user: s.influx.user,
    password: s.influx.password,
    org: s.influx.org,
    bucket: s.influx.bucket,
    token: s.influx.token,
  },
});

/** The message for a field, or for an item of it (a list field's errors name the item: bus.kafka.brokers.1). */
const fieldError = (errors: Record<string, string>, path: string): string | undefined =>
  errors[path] ?? Object.entries(errors).find(([key]) => key.startsWith(`${path}.`))?.[1];

/** "a=b, c=d" as pairs; a pair without "=" reaches the schema as it is, with an empty value. */
const pairs = (text: string, key: (k: string) => string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(',')
      .map((pair) => pair.split('=').map((p) => p.trim()))
      .filter((parts) => parts[0])
      .map(([k, v]) => [key(k!), v ?? '']),
  );

/** "timestamp=Time, symbol=Ticker" as the mapping the schema checks. */
const columnMapping = (text: string): Record<string, string> => pairs(text, (field) => field.toLowerCase());

/** "VOD.L=Europe/London, 7203.T=Asia/Tokyo": symbols as the watchlist spells them (upper case). */
const timeZoneMapping = (text: string): Record<string, string> => pairs(text, (symbol) => symbol.toUpperCase());

/** Numbers typed by a person: empty or not a number stays text, so the schema names the problem. */
const num = (text: string): number | string =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;

/** The form asks for minutes, the setting is in milliseconds; text that is no number reaches the schema as it is. */
const minutesToMs = (text: string): number | string => {
  const value = num(text);
  return typeof value === 'number' ? Math.round(value * 60_000) : value;
};

interface Props {
  api: ApiClient;
  /** False while another view is shown: the view stays mounted so that unsaved changes stay too. */
  active?: boolean;
  onSaved?: (settings: Settings) => void;
}

/** Source and stream settings; the engine validates and answers with a message per field. */
export function SettingsView({ api, active = true, onSaved }: Props) {
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  /** Counts refused saves: each one takes the user to its first error. */
  const [refusals, setRefusals] = useState(0);
  const [busy, setBusy] = useState(false);
  const [influxTest, setInfluxTest] = useState<InfluxTest | 'testing' | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const dirty = saved !== null && draft !== null && JSON.stringify(draft) !== JSON.stringify(toDraft(saved));

  // Shown again without changes of its own: what is stored may have changed meanwhile (the
  // palette's theme switch), so it is read again; a draft with changes is kept as it is.
  const refresh = useEffectEvent(() => {
    if (dirty) return;
    api.call('settings.get', {}).then(
      (s) => {
        setSaved(s);
        setDraft(toDraft(s));
      },
      () => undefined,
    );
  });
  useEffect(() => {
    if (active) refresh();
  }, [api, active]);

  useEffect(() => {
    if (refusals === 0) return;
    const first =
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      form.current?.querySelector<HTMLElement>('.error-summary');
    first?.scrollIntoView({ block: 'center' });
    first?.focus({ preventScroll: true });
  }, [refusals]);

  if (!saved || !draft) return <section className="settings">Loading settings…</section>;
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const setInflux = (patch: Partial<InfluxDraft>) => set({ influx: { ...draft.influx, ...patch } });

  const testInflux = async () => {
    setInfluxTest('testing');
    try {
      setInfluxTest(await api.call('influx.testConnection', { ...saved.influx, ...draft.influx }));
    } catch (e) {
      setInfluxTest({ ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const input = {
      ...saved,
      source: {
        ...saved.source,
        kind: draft.source,
        simulator: { seed: num(draft.seed), ticksPerSecond: num(draft.ticksPerSecond), sessions: draft.sessions },
        replay: {
          // What this form has no field for (the bad-row limit, the zone) stays as saved.
          ...savedReplayRest(saved.source.replay),
          file: draft.replayFile,
          ...(draft.replaySymbol ? { symbol: draft.replaySymbol } : {}),
          ...(draft.replayColumns.trim() ? { columns: columnMapping(draft.replayColumns) } : {}),
        },
        yahoo: {
          ...saved.source.yahoo,
          regularSeconds: num(draft.yahooRegular),
          closedSeconds: num(draft.yahooClosed),
          streaming: draft.yahooStreaming,
        },
      },
      stream: {
        ...saved.stream,
        outOfOrdernessMs: num(draft.outOfOrdernessMs),
        allowedLatenessMs: num(draft.allowedLatenessMs),
        futureSkewMs: minutesToMs(draft.futureSkewMinutes),
        timeZones: timeZoneMapping(draft.timeZones),
      },
      appearance: { theme: draft.theme },
      storage: {
        tickRetentionDays: num(draft.tickRetentionDays),
        deadLetterRetentionDays: num(draft.deadLetterRetentionDays),
      },
      bus: busInput(saved.bus, draft.bus, num),
      influx: { ...saved.influx, ...draft.influx },
    };
    try {
      const next = await api.submit('settings.update', input);
      setSaved(next);
      setDraft(toDraft(next));
      setErrors({});
      onSaved?.(next);
    } catch (e) {
      setErrors(
        e instanceof ApiCallError
          ? { ...e.fields, ...(Object.keys(e.fields).length ? {} : { form: e.message }) }
          : { form: String(e) },
      );
      setRefusals((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const field = (
    path: string,
    value: string,
    onChange: (v: string) => void,
    hint?: string,
    type: 'text' | 'password' = 'text',
  ) => (
    <label className="field">
      <span>{SETTINGS_LABELS[path]}</span>
      <input
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!fieldError(errors, path)}
        aria-label={SETTINGS_LABELS[path]}
        data-field={path}
      />
      <small className={fieldError(errors, path) ? 'field-error' : 'hint'}>{fieldError(errors, path) ?? hint}</small>
    </label>
  );

  return (
    <section className="settings" aria-label="Settings">
      <form ref={form} onSubmit={save}>
        <fieldset>
          <legend>Source</legend>
          <label className="field">
            <span>Ticks come from</span>
            <select
              value={draft.source}
              onChange={(e) => set({ source: e.target.value as Draft['source'] })}
              aria-label="Source"
              data-field="source.kind"
            >
              <option value="simulator">Simulated market</option>
              <option value="replay">Replay of a CSV file</option>
              <option value="yahoo">Yahoo Finance live quotes (personal use)</option>
            </select>
          </label>
          {draft.source === 'simulator' ? (
            <>
              {field(
                'source.simulator.ticksPerSecond',
                draft.ticksPerSecond,
                (v) => set({ ticksPerSecond: v }),
                '1 to 100,000',
              )}
              {field(
                'source.simulator.seed',
                draft.seed,
                (v) => set({ seed: v }),
                'The same seed replays the same market',
              )}
              <label className="field">
                <span>Trading hours</span>
                <select
                  value={draft.sessions}
                  onChange={(e) => set({ sessions: e.target.value as Draft['sessions'] })}
                  aria-label="Trading hours"
                  data-field="source.simulator.sessions"
                >
                  <option value="continuous">Around the clock</option>
                  <option value="exchange">Exchange hours (New York)</option>
                </select>
                <small className={fieldError(errors, 'source.simulator.sessions') ? 'field-error' : 'hint'}>
                  {fieldError(errors, 'source.simulator.sessions') ??
                    'Exchange hours: 09:30–16:00 on weekdays, thin trading 04:00–09:30 and 16:00–20:00; no holiday calendar'}
                </small>
              </label>
            </>
          ) : draft.source === 'yahoo' ? (
            <>
              {field(
                'source.yahoo.regularSeconds',
                draft.yahooRegular,
                (v) => set({ yahooRegular: v }),
                'At least 2; Yahoo slows down clients that ask too often',
              )}
              {field('source.yahoo.closedSeconds', draft.yahooClosed, (v) => set({ yahooClosed: v }), 'At least 10')}
              <label className="field">
                <span>Stream live prices</span>
                <input
                  type="checkbox"
                  checked={draft.yahooStreaming}
                  onChange={(e) => set({ yahooStreaming: e.target.checked })}
                  aria-label="Stream live prices from Yahoo"
                />
                <small className="hint">Off: quotes are polled only, at the pace above</small>
              </label>
              <ProviderKeys api={api} />
            </>
          ) : (
            <>
              {field('source.replay.file', draft.replayFile, (v) => set({ replayFile: v }), 'A path on this computer')}
              {field(
                'source.replay.symbol',
                draft.replaySymbol,
                (v) => set({ replaySymbol: v }),
                'For a bar file, or a tick file of one symbol without a symbol column',
              )}
              {field(
                'source.replay.columns',
                draft.replayColumns,
                (v) => set({ replayColumns: v }),
                'For other CSVs: field=column, e.g. timestamp=Time, symbol=Ticker, price=Last, volume=Qty',
              )}
            </>
          )}
        </fieldset>
        <KafkaSettings
          api={api}
          saved={saved.bus}
          draft={draft.bus}
          onChange={(patch) => set({ bus: { ...draft.bus, ...patch } })}
          field={field}
        />
        <fieldset>
          <legend>Event time</legend>
          {field(
            'stream.outOfOrdernessMs',
            draft.outOfOrdernessMs,
            (v) => set({ outOfOrdernessMs: v }),
            'How late a tick may arrive before it counts as late',
          )}
          {field(
            'stream.allowedLatenessMs',
            draft.allowedLatenessMs,
            (v) => set({ allowedLatenessMs: v }),
            'Late ticks within this still amend their candle',
          )}
          {field(
            'stream.futureSkewMs',
            draft.futureSkewMinutes,
            (v) => set({ futureSkewMinutes: v }),
            'Ticks dated further ahead of this computer’s clock are refused as “from the future”',
          )}
          {field(
            'stream.timeZones',
            draft.timeZones,
            (v) => set({ timeZones: v }),
            'Where the feed is wrong: symbol=zone, e.g. VOD.L=Europe/London. Day candles start at its midnight',
          )}
        </fieldset>
        <fieldset>
          <legend>Storage</legend>
          {field(
            'storage.tickRetentionDays',
            draft.tickRetentionDays,
            (v) => set({ tickRetentionDays: v }),
            '0 keeps every tick. Candles, profiles and alerts are always kept',
          )}
          {field(
            'storage.deadLetterRetentionDays',
            draft.deadLetterRetentionDays,
            (v) => set({ deadLetterRetentionDays: v }),
            '0 keeps them all',
          )}
        </fieldset>
        <fieldset>
          <legend>Appearance</legend>
          <label className="field">
            <span>Theme</span>
            <select
              value={draft.theme}
              onChange={(e) => set({ theme: e.target.value as Draft['theme'] })}
              aria-label="Theme"
              data-field="appearance.theme"
            >
              <option value="system">Follow the system</option>
              <option value="dark">Dark</option>
              <option value="light">Light</option>
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>InfluxDB mirror</legend>
          <label className="field">
            <span>Mirror ticks and candles to InfluxDB</span>
            <input
              type="checkbox"
              checked={draft.influx.enabled}
              onChange={(e) => setInflux({ enabled: e.target.checked })}
              aria-label="Mirror to InfluxDB"
              data-field="influx.enabled"
            />
          </label>
          <label className="field">
            <span>API</span>
            <select
              value={draft.influx.version}
              onChange={(e) => setInflux({ version: e.target.value as InfluxDraft['version'] })}
              aria-label="InfluxDB API"
              data-field="influx.version"
            >
              <option value="1">InfluxDB 1.x (database)</option>
              <option value="2">InfluxDB 2.x (organization, bucket, token)</option>
            </select>
          </label>
          {field('influx.url', draft.influx.url, (v) => setInflux({ url: v }), 'For example http://127.0.0.1:8086')}
          {draft.influx.version === '1' ? (
            <>
              {field('influx.db', draft.influx.db, (v) => setInflux({ db: v }))}
              {field('influx.rp', draft.influx.rp, (v) => setInflux({ rp: v }), 'Empty: the default')}
              {field('influx.user', draft.influx.user, (v) => setInflux({ user: v }), 'Empty without authentication')}
              {field(
                'influx.password',
                draft.influx.password,
                (v) => setInflux({ password: v }),
                undefined,
                'password',
              )}
            </>
          ) : (
            <>
              {field('influx.org', draft.influx.org, (v) => setInflux({ org: v }))}
              {field('influx.bucket', draft.influx.bucket, (v) => setInflux({ bucket: v }))}
              {field('influx.token', draft.influx.token, (v) => setInflux({ token: v }), undefined, 'password')}
            </>
          )}
          {/* The name a screen reader hears is the text on the button (a speech user says what they see). */}
          <button type="button" onClick={testInflux} disabled={influxTest === 'testing'}>
            {influxTest === 'testing' ? 'Testing InfluxDB…' : 'Test InfluxDB connection'}
          </button>
          {influxTest && influxTest !== 'testing' && (
            <p role="status" className={influxTest.ok ? 'hint' : 'field-error'} data-testid="influx-test">
              {influxTest.message}
            </p>
          )}
        </fieldset>
        <div className="settings-actions">
          <ErrorSummary errors={errors} />
          {dirty && Object.keys(errors).length === 0 && <span className="hint">Unsaved changes</span>}
          {dirty && (
            <button
              type="button"
              className="link"
              onClick={() => {
                setDraft(toDraft(saved));
                setErrors({});
              }}
            >
              Discard changes
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** What kept the settings from being saved, each line a link to its field. */
function ErrorSummary({ errors }: { errors: Record<string, string> }) {
  const lines = Object.entries(errors).map(([path, message]) =>
    path === 'form' || path === '(input)' ? { field: undefined, where: '', message } : summaryLine(path, message),
  );
  if (lines.length === 0) return null;
  const focus = (field: string) => {
    const input = document.querySelector<HTMLElement>(`[data-field="${field}"]`);
    input?.scrollIntoView({ block: 'center' });
    input?.focus({ preventScroll: true });
  };
  return (
    <div className="error-summary" role="alert" tabIndex={-1} data-testid="settings-errors">
      <strong>
        {lines.length === 1
          ? 'Not saved: one setting needs a change'
          : `Not saved: ${lines.length} settings need a change`}
      </strong>
      <ul>
        {lines.map((line) => (
          <li key={`${line.where}${line.message}`}>
            {line.field ? (
              <button type="button" className="link" onClick={() => focus(line.field!)}>
                {line.where}
              </button>
            ) : (
              line.where && <span>{line.where}</span>
            )}
            {line.where ? ': ' : ''}
            {line.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The saved replay settings less those the form sets itself (an emptied symbol field clears it). */
function savedReplayRest(replay: Settings['source']['replay']) {
  const { file: _file, symbol: _symbol, columns: _columns, ...rest } = replay;
  return rest;
}
