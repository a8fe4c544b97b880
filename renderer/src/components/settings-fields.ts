/** Each settings field by its path in the settings object: the label the form shows for it. */
export const SETTINGS_LABELS: Readonly<Record<string, string>> = {
  'source.kind': 'Ticks come from',
  'source.simulator.ticksPerSecond': 'Ticks per second',
  'source.simulator.seed': 'Seed',
  'source.simulator.sessions': 'Trading hours',
  'source.yahoo.regularSeconds': 'Seconds between quotes, market open',
  'source.yahoo.closedSeconds': 'Seconds between quotes, market closed',
  'source.replay.file': 'CSV file',
  'source.replay.symbol': 'Symbol',
  'source.replay.columns': 'Column names',
  'bus.kind': 'Ticks travel through',
  'bus.kafka.brokers': 'Brokers',
  'bus.topic': 'Topic',
  'bus.partitions': 'Partitions',
  'bus.kafka.groupId': 'Consumer group',
  'bus.kafka.candleTopicPrefix': 'Candle topics',
  'bus.kafka.tlsCaFile': 'Certificate authority',
  'bus.kafka.sasl.mechanism': 'SASL',
  'bus.kafka.sasl.username': 'User name',
  'bus.kafka.sasl.password': 'Password',
  'stream.outOfOrdernessMs': 'Out-of-orderness (ms)',
  'stream.allowedLatenessMs': 'Allowed lateness (ms)',
  'stream.futureSkewMs': 'Future tolerance (minutes)',
  'stream.timeZones': 'Exchange time zones',
  'storage.tickRetentionDays': 'Keep raw ticks (days)',
  'storage.deadLetterRetentionDays': 'Keep refused messages (days)',
  'appearance.theme': 'Theme',
  'influx.enabled': 'Mirror to InfluxDB',
  'influx.version': 'API',
  'influx.url': 'Address',
  'influx.db': 'Database',
  'influx.rp': 'Retention policy',
  'influx.user': 'User',
  'influx.password': 'Password',
  'influx.org': 'Organization',
  'influx.bucket': 'Bucket',
  'influx.token': 'API token',
};

const SECTIONS: Readonly<Record<string, string>> = {
  source: 'Source',
  bus: 'Message bus',
  stream: 'Event time',
  storage: 'Storage',
  appearance: 'Appearance',
  influx: 'InfluxDB mirror',
};

/**
 * The field an error's path belongs to: itself, or the list field of one of its items
 * ("bus.kafka.brokers.1" is the Brokers field). Undefined for a path the form has no field for.
 */
export function fieldOf(path: string): string | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (SETTINGS_LABELS[candidate]) return candidate;
  }
  return undefined;
}

/** One line of the error summary: where (the section and the field's label) and what, without a schema path. */
export function summaryLine(
  path: string,
  message: string,
): { field: string | undefined; where: string; message: string } {
  const field = fieldOf(path);
  const section = SECTIONS[path.split('.')[0]!];
  const label = field ? SETTINGS_LABELS[field] : undefined;
  const where = [section, label].filter(Boolean).join(' › ') || 'Settings';
  return { field, where, message };
}
