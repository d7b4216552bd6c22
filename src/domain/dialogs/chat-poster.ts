// Posting into a line's chat inside a transaction: an operator's message or a system message, stored and, when
// it is for the customer, sent to the connector's application as OnImConnectorMessageAdd (runtime-connectors.md
// §11.1). Operators' messages are signed as the line and connector say; system messages the customer sees (close
// text, no-answer text, …) go out only when the connector wants system messages (NEED_SYSTEM_MESSAGES).

import { findConnectorById } from '../../store/connectors-repository.js';
import type { Db } from '../../store/db.js';
import { insertMessage } from '../../store/dialogs-repository.js';
import { directoryUsersOf } from '../../store/directory-repository.js';
import { operatorsOf } from '../../store/lines-repository.js';
import type { EventEmitter } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';
import type { Chat } from './chat.js';
import { messageAddItem, signedText } from './connector-events.js';
import type { Message } from './message.js';

export interface Posting {
  readonly trx: Db;
  readonly stamp: string;
  /** Deliveries queued so far in this transaction (the caller wakes the deliverer after commit when > 0). */
  emitted: number;
}

export class ChatPoster {
  /**
   * `companyName`: the portal name (PORTAL_NAME, the reference's site_name) that replaces #COMPANY_NAME# in the texts
   * the customer sees, at send time (issue 18): the reference fills it only when a line is created, so a text that
   * still holds the placeholder (a field newer than the line's document, a text set with it) would go out raw.
   */
  constructor(
    private readonly events: EventEmitter,
    private readonly options: { readonly companyName?: string } = {},
  ) {}

  /**
   * A system message: an internal note (`toCustomer` false) or one the customer sees, delivered as authored by
   * `deliveredAs` (the session's operator, as the reference's finish does).
   */
  async system(
    work: Posting,
    chat: Chat,
    sessionId: number | null,
    text: string,
    delivery: { readonly toCustomer: boolean; readonly deliveredAs?: number } = { toCustomer: false },
  ): Promise<Message> {
    const company = this.options.companyName;
    if (delivery.toCustomer && company !== undefined) text = text.replaceAll('#COMPANY_NAME#', company);
    const message = await insertMessage(work.trx, {
      chatId: chat.id,
      sessionId,
      author: { kind: 'system' },
      text,
      files: [],
      connectorMid: [],
      sending: delivery.toCustomer,
      stamp: work.stamp,
    });
    if (delivery.toCustomer) {
      const connector = await findConnectorById(work.trx, chat.connectorId);
      const flags = connector ? (JSON.parse(connector.doc) as { NEED_SYSTEM_MESSAGES?: unknown }) : {};
      if (connector && flags.NEED_SYSTEM_MESSAGES !== false) {
        work.emitted += await this.events.emit(work.trx, 'OnImConnectorMessageAdd', {
          connector: connector.code,
          line: chat.lineId,
          ownerAppId: connector.app_id,
          messages: [messageAddItem(chat, message, text, delivery.deliveredAs ?? 0)],
        });
      }
    }
    return message;
  }

  /** An operator's message to the customer, signed (§11.1). */
  async operator(work: Posting, chat: Chat, line: Line, sessionId: number, userId: number, text: string) {
    const message = await insertMessage(work.trx, {
      chatId: chat.id,
      sessionId,
      author: { kind: 'operator', userId },
      text,
      files: [],
      connectorMid: [],
      sending: true,
      stamp: work.stamp,
    });
    const connector = await findConnectorById(work.trx, chat.connectorId);
    if (connector) {
      const signature = await signatureName(work.trx, line, connector.doc, userId);
      work.emitted += await this.events.emit(work.trx, 'OnImConnectorMessageAdd', {
        connector: connector.code,
        line: chat.lineId,
        ownerAppId: connector.app_id,
        messages: [
          messageAddItem(chat, message, signature === null ? text : signedText(signature, text, 'add'), userId),
        ],
      });
    }
    return message;
  }
}

/**
 * The name that signs an operator's message to the customer (§11.1), or null when unsigned: the connector's
 * NEED_SIGNATURE and the line's OPERATOR_DATA (hide: unsigned; queue: the line's own name for the operator).
 */
export async function signatureName(db: Db, line: Line, connectorDoc: string, userId: number): Promise<string | null> {
  const flags = JSON.parse(connectorDoc) as { NEED_SIGNATURE?: unknown };
  const operatorData = lineValue(line, 'OPERATOR_DATA');
  if (flags.NEED_SIGNATURE === false || operatorData === 'hide') return null;
  if (operatorData === 'queue') {
    const member = (await operatorsOf(db, [line.id])).get(line.id)?.find((m) => m.userId === userId);
    if (member?.userName) return member.userName;
  }
  const user = (await directoryUsersOf(db, [userId])).get(userId);
  return user ? [user.name, user.lastName].filter((s) => s !== '').join(' ') : String(userId);
}
