import { describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../../engine/alerts/alert-evaluator.ts';
import { AlertRuleInputSchema, describeRule, type AlertRule } from '../../engine/domain/alert-rule.ts';
import type { Candle } from '../../engine/domain/candle.ts';
import type { Tick } from '../../engine/domain/tick.ts';

const rule = (over: Partial<AlertRule>): AlertRule => ({
  id: 1,
  symbol: 'AAPL',
  kind: 'price-above',
  threshold: 100,
  windowMs: 300_000,
  cooldownMs: 0,
  enabled: true,
  createdAt: 0,
  ...over,
});
const tick = (price: number, ts: number, symbol = 'AAPL'): Tick => ({
  symbol,
  ts,
  price,
  volume: 1,
  source: 'simulator',
});
const minute = (start: number, volume: number): Candle => ({
  symbol: 'AAPL',
  interval: '1m',
  start,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume,
  turnover: volume,
  trades: 1,
  buyVolume: 0,
  sellVolume: 0,
  openTs: start,
  closeTs: start,
});

describe('alert rules', () => {
  it('fires a price alert once when the line is crossed, and again only after crossing back', () => {
    const evaluator = new AlertEvaluator();
    const rules = [rule({})];
    const fired = [99, 101, 102, 99, 103].map((p, i) => evaluator.evaluate(rules, [tick(p, i)], []).length);
    expect(fired).toEqual([0, 1, 0, 0, 1]);
  });

  it('watches only its own symbol and stays quiet when disabled', () => {
    const evaluator = new AlertEvaluator();
    expect(evaluator.evaluate([rule({})], [tick(500, 1, 'MSFT')], [])).toEqual([]);
    expect(evaluator.evaluate([rule({ enabled: false })], [tick(500, 2)], [])).toEqual([]);
  });

  it('fires a price-below alert with the price as evidence', () => {
    const [firing] = new AlertEvaluator().evaluate([rule({ kind: 'price-below', threshold: 50 })], [tick(49.5, 7)], []);
    expect(firing).toMatchObject({ at: 7, value: 49.5 });
    expect(firing!.message).toContain('below 50');
  });

  it('fires a % move within its window, not for the same move spread over a longer time', () => {
    const moveRule = rule({ kind: 'move-percent', threshold: 5, windowMs: 60_000 });
    const fast = new AlertEvaluator();
    fast.evaluate([moveRule], [tick(100, 0)], []);
    const [firing] = fast.evaluate([moveRule], [tick(106, 30_000)], []);
    expect(firing?.value).toBeCloseTo(6, 9);
    const slow = new AlertEvaluator();
    slow.evaluate([moveRule], [tick(100, 0)], []);
    slow.evaluate([moveRule], [tick(103, 50_000)], []);
    expect(slow.evaluate([moveRule], [tick(106, 120_000)], [])).toEqual([]); // 3% within the last minute
  });

  it('fires a volume spike against the average of the previous minutes, once per minute', () => {
    const spikeRule = rule({ kind: 'volume-spike', threshold: 3 });
    const evaluator = new AlertEvaluator();
    for (let m = 0; m < 20; m++) expect(evaluator.evaluate([spikeRule], [], [minute(m * 60_000, 100)])).toEqual([]);
    const [firing] = evaluator.evaluate([spikeRule], [], [minute(20 * 60_000, 350)]);
    expect(firing?.value).toBeCloseTo(3.5, 9);
    expect(evaluator.evaluate([spikeRule], [], [minute(20 * 60_000, 400)])).toEqual([]);
  });

  it('refuses rules that cannot mean anything, naming the field', () => {
    const zero = AlertRuleInputSchema.safeParse({ symbol: 'AAPL', kind: 'price-above', threshold: 0 });
    expect(zero.error?.issues[0]).toMatchObject({ path: ['threshold'], message: 'must be above zero' });
    const spike = AlertRuleInputSchema.safeParse({ symbol: 'AAPL', kind: 'volume-spike', threshold: 0.5 });
    expect(spike.error?.issues[0]?.path).toEqual(['threshold']);
    expect(AlertRuleInputSchema.safeParse({ symbol: 'bad one', kind: 'price-above', threshold: 1 }).success).toBe(
      false,
    );
  });
});

describe('alert cooldown', () => {
  // A 0.05 % rule on a symbol ticking 20 times a second: the user's report had 69 firings in 35 s.
  const busyTicks = Array.from({ length: 700 }, (_, i) => tick(100 * (1 + 0.0006 * (i % 2)), i * 50));
  const moveRule = rule({ kind: 'move-percent', threshold: 0.05, windowMs: 60_000 });
  const firingsOf = (r: AlertRule) => {
    const evaluator = new AlertEvaluator();
    return busyTicks.flatMap((t) => evaluator.evaluate([r], [t], []));
  };

  it('fires a rule with no cooldown at every occurrence', () => {
    expect(firingsOf(moveRule).length).toBeGreaterThan(100);
  });

  it('keeps a rule quiet for its cooldown after it fired, by event time', () => {
    const firings = firingsOf({ ...moveRule, cooldownMs: 10_000 });
    // 35 s of ticks: at 0 s (the first move), 10 s, 20 s and 30 s.
    expect(firings.map((f) => Math.floor(f.at / 10_000))).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < firings.length; i++) expect(firings[i]!.at - firings[i - 1]!.at).toBeGreaterThanOrEqual(10_000);
  });

  it('gives new rules a one-minute cooldown unless told otherwise, and accepts 0', () => {
    const parsed = AlertRuleInputSchema.parse({ symbol: 'AAPL', kind: 'move-percent', threshold: 0.05 });
    expect(firingsOf({ ...moveRule, cooldownMs: parsed.cooldownMs })).toHaveLength(1);
    expect(
      AlertRuleInputSchema.parse({ symbol: 'AAPL', kind: 'price-above', threshold: 1, cooldownMs: 0 }).cooldownMs,
    ).toBe(0);
    expect(
      AlertRuleInputSchema.safeParse({ symbol: 'AAPL', kind: 'price-above', threshold: 1, cooldownMs: -1 }).success,
    ).toBe(false);
  });

  it('applies to anomaly rules too, and a forgotten (edited) rule starts afresh', () => {
    const evaluator = new AlertEvaluator();
    const anomalyRule = rule({ kind: 'anomaly', threshold: 1, cooldownMs: 60_000 });
    const anomaly = (start: number) => ({
      symbol: 'AAPL',
      interval: '1m' as const,
      start,
      kind: 'volume-spike' as const,
      value: 9,
      threshold: 3,
      baseline: 100,
      window: 20,
      message: 'spike',
    });
    expect(
      evaluator.onAnomalies([anomalyRule], [anomaly(0), anomaly(30_000), anomaly(60_000)]).map((f) => f.at),
    ).toEqual([0, 60_000]);
    evaluator.forget(anomalyRule.id);
    expect(evaluator.onAnomalies([anomalyRule], [anomaly(90_000)])).toHaveLength(1);
  });
});

describe('anomaly alerts', () => {
  const anomaly = (value: number, symbol = 'AAPL') => ({
    symbol,
    interval: '1m' as const,
    start: 60_000,
    kind: 'volume-spike' as const,
    value,
    threshold: 3,
    baseline: 100,
    window: 20,
    message: `${symbol} traded ${value}x its 20-bar average volume`,
  });

  it('fire on anomalies of their symbol as strong as the rule asks, with the anomaly’s own message', () => {
    const evaluator = new AlertEvaluator();
    const every = rule({ id: 1, kind: 'anomaly', threshold: 1 });
    const strong = rule({ id: 2, kind: 'anomaly', threshold: 3 });
    const other = rule({ id: 3, kind: 'anomaly', threshold: 1, symbol: 'MSFT' });
    const firings = evaluator.onAnomalies([every, strong, other], [anomaly(4), anomaly(12)]);
    expect(firings.map((f) => [f.rule.id, f.value])).toEqual([
      [1, 4],
      [1, 12],
      [2, 12],
    ]);
    expect(firings[0]!.message).toBe('AAPL traded 4x its 20-bar average volume');
    // Ticks and candles alone never fire an anomaly rule.
    expect(evaluator.evaluate([every], [tick(1_000, 1)], [minute(0, 1e9)])).toEqual([]);
  });

  it('refuse a multiple under 1', () => {
    expect(AlertRuleInputSchema.safeParse({ symbol: 'AAPL', kind: 'anomaly', threshold: 0.5 }).success).toBe(false);
  });
});

describe('describeRule (the words the alerts view lists a rule by)', () => {
  const rule = (kind: AlertRule['kind'], threshold: number) => ({ symbol: 'AAPL', kind, threshold, windowMs: 300_000 });

  it('says what each kind watches, with its threshold', () => {
    expect(describeRule(rule('price-above', 200))).toBe('AAPL trades above 200');
    expect(describeRule(rule('price-below', 150))).toBe('AAPL trades below 150');
    expect(describeRule(rule('move-percent', 2))).toBe('AAPL moves 2% within 5 min');
    expect(describeRule(rule('volume-spike', 3))).toBe('AAPL trades 3× its average minute volume');
    expect(describeRule(rule('anomaly', 1))).toBe('Any anomaly of AAPL');
    expect(describeRule(rule('anomaly', 2))).toBe('An anomaly of AAPL at 2× the detector’s threshold');
  });
});
