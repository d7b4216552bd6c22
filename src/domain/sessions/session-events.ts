// The events a session's start and final close send (runtime-connectors.md §11.4, runtime-sessions.md §2.5): the
// connector's OnImConnectorDialogStart/Finish to the connector's owner application, and imopenlines'
// OnSessionStart/Finish to every application bound to them, with the same item.

import type { Db } from '../../store/db.js';
import type { Chat } from '../dialogs/chat.js';
import { dialogItem } from '../dialogs/connector-events.js';
import type { Session } from '../dialogs/session.js';
import type { EventEmitter } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';

/** Queues both events in `trx`; returns how many deliveries were queued. */
export async function announceSession(
  events: EventEmitter,
  trx: Db,
  moment: 'start' | 'finish',
  target: { readonly chat: Chat; readonly session: Session; readonly line: Line | undefined },
): Promise<number> {
  const { chat, session, line } = target;
  const connector = await trx
    .selectFrom('connectors')
    .select(['code', 'app_id'])
    .where('id', '=', chat.connectorId)
    .executeTakeFirst();
  const data = [
    dialogItem(chat, session, {
      parentId: session.parentId,
      closeTerm: line ? lineValue(line, 'FULL_CLOSE_TIME') : 0,
    }),
  ];
  let queued = 0;
  if (connector) {
    queued += await events.emit(trx, moment === 'start' ? 'OnImConnectorDialogStart' : 'OnImConnectorDialogFinish', {
      connector: connector.code,
      line: chat.lineId,
      ownerAppId: Number(connector.app_id),
      data,
    });
  }
  queued += await events.emit(trx, moment === 'start' ? 'OnSessionStart' : 'OnSessionFinish', {
    line: chat.lineId,
    data,
  });
  return queued;
}
