// Users' system notifications (issue 18): the records im.notify.get returns to their recipient, newest first.

import type { Db } from './db.js';
import type { NotificationTable } from './schema.js';

export type NotificationRow = Omit<NotificationTable, 'id'> & { id: number };
export type NewNotification = Omit<NotificationTable, 'id' | 'is_read'>;

export async function insertNotifications(db: Db, rows: readonly NewNotification[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notifications')
    .values(rows.map((r) => ({ ...r, is_read: 0 })))
    .execute();
}

/** Up to `limit` of the user's notifications older than `beforeId` (null: from the newest), newest first. */
export async function pageOfNotifications(
  db: Db,
  userId: number,
  page: { readonly beforeId: number | null; readonly limit: number },
): Promise<NotificationRow[]> {
  let query = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (page.beforeId !== null) query = query.where('id', '<', page.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(page.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** How many notifications the user has, and how many of them are unread. */
export async function countNotifications(db: Db, userId: number): Promise<{ total: number; unread: number }> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => [
      eb.fn.countAll().as('total'),
      eb.fn.sum<number | string | null>(eb.case().when('is_read', '=', 0).then(1).else(0).end()).as('unread'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { total: Number(row?.total ?? 0), unread: Number(row?.unread ?? 0) };
}
