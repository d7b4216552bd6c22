// The session engine (issue 17; runtime-sessions.md §1-§3): every change to a session goes through here, inside
// the transaction of its cause — a customer's or an operator's message, an operator's action, or a due alarm —
// so that the session row, the offers, the alarms, the system messages and the events commit together. Timers
// are stored alarms (one per session and kind); the job that runs them calls `onAlarm`.

import type { Db } from '../../store/db.js';
import { findChat, findOpenSession } from '../../store/dialogs-repository.js';
import { findLine, operatorsOf } from '../../store/lines-repository.js';
import {
  type AlarmKind,
  busyCounts,
  clearAlarm,
  clearAlarms,
  lastOffered,
  lockSession,
  offersOf,
  saveSessionState,
  setAlarm,
  setOffers,
  stampOffered,
  waitingSessionIds,
} from '../../store/sessions-repository.js';
import type { Chat } from '../dialogs/chat.js';
import type { ChatPoster, Posting } from '../dialogs/chat-poster.js';
import { dialogItem } from '../dialogs/connector-events.js';
import { SESSION_STATUS, type Session, type SessionState } from '../dialogs/session.js';
import type { EventEmitter } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';
import { BUSY_BELOW, type Candidate, distribute, type LineRules, type Unavailable } from './distribution.js';
import { SYSTEM_TEXTS } from './system-texts.js';

/** A transaction of the engine: the posting context plus the moment and whether due work was made. */
export interface EngineWork extends Posting {
  readonly nowMs: number;
  /** An alarm was set to fall due now: wake the scheduler after the commit. */
  wake: boolean;
}

/** Who can take work now: the availability of each user for a line (§8); null = available. */
export interface AvailabilityReader {
  unavailable(
    db: Db,
    userIds: readonly number[],
    options: { readonly checkAvailable: boolean; readonly nowMs: number; readonly ignorePause?: boolean },
  ): Promise<Map<number, Unavailable | null>>;
}

/** A fresh unit of engine work in `trx` at `nowMs`. */
export function newWork(trx: Db, nowMs: number): EngineWork {
  return { trx, nowMs, stamp: new Date(nowMs).toISOString(), emitted: 0, wake: false };
}

const MONTH_MS = 30 * 24 * 3600 * 1000;
const WEEK_MS = 7 * 24 * 3600 * 1000;
/** Sessions a freed slot brings back to the queue at once (returnNotDistributedSessionsToQueue). */
const REQUEUE_LIMIT = 100;

export function lineRules(line: Line): LineRules {
  return {
    queueType: lineValue(line, 'QUEUE_TYPE'),
    maxChat: lineValue(line, 'MAX_CHAT'),
    queueTimeSeconds: lineValue(line, 'QUEUE_TIME'),
  };
}

export class SessionEngine {
  constructor(
    private readonly events: EventEmitter,
    private readonly poster: ChatPoster,
    private readonly availability: AvailabilityReader,
  ) {}

  // ---- Customers

  /** A customer's message opened `session` (status 0): the first distribution (§3.6) and its messages (§2.2). */
  async customerSessionStarted(work: EngineWork, chat: Chat, session: Session, line: Line): Promise<Session> {
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.sessionStarted(session.id));
    let next: Session;
    // A line with sessions nobody could take: this one waits its turn behind them (isUndistributedSession).
    const behind = await waitingSessionIds(work.trx, line.id, { undistributedOnly: true, limit: 1 });
    if (behind.some((id) => id !== session.id)) {
      next = await this.save(work, session, { undistributed: true });
      await this.setAlarm(work, session.id, 'queue', work.nowMs);
    } else {
      next = await this.distribute(work, chat, session, line, 'first');
    }
    await this.setAlarm(work, session.id, 'close', work.nowMs + MONTH_MS);
    return next;
  }

  /** The customer wrote into an open session (after the message is stored): §1.2 A.1. */
  async customerWrote(work: EngineWork, session: Session): Promise<Session> {
    const taken = !session.waitAnswer;
    const next = await this.save(work, session, {
      messageCount: session.messageCount + 1,
      dateLastMessage: work.stamp,
      waitAction: false,
      ...(taken ? { status: session.status >= 40 ? SESSION_STATUS.CLIENT_AFTER_OPERATOR : SESSION_STATUS.CLIENT } : {}),
    });
    await this.setAlarm(work, session.id, 'close', work.nowMs + (session.pinned ? WEEK_MS : MONTH_MS));
    return next;
  }

  // ---- Operators

  /**
   * Before an operator's message is stored: a session nobody has taken yet is taken by the writer when it is
   * offered to them or to nobody (DECISIONS.md; §3.11 auto-take by writing).
   */
  async operatorWrites(work: EngineWork, chat: Chat, session: Session, userId: number): Promise<Session> {
    if (!session.waitAnswer) return session;
    const offered = await offersOf(work.trx, session.id);
    if (offered.length > 0 && !offered.includes(userId) && session.operatorId !== userId) return session;
    return this.answer(work, chat, session, userId);
  }

  /** After an operator's message to the customer: status 40 (50 in closing mode) and the auto-close timer. */
  async operatorWrote(work: EngineWork, session: Session, line: Line): Promise<Session> {
    const closing = session.waitAction && !session.waitAnswer;
    const wasAnswered = session.status >= 25 && session.status !== SESSION_STATUS.CLIENT;
    const next = await this.save(work, session, {
      status: closing ? SESSION_STATUS.WAIT_CLIENT : SESSION_STATUS.OPERATOR,
      dateFirstAnswer: session.dateFirstAnswer ?? work.stamp,
    });
    const delayMs = closing
      ? lineValue(line, 'FULL_CLOSE_TIME') * 60_000
      : session.pinned
        ? WEEK_MS
        : lineValue(line, 'AUTO_CLOSE_TIME') * 1000;
    await this.setAlarm(work, session.id, 'close', work.nowMs + Math.max(0, delayMs));
    // A reply can free a slot (checkFreeSlotBySendMessage, §3.8).
    const typeMaxChat = lineValue(line, 'TYPE_MAX_CHAT');
    if (lineValue(line, 'MAX_CHAT') > 0 && (!wasAnswered || typeMaxChat === 'answered')) {
      await this.requeueWaiting(work, line, { undistributedOnly: true });
    }
    return next;
  }

  /** The user takes the session (operator.answer, §3.11): status 10, the queue stops, others lose the offer. */
  async answer(work: EngineWork, chat: Chat, session: Session, userId: number): Promise<Session> {
    const next = await this.save(work, session, {
      operatorId: userId,
      waitAnswer: false,
      waitAction: false,
      sendNoAnswerText: true,
      undistributed: false,
      dateOperator: session.operatorId === userId ? session.dateOperator : work.stamp,
      dateOperatorAnswer: session.dateOperatorAnswer ?? work.stamp,
      status: session.status < SESSION_STATUS.ANSWER ? SESSION_STATUS.ANSWER : session.status,
    });
    await setOffers(work.trx, session.id, []);
    await clearAlarm(work.trx, session.id, 'queue');
    await clearAlarm(work.trx, session.id, 'no_answer');
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.picked(userId));
    return next;
  }

  /**
   * operator.skip (§7.2): strictly/evenly pass it to the next operator now; alone (or `all`) the session stays and
   * the skip-alone note is posted. False when it stayed.
   */
  async skip(work: EngineWork, chat: Chat, session: Session, line: Line, userId: number): Promise<boolean> {
    const rules = lineRules(line);
    if (rules.queueType !== 'all') {
      const probe = distribute(await this.candidates(work, line, session), rules, {
        operatorId: session.operatorId,
        history: session.queueHistory,
      });
      const next = probe.operators[0];
      if (next !== undefined && next !== userId) {
        await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.rejected(userId));
        await this.distribute(work, chat, session, line, 'next');
        await this.requeueWaiting(work, line, { undistributedOnly: true });
        return true;
      }
    }
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.skipAlone);
    return false;
  }

  /**
   * Closing (§2.3): the first close sends the line's close text (CLOSE_RULE, or AUTO_CLOSE_RULE when `auto`) and
   * waits FULL_CLOSE_TIME minutes in status 50; without a text, or in closing mode already, the close is final.
   */
  async finish(
    work: EngineWork,
    chat: Chat,
    session: Session,
    line: Line,
    how: { readonly auto: boolean; readonly byUserId: number },
  ): Promise<Session> {
    const active = lineValue(line, 'ACTIVE') === 'Y';
    if (session.closed || session.spam || (session.waitAction && !session.waitAnswer) || !active) {
      return this.closeFinally(work, chat, session, line, how.auto ? 'auto' : 'operator');
    }
    const rule = how.auto ? lineValue(line, 'AUTO_CLOSE_RULE') : lineValue(line, 'CLOSE_RULE');
    const text = how.auto ? lineValue(line, 'AUTO_CLOSE_TEXT') : lineValue(line, 'CLOSE_TEXT');
    if (rule === 'text' && typeof text === 'string' && text !== '') {
      await this.poster.system(work, chat, session.id, text, { toCustomer: true, deliveredAs: session.operatorId });
      const next = await this.save(work, session, {
        status: SESSION_STATUS.WAIT_CLIENT,
        waitAction: true,
        waitAnswer: false,
      });
      await setOffers(work.trx, session.id, []);
      await clearAlarm(work.trx, session.id, 'queue');
      await this.setAlarm(work, session.id, 'close', work.nowMs + lineValue(line, 'FULL_CLOSE_TIME') * 60_000);
      await this.requeueWaiting(work, line, { undistributedOnly: true });
      return next;
    }
    const note = how.auto ? SYSTEM_TEXTS.closedAutomatically : SYSTEM_TEXTS.closedBy(how.byUserId);
    await this.poster.system(work, chat, session.id, note);
    return this.close(work, chat, session, line, how.auto ? 'auto' : 'operator');
  }

  /** operator.spam (§7.3): a final close as spam. */
  async markSpam(work: EngineWork, chat: Chat, session: Session, line: Line, userId: number): Promise<Session> {
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.markedSpam(userId));
    const spam = await this.save(work, session, { spam: true });
    return this.closeFinally(work, chat, spam, line, 'spam');
  }

  /** Hands the session to another operator of the line (operator.transfer to a user, §7.4): offered to them. */
  async transferToUser(work: EngineWork, chat: Chat, session: Session, line: Line, from: number, to: number) {
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.transferred(from, to));
    const next = await this.save(work, session, {
      operatorId: to,
      waitAnswer: true,
      status: SESSION_STATUS.SKIP,
      queueHistory: [to],
      dateOperator: work.stamp,
      undistributed: false,
    });
    await setOffers(work.trx, session.id, [to]);
    const rules = lineRules(line);
    await this.setAlarm(
      work,
      session.id,
      'queue',
      work.nowMs + distribute([], rules, { operatorId: 0, history: [] }).nextInSeconds * 1000,
    );
    await this.requeueWaiting(work, line, { undistributedOnly: true });
    return next;
  }

  /**
   * The session's line's strategy picks whom to offer it to (`first`: at creation, §3.6; `next`: a timeout or a
   * skip, §3.7) and the offer is stored, announced and timed.
   */
  async distribute(
    work: EngineWork,
    chat: Chat,
    session: Session,
    line: Line,
    occasion: 'first' | 'next',
  ): Promise<Session> {
    const rules = lineRules(line);
    const offer = distribute(await this.candidates(work, line, session), rules, {
      operatorId: session.operatorId,
      history: session.queueHistory,
    });
    await this.setAlarm(work, session.id, 'queue', work.nowMs + offer.nextInSeconds * 1000);
    const previous = session.operatorId;
    const taken = !session.waitAnswer;
    if (offer.operators.length === 0) {
      if (occasion === 'next' && (previous !== 0 || taken)) {
        await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.noOperatorAvailable);
      }
      await setOffers(work.trx, session.id, []);
      return this.save(work, session, {
        operatorId: 0,
        waitAnswer: true,
        undistributed: true,
        queueHistory: [],
        status: occasion === 'first' ? session.status : SESSION_STATUS.SKIP,
      });
    }
    const single = rules.queueType === 'all' ? 0 : (offer.operators[0] ?? 0);
    if (rules.queueType === 'evenly' && single !== 0) await stampOffered(work.trx, line.id, single, work.nowMs);
    const before = await offersOf(work.trx, session.id);
    await setOffers(work.trx, session.id, offer.operators);
    if (occasion === 'first') {
      const text =
        rules.queueType === 'all' && offer.operators.length > 1
          ? SYSTEM_TEXTS.assignedToAll
          : SYSTEM_TEXTS.assignedTo(offer.operators[0] ?? 0);
      await this.poster.system(work, chat, session.id, text);
    } else if (single !== 0 && single !== previous) {
      await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.transferredByQueue(single));
    } else if (rules.queueType === 'all' && offer.operators.some((id) => !before.includes(id))) {
      await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.assignedToAll);
    }
    return this.save(work, session, {
      operatorId: single,
      waitAnswer: true,
      undistributed: false,
      queueHistory: offer.history,
      dateOperator: single !== 0 && single !== previous ? work.stamp : session.dateOperator,
      status: occasion === 'first' ? session.status : SESSION_STATUS.SKIP,
    });
  }

  /**
   * Waiting sessions of the line get their queue alarm now (§3.8: a slot freed, an operator came back, the queue
   * changed): the undistributed ones, or every one not yet taken.
   */
  async requeueWaiting(work: EngineWork, line: Line, which: { readonly undistributedOnly: boolean }): Promise<void> {
    const all = lineRules(line).queueType === 'all';
    const ids = await waitingSessionIds(work.trx, line.id, {
      undistributedOnly: which.undistributedOnly && !all,
      limit: REQUEUE_LIMIT,
    });
    for (const id of ids) await this.setAlarm(work, id, 'queue', work.nowMs);
  }

  // ---- Timers

  /** A due alarm of `sessionId` (the job has claimed it and removed it in this transaction). */
  async onAlarm(work: EngineWork, sessionId: number, kind: AlarmKind): Promise<void> {
    const session = await lockSession(work.trx, sessionId);
    if (!session || session.closed) return;
    const chat = await findChat(work.trx, session.chatId);
    const line = await findLine(work.trx, session.lineId);
    if (!chat || !line) return;
    if (kind === 'queue') {
      // Taken sessions are not redistributed (their queue alarm is cleared when taken); a stale one does nothing.
      if (!session.waitAnswer) return;
      await this.distribute(work, chat, session, line, 'next');
    } else if (kind === 'close') {
      await this.finish(work, chat, session, line, { auto: true, byUserId: 0 });
    }
  }

  // ---- Inside

  /** The final close (§2.3 step 1): status 60 (65 for spam), "Conversation closed.", OnImConnectorDialogFinish. */
  private async closeFinally(
    work: EngineWork,
    chat: Chat,
    session: Session,
    line: Line,
    reason: string,
  ): Promise<Session> {
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.closedFinal);
    return this.close(work, chat, session, line, reason);
  }

  private async close(work: EngineWork, chat: Chat, session: Session, line: Line, reason: string): Promise<Session> {
    const next = await this.save(work, session, {
      closed: true,
      closedAt: work.stamp,
      status: session.spam ? SESSION_STATUS.SPAM : SESSION_STATUS.CLOSE,
      waitAction: false,
      pinned: false,
      closeReason: session.spam ? 'spam' : reason,
    });
    await setOffers(work.trx, session.id, []);
    await clearAlarms(work.trx, session.id);
    await this.requeueWaiting(work, line, { undistributedOnly: true });
    work.emitted += await this.dialogEvent(work, 'OnImConnectorDialogFinish', chat, next, line);
    return next;
  }

  private async dialogEvent(
    work: EngineWork,
    name: 'OnImConnectorDialogStart' | 'OnImConnectorDialogFinish',
    chat: Chat,
    session: Session,
    line: Line,
  ): Promise<number> {
    const connector = await work.trx
      .selectFrom('connectors')
      .select(['code', 'app_id'])
      .where('id', '=', chat.connectorId)
      .executeTakeFirst();
    if (!connector) return 0;
    return this.events.emit(work.trx, name, {
      connector: connector.code,
      line: chat.lineId,
      ownerAppId: Number(connector.app_id),
      data: [dialogItem(chat, session, { parentId: session.parentId, closeTerm: lineValue(line, 'FULL_CLOSE_TIME') })],
    });
  }

  /** The line's expanded queue as distribution sees it: availability, load and last offer per member. */
  private async candidates(work: EngineWork, line: Line, session: Session): Promise<Candidate[]> {
    const members = (await operatorsOf(work.trx, [line.id])).get(line.id) ?? [];
    const ids = [...new Set(members.map((m) => m.userId))];
    const checkAvailable = lineValue(line, 'CHECK_AVAILABLE') === 'Y';
    const [unavailable, busy, offered] = await Promise.all([
      this.availability.unavailable(work.trx, ids, { checkAvailable, nowMs: work.nowMs }),
      busyCounts(work.trx, line.id, ids, BUSY_BELOW[lineValue(line, 'TYPE_MAX_CHAT')]),
      lastOffered(work.trx, line.id, ids),
    ]);
    void session;
    return ids.map((userId) => ({
      userId,
      unavailable: unavailable.get(userId) ?? null,
      busy: busy.get(userId) ?? 0,
      lastOfferedMs: offered.get(userId) ?? null,
    }));
  }

  private async setAlarm(work: EngineWork, sessionId: number, kind: AlarmKind, dueAtMs: number): Promise<void> {
    await setAlarm(work.trx, sessionId, kind, dueAtMs);
    if (dueAtMs <= work.nowMs) work.wake = true;
  }

  private async save(work: EngineWork, session: Session, changes: Partial<SessionState>): Promise<Session> {
    const next: Session = { ...session, ...changes };
    await saveSessionState(work.trx, session.id, next, work.stamp);
    return next;
  }
}

/** The open session of a chat, for callers that start from the chat. */
export async function openSessionOf(db: Db, chat: Chat): Promise<Session | undefined> {
  return findOpenSession(db, chat.userCode);
}
