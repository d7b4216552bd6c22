// Frozen in time: imports nothing from the application.
// The auth block with a user (runtime-connectors.md §12.2): each outbox row keeps the LOCAL_USER the delivery mints
// an access token for (0: the no-user block) and the event session's TTL (the loop guard). A token minted for an
// event keeps that TTL, so a call made with it emits its events one level deeper. Rows queued before this
// migration keep the no-user block they were queued for (0) and a fresh session (3).
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-02-05-event-auth';

export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  const statements = [
    sql`alter table event_outbox add column local_user integer not null default 0`,
    sql`alter table event_outbox add column event_session integer not null default 3`,
    sql`alter table oauth_tokens add column event_session integer null`,
  ];
  for (const statement of statements) await statement.execute(db);
}
