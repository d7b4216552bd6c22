// A user's system notifications as im.notify.get reads them (issue 18): KPI alerts (sessions/automatic/kpi.ts) are
// the only ones openlines writes. Newest first, a page at a time, with the user's totals.

import { countNotifications, type NotificationRow, pageOfNotifications } from '../../store/notifications-repository.js';
import type { Store } from '../../store/store.js';

export type { NotificationRow };

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
