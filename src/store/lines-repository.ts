// Lines and their two queues: the configured one (users and departments, as sent) and the expanded operator
// list (reference-behaviour.md §2.4). Plain functions over db or a transaction; rows in, rows out.

import type { Db } from './portal-repository.js';
import type { LineConfigQueueTable, LineQueueTable, LineTable } from './schema.js';

export type LineRow = Omit<LineTable, 'id'> & { id: number };
export type ConfigQueueRow = LineConfigQueueTable;
export type OperatorRow = Omit<LineQueueTable, 'id'> & { id: number };
export type NewOperator = Omit<LineQueueTable, 'id' | 'line_id' | 'sort'>;

export async function insertLine(db: Db, line: Omit<LineTable, 'id'>): Promise<number> {
  const row = await db.insertInto('lines').values(line).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findLine(db: Db, id: number): Promise<LineRow | undefined> {
  const row = await db.selectFrom('lines').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function updateLine(db: Db, id: number, changes: Partial<Omit<LineTable, 'id'>>): Promise<boolean> {
  const result = await db.updateTable('lines').set(changes).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteLine(db: Db, id: number): Promise<boolean> {
  await db.deleteFrom('line_queue').where('line_id', '=', id).execute();
  await db.deleteFrom('line_config_queue').where('line_id', '=', id).execute();
  const result = await db.deleteFrom('lines').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countLines(db: Db): Promise<number> {
  const row = await db
    .selectFrom('lines')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function replaceQueues(
  db: Db,
  lineId: number,
  configQueue: readonly { entity_type: string; entity_id: number }[],
  operators: readonly NewOperator[],
): Promise<void> {
  await db.deleteFrom('line_config_queue').where('line_id', '=', lineId).execute();
  await db.deleteFrom('line_queue').where('line_id', '=', lineId).execute();
  if (configQueue.length) {
    await db
      .insertInto('line_config_queue')
      .values(configQueue.map((e, sort) => ({ line_id: lineId, sort, ...e })))
      .execute();
  }
  if (operators.length) {
    await db
      .insertInto('line_queue')
      .values(operators.map((o, sort) => ({ line_id: lineId, sort, ...o })))
      .execute();
  }
}

export async function configQueuesOf(db: Db, lineIds: readonly number[]): Promise<Map<number, ConfigQueueRow[]>> {
  const result = new Map<number, ConfigQueueRow[]>();
  if (lineIds.length === 0) return result;
  const rows = await db
    .selectFrom('line_config_queue')
    .selectAll()
    .where('line_id', 'in', [...lineIds])
    .orderBy('line_id')
    .orderBy('sort')
    .execute();
  for (const r of rows) {
    const lineId = Number(r.line_id);
    const list = result.get(lineId) ?? [];
    list.push({ ...r, line_id: lineId, entity_id: Number(r.entity_id) });
    result.set(lineId, list);
  }
  return result;
}

export async function operatorsOf(db: Db, lineIds: readonly number[]): Promise<Map<number, OperatorRow[]>> {
  const result = new Map<number, OperatorRow[]>();
  if (lineIds.length === 0) return result;
  const rows = await db
    .selectFrom('line_queue')
    .selectAll()
    .where('line_id', 'in', [...lineIds])
    .orderBy('line_id')
    .orderBy('sort')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const lineId = Number(r.line_id);
    const list = result.get(lineId) ?? [];
    list.push({ ...r, id: Number(r.id), line_id: lineId, user_id: Number(r.user_id) });
    result.set(lineId, list);
  }
  return result;
}
