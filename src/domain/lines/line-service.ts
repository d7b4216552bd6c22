// The line configuration's rules across fields and queues; one transaction per call.

import { type Clock, systemClock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import {
  configQueuesOf,
  countLines,
  countMatchingLines,
  deleteLine,
  findLine,
  findLineForUpdate,
  insertNewLine,
  listLines,
  operatorsOf,
  pageOfLines,
  replaceQueues,
  updateLineWithRevision,
} from '../../store/lines-repository.js';
import { incrementLineCounter } from '../../store/portal-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import { allowedUsersFor, canOperateOnLine, type LineAction } from '../access/permissions.js';
import type { Caller } from '../caller.js';
import { causeOf, type EventCause } from '../events/event-cause.js';
import { type EventEmitter, NO_EVENTS } from '../events/event-service.js';
import { authorOf, type RevisionInput, recordRevision } from '../history/history.js';
import { diffSnapshots, type FieldChange, snapshotLine, snapshotOf } from '../history/line-snapshot.js';
import type { InputReport } from '../input/input-report.js';
import { type ModelLine, membersOf, type ReadModel } from '../read-model/read-model.js';
import type { LineInput } from './apply-input.js';
import {
  displayOf,
  type Line,
  type LineDocument,
  type QueueEntry,
  type QueueMember,
  type StoredOperator,
} from './line.js';
import type { ListQuery } from './list-query.js';
import { type EmptyQueueReason, readQueue, resolveQueue } from './queue.js';

export interface LineServiceOptions {
  readonly companyName: string;
  readonly clock?: Clock;
  /** Where the line events go: OnImConnectorLineDelete and the openlines configuration-change event. */
  readonly events?: EventEmitter;
  /** The read model config.get answers from (domain/read-model/); without it every get reads the database. */
  readonly model?: ReadModel;
}

/**
 * Runs inside a method's transaction after a line is deleted, before its row goes (connector bindings, ...);
 * `cause` is who deleted it, for the events the hook emits.
 */
export type LineDeletedHook = (trx: Db, lineId: number, cause?: EventCause) => Promise<void>;
/** Runs in an add's transaction with the new line's id, its stored values and when it was added (ms). */
export type LineAddedHook = (trx: Db, lineId: number, values: LineDocument, addedAtMs: number) => Promise<void>;
/**
 * Runs in an update's transaction with the names of the fields that changed (QUEUE for the queue); true when
 * the scheduler must be woken after the commit (an alarm due now, an event queued).
 */
export type LineChangedHook = (trx: Db, lineId: number, fields: ReadonlySet<string>) => Promise<boolean | undefined>;

/** A line with its expanded queue in queue order (config.get); from the read model, with its presented answers. */
export type LineWithMembers = ModelLine;

/** One config.list.get item: the line and, when asked for, its queues. */
export interface LineEntry {
  readonly line: Line;
  /** The expanded queue in queue order (OPTIONS.QUEUE=Y). */
  readonly members?: QueueMember[];
  /** The queue as configured (OPTIONS.CONFIG_QUEUE=Y). */
  readonly configQueue?: QueueEntry[];
}

const QUEUE_EMPTY_REASONS: Readonly<Record<EmptyQueueReason, string>> = {
  empty: 'expected a non-empty array of {ENTITY_TYPE, ENTITY_ID} entries',
  'no-valid-entry': 'no entry names an active user or an existing department; the queue would have no operator',
  'empty-departments': 'the departments have no active users; the queue would have no operator',
} as const;

export class LineService {
  private readonly clock: Clock;
  private readonly events: EventEmitter;
  /** Cleanup run by delete for everything that hangs off a line; other modules add theirs (onLineDeleted). */
  private lineAddedHooks: LineAddedHook[] = [];
  private lineDeletedHooks: LineDeletedHook[] = [];
  private lineChangedHooks: LineChangedHook[] = [];

  constructor(
    private readonly store: Store,
    private readonly options: LineServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? NO_EVENTS;
  }

  /** This service over another store, e.g. `joinedStore(trx)` to join an outer transaction; hooks are shared. */
  over(store: Store): LineService {
    const service = new LineService(store, this.options);
    service.lineAddedHooks = this.lineAddedHooks;
    service.lineDeletedHooks = this.lineDeletedHooks;
    service.lineChangedHooks = this.lineChangedHooks;
    return service;
  }

  /**
   * config.add: the new line's id, or false when its input is refused (compat). What the queue's lookups find is
   * reported to `report` inside the transaction, so strict mode's error rolls the write back.
   */
  async add(caller: Caller, input: LineInput, report: InputReport): Promise<number | false> {
    if (!report.take(input.findings)) return false;
    const added = await this.store.write(async (trx) => {
      // An automatic name needs the counter first (its row then stays locked until commit on PostgreSQL, so
      // concurrent adds on every server take turns and each automatic name is unique); a sent name lets the
      // counter move last, so that lock is held only from the line's write to the commit (issue 20).
      const named = input.values.LINE_NAME !== undefined;
      const counter = named ? 0 : await incrementLineCounter(trx);
      const queue = await resolveQueue(
        trx,
        input.queue ?? readQueue(null, null, { allowPlainIds: true }),
        caller.userId,
      );
      report.take({ warnings: queue.callerFallback ? [...queue.warnings, queue.callerFallback] : queue.warnings });
      const values: LineDocument = {
        ...input.values,
        LINE_NAME: input.values.LINE_NAME ?? (await this.autoLineName(trx, counter)),
      };
      const stamp = new Date(this.clock.now()).toISOString();
      // The snapshot from what is written, not read back (issue 10); the diff computed once, for the revision
      // and the event (issue 20).
      const after = snapshotOf(values, queue.configQueue);
      const author = authorOf(caller);
      const changes = diffSnapshots(null, after);
      const { id, revisionId } = await insertNewLine(trx, {
        line: { values, modifyUserId: caller.userId, createdAt: stamp, modifiedAt: stamp },
        queue: queue.configQueue,
        operators: queue.operators,
        revision: {
          action: 'add',
          user_id: author.userId,
          auth_kind: author.authKind,
          credential_id: author.credentialId,
          changes: JSON.stringify(changes),
          created_at: stamp,
        },
        countLine: named,
      });
      for (const hook of this.lineAddedHooks) await hook(trx, id, values, Date.parse(stamp));
      const revision = { lineId: id, action: 'add', author, at: stamp, before: null, after } as const;
      return { id, wake: await this.changed(trx, revision, revisionId, causeOf(caller), changes) };
    });
    if (added.wake) this.events.committed();
    return added.id;
  }

  /**
   * The openlines configuration-change event for a recorded revision (none when nothing changed), after the
   * line-changed hooks; true when the scheduler must be woken after the commit.
   */
  private async changed(
    trx: Db,
    revision: RevisionInput,
    revisionId: number | null,
    cause: EventCause,
    changes: readonly FieldChange[] = diffSnapshots(revision.before, revision.after),
  ): Promise<boolean> {
    if (revisionId === null) return false;
    let wake = false;
    if (revision.action === 'update' && changes.length > 0) {
      const fields = new Set(changes.map((c) => c.field));
      for (const hook of this.lineChangedHooks) wake = (await hook(trx, revision.lineId, fields)) === true || wake;
    }
    const emitted = await this.events.emit(
      trx,
      'OnOpenlinesLineConfigChange',
      {
        line: revision.lineId,
        action: revision.action,
        revision: revisionId,
        changes: [...changes],
      },
      cause,
    );
    return wake || emitted > 0;
  }

  /** Registers what a new line's settings start (a temporary line's deadline); runs in add's transaction. */
  onLineAdded(hook: LineAddedHook): void {
    this.lineAddedHooks.push(hook);
  }

  /** Registers what acts on a line's changed settings (the session engine, §3.8); runs in update's transaction. */
  onLineChanged(hook: LineChangedHook): void {
    this.lineChangedHooks.push(hook);
  }

  /** Registers cleanup for rows that reference a line (e.g. connector bindings); runs in delete's transaction. */
  onLineDeleted(hook: LineDeletedHook): void {
    this.lineDeletedHooks.push(hook);
  }

  /** config.get: the line and, when asked for, its expanded queue; null when there is no such line. */
  async get(id: number, options: { withQueue: boolean }): Promise<LineWithMembers | null> {
    const model = this.options.model;
    if (model) return this.store.read((db) => model.line(db, id));
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
   * MODIFY_USER_ID are stamped. The input's findings are reported only once the line is known to exist; a refused
   * input or queue answers false (compat) and writes nothing. null: there is no such line.
   */
  async update(caller: Caller, id: number, input: LineInput, report: InputReport): Promise<boolean | null> {
    let wake = false;
    const updated = await this.store.write(async (trx) => {
      await this.requirePermission(trx, caller, id, 'MODIFY');
      const stored = await findLineForUpdate(trx, id);
      if (!stored) return null;
      const warnings = [...input.findings.warnings];
      let failure = input.findings.failure;
      let queue: Awaited<ReturnType<typeof resolveQueue>> | undefined;
      if (!failure && input.queue) {
        queue = await resolveQueue(trx, input.queue, caller.userId);
        // The caller fallback of add does not apply: update refuses a queue that expands to nobody.
        warnings.push(...queue.warnings);
        if (queue.emptyReason) failure = { field: 'QUEUE', reason: QUEUE_EMPTY_REASONS[queue.emptyReason] };
      }
      if (!report.take({ warnings, failure })) return false;

      // Without a new queue the stored one is on both sides of the diff, where it changes nothing: it is read only
      // when a queue was sent (issue 20: a read fewer for the other updates).
      const storedQueue = queue ? ((await configQueuesOf(trx, [id])).get(id) ?? []) : [];
      const before = snapshotOf(stored.values, storedQueue);
      const values: LineDocument = { ...stored.values, ...input.values };
      const stamp = new Date(this.clock.now()).toISOString();
      if (queue) {
        let operators = queue.operators;
        if (!input.usersFieldsSent) {
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
      const author = authorOf(caller);
      const changes = diffSnapshots(before, after);
      // The line and its revision in one statement on PostgreSQL; an update that changed nothing leaves none.
      const revisionId = await updateLineWithRevision(
        trx,
        { ...stored, values, modifyUserId: caller.userId, modifiedAt: stamp },
        changes.length === 0
          ? null
          : {
              action: 'update',
              user_id: author.userId,
              auth_kind: author.authKind,
              credential_id: author.credentialId,
              changes: JSON.stringify(changes),
              created_at: stamp,
            },
      );
      const revision = { lineId: id, action: 'update', author, at: stamp, before, after } as const;
      wake = await this.changed(trx, revision, revisionId, causeOf(caller), changes);
      return true;
    });
    if (wake) this.events.committed();
    return updated;
  }

  /**
   * config.delete (reference-behaviour.md §5): permission, then the line; removes the line, both queues and
   * whatever the registered hooks clean up, in one transaction. null: there is no such line.
   */
  async delete(caller: Caller, id: number): Promise<boolean | null> {
    const deleted = await this.store.write(async (trx) => {
      await this.requirePermission(trx, caller, id, 'MODIFY');
      const before = await snapshotLine(trx, id);
      if (!before) return null;
      for (const hook of this.lineDeletedHooks) await hook(trx, id, causeOf(caller));
      const deleted = await deleteLine(trx, id);
      // After the hooks' OnImConnectorStatusDelete events, as Output::deleteLine orders them (§11.6).
      await this.events.emit(trx, 'OnImConnectorLineDelete', { line: id }, causeOf(caller));
      const at = new Date(this.clock.now()).toISOString();
      const revision = { lineId: id, action: 'delete', author: authorOf(caller), at, before, after: null } as const;
      await this.changed(trx, revision, await recordRevision(trx, revision), causeOf(caller));
      return deleted;
    });
    this.events.committed();
    return deleted;
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

  /** "Open Channel <portal name>" for the first line, else "Open Channel <counter + 1>" (reference §2.1). */
  private async autoLineName(trx: Db, counterAfterIncrement: number): Promise<string> {
    if ((await countLines(trx)) === 0) return `Open Channel ${this.options.companyName}`;
    return `Open Channel ${counterAfterIncrement}`;
  }
}
