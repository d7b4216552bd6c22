// What the operators' workplace streams read (issue 19): the sessions operators see (taken by them or offered to
// them, plus the ones the streams showed before, to tell what changed), the messages of those chats after a
// message id, and the operators' notifications after a notification id. Each is one indexed query, for one
// operator (a tab connecting) or for every connected operator at once (a wake).

import type { Message } from '../domain/dialogs/message.js';
import type { Db } from './db.js';
import { messageOf, sessionOf } from './dialogs-repository.js';
import type { NotificationRow } from './notifications-repository.js';
import type { SessionListRow } from './operator-sessions-repository.js';

export interface WorkplaceRow extends SessionListRow {
  /** Offered to this user (a row of session_offers). */
  readonly offeredTo: boolean;
}

/**
 * The sessions `userIds` hold or are offered (open), and the sessions `known` whatever their state now, with the
 * users among `userIds` each is offered to: one query for the sessions, one for their offers.
 */
export async function sessionsOfUsers(
  db: Db,
  userIds: readonly number[],
  known: readonly number[],
): Promise<{ rows: SessionListRow[]; offers: Map<number, number[]> }> {
  const users = [...userIds, -1];
  const rows = await db
    .selectFrom('sessions')
    .innerJoin('chats', 'chats.id', 'sessions.chat_id')
    .innerJoin('connectors', 'connectors.id', 'chats.connector_id')
    .selectAll('sessions')
    .select('connectors.code as source')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('sessions.closed', '=', 0),
          eb.or([
            eb('sessions.operator_id', 'in', users),
            eb.exists(
              eb
                .selectFrom('session_offers')
                .select('session_offers.session_id')
                .whereRef('session_offers.session_id', '=', 'sessions.id')
                .where('session_offers.user_id', 'in', users),
            ),
          ]),
        ]),
        eb('sessions.id', 'in', [...known, -1]),
      ]),
    )
    .orderBy('sessions.id')
    .execute();
  const offers = new Map<number, number[]>();
  if (rows.length > 0) {
    const offered = await db
      .selectFrom('session_offers')
      .select(['session_id', 'user_id'])
      .where(
        'session_id',
        'in',
        rows.map((r) => Number(r.id)),
      )
      .where('user_id', 'in', users)
      .execute();
    for (const o of offered) {
      const id = Number(o.session_id);
      offers.set(id, [...(offers.get(id) ?? []), Number(o.user_id)]);
    }
  }
  return { rows: rows.map((row) => ({ session: sessionOf(row), source: row.source })), offers };
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

/** The users' notifications after `afterId`, oldest first, at most `limit`. */
export async function notificationsAfter(
  db: Db,
  userIds: readonly number[],
  afterId: number,
  limit: number,
): Promise<NotificationRow[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', 'in', [...userIds, -1])
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
