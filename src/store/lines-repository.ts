// Lines and their two queues: the configured one (users and departments, as sent) and the expanded operator
// list (reference-behaviour.md §2.4). Plain functions over db or a transaction; rows in, rows out.

import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { compiledQuery } from './compiled-query.js';
import { containsPattern, type DialectCapabilities } from './dialect.js';
import { capabilitiesOf } from './open-store.js';
import type { Db } from './portal-repository.js';
import type { Database, LineConfigQueueTable, LineQueueTable, LineTable } from './schema.js';

export type LineRow = Omit<LineTable, 'id'> & { id: number };
export type ConfigQueueRow = LineConfigQueueTable;
export type OperatorRow = Omit<LineQueueTable, 'id'> & { id: number };
export type NewOperator = Omit<LineQueueTable, 'id' | 'line_id' | 'sort'>;

// Every write runs these: compiled once (compiled-query.ts; building a query cost more than running it).
const insertLineQuery = compiledQuery(
  (
    db: Db,
    doc: string,
    lineName: string,
    active: string,
    modifyUserId: number,
    createdAt: string,
    modifiedAt: string,
  ) =>
    db
      .insertInto('lines')
      .values({
        doc,
        line_name: lineName,
        active,
        modify_user_id: modifyUserId,
        created_at: createdAt,
        modified_at: modifiedAt,
      })
      .returning('id'),
);

export async function insertLine(db: Db, line: Omit<LineTable, 'id'>): Promise<number> {
  const [row] = await insertLineQuery(
    db,
    line.doc,
    line.line_name,
    line.active,
    line.modify_user_id,
    line.created_at,
    line.modified_at,
  );
  if (!row) throw new Error('insert into lines returned no id');
  return Number(row.id);
}

// config.get and every write read these: compiled once (compiled-query.ts).
const lineQuery = compiledQuery((db: Db, id: number) => db.selectFrom('lines').selectAll().where('id', '=', id));
const operatorsQuery = compiledQuery((db: Db, lineIds: readonly number[]) =>
  db
    .selectFrom('line_queue')
    .selectAll()
    .where('line_id', 'in', lineIds)
    .orderBy('line_id')
    .orderBy('sort')
    .orderBy('id'),
);

export async function findLine(db: Db, id: number): Promise<LineRow | undefined> {
  const [row] = await lineQuery(db, id);
  return row ? { ...row, id: Number(row.id) } : undefined;
}

// Compiled once per database kind, so the row lock (PostgreSQL) is part of the kept SQL.
const lineForUpdateQuery = compiledQuery((db: Db, id: number) =>
  capabilitiesOf(db).forUpdate(db.selectFrom('lines').selectAll().where('id', '=', id)),
);

/** The line, locked until the transaction ends (a read-modify-write: concurrent updates take turns). */
export async function findLineForUpdate(db: Db, id: number): Promise<LineRow | undefined> {
  const [row] = await lineForUpdateQuery(db, id);
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export type LineChanges = Pick<LineTable, 'doc' | 'line_name' | 'active' | 'modify_user_id' | 'modified_at'>;

const updateLineQuery = compiledQuery(
  (db: Db, id: number, doc: string, lineName: string, active: string, modifyUserId: number, modifiedAt: string) =>
    db
      .updateTable('lines')
      .set({ doc, line_name: lineName, active, modify_user_id: modifyUserId, modified_at: modifiedAt })
      .where('id', '=', id)
      .returning('id'),
);

/** Replaces the line's document and its stamps; false when there is no such line. */
export async function updateLine(db: Db, id: number, changes: LineChanges): Promise<boolean> {
  const rows = await updateLineQuery(
    db,
    id,
    changes.doc,
    changes.line_name,
    changes.active,
    changes.modify_user_id,
    changes.modified_at,
  );
  return rows.length > 0;
}

/** Deletes the line and both of its queues; false when there was no such line. */
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
  await deleteConfigQueueQuery(db, lineId);
  await deleteOperatorsQuery(db, lineId);
  if (configQueue.length) {
    await insertConfigQueueQuery(
      db,
      lineId,
      configQueue.map((e) => e.entity_type),
      configQueue.map((e) => e.entity_id),
    );
  }
  if (operators.length) {
    await insertOperatorsQuery(
      db,
      lineId,
      operators.map((o) => o.user_id),
      operators.map((o) => o.department_id),
      operators.map((o) => o.user_name),
      operators.map((o) => o.user_work_position),
      operators.map((o) => o.user_avatar),
      operators.map((o) => o.user_avatar_id),
    );
  }
}

const deleteConfigQueueQuery = compiledQuery((db: Db, lineId: number) =>
  db.deleteFrom('line_config_queue').where('line_id', '=', lineId),
);
const deleteOperatorsQuery = compiledQuery((db: Db, lineId: number) =>
  db.deleteFrom('line_queue').where('line_id', '=', lineId),
);
// One compiled shape per queue length (the arrays are columns, one item per row; sort is the row's position).
const insertConfigQueueQuery = compiledQuery(
  (db: Db, lineId: number, entityTypes: readonly string[], entityIds: readonly number[]) =>
    db.insertInto('line_config_queue').values(
      entityTypes.map((entityType, sort) => ({
        line_id: lineId,
        sort,
        entity_type: entityType,
        entity_id: entityIds[sort]!,
      })),
    ),
);
const insertOperatorsQuery = compiledQuery(
  (
    db: Db,
    lineId: number,
    userIds: readonly number[],
    departmentIds: readonly number[],
    names: readonly (string | null)[],
    workPositions: readonly (string | null)[],
    avatars: readonly (string | null)[],
    avatarIds: readonly number[],
  ) =>
    db.insertInto('line_queue').values(
      userIds.map((userId, sort) => ({
        line_id: lineId,
        sort,
        user_id: userId,
        department_id: departmentIds[sort]!,
        user_name: names[sort]!,
        user_work_position: workPositions[sort]!,
        user_avatar: avatars[sort]!,
        user_avatar_id: avatarIds[sort]!,
      })),
    ),
);

const configQueuesQuery = compiledQuery((db: Db, lineIds: readonly number[]) =>
  db.selectFrom('line_config_queue').selectAll().where('line_id', 'in', lineIds).orderBy('line_id').orderBy('sort'),
);

export async function configQueuesOf(db: Db, lineIds: readonly number[]): Promise<Map<number, ConfigQueueRow[]>> {
  const result = new Map<number, ConfigQueueRow[]>();
  if (lineIds.length === 0) return result;
  const rows = await configQueuesQuery(db, lineIds);
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
  const rows = await operatorsQuery(db, lineIds);
  for (const r of rows) {
    const lineId = Number(r.line_id);
    const list = result.get(lineId) ?? [];
    list.push({ ...r, id: Number(r.id), line_id: lineId, user_id: Number(r.user_id) });
    result.set(lineId, list);
  }
  return result;
}

/** True when one of the users is an operator of the line or its last editor (Config::canDoOperation). */
export async function lineBelongsToAny(db: Db, lineId: number, userIds: readonly number[]): Promise<boolean> {
  if (userIds.length === 0) return false;
  const row = await db
    .selectFrom('lines')
    .select('id')
    .where('id', '=', lineId)
    .where((eb) => ownedByAny(eb, userIds))
    .executeTakeFirst();
  return row !== undefined;
}

function ownedByAny(eb: ExpressionBuilder<Database, 'lines'>, userIds: readonly number[]): Expression<SqlBool> {
  if (userIds.length === 0) return sql<SqlBool>`1 = 0`;
  return eb.or([
    eb('lines.modify_user_id', 'in', [...userIds]),
    eb.exists(
      eb
        .selectFrom('line_queue')
        .select('line_queue.line_id')
        .whereRef('line_queue.line_id', '=', 'lines.id')
        .where('line_queue.user_id', 'in', [...userIds]),
    ),
  ]);
}

// ---- Listing with filters and order (imopenlines.config.list.get). The domain validates every name and value
// against the catalogue first; here each field is read from its column or from the JSON document, and every
// value is a bound parameter.

/** How a field is stored and compared: numbers numerically, dates as UTC ISO text, lists by element. */
export type ListValueType = 'number' | 'text' | 'date' | 'list';

export interface ListFieldRef {
  readonly name: string;
  readonly type: ListValueType;
  /** The column the field is kept in (the catalogue's `column`); absent: the field is read from `doc`. */
  readonly column?: Exclude<keyof LineTable, 'doc'>;
  /** What a document without this member means (fields added to the catalogue after the line was stored). */
  readonly fallback?: string | number | null;
}

export type ListFilterOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains';

export interface ListFilter {
  readonly field: ListFieldRef;
  readonly op: ListFilterOp;
  /** eq/ne: any number of values (none: matches nothing / everything; null: is null); others: exactly one. */
  readonly values: readonly (string | number | null)[];
}

export interface LineListSpec {
  readonly filters: readonly ListFilter[];
  readonly order: readonly { readonly field: ListFieldRef; readonly direction: 'asc' | 'desc' }[];
  readonly limit: number;
  readonly offset: number;
  /** Only lines belonging to one of these users (null: every line). */
  readonly ownedBy: readonly number[] | null;
}

const DOC = sql.ref('lines.doc');

function fieldValue(caps: DialectCapabilities, field: ListFieldRef): Expression<unknown> {
  const column = field.column;
  if (column)
    return field.type === 'number' ? caps.wideInteger(sql.ref(`lines.${column}`)) : sql.ref(`lines.${column}`);
  const read = field.type === 'number' ? caps.jsonNumber(DOC, field.name) : caps.jsonText(DOC, field.name);
  return field.fallback === undefined || field.fallback === null ? read : sql`coalesce(${read}, ${field.fallback})`;
}

function filterExpression(caps: DialectCapabilities, filter: ListFilter): Expression<SqlBool> {
  const { field, op, values } = filter;
  if (field.type === 'list') {
    const contains = values.filter((v) => v !== null).map((v) => caps.jsonArrayContains(DOC, field.name, v!));
    const any = contains.length ? sql<SqlBool>`(${sql.join(contains, sql` or `)})` : sql<SqlBool>`1 = 0`;
    return op === 'ne' ? sql<SqlBool>`not ${any}` : any;
  }
  const value = fieldValue(caps, field);
  switch (op) {
    case 'eq':
    case 'ne': {
      const scalars = values.filter((v) => v !== null);
      const parts: Expression<SqlBool>[] = [];
      if (scalars.length) parts.push(sql<SqlBool>`${value} in (${sql.join(scalars)})`);
      if (scalars.length !== values.length) parts.push(sql<SqlBool>`${value} is null`);
      const matches = parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : sql<SqlBool>`1 = 0`;
      // "!" also keeps rows without a value, like the ORM's "<> OR IS NULL".
      if (op === 'eq') return matches;
      return scalars.length !== values.length
        ? sql<SqlBool>`not ${matches}`
        : sql<SqlBool>`(${value} is null or not ${matches})`;
    }
    case 'contains':
      return caps.likeInsensitive(value, containsPattern(String(values[0])));
    default: {
      const operator = { gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
      return sql<SqlBool>`${value} ${sql.raw(operator)} ${values[0]}`;
    }
  }
}

function applyFilters(eb: ExpressionBuilder<Database, 'lines'>, caps: DialectCapabilities, spec: LineListSpec) {
  const parts: Expression<SqlBool>[] = spec.filters.map((f) => filterExpression(caps, f));
  if (spec.ownedBy !== null) parts.push(ownedByAny(eb, spec.ownedBy));
  return eb.and(parts);
}

/** One page of lines and the number of lines matching the filters (ID ascending breaks ties). */
export async function listLines(
  db: Db,
  caps: DialectCapabilities,
  spec: LineListSpec,
): Promise<{ rows: LineRow[]; total: number }> {
  let count = db.selectFrom('lines').select((eb) => eb.fn.countAll<number>().as('n'));
  // Without a condition SQLite counts the smallest index's entries (lines_modify_user) without reading rows.
  if (spec.filters.length > 0 || spec.ownedBy !== null) count = count.where((eb) => applyFilters(eb, caps, spec));
  const counted = await count.executeTakeFirstOrThrow();
  const total = Number(counted.n);
  if (spec.limit === 0 || spec.offset >= total) return { rows: [], total };
  let query = db
    .selectFrom('lines')
    .selectAll()
    .where((eb) => applyFilters(eb, caps, spec));
  for (const { field, direction } of spec.order) {
    const value = field.type === 'text' ? caps.byteOrder(fieldValue(caps, field)) : fieldValue(caps, field);
    // Empty values first when ascending, as MySQL (the reference's database) sorts them.
    query = query.orderBy(value, (ob) => (direction === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast()));
  }
  const rows = await query.orderBy('lines.id', 'asc').limit(spec.limit).offset(spec.offset).execute();
  return { rows: rows.map((r) => ({ ...r, id: Number(r.id), modify_user_id: Number(r.modify_user_id) })), total };
}
