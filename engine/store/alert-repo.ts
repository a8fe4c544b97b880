import { DEFAULT_ALERT_COOLDOWN_MS, type AlertEvent, type AlertRule } from '../domain/alert-rule.ts';
import type { SqliteDatabase } from './database.ts';

/** What a user sets on a rule; the cooldown falls back to the default. */
type RuleFields = Omit<AlertRule, 'id' | 'enabled' | 'createdAt' | 'cooldownMs'> & { cooldownMs?: number };

export class AlertRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  rules(): AlertRule[] {
    const rows = this.db
      .prepare(
        'SELECT id, symbol, kind, threshold, window_ms AS windowMs, cooldown_ms AS cooldownMs, enabled, created_at AS createdAt FROM alert_rules ORDER BY id',
      )
      .all() as Array<Omit<AlertRule, 'enabled'> & { enabled: number }>;
    return rows.map((r) => ({ ...r, enabled: r.enabled === 1 }));
  }

  addRule(rule: RuleFields, now = Date.now()): AlertRule {
    const cooldownMs = rule.cooldownMs ?? DEFAULT_ALERT_COOLDOWN_MS;
    const id = Number(
      this.db
        .prepare(
          'INSERT INTO alert_rules (symbol, kind, threshold, window_ms, cooldown_ms, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(rule.symbol, rule.kind, rule.threshold, rule.windowMs, cooldownMs, now).lastInsertRowid,
    );
    return { ...rule, cooldownMs, id, enabled: true, createdAt: now };
  }

  /** Changes what a rule watches; its id, history and on/off state stay. False when there is no such rule. */
  updateRule(id: number, rule: RuleFields): boolean {
    return (
      this.db
        .prepare(
          'UPDATE alert_rules SET symbol = ?, kind = ?, threshold = ?, window_ms = ?, cooldown_ms = ? WHERE id = ?',
        )
        .run(rule.symbol, rule.kind, rule.threshold, rule.windowMs, rule.cooldownMs ?? DEFAULT_ALERT_COOLDOWN_MS, id)
        .changes > 0
    );
  }

  setEnabled(id: number, enabled: boolean): boolean {
    return this.db.prepare('UPDATE alert_rules SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id).changes > 0;
  }

  removeRule(id: number): boolean {
    return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  record(event: Omit<AlertEvent, 'id'>): AlertEvent {
    const id = Number(
      this.db
        .prepare('INSERT INTO alert_events (rule_id, symbol, at, value, message) VALUES (?, ?, ?, ?, ?)')
        .run(event.ruleId, event.symbol, event.at, event.value, event.message).lastInsertRowid,
    );
    return { ...event, id };
  }

  history(limit: number): AlertEvent[] {
    return this.db
      .prepare('SELECT id, rule_id AS ruleId, symbol, at, value, message FROM alert_events ORDER BY id DESC LIMIT ?')
      .all(limit) as AlertEvent[];
  }
}
