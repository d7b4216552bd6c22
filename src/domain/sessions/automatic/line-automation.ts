// The line's automatic actions around a customer's session (issue 18; runtime-sessions.md §2.2 steps 4 and 9, §3.10,
// §5): the welcome message after the customer's first message, the no-answer text when nobody took the session in
// NO_ANSWER_TIME, and the inactive line's note. The rating lives in ./votes.ts. The session engine calls these at
// its hook points, inside the transaction of the cause.

import { findChat } from '../../../store/dialogs-repository.js';
import { setAlarm } from '../../../store/sessions-repository.js';
import type { Chat } from '../../dialogs/chat.js';
import type { ChatPoster } from '../../dialogs/chat-poster.js';
import type { Session, SessionState } from '../../dialogs/session.js';
import { type Line, lineValue } from '../../lines/line.js';
import type { EngineWork } from '../session-engine.js';
import { SYSTEM_TEXTS } from '../system-texts.js';

/** The line is switched off (ACTIVE=N): no welcome bot, its first close is final, a note in every new session. */
export const isInactive = (line: Line): boolean => lineValue(line, 'ACTIVE') !== 'Y';

export class LineAutomation {
  constructor(private readonly poster: ChatPoster) {}

  /**
   * A customer's message opened the session (§2.2 step 4, §3.10): the no-answer timer starts (the operator path:
   * openlines has no welcome bot), and a session on an inactive line starts in closing mode. The changes to save.
   */
  async sessionOpened(work: EngineWork, session: Session, line: Line): Promise<Partial<SessionState>> {
    const dueMs = work.nowMs + Math.max(0, lineValue(line, 'NO_ANSWER_TIME')) * 1000;
    await setAlarm(work.trx, session.id, 'no_answer', dueMs);
    if (dueMs <= work.nowMs) work.wake = true;
    return isInactive(line) ? { waitAction: true } : {};
  }

  /**
   * After a customer's message is stored in `session` (§2.2 step 9; `session` as it was before the message): the
   * welcome message (§5), then the inactive line's note. The changes to save with the message's.
   */
  async customerMessageStored(work: EngineWork, session: Session, line: Line): Promise<Partial<SessionState>> {
    // An ordinary message ends the wait for a vote (§1.2 C: the status drops below 50).
    const changes: Partial<SessionState> = session.waitVote ? { waitVote: false, dateCloseVote: null } : {};
    if (session.mode !== 'input' || session.messageCount > 0) return changes;
    const chat = await findChat(work.trx, session.chatId);
    if (!chat) return changes;
    // The chat's first session (a new chat), or every session with SEND_WELCOME_EACH_SESSION=Y.
    const firstContact = session.parentId === 0;
    const eachSession = lineValue(line, 'SEND_WELCOME_EACH_SESSION') === 'Y';
    const welcome = lineValue(line, 'WELCOME_MESSAGE_TEXT');
    if (
      lineValue(line, 'WELCOME_MESSAGE') === 'Y' &&
      (firstContact || eachSession) &&
      typeof welcome === 'string' &&
      welcome !== ''
    ) {
      const text = welcome.replaceAll('#SESSION_ID#', String(session.id));
      await this.poster.system(work, chat, session.id, text, { toCustomer: true });
    }
    if (isInactive(line)) await this.poster.system(work, chat, session.id, SYSTEM_TEXTS.lineInactive);
    return changes;
  }

  /**
   * The no-answer alarm fell due (§3.10): with NO_ANSWER_RULE=text, once per session, the text to the customer.
   * Distribution is not touched. The changes to save, or null when nothing happened.
   */
  async noAnswerDue(work: EngineWork, chat: Chat, session: Session, line: Line): Promise<Partial<SessionState> | null> {
    if (session.sendNoAnswerText || session.mode !== 'input') return null;
    const text = lineValue(line, 'NO_ANSWER_TEXT');
    if (lineValue(line, 'NO_ANSWER_RULE') === 'text' && typeof text === 'string' && text !== '') {
      await this.poster.system(work, chat, session.id, text, { toCustomer: true });
      return { sendNoAnswerText: true, waitAction: true };
    }
    return { sendNoAnswerText: true };
  }
}
