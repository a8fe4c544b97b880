import type { CommandInput, CommandOutput } from '../../../../engine/api/contract.ts';

export type Rule = CommandOutput<'alerts.list'>[number];
export type Kind = Rule['kind'];
export type RuleInput = CommandInput<'alerts.add'>;

export const KINDS: Array<{ kind: Kind; label: string; unit: string }> = [
  { kind: 'price-above', label: 'Price above', unit: 'price' },
  { kind: 'price-below', label: 'Price below', unit: 'price' },
  { kind: 'move-percent', label: 'Moves by', unit: '%' },
  { kind: 'volume-spike', label: 'Volume spike', unit: '× average' },
  { kind: 'anomaly', label: 'Anomaly found', unit: '× detector threshold (1 = every anomaly)' },
];

const MINUTE = 60_000;
export const COOLDOWNS: Array<{ ms: number; label: string }> = [
  { ms: 0, label: 'Every time' },
  { ms: MINUTE, label: 'At most once a minute' },
  { ms: 5 * MINUTE, label: 'At most once in 5 minutes' },
  { ms: 15 * MINUTE, label: 'At most once in 15 minutes' },
  { ms: 60 * MINUTE, label: 'At most once an hour' },
  { ms: 24 * 60 * MINUTE, label: 'At most once a day' },
];
export const DEFAULT_COOLDOWN_MS = MINUTE;

export const cooldownLabel = (ms: number): string =>
  COOLDOWNS.find((c) => c.ms === ms)?.label ?? `At most once in ${Math.round(ms / MINUTE)} minutes`;

/** The alert form as typed: text until it is sent. */
export interface AlertDraft {
  symbol: string;
  kind: Kind;
  threshold: string;
  windowMinutes: string;
  cooldownMs: number;
}

export const emptyDraft = (symbol: string): AlertDraft => ({
  symbol,
  kind: 'price-above',
  threshold: '',
  windowMinutes: '5',
  cooldownMs: DEFAULT_COOLDOWN_MS,
});

export const draftOf = (rule: Rule): AlertDraft => ({
  symbol: rule.symbol,
  kind: rule.kind,
  threshold: String(rule.threshold),
  windowMinutes: String(rule.windowMs / MINUTE),
  cooldownMs: rule.cooldownMs,
});

/** The fields the form shows for a kind: only a % move has a time window. */
export const visibleFields = (kind: Kind): string[] => [
  'symbol',
  'threshold',
  ...(kind === 'move-percent' ? ['windowMs'] : []),
  'cooldownMs',
];

/**
 * The command input of a draft, or the errors the form can tell without asking the engine. The
 * window is sent only for a % move: a value left in the hidden field must not block other kinds.
 */
export function ruleInput(draft: AlertDraft): { input: RuleInput } | { errors: Record<string, string> } {
  const threshold = Number(draft.threshold);
  const input: RuleInput = {
    symbol: draft.symbol,
    kind: draft.kind,
    // Text that is not a number reaches the schema as it is, which names the problem.
    threshold: draft.threshold.trim() === '' || Number.isNaN(threshold) ? (draft.threshold as never) : threshold,
    cooldownMs: draft.cooldownMs,
  };
  if (draft.kind !== 'move-percent') return { input };
  const minutes = Number(draft.windowMinutes);
  if (draft.windowMinutes.trim() === '' || !Number.isFinite(minutes)) {
    return { errors: { windowMs: 'Enter the minutes as a number, for example 5' } };
  }
  return { input: { ...input, windowMs: Math.round(minutes * MINUTE) } };
}

/**
 * Errors the engine gave, split into those shown next to a visible field and the rest, shown above
 * the button as plain messages (a path such as "windowMs" means nothing to the user).
 */
export function splitErrors(
  errors: Record<string, string>,
  kind: Kind,
): { byField: Record<string, string>; others: string[] } {
  const visible = new Set(visibleFields(kind));
  const byField: Record<string, string> = {};
  const others: string[] = [];
  for (const [path, message] of Object.entries(errors)) {
    if (visible.has(path)) byField[path] = message;
    else others.push(path === 'windowMs' ? `Time window: ${message}` : message);
  }
  return { byField, others };
}
