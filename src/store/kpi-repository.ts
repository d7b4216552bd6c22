// The KPI items of sessions (issue 18, runtime-sessions.md §6): a customer message waiting for an operator's answer,
// at most one unanswered per session, with its deadline.

import type { Db } from './db.js';

export interface KpiItem {
  readonly id: number;
  readonly sessionId: number;
  readonly messageId: number;
  readonly first: boolean;
  readonly receivedMs: number;
  readonly expiredMs: number | null;
  readonly answeredMs: number | null;
  readonly notified: boolean;
}

type Row = {
  id: number;
  session_id: number;
  message_id: number;
  is_first: number;
  received_ms: number;
  expired_ms: number | null;
  answered_ms: number | null;
  notified: number;
};

const itemOf = (r: Row): KpiItem => ({
  id: Number(r.id),
  sessionId: Number(r.session_id),
  messageId: Number(r.message_id),
  first: Number(r.is_first) === 1,
  receivedMs: Number(r.received_ms),
  expiredMs: r.expired_ms === null ? null : Number(r.expired_ms),
  answeredMs: r.answered_ms === null ? null : Number(r.answered_ms),
  notified: Number(r.notified) === 1,
});

/** The session's latest item, or undefined when it has none. */
export async function lastKpiItem(db: Db, sessionId: number): Promise<KpiItem | undefined> {
  const row = await db
    .selectFrom('session_kpi_messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && itemOf(row);
}

/** Every item of the session, oldest first. */
export async function kpiItemsOf(db: Db, sessionId: number): Promise<KpiItem[]> {
  const rows = await db
    .selectFrom('session_kpi_messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .orderBy('id')
    .execute();
  return rows.map(itemOf);
}

export async function insertKpiItem(db: Db, item: Omit<KpiItem, 'id' | 'answeredMs' | 'notified'>): Promise<void> {
  await db
    .insertInto('session_kpi_messages')
    .values({
      session_id: item.sessionId,
      message_id: item.messageId,
      is_first: item.first ? 1 : 0,
      received_ms: item.receivedMs,
      expired_ms: item.expiredMs,
      answered_ms: null,
      notified: 0,
    })
    .execute();
}

/** Marks the session's unanswered item answered at `atMs`; true when there was one. */
export async function answerKpiItem(db: Db, sessionId: number, atMs: number): Promise<boolean> {
  const result = await db
    .updateTable('session_kpi_messages')
    .set({ answered_ms: atMs })
    .where('session_id', '=', sessionId)
    .where('answered_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The item is a first one again with a new deadline (transfer to a queue). */
export async function rearmKpiItem(db: Db, id: number, expiredMs: number | null): Promise<void> {
  await db
    .updateTable('session_kpi_messages')
    .set({ is_first: 1, expired_ms: expiredMs, notified: 0 })
    .where('id', '=', id)
    .execute();
}

export async function markKpiItemNotified(db: Db, id: number): Promise<void> {
  await db.updateTable('session_kpi_messages').set({ notified: 1 }).where('id', '=', id).execute();
}
