// Lines and their two queues: the configured one (users and departments, as sent) and the expanded operator
// list (reference-behaviour.md §2.4). Plain functions over db or a transaction; the line model in and out
// (rows are mapped in line-rows.ts).

import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Line, NewLine, Operator, QueueEntry, StoredOperator } from '../domain/lines/line.js';
import { capabilitiesOf, containsPattern, type StoreCapabilities } from './capabilities.js';
import { compiledQuery } from './compiled-query.js';
import type { Db } from './db.js';
import { insertRevision } from './history-repository.js';
import { lineToRow, rowToLine, rowToOperator, rowToQueueEntry } from './line-rows.js';
import { noteChange } from './model-changes.js';
import { incrementLineCounter } from './portal-repository.js';
import type { Database, LineRevisionTable, LineTable } from './schema.js';

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

/** Stores a new line; returns its id. */
export async function insertLine(db: Db, line: NewLine): Promise<number> {
  const row = lineToRow(line);
  const [inserted] = await insertLineQuery(
    db,
    row.doc,
    row.line_name,
    row.active,
    row.modify_user_id,
    row.created_at,
    row.modified_at,
  );
  if (!inserted) throw new Error('insert into lines returned no id');
  const id = Number(inserted.id);
  noteChange(db, { kind: 'line', id });
  return id;
}

/** What config.add writes besides the line: its revision, and whether the portal's line counter moves last. */
export interface NewLineWrite {
  readonly line: NewLine;
  readonly queue: readonly QueueEntry[];
  readonly operators: readonly Operator[];
  /** The add's revision; its line id is the new line's. */
  readonly revision: Omit<LineRevisionTable, 'id' | 'line_id'>;
  /** Increment the portal's line counter as the last write (the add did not need its value first). */
  readonly countLine: boolean;
}

/**
 * Stores a new line, both its queues and its revision (and increments the line counter last when asked); returns
 * the line's and the revision's ids. PostgreSQL: one statement (data-modifying WITH), one round trip; the counter's
 * row lock, which makes concurrent adds on every server take turns, is then held only from this statement to the
 * commit. SQLite: one statement per table (no round trips there; its writes are serialised anyway).
 */
export async function insertNewLine(db: Db, write: NewLineWrite): Promise<{ id: number; revisionId: number }> {
  if (capabilitiesOf(db).dataModifyingWith) return insertNewLineAtOnce(db, write);
  const id = await insertLine(db, write.line);
  await insertQueue(db, id, write.queue);
  await insertOperators(db, id, write.operators);
  const revisionId = await insertRevision(db, { ...write.revision, line_id: id });
  if (write.countLine) await incrementLineCounter(db);
  return { id, revisionId };
}

async function insertNewLineAtOnce(db: Db, write: NewLineWrite): Promise<{ id: number; revisionId: number }> {
  const row = lineToRow(write.line);
  const { queue, operators, revision } = write;
  const counter = write.countLine
    ? sql`, counted as (update portal set line_counter = line_counter + 1 where id = 1)`
    : sql``;
  const result = await sql<{ id: number; revision_id: number }>`with
    line as (insert into lines (doc, line_name, active, modify_user_id, created_at, modified_at)
      values (${row.doc}::jsonb, ${row.line_name}::text, ${row.active}::text, ${row.modify_user_id}::integer,
        ${row.created_at}::text, ${row.modified_at}::text) returning id),
    config_queue as (insert into line_config_queue (line_id, sort, entity_type, entity_id)
      select line.id, q.n - 1, q.entity_type, q.entity_id from line,
        unnest(${queue.map((e) => e.entityType)}::text[], ${queue.map((e) => e.entityId)}::integer[])
        with ordinality as q(entity_type, entity_id, n)),
    operators as (insert into line_queue (line_id, sort, user_id, department_id, user_name, user_work_position,
        user_avatar, user_avatar_id)
      select line.id, o.n - 1, o.user_id, o.department_id, o.user_name, o.work_position, o.avatar, o.avatar_id
      from line, unnest(${operators.map((o) => o.userId)}::integer[], ${operators.map((o) => o.departmentId)}::integer[],
        ${operators.map((o) => o.userName)}::text[], ${operators.map((o) => o.workPosition)}::text[],
        ${operators.map((o) => o.avatar)}::text[], ${operators.map((o) => o.avatarId)}::integer[])
        with ordinality as o(user_id, department_id, user_name, work_position, avatar, avatar_id, n)),
    revision as (insert into line_revisions (line_id, action, user_id, auth_kind, credential_id, changes, created_at)
      select line.id, ${revision.action}::text, ${revision.user_id}::integer, ${revision.auth_kind}::text,
        ${revision.credential_id}::text, ${revision.changes}::jsonb, ${revision.created_at}::text from line
      returning id)${counter}
    select line.id as id, revision.id as revision_id from line, revision`.execute(db);
  const inserted = result.rows[0];
  if (!inserted) throw new Error('the insert of a line returned no id');
  const id = Number(inserted.id);
  noteChange(db, { kind: 'line', id });
  return { id, revisionId: Number(inserted.revision_id) };
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

export async function findLine(db: Db, id: number): Promise<Line | undefined> {
  const [row] = await lineQuery(db, id);
  return row ? rowToLine(row) : undefined;
}

// Compiled once per database kind, so the row lock (PostgreSQL) is part of the kept SQL.
const lineForUpdateQuery = compiledQuery((db: Db, id: number) =>
  capabilitiesOf(db).forUpdate(db.selectFrom('lines').selectAll().where('id', '=', id)),
);

/** The line, locked until the transaction ends (a read-modify-write: concurrent updates take turns). */
export async function findLineForUpdate(db: Db, id: number): Promise<Line | undefined> {
  const [row] = await lineForUpdateQuery(db, id);
  return row ? rowToLine(row) : undefined;
}

const updateLineQuery = compiledQuery(
  (db: Db, id: number, doc: string, lineName: string, active: string, modifyUserId: number, modifiedAt: string) =>
    db
      .updateTable('lines')
      .set({ doc, line_name: lineName, active, modify_user_id: modifyUserId, modified_at: modifiedAt })
      .where('id', '=', id)
      .returning('id'),
);

/** Replaces the line's values and its last-change stamps (createdAt stays); false when there is no such line. */
export async function updateLine(db: Db, line: Line): Promise<boolean> {
  const row = lineToRow(line);
  const rows = await updateLineQuery(
    db,
    line.id,
    row.doc,
    row.line_name,
    row.active,
    row.modify_user_id,
    row.modified_at,
  );
  noteChange(db, { kind: 'line', id: line.id });
  return rows.length > 0;
}

/**
 * config.update's write: the line's values and stamps and, when something changed, its revision; returns the
 * revision's id (null: none). PostgreSQL: one statement (data-modifying WITH), one round trip.
 */
export async function updateLineWithRevision(
  db: Db,
  line: Line,
  revision: Omit<LineRevisionTable, 'id' | 'line_id'> | null,
): Promise<number | null> {
  if (revision === null || !capabilitiesOf(db).dataModifyingWith) {
    await updateLine(db, line);
    return revision === null ? null : insertRevision(db, { ...revision, line_id: line.id });
  }
  const row = lineToRow(line);
  const result = await sql<{ id: number }>`with
    line as (update lines set doc = ${row.doc}::jsonb, line_name = ${row.line_name}::text, active = ${row.active}::text,
        modify_user_id = ${row.modify_user_id}::integer, modified_at = ${row.modified_at}::text
      where id = ${line.id}::bigint returning id)
    insert into line_revisions (line_id, action, user_id, auth_kind, credential_id, changes, created_at)
      select line.id, ${revision.action}::text, ${revision.user_id}::integer, ${revision.auth_kind}::text,
        ${revision.credential_id}::text, ${revision.changes}::jsonb, ${revision.created_at}::text from line
      returning id`.execute(db);
  noteChange(db, { kind: 'line', id: line.id });
  const inserted = result.rows[0];
  if (!inserted) throw new Error('the update of a line wrote no revision');
  return Number(inserted.id);
}

/** Deletes the line and both of its queues; false when there was no such line. */
export async function deleteLine(db: Db, id: number): Promise<boolean> {
  await db.deleteFrom('line_queue').where('line_id', '=', id).execute();
  await db.deleteFrom('line_config_queue').where('line_id', '=', id).execute();
  const result = await db.deleteFrom('lines').where('id', '=', id).executeTakeFirst();
  noteChange(db, { kind: 'line', id });
  return Number(result.numDeletedRows) > 0;
}

export async function countLines(db: Db): Promise<number> {
  const row = await db
    .selectFrom('lines')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Replaces both queues of a line (config.update): the entries as configured and the operators they expand to, each in order. */
export async function replaceQueues(
  db: Db,
  lineId: number,
  queue: readonly QueueEntry[],
  operators: readonly Operator[],
): Promise<void> {
  await deleteConfigQueueQuery(db, lineId);
  await deleteOperatorsQuery(db, lineId);
  await insertQueue(db, lineId, queue);
  await insertOperators(db, lineId, operators);
  noteChange(db, { kind: 'line', id: lineId });
}

async function insertQueue(db: Db, lineId: number, queue: readonly QueueEntry[]): Promise<void> {
  if (queue.length === 0) return;
  await insertConfigQueueQuery(
    db,
    lineId,
    queue.map((e) => e.entityType),
    queue.map((e) => e.entityId),
  );
}

async function insertOperators(db: Db, lineId: number, operators: readonly Operator[]): Promise<void> {
  if (operators.length === 0) return;
  await insertOperatorsQuery(
    db,
    lineId,
    operators.map((o) => o.userId),
    operators.map((o) => o.departmentId),
    operators.map((o) => o.userName),
    operators.map((o) => o.workPosition),
    operators.map((o) => o.avatar),
    operators.map((o) => o.avatarId),
  );
}

const deleteConfigQueueQuery = compiledQuery((db: Db, lineId: number) =>
  db.deleteFrom('line_config_queue').where('line_id', '=', lineId),
);
const deleteOperatorsQuery = compiledQuery((db: Db, lineId: number) =>
  db.deleteFrom('line_queue').where('line_id', '=', lineId),
);
// One compiled shape per queue length: the values go in as one array per column (one item per row; sort is the
// row's position), so the SQL does not depend on the values.
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

/** The configured queue of each line, in order. */
export async function configQueuesOf(db: Db, lineIds: readonly number[]): Promise<Map<number, QueueEntry[]>> {
  const result = new Map<number, QueueEntry[]>();
  if (lineIds.length === 0) return result;
  for (const row of await configQueuesQuery(db, lineIds)) pushTo(result, Number(row.line_id), rowToQueueEntry(row));
  return result;
}

/** The operators of each line, in queue order. */
export async function operatorsOf(db: Db, lineIds: readonly number[]): Promise<Map<number, StoredOperator[]>> {
  const result = new Map<number, StoredOperator[]>();
  if (lineIds.length === 0) return result;
  for (const row of await operatorsQuery(db, lineIds)) pushTo(result, Number(row.line_id), rowToOperator(row));
  return result;
}

function pushTo<V>(map: Map<number, V[]>, key: number, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** True when the user is in the line's expanded queue (line_queue). */
export async function isQueueMember(db: Db, lineId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('line_queue')
    .select('line_id')
    .where('line_id', '=', lineId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
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

function fieldValue(caps: StoreCapabilities, field: ListFieldRef): Expression<unknown> {
  const column = field.column;
  if (column)
    return field.type === 'number' ? caps.wideInteger(sql.ref(`lines.${column}`)) : sql.ref(`lines.${column}`);
  const read = field.type === 'number' ? caps.jsonNumber(DOC, field.name) : caps.jsonText(DOC, field.name);
  return field.fallback === undefined || field.fallback === null ? read : sql`coalesce(${read}, ${field.fallback})`;
}

function filterExpression(caps: StoreCapabilities, filter: ListFilter): Expression<SqlBool> {
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

function applyFilters(eb: ExpressionBuilder<Database, 'lines'>, caps: StoreCapabilities, spec: LineListSpec) {
  const parts: Expression<SqlBool>[] = spec.filters.map((f) => filterExpression(caps, f));
  if (spec.ownedBy !== null) parts.push(ownedByAny(eb, spec.ownedBy));
  return eb.and(parts);
}

/** How many lines match the filters (and the owner restriction). */
export async function countMatchingLines(db: Db, spec: LineListSpec): Promise<number> {
  const caps = capabilitiesOf(db);
  let count = db.selectFrom('lines').select((eb) => eb.fn.countAll<number>().as('n'));
  // Without a condition SQLite counts the smallest index's entries (lines_modify_user) without reading rows.
  if (spec.filters.length > 0 || spec.ownedBy !== null) count = count.where((eb) => applyFilters(eb, caps, spec));
  const counted = await count.executeTakeFirstOrThrow();
  return Number(counted.n);
}

/** One page of matching lines, in the requested order; ID ascending breaks ties. Counts nothing. */
export async function pageOfLines(db: Db, spec: LineListSpec): Promise<Line[]> {
  if (spec.limit === 0) return [];
  const caps = capabilitiesOf(db);
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
  return rows.map(rowToLine);
}

/** One page of lines and the number of lines matching the filters. */
export async function listLines(db: Db, spec: LineListSpec): Promise<{ lines: Line[]; total: number }> {
  const total = await countMatchingLines(db, spec);
  if (spec.offset >= total) return { lines: [], total };
  return { lines: await pageOfLines(db, spec), total };
}
