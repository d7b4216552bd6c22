// The session engine (issue 17; runtime-sessions.md §1-§3): every change to a session goes through here, inside
// the transaction of its cause — a customer's or an operator's message, an operator's action, or a due alarm —
// so that the session row, the offers, the alarms, the system messages and the events commit together. Timers
// are stored alarms (one per session and kind); the job that runs them calls `onAlarm`.

import type { Db } from '../../store/db.js';
import {
  findChat,
  findOpenSession,
  insertMessage,
  insertSession,
  lastSessionId,
} from '../../store/dialogs-repository.js';
import { findLine, operatorsOf } from '../../store/lines-repository.js';
import { addMember, moveSessionToLine, removeMembers } from '../../store/operator-sessions-repository.js';
import {
  type AlarmKind,
  busyCounts,
  clearAlarm,
  clearAlarms,
  lastOffered,
  linesOfOperator,
  lockSession,
  offersOf,
  openSessionsOfLine,
  saveSessionState,
  sessionsOfOperator,
  setAlarm,
  setOffers,
  stampOffered,
  waitingSessionIds,
} from '../../store/sessions-repository.js';
import type { Chat } from '../dialogs/chat.js';
import type { ChatPoster, Posting } from '../dialogs/chat-poster.js';
import type { Message } from '../dialogs/message.js';
import { SESSION_STATUS, type Session, type SessionState } from '../dialogs/session.js';
import type { EventEmitter } from '../events/event-service.js';
import { type Line, lineValue } from '../lines/line.js';
import { workStartsAt, workTimeOf } from '../lines/worktime.js';
import { SessionKpi } from './automatic/kpi.js';
import { LineAutomation } from './automatic/line-automation.js';
import { OffHours } from './automatic/off-hours.js';
import { Votes } from './automatic/votes.js';
import {
  BUSY_BELOW,
  type Candidate,
  distribute,
  type Exclusion,
  exclusionOf,
  type LineRules,
  type Unavailable,
} from './distribution.js';
import type { LineInputs } from './distribution-inputs.js';
import { announceSession } from './session-events.js';
import { SYSTEM_TEXTS } from './system-texts.js';

/** A transaction of the engine: the posting context plus the moment and whether due work was made. */
export interface EngineWork extends Posting {
  readonly nowMs: number;
  /** An alarm was set to fall due now: wake the scheduler after the commit. */
  wake: boolean;
  /** A batch of alarms in one transaction: the lines' distribution inputs, read once (issue 20). */
  readonly lineInputs?: LineInputs;
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

/** The returned-session text for each reason (§3.9); OFFLINE has no English text there: "not available". */
const RETURN_TEXT = {
  DISMISSAL: 'DISMISSAL',
  VACATION: 'VACATION',
  NONWORKING: 'NONWORKING',
  OFFLINE: 'NOT_AVAILABLE',
} as const satisfies Record<Unavailable, keyof typeof SYSTEM_TEXTS.returned>;

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
  /** Working hours (§4): domain/sessions/automatic/off-hours.ts. */
  private readonly offHours: OffHours;
  /** KPI deadlines (automatic/kpi.ts, issue 18). */
  readonly kpi: SessionKpi;
  /** The line's automatic actions (welcome, no answer, inactive line) and the rating (issue 18). */
  readonly automation: LineAutomation;
  readonly votes: Votes;

  constructor(
    private readonly events: EventEmitter,
    private readonly poster: ChatPoster,
    private readonly availability: AvailabilityReader,
    options: { readonly timeZone?: string } = {},
  ) {
    this.offHours = new OffHours(poster, options.timeZone ?? 'UTC');
    // A KPI deadline that arrives off hours starts when the line next opens (§6).
    const zone = options.timeZone ?? 'UTC';
    this.kpi = new SessionKpi(events, (line, nowMs) => workStartsAt(workTimeOf(line, zone), nowMs) ?? nowMs);
    this.automation = new LineAutomation(poster);
    this.votes = new Votes(poster, events); // the rating notice and OnOpenlinesSessionVote (issue 18)
  }

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
    // Issue 18: the no-answer timer; an inactive line's closing mode (§2.2 step 4).
    next = await this.save(work, next, await this.automation.sessionOpened(work, next, line));
    return this.offHours.sessionStarted(work, next, line); // working hours: WORKTIME=N (§2.2, §4)
  }

  /** The customer wrote into an open session (after the message is stored): §1.2 A.1. */
  async customerWrote(work: EngineWork, session: Session, line: Line | undefined): Promise<Session> {
    // Issue 18: the welcome message, the inactive line's note (§2.2 step 9).
    const automatic = line ? await this.automation.customerMessageStored(work, session, line) : {};
    const taken = !session.waitAnswer;
    let next = await this.save(work, session, {
      ...automatic,
      messageCount: session.messageCount + 1,
      dateLastMessage: work.stamp,
      waitAction: false,
      ...(taken ? { status: session.status >= 40 ? SESSION_STATUS.CLIENT_AFTER_OPERATOR : SESSION_STATUS.CLIENT } : {}),
    });
    if (line) next = await this.offHours.customerWrote(work, next, line); // working hours: the off-hours text (§4)
    await this.setAlarm(work, session.id, 'close', work.nowMs + (session.pinned ? WEEK_MS : MONTH_MS));
    if (line) await this.checkOperatorStillThere(work, next, line);
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
    await this.kpi.answered(work, session.id); // KPI (issue 18)
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
    return this.offHours.operatorWrote(work, next, line); // working hours: re-armed in working time (§4)
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
      const probe = distribute(await this.candidates(work.trx, line, work.nowMs), rules, {
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
    await this.kpi.answered(work, session.id); // KPI (issue 18)
    if (session.closed || session.spam || (session.waitAction && !session.waitAnswer) || !active) {
      return this.closeFinally(work, chat, session, line, how.auto ? 'auto' : 'operator');
    }
    const rule = how.auto ? lineValue(line, 'AUTO_CLOSE_RULE') : lineValue(line, 'CLOSE_RULE');
    const text = how.auto ? lineValue(line, 'AUTO_CLOSE_TEXT') : lineValue(line, 'CLOSE_TEXT');
    const sendText = rule === 'text' && typeof text === 'string' && text !== '';
    if (sendText) {
      await this.poster.system(work, chat, session.id, text, { toCustomer: true, deliveredAs: session.operatorId });
    }
    // Issue 18: the vote request (§2.4).
    const vote = await this.votes.request(work, chat, session, line);
    if (sendText || vote) {
      const next = await this.save(work, session, {
        ...vote,
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

  /** Hands the session to another user (operator.transfer to a user, §7.4): the target takes it at once. */
  async transferToUser(work: EngineWork, chat: Chat, session: Session, line: Line, from: number, to: number) {
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.transferred(from, to));
    // The target takes it at once (Chat::answer without its message): the queue and the no-answer timer stop.
    const next = await this.save(work, session, {
      operatorId: to,
      waitAnswer: false,
      waitAction: false,
      sendNoAnswerText: true,
      undistributed: false,
      queueHistory: [to],
      dateOperator: work.stamp,
      dateOperatorAnswer: session.dateOperatorAnswer ?? work.stamp,
      status: session.status < SESSION_STATUS.ANSWER ? SESSION_STATUS.ANSWER : session.status,
    });
    await setOffers(work.trx, session.id, []);
    await clearAlarm(work.trx, session.id, 'queue');
    await clearAlarm(work.trx, session.id, 'no_answer');
    await this.setAlarm(work, session.id, 'close', work.nowMs + MONTH_MS);
    // OnOperatorTransfer: a slot may have freed (§3.8).
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
    // Issue 20: a batch of alarms reads the line's inputs once (distribution-inputs.ts).
    const read = () => this.candidates(work.trx, line, work.nowMs);
    const candidates = work.lineInputs ? await work.lineInputs.candidates(line.id, read) : await read();
    const offer = distribute(candidates, rules, {
      operatorId: session.operatorId,
      history: session.queueHistory,
    });
    const stored = await this.storeOffer(work, chat, session, line, occasion, offer);
    work.lineInputs?.offered(line.id, {
      statusBelow: BUSY_BELOW[lineValue(line, 'TYPE_MAX_CHAT')],
      before: session,
      after: stored,
      stamped: rules.queueType === 'evenly' ? (offer.operators[0] ?? 0) : 0,
      nowMs: work.nowMs,
    });
    return stored;
  }

  private async storeOffer(
    work: EngineWork,
    chat: Chat,
    session: Session,
    line: Line,
    occasion: 'first' | 'next',
    offer: ReturnType<typeof distribute>,
  ): Promise<Session> {
    const rules = lineRules(line);
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
    // Only `all` compares with the offers before (issue 20: a read fewer for the others).
    const before = rules.queueType === 'all' ? await offersOf(work.trx, session.id) : [];
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

  /**
   * A line's settings changed (§3.8, §3.9): with a new queue or QUEUE_TYPE every session not yet taken is
   * distributed again now; sessions held by or offered to operators no longer in the queue go back to it.
   */
  async lineChanged(work: EngineWork, lineId: number, fields: ReadonlySet<string>): Promise<void> {
    if (!fields.has('QUEUE') && !fields.has('QUEUE_TYPE')) return;
    const line = await findLine(work.trx, lineId);
    if (!line) return;
    if (fields.has('QUEUE')) {
      const members = new Set(((await operatorsOf(work.trx, [line.id])).get(line.id) ?? []).map((m) => m.userId));
      for (const session of await openSessionsOfLine(work.trx, line.id)) {
        const offers = await offersOf(work.trx, session.id);
        const holderGone = session.operatorId !== 0 && !members.has(session.operatorId);
        if (holderGone && !session.pinned && session.status < SESSION_STATUS.WAIT_CLIENT) {
          await this.returnToQueue(work, session, 'REMOVING');
        } else if (offers.some((id) => !members.has(id))) {
          await setOffers(
            work.trx,
            session.id,
            offers.filter((id) => members.has(id)),
          );
          await this.setAlarm(work, session.id, 'queue', work.nowMs);
        }
      }
    }
    await this.requeueWaiting(work, line, { undistributedOnly: false });
  }

  /**
   * The session leaves its operator for the queue (§3.9 returnSessionToQueue): a taken one says why, and the
   * next queue pass offers it again.
   */
  async returnToQueue(
    work: EngineWork,
    session: Session,
    reason: keyof typeof SYSTEM_TEXTS.returned,
  ): Promise<Session> {
    const locked = (await lockSession(work.trx, session.id)) ?? session;
    const chat = await findChat(work.trx, locked.chatId);
    if (chat && locked.operatorId !== 0 && locked.status >= SESSION_STATUS.ANSWER) {
      await this.poster.system(work, chat, locked.id, SYSTEM_TEXTS.returned[reason]);
    }
    const next = await this.save(work, locked, {
      operatorId: 0,
      waitAnswer: true,
      status: locked.status > SESSION_STATUS.SKIP ? SESSION_STATUS.SKIP : locked.status,
    });
    await setOffers(work.trx, locked.id, []);
    await this.setAlarm(work, locked.id, 'queue', work.nowMs);
    return next;
  }

  /**
   * An operator became available again (pause stopped, back from absence, online, §3.8): on each line of theirs,
   * strictly offers the undistributed sessions again; evenly and all every session not yet taken (rebalancing).
   */
  async operatorAvailable(work: EngineWork, userId: number): Promise<void> {
    for (const lineId of await linesOfOperator(work.trx, userId)) {
      const line = await findLine(work.trx, lineId);
      if (!line) continue;
      await this.requeueWaiting(work, line, { undistributedOnly: lineRules(line).queueType === 'strictly' });
    }
  }

  /**
   * An operator stopped being available (pause, absence, offline, §3.9 returnNotAcceptedSessionsToQueue): on each
   * line with CHECK_AVAILABLE=Y where they are not the only operator, their sessions not yet replied to (status
   * below 40, not pinned) go back to the queue.
   */
  async operatorUnavailable(
    work: EngineWork,
    userId: number,
    reason: 'VACATION' | 'NONWORKING' | 'OFFLINE',
  ): Promise<void> {
    for (const session of await sessionsOfOperator(work.trx, userId)) {
      if (session.pinned || session.status >= SESSION_STATUS.OPERATOR) continue;
      const line = await findLine(work.trx, session.lineId);
      if (!line || lineValue(line, 'CHECK_AVAILABLE') !== 'Y') continue;
      const members = (await operatorsOf(work.trx, [line.id])).get(line.id) ?? [];
      if (new Set(members.map((m) => m.userId)).size <= 1) continue;
      if (session.operatorId === userId) await this.returnToQueue(work, session, RETURN_TEXT[reason]);
      else {
        const offers = await offersOf(work.trx, session.id);
        await setOffers(
          work.trx,
          session.id,
          offers.filter((id) => id !== userId),
        );
        await this.setAlarm(work, session.id, 'queue', work.nowMs);
      }
    }
  }

  /**
   * The customer wrote into a session whose operator is no longer available (§3.9 isRemoveSession): taken, not
   * pinned, not the line's only operator, and unavailable even ignoring a pause → back to the queue with the reason.
   */
  async checkOperatorStillThere(work: EngineWork, session: Session, line: Line): Promise<void> {
    if (session.pinned || session.operatorId === 0 || session.status < SESSION_STATUS.ANSWER) return;
    const members = (await operatorsOf(work.trx, [line.id])).get(line.id) ?? [];
    if (new Set(members.map((m) => m.userId)).size <= 1) return;
    const unavailable = await this.availability.unavailable(work.trx, [session.operatorId], {
      checkAvailable: lineValue(line, 'CHECK_AVAILABLE') === 'Y',
      nowMs: work.nowMs,
      ignorePause: true,
    });
    const reason = unavailable.get(session.operatorId);
    if (reason) await this.returnToQueue(work, session, RETURN_TEXT[reason]);
  }

  /**
   * The line is being deleted with its chats (config.delete): each open session ends for good first, so that
   * the applications hear OnImConnectorDialogFinish / OnSessionFinish for it (issue 18).
   */
  async lineDeleted(work: EngineWork, lineId: number): Promise<void> {
    const line = await findLine(work.trx, lineId);
    for (const session of await openSessionsOfLine(work.trx, lineId)) {
      const chat = await findChat(work.trx, session.chatId);
      if (!chat) continue;
      const closed = await this.save(work, session, {
        closed: true,
        closedAt: work.stamp,
        status: SESSION_STATUS.CLOSE,
        closeReason: 'operator',
      });
      work.emitted += await announceSession(this.events, work.trx, 'finish', { chat, session: closed, line });
    }
  }

  // ---- Timers

  /** A due alarm of `sessionId` (the job has claimed it and removed it in this transaction). */
  async onAlarm(
    work: EngineWork,
    sessionId: number,
    kind: AlarmKind,
    /** The session and its chat as the caller locked them in this transaction (issue 20: not read again). */
    locked?: { readonly chat: Chat; readonly session: Session },
  ): Promise<void> {
    if (kind !== 'queue') work.lineInputs?.clear(); // issue 20: only offers keep the kept inputs current
    const session = locked?.session ?? (await lockSession(work.trx, sessionId));
    if (!session || session.closed) return;
    const chat = locked?.chat ?? (await findChat(work.trx, session.chatId));
    const readLine = () => findLine(work.trx, session.lineId);
    const line = work.lineInputs ? await work.lineInputs.line(session.lineId, readLine) : await readLine();
    if (!chat || !line) return;
    if (kind === 'queue') {
      // Taken sessions are not redistributed (their queue alarm is cleared when taken); a stale one does nothing.
      if (!session.waitAnswer) return;
      await this.distribute(work, chat, session, line, 'next');
    } else if (kind === 'close') {
      await this.finish(work, chat, session, line, { auto: true, byUserId: 0 });
    } else if (kind === 'no_answer') {
      // Issue 18: the no-answer text (§3.10).
      const changes = await this.automation.noAnswerDue(work, chat, session, line);
      if (changes) await this.save(work, session, changes);
    } else if (kind === 'kpi') {
      await this.kpi.onAlarm(work, session, line); // KPI (issue 18)
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
    await this.kpi.answered(work, session.id); // KPI (issue 18)
    await clearAlarms(work.trx, session.id);
    await this.requeueWaiting(work, line, { undistributedOnly: true });
    work.emitted += await announceSession(this.events, work.trx, 'finish', { chat, session: next, line });
    return next;
  }

  /**
   * openlines.route.simulate: whom a new session of the line would be offered to at `atMs`, and why each other
   * member of the queue would not get it — the same inputs and strategy as a real first distribution.
   */
  async simulate(
    db: Db,
    line: Line,
    atMs: number,
  ): Promise<{ offer: readonly number[]; members: { candidate: Candidate; exclusion: Exclusion | null }[] }> {
    const rules = lineRules(line);
    const candidates = await this.candidates(db, line, atMs);
    const offer = distribute(candidates, rules, { operatorId: 0, history: [] });
    return {
      offer: offer.operators,
      members: candidates.map((candidate) => ({ candidate, exclusion: exclusionOf(candidate, rules, 0) })),
    };
  }

  /** The line's expanded queue as distribution sees it: availability, load and last offer per member. */
  private async candidates(db: Db, line: Line, nowMs: number): Promise<Candidate[]> {
    const members = (await operatorsOf(db, [line.id])).get(line.id) ?? [];
    const ids = [...new Set(members.map((m) => m.userId))];
    const checkAvailable = lineValue(line, 'CHECK_AVAILABLE') === 'Y';
    const [unavailable, busy, offered] = await Promise.all([
      this.availability.unavailable(db, ids, { checkAvailable, nowMs }),
      busyCounts(db, line.id, ids, BUSY_BELOW[lineValue(line, 'TYPE_MAX_CHAT')]),
      lastOffered(db, line.id, ids),
    ]);
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

  // ---- The operators' methods beyond the core (§7.4-§7.11): each one change, in the caller's transaction, with
  // the chat and the session already locked by the caller.

  /**
   * operator.transfer to a line (§7.4): the chat is emptied, the session follows line `to` (history reset, status
   * 5) and is distributed there at once; "rejected" for its own line, "redirected … from queue … to queue …" else.
   */
  async transferToLine(work: EngineWork, chat: Chat, session: Session, from: Line, to: Line, userId: number) {
    const text =
      from.id === to.id
        ? SYSTEM_TEXTS.rejected(userId)
        : SYSTEM_TEXTS.transferredToLine(
            userId,
            `[b]${lineValue(from, 'LINE_NAME')}[/b]`,
            `[b]${lineValue(to, 'LINE_NAME')}[/b]`,
          );
    await this.poster.system(work, chat, session.id, text);
    await removeMembers(work.trx, session.id);
    if (to.id !== session.lineId) await moveSessionToLine(work.trx, session.id, to.id);
    await setOffers(work.trx, session.id, []);
    const queued = await this.save(
      work,
      { ...session, lineId: to.id },
      {
        operatorId: 0,
        waitAnswer: true,
        waitAction: false,
        status: SESSION_STATUS.SKIP,
        queueHistory: [],
        undistributed: false,
      },
    );
    await this.setAlarm(work, session.id, 'close', work.nowMs + MONTH_MS);
    await this.kpi.requeued(work, session.id, to); // KPI (issue 18)
    const next = await this.distribute(work, chat, queued, to, 'next');
    if (from.id !== to.id) await this.requeueWaiting(work, from, { undistributedOnly: true });
    return next;
  }

  /** session.intercept (§7.6): the user takes the session from its operator, "took conversation from". */
  async intercept(work: EngineWork, chat: Chat, session: Session, userId: number): Promise<Session> {
    const next = await this.takeQuietly(work, session, userId);
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.intercepted(userId, session.operatorId));
    return next;
  }

  /** session.join (§7.8): the user becomes a member of the session's chat; the session does not change. */
  async join(work: EngineWork, session: Session, userId: number): Promise<void> {
    await addMember(work.trx, session.id, userId);
  }

  /**
   * session.mode.pin / unpin (§7.11). Pinning: auto-close in a week, no redistribution, the note with that day
   * (`closeDay` formats it). Unpinning: the note; with CHECK_AVAILABLE=Y a session not yet answered (status < 40)
   * whose operator is unavailable goes back to the queue without a word (NONWORKING_SILENT).
   */
  async setPinned(
    work: EngineWork,
    chat: Chat,
    session: Session,
    line: Line,
    pinned: boolean,
    closeDay: (ms: number) => string,
  ): Promise<Session> {
    if (pinned) {
      const due = work.nowMs + WEEK_MS;
      const next = await this.save(work, session, { pinned: true, waitAction: false });
      await clearAlarm(work.trx, session.id, 'queue');
      await this.setAlarm(work, session.id, 'close', due);
      await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.pinned(closeDay(due)));
      return next;
    }
    const next = await this.save(work, session, { pinned: false });
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.unpinned);
    if (lineValue(line, 'CHECK_AVAILABLE') !== 'Y' || session.status >= SESSION_STATUS.OPERATOR) return next;
    if (session.operatorId === 0) return next;
    const unavailable = await this.availability.unavailable(work.trx, [session.operatorId], {
      checkAvailable: true,
      nowMs: work.nowMs,
    });
    if (!unavailable.get(session.operatorId)) return next;
    const requeued = await this.save(work, next, { waitAnswer: true, status: SESSION_STATUS.SKIP });
    await this.setAlarm(work, session.id, 'queue', work.nowMs);
    return requeued;
  }

  /**
   * An operator starts a session in a chat without one (session.start, §7.9; message.session.start, §7.10): mode
   * output, theirs (status 10), auto-close in a month, OnImConnectorDialogStart; `note` names it in the chat.
   */
  async startOutput(
    work: EngineWork,
    chat: Chat,
    line: Line,
    userId: number,
    note: (sessionId: number) => string = SYSTEM_TEXTS.sessionStarted,
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
      send_no_answer_text: 1,
      parent_id: await lastSessionId(work.trx, chat.id),
      date_operator: work.stamp,
      date_operator_answer: work.stamp,
      date_first_answer: null,
      date_last_message: null,
    });
    await this.poster.system(work, chat, session.id, note(session.id));
    await this.setAlarm(work, session.id, 'close', work.nowMs + MONTH_MS);
    work.emitted += await announceSession(this.events, work.trx, 'start', { chat, session, line });
    return session;
  }

  /**
   * message.session.start (§7.10): the open session is closed for good ("closed the current conversation and
   * started a new one", "Conversation closed."), a new one of the user's starts (forked from it) and the chosen
   * message is posted again in it with its author, not sent to the customer.
   */
  async fork(
    work: EngineWork,
    chat: Chat,
    session: Session,
    line: Line,
    userId: number,
    message: Message,
  ): Promise<Session> {
    await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.closedForOpen(userId));
    await this.closeFinally(work, chat, session, line, 'operator');
    const started = await this.startOutput(work, chat, line, userId, (id) => SYSTEM_TEXTS.forked(id, session.id));
    await insertMessage(work.trx, {
      chatId: chat.id,
      sessionId: started.id,
      author: message.author,
      text: message.text,
      files: message.files,
      connectorMid: [],
      sending: false,
      stamp: work.stamp,
    });
    return started;
  }

  /** Taking without the "picked" note (intercept): as `answer`, the session is the user's and the queue stops. */
  private async takeQuietly(work: EngineWork, session: Session, userId: number): Promise<Session> {
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
    return next;
  }
}

/** The open session of a chat, for callers that start from the chat. */
export async function openSessionOf(db: Db, chat: Chat): Promise<Session | undefined> {
  return findOpenSession(db, chat.userCode);
}
