// Frozen in time: imports nothing from the application.
// The session engine (issue 17, runtime-sessions.md §0-§3): the session fields that drive distribution and
// closing, the operators a waiting session is offered to, the per-line time each operator was last offered a
// session (evenly), and the session timers as stored alarms — one row per (session, kind) with its due time,
// claimed with a lease, so that a timer survives a restart and takes effect once with several servers.
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-07-session-engine';

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const ref = dialect === 'sqlite' ? sql`integer` : sql`bigint`;
  const columns = [
    sql`mode text not null default 'input'`,
    sql`wait_answer integer not null default 1`,
    sql`wait_action integer not null default 0`,
    sql`pause integer not null default 0`,
    sql`spam integer not null default 0`,
    sql`undistributed integer not null default 0`,
    sql`queue_history text not null default '[]'`,
    sql`parent_id ${ref} not null default 0`,
    sql`date_operator text null`,
    sql`date_operator_answer text null`,
    sql`date_first_answer text null`,
    sql`date_last_message text null`,
    sql`message_count integer not null default 0`,
    sql`send_no_answer_text integer not null default 0`,
    sql`close_reason text not null default ''`,
  ];
  for (const column of columns) await sql`alter table sessions add column ${column}`.execute(db);
  const statements = [
    sql`create table session_offers (
      session_id ${ref} not null references sessions (id) on delete cascade,
      user_id ${ref} not null,
      primary key (session_id, user_id))`,
    sql`create index session_offers_user on session_offers (user_id)`,
    sql`create table session_alarms (
      session_id ${ref} not null references sessions (id) on delete cascade,
      kind text not null,
      due_at_ms bigint not null,
      claimed_by text null,
      claimed_until_ms bigint null,
      primary key (session_id, kind))`,
    sql`create index session_alarms_due on session_alarms (due_at_ms)`,
    sql`create table operator_line_activity (
      line_id ${ref} not null references lines (id) on delete cascade,
      user_id ${ref} not null,
      last_offered_ms bigint not null,
      primary key (line_id, user_id))`,
  ];
  for (const statement of statements) await statement.execute(db);
}
