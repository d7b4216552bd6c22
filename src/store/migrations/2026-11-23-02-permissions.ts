// Frozen in time: imports nothing from the application.
// Per-user permission levels (reference-behaviour.md §1.7: entity LINES, actions VIEW/MODIFY). A missing row
// means the default level, which the application decides; portal administrators never need a row.
import { type Kysely, sql } from 'kysely';

export const name = '2026-11-23-02-permissions';

export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await sql`create table user_permissions (user_id integer not null, entity text not null, action text not null,
    level text not null, primary key (user_id, entity, action))`.execute(db);
}
