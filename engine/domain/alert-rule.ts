import { z } from 'zod';
import { SymbolSchema } from './symbol.ts';

export const AlertKindSchema = z.enum(['price-above', 'price-below', 'move-percent', 'volume-spike', 'anomaly']);
export type AlertKind = z.infer<typeof AlertKindSchema>;

/** How long a rule stays quiet after it fired, unless the user chose otherwise: one minute bar. */
export const DEFAULT_ALERT_COOLDOWN_MS = 60_000;

/** The fields of a rule; the checks across fields are added by `withRuleChecks`. */
const AlertRuleFields = z
  .object({
    symbol: SymbolSchema,
    kind: AlertKindSchema,
    threshold: z.number().finite().positive('must be above zero'),
    windowMs: z
      .number()
      .int()
      .min(1_000, 'at least one second')
      .max(86_400_000, 'at most one day (1,440 minutes)')
      .default(300_000),
    /** After firing, the rule stays quiet for this long (event time); 0 fires on every occurrence. */
    cooldownMs: z
      .number()
      .int()
      .min(0, 'zero or more')
      .max(86_400_000, 'at most one day')
      .default(DEFAULT_ALERT_COOLDOWN_MS),
  })
  .strict();

function withRuleChecks<T extends z.ZodType<{ kind: AlertKind; threshold: number }>>(schema: T) {
  return schema
    .refine((r) => r.kind !== 'volume-spike' || r.threshold > 1, {
      message: 'a volume spike is a multiple of the average volume, above 1',
      path: ['threshold'],
    })
    .refine((r) => r.kind !== 'anomaly' || r.threshold >= 1, {
      message: 'an anomaly alert is a multiple of the detector’s own threshold: 1 for every anomaly, or more',
      path: ['threshold'],
    });
}

/** What a user asks to be told about. `windowMs` matters to % moves. */
export const AlertRuleInputSchema = withRuleChecks(AlertRuleFields);

/** An existing rule, changed: the same fields as a new one, and its id. */
export const AlertRuleEditSchema = withRuleChecks(AlertRuleFields.extend({ id: z.number().int() }));

export type AlertRuleInput = z.input<typeof AlertRuleInputSchema>;
export type AlertRuleEdit = z.input<typeof AlertRuleEditSchema>;

/** A stored rule, as the store reads it and the contract carries it. */
export const AlertRuleSchema = z.object({
  id: z.number(),
  symbol: z.string(),
  kind: AlertKindSchema,
  threshold: z.number(),
  windowMs: z.number(),
  cooldownMs: z.number(),
  enabled: z.boolean(),
  createdAt: z.number(),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

/** One firing of a rule. */
export const AlertEventSchema = z.object({
  id: z.number(),
  ruleId: z.number(),
  symbol: z.string(),
  at: z.number(),
  value: z.number(),
  message: z.string(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;

/** The rule in words, as the alerts view lists it. */
export function describeRule(rule: Pick<AlertRule, 'symbol' | 'kind' | 'threshold' | 'windowMs'>): string {
  switch (rule.kind) {
    case 'price-above':
      return `${rule.symbol} trades above ${rule.threshold}`;
    case 'price-below':
      return `${rule.symbol} trades below ${rule.threshold}`;
    case 'move-percent':
      return `${rule.symbol} moves ${rule.threshold}% within ${Math.round(rule.windowMs / 60_000)} min`;
    case 'volume-spike':
      return `${rule.symbol} trades ${rule.threshold}× its average minute volume`;
    case 'anomaly':
      return rule.threshold === 1
        ? `Any anomaly of ${rule.symbol}`
        : `An anomaly of ${rule.symbol} at ${rule.threshold}× the detector’s threshold`;
  }
}
