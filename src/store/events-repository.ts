// Event bindings (event.bind) and the outbox the scheduler delivers from. Claims use the skipLocked capability,
// so servers sharing one PostgreSQL take disjoint rows.

import { sql } from 'kysely';
import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';
import { noteChange } from './model-changes.js';
import type { EventBindingTable, EventOfflineTable, EventOutboxTable } from './schema.js';

export type EventBindingRow = Omit<EventBindingTable, 'id'> & { id: number };
export type OutboxRow = Omit<EventOutboxTable, 'id'> & { id: number };
export type OfflineRow = Omit<EventOfflineTable, 'id'> & { id: number };

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function outboxRow(row: OutboxRow): OutboxRow {
  return {
    ...row,
    id: Number(row.id),
    binding_id: Number(row.binding_id),
    app_id: Number(row.app_id),
    user_id: Number(row.user_id),
    ts: Number(row.ts),
    created_at_ms: Number(row.created_at_ms),
    attempt: Number(row.attempt),
    next_attempt_at_ms: Number(row.next_attempt_at_ms),
    claimed_until_ms: num(row.claimed_until_ms),
    delivered_at_ms: num(row.delivered_at_ms),
    failed_at_ms: num(row.failed_at_ms),
    local_user: Number(row.local_user),
    event_session: Number(row.event_session),
  };
}

/** Inserts a binding; false when the same (app, event, handler, user, connector) exists already. */
export async function insertBinding(db: Db, binding: Omit<EventBindingTable, 'id'>): Promise<boolean> {
  const row = await db
    .insertInto('event_bindings')
    .values(binding)
    .onConflict((oc) => oc.columns(['app_id', 'event', 'handler', 'user_id', 'connector_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row !== undefined) noteChange(db, { kind: 'bindings' });
  return row !== undefined;
}

export async function deleteBindings(
  db: Db,
  where: { appId: number; event: string; handler: string; userId: number | null; connectorId?: string },
): Promise<number> {
  let query = db
    .deleteFrom('event_bindings')
    .where('app_id', '=', where.appId)
    .where('event', '=', where.event)
    .where('handler', '=', where.handler);
  if (where.userId !== null) query = query.where('user_id', '=', where.userId);
  if (where.connectorId !== undefined) query = query.where('connector_id', '=', where.connectorId);
  const result = await query.executeTakeFirst();
  const deleted = Number(result.numDeletedRows);
  if (deleted > 0) noteChange(db, { kind: 'bindings' });
  return deleted;
}

export async function listAppBindings(db: Db, appId: number, userId: number | null): Promise<EventBindingRow[]> {
  let query = db.selectFrom('event_bindings').selectAll().where('app_id', '=', appId);
  if (userId !== null) query = query.where('user_id', '=', userId);
  const rows = await query.orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), app_id: Number(r.app_id), user_id: Number(r.user_id) }));
}

export async function bindingsForEvent(db: Db, event: string): Promise<EventBindingRow[]> {
  const rows = await db.selectFrom('event_bindings').selectAll().where('event', '=', event).orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), app_id: Number(r.app_id), user_id: Number(r.user_id) }));
}

export async function insertOutbox(db: Db, rows: Omit<EventOutboxTable, 'id'>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('event_outbox').values(rows).execute();
}

/**
 * Claims up to `limit` due rows for `node` until `leaseUntilMs`: rows not delivered, not failed, due, and not
 * claimed by a live lease. Run inside a write transaction.
 */
export async function claimDue(
  db: Db,
  options: { node: string; nowMs: number; leaseUntilMs: number; limit: number },
): Promise<OutboxRow[]> {
  const due = capabilitiesOf(db).skipLocked(
    db
      .selectFrom('event_outbox')
      .select('id')
      .where('delivered_at_ms', 'is', null)
      .where('failed_at_ms', 'is', null)
      .where('next_attempt_at_ms', '<=', options.nowMs)
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', options.nowMs)]))
      .orderBy('next_attempt_at_ms')
      .orderBy('id')
      .limit(options.limit),
  );
  const ids = (await due.execute()).map((r) => Number(r.id));
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('event_outbox')
    .set({ claimed_by: options.node, claimed_until_ms: options.leaseUntilMs })
    .where('id', 'in', ids)
    .returningAll()
    .execute();
  return rows.map(outboxRow).sort((a, b) => a.next_attempt_at_ms - b.next_attempt_at_ms || a.id - b.id);
}

/**
 * The earliest moment a pending row can be claimed (for the scheduler's next timer), or null: its due time, or
 * for a row under another server's live lease, the lease's end.
 */
export async function nextDueMs(db: Db, nowMs: number): Promise<number | null> {
  const row = await db
    .selectFrom('event_outbox')
    .select((eb) => [
      eb.fn
        .min('next_attempt_at_ms')
        .filterWhere((f) => f.or([f('claimed_until_ms', 'is', null), f('claimed_until_ms', '<', nowMs)]))
        .as('due'),
      eb.fn.min('claimed_until_ms').filterWhere('claimed_until_ms', '>=', nowMs).as('lease'),
    ])
    .where('delivered_at_ms', 'is', null)
    .where('failed_at_ms', 'is', null)
    .executeTakeFirst();
  const times = [num(row?.due), num(row?.lease)].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}

/** Records the outcome of one attempt, only while `node` still holds the claim. */
export async function settleAttempt(
  db: Db,
  id: number,
  node: string,
  outcome: Pick<EventOutboxTable, 'attempt' | 'next_attempt_at_ms' | 'delivered_at_ms' | 'failed_at_ms' | 'last_error'>,
): Promise<boolean> {
  const result = await db
    .updateTable('event_outbox')
    .set({ ...outcome, claimed_by: null, claimed_until_ms: null })
    .where('id', '=', id)
    .where('claimed_by', '=', node)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listOutbox(db: Db, options: { failedOnly?: boolean } = {}): Promise<OutboxRow[]> {
  let query = db.selectFrom('event_outbox').selectAll();
  if (options.failedOnly) query = query.where('failed_at_ms', 'is not', null);
  return (await query.orderBy('id').execute()).map(outboxRow);
}

/** What a delivery with a user needs of an application: its id, application_token and scopes; none: deleted. */
export async function eventAppOf(
  db: Db,
  appId: number,
): Promise<{ id: number; application_token: string; scopes: string } | undefined> {
  const row = await db
    .selectFrom('oauth_apps')
    .select(['id', 'application_token', 'scopes'])
    .where('id', '=', appId)
    .executeTakeFirst();
  return row && { ...row, id: Number(row.id) };
}

/** An outbox row with its application's client_id and name (empty when the application was removed). */
export type DeliveryRow = OutboxRow & { client_id: string; app_name: string };

/**
 * The newest deliveries first (only failed ones with `failedOnly`, only one with `id`), `limit` from `offset`,
 * and how many match.
 */
export async function recentDeliveries(
  db: Db,
  options: { failedOnly: boolean; limit: number; offset: number; id?: number },
): Promise<{ rows: DeliveryRow[]; total: number }> {
  let query = db.selectFrom('event_outbox').leftJoin('oauth_apps', 'oauth_apps.id', 'event_outbox.app_id');
  if (options.failedOnly) query = query.where('event_outbox.failed_at_ms', 'is not', null);
  if (options.id !== undefined) query = query.where('event_outbox.id', '=', options.id);
  const rows = await query
    .selectAll('event_outbox')
    .select(['oauth_apps.client_id', 'oauth_apps.name as app_name'])
    .orderBy('event_outbox.id', 'desc')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  const counted = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return {
    rows: rows.map((r) => ({ ...outboxRow(r), client_id: r.client_id ?? '', app_name: r.app_name ?? '' })),
    total: Number(counted?.n ?? 0),
  };
}

export async function findOutboxRow(db: Db, id: number): Promise<OutboxRow | undefined> {
  const row = await db.selectFrom('event_outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row && outboxRow(row);
}

/** Makes a delivery due at `nowMs` with its attempts reset (a failed one is pending again). */
export async function resetDelivery(db: Db, id: number, nowMs: number): Promise<void> {
  await db
    .updateTable('event_outbox')
    .set({ attempt: 0, next_attempt_at_ms: nowMs, failed_at_ms: null })
    .where('id', '=', id)
    .execute();
}

// Offline events (runtime-connectors.md §13.6).

/** A condition of event.offline.get/list's filter, checked by the service: `op` is '=', '>', '<', '>=', '<=',
 * 'in' or 'like'. */
export interface OfflineCondition {
  readonly column: 'id' | 'timestamp_ms' | 'event' | 'message_id' | 'process_id' | 'error';
  readonly op: '=' | '>' | '<' | '>=' | '<=' | 'in' | 'like';
  readonly value: string | number | readonly (string | number)[];
}

export interface OfflineOrder {
  readonly column: OfflineCondition['column'];
  readonly direction: 'asc' | 'desc';
}

export interface OfflineScope {
  readonly appId: number;
  readonly connectorId: string;
}

function offlineRow(row: OfflineRow): OfflineRow {
  return {
    ...row,
    id: Number(row.id),
    app_id: Number(row.app_id),
    user_id: Number(row.user_id),
    error: Number(row.error),
    timestamp_ms: Number(row.timestamp_ms),
  };
}

/**
 * Keeps an event for an offline binding: a row not yet taken with the same message id collapses with it (fresh
 * time and data), as the reference's merge on (MESSAGE_ID, APP_ID, CONNECTOR_ID, PROCESS_ID).
 */
export async function upsertOffline(
  db: Db,
  row: Omit<EventOfflineTable, 'id' | 'process_id' | 'error'>,
): Promise<void> {
  await db
    .insertInto('event_offline')
    .values({ ...row, process_id: '', error: 0 })
    .onConflict((oc) =>
      oc
        .columns(['app_id', 'connector_id', 'message_id', 'process_id'])
        .doUpdateSet({ timestamp_ms: row.timestamp_ms, data: row.data, user_id: row.user_id }),
    )
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: a select or delete over event_offline, narrowed by conditions
function where<Q extends { where: (...args: any[]) => Q }>(query: Q, conditions: readonly OfflineCondition[]): Q {
  let q = query;
  for (const c of conditions) {
    if (c.op === 'in') {
      const values = c.value as readonly (string | number)[];
      q = values.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where(c.column, 'in', values);
    } else if (c.op === 'like') {
      // Numbers are matched as text (a LIKE on an integer column is an error on PostgreSQL).
      q = q.where(sql`cast(${sql.ref(c.column)} as text)`, 'like', `%${String(c.value)}%`);
    } else {
      q = q.where(c.column, c.op, c.value);
    }
  }
  return q;
}

/**
 * event.offline.get without a process id: marks up to `limit` rows not taken (process_id '') that match with a
 * new process id, in order; concurrent callers take disjoint rows (skipLocked). Run inside a write.
 */
export async function markOffline(
  db: Db,
  scope: OfflineScope,
  conditions: readonly OfflineCondition[],
  order: readonly OfflineOrder[],
  limit: number,
  processId: string,
): Promise<void> {
  let select = where(
    db
      .selectFrom('event_offline')
      .select('id')
      .where('app_id', '=', scope.appId)
      .where('connector_id', '=', scope.connectorId)
      .where('process_id', '=', ''),
    conditions,
  );
  for (const o of order) select = select.orderBy(o.column, o.direction);
  const ids = (await capabilitiesOf(db).skipLocked(select.orderBy('id').limit(limit)).execute()).map((r) =>
    Number(r.id),
  );
  if (ids.length === 0) return;
  await db
    .updateTable('event_offline')
    .set({ process_id: processId })
    .where('id', 'in', ids)
    .where('process_id', '=', '')
    .execute();
}

/** The rows of one app/connector that match, in order; `limit`/`offset` optional. */
export async function selectOffline(
  db: Db,
  scope: { appId: number; connectorId: string },
  conditions: readonly OfflineCondition[],
  order: readonly OfflineOrder[],
  page: { limit?: number; offset?: number } = {},
): Promise<OfflineRow[]> {
  let select = where(
    db
      .selectFrom('event_offline')
      .selectAll()
      .where('app_id', '=', scope.appId)
      .where('connector_id', '=', scope.connectorId),
    conditions,
  );
  for (const o of order) select = select.orderBy(o.column, o.direction);
  select = select.orderBy('id');
  if (page.limit !== undefined) select = select.limit(page.limit);
  if (page.offset !== undefined) select = select.offset(page.offset);
  return (await select.execute()).map((r) => offlineRow(r as OfflineRow));
}

export async function countOffline(
  db: Db,
  scope: OfflineScope,
  conditions: readonly OfflineCondition[],
): Promise<number> {
  const row = await where(
    db
      .selectFrom('event_offline')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('app_id', '=', scope.appId)
      .where('connector_id', '=', scope.connectorId),
    conditions,
  ).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Deletes the rows of a process (all of them, or those with the given ids or message ids). */
export async function clearOffline(
  db: Db,
  scope: OfflineScope,
  processId: string,
  only?: { ids?: readonly number[]; messageIds?: readonly string[] },
): Promise<number> {
  let query = db
    .deleteFrom('event_offline')
    .where('app_id', '=', scope.appId)
    .where('connector_id', '=', scope.connectorId)
    .where('process_id', '=', processId);
  if (only?.ids) query = only.ids.length ? query.where('id', 'in', only.ids) : query.where(sql<boolean>`1 = 0`);
  if (only?.messageIds) {
    query = only.messageIds.length
      ? query.where('message_id', 'in', only.messageIds)
      : query.where(sql<boolean>`1 = 0`);
  }
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/**
 * event.offline.error: the process's rows with these message ids become error rows (process_id '', error 1);
 * every other copy of these messages not marked as an error is dropped (as the reference does, whether or not
 * the process holds the message), and an older error row of the same message gives way to the fresher one.
 */
export async function markOfflineError(
  db: Db,
  scope: OfflineScope,
  processId: string,
  messageIds: readonly string[],
): Promise<void> {
  if (messageIds.length === 0) return;
  const mine = db
    .deleteFrom('event_offline')
    .where('app_id', '=', scope.appId)
    .where('connector_id', '=', scope.connectorId)
    .where('message_id', 'in', messageIds);
  const marked = await db
    .selectFrom('event_offline')
    .select('message_id')
    .where('app_id', '=', scope.appId)
    .where('connector_id', '=', scope.connectorId)
    .where('message_id', 'in', messageIds)
    .where('process_id', '=', processId)
    .where('error', '=', 0)
    .execute();
  await mine.where('error', '=', 0).where('process_id', '<>', processId).execute();
  const ids = marked.map((r) => r.message_id);
  if (ids.length === 0) return;
  await mine.where('error', '=', 1).where('process_id', '=', '').where('message_id', 'in', ids).execute();
  await db
    .updateTable('event_offline')
    .set({ error: 1, process_id: '' })
    .where('app_id', '=', scope.appId)
    .where('connector_id', '=', scope.connectorId)
    .where('message_id', 'in', ids)
    .where('process_id', '=', processId)
    .where('error', '=', 0)
    .execute();
}
