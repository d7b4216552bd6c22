// Frozen in time: imports nothing from the application.
// Working hours on a session (issue 18, runtime-sessions.md §2.2 step 4 and §4): WORKTIME — 0 when a customer opened
// the session while the line was off-hours (or inactive), 1 otherwise, the reference's default Y — and
// SEND_NO_WORK_TIME_TEXT — 1 once the off-hours text went to the customer in this session (sent once; an operator's
// message in working time re-arms it).
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-09-worktime';

export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await sql`alter table sessions add column worktime integer not null default 1`.execute(db);
  await sql`alter table sessions add column send_no_work_time_text integer not null default 0`.execute(db);
}
