import { compiledQuery } from './compiled-query.js';
import type { Db } from './db.js';
import type { PortalTable } from './schema.js';

export async function getPortal(db: Db): Promise<PortalTable | undefined> {
  return db.selectFrom('portal').selectAll().where('id', '=', 1).executeTakeFirst();
}

/** Creates the portal row; false when it exists already (also when another server created it just now). */
export async function insertPortal(db: Db, portal: Omit<PortalTable, 'id' | 'line_counter'>): Promise<boolean> {
  const row = await db
    .insertInto('portal')
    .values({ id: 1, line_counter: 0, ...portal })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

const incrementLineCounterQuery = compiledQuery((db: Db) =>
  db
    .updateTable('portal')
    .set((eb) => ({ line_counter: eb('line_counter', '+', 1) }))
    .where('id', '=', 1)
    .returning('line_counter'),
);

/**
 * Increments the global line counter and returns the new value. On PostgreSQL the row stays locked until the
 * transaction ends: concurrent line adds on any server queue up here, so call it first in the transaction.
 */
export async function incrementLineCounter(db: Db): Promise<number> {
  const [row] = await incrementLineCounterQuery(db);
  return row?.line_counter ?? 1;
}
