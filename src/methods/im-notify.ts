// im.notify.get (scope im): the calling user's system notifications, newest first, a page at a time (the im
// module's documented shape). openlines writes one kind: KPI alerts (runtime-sessions.md §6). It keeps no
// notification chat, so `chat_id` is 0; there are no confirmations, so the regular stage (LAST_TYPE 3) is all there is.

import type { NotificationPage, NotificationRow } from '../domain/notifications/notifications.js';
import { RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { INT32_MAX, isPhpEmpty, phpIntval, upperKeys } from '../wire/php-values.js';
import type { MethodRegistry } from './registry.js';

/** LIMIT: 50 by default and at most. */
const PAGE_MAX = 50;
/** LAST_TYPE 1: the confirmations stage (openlines has none: the regular stage starts from the newest). */
const CONFIRMATIONS = 1;
const NOT_AN_ID = "Last notification ID can't be string";

export function defineImNotifyMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'im.notify.get',
    scopes: ['im'],
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const hasId = !isPhpEmpty(p.LAST_ID);
      const hasType = !isPhpEmpty(p.LAST_TYPE);
      if (hasId !== hasType) throw new RestError('LAST_ID_AND_LAST_TYPE');
      let beforeId: number | null = null;
      if (hasId) {
        const raw = typeof p.LAST_ID === 'number' ? String(p.LAST_ID) : p.LAST_ID;
        if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) throw new RestError('LAST_ID_STRING', NOT_AN_ID);
        const lastId = Number(raw.trim());
        beforeId = phpIntval(p.LAST_TYPE) === CONFIRMATIONS ? null : Math.min(lastId, INT32_MAX + 1);
      }
      const asked = phpIntval(p.LIMIT);
      const limit = asked > 0 && asked < PAGE_MAX ? asked : PAGE_MAX;
      const page = await ctx.services.notifications.page(ctx.caller.userId, { beforeId, limit });
      return { result: present(page, ctx.services.settings.timeZone) };
    },
  });
}

function present(page: NotificationPage, timeZone: string): Record<string, unknown> {
  const notifications = page.items.map((n) => presentNotification(n, timeZone));
  // Without any notification the reference answers only the two lists.
  if (page.total === 0) return { notifications, users: [] };
  return { total_count: page.total, total_unread_count: page.unread, chat_id: 0, notifications, users: [] };
}

/** A notification as im.notify.get lists it (the workplace stream sends the same item). */
export function presentNotification(n: NotificationRow, timeZone: string): Record<string, unknown> {
  return {
    id: n.id,
    chat_id: 0,
    author_id: Number(n.author_id),
    date: formatPhpDate(Date.parse(n.created_at), timeZone),
    notify_type: Number(n.notify_type),
    notify_module: n.module,
    notify_event: n.event,
    notify_tag: n.tag,
    notify_sub_tag: n.sub_tag,
    notify_title: n.title,
    setting_name: `${n.module}|${n.event}`,
    text: n.text,
    notify_read: Number(n.is_read) === 1 ? 'Y' : 'N',
    params: n.params === null ? null : JSON.parse(n.params),
  };
}
