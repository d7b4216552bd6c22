// What the operators' methods need beyond the engine's rows (issue 17, runtime-sessions.md §7): the members who
// joined a session's chat, a session moved to another line, the operator's sessions for pinAll/unpinAll, the
// v2 observation lists (Appendix A), filtered and ordered (the caller pages).

import type { Session } from '../domain/dialogs/session.js';
import type { Db } from './db.js';
import { sessionOf } from './dialogs-repository.js';

// ---- Members of a session's chat (session.join): they act in the chat while the session is open.

export async function addMember(db: Db, sessionId: number, userId: number): Promise<void> {
  await db
    .insertInto('session_members')
    .values({ session_id: sessionId, user_id: userId })
    .onConflict((oc) => oc.columns(['session_id', 'user_id']).doNothing())
    .execute();
}

export async function isMember(db: Db, sessionId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('session_members')
    .select('user_id')
    .where('session_id', '=', sessionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function membersOf(db: Db, sessionId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('session_members')
    .select('user_id')
    .where('session_id', '=', sessionId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => Number(r.user_id));
}

/** Every member leaves but `keep` (a transfer empties the chat; the new owner stays). */
export async function removeMembers(db: Db, sessionId: number, keep: readonly number[] = []): Promise<void> {
  let query = db.deleteFrom('session_members').where('session_id', '=', sessionId);
  if (keep.length > 0) query = query.where('user_id', 'not in', [...keep]);
  await query.execute();
}

/** The session now follows another line's configuration (operator.transfer to a line). */
export async function moveSessionToLine(db: Db, sessionId: number, lineId: number): Promise<void> {
  await db.updateTable('sessions').set({ line_id: lineId }).where('id', '=', sessionId).execute();
}

/** The operator's open sessions with 10 <= status < 50 and the given pin state (pinAll / unpinAll), by id. */
export async function pinnableSessionIds(db: Db, userId: number, pinned: boolean): Promise<number[]> {
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('operator_id', '=', userId)
    .where('closed', '=', 0)
    .where('wait_answer', '=', 0)
    .where('status', '>=', 10)
    .where('status', '<', 50)
    .where('pause', '=', pinned ? 1 : 0)
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => Number(r.id));
}

/** The chat's newest session by id (session.history.get by CHAT_ID). */
export async function newestSessionOfChat(db: Db, chatId: number): Promise<Session | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('chat_id', '=', chatId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && sessionOf(row);
}

// ---- v2 observation lists (Appendix A).

export interface SessionListQuery {
  readonly lineIds?: readonly number[];
  readonly operatorIds?: readonly number[];
  /** Sessions this user holds or is offered (the reference's access: operator or a recent-table row, §0). */
  readonly visibleTo?: number;
  readonly sources?: readonly string[];
  /** The v2 string status (runtime-sessions.md §1.1). */
  readonly state?: 'new' | 'answered' | 'closed' | 'spam' | 'paused';
  readonly closeReason?: string;
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly closedFrom?: string;
  readonly closedTo?: string;
  readonly order: 'created_at' | 'closed_at';
  readonly direction: 'asc' | 'desc';
}

export interface SessionListRow {
  readonly session: Session;
  readonly source: string;
}

export async function listSessionRows(db: Db, q: SessionListQuery): Promise<SessionListRow[]> {
  let query = db
    .selectFrom('sessions')
    .innerJoin('chats', 'chats.id', 'sessions.chat_id')
    .innerJoin('connectors', 'connectors.id', 'chats.connector_id')
    .selectAll('sessions')
    .select('connectors.code as source');
  if (q.lineIds) query = query.where('sessions.line_id', 'in', [...q.lineIds, -1]);
  if (q.operatorIds) query = query.where('sessions.operator_id', 'in', [...q.operatorIds, -1]);
  const visibleTo = q.visibleTo;
  if (visibleTo !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('sessions.operator_id', '=', visibleTo),
        eb.exists(
          eb
            .selectFrom('session_offers')
            .select('session_offers.session_id')
            .whereRef('session_offers.session_id', '=', 'sessions.id')
            .where('session_offers.user_id', '=', visibleTo),
        ),
      ]),
    );
  }
  if (q.sources) query = query.where('connectors.code', 'in', [...q.sources, '']);
  if (q.state === 'new') query = query.where('sessions.closed', '=', 0).where('sessions.status', '<', 10);
  if (q.state === 'answered') {
    query = query.where('sessions.closed', '=', 0).where('sessions.status', '>=', 10).where('sessions.pause', '=', 0);
  }
  if (q.state === 'paused') query = query.where('sessions.closed', '=', 0).where('sessions.pause', '=', 1);
  if (q.state === 'closed') query = query.where('sessions.closed', '=', 1).where('sessions.spam', '=', 0);
  if (q.state === 'spam') query = query.where('sessions.closed', '=', 1).where('sessions.spam', '=', 1);
  if (q.closeReason) query = query.where('sessions.close_reason', '=', q.closeReason);
  if (q.createdFrom) query = query.where('sessions.created_at', '>=', q.createdFrom);
  if (q.createdTo) query = query.where('sessions.created_at', '<=', q.createdTo);
  if (q.closedFrom) query = query.where('sessions.closed_at', '>=', q.closedFrom);
  if (q.closedTo) query = query.where('sessions.closed_at', '<=', q.closedTo);
  const rows = await query.orderBy(`sessions.${q.order}`, q.direction).orderBy('sessions.id', q.direction).execute();
  return rows.map((row) => ({ session: sessionOf(row), source: row.source }));
}

/** Open sessions per `line:operator`, taken or offered to them. */
export async function openSessionCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('sessions')
    .select(['line_id', 'operator_id', (eb) => eb.fn.countAll().as('n')])
    .where('closed', '=', 0)
    .where('operator_id', '>', 0)
    .groupBy(['line_id', 'operator_id'])
    .execute();
  return new Map(rows.map((r) => [`${Number(r.line_id)}:${Number(r.operator_id)}`, Number(r.n)]));
}
