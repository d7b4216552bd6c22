// Rating (issue 18, runtime-sessions.md §2.4): the closed session of a user code that still waits for the customer's
// vote — the one a `1`/`0` answer after the final close reopens.

import type { Session } from '../domain/dialogs/session.js';
import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';
import { sessionOf } from './dialogs-repository.js';

/** The newest closed session of the user code that waits for a vote, locked; undefined when there is none. */
export async function closedSessionAwaitingVote(db: Db, userCode: string): Promise<Session | undefined> {
  const newest = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_code', '=', userCode)
    .where('closed', '=', 1)
    .where('wait_vote', '=', 1)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newest) return undefined;
  const row = await capabilitiesOf(db)
    .forUpdate(db.selectFrom('sessions').selectAll().where('id', '=', newest.id))
    .executeTakeFirst();
  return row && sessionOf(row);
}
