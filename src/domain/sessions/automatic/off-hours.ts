// Working hours at work (issue 18; runtime-sessions.md §2.2 step 4 and §4): a session a customer opens while the
// line is off-hours (or inactive) is marked WORKTIME=N; after each customer message, off-hours, with
// WORKTIME_DAYOFF_RULE=text, the WORKTIME_DAYOFF_TEXT goes to the customer once per session while nobody has taken it
// (status below 10), and the no-answer text will then not follow. An operator's message in working time re-arms it.
// Distribution is not stopped: nothing here touches the queue. The engine calls these from its customer and
// operator paths, inside the transaction of the message.

import { findChat } from '../../../store/dialogs-repository.js';
import { setWorkTimeFlags } from '../../../store/worktime-repository.js';
import type { ChatPoster } from '../../dialogs/chat-poster.js';
import { SESSION_STATUS, type Session } from '../../dialogs/session.js';
import { type Line, lineValue } from '../../lines/line.js';
import { isOpen, workTimeOf } from '../../lines/worktime.js';
import type { EngineWork } from '../session-engine.js';

export class OffHours {
  /** `portalZone`: the zone of a line whose WORKTIME_TIMEZONE is empty (the reference's server zone). */
  constructor(
    private readonly poster: ChatPoster,
    private readonly portalZone: string,
  ) {}

  /** True when the line works at `atMs` (WORKTIME_ENABLE=N: always). */
  works(line: Line, atMs: number): boolean {
    return isOpen(workTimeOf(line, this.portalZone), atMs);
  }

  /** A customer's message opened the session (§2.2 step 4): WORKTIME=N off-hours or on an inactive line. */
  async sessionStarted(work: EngineWork, session: Session, line: Line): Promise<Session> {
    if (lineValue(line, 'ACTIVE') === 'Y' && this.works(line, work.nowMs)) return session;
    await setWorkTimeFlags(work.trx, session.id, { worktime: false });
    return { ...session, worktime: false };
  }

  /** After a customer's message is stored (§4 WorkTime::sendMessage): the off-hours text, once per session. */
  async customerWrote(work: EngineWork, session: Session, line: Line): Promise<Session> {
    const text = lineValue(line, 'WORKTIME_DAYOFF_TEXT');
    if (
      lineValue(line, 'WORKTIME_DAYOFF_RULE') !== 'text' ||
      typeof text !== 'string' ||
      text === '' ||
      session.sendNoWorkTimeText ||
      session.status >= SESSION_STATUS.ANSWER ||
      lineValue(line, 'ACTIVE') !== 'Y' ||
      this.works(line, work.nowMs)
    ) {
      return session;
    }
    const chat = await findChat(work.trx, session.chatId);
    if (!chat) return session;
    await this.poster.system(work, chat, session.id, text, { toCustomer: true, deliveredAs: session.operatorId });
    await setWorkTimeFlags(work.trx, session.id, { sendNoWorkTimeText: true, sendNoAnswerText: true });
    return { ...session, sendNoWorkTimeText: true, sendNoAnswerText: true };
  }

  /** An operator wrote to the customer (§4 WorkTime::automaticSendMessage): in working time the text is re-armed. */
  async operatorWrote(work: EngineWork, session: Session, line: Line): Promise<Session> {
    if (!session.sendNoWorkTimeText || !this.works(line, work.nowMs)) return session;
    await setWorkTimeFlags(work.trx, session.id, { sendNoWorkTimeText: false });
    return { ...session, sendNoWorkTimeText: false };
  }
}
