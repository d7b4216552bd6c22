// A stored line as imopenlines.config.get and .list.get print it (openlines-api.md §2.2, §3.3; reference-behaviour.md
// §3; DECISIONS.md "Output typing"): every catalogue field in catalogue order, each in its kind's presented form
// (scalars as strings, arrays as arrays, `[""]` for empty day lists, `[]` for an empty DEFAULT_OPERATOR_DATA, null
// KPI lists, dates as PHP date('c') in the portal's zone), then the four queue keys. Nothing here lists fields by
// hand: everything comes from the catalogue and the kinds.

import { formatPhpDate } from '../../wire/php-date.js';
import { defaultFor } from './apply-input.js';
import { LINE_FIELDS } from './catalogue.js';
import { kindOf, type PresentContext } from './field-kinds.js';
import type { FieldDescriptor } from './field-types.js';

/** One stored line: the normalised document plus what lives in columns. */
export interface LineConfig {
  readonly id: number;
  /** The normalised field values (the `doc` document): every writable field. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly modifyUserId: number;
  /** ISO-8601 instants. */
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/** The directory entry of an operator, used where the queue row carries no per-line override. */
export interface DirectoryUser {
  readonly name: string;
  readonly lastName: string;
  readonly workPosition: string;
  readonly avatar: string;
  readonly active: boolean;
  readonly online: boolean;
}

/** One row of the expanded queue (b_imopenlines_queue) with its operator's directory entry. */
export interface QueueMember {
  readonly rowId: number;
  readonly sort: number;
  readonly userId: number;
  readonly departmentId: number;
  /** Per-line overrides from QUEUE_USERS_FIELDS (null: none). */
  readonly userName: string | null;
  readonly workPosition: string | null;
  readonly avatar: string | null;
  readonly avatarId: number;
  /** undefined when the user is no longer in the directory. */
  readonly user?: DirectoryUser;
}

export interface ConfiguredQueueEntry {
  readonly entityType: string;
  readonly entityId: number;
}

export interface PresentOptions {
  /** PORTAL_TIMEZONE: dates print in it. */
  readonly timeZone: string;
  /** Replaces #COMPANY_NAME# in the default texts of fields a stored document predates. */
  readonly companyName: string;
}

/** An output key (a field name or a list.get alias) and the field printed under it. */
export interface Projection {
  readonly key: string;
  readonly field: FieldDescriptor;
}

export const QUEUE_KEYS = ['QUEUE', 'QUEUE_FULL', 'QUEUE_USERS_FIELDS', 'QUEUE_ONLINE'] as const;

/** Every catalogue field under its own name, in catalogue order (= the reference's get order). */
export const ALL_FIELDS: readonly Projection[] = LINE_FIELDS.map((field) => ({ key: field.name, field }));

function contextOf(options: PresentOptions): PresentContext {
  return { formatDate: (iso) => formatPhpDate(Date.parse(iso), options.timeZone) };
}

/** The stored value of a field: columns for the id, dates and last editor; the document for the rest. */
function storedValue(line: LineConfig, field: FieldDescriptor, options: PresentOptions): unknown {
  switch (field.name) {
    case 'ID':
      return line.id;
    case 'MODIFY_USER_ID':
      return line.modifyUserId;
    case 'DATE_CREATE':
      return line.createdAt;
    case 'DATE_MODIFY':
      return line.modifiedAt;
  }
  if (Object.hasOwn(line.values, field.name)) return line.values[field.name];
  // Read-only fields that are never stored (SEND_NOTIFICATION_EMPTY_QUEUE), and fields newer than the document.
  return defaultFor(field, { companyName: options.companyName });
}

function presentField(field: FieldDescriptor, value: unknown, ctx: PresentContext): unknown {
  if (value === undefined || value === null) {
    if (field.kind === 'dayList' || field.kind === 'holidays') return kindOf(field).present([] as never, ctx);
    if (field.kind === 'operatorData' || field.kind === 'userList') return kindOf(field).present(null as never, ctx);
    return null;
  }
  return kindOf(field).present(value as never, ctx);
}

/** The fields of a line under the projection's keys, in the projection's order. */
export function presentFields(
  line: LineConfig,
  projection: readonly Projection[],
  options: PresentOptions,
): Record<string, unknown> {
  const ctx = contextOf(options);
  const out: Record<string, unknown> = {};
  for (const { key, field } of projection) out[key] = presentField(field, storedValue(line, field, options), ctx);
  return out;
}

/** PHP prints an empty array as `[]` and an array keyed by user ids as an object. */
function phpMap<V>(entries: readonly (readonly [number, V])[]): Record<string, V> | [] {
  if (entries.length === 0) return [];
  return Object.fromEntries(entries.map(([k, v]) => [String(k), v]));
}

function fullName(user: DirectoryUser): string {
  return [user.name, user.lastName].filter((part) => part !== '').join(' ');
}

/** The operator's display fields: the per-line override where set, the directory entry otherwise. */
function usersFields(member: QueueMember) {
  return {
    USER_NAME: member.userName ?? (member.user ? fullName(member.user) : null),
    USER_WORK_POSITION: member.workPosition ?? member.user?.workPosition ?? null,
    USER_AVATAR: member.avatar ?? member.user?.avatar ?? null,
    USER_AVATAR_ID: String(member.avatarId),
  };
}

export interface GetQueueOptions {
  /** WITH_QUEUE: false prints the four keys empty. */
  readonly withQueue: boolean;
  /** SHOW_OFFLINE: false lists only operators who are online. */
  readonly showOffline: boolean;
}

/**
 * The four queue keys of config.get (Config::get): active operators in queue order, only online ones with
 * SHOW_OFFLINE=N; QUEUE_ONLINE is Y when a listed operator is online.
 */
export function presentGetQueue(members: readonly QueueMember[], options: GetQueueOptions): Record<string, unknown> {
  if (!options.withQueue) return { QUEUE: [], QUEUE_FULL: [], QUEUE_USERS_FIELDS: [], QUEUE_ONLINE: 'N' };
  const listed = members.filter((m) => m.user?.active && (options.showOffline || m.user.online));
  return {
    QUEUE: listed.map((m) => String(m.userId)),
    QUEUE_FULL: phpMap(
      listed.map((m) => [
        m.userId,
        {
          ID: String(m.rowId),
          SORT: String(m.sort),
          USER_ID: String(m.userId),
          DEPARTMENT_ID: String(m.departmentId),
          ...usersFields(m),
        },
      ]),
    ),
    QUEUE_USERS_FIELDS: phpMap(listed.map((m) => [m.userId, usersFields(m)])),
    QUEUE_ONLINE: listed.some((m) => m.user?.online) ? 'Y' : 'N',
  };
}

/** The whole config.get result. */
export function presentLine(
  line: LineConfig,
  members: readonly QueueMember[],
  queue: GetQueueOptions,
  options: PresentOptions,
): Record<string, unknown> {
  return { ...presentFields(line, ALL_FIELDS, options), ...presentGetQueue(members, queue) };
}

export interface ListExtras {
  /** OPTIONS.QUEUE=Y: every operator row, active or not (Config::getList). */
  readonly queue?: readonly QueueMember[];
  /** OPTIONS.CONFIG_QUEUE=Y: the queue as configured. */
  readonly configQueue?: readonly ConfiguredQueueEntry[];
}

/** One config.list.get item: the projected fields, then QUEUE/QUEUE_USERS_FIELDS and CONFIG_QUEUE when asked for. */
export function presentListItem(
  line: LineConfig,
  projection: readonly Projection[],
  extras: ListExtras,
  options: PresentOptions,
): Record<string, unknown> {
  const out = presentFields(line, projection, options);
  if (extras.queue) {
    out.QUEUE = extras.queue.map((m) => String(m.userId));
    out.QUEUE_USERS_FIELDS = phpMap(extras.queue.map((m) => [m.userId, usersFields(m)]));
  }
  if (extras.configQueue) {
    out.CONFIG_QUEUE = extras.configQueue.map((e) => ({ ENTITY_ID: String(e.entityId), ENTITY_TYPE: e.entityType }));
  }
  return out;
}
