// Line revisions (the history of every change): plain functions over db or a transaction; rows in, rows out.

import type { Db } from './portal-repository.js';
import type { LineRevisionTable } from './schema.js';

export type RevisionRow = Omit<LineRevisionTable, 'id'> & { id: number };

export async function insertRevision(db: Db, revision: Omit<LineRevisionTable, 'id'>): Promise<number> {
  const row = await db.insertInto('line_revisions').values(revision).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Newest first; one line's revisions, or every line's when lineId is null. */
export async function listRevisions(
  db: Db,
  query: { lineId: number | null; limit: number; offset: number },
): Promise<{ rows: RevisionRow[]; total: number }> {
  let count = db.selectFrom('line_revisions').select((eb) => eb.fn.countAll<number>().as('n'));
  let select = db.selectFrom('line_revisions').selectAll();
  if (query.lineId !== null) {
    count = count.where('line_id', '=', query.lineId);
    select = select.where('line_id', '=', query.lineId);
  }
  const total = Number((await count.executeTakeFirstOrThrow()).n);
  const rows = await select.orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
  return {
    rows: rows.map((r) => ({ ...r, id: Number(r.id), line_id: Number(r.line_id), user_id: Number(r.user_id) })),
    total,
  };
}
