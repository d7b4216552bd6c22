// Turns QUEUE input into the configured queue (users and departments as sent) and the expanded operator list
// (reference-behaviour.md §2.4: QueueManager::compatibleUpdate/update), in two steps: readQueue reads the wire
// form (the method's part), resolveQueue looks the entries up (the service's part, in its transaction). Invalid
// entries and users who cannot be operators (unknown, inactive, extranet) are dropped with a warning; an empty
// result makes the caller the only operator.

import { departmentTree, findDepartment, findUsers, usersInDepartments } from '../../store/directory-repository.js';
import type { NewOperator } from '../../store/lines-repository.js';
import type { Db } from '../../store/portal-repository.js';
import { describeSent, isObject, parsePositiveId } from '../../wire/php-values.js';
import type { FieldWarning } from '../input/input-report.js';

export type EntityType = 'user' | 'department';

export interface ConfigQueueEntry {
  entity_type: EntityType;
  entity_id: number;
}

/** QUEUE and QUEUE_USERS_FIELDS as read from the wire, before any lookup. */
export interface QueueInput {
  /** QUEUE as sent, for the warning when the caller becomes the only operator. */
  readonly sent: unknown;
  /** Valid entries in the order sent, without repeats. */
  readonly wanted: readonly ConfigQueueEntry[];
  /** An empty list was sent (or nothing), as opposed to entries of which none was valid. */
  readonly sentEmpty: boolean;
  /** Per-user display fields from QUEUE_USERS_FIELDS. */
  readonly overrides: ReadonlyMap<number, UserOverride>;
  readonly warnings: readonly FieldWarning[];
}

export interface ResolvedQueue {
  configQueue: ConfigQueueEntry[];
  operators: NewOperator[];
  /** What the lookups found (users that cannot be operators, departments that do not exist, the fallback). */
  warnings: FieldWarning[];
  /** Why the queue expanded to nobody before the caller fallback (update refuses such a queue). */
  emptyReason?: 'empty' | 'no-valid-entry' | 'empty-departments';
}

/** QUEUE entries as a list: a JSON array, or a PHP-style map of index → entry. */
export function queueEntries(raw: unknown): unknown[] | null {
  if (Array.isArray(raw)) return raw;
  if (isObject(raw)) return Object.values(raw);
  return null;
}

/** One entry in object form, or null when it is not {ENTITY_TYPE: user|department, ENTITY_ID: >0}. */
export function parseObjectEntry(entry: unknown): ConfigQueueEntry | null {
  if (!isObject(entry)) return null;
  const type = entry.ENTITY_TYPE;
  const id = parsePositiveId(entry.ENTITY_ID);
  if ((type !== 'user' && type !== 'department') || id === null) return null;
  return { entity_type: type, entity_id: id };
}

interface UserOverride {
  USER_NAME: string | null;
  USER_WORK_POSITION: string | null;
  USER_AVATAR: string | null;
  USER_AVATAR_ID: number;
}

function parseUsersFields(raw: unknown, warnings: FieldWarning[]): Map<number, UserOverride> {
  const result = new Map<number, UserOverride>();
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) return result;
  if (!isObject(raw)) {
    warnings.push({
      field: 'QUEUE_USERS_FIELDS',
      sent: raw,
      used: null,
      reason: 'expected an object keyed by user id; ignored',
    });
    return result;
  }
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 255) : null);
  for (const [key, value] of Object.entries(raw)) {
    const userId = parsePositiveId(key);
    if (userId === null || !isObject(value)) {
      warnings.push({
        field: 'QUEUE_USERS_FIELDS',
        sent: key,
        used: null,
        reason: `entry ${describeSent(key)} is not a user id with an object of fields; ignored`,
      });
      continue;
    }
    result.set(userId, {
      USER_NAME: text(value.USER_NAME),
      USER_WORK_POSITION: text(value.USER_WORK_POSITION),
      USER_AVATAR: text(value.USER_AVATAR),
      USER_AVATAR_ID: parsePositiveId(value.USER_AVATAR_ID) ?? 0,
    });
  }
  return result;
}

/** add takes plain user ids as entries too; update only the object form (checked before, see apply-input.ts). */
export function readQueue(raw: unknown, usersFieldsRaw: unknown, options: { allowPlainIds: boolean }): QueueInput {
  const warnings: FieldWarning[] = [];
  const entries = raw === undefined || raw === null || raw === '' ? [] : queueEntries(raw);
  if (entries === null) {
    warnings.push({ field: 'QUEUE', sent: raw, used: null, reason: 'expected an array of queue entries; ignored' });
  }
  const wanted: ConfigQueueEntry[] = [];
  for (const entry of entries ?? []) {
    const plainId = options.allowPlainIds && !isObject(entry) ? parsePositiveId(entry) : null;
    const parsed = plainId !== null ? { entity_type: 'user' as const, entity_id: plainId } : parseObjectEntry(entry);
    if (!parsed) {
      warnings.push({
        field: 'QUEUE',
        sent: entry,
        used: null,
        reason: `entry ${describeSent(entry)} is not {ENTITY_TYPE: user|department, ENTITY_ID: id > 0}${options.allowPlainIds ? ' or a user id' : ''}; dropped`,
      });
      continue;
    }
    if (!wanted.some((w) => w.entity_type === parsed.entity_type && w.entity_id === parsed.entity_id)) {
      wanted.push(parsed);
    }
  }

  const overrides = parseUsersFields(usersFieldsRaw, warnings);
  return { sent: raw, wanted, sentEmpty: entries !== null && entries.length === 0, overrides, warnings };
}

export async function resolveQueue(db: Db, queue: QueueInput, callerId: number): Promise<ResolvedQueue> {
  const { wanted, overrides } = queue;
  const warnings: FieldWarning[] = [];
  const userIds = wanted.filter((w) => w.entity_type === 'user').map((w) => w.entity_id);
  const users = await findUsers(db, [...userIds, callerId]);
  const configQueue: ConfigQueueEntry[] = [];
  const operators: NewOperator[] = [];
  const addOperator = (userId: number, departmentId: number) => {
    if (operators.some((o) => o.user_id === userId)) return;
    const o = overrides.get(userId);
    operators.push({
      user_id: userId,
      department_id: departmentId,
      user_name: o?.USER_NAME ?? null,
      user_work_position: o?.USER_WORK_POSITION ?? null,
      user_avatar: o?.USER_AVATAR ?? null,
      user_avatar_id: o?.USER_AVATAR_ID ?? 0,
    });
  };
  for (const entry of wanted) {
    if (entry.entity_type === 'user') {
      const user = users.get(entry.entity_id);
      const problem = !user
        ? 'does not exist'
        : !user.active
          ? 'is inactive'
          : user.is_extranet
            ? 'is an extranet user'
            : null;
      if (problem) {
        warnings.push({
          field: 'QUEUE',
          sent: entry,
          used: null,
          reason: `user ${entry.entity_id} ${problem}; dropped`,
        });
        continue;
      }
      configQueue.push(entry);
      addOperator(entry.entity_id, 0);
    } else {
      if (!(await findDepartment(db, entry.entity_id))) {
        warnings.push({
          field: 'QUEUE',
          sent: entry,
          used: null,
          reason: `department ${entry.entity_id} does not exist; dropped`,
        });
        continue;
      }
      configQueue.push(entry);
      const members = await usersInDepartments(db, await departmentTree(db, entry.entity_id));
      for (const member of members) if (member.active && !member.is_extranet) addOperator(member.id, entry.entity_id);
    }
  }

  if (configQueue.length > 0) {
    // Valid departments without members stay configured; only update refuses such a queue.
    return {
      configQueue,
      operators,
      warnings,
      ...(operators.length ? {} : { emptyReason: 'empty-departments' as const }),
    };
  }
  const emptyReason = queue.sentEmpty ? 'empty' : 'no-valid-entry';
  if (emptyReason === 'no-valid-entry') {
    warnings.push({
      field: 'QUEUE',
      sent: queue.sent,
      used: [String(callerId)],
      reason: 'the queue has no valid operator; the caller became the only operator',
    });
  }
  const caller = users.get(callerId);
  if (caller?.active && !caller.is_extranet) {
    addOperator(callerId, 0);
    return { configQueue: [{ entity_type: 'user', entity_id: callerId }], operators, warnings, emptyReason };
  }
  return { configQueue: [], operators, warnings, emptyReason };
}
