// Frozen in time: imports nothing from the application.
// Timers of a line (issue 18): one row per (line, kind) with its due time. The first kind is the deletion of a
// temporary line 8 hours after it was added (reference-behaviour.md §4 step 7). A row goes with its line.
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-03-41-line-alarms';

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const ref = dialect === 'sqlite' ? sql`integer` : sql`bigint`;
  await sql`create table line_alarms (
    line_id ${ref} not null references lines (id) on delete cascade,
    kind text not null,
    due_at_ms bigint not null,
    primary key (line_id, kind))`.execute(db);
  await sql`create index line_alarms_due on line_alarms (due_at_ms)`.execute(db);
}
