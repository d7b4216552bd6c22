// Line revisions (the history of every change): plain functions over db or a transaction; rows in, rows out.

import { compiledQuery } from './compiled-query.js';
import type { Db } from './db.js';
import type { LineRevisionTable } from './schema.js';

export type RevisionRow = Omit<LineRevisionTable, 'id'> & { id: number };

// Every write records one: compiled once (compiled-query.ts).
const insertRevisionQuery = compiledQuery(
  (
    db: Db,
    lineId: number,
    action: string,
    userId: number,
    authKind: string,
    credentialId: string,
    changes: string,
    createdAt: string,
  ) =>
    db
      .insertInto('line_revisions')
      .values({
        line_id: lineId,
        action,
        user_id: userId,
        auth_kind: authKind,
        credential_id: credentialId,
        changes,
        created_at: createdAt,
      })
      .returning('id'),
);

export async function insertRevision(db: Db, revision: Omit<LineRevisionTable, 'id'>): Promise<number> {
  const [row] = await insertRevisionQuery(
    db,
    revision.line_id,
    revision.action,
    revision.user_id,
    revision.auth_kind,
    revision.credential_id,
    revision.changes,
    revision.created_at,
  );
  if (!row) throw new Error('insert into line_revisions returned no id');
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
