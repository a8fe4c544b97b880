import { describe, expect, it } from 'vitest';
import { commands, type Handlers } from '../../engine/api/contract.ts';
import { dispatch } from '../../engine/api/dispatch.ts';
import { DEFAULT_SETTINGS } from '../../engine/domain/settings.ts';

/** Input is refused before any handler runs, so none is needed. */
const noHandlers = Object.fromEntries(Object.keys(commands).map((name) => [name, () => null])) as unknown as Handlers;

async function fieldsOf(name: string, input: unknown): Promise<Record<string, string>> {
  const result = await dispatch(noHandlers, name, input);
  if (result.ok) throw new Error('expected a refusal');
  return result.error.fields ?? {};
}

describe('messages of refused input', () => {
  it('say what a field needs in plain words, without zod’s “expected … received null”', async () => {
    const fields = await fieldsOf('settings.update', {
      ...DEFAULT_SETTINGS,
      stream: { ...DEFAULT_SETTINGS.stream, outOfOrdernessMs: null, allowedLatenessMs: -5 },
      storage: { ...DEFAULT_SETTINGS.storage, deadLetterRetentionDays: 1.5 },
      bus: { ...DEFAULT_SETTINGS.bus, partitions: 100_000 },
    });
    expect(fields).toMatchObject({
      'stream.outOfOrdernessMs': 'must be a number',
      'stream.allowedLatenessMs': 'at least 0',
      'storage.deadLetterRetentionDays': 'whole days',
    });
    expect(fields['bus.partitions']).toMatch(/^at most [\d,]+$/);
    for (const text of Object.values(fields)) expect(text).not.toMatch(/expected|received|>=|<=/);
  });

  it('keep the schema’s own message, and give an alert’s window in time, not milliseconds', async () => {
    const fields = await fieldsOf('alerts.add', { symbol: 'AAPL', kind: 'move-percent', threshold: 0, windowMs: 500 });
    expect(fields).toEqual({ threshold: 'must be above zero', windowMs: 'at least one second' });
  });
});
