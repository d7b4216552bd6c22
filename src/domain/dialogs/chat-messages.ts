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
  insertSession,
  lastSessionId,
  lockChatById,
  markMessageDeleted,
  pageOfChatMessages,
} from '../../store/dialogs-repository.js';
import { directoryUsersOf } from '../../store/directory-repository.js';
import { findLine, isQueueMember } from '../../store/lines-repository.js';
import { findAppByClientId } from '../../store/oauth-repository.js';
import { isMember } from '../../store/operator-sessions-repository.js';
import { isOfferedTo } from '../../store/sessions-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import type { DirectoryUser } from '../directory/directory-user.js';
import { type EventEmitter, NO_EVENTS } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';
import { type EngineWork, newWork, type SessionEngine } from '../sessions/session-engine.js';
import { announceSession } from '../sessions/session-events.js';
import { SYSTEM_TEXTS } from '../sessions/system-texts.js';
import type { Chat } from './chat.js';
import { ChatPoster, signatureName } from './chat-poster.js';
import { messageDeleteItems, messageUpdateItem, signedText } from './connector-events.js';
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

  private readonly poster: ChatPoster;
  private readonly engine: SessionEngine | undefined;

  constructor(
    private readonly store: Store,
    options: { readonly clock?: Clock; readonly events?: EventEmitter; readonly engine?: SessionEngine } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? NO_EVENTS;
    this.poster = new ChatPoster(this.events);
    this.engine = options.engine;
  }

  /** im.message.add into a line's chat: the new message's id. */
  async post(caller: Caller, input: PostInput): Promise<number> {
    const nowMs = this.clock.now();
    const { id, work } = await this.store.write(async (trx) => {
      const work = newWork(trx, nowMs);
      const chat = await lockChatById(trx, input.chatId);
      if (!chat) throw new RestError('ACCESS_ERROR', NO_ACCESS_TO_POST, {}, 400);
      const session = await findOpenSession(trx, chat.userCode);
      if (!(await mayPost(trx, caller, session))) throw new RestError('ACCESS_ERROR', NO_ACCESS_TO_POST, {}, 400);
      if (input.system) {
        const text = await systemText(trx, caller, input.text);
        const message = await this.poster.system(work, chat, session?.id ?? null, text);
        return { id: message.id, work };
      }
      const line = await findLine(trx, chat.lineId);
      const connector = await findConnectorById(trx, chat.connectorId);
      const binding = connector && (await findBinding(trx, connector.id, chat.lineId));
      // onBeforeMessageSend: nothing is saved while the line is off or its connector is not working.
      if (!line || lineValue(line, 'ACTIVE') !== 'Y' || !connector || binding?.active !== 1 || binding.error !== 0) {
        throw new RestError('PARAMS_ERROR');
      }
      const writing = session
        ? this.engine
          ? await this.engine.operatorWrites(work, chat, session, caller.userId)
          : session
        : await this.startOutputSession(work, chat, line, connector, caller.userId);
      const message = await this.poster.operator(work, chat, line, writing.id, caller.userId, input.text);
      if (this.engine) await this.engine.operatorWrote(work, writing, line);
      return { id: message.id, work };
    });
    this.events.committed(work.emitted > 0 || work.wake);
    return id;
  }

  /** An operator writes into a chat with no open session: a session of theirs starts (mode output, §2.1). */
  private async startOutputSession(
    work: EngineWork,
    chat: Chat,
    line: Line,
    _connector: { readonly code: string; readonly app_id: number },
    userId: number,
  ): Promise<Session> {
    const session = await insertSession(work.trx, {
      chat_id: chat.id,
      line_id: chat.lineId,
      user_code: chat.userCode,
      customer_id: chat.customerId,
      status: SESSION_STATUS.ANSWER,
      operator_id: userId,
      closed: 0,
      created_at: work.stamp,
      modified_at: work.stamp,
      closed_at: null,
      mode: 'output',
      wait_answer: 0,
      parent_id: await lastSessionId(work.trx, chat.id),
      date_operator: work.stamp,
      date_operator_answer: work.stamp,
      date_first_answer: null,
      date_last_message: null,
    });
    work.emitted += await announceSession(this.events, work.trx, 'start', { chat, session, line });
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.sessionStarted(session.id));
    return session;
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
      const signature = line ? await signatureName(trx, line, target.doc, caller.userId) : null;
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
      if (!chat || !(await mayRead(db, caller, chat, await findOpenSession(db, chat.userCode)))) {
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
}

/**
 * Who may post (runtime-sessions.md §0 Operator::checkAccess): administrators (the line's join permission), and
 * in an open session its operator, the operators it is offered to (who take it by writing, DECISIONS.md) and the
 * users who joined it.
 */
async function mayPost(db: Db, caller: Caller, session: Session | undefined): Promise<boolean> {
  if (caller.isAdmin) return true;
  if (!session) return false;
  if (session.operatorId === caller.userId || (await isOfferedTo(db, session.id, caller.userId))) return true;
  // A user who joined the session's chat (imopenlines.session.join).
  return isMember(db, session.id, caller.userId);
}

/** Who may read a chat's messages: those who may post, and every operator of the line's queue (its history). */
async function mayRead(db: Db, caller: Caller, chat: Chat, session: Session | undefined): Promise<boolean> {
  return (await mayPost(db, caller, session)) || isQueueMember(db, chat.lineId, caller.userId);
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
