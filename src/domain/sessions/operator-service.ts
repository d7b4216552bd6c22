// The operators' methods on a line's chat (issue 17; runtime-sessions.md §7): each one call is one transaction that
// locks the chat, then its open session, checks who may act (Operator::checkAccess, §7.0) and hands the change to
// the session engine; the deliveries it queued are woken after the commit. The observation methods (v2 lists,
// history, dialog.get) read without locking.
//
// Who may act in a chat (the reference's checkAccess: a member, an operator it was offered to, or the line's join
// permission): administrators (openlines' join permission), and, in the open session, its operator, the operators
// it is offered to and the users who joined it (session.join).

import { type Clock, systemClock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import {
  findChat,
  findChatByUserCode,
  findCustomers,
  findMessage,
  findOpenSession,
  findSession,
  listMessagesOfChat,
  lockChatById,
} from '../../store/dialogs-repository.js';
import { directoryUsersOf, findUsers } from '../../store/directory-repository.js';
import { findLine, isQueueMember, operatorsOf } from '../../store/lines-repository.js';
import {
  isMember,
  listSessionRows,
  newestSessionOfChat,
  openSessionCounts,
  pinnableSessionIds,
  removeMembers,
  type SessionListQuery,
  type SessionListRow,
} from '../../store/operator-sessions-repository.js';
import { busyCounts, isOfferedTo, lockSession } from '../../store/sessions-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import type { Chat } from '../dialogs/chat.js';
import { ChatPoster } from '../dialogs/chat-poster.js';
import type { Customer } from '../dialogs/customer.js';
import type { Message } from '../dialogs/message.js';
import type { Session } from '../dialogs/session.js';
import type { DirectoryUser } from '../directory/directory-user.js';
import { type EventEmitter, NO_EVENTS } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';
import { BUSY_BELOW } from './distribution.js';
import { type AvailabilityReader, type EngineWork, newWork, type SessionEngine } from './session-engine.js';
import { SYSTEM_TEXTS } from './system-texts.js';

export type { SessionListQuery, SessionListRow };

const NO_ACCESS = 'You do not have permission to access this chat.';

/** The access failure of most methods: ACCESS_DENIED with the checkAccess text, 400 (§7.0). */
export const accessDenied = (): RestError => new RestError('ACCESS_DENIED', NO_ACCESS, {}, 400);
const chatInvalid = (): RestError => new RestError('CHAT_ID');

/**
 * What a failed access check answers: most methods the checkAccess errors; transfer and intercept OPERATOR_WRONG;
 * answer the race's error to an operator the session was offered to in this cycle.
 */
type Refusal = 'access' | 'operator-wrong' | 'answer';

interface InChat {
  readonly work: EngineWork;
  readonly chat: Chat;
  /** The open session, locked; undefined when the chat has none. */
  readonly session: Session | undefined;
}

export type TransferTarget =
  | { readonly kind: 'user'; readonly userId: number }
  | { readonly kind: 'line'; readonly lineId: number };

export interface SessionHistory {
  readonly chat: Chat;
  readonly session: Session;
  readonly messages: readonly Message[];
  readonly users: ReadonlyMap<number, DirectoryUser>;
  readonly customers: ReadonlyMap<number, Customer>;
  readonly canJoin: boolean;
}

export interface DialogView {
  readonly chat: Chat;
  readonly session: Session | undefined;
  /** The responsible operator (the reference's AUTHOR_ID): who took the open session, else 0. */
  readonly owner: number;
  readonly lastMessageId: number;
}

export interface OperatorRow {
  readonly userId: number;
  readonly lineId: number;
  readonly status: 'online' | 'offline' | 'pause';
  readonly activeSessions: number;
  readonly maxChat: number;
  readonly freeSlots: number | null;
}

export class OperatorService {
  private readonly clock: Clock;
  private readonly events: EventEmitter;
  private readonly timeZone: string;
  private readonly poster: ChatPoster;

  constructor(
    private readonly store: Store,
    private readonly engine: SessionEngine,
    private readonly availability: AvailabilityReader,
    options: { readonly clock?: Clock; readonly events?: EventEmitter; readonly timeZone?: string } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? NO_EVENTS;
    this.timeZone = options.timeZone ?? 'UTC';
    this.poster = new ChatPoster(this.events);
  }

  /** The server's time (the test clock in tests). */
  now(): number {
    return this.clock.now();
  }

  /**
   * operator.answer (§7.1): the caller takes the session. An operator it was offered to who comes second (another
   * took it meanwhile: the `all` race) gets ANSWER_COMPETITIVE_REQUEST, not the access error.
   */
  answer(caller: Caller, chatId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'answer', async ({ work, chat, session }) => {
      if (!session) throw new RestError('SESSION_NOT_LOADED');
      if (!session.waitAnswer && session.operatorId === caller.userId)
        throw new RestError('ANSWER_ALREADY_RESPONSIBLE');
      await this.engine.answer(work, chat, session, caller.userId);
      return true;
    });
  }

  /** operator.skip (§7.2): false when the session stayed (nobody else, or `all` mode); the note is kept. */
  skip(caller: Caller, chatId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, chat, session }) => {
      if (!session) throw new RestError('SESSION_NOT_LOADED');
      const line = await this.lineOf(work.trx, session);
      return this.engine.skip(work, chat, session, line, caller.userId);
    });
  }

  /** operator.spam (§7.3): true whenever the caller may act, also without an open session. */
  spam(caller: Caller, chatId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, chat, session }) => {
      if (!session) return true;
      await this.engine.markSpam(work, chat, session, await this.lineOf(work.trx, session), caller.userId);
      return true;
    });
  }

  /** operator.transfer (§7.4): to a user (offered to them) or to a line (queued and distributed there). */
  transfer(caller: Caller, chatId: number, target: TransferTarget): Promise<boolean> {
    return this.inChat(caller, chatId, 'operator-wrong', async ({ work, chat, session }) => {
      if (!session) throw new RestError('OPERATOR_WRONG');
      const line = await this.lineOf(work.trx, session);
      if (target.kind === 'line') {
        const to = await findLine(work.trx, target.lineId);
        if (!to) throw new RestError('OPERATOR_WRONG');
        await this.engine.transferToLine(work, chat, session, line, to, caller.userId);
        return true;
      }
      const user = (await findUsers(work.trx, [target.userId])).get(target.userId);
      if (user?.active !== 1 || user.is_extranet === 1 || target.userId === caller.userId) {
        throw new RestError('OPERATOR_WRONG');
      }
      await this.engine.transferToUser(work, chat, session, line, caller.userId, target.userId);
      // The chat empties for the new operator (§7.4): who had joined it leaves.
      await removeMembers(work.trx, session.id);
      return true;
    });
  }

  /**
   * operator.finish (`another` false: the session's operator only) and .another.finish (§7.5): a session nobody has
   * taken is taken by the caller first; another user than the operator closing it leaves a note.
   */
  finish(caller: Caller, chatId: number, another: boolean): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, chat, session }) => {
      if (!session) throw new RestError('NOT_LOAD_SESSION_OR_CHAT');
      if (!another && session.operatorId !== caller.userId) throw new RestError('ERROR_USER_NOT_OPERATOR');
      const line = await this.lineOf(work.trx, session);
      let current = session;
      if (current.waitAnswer) {
        current = await this.engine.answer(work, chat, current, caller.userId);
      } else if (another && current.operatorId !== caller.userId) {
        await this.poster.system(work, chat, current.id, SYSTEM_TEXTS.closedConversation(caller.userId));
      }
      await this.engine.finish(work, chat, current, line, { auto: false, byUserId: caller.userId });
      return true;
    });
  }

  /** session.intercept (§7.6): takes a session someone else took; nothing otherwise (still true). */
  intercept(caller: Caller, chatId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'operator-wrong', async ({ work, chat, session }) => {
      if (session && !session.waitAnswer && session.operatorId !== 0 && session.operatorId !== caller.userId) {
        await this.engine.intercept(work, chat, session, caller.userId);
      }
      return true;
    });
  }

  /** session.join (§7.8): the caller becomes a member of the open session's chat. */
  join(caller: Caller, chatId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, session }) => {
      if (session) await this.engine.join(work, session, caller.userId);
      return true;
    });
  }

  /**
   * session.start (§7.9): without an open session a new one of the caller's starts; with one the caller joins
   * (and takes it when nobody has).
   */
  start(caller: Caller, chatId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, chat, session }) => {
      if (!session) {
        const line = await findLine(work.trx, chat.lineId);
        if (!line) throw new RestError('NOT_LOAD_SESSION_OR_CHAT');
        await this.engine.startOutput(work, chat, line, caller.userId);
        return true;
      }
      if (session.operatorId === 0) await this.engine.answer(work, chat, session, caller.userId);
      else if (session.operatorId !== caller.userId) await this.engine.join(work, session, caller.userId);
      return true;
    });
  }

  /** message.session.start (§7.10): true whenever the caller may act; forks only with an open session. */
  startFromMessage(caller: Caller, chatId: number, messageId: number): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, chat, session }) => {
      const message = await findMessage(work.trx, messageId);
      if (!session || !message || message.chatId !== chat.id || message.deleted) return true;
      await this.engine.fork(work, chat, session, await this.lineOf(work.trx, session), caller.userId, message);
      return true;
    });
  }

  /** session.mode.pin / unpin (§7.11): nothing when already so; otherwise only the session's operator. */
  pin(caller: Caller, chatId: number, pinned: boolean): Promise<boolean> {
    return this.inChat(caller, chatId, 'access', async ({ work, chat, session }) => {
      if (!session) throw new RestError('NOT_LOAD_SESSION_OR_CHAT');
      if (session.pinned === pinned) return true;
      if (session.operatorId !== caller.userId || session.waitAnswer) {
        throw new RestError('ERROR_USER_NOT_OPERATOR', 'Attempt to change the mode by a user who is not an operator');
      }
      const line = await this.lineOf(work.trx, session);
      await this.engine.setPinned(work, chat, session, line, pinned, (ms) => this.closeDay(ms));
      return true;
    });
  }

  /** session.mode.pinAll / unpinAll (§7.11): the caller's sessions in work (10 <= status < 50), their ids. */
  async pinAll(caller: Caller, pinned: boolean): Promise<number[]> {
    const nowMs = this.clock.now();
    const { ids, work } = await this.store.write(async (trx) => {
      const work = newWork(trx, nowMs);
      const ids: number[] = [];
      for (const id of await pinnableSessionIds(trx, caller.userId, !pinned)) {
        // The chat first, then the session: the order of every other call (no deadlock between them).
        const seen = await findSession(trx, id);
        const chat = seen && (await lockChatById(trx, seen.chatId));
        const session = chat && (await lockSession(trx, id));
        if (!chat || !session || session.closed || session.pinned === pinned || session.operatorId !== caller.userId) {
          continue;
        }
        const line = await this.lineOf(trx, session);
        await this.engine.setPinned(work, chat, session, line, pinned, (ms) => this.closeDay(ms));
        ids.push(id);
      }
      return { ids, work };
    });
    this.wake(work);
    return ids;
  }

  /** session.history.get (§7.14): the session's messages, for its operator or an administrator. */
  history(caller: Caller, ids: { readonly sessionId: number; readonly chatId: number }): Promise<SessionHistory> {
    return this.store.read(async (db) => {
      let session: Session | undefined;
      if (ids.sessionId > 0) session = await findSession(db, ids.sessionId);
      else {
        const chat = await findChat(db, ids.chatId);
        session = chat && (await newestSessionOfChat(db, chat.id));
        if (!session) throw new RestError('INVALID_SESSION_ID');
      }
      if (!session || !(caller.isAdmin || session.operatorId === caller.userId)) {
        throw new RestError('ACCESS_DENIED', undefined, {}, 400);
      }
      const chat = await findChat(db, session.chatId);
      if (!chat) throw new RestError('ACCESS_DENIED', undefined, {}, 400);
      const sessionId = session.id;
      const messages = (await listMessagesOfChat(db, chat.id)).filter((m) => m.sessionId === sessionId);
      const userIds = new Set<number>([caller.userId]);
      const customerIds = new Set<number>([chat.customerId]);
      for (const m of messages) {
        if (m.author.kind === 'operator') userIds.add(m.author.userId);
        if (m.author.kind === 'customer') customerIds.add(m.author.customerId);
      }
      if (session.operatorId > 0) userIds.add(session.operatorId);
      return {
        chat,
        session,
        messages,
        users: await directoryUsersOf(db, [...userIds]),
        customers: await findCustomers(db, [...customerIds]),
        canJoin: caller.isAdmin,
      };
    });
  }

  /** imopenlines.dialog.get (§7.15): the chat, for whoever may act in it or read it (the line's operators). */
  dialog(
    caller: Caller,
    ref: { readonly chatId?: number; readonly sessionId?: number; readonly userCode?: string },
  ): Promise<DialogView> {
    return this.store.read(async (db) => {
      let chat: Chat | undefined;
      if (ref.chatId !== undefined) chat = await findChat(db, ref.chatId);
      else if (ref.sessionId !== undefined) {
        const session = await findSession(db, ref.sessionId);
        chat = session && (await findChat(db, session.chatId));
      } else if (ref.userCode !== undefined) chat = await findChatByUserCode(db, ref.userCode);
      const denied = () => new RestError('ACCESS_ERROR', undefined, {}, 400);
      if (!chat) throw denied();
      const session = await findOpenSession(db, chat.userCode);
      if (!(await mayAct(db, caller, session)) && !(await isQueueMember(db, chat.lineId, caller.userId))) {
        throw denied();
      }
      const messages = await listMessagesOfChat(db, chat.id);
      return {
        chat,
        session,
        owner: session && !session.waitAnswer ? session.operatorId : 0,
        lastMessageId: messages.at(-1)?.id ?? 0,
      };
    });
  }

  /** session.open (§7.7): the chat of a user code, for its owner or an administrator. */
  open(caller: Caller, userCode: string): Promise<number> {
    return this.store.read(async (db) => {
      const chat = userCode === '' ? undefined : await findChatByUserCode(db, userCode);
      if (!chat) throw accessDenied();
      const session = await findOpenSession(db, chat.userCode);
      const owner = session && !session.waitAnswer ? session.operatorId : 0;
      if (!caller.isAdmin && owner !== caller.userId) throw accessDenied();
      return chat.id;
    });
  }

  /**
   * imopenlines.v2.Session.list (Appendix A): administrators see every session; others the sessions they may
   * access (§0, Operator::checkAccess: theirs, or offered to them — in `all` mode a waiting session is offered to the
   * whole queue with no operator yet), or with `operatorId` their own only.
   */
  sessions(caller: Caller, query: Omit<SessionListQuery, 'operatorIds'> & { operatorIds?: readonly number[] }) {
    return this.store.read(async (db): Promise<SessionListRow[]> => {
      if (!caller.isAdmin && query.operatorIds === undefined) {
        return listSessionRows(db, { ...query, visibleTo: caller.userId });
      }
      const own = caller.isAdmin ? query.operatorIds : query.operatorIds?.filter((id) => id === caller.userId);
      return listSessionRows(db, { ...query, ...(own ? { operatorIds: own } : {}) });
    });
  }

  /** imopenlines.v2.Operator.list (Appendix A): one row per operator and line, in line then queue order. */
  operators(caller: Caller): Promise<OperatorRow[]> {
    return this.store.read(async (db) => {
      const lineIds = (await db.selectFrom('lines').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      const queues = await operatorsOf(db, lineIds);
      const counts = await openSessionCounts(db);
      const rows: OperatorRow[] = [];
      for (const lineId of lineIds) {
        const line = await findLine(db, lineId);
        if (!line) continue;
        const ids = [...new Set((queues.get(lineId) ?? []).map((m) => m.userId))].filter(
          (id) => caller.isAdmin || id === caller.userId,
        );
        if (ids.length === 0) continue;
        const maxChat = lineValue(line, 'MAX_CHAT');
        const busy = await busyCounts(db, lineId, ids, BUSY_BELOW[lineValue(line, 'TYPE_MAX_CHAT')]);
        const unavailable = await this.availability.unavailable(db, ids, {
          checkAvailable: true,
          nowMs: this.clock.now(),
        });
        for (const userId of ids) {
          const reason = unavailable.get(userId) ?? null;
          rows.push({
            userId,
            lineId,
            status: reason === null ? 'online' : reason === 'NONWORKING' ? 'pause' : 'offline',
            activeSessions: counts.get(`${lineId}:${userId}`) ?? 0,
            maxChat,
            freeSlots: maxChat > 0 ? Math.max(0, maxChat - (busy.get(userId) ?? 0)) : null,
          });
        }
      }
      return rows;
    });
  }

  /**
   * session.head.vote (§7.13): an administrator (openlines' "vote as head" permission) rates a session, open or
   * closed; an unknown session is ACCESS_DENIED as a refused one.
   */
  async headVote(caller: Caller, sessionId: number, rating: number, comment: string): Promise<boolean> {
    const denied = () => new RestError('ACCESS_DENIED', undefined, {}, 400);
    if (!caller.isAdmin) throw denied();
    const nowMs = this.clock.now();
    await this.store.write(async (trx) => {
      const seen = await findSession(trx, sessionId);
      // The chat first, then the session: the order of every other call.
      const chat = seen && (await lockChatById(trx, seen.chatId));
      const session = chat && (await lockSession(trx, sessionId));
      if (!session) throw denied();
      await this.engine.votes.head(newWork(trx, nowMs), session, rating, comment, caller.userId);
    });
    return true;
  }

  // ---- Inside

  /** One call's transaction: the chat locked, its open session locked, the caller's access checked. */
  private async inChat<T>(
    caller: Caller,
    chatId: number,
    refusal: Refusal,
    act: (inChat: InChat) => Promise<T>,
  ): Promise<T> {
    const nowMs = this.clock.now();
    const refuse = (session: Session | undefined) => {
      if (refusal === 'operator-wrong') return new RestError('OPERATOR_WRONG');
      const lost = session && !session.waitAnswer && session.queueHistory.includes(caller.userId);
      return refusal === 'answer' && lost ? new RestError('ANSWER_COMPETITIVE_REQUEST') : accessDenied();
    };
    const { value, work } = await this.store.write(async (trx) => {
      const work = newWork(trx, nowMs);
      const chat = await lockChatById(trx, chatId);
      if (!chat) throw refusal === 'operator-wrong' ? new RestError('OPERATOR_WRONG') : chatInvalid();
      const open = await findOpenSession(trx, chat.userCode);
      const session = open && (await lockSession(trx, open.id));
      if (!(await mayAct(trx, caller, session))) throw refuse(session);
      return { value: await act({ work, chat, session }), work };
    });
    this.wake(work);
    return value;
  }

  private wake(work: EngineWork): void {
    this.events.committed(work.emitted > 0 || work.wake);
  }

  private async lineOf(db: Db, session: Session): Promise<Line> {
    const line = await findLine(db, session.lineId);
    if (!line) throw new RestError('NOT_LOAD_SESSION_OR_CHAT');
    return line;
  }

  /** The pinned session's auto-close day as the reference writes it: `[b]d F[/b]` (e.g. `[b]09 December[/b]`). */
  private closeDay(ms: number): string {
    const format = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'long', timeZone: this.timeZone });
    const parts = new Map(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    return `[b]${parts.get('day')} ${parts.get('month')}[/b]`;
  }
}

/** The checkAccess of §7.0 as openlines has it (see the head of this file). */
export async function mayAct(db: Db, caller: Caller, session: Session | undefined): Promise<boolean> {
  if (caller.isAdmin) return true;
  if (!session) return false;
  if (session.operatorId === caller.userId) return true;
  return (await isOfferedTo(db, session.id, caller.userId)) || isMember(db, session.id, caller.userId);
}
