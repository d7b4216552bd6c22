// openlines.workplace.stream (an openlines extension, issue 19; docs/workplace-stream.md): the operator's workplace
// as server-sent events, under /rest/ with the same credentials as every method (a webhook path, or `auth=` with an
// OAuth token — EventSource cannot set headers). The answer is text/event-stream: first the state (every session
// the operator holds or is offered), then offers, session changes, the messages of those chats and the operator's
// notifications (the KPI alerts) as they commit. Each event's id resumes the stream (Last-Event-ID, or the
// LAST_EVENT_ID parameter). Items have the shapes of the REST reads the page would otherwise poll:
// imopenlines.v2.Session.list, im.dialog.messages.get, im.notify.get.

import type { Message } from '../domain/dialogs/message.js';
import type { NotificationRow } from '../domain/notifications/notifications.js';
import {
  formatCursor,
  parseCursor,
  type WorkplaceEvent,
  type WorkplaceSession,
} from '../domain/operators/workplace-stream.js';
import { RestError } from '../wire/errors.js';
import { eventStream, LAST_EVENT_ID_PARAM } from '../wire/event-stream.js';
import { presentMessage } from './im.js';
import { presentNotification } from './im-notify.js';
import { presentSession } from './imopenlines-session.js';
import type { MethodRegistry } from './registry.js';

/** The client's reconnect delay (SSE `retry`). */
const RETRY_MS = 2000;

/** The stream's event names: openlines' own (no application receives them), in the style of the event catalogue. */
export const WORKPLACE_EVENTS = {
  state: 'OnOpenlinesWorkplaceState',
  offer: 'OnOpenlinesSessionOffer',
  update: 'OnOpenlinesSessionUpdate',
  message: 'OnOpenlinesMessageAdd',
  notification: 'OnOpenlinesNotifyAdd',
} as const;

export function defineWorkplaceMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.workplace.stream',
    scopes: ['imopenlines'],
    batchAllowed: false,
    handler: async (ctx) => {
      const userId = ctx.caller.userId;
      // Every webhook and token names a user; a credential without one has no workplace.
      if (!(userId > 0)) throw new RestError('ACCESS_DENIED');
      const raw = ctx.params[LAST_EVENT_ID_PARAM];
      let from = null;
      if (raw !== undefined && raw !== '') {
        from = typeof raw === 'string' ? parseCursor(raw) : null;
        if (!from) throw new RestError('WORKPLACE_EVENT_ID');
      }
      const timeZone = ctx.services.settings.timeZone;
      const subscription = await ctx.services.workplace.subscribe(userId, from);
      return {
        result: eventStream(RETRY_MS, (sink) => {
          subscription.attach({
            deliver: (event, cursor) => sink.event(WORKPLACE_EVENTS[event.kind], formatCursor(cursor), present(event)),
          });
          return () => subscription.close();
        }),
      };

      function present(event: WorkplaceEvent): unknown {
        switch (event.kind) {
          case 'state':
            return { SESSIONS: event.sessions.map(session) };
          case 'offer':
          case 'update':
            return session(event.session);
          case 'message':
            return message(event.message);
          case 'notification':
            return notification(event.notification);
        }
      }
      function session(s: WorkplaceSession): Record<string, unknown> {
        const x = s.row.session;
        return {
          SESSION: presentSession(s.row, timeZone, ctx.services.operators.now()),
          // What the v2 item does not tell: the numeric status (50: finished by the operator, waiting to close),
          // whether it waits to be taken, and whether the operator still sees it.
          STATUS: x.status,
          WAIT_ANSWER: x.waitAnswer,
          CLOSING: !x.closed && x.waitAction && !x.waitAnswer,
          VISIBLE: s.visible,
        };
      }
      function message(m: Message): Record<string, unknown> {
        return { CHAT_ID: m.chatId, MESSAGE: presentMessage(m, timeZone) };
      }
      function notification(n: NotificationRow): Record<string, unknown> {
        return { NOTIFICATION: presentNotification(n, timeZone) };
      }
    },
  });
}
