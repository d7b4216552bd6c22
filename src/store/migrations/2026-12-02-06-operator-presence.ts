// Frozen in time: imports nothing from the application.
// Operator presence (issue 17, runtime-sessions.md §8): per directory user, the absence flag, the imopenlines soft
// pause, an explicit online status ('online' | 'offline'; null: by activity) and the time of the user's last REST
// call as the server's clock read it (written at most once a minute per user and server). A user without a row
// is present, not paused, with no status set and no recorded call. Users the directory shows as online (is_online)
// start with the explicit status online.
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-06-operator-presence';

export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  const statements = [
    sql`create table operator_presence (user_id integer primary key, absent integer not null default 0,
      paused integer not null default 0, status text null, last_activity_ms bigint null,
      changed_at_ms bigint null)`,
    // Users added "shown as online" (user add --online) are online by an explicit status.
    sql`insert into operator_presence (user_id, absent, paused, status) select id, 0, 0, 'online' from users
      where is_online = 1`,
  ];
  for (const statement of statements) await statement.execute(db);
}
