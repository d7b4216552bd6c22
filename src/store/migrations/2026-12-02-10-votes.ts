// Frozen in time: imports nothing from the application.
// Rating a session (issue 18, runtime-sessions.md §2.4, §7.13): whether it waits for the customer's vote, the vote
// (5 like, 1 dislike, 0 none), until when a vote is accepted, and the supervisor's rating and comment.
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-10-votes';

export async function up(db: Kysely<unknown>): Promise<void> {
  const columns = [
    sql`wait_vote integer not null default 0`,
    sql`vote integer not null default 0`,
    sql`vote_head integer not null default 0`,
    sql`comment_head text null`,
    sql`date_close_vote text null`,
  ];
  for (const column of columns) await sql`alter table sessions add column ${column}`.execute(db);
}
