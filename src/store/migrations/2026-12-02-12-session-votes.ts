// Frozen in time: imports nothing from the application.
// The customer's rating of a session (issue 19): 'none' until the customer votes like or dislike on the chat page
// (imopenlines.v2.Session.list `vote`, the reference's VOTE 5 / 1).
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-12-session-votes';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions add column vote text not null default 'none'`.execute(db);
}
