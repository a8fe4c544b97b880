import type { AlertEvent, AlertRule } from '../domain/alert-rule.ts';
import type { SqliteDatabase } from './database.ts';

export class AlertRepo {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  rules(): AlertRule[] {
    const rows = this.db
      .prepare(
        'SELECT id, symbol, kind, threshold, window_ms AS windowMs, enabled, created_at AS createdAt FROM alert_rules ORDER BY id',
      )
      .all() as Array<Omit<AlertRule, 'enabled'> & { enabled: number }>;
    return rows.map((r) => ({ ...r, enabled: r.enabled === 1 }));
  }

  addRule(rule: Omit<AlertRule, 'id' | 'enabled' | 'createdAt'>, now = Date.now()): AlertRule {
    const id = Number(
      this.db
        .prepare('INSERT INTO alert_rules (symbol, kind, threshold, window_ms, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(rule.symbol, rule.kind, rule.threshold, rule.windowMs, now).lastInsertRowid,
    );
    return { ...rule, id, enabled: true, createdAt: now };
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
