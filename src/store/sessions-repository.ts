// The session engine's rows (issue 17): a session's state, the operators it is offered to, the per-line time an
// operator was last offered a session (evenly), the load per operator (MAX_CHAT), and the session alarms — one
// row per (session, kind), claimed with a lease when due.

import { sql } from 'kysely';
import type { Session, SessionState } from '../domain/dialogs/session.js';
import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';
import { sessionOf } from './dialogs-repository.js';

/** The session, locked until the transaction ends (every change to one session takes turns). */
export async function lockSession(db: Db, id: number): Promise<Session | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const row = await capabilitiesOf(db)
    .forUpdate(db.selectFrom('sessions').selectAll().where('id', '=', id))
    .executeTakeFirst();
  return row && sessionOf(row);
}

export async function saveSessionState(db: Db, id: number, state: SessionState, stamp: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({
      status: state.status,
      operator_id: state.operatorId,
      closed: state.closed ? 1 : 0,
      closed_at: state.closedAt,
      wait_answer: state.waitAnswer ? 1 : 0,
      wait_action: state.waitAction ? 1 : 0,
      pause: state.pinned ? 1 : 0,
      spam: state.spam ? 1 : 0,
      undistributed: state.undistributed ? 1 : 0,
      queue_history: JSON.stringify(state.queueHistory),
      date_operator: state.dateOperator,
      date_operator_answer: state.dateOperatorAnswer,
      date_first_answer: state.dateFirstAnswer,
      date_last_message: state.dateLastMessage,
      message_count: state.messageCount,
      send_no_answer_text: state.sendNoAnswerText ? 1 : 0,
      close_reason: state.closeReason,
      wait_vote: state.waitVote ? 1 : 0,
      vote: state.vote,
      vote_head: state.voteHead,
      comment_head: state.commentHead,
      date_close_vote: state.dateCloseVote,
      modified_at: stamp,
    })
    .where('id', '=', id)
    .execute();
}

// ---- Offers: the operators a waiting session is shown to (the reference's fake relations).

export async function offersOf(db: Db, sessionId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('session_offers')
    .select('user_id')
    .where('session_id', '=', sessionId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => Number(r.user_id));
}

export async function setOffers(db: Db, sessionId: number, userIds: readonly number[]): Promise<void> {
  await db.deleteFrom('session_offers').where('session_id', '=', sessionId).execute();
  if (userIds.length === 0) return;
  await db
    .insertInto('session_offers')
    .values(userIds.map((user_id) => ({ session_id: sessionId, user_id })))
    .execute();
}

/** True when the session is offered to the user. */
export async function isOfferedTo(db: Db, sessionId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('session_offers')
    .select('user_id')
    .where('session_id', '=', sessionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

// ---- Load and history for distribution.

/**
 * Per operator, the line's open sessions they hold with a status below `statusBelow` (MAX_CHAT's count by
 * TYPE_MAX_CHAT), offered-but-not-taken ones included.
 */
export async function busyCounts(
  db: Db,
  lineId: number,
  userIds: readonly number[],
  statusBelow: number,
): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  if (userIds.length === 0) return result;
  const rows = await db
    .selectFrom('sessions')
    .select(['operator_id', (eb) => eb.fn.countAll().as('n')])
    .where('line_id', '=', lineId)
    .where('closed', '=', 0)
    .where('status', '<', statusBelow)
    .where('operator_id', 'in', [...userIds])
    .groupBy('operator_id')
    .execute();
  for (const row of rows) result.set(Number(row.operator_id), Number(row.n));
  return result;
}

/** When each operator was last offered a session of the line (evenly); absent: never. */
export async function lastOffered(db: Db, lineId: number, userIds: readonly number[]): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  if (userIds.length === 0) return result;
  const rows = await db
    .selectFrom('operator_line_activity')
    .select(['user_id', 'last_offered_ms'])
    .where('line_id', '=', lineId)
    .where('user_id', 'in', [...userIds])
    .execute();
  for (const row of rows) result.set(Number(row.user_id), Number(row.last_offered_ms));
  return result;
}

export async function stampOffered(db: Db, lineId: number, userId: number, atMs: number): Promise<void> {
  await db
    .insertInto('operator_line_activity')
    .values({ line_id: lineId, user_id: userId, last_offered_ms: atMs })
    .onConflict((oc) => oc.columns(['line_id', 'user_id']).doUpdateSet({ last_offered_ms: atMs }))
    .execute();
}

/** The line's open sessions without an operator that the last distribution left undistributed, oldest first. */
export async function waitingSessionIds(
  db: Db,
  lineId: number,
  filter: { readonly undistributedOnly: boolean; readonly limit: number },
): Promise<number[]> {
  let query = db
    .selectFrom('sessions')
    .select('id')
    .where('line_id', '=', lineId)
    .where('closed', '=', 0)
    .where('wait_answer', '=', 1)
    .where('status', '<', 10);
  if (filter.undistributedOnly) query = query.where('undistributed', '=', 1);
  const rows = await query.orderBy('id').limit(filter.limit).execute();
  return rows.map((r) => Number(r.id));
}

/** The lines whose expanded queue holds the user. */
export async function linesOfOperator(db: Db, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('line_queue')
    .select('line_id')
    .distinct()
    .where('user_id', '=', userId)
    .orderBy('line_id')
    .execute();
  return rows.map((r) => Number(r.line_id));
}

/** The line's open sessions, oldest first. */
export async function openSessionsOfLine(db: Db, lineId: number): Promise<Session[]> {
  const rows = await db
    .selectFrom('sessions')
    .selectAll()
    .where('line_id', '=', lineId)
    .where('closed', '=', 0)
    .orderBy('id')
    .execute();
  return rows.map(sessionOf);
}

/** Open sessions the user holds or is offered, on every line (presence changes requeue them). */
export async function sessionsOfOperator(db: Db, userId: number): Promise<Session[]> {
  const rows = await db
    .selectFrom('sessions')
    .selectAll()
    .where('closed', '=', 0)
    .where((eb) =>
      eb.or([
        eb('operator_id', '=', userId),
        eb.exists(
          eb
            .selectFrom('session_offers')
            .select('session_offers.session_id')
            .whereRef('session_offers.session_id', '=', 'sessions.id')
            .where('session_offers.user_id', '=', userId),
        ),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map(sessionOf);
}

// ---- Alarms: the session timers.

export type AlarmKind = 'queue' | 'no_answer' | 'close' | 'kpi';

/** Sets (or moves) the session's alarm of this kind; a claimed one is released. */
export async function setAlarm(db: Db, sessionId: number, kind: AlarmKind, dueAtMs: number): Promise<void> {
  await db
    .insertInto('session_alarms')
    .values({ session_id: sessionId, kind, due_at_ms: dueAtMs, claimed_by: null, claimed_until_ms: null })
    .onConflict((oc) =>
      oc.columns(['session_id', 'kind']).doUpdateSet({ due_at_ms: dueAtMs, claimed_by: null, claimed_until_ms: null }),
    )
    .execute();
}

export async function clearAlarm(db: Db, sessionId: number, kind: AlarmKind): Promise<void> {
  await db.deleteFrom('session_alarms').where('session_id', '=', sessionId).where('kind', '=', kind).execute();
}

export async function clearAlarms(db: Db, sessionId: number): Promise<void> {
  await db.deleteFrom('session_alarms').where('session_id', '=', sessionId).execute();
}

export async function alarmsOf(db: Db, sessionId: number): Promise<Map<AlarmKind, number>> {
  const rows = await db
    .selectFrom('session_alarms')
    .select(['kind', 'due_at_ms'])
    .where('session_id', '=', sessionId)
    .execute();
  return new Map(rows.map((r) => [r.kind as AlarmKind, Number(r.due_at_ms)]));
}

export interface ClaimedAlarm {
  readonly sessionId: number;
  readonly kind: AlarmKind;
  readonly dueAtMs: number;
}

/** The order alarms of one moment run in (DECISIONS.md): queue, then no-answer, then close, then KPI. */
const KIND_ORDER = sql<number>`case kind when 'queue' then 0 when 'no_answer' then 1 when 'kpi' then 3 else 2 end`;

/**
 * Claims up to `limit` due alarms (not claimed, or whose claim expired) for `node`, earliest first, then by kind
 * order and session id; other servers skip the locked rows.
 */
export async function claimDueAlarms(
  db: Db,
  claim: { readonly node: string; readonly nowMs: number; readonly leaseUntilMs: number; readonly limit: number },
): Promise<ClaimedAlarm[]> {
  const due = await capabilitiesOf(db)
    .skipLocked(
      db
        .selectFrom('session_alarms')
        .select(['session_id', 'kind', 'due_at_ms'])
        .where('due_at_ms', '<=', claim.nowMs)
        .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', claim.nowMs)]))
        .orderBy('due_at_ms')
        .orderBy(KIND_ORDER)
        .orderBy('session_id')
        .limit(claim.limit),
    )
    .execute();
  // One statement for the lot (issue 20: it was one per alarm).
  if (due.length > 0) {
    await db
      .updateTable('session_alarms')
      .set({ claimed_by: claim.node, claimed_until_ms: claim.leaseUntilMs })
      .where((eb) =>
        eb.or(due.map((row) => eb.and([eb('session_id', '=', row.session_id), eb('kind', '=', row.kind)]))),
      )
      .execute();
  }
  return due.map((row) => ({
    sessionId: Number(row.session_id),
    kind: row.kind as AlarmKind,
    dueAtMs: Number(row.due_at_ms),
  }));
}

/**
 * Takes the claimed alarm for its handler in one statement (issue 20): removes it and answers true only while it
 * is still due when claimed and still this node's claim; false (and left alone) when it is gone, was moved to
 * another time, or another server took it over — then the handler does nothing (an alarm acts once). The delete's
 * row lock orders it after the chat's and the session's, as every change to a session is ordered.
 */
export async function takeClaimedAlarm(db: Db, alarm: ClaimedAlarm, node: string): Promise<boolean> {
  const rows = await db
    .deleteFrom('session_alarms')
    .where('session_id', '=', alarm.sessionId)
    .where('kind', '=', alarm.kind)
    .where('due_at_ms', '=', alarm.dueAtMs)
    .where('claimed_by', '=', node)
    .returning('session_id')
    .execute();
  return rows.length > 0;
}

/** The earliest alarm due after now (not claimed), or null. */
export async function nextAlarmDueMs(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('session_alarms')
    .select((eb) => eb.fn.min('due_at_ms').as('due'))
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}
