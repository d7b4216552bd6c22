// A stored line as imopenlines.config.get and .list.get print it (openlines-api.md §2.2, §3.3; reference-behaviour.md
// §3; DECISIONS.md "Output typing"): every catalogue field in catalogue order, each in its kind's presented form
// (scalars as strings, arrays as arrays, `[""]` for empty day lists, `[]` for an empty DEFAULT_OPERATOR_DATA, null
// KPI lists, dates as PHP date('c') in the portal's zone), then the four queue keys. The fields, where each is
// kept (the catalogue's `column`) and how each kind prints come from the catalogue and the kinds; this file
// turns the line model into the wire shape and lists no field by hand.

import { formatPhpDate } from '../../wire/php-date.js';
import type { DirectoryUser } from '../directory/directory-user.js';
import { defaultFor } from './apply-input.js';
import { LINE_FIELDS } from './catalogue.js';
import { kindOf, type PresentContext } from './field-kinds.js';
import type { FieldDescriptor } from './field-types.js';
import { columnValue, type Line, type QueueEntry, type QueueMember } from './line.js';

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

/** The stored value of a field: its column, or the document; a field newer than the document reads as its default. */
function storedValue(line: Line, field: FieldDescriptor, options: PresentOptions): unknown {
  if (field.column) return columnValue(line, field.column);
  if (Object.hasOwn(line.values, field.name)) return line.values[field.name];
  // Read-only fields that are never stored (SEND_NOTIFICATION_EMPTY_QUEUE), and fields newer than the document.
  return defaultFor(field, { companyName: options.companyName });
}

function presentField(field: FieldDescriptor, value: unknown, ctx: PresentContext): unknown {
  const kind = kindOf(field);
  if (value === undefined || value === null) return kind.presentEmpty(ctx);
  // The value was stored by this field's kind (the document) or is the column the catalogue names.
  return kind.present(value as never, ctx);
}

/** The fields of a line under the projection's keys, in the projection's order. */
export function presentFields(
  line: Line,
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
  line: Line,
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
  readonly configQueue?: readonly QueueEntry[];
}

/** One config.list.get item: the projected fields, then QUEUE/QUEUE_USERS_FIELDS and CONFIG_QUEUE when asked for. */
export function presentListItem(
  line: Line,
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
