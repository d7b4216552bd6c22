// Frozen in time: imports nothing from the application.
// Members of a line's chat besides the session's operator (issue 17, runtime-sessions.md §7.8): users who joined the
// open session with imopenlines.session.join (or session.start into an open session). They may act in the chat while
// that session is open: membership ends with it (the reference's Chat::close makes every member leave).
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-08-session-members';

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const ref = dialect === 'sqlite' ? sql`integer` : sql`bigint`;
  await sql`create table session_members (
    session_id ${ref} not null references sessions (id) on delete cascade,
    user_id ${ref} not null,
    primary key (session_id, user_id))`.execute(db);
}
