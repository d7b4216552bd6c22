// What follows a customer's rating (issue 18; runtime-sessions.md §2.4): the session's operator gets a notification
// (the reference's Chat::sendRatingNotify: an im notification of module imopenlines, event rating_client, read with
// im.notify.get), and applications bound to OnOpenlinesSessionVote get the event (the reference's module event
// OnSessionVote, which REST applications cannot bind). Called inside the transaction that stores the vote.

import type { Db } from '../../../store/db.js';
import type { Chat } from '../../dialogs/chat.js';
import { SESSION_VOTE, type Session } from '../../dialogs/session.js';
import type { EventEmitter } from '../../events/event-service.js';
import { notify } from '../../notifications/notifications.js';
import { mention } from '../system-texts.js';

const dialogLink = (sessionId: number) => `[url=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/url]`;

/** The notice's text: who rated which conversation, and how ([like] / [dislike] as the chat shows them). */
export function ratingNoticeText(sessionId: number, customerId: number, vote: number): string {
  const rating = vote === SESSION_VOTE.LIKE ? '[like]' : '[dislike]';
  return `[b]Conversation rated[/b][br]${mention(customerId)} rated conversation #${dialogLink(sessionId)}: ${rating}`;
}

/** The supervisor's notice: who rated which conversation, 1 to 5 as the reference's [RATING=n] code. */
export function headRatingNoticeText(sessionId: number, byUserId: number, rating: number): string {
  return `[b]Conversation rated[/b][br]${mention(byUserId)} rated conversation #${dialogLink(sessionId)}: [RATING=${rating}]`;
}

/**
 * The supervisor rated `session` 1..5 (session.head.vote, §7.13): the session's operator gets a notice (event
 * rating_head), unless nobody holds the session, the rater is its operator, or the rating is 0 (none).
 */
export async function headRated(work: RatingWork, session: Session, rating: number, byUserId: number): Promise<void> {
  if (rating < 1 || rating > 5 || session.operatorId <= 0 || session.operatorId === byUserId) return;
  await notify(
    work.trx,
    [
      {
        userId: session.operatorId,
        authorId: byUserId,
        event: 'rating_head',
        tag: `IMOL|RATING|head|${session.id}`,
        text: headRatingNoticeText(session.id, byUserId, rating),
      },
    ],
    work.stamp,
  );
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
    await notify(
      work.trx,
      [
        {
          userId: session.operatorId,
          authorId: customerId,
          event: 'rating_client',
          tag: `IMOL|RATING|client|${session.id}`,
          text: ratingNoticeText(session.id, customerId, vote),
        },
      ],
      work.stamp,
    );
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
