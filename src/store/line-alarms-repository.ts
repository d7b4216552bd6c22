// A line's stored timers (line_alarms): set in the transaction that makes them, found when due, and locked by
// the transaction that acts on one, so that with several servers each acts once.

import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';

export type LineAlarmKind = 'temporary_delete';

export interface DueLineAlarm {
  readonly lineId: number;
  readonly kind: LineAlarmKind;
  readonly dueAtMs: number;
}

/** Sets (or moves) the line's alarm of this kind. */
export async function setLineAlarm(db: Db, lineId: number, kind: LineAlarmKind, dueAtMs: number): Promise<void> {
  await db
    .insertInto('line_alarms')
    .values({ line_id: lineId, kind, due_at_ms: dueAtMs })
    .onConflict((oc) => oc.columns(['line_id', 'kind']).doUpdateSet({ due_at_ms: dueAtMs }))
    .execute();
}

export async function clearLineAlarm(db: Db, lineId: number, kind: LineAlarmKind): Promise<void> {
  await db.deleteFrom('line_alarms').where('line_id', '=', lineId).where('kind', '=', kind).execute();
}

/** Up to `limit` alarms due at `nowMs`, earliest first. */
export async function dueLineAlarms(db: Db, nowMs: number, limit: number): Promise<DueLineAlarm[]> {
  const rows = await db
    .selectFrom('line_alarms')
    .select(['line_id', 'kind', 'due_at_ms'])
    .where('due_at_ms', '<=', nowMs)
    .orderBy('due_at_ms')
    .orderBy('line_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    lineId: Number(row.line_id),
    kind: row.kind as LineAlarmKind,
    dueAtMs: Number(row.due_at_ms),
  }));
}

/**
 * Locks the alarm for the transaction acting on it: false when it is gone or was moved (another server acted
 * first, or the line changed) — then nothing is done.
 */
export async function lockLineAlarm(db: Db, alarm: DueLineAlarm): Promise<boolean> {
  const row = await capabilitiesOf(db)
    .forUpdate(
      db
        .selectFrom('line_alarms')
        .select('due_at_ms')
        .where('line_id', '=', alarm.lineId)
        .where('kind', '=', alarm.kind),
    )
    .executeTakeFirst();
  return row !== undefined && Number(row.due_at_ms) === alarm.dueAtMs;
}

/** The earliest alarm's due time, or null. */
export async function nextLineAlarmDueMs(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('line_alarms')
    .select((eb) => eb.fn.min('due_at_ms').as('due'))
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}
