// What an operator's workplace stream reads on a wake (issue 19): the sessions the operator sees (taken by them or
// offered to them, plus the ones the stream showed before, to tell what changed), the messages of those chats
// after a message id, and the operator's notifications after a notification id. Each is one indexed query.

import type { Message } from '../domain/dialogs/message.js';
import type { Db } from './db.js';
import { messageOf, sessionOf } from './dialogs-repository.js';
import type { NotificationRow } from './notifications-repository.js';
import type { SessionListRow } from './operator-sessions-repository.js';

export interface WorkplaceRow extends SessionListRow {
  /** Offered to this user (a row of session_offers). */
  readonly offeredTo: boolean;
}

/** Open sessions the user holds or is offered, and the sessions `known` (whatever their state now). */
export async function workplaceSessions(db: Db, userId: number, known: readonly number[]): Promise<WorkplaceRow[]> {
  const rows = await db
    .selectFrom('sessions')
    .innerJoin('chats', 'chats.id', 'sessions.chat_id')
    .innerJoin('connectors', 'connectors.id', 'chats.connector_id')
    .leftJoin('session_offers', (join) =>
      join.onRef('session_offers.session_id', '=', 'sessions.id').on('session_offers.user_id', '=', userId),
    )
    .selectAll('sessions')
    .select(['connectors.code as source', 'session_offers.user_id as offered_user'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('sessions.closed', '=', 0),
          eb.or([eb('sessions.operator_id', '=', userId), eb('session_offers.user_id', '=', userId)]),
        ]),
        eb('sessions.id', 'in', [...known, -1]),
      ]),
    )
    .orderBy('sessions.id')
    .execute();
  return rows.map((row) => ({ session: sessionOf(row), source: row.source, offeredTo: row.offered_user !== null }));
}

/** Messages of `chatIds` after `afterId`, oldest first, at most `limit`. */
export async function messagesAfter(
  db: Db,
  chatIds: readonly number[],
  afterId: number,
  limit: number,
): Promise<Message[]> {
  if (chatIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('chat_id', 'in', [...chatIds])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(messageOf);
}

/** The user's notifications after `afterId`, oldest first, at most `limit`. */
export async function notificationsAfter(
  db: Db,
  userId: number,
  afterId: number,
  limit: number,
): Promise<NotificationRow[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The newest message id of all, and the user's newest notification id (0: none). */
export async function latestIds(db: Db, userId: number): Promise<{ messageId: number; notificationId: number }> {
  const message = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  const notification = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { messageId: Number(message?.id ?? 0), notificationId: Number(notification?.id ?? 0) };
}
