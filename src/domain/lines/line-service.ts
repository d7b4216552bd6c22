// Rules across fields and rows ↔ line configuration; one transaction per call.

import { type Clock, systemClock } from '../../clock.js';
import { documentCapabilities } from '../../store/dialect.js';
import { findUsers } from '../../store/directory-repository.js';
import {
  configQueuesOf,
  countLines,
  deleteLine,
  findLine,
  findLineForUpdate,
  insertLine,
  type LineRow,
  listLines,
  type OperatorRow,
  operatorsOf,
  replaceQueues,
  updateLine,
} from '../../store/lines-repository.js';
import type { Store } from '../../store/open-store.js';
import { type Db, incrementLineCounter } from '../../store/portal-repository.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import { authorOf, recordRevision } from '../history/history.js';
import { snapshotLine, snapshotOf } from '../history/line-snapshot.js';
import type { InputReport } from '../input/input-report.js';
import type { LineInput } from './apply-input.js';
import type { ListQuery } from './list-query.js';
import { allowedUsersFor, canOperateOnLine, type LineAction } from './permissions.js';
import type { ConfiguredQueueEntry, LineConfig, QueueMember } from './present-line.js';
import { readQueue, resolveQueue } from './queue.js';

export interface LineServiceOptions {
  readonly companyName: string;
  readonly clock?: Clock;
}

/** Runs inside a method's transaction after a line is deleted, before its row goes (connector bindings, ...). */
export type LineDeletedHook = (trx: Db, lineId: number) => Promise<void>;

export interface LineEntry {
  readonly line: LineConfig;
  /** The expanded queue in queue order (config.get; list.get with OPTIONS.QUEUE=Y). */
  readonly members?: QueueMember[];
  /** The queue as configured (list.get with OPTIONS.CONFIG_QUEUE=Y). */
  readonly configQueue?: ConfiguredQueueEntry[];
}

function toLineConfig(row: LineRow): LineConfig {
  return {
    id: row.id,
    values: JSON.parse(row.doc) as Record<string, unknown>,
    modifyUserId: Number(row.modify_user_id),
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

async function membersOf(db: Db, rows: readonly OperatorRow[]): Promise<QueueMember[]> {
  const users = await findUsers(db, [...new Set(rows.map((r) => r.user_id))]);
  return rows.map((r) => {
    const user = users.get(r.user_id);
    return {
      rowId: r.id,
      sort: Number(r.sort),
      userId: r.user_id,
      departmentId: Number(r.department_id),
      userName: r.user_name,
      workPosition: r.user_work_position,
      avatar: r.user_avatar,
      avatarId: Number(r.user_avatar_id),
      ...(user
        ? {
            user: {
              name: user.name,
              lastName: user.last_name,
              workPosition: user.work_position,
              avatar: user.avatar,
              active: Boolean(user.active),
              online: Boolean(user.is_online),
            },
          }
        : {}),
    };
  });
}

const QUEUE_EMPTY_REASONS = {
  empty: 'expected a non-empty array of {ENTITY_TYPE, ENTITY_ID} entries',
  'no-valid-entry': 'no entry names an active user or an existing department; the queue would have no operator',
  'empty-departments': 'the departments have no active users; the queue would have no operator',
} as const;

export class LineService {
  private readonly clock: Clock;
  /** Cleanup run by delete for everything that hangs off a line; other modules add theirs (onLineDeleted). */
  private readonly lineDeletedHooks: LineDeletedHook[] = [];

  constructor(
    private readonly store: Store,
    private readonly options: LineServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** The transaction every write joins inside `inOneTransaction` (openlines apply); null otherwise. */
  private joined: Db | null = null;

  private transaction<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return this.joined ? work(this.joined) : this.store.db.transaction().execute(work);
  }

  /** A write: answered after its commit is on disk; concurrent writes share a commit (store.write). */
  private write<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return this.joined ? work(this.joined) : this.store.write(work);
  }

  /** Runs several writes in one transaction: every add/update/delete of the service given to `work` joins it. */
  async inOneTransaction<T>(work: (lines: LineService) => Promise<T>): Promise<T> {
    return this.store.db.transaction().execute(async (trx) => {
      const joined = Object.create(this) as LineService;
      joined.joined = trx;
      return work(joined);
    });
  }

  /**
   * config.add: the new line's id, or false when its input is refused (compat). What the queue's lookups find is
   * reported to `report` inside the transaction, so strict mode's error rolls the write back.
   */
  async add(caller: Caller, input: LineInput, report: InputReport): Promise<number | false> {
    if (!report.take(input.findings)) return false;
    return this.write(async (trx) => {
      // First: on PostgreSQL the counter row stays locked until commit, so concurrent adds on every server take
      // turns and each automatic name is unique.
      const counter = await incrementLineCounter(trx);
      const queue = await resolveQueue(
        trx,
        input.queue ?? readQueue(null, null, { allowPlainIds: true }),
        caller.userId,
      );
      report.take({ warnings: queue.warnings });
      const values = { ...input.values };
      if (values.LINE_NAME === undefined) values.LINE_NAME = await this.autoLineName(trx, counter);
      const stamp = new Date(this.clock.now()).toISOString();
      const id = await insertLine(trx, {
        doc: JSON.stringify(values),
        line_name: String(values.LINE_NAME),
        active: String(values.ACTIVE),
        modify_user_id: caller.userId,
        created_at: stamp,
        modified_at: stamp,
      });
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
      return id;
    });
  }

  /** Registers cleanup for rows that reference a line (e.g. connector bindings); runs in delete's transaction. */
  onLineDeleted(hook: LineDeletedHook): void {
    this.lineDeletedHooks.push(hook);
  }

  /** config.get: the line and, when asked for, its expanded queue; null when there is no such line. */
  async get(id: number, options: { withQueue: boolean }): Promise<LineEntry | null> {
    const db = this.joined ?? this.store.db;
    const row = await findLine(db, id);
    if (!row) return null;
    const members = options.withQueue ? await membersOf(db, (await operatorsOf(db, [id])).get(id) ?? []) : [];
    return { line: toLineConfig(row), members };
  }

  /**
   * config.update (reference-behaviour.md §1.2, §2.5): permission, then the line, then the sent fields only
   * (the same-request pairings of applyLineInput), a sent QUEUE replacing both queues. DATE_MODIFY and
   * MODIFY_USER_ID are stamped. The input's findings are reported only once the line is known to exist; a refused
   * input or queue answers false (compat) and writes nothing. null: there is no such line.
   */
  async update(caller: Caller, id: number, input: LineInput, report: InputReport): Promise<boolean | null> {
    return this.write(async (trx) => {
      await this.requirePermission(trx, caller, id, 'MODIFY');
      const row = await findLineForUpdate(trx, id);
      if (!row) return null;
      const warnings = [...input.findings.warnings];
      let failure = input.findings.failure;
      let queue: Awaited<ReturnType<typeof resolveQueue>> | undefined;
      if (!failure && input.queue) {
        queue = await resolveQueue(trx, input.queue, caller.userId);
        // The caller fallback of add does not apply: update refuses a queue that expands to nobody.
        warnings.push(...queue.warnings.filter((w) => !w.reason.startsWith('the queue has no valid operator')));
        if (queue.emptyReason) failure = { field: 'QUEUE', reason: QUEUE_EMPTY_REASONS[queue.emptyReason] };
      }
      if (!report.take({ warnings, failure })) return false;

      const storedValues = JSON.parse(row.doc) as Record<string, unknown>;
      const storedQueue = (await configQueuesOf(trx, [id])).get(id) ?? [];
      const before = snapshotOf(storedValues, storedQueue);
      const values = { ...storedValues, ...input.values };
      const stamp = new Date(this.clock.now()).toISOString();
      await updateLine(trx, id, {
        doc: JSON.stringify(values),
        line_name: String(values.LINE_NAME),
        active: String(values.ACTIVE),
        modify_user_id: caller.userId,
        modified_at: stamp,
      });
      if (queue) {
        let operators = queue.operators;
        if (!input.usersFieldsSent) {
          // Without QUEUE_USERS_FIELDS an operator who stays keeps their per-line display data (QueueManager::update).
          const before = new Map(((await operatorsOf(trx, [id])).get(id) ?? []).map((o) => [o.user_id, o]));
          operators = operators.map((o) => {
            const old = before.get(o.user_id);
            return old
              ? {
                  ...o,
                  user_name: old.user_name,
                  user_work_position: old.user_work_position,
                  user_avatar: old.user_avatar,
                  user_avatar_id: Number(old.user_avatar_id),
                }
              : o;
          });
        }
        await replaceQueues(trx, id, queue.configQueue, operators);
      }
      const after = snapshotOf(values, queue ? queue.configQueue : storedQueue);
      await recordRevision(trx, { lineId: id, action: 'update', author: authorOf(caller), at: stamp, before, after });
      return true;
    });
  }

  /**
   * config.delete (reference-behaviour.md §5): permission, then the line; removes the line, both queues and
   * whatever the registered hooks clean up, in one transaction. null: there is no such line.
   */
  async delete(caller: Caller, id: number): Promise<boolean | null> {
    return this.write(async (trx) => {
      await this.requirePermission(trx, caller, id, 'MODIFY');
      const before = await snapshotLine(trx, id);
      if (!before) return null;
      for (const hook of this.lineDeletedHooks) await hook(trx, id);
      const deleted = await deleteLine(trx, id);
      const at = new Date(this.clock.now()).toISOString();
      await recordRevision(trx, { lineId: id, action: 'delete', author: authorOf(caller), at, before, after: null });
      return deleted;
    });
  }

  /** config.list.get: one page of lines (with their queues when asked for) and the number of matching lines. */
  async list(caller: Caller, query: ListQuery): Promise<{ entries: LineEntry[]; total: number }> {
    return this.transaction(async (trx) => {
      const ownedBy = query.checkPermission ? await allowedUsersFor(trx, caller, query.checkPermission) : null;
      const { rows, total } = await listLines(trx, documentCapabilities(this.store.dialect), {
        filters: query.filters,
        order: query.order,
        limit: query.limit,
        offset: query.offset,
        ownedBy,
      });
      const ids = rows.map((r) => r.id);
      const operators = query.withQueue ? await operatorsOf(trx, ids) : new Map<number, OperatorRow[]>();
      const members = query.withQueue ? await membersOf(trx, [...operators.values()].flat()) : [];
      const configQueues = query.withConfigQueue ? await configQueuesOf(trx, ids) : new Map();
      const entries = rows.map((row): LineEntry => {
        const entry: { line: LineConfig; members?: QueueMember[]; configQueue?: ConfiguredQueueEntry[] } = {
          line: toLineConfig(row),
        };
        if (query.withQueue) {
          const rowIds = new Set((operators.get(row.id) ?? []).map((o) => o.id));
          entry.members = members.filter((m) => rowIds.has(m.rowId));
        }
        if (query.withConfigQueue) {
          entry.configQueue = (configQueues.get(row.id) ?? []).map((e: { entity_type: string; entity_id: number }) => ({
            entityType: e.entity_type,
            entityId: Number(e.entity_id),
          }));
        }
        return entry;
      });
      return { entries, total };
    });
  }

  private async requirePermission(db: Db, caller: Caller, id: number, action: LineAction): Promise<void> {
    if (!(await canOperateOnLine(db, caller, id, action))) throw new RestError('CONFIG_WRONG_USER_PERMISSION');
  }

  /** "Open Channel <portal name>" for the first line, else "Open Channel <counter + 1>" (reference §2.1). */
  private async autoLineName(trx: Store['db'], counterAfterIncrement: number): Promise<string> {
    if ((await countLines(trx)) === 0) return `Open Channel ${this.options.companyName}`;
    return `Open Channel ${counterAfterIncrement}`;
  }
}
