// A user's system notifications (issue 18): openlines writes KPI alerts (sessions/automatic/kpi.ts) and rating
// notices (sessions/automatic/rating-notice.ts); im.notify.get reads them newest first, a page at a time, with the
// user's totals.

import type { Db } from '../../store/db.js';
import {
  countNotifications,
  insertNotifications,
  type NotificationRow,
  pageOfNotifications,
} from '../../store/notifications-repository.js';
import type { Store } from '../../store/store.js';

export type { NotificationRow };

/** The im module's IM_NOTIFY_SYSTEM: a notification from the system. */
const NOTIFY_SYSTEM = 4;

/** One of openlines' notices to a user. */
export interface Notice {
  readonly userId: number;
  /** Who caused it (0: nobody, the system). */
  readonly authorId: number;
  /** The im event name (rating_client, rating_head; 'default' for a KPI alert). */
  readonly event: string;
  /** The im tag, also the sub-tag ('' for none). */
  readonly tag: string;
  readonly text: string;
}

/** Writes openlines' notices (module imopenlines, system type, no title) inside `trx`, stamped `stamp`. */
export function notify(trx: Db, notices: readonly Notice[], stamp: string): Promise<void> {
  return insertNotifications(
    trx,
    notices.map((notice) => ({
      user_id: notice.userId,
      author_id: notice.authorId,
      notify_type: NOTIFY_SYSTEM,
      module: 'imopenlines',
      event: notice.event,
      tag: notice.tag,
      sub_tag: notice.tag,
      title: '',
      text: notice.text,
      params: null,
      created_at: stamp,
    })),
  );
}

export interface NotificationPage {
  readonly total: number;
  readonly unread: number;
  readonly items: readonly NotificationRow[];
}

export class Notifications {
  constructor(private readonly store: Store) {}

  /** The user's notifications older than `beforeId` (null: from the newest), at most `limit`. */
  page(userId: number, query: { readonly beforeId: number | null; readonly limit: number }): Promise<NotificationPage> {
    return this.store.read(async (db) => {
      const [counts, items] = await Promise.all([
        countNotifications(db, userId),
        pageOfNotifications(db, userId, query),
      ]);
      return { total: counts.total, unread: counts.unread, items };
    });
  }
}
