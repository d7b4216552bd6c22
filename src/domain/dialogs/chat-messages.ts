// The operators' side of a line's chat (issue 16; runtime-sessions.md §7.19, runtime-connectors.md §11.1-§11.3):
// im.message.add / update / delete and im.dialog.messages.get. A regular message goes to the customer through the
// connector (OnImConnectorMessageAdd to the connector's owner application, signed as the line says) and moves the
// session (taken by the writer when it had no operator, status 40); a system message (SYSTEM=Y) is an internal
// note. Edits and deletions of messages the connector confirmed with ids reach it too. Who may work in a chat:
// administrators, the session's operator and, until distribution makes members, every operator of the line's queue.

import { type Clock, systemClock } from '../../clock.js';
import { findBinding, findConnectorById } from '../../store/connectors-repository.js';
import type { Db } from '../../store/db.js';
import {
  editMessageText,
  findChat,
  findCustomers,
  findMessage,
  findOpenSession,
  insertMessage,
  insertSession,
  lockChatById,
  markMessageDeleted,
  pageOfChatMessages,
  previousSessionId,
  setSessionState,
} from '../../store/dialogs-repository.js';
import { directoryUsersOf } from '../../store/directory-repository.js';
import { findLine, isQueueMember, operatorsOf } from '../../store/lines-repository.js';
import { findAppByClientId } from '../../store/oauth-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import type { DirectoryUser } from '../directory/directory-user.js';
import { type EventEmitter, NO_EVENTS } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';
import type { Chat } from './chat.js';
import { dialogItem, messageAddItem, messageDeleteItems, messageUpdateItem, signedText } from './connector-events.js';
import type { Customer } from './customer.js';
import type { Message } from './message.js';
import { SESSION_STATUS, type Session } from './session.js';

/** An operator may edit their message for 72 hours (CIMMessenger::CheckPossibilityUpdateMessage). */
export const EDIT_WINDOW_MS = 259_200_000;

export interface PostInput {
  readonly chatId: number;
  /** Already normalised: [BR] as line breaks, trimmed, cut to the limit; never empty. */
  readonly text: string;
  readonly system: boolean;
}

export interface ChatPage {
  readonly chat: Chat;
  readonly messages: readonly Message[];
  readonly users: ReadonlyMap<number, DirectoryUser>;
  readonly customers: ReadonlyMap<number, Customer>;
}

const NO_ACCESS_TO_POST = "You don't have access or user isn't member in chat";

export class ChatMessageService {
  private readonly clock: Clock;
  private readonly events: EventEmitter;

  constructor(
    private readonly store: Store,
    options: { readonly clock?: Clock; readonly events?: EventEmitter } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? NO_EVENTS;
  }

  /** im.message.add into a line's chat: the new message's id. */
  async post(caller: Caller, input: PostInput): Promise<number> {
    const { id, emitted } = await this.store.write(async (trx) => {
      const chat = await lockChatById(trx, input.chatId);
      if (!chat) throw new RestError('ACCESS_ERROR', NO_ACCESS_TO_POST, {}, 400);
      let session = await findOpenSession(trx, chat.userCode);
      if (!(await mayWork(trx, caller, chat, session))) throw new RestError('ACCESS_ERROR', NO_ACCESS_TO_POST, {}, 400);
      const stamp = new Date(this.clock.now()).toISOString();
      if (input.system) {
        const text = await systemText(trx, caller, input.text);
        const message = await insertMessage(trx, {
          chatId: chat.id,
          sessionId: session?.id ?? null,
          author: { kind: 'system' },
          text,
          files: [],
          connectorMid: [],
          sending: false,
          stamp,
        });
        return { id: message.id, emitted: 0 };
      }
      const line = await findLine(trx, chat.lineId);
      const connector = await findConnectorById(trx, chat.connectorId);
      const binding = connector && (await findBinding(trx, connector.id, chat.lineId));
      // onBeforeMessageSend: nothing is saved while the line is off or its connector is not working.
      if (!line || lineValue(line, 'ACTIVE') !== 'Y' || !connector || binding?.active !== 1 || binding.error !== 0) {
        throw new RestError('PARAMS_ERROR');
      }
      let emitted = 0;
      if (!session) {
        session = await insertSession(trx, {
          chat_id: chat.id,
          line_id: chat.lineId,
          user_code: chat.userCode,
          customer_id: chat.customerId,
          status: SESSION_STATUS.OPERATOR,
          operator_id: caller.userId,
          closed: 0,
          created_at: stamp,
          modified_at: stamp,
          closed_at: null,
        });
        emitted += await this.events.emit(trx, 'OnImConnectorDialogStart', {
          connector: connector.code,
          line: chat.lineId,
          ownerAppId: connector.app_id,
          data: [
            dialogItem(chat, session, {
              parentId: await previousSessionId(trx, chat.id, session.id),
              closeTerm: lineValue(line, 'FULL_CLOSE_TIME'),
            }),
          ],
        });
      } else {
        await setSessionState(
          trx,
          session.id,
          { status: SESSION_STATUS.OPERATOR, operatorId: session.operatorId || caller.userId },
          stamp,
        );
      }
      const message = await insertMessage(trx, {
        chatId: chat.id,
        sessionId: session.id,
        author: { kind: 'operator', userId: caller.userId },
        text: input.text,
        files: [],
        connectorMid: [],
        sending: true,
        stamp,
      });
      const signature = await this.signatureName(trx, line, connector.doc, caller.userId);
      emitted += await this.events.emit(trx, 'OnImConnectorMessageAdd', {
        connector: connector.code,
        line: chat.lineId,
        ownerAppId: connector.app_id,
        messages: [
          messageAddItem(
            chat,
            message,
            signature === null ? input.text : signedText(signature, input.text, 'add'),
            caller.userId,
          ),
        ],
      });
      return { id: message.id, emitted };
    });
    if (emitted > 0) this.events.committed();
    return id;
  }

  /**
   * im.message.update: the author's own message, not deleted, within 72 hours; an empty text deletes it (the
   * reference's Update calls Delete). A message the connector confirmed with ids is edited there too.
   */
  async edit(caller: Caller, messageId: number, text: string): Promise<true> {
    if (text === '') return this.remove(caller, messageId);
    const emitted = await this.store.write(async (trx) => {
      const { message, chat } = await this.editable(trx, caller, messageId, 'edit');
      await editMessageText(trx, message.id, text, new Date(this.clock.now()).toISOString());
      const target = await connectorTarget(trx, chat, message);
      if (!target) return 0;
      const line = await findLine(trx, chat.lineId);
      const signature = line ? await this.signatureName(trx, line, target.doc, caller.userId) : null;
      return this.events.emit(trx, 'OnImConnectorMessageUpdate', {
        connector: target.code,
        line: chat.lineId,
        ownerAppId: target.appId,
        messages: [messageUpdateItem(chat, message, signature === null ? text : signedText(signature, text, 'update'))],
      });
    });
    if (emitted > 0) this.events.committed();
    return true;
  }

  /**
   * im.message.delete: the author's own message, or, for an administrator, a customer's or a system message (the
   * reference's IsAdmin exceptions for open lines). A message the connector confirmed with ids is deleted there.
   */
  async remove(caller: Caller, messageId: number): Promise<true> {
    const emitted = await this.store.write(async (trx) => {
      const { message, chat } = await this.editable(trx, caller, messageId, 'delete');
      await markMessageDeleted(trx, message.id, new Date(this.clock.now()).toISOString());
      const target = await connectorTarget(trx, chat, message);
      if (!target) return 0;
      return this.events.emit(trx, 'OnImConnectorMessageDelete', {
        connector: target.code,
        line: chat.lineId,
        ownerAppId: target.appId,
        messages: messageDeleteItems(chat, message),
      });
    });
    if (emitted > 0) this.events.committed();
    return true;
  }

  /** im.dialog.messages.get for a line's chat; ACCESS_ERROR for a chat the caller may not read. */
  async read(
    caller: Caller,
    chatId: number,
    page: { readonly firstId: number | null; readonly lastId: number; readonly limit: number },
  ): Promise<ChatPage> {
    return this.store.read(async (db) => {
      const chat = await findChat(db, chatId);
      if (!chat || !(await mayWork(db, caller, chat, await findOpenSession(db, chat.userCode)))) {
        throw new RestError('ACCESS_ERROR');
      }
      const messages = await pageOfChatMessages(db, chat.id, page);
      const userIds = new Set<number>();
      const customerIds = new Set<number>();
      for (const m of messages) {
        if (m.author.kind === 'operator') userIds.add(m.author.userId);
        if (m.author.kind === 'customer') customerIds.add(m.author.customerId);
      }
      return {
        chat,
        messages,
        users: await directoryUsersOf(db, [...userIds]),
        customers: await findCustomers(db, [...customerIds]),
      };
    });
  }

  /** The message and its chat when the caller may change it (CANT_EDIT_MESSAGE otherwise). */
  private async editable(
    db: Db,
    caller: Caller,
    messageId: number,
    change: 'edit' | 'delete',
  ): Promise<{ message: Message; chat: Chat }> {
    const message = await findMessage(db, messageId);
    const chat = message && (await lockChatById(db, message.chatId));
    const own = message?.author.kind === 'operator' && message.author.userId === caller.userId;
    const allowed =
      message !== undefined &&
      chat !== undefined &&
      !message.deleted &&
      (change === 'edit'
        ? own && this.clock.now() - Date.parse(message.createdAt) <= EDIT_WINDOW_MS
        : own || (caller.isAdmin && message.author.kind !== 'operator'));
    if (!allowed || !chat) {
      throw new RestError('CANT_EDIT_MESSAGE');
    }
    return { message, chat };
  }

  /**
   * The name that signs an operator's message to the customer (§11.1), or null when unsigned: the connector's
   * NEED_SIGNATURE and the line's OPERATOR_DATA (hide: unsigned; queue: the line's own name for the operator).
   */
  private async signatureName(db: Db, line: Line, connectorDoc: string, userId: number): Promise<string | null> {
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
}

/** Administrators, the open session's operator, and (until distribution) every operator of the line's queue. */
async function mayWork(db: Db, caller: Caller, chat: Chat, session: Session | undefined): Promise<boolean> {
  if (caller.isAdmin) return true;
  if (session && session.operatorId === caller.userId) return true;
  return isQueueMember(db, chat.lineId, caller.userId);
}

/** A system message from an application starts with its name in bold (the reference's SYSTEM=Y prefix). */
async function systemText(db: Db, caller: Caller, text: string): Promise<string> {
  if (caller.authKind !== 'oauth' || !caller.clientId) return text;
  const app = await findAppByClientId(db, caller.clientId);
  return app ? `[b]${app.name}[/b]\n${text}` : text;
}

/** The connector a change of this message must reach: only one it confirmed with external ids (§11.2, §11.3). */
async function connectorTarget(
  db: Db,
  chat: Chat,
  message: Message,
): Promise<{ code: string; appId: number; doc: string } | undefined> {
  if (message.connectorMid.length === 0) return undefined;
  const connector = await findConnectorById(db, chat.connectorId);
  return connector && { code: connector.code, appId: connector.app_id, doc: connector.doc };
}
