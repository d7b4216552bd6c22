// The line configuration's rules across fields and queues; one transaction per call.

import { type Clock, systemClock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import { directoryUsersOf } from '../../store/directory-repository.js';
import {
  configQueuesOf,
  countLines,
  countMatchingLines,
  deleteLine,
  findLine,
  findLineForUpdate,
  insertLine,
  listLines,
  operatorsOf,
  pageOfLines,
  replaceQueues,
  updateLine,
} from '../../store/lines-repository.js';
import { incrementLineCounter } from '../../store/portal-repository.js';
import type { Store } from '../../store/store.js';
import { argumentError, RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import { authorOf, recordRevision } from '../history/history.js';
import { snapshotLine, snapshotOf } from '../history/line-snapshot.js';
import { type AppliedInput, applyLineInput, type FieldWarning, type InputFailure } from './apply-input.js';
import { describeSent, phpIntval } from './field-kinds.js';
import {
  displayOf,
  type Line,
  type LineDocument,
  type QueueEntry,
  type QueueMember,
  type StoredOperator,
} from './line.js';
import type { ListQuery } from './list-query.js';
import { allowedUsersFor, canOperateOnLine, type LineAction } from './permissions.js';
import { type EmptyQueueReason, parseObjectEntry, queueEntries, resolveQueue } from './queue.js';

export interface LineServiceOptions {
  readonly companyName: string;
  readonly clock?: Clock;
}

export interface WriteOutcome<T> {
  readonly result: T;
  readonly warnings: FieldWarning[];
  /** Why a compat-mode write answered false. */
  readonly failure?: InputFailure;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Strict mode: the first substitution or failure is an error, and nothing is written. */
export function throwIfStrict(strict: boolean, warnings: readonly FieldWarning[], failure?: InputFailure): void {
  if (!strict) return;
  if (failure) throw argumentError(failure.field, `Field '${failure.field}': ${failure.reason}`);
  const first = warnings[0];
  if (first) throw argumentError(first.field, `Field '${first.field}': ${first.reason}`);
}

/**
 * CONFIG_ID of get/update/delete, cast like PHP's (int); missing or ≤ 0 → 400 CONFIG_ID_EMPTY
 * (reference-behaviour.md §1.2, checked before anything else).
 */
export function readConfigId(raw: unknown): number {
  const id = phpIntval(raw);
  if (id <= 0) throw new RestError('CONFIG_ID_EMPTY');
  return id;
}

/** Runs inside a method's transaction after a line is deleted, before its row goes (connector bindings, ...). */
export type LineDeletedHook = (trx: Db, lineId: number) => Promise<void>;

/** A line with its expanded queue in queue order (config.get). */
export interface LineWithMembers {
  readonly line: Line;
  readonly members: QueueMember[];
}

/** One config.list.get item: the line and, when asked for, its queues. */
export interface LineEntry {
  readonly line: Line;
  /** The expanded queue in queue order (OPTIONS.QUEUE=Y). */
  readonly members?: QueueMember[];
  /** The queue as configured (OPTIONS.CONFIG_QUEUE=Y). */
  readonly configQueue?: QueueEntry[];
}

const isSent = (v: unknown) => v !== undefined && v !== null;

/** The operators with their directory entries. */
async function membersOf(db: Db, operators: readonly StoredOperator[]): Promise<QueueMember[]> {
  const users = await directoryUsersOf(db, [...new Set(operators.map((o) => o.userId))]);
  return operators.map((operator) => {
    const user = users.get(operator.userId);
    return user ? { ...operator, user } : operator;
  });
}

/**
 * Config::update's checks of a sent QUEUE, before anything is expanded: every entry in object form
 * (QueueManager::validateQueueFields; plain user ids, which add accepts, fail here), and not empty.
 */
function checkUpdateQueue(raw: unknown): InputFailure | undefined {
  const entries = queueEntries(raw);
  const bad = entries?.find((entry) => parseObjectEntry(entry) === null);
  if (bad !== undefined) {
    return {
      field: 'QUEUE',
      reason: `entry ${describeSent(bad)} is not {ENTITY_TYPE: user|department, ENTITY_ID: id > 0}`,
    };
  }
  if (!entries || entries.length === 0) return { field: 'QUEUE', reason: QUEUE_EMPTY_REASONS.empty };
  return undefined;
}

const QUEUE_EMPTY_REASONS: Readonly<Record<EmptyQueueReason, string>> = {
  empty: 'expected a non-empty array of {ENTITY_TYPE, ENTITY_ID} entries',
  'no-valid-entry': 'no entry names an active user or an existing department; the queue would have no operator',
  'empty-departments': 'the departments have no active users; the queue would have no operator',
} as const;

/** PARAMS as the reference reads it: used only when it is a non-empty array (object), else []. */
export function readParams(
  raw: unknown,
  name = 'PARAMS',
): { params: Record<string, unknown>; warnings: FieldWarning[] } {
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
    return { params: {}, warnings: [] };
  }
  if (isObject(raw)) return { params: raw, warnings: [] };
  return { params: {}, warnings: [{ field: name, sent: raw, used: [], reason: 'expected an object; ignored' }] };
}

export class LineService {
  private readonly clock: Clock;
  /** Cleanup run by delete for everything that hangs off a line; other modules add theirs (onLineDeleted). */
  private lineDeletedHooks: LineDeletedHook[] = [];

  constructor(
    private readonly store: Store,
    private readonly options: LineServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** This service over another store, e.g. `joinedStore(trx)` to join an outer transaction; hooks are shared. */
  over(store: Store): LineService {
    const service = new LineService(store, this.options);
    service.lineDeletedHooks = this.lineDeletedHooks;
    return service;
  }

  private input(params: Record<string, unknown>, mode: 'add' | 'update'): AppliedInput {
    return applyLineInput(params, mode, { companyName: this.options.companyName });
  }

  async add(caller: Caller, rawParams: unknown, strict: boolean): Promise<WriteOutcome<number | false>> {
    const { params, warnings: paramWarnings } = readParams(rawParams);
    const applied = this.input(params, 'add');
    const warnings = [...paramWarnings, ...applied.warnings];
    if (applied.failure) {
      throwIfStrict(strict, warnings, applied.failure);
      return { result: false, warnings, failure: applied.failure };
    }
    return this.store.write(async (trx) => {
      // First: on PostgreSQL the counter row stays locked until commit, so concurrent adds on every server take
      // turns and each automatic name is unique.
      const counter = await incrementLineCounter(trx);
      const queue = await resolveQueue(trx, params.QUEUE, params.QUEUE_USERS_FIELDS, caller.userId, {
        allowPlainIds: true,
      });
      warnings.push(...queue.warnings);
      if (queue.callerFallback) warnings.push(queue.callerFallback);
      throwIfStrict(strict, warnings);
      const values: LineDocument = {
        ...applied.values,
        LINE_NAME: applied.values.LINE_NAME ?? (await this.autoLineName(trx, counter)),
      };
      const stamp = new Date(this.clock.now()).toISOString();
      const id = await insertLine(trx, { values, modifyUserId: caller.userId, createdAt: stamp, modifiedAt: stamp });
      await replaceQueues(trx, id, queue.configQueue, queue.operators);
      // The snapshot from what was just written, not read back (issue 10: two queries fewer per add).
      const after = snapshotOf(values, queue.configQueue);
      await recordRevision(trx, {
        lineId: id,
        action: 'add',
        author: authorOf(caller),
        at: stamp,
        before: null,
        after,
      });
      return { result: id, warnings };
    });
  }

  /** Registers cleanup for rows that reference a line (e.g. connector bindings); runs in delete's transaction. */
  onLineDeleted(hook: LineDeletedHook): void {
    this.lineDeletedHooks.push(hook);
  }

  /** config.get: the line and, when asked for, its expanded queue; null when there is no such line. */
  async get(id: number, options: { withQueue: boolean }): Promise<LineWithMembers | null> {
    return this.store.read(async (db) => {
      const line = await findLine(db, id);
      if (!line) return null;
      const members = options.withQueue ? await membersOf(db, (await operatorsOf(db, [id])).get(id) ?? []) : [];
      return { line, members };
    });
  }

  /**
   * config.update (reference-behaviour.md §1.2, §2.5): permission, then the line, then the sent fields only
   * (the same-request pairings of applyLineInput), a sent QUEUE replacing both queues. DATE_MODIFY and
   * MODIFY_USER_ID are stamped. Compat: a missing line or a refused queue answers false and writes nothing;
   * strict: 404 CONFIG_NOT_FOUND or 400 ERROR_ARGUMENT.
   */
  async update(caller: Caller, id: number, rawParams: unknown, strict: boolean): Promise<WriteOutcome<boolean>> {
    return this.store.write(async (trx) => {
      await this.requirePermission(trx, caller, id, 'MODIFY');
      const stored = await findLineForUpdate(trx, id);
      if (!stored) return this.notFound(strict);
      const { params, warnings: paramWarnings } = readParams(rawParams);
      const applied = this.input(params, 'update');
      const warnings = [...paramWarnings, ...applied.warnings];
      let failure = applied.failure;
      let queue: Awaited<ReturnType<typeof resolveQueue>> | undefined;
      if (!failure && isSent(params.QUEUE)) {
        failure = checkUpdateQueue(params.QUEUE);
        if (!failure) {
          queue = await resolveQueue(trx, params.QUEUE, params.QUEUE_USERS_FIELDS, caller.userId, {
            allowPlainIds: false,
          });
          // The caller fallback of add does not apply: update refuses a queue that expands to nobody.
          warnings.push(...queue.warnings);
          if (queue.emptyReason) failure = { field: 'QUEUE', reason: QUEUE_EMPTY_REASONS[queue.emptyReason] };
        }
      } else if (!isSent(params.QUEUE) && isSent(params.QUEUE_USERS_FIELDS)) {
        warnings.push({
          field: 'QUEUE_USERS_FIELDS',
          sent: params.QUEUE_USERS_FIELDS,
          used: null,
          reason: 'applies only together with QUEUE; ignored',
        });
      }
      throwIfStrict(strict, warnings, failure);
      if (failure) return { result: false, warnings, failure };

      const storedQueue = (await configQueuesOf(trx, [id])).get(id) ?? [];
      const before = snapshotOf(stored.values, storedQueue);
      const values: LineDocument = { ...stored.values, ...applied.values };
      const stamp = new Date(this.clock.now()).toISOString();
      await updateLine(trx, { ...stored, values, modifyUserId: caller.userId, modifiedAt: stamp });
      if (queue) {
        let operators = queue.operators;
        if (!isSent(params.QUEUE_USERS_FIELDS)) {
          // Without QUEUE_USERS_FIELDS an operator who stays keeps their per-line display data (QueueManager::update).
          const previous = new Map(((await operatorsOf(trx, [id])).get(id) ?? []).map((o) => [o.userId, o]));
          operators = operators.map((o) => {
            const old = previous.get(o.userId);
            return old ? { ...o, ...displayOf(old) } : o;
          });
        }
        await replaceQueues(trx, id, queue.configQueue, operators);
      }
      const after = snapshotOf(values, queue ? queue.configQueue : storedQueue);
      await recordRevision(trx, { lineId: id, action: 'update', author: authorOf(caller), at: stamp, before, after });
      return { result: true, warnings };
    });
  }

  /**
   * config.delete (reference-behaviour.md §5): permission, then the line; removes the line, both queues and
   * whatever the registered hooks clean up, in one transaction. Compat: false for a missing line; strict: 404.
   */
  async delete(caller: Caller, id: number, strict: boolean): Promise<boolean> {
    return this.store.write(async (trx) => {
      await this.requirePermission(trx, caller, id, 'MODIFY');
      const before = await snapshotLine(trx, id);
      if (!before) return this.notFound(strict).result;
      for (const hook of this.lineDeletedHooks) await hook(trx, id);
      const deleted = await deleteLine(trx, id);
      const at = new Date(this.clock.now()).toISOString();
      await recordRevision(trx, { lineId: id, action: 'delete', author: authorOf(caller), at, before, after: null });
      return deleted;
    });
  }

  /**
   * config.list.get: one page of lines (with their queues when asked for) and the number of matching lines when
   * the paging counts, or when a read of every line hits its cap; else null.
   */
  async list(caller: Caller, query: ListQuery): Promise<{ entries: LineEntry[]; total: number | null }> {
    return this.store.read(async (db) => {
      const ownedBy = query.checkPermission ? await allowedUsersFor(db, caller, query.checkPermission) : null;
      const spec = { filters: query.filters, order: query.order, limit: query.limit, offset: query.offset, ownedBy };
      let lines: Line[];
      let total: number | null = null;
      if (query.paging === 'counted') {
        ({ lines, total } = await listLines(db, spec));
      } else if (query.paging === 'uncounted') {
        lines = await pageOfLines(db, spec);
      } else {
        // One row past the cap tells whether the cap cut the answer; only then is counting worth it.
        lines = await pageOfLines(db, { ...spec, limit: query.limit + 1 });
        if (lines.length > query.limit) {
          lines = lines.slice(0, query.limit);
          total = await countMatchingLines(db, spec);
        }
      }
      const ids = lines.map((line) => line.id);
      const operators = query.withQueue ? await operatorsOf(db, ids) : new Map<number, StoredOperator[]>();
      const members = query.withQueue ? await membersOf(db, [...operators.values()].flat()) : [];
      const configQueues = query.withConfigQueue ? await configQueuesOf(db, ids) : new Map<number, QueueEntry[]>();
      const entries = lines.map((line): LineEntry => {
        const entry: { line: Line; members?: QueueMember[]; configQueue?: QueueEntry[] } = { line };
        if (query.withQueue) {
          const rowIds = new Set((operators.get(line.id) ?? []).map((o) => o.rowId));
          entry.members = members.filter((m) => rowIds.has(m.rowId));
        }
        if (query.withConfigQueue) entry.configQueue = configQueues.get(line.id) ?? [];
        return entry;
      });
      return { entries, total };
    });
  }

  private async requirePermission(db: Db, caller: Caller, id: number, action: LineAction): Promise<void> {
    if (!(await canOperateOnLine(db, caller, id, action))) throw new RestError('CONFIG_WRONG_USER_PERMISSION');
  }

  /** A missing line: compat answers false (200), strict 404 CONFIG_NOT_FOUND (DECISIONS.md). */
  private notFound(strict: boolean): WriteOutcome<false> {
    if (strict) throw new RestError('CONFIG_NOT_FOUND');
    return { result: false, warnings: [] };
  }

  /** "Open Channel <portal name>" for the first line, else "Open Channel <counter + 1>" (reference §2.1). */
  private async autoLineName(trx: Db, counterAfterIncrement: number): Promise<string> {
    if ((await countLines(trx)) === 0) return `Open Channel ${this.options.companyName}`;
    return `Open Channel ${counterAfterIncrement}`;
  }
}
