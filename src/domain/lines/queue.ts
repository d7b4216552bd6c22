// Turns QUEUE input into the configured queue (users and departments as sent) and the expanded operator list
// (reference-behaviour.md §2.4: QueueManager::compatibleUpdate/update), in two steps: readQueue reads the wire
// form (the method's part), resolveQueue looks the entries up (the service's part, in its transaction). Invalid
// entries and users who cannot be operators (unknown, inactive, extranet) are dropped with a warning; an empty
// result makes the caller the only operator.

import type { Db } from '../../store/db.js';
import { departmentTree, findDepartment, findUsers, usersInDepartments } from '../../store/directory-repository.js';
import { describeSent, isObject, parsePositiveId } from '../../wire/php-values.js';
import type { FieldWarning } from '../input/input-report.js';
import { NO_DISPLAY, type Operator, type OperatorDisplay, type QueueEntry } from './line.js';

/** Why a queue expanded to nobody before the caller fallback (update refuses such a queue). */
export type EmptyQueueReason = 'empty' | 'no-valid-entry' | 'empty-departments';

/** QUEUE and QUEUE_USERS_FIELDS as read from the wire, before any lookup. */
export interface QueueInput {
  /** QUEUE as sent, for the warning when the caller becomes the only operator. */
  readonly sent: unknown;
  /** Valid entries in the order sent, without repeats. */
  readonly wanted: readonly QueueEntry[];
  /** An empty list was sent (or nothing), as opposed to entries of which none was valid. */
  readonly sentEmpty: boolean;
  /** Per-user display data from QUEUE_USERS_FIELDS. */
  readonly displays: ReadonlyMap<number, OperatorDisplay>;
  readonly warnings: readonly FieldWarning[];
}

export interface ResolvedQueue {
  configQueue: QueueEntry[];
  operators: Operator[];
  /** What the lookups found (users that cannot be operators, departments that do not exist). */
  warnings: FieldWarning[];
  emptyReason?: EmptyQueueReason;
  /** Set when no entry was valid and the caller became the only operator (add's fallback; update refuses). */
  callerFallback?: FieldWarning;
}

/** A parsed entry as warnings echo it in `sent` (the form the X-Openlines-Warnings header has always shown). */
const sentEntry = (entry: QueueEntry) => ({ entity_type: entry.entityType, entity_id: entry.entityId });

/** QUEUE entries as a list: a JSON array, or a PHP-style map of index → entry. */
export function queueEntries(raw: unknown): unknown[] | null {
  if (Array.isArray(raw)) return raw;
  if (isObject(raw)) return Object.values(raw);
  return null;
}

/** One entry in object form, or null when it is not {ENTITY_TYPE: user|department, ENTITY_ID: >0}. */
export function parseObjectEntry(entry: unknown): QueueEntry | null {
  if (!isObject(entry)) return null;
  const type = entry.ENTITY_TYPE;
  const id = parsePositiveId(entry.ENTITY_ID);
  if ((type !== 'user' && type !== 'department') || id === null) return null;
  return { entityType: type, entityId: id };
}

/** QUEUE_USERS_FIELDS: the per-line display data of operators, by user id. */
function parseUsersFields(raw: unknown, warnings: FieldWarning[]): Map<number, OperatorDisplay> {
  const result = new Map<number, OperatorDisplay>();
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
      userName: text(value.USER_NAME),
      workPosition: text(value.USER_WORK_POSITION),
      avatar: text(value.USER_AVATAR),
      avatarId: parsePositiveId(value.USER_AVATAR_ID) ?? 0,
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
  const wanted: QueueEntry[] = [];
  for (const entry of entries ?? []) {
    const plainId = options.allowPlainIds && !isObject(entry) ? parsePositiveId(entry) : null;
    const parsed: QueueEntry | null =
      plainId !== null ? { entityType: 'user', entityId: plainId } : parseObjectEntry(entry);
    if (!parsed) {
      warnings.push({
        field: 'QUEUE',
        sent: entry,
        used: null,
        reason: `entry ${describeSent(entry)} is not {ENTITY_TYPE: user|department, ENTITY_ID: id > 0}${options.allowPlainIds ? ' or a user id' : ''}; dropped`,
      });
      continue;
    }
    if (!wanted.some((w) => w.entityType === parsed.entityType && w.entityId === parsed.entityId)) {
      wanted.push(parsed);
    }
  }
  const displays = parseUsersFields(usersFieldsRaw, warnings);
  return { sent: raw, wanted, sentEmpty: entries !== null && entries.length === 0, displays, warnings };
}

export async function resolveQueue(db: Db, queue: QueueInput, callerId: number): Promise<ResolvedQueue> {
  const { wanted, displays } = queue;
  const warnings: FieldWarning[] = [];
  const userIds = wanted.filter((w) => w.entityType === 'user').map((w) => w.entityId);
  const users = await findUsers(db, [...userIds, callerId]);
  const configQueue: QueueEntry[] = [];
  const operators: Operator[] = [];
  const addOperator = (userId: number, departmentId: number) => {
    if (operators.some((o) => o.userId === userId)) return;
    operators.push({ userId, departmentId, ...(displays.get(userId) ?? NO_DISPLAY) });
  };
  for (const entry of wanted) {
    if (entry.entityType === 'user') {
      const user = users.get(entry.entityId);
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
          sent: sentEntry(entry),
          used: null,
          reason: `user ${entry.entityId} ${problem}; dropped`,
        });
        continue;
      }
      configQueue.push(entry);
      addOperator(entry.entityId, 0);
    } else {
      if (!(await findDepartment(db, entry.entityId))) {
        warnings.push({
          field: 'QUEUE',
          sent: sentEntry(entry),
          used: null,
          reason: `department ${entry.entityId} does not exist; dropped`,
        });
        continue;
      }
      configQueue.push(entry);
      const members = await usersInDepartments(db, await departmentTree(db, entry.entityId));
      for (const member of members) if (member.active && !member.is_extranet) addOperator(member.id, entry.entityId);
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
  const fallback: Pick<ResolvedQueue, 'emptyReason' | 'callerFallback'> =
    emptyReason === 'empty'
      ? { emptyReason }
      : {
          emptyReason,
          callerFallback: {
            field: 'QUEUE',
            sent: queue.sent,
            used: [String(callerId)],
            reason: 'the queue has no valid operator; the caller became the only operator',
          },
        };
  const caller = users.get(callerId);
  if (caller?.active && !caller.is_extranet) {
    addOperator(callerId, 0);
    return { configQueue: [{ entityType: 'user', entityId: callerId }], operators, warnings, ...fallback };
  }
  return { configQueue: [], operators, warnings, ...fallback };
}
