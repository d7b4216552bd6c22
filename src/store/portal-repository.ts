import type { Kysely } from 'kysely';
import type { Database, PortalTable } from './schema.js';

export type Db = Kysely<Database>;

export async function getPortal(db: Db): Promise<PortalTable | undefined> {
  return db.selectFrom('portal').selectAll().where('id', '=', 1).executeTakeFirst();
}

export async function insertPortal(db: Db, portal: Omit<PortalTable, 'id' | 'line_counter'>): Promise<void> {
  await db
    .insertInto('portal')
    .values({ id: 1, line_counter: 0, ...portal })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Increments the global line counter and returns the new value. */
export async function incrementLineCounter(db: Db): Promise<number> {
  const row = await db
    .updateTable('portal')
    .set((eb) => ({ line_counter: eb('line_counter', '+', 1) }))
    .where('id', '=', 1)
    .returning('line_counter')
    .executeTakeFirst();
  return row?.line_counter ?? 1;
}
