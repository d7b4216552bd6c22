// Frozen in time: imports nothing from the application.
// The read model's version vector (issue 20): one counter per slot; a write transaction that changes a line, its
// queues, the directory or a credential bumps the row of its backend (pid mod 64) before it commits, and every
// server reads the whole vector in one statement before it answers from memory. Only PostgreSQL uses it (a SQLite
// server notices another process's commit by PRAGMA data_version); the table exists on both so the schema is one.
import { type Kysely, sql } from 'kysely';

export const name = '2026-12-03-01-read-model';

const SLOTS = 64;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table openlines_model_version (slot integer primary key, n bigint not null)`.execute(db);
  const rows = Array.from({ length: SLOTS }, (_, slot) => sql`(${sql.lit(slot)}, 0)`);
  await sql`insert into openlines_model_version (slot, n) values ${sql.join(rows)}`.execute(db);
}
