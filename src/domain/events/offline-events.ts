// Offline events (runtime-connectors.md §13.6): events of a binding made with event_type=offline are kept in the
// store (event-service.ts emit) until the application takes them: event.offline.get (marks rows with a process
// id, returns them and, with clear=1, deletes them), .list (read-only, paged), .clear (deletes a process's rows)
// and .error (marks rows as failed). Administrators only; each application (and auth_connector) sees its own.

import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.js';
import {
  clearOffline,
  countOffline,
  markOffline,
  markOfflineError,
  type OfflineCondition,
  type OfflineOrder,
  type OfflineRow,
  type OfflineScope,
  selectOffline,
} from '../../store/events-repository.js';
import { findAppByClientId } from '../../store/oauth-repository.js';
import type { Store } from '../../store/store.js';
import { argumentError, RestError } from '../../wire/errors.js';
import { formatPhpDate } from '../../wire/php-date.js';
import { INT32_MAX, INT32_MIN, isObject, phpIntval } from '../../wire/php-values.js';
import type { Caller } from '../caller.js';

/** event.offline.get's default and event.offline.list's page size (IRestService::LIST_LIMIT). */
export const OFFLINE_PAGE = 50;

const GET_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'] as const;
const LIST_FIELDS = [...GET_FIELDS, 'PROCESS_ID', 'ERROR'] as const;
type Field = (typeof LIST_FIELDS)[number];
const COLUMNS: Record<Field, OfflineCondition['column']> = {
  ID: 'id',
  TIMESTAMP_X: 'timestamp_ms',
  EVENT_NAME: 'event',
  MESSAGE_ID: 'message_id',
  PROCESS_ID: 'process_id',
  ERROR: 'error',
};
const OPERATIONS = ['', '=', '>', '<', '>=', '<=', '@', '%'];

/** One row as event.offline.get answers it (list adds PROCESS_ID and ERROR). */
export interface OfflineEvent {
  readonly ID: string;
  readonly TIMESTAMP_X: string;
  readonly EVENT_NAME: string;
  readonly EVENT_DATA: unknown;
  readonly EVENT_ADDITIONAL: { readonly user_id: string };
  readonly MESSAGE_ID: string;
  readonly PROCESS_ID?: string;
  readonly ERROR?: string;
}

/** The parameters of event.offline.* with lower-cased keys, as sent. */
export type OfflineParams = Readonly<Record<string, unknown>>;

export class OfflineEventQueue {
  constructor(
    private readonly store: Store,
    private readonly timeZone: string,
  ) {}

  /** event.offline.get. */
  async get(
    caller: Caller,
    connectorId: string,
    p: OfflineParams,
  ): Promise<{ process_id: string | null; events: OfflineEvent[] }> {
    requireAdmin(caller);
    const clear = p.clear === undefined || p.clear === null ? 1 : phpIntval(p.clear);
    let processId = optionalText(p.process_id, 'PROCESS_ID');
    // clear=0 needs the rest_offline_extended feature on Bitrix24 cloud; on-premise it is always on, and openlines
    // has no plans (docs/decisions.md).
    const limit = p.limit === undefined || p.limit === null ? OFFLINE_PAGE : phpIntval(p.limit);
    const errors = p.error !== undefined && p.error !== null && phpIntval(p.error) === 1;
    let returnProcessId = clear === 0;
    if (limit <= 0) throw argumentError('LIMIT', 'Value must be positive integer');
    const conditions = readFilter(p.filter, GET_FIELDS);
    const order = readOrder(p.order ?? { TIMESTAMP_X: 'ASC' }, GET_FIELDS);
    return this.store.write(async (trx) => {
      const scope = { appId: await appOf(trx, caller), connectorId };
      const all = [...conditions, { column: 'error', op: '=', value: errors ? 1 : 0 } as const];
      if (processId === null) {
        processId = randomBytes(16).toString('hex');
        await markOffline(trx, scope, all, order, limit, processId);
      } else {
        returnProcessId = true;
      }
      const rows = await selectOffline(
        trx,
        scope,
        [...all, { column: 'process_id', op: '=', value: processId }],
        order,
        { limit },
      );
      if (clear !== 0 && rows.length > 0) await clearOffline(trx, scope, processId);
      return {
        process_id: returnProcessId ? processId : null,
        events: rows.map((r) => this.present(r, false)),
      };
    });
  }

  /** event.offline.list: read-only, pages of 50 from `start`. */
  async list(
    caller: Caller,
    connectorId: string,
    p: OfflineParams,
    start: number | undefined,
  ): Promise<{ result: OfflineEvent[]; next?: number; total: number }> {
    requireAdmin(caller);
    const conditions = readFilter(p.filter, LIST_FIELDS);
    const order = readOrder(p.order ?? { ID: 'ASC' }, LIST_FIELDS);
    const offset = Math.max(0, start ?? 0);
    return this.store.read(async (db) => {
      const scope = { appId: await appOf(db, caller), connectorId };
      const rows = await selectOffline(db, scope, conditions, order, { limit: OFFLINE_PAGE, offset });
      const total = await countOffline(db, scope, conditions);
      const result = rows.map((r) => this.present(r, true));
      return offset + result.length < total ? { result, next: offset + result.length, total } : { result, total };
    });
  }

  /** event.offline.clear: deletes the process's rows (all, or the listed ids or message ids). */
  async clear(caller: Caller, connectorId: string, p: OfflineParams): Promise<true> {
    requireAdmin(caller);
    const processId = optionalText(p.process_id, 'PROCESS_ID');
    if (processId === null) throw argumentError('PROCESS_ID', "Argument 'PROCESS_ID' is null or empty");
    let only: { ids?: number[]; messageIds?: string[] } | undefined;
    if (p.message_id !== undefined && p.message_id !== null) {
      only = { messageIds: readMessageIds(p.message_id, true) };
    } else if (p.id !== undefined && p.id !== null) {
      if (!Array.isArray(p.id) && !isObject(p.id)) throw argumentError('id', 'Value must be array of integers');
      const ids = Object.values(p.id).map((v) => (isObject(v) || Array.isArray(v) ? 0 : phpIntval(v)));
      if (ids.some((id) => id <= 0)) throw argumentError('id', 'Value must be array of integers');
      only = { ids };
    }
    await this.store.write(async (trx) => {
      await clearOffline(trx, { appId: await appOf(trx, caller), connectorId }, processId, only);
    });
    return true;
  }

  /** event.offline.error: marks the process's rows with these message ids as errors. */
  async error(caller: Caller, connectorId: string, p: OfflineParams): Promise<true> {
    requireAdmin(caller);
    const processId = optionalText(p.process_id, 'PROCESS_ID');
    if (processId === null) throw argumentError('PROCESS_ID', "Argument 'PROCESS_ID' is null or empty");
    const messageIds = readMessageIds(p.message_id, false);
    if (messageIds.length > 0) {
      await this.store.write(async (trx) => {
        const scope: OfflineScope = { appId: await appOf(trx, caller), connectorId };
        await markOfflineError(trx, scope, processId, messageIds);
      });
    }
    return true;
  }

  private present(row: OfflineRow, withProcess: boolean): OfflineEvent {
    const event: OfflineEvent = {
      ID: String(row.id),
      TIMESTAMP_X: formatPhpDate(row.timestamp_ms, this.timeZone),
      EVENT_NAME: row.event,
      EVENT_DATA: JSON.parse(row.data),
      EVENT_ADDITIONAL: { user_id: String(row.user_id) },
      MESSAGE_ID: row.message_id,
    };
    return withProcess ? { ...event, PROCESS_ID: row.process_id, ERROR: String(row.error) } : event;
  }
}

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new RestError('ACCESS_DENIED');
}

/** A string parameter, trimmed; null when not sent. */
function optionalText(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    return (typeof raw === 'boolean' ? (raw ? '1' : '') : String(raw)).trim();
  }
  throw argumentError(field, 'Value must be a string');
}

/**
 * message_id[]: an array of 32-character ids. `strict` (clear) checks each length; the reference names the
 * argument `messsage_id` (sic) in that case.
 */
function readMessageIds(raw: unknown, strict: boolean): string[] {
  if (!Array.isArray(raw) && !isObject(raw)) {
    throw argumentError('message_id', 'Value must be array of MESSAGE_ID values');
  }
  return Object.values(raw).map((v) => {
    const id = typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '';
    if (strict && [...id].length !== 32) throw argumentError('messsage_id', 'Value must be array of MESSAGE_ID values');
    return id;
  });
}

/** IRestService::sanitizeFilter: `[op]FIELD => value` over the allowed fields and operations. */
function readFilter(raw: unknown, fields: readonly Field[]): OfflineCondition[] {
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw) && !Array.isArray(raw)) {
    throw new RestError('ERROR_ARGUMENT', 'The filter is not an array.');
  }
  const conditions: OfflineCondition[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const upper = key.replace(/[a-z]/g, (c) => c.toUpperCase());
    const m = /^([^a-zA-Z]*)(.*)$/s.exec(upper)!;
    const op = m[1]!;
    const field = m[2]!;
    if (!OPERATIONS.includes(op)) throw new RestError('ERROR_ARGUMENT', `Filter operation not allowed: ${op}`);
    if (!(fields as readonly string[]).includes(field)) {
      throw new RestError('ERROR_ARGUMENT', `Filter field not allowed: ${field}`);
    }
    conditions.push(condition(field as Field, op, value));
  }
  return conditions;
}

function condition(field: Field, op: string, value: unknown): OfflineCondition {
  const column = COLUMNS[field];
  const cast = (v: unknown): string | number => {
    if (field === 'ID') return phpIntval(v);
    // ERROR is a 32-bit column: a larger number would be a query error on PostgreSQL, and matches nothing anyway.
    if (field === 'ERROR') return Math.max(INT32_MIN, Math.min(INT32_MAX, phpIntval(v)));
    if (field === 'TIMESTAMP_X') {
      const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (Number.isNaN(ms)) throw new RestError('ERROR_ARGUMENT', `Filter value is not a date: ${field}`);
      return Math.floor(ms / 1000) * 1000;
    }
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };
  const list = Array.isArray(value) || isObject(value);
  if (op === '@' || (list && (op === '' || op === '='))) {
    const values = list ? Object.values(value as object) : [value];
    return { column, op: 'in', value: values.filter((v) => !isObject(v) && !Array.isArray(v)).map(cast) };
  }
  const scalar = list ? '' : value;
  if (op === '%') return { column, op: 'like', value: String(cast(scalar)) };
  return { column, op: (op === '' ? '=' : op) as OfflineCondition['op'], value: cast(scalar) };
}

/** IRestService::sanitizeOrder: `FIELD => ASC|DESC`, or a list of fields (ascending). */
function readOrder(raw: unknown, fields: readonly Field[]): OfflineOrder[] {
  if (!isObject(raw) && !Array.isArray(raw)) throw new RestError('ERROR_ARGUMENT', 'The order is not an array.');
  const order: OfflineOrder[] = [];
  const entries: [string, unknown][] = Array.isArray(raw) ? raw.map((v, i) => [String(i), v]) : Object.entries(raw);
  for (const [key, value] of entries) {
    if (!/^\d+$/.test(key)) {
      const field = key.replace(/[a-z]/g, (c) => c.toUpperCase());
      if (!(fields as readonly string[]).includes(field)) {
        throw new RestError('ERROR_ARGUMENT', `Order field not allowed: ${field}`);
      }
      const direction = typeof value === 'string' ? value.toUpperCase() : '';
      if (direction !== 'ASC' && direction !== 'DESC') {
        throw new RestError('ERROR_ARGUMENT', 'Order direction should be one of {ASC|DESC}');
      }
      order.push({ column: COLUMNS[field as Field], direction: direction === 'ASC' ? 'asc' : 'desc' });
    } else {
      const field = typeof value === 'string' ? value : '';
      if (!(fields as readonly string[]).includes(field)) {
        throw new RestError('ERROR_ARGUMENT', `Order field not allowed: ${describe(value)}`);
      }
      order.push({ column: COLUMNS[field as Field], direction: 'asc' });
    }
  }
  return order;
}

const describe = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : 'Array');

async function appOf(db: Db, caller: Caller): Promise<number> {
  const app = caller.authKind === 'oauth' && caller.clientId ? await findAppByClientId(db, caller.clientId) : undefined;
  if (!app) throw new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');
  return app.id;
}
