// Rating a session (issue 18; runtime-sessions.md §2.4, §7.13): the vote request at the first close, the customer's
// `1` / `0` answer on an external channel (which may reopen the closed session still waiting for it, or come too
// late), and the supervisor's rating. The session engine and the dialog service call these at their hook points,
// inside the transaction of the cause.

import { findLine } from '../../../store/lines-repository.js';
import { saveSessionState, setAlarm } from '../../../store/sessions-repository.js';
import { closedSessionAwaitingVote } from '../../../store/votes-repository.js';
import type { Chat } from '../../dialogs/chat.js';
import type { ChatPoster } from '../../dialogs/chat-poster.js';
import { SESSION_VOTE, type Session, type SessionState } from '../../dialogs/session.js';
import type { EventEmitter } from '../../events/event-service.js';
import { type Line, lineValue } from '../../lines/line.js';
import type { EngineWork } from '../session-engine.js';
import { SYSTEM_TEXTS } from '../system-texts.js';
import { headRated, sessionRated } from './rating-notice.js';

/** A customer's message that answers a vote request (§2.4). */
export interface Rating {
  /** The session that waits for the vote: open, or just reopened. */
  readonly session: Session;
  /** The text to store: `[like]` / `[dislike]` and the rest, or the message as sent when it came too late. */
  readonly text: string;
  /** SESSION_VOTE.LIKE / DISLIKE, or null: VOTE_TIME_LIMIT is over. */
  readonly vote: number | null;
}

/**
 * A vote attempt (§2.4): not the live chat, the text starts with `1` or `0`, and is that one character (after
 * trimming) or has a space second: `1`, `0`, `1 thanks`; not `10`, not ` 1`.
 */
export function isVoteAttempt(connectorCode: string, text: string): boolean {
  if (connectorCode === 'livechat' || !/^[01]/.test(text)) return false;
  return text.trim().length === 1 || text[1] === ' ';
}

/** The supervisor's rating as the reference keeps it: 1..5, anything else 0 (voteAsHead). */
export function headRating(raw: number): number {
  return raw >= 1 && raw <= 5 ? raw : 0;
}

const COMMENT_MAX = 10_000;

export class Votes {
  /** `events`: OnOpenlinesSessionVote and the operator's rating notice (./rating-notice.ts) go out when given. */
  constructor(
    private readonly poster: ChatPoster,
    private readonly events?: EventEmitter,
  ) {}

  /**
   * The first close (§2.3 step 3): with VOTE_MESSAGE=Y and no vote yet, the vote request (VOTE_MESSAGE_2_TEXT, the
   * text of external channels) goes to the customer. The changes to save, or null when none was sent.
   */
  async request(work: EngineWork, chat: Chat, session: Session, line: Line): Promise<Partial<SessionState> | null> {
    const text = lineValue(line, 'VOTE_MESSAGE_2_TEXT');
    if (lineValue(line, 'VOTE_MESSAGE') !== 'Y' || session.vote !== SESSION_VOTE.NONE) return null;
    if (typeof text !== 'string' || text === '') return null;
    await this.poster.system(work, chat, session.id, text, { toCustomer: true, deliveredAs: session.operatorId });
    const limitSeconds = lineValue(line, 'VOTE_TIME_LIMIT');
    return {
      waitVote: true,
      dateCloseVote: limitSeconds > 0 ? new Date(work.nowMs + limitSeconds * 1000).toISOString() : null,
    };
  }

  /**
   * Before a customer's message is stored (§2.4): a vote attempt answers the open session waiting for a vote, or
   * the newest closed one of the user code that still waits (reopened: "Conversation #N resumed", closing mode,
   * FULL_CLOSE_TIME to go) unless its time is over. Undefined: an ordinary message.
   */
  async intake(
    work: EngineWork,
    chat: Chat,
    open: Session | undefined,
    connectorCode: string,
    text: string,
  ): Promise<Rating | undefined> {
    if (!isVoteAttempt(connectorCode, text)) return undefined;
    let session = open;
    if (!session) session = await closedSessionAwaitingVote(work.trx, chat.userCode);
    if (!session?.waitVote) return undefined;
    const vote = text.startsWith('1') ? SESSION_VOTE.LIKE : SESSION_VOTE.DISLIKE;
    if (session.dateCloseVote !== null && Date.parse(session.dateCloseVote) < work.nowMs) {
      return { session, text, vote: null };
    }
    const marked = `${vote === SESSION_VOTE.LIKE ? '[like]' : '[dislike]'}${text.slice(1)}`;
    if (session.closed) {
      const line = await findLine(work.trx, session.lineId);
      await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.resumed(session.id));
      session = await this.save(work, session, {
        closed: false,
        closedAt: null,
        closeReason: '',
        waitAction: true,
        waitAnswer: false,
        pinned: false,
      });
      const fullCloseMs = line ? lineValue(line, 'FULL_CLOSE_TIME') * 60_000 : 0;
      await setAlarm(work.trx, session.id, 'close', work.nowMs + Math.max(0, fullCloseMs));
      if (fullCloseMs <= 0) work.wake = true;
    }
    return { session, text: marked, vote };
  }

  /**
   * After the vote message is stored: the reply (VOTE_MESSAGE_2_LIKE / _DISLIKE) and the vote, when that reply is
   * not empty; "Cannot rate this conversation." when the time is over. True when the session should now close
   * (VOTE_CLOSING_DELAY=Y); the status and the close timer do not change otherwise.
   */
  async answered(work: EngineWork, chat: Chat, rating: Rating, line: Line | undefined): Promise<boolean> {
    const { session, vote } = rating;
    if (vote === null) {
      await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.voteTimeOver, { toCustomer: true });
      return false;
    }
    if (!line) return false;
    const reply = lineValue(line, vote === SESSION_VOTE.LIKE ? 'VOTE_MESSAGE_2_LIKE' : 'VOTE_MESSAGE_2_DISLIKE');
    if (typeof reply !== 'string' || reply === '') return false;
    await this.save(work, session, { vote, waitVote: false });
    await this.poster.system(work, chat, session.id, reply, { toCustomer: true, deliveredAs: session.operatorId });
    if (this.events) await sessionRated(work, this.events, chat, session, vote);
    return lineValue(line, 'VOTE_CLOSING_DELAY') === 'Y';
  }

  /**
   * session.head.vote (§7.13): the supervisor's rating (1..5, else 0) and comment (cut at 10 000 characters); the
   * session's operator gets the rating notice.
   */
  async head(work: EngineWork, session: Session, rating: number, comment: string, byUserId = 0): Promise<Session> {
    const cut = comment.length > COMMENT_MAX ? `${comment.slice(0, COMMENT_MAX)}...` : comment;
    if (byUserId > 0) await headRated(work, session, headRating(rating), byUserId);
    return this.save(work, session, { voteHead: headRating(rating), commentHead: cut });
  }

  private async save(work: EngineWork, session: Session, changes: Partial<SessionState>): Promise<Session> {
    const next: Session = { ...session, ...changes };
    await saveSessionState(work.trx, session.id, next, work.stamp);
    return next;
  }
}
