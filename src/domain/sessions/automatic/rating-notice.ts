// What follows a customer's rating (issue 18; runtime-sessions.md §2.4): the session's operator gets a notification
// (the reference's Chat::sendRatingNotify: an im notification of module imopenlines, event rating_client, read with
// im.notify.get), and applications bound to OnOpenlinesSessionVote get the event (the reference's module event
// OnSessionVote, which REST applications cannot bind). Called inside the transaction that stores the vote.

import type { Db } from '../../../store/db.js';
import { insertNotifications } from '../../../store/notifications-repository.js';
import type { Chat } from '../../dialogs/chat.js';
import { SESSION_VOTE, type Session } from '../../dialogs/session.js';
import type { EventEmitter } from '../../events/event-service.js';
import { mention } from '../system-texts.js';

const NOTIFY_SYSTEM = 4;

/** The notice's text: who rated which conversation, and how ([like] / [dislike] as the chat shows them). */
export function ratingNoticeText(sessionId: number, customerId: number, vote: number): string {
  const rating = vote === SESSION_VOTE.LIKE ? '[like]' : '[dislike]';
  const dialog = `[url=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/url]`;
  return `[b]Conversation rated[/b][br]${mention(customerId)} rated conversation #${dialog}: ${rating}`;
}

export interface RatingWork {
  readonly trx: Db;
  readonly stamp: string;
  emitted: number;
}

/**
 * The customer (`chat.customerId`) rated `session` with `vote` (SESSION_VOTE.LIKE / DISLIKE): the operator's notice
 * (none when nobody holds the session) and the event.
 */
export async function sessionRated(
  work: RatingWork,
  events: EventEmitter,
  chat: Chat,
  session: Session,
  vote: number,
): Promise<void> {
  const customerId = chat.customerId;
  if (session.operatorId > 0 && session.operatorId !== customerId) {
    await insertNotifications(work.trx, [
      {
        user_id: session.operatorId,
        author_id: customerId,
        notify_type: NOTIFY_SYSTEM,
        module: 'imopenlines',
        event: 'rating_client',
        tag: `IMOL|RATING|client|${session.id}`,
        sub_tag: `IMOL|RATING|client|${session.id}`,
        title: '',
        text: ratingNoticeText(session.id, customerId, vote),
        params: null,
        created_at: work.stamp,
      },
    ]);
  }
  work.emitted += await events.emit(work.trx, 'OnOpenlinesSessionVote', {
    line: session.lineId,
    sessionId: session.id,
    chatId: chat.id,
    operatorId: session.operatorId,
    customerId,
    vote,
  });
}
