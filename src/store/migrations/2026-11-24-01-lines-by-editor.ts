// Frozen in time: imports nothing from the application.
// Lines by their last editor (issue 10). config.list.get counts the lines it pages through: a count over this
// narrow index reads ~1 MB at 100 000 lines instead of every line's row (~4 KB each), and CHECK_PERMISSION
// filters on the column.
import { type Kysely, sql } from 'kysely';

export const name = '2026-11-24-01-lines-by-editor';

export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await sql`create index lines_modify_user on lines (modify_user_id)`.execute(db);
}
