// What the in-process read model (domain/read-model/) must forget, and when (issue 20: "never stale": a read that
// starts after a write was acknowledged, on any server, sees that write).
//
// - Own writes: the repositories that write a modelled table call noteChange(db, change). Inside store.write the
//   change is kept with the transaction and handed to the model's listeners right after the transaction ends —
//   committed or rolled back, before the writer's promise settles, so before its answer is sent. (A savepoint
//   that rolled back is forgotten as well: forgetting is always safe, the model reloads from the database.)
//   Outside a transaction (an autocommit statement on the database itself) it is handed over at once.
// - Other processes and servers: catchUp() notices any commit made before it was called and hands over
//   `{kind: 'all'}`. SQLite: `PRAGMA data_version` on the server's connection (~5 µs, synchronous; it
//   changes whenever another connection — the CLI — commits). PostgreSQL: one statement reading the version
//   vector (openlines_model_version: a counter per slot, bumped by every transaction that wrote a modelled
//   table, in that transaction; see docs/decisions.md "Read model"). Concurrent reads share one check: a check
//   already in flight may have been sent before a read started, so a read joins the next one.
//
// The model keeps a loaded value only when nothing it could hold was forgotten while it loaded (read-model.ts: a
// generation per map), so a value read before a commit never outlives that commit in memory.

import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';

export type ModelChange =
  /** A line's row or either of its queues. */
  | { readonly kind: 'line'; readonly id: number }
  /** Users, departments: the queue's directory entries, every credential's user. */
  | { readonly kind: 'directory' }
  /** Webhooks, OAuth applications and tokens. */
  | { readonly kind: 'credentials' }
  /** Applications' event bindings (event.bind, event.unbind). */
  | { readonly kind: 'bindings' }
  /** One (credential, method) key's operating-time buckets (several servers on one PostgreSQL). */
  | { readonly kind: 'operating'; readonly key: string }
  /** Anything: another process or server wrote. */
  | { readonly kind: 'all' };

export type ModelListener = (change: ModelChange) => void;

/** Number of rows in openlines_model_version (PostgreSQL): a writer bumps the row of its backend (pid mod this). */
export const MODEL_VERSION_SLOTS = 64;

/** One store's feed of changes to the modelled tables. */
export class ModelChanges {
  private readonly listeners = new Set<ModelListener>();
  constructor(private readonly catchUpWith: () => Promise<void> | undefined) {
    FEEDS.add(this);
  }

  listen(listener: ModelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hands over every change committed by another process before this call (undefined: done already,
   * synchronously — SQLite; a promise: PostgreSQL's check, shared with the reads that wait for the same one).
   */
  catchUp(): Promise<void> | undefined {
    return this.catchUpWith();
  }

  deliver(change: ModelChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** The store is closed: its changes go nowhere any more. */
  close(): void {
    FEEDS.delete(this);
    this.listeners.clear();
  }

  /**
   * Runs one write transaction: `open(begin)` calls begin(trx) with the transaction before any work; the changes
   * noted on it are handed over when the transaction ends, whatever its outcome.
   */
  async tracked<T>(open: (begin: (trx: Db) => PendingChanges) => Promise<T>): Promise<T> {
    let pending: PendingChanges | undefined;
    try {
      return await open((trx) => {
        pending = { changes: [] };
        PENDING.set(trx, pending);
        return pending;
      });
    } finally {
      if (pending) for (const change of pending.changes) this.deliver(change);
    }
  }

  /** Marks `db` (the database itself, outside transactions) as this feed's: its autocommit writes go here. */
  own(db: Db): void {
    ROOTS.set(db, this);
  }
}

/** The changes noted in one transaction, handed over when it ends. */
export interface PendingChanges {
  readonly changes: ModelChange[];
}

const FEEDS = new Set<ModelChanges>();
const PENDING = new WeakMap<object, PendingChanges>();
const ROOTS = new WeakMap<object, ModelChanges>();

/** Called by the repositories after each write to a modelled table. */
export function noteChange(db: Db, change: ModelChange): void {
  const pending = PENDING.get(db);
  if (pending) {
    pending.changes.push(change);
    return;
  }
  const root = ROOTS.get(db);
  if (root) {
    root.deliver(change);
    return;
  }
  // A database handle of unknown origin: forget it everywhere (safe, only slower).
  for (const feed of FEEDS) feed.deliver(change);
}

/** True when the write transaction `db` has noted a change of `kind` so far (false outside a transaction). */
export function notedInWrite(db: Db, kind: ModelChange['kind']): boolean {
  return PENDING.get(db)?.changes.some((change) => change.kind === kind) ?? false;
}

/** True when `db` is a write transaction (store.write) rather than the database itself. */
export function inWrite(db: Db): boolean {
  return PENDING.has(db);
}

// ---- PostgreSQL: the version vector.

const BUMP = CompiledQuery.raw(
  `update openlines_model_version set n = n + 1 where slot = pg_backend_pid() % ${MODEL_VERSION_SLOTS} returning slot, n`,
);
const READ_VECTOR = CompiledQuery.raw(
  `select string_agg(n::text, ',' order by slot) as v from openlines_model_version`,
);

/** An own transaction's bump of its slot: settle(committed) once the transaction has ended. */
export interface OwnBump {
  settle(committed: boolean): void;
}

/**
 * PostgreSQL's feed: every write transaction that noted a change bumps its slot before it commits (bump);
 * catchUp reads the whole vector in one statement and hands over `all` when a slot moved further than this
 * server's own committed bumps explain. A check that sees a value bumped by an own transaction whose commit has
 * not been answered yet waits for that answer (the commit may reach the database before its answer reaches
 * this process): without the wait, every own write racing a check looked foreign and emptied the model.
 * Only a committed own bump explains a value: a rolled-back one's value may later be another server's (slots are
 * shared), so it explains nothing.
 */
export class PostgresVersionVector {
  private known: number[] | null = null;
  private inflight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Own bumps whose transaction has not ended: slot → value → settles when it ends. */
  private readonly pending = new Map<number, Map<number, Promise<void>>>();
  /** Own committed bumps no check has passed yet: slot → values. */
  private readonly committed = new Map<number, Set<number>>();

  constructor(
    private readonly db: Db,
    private readonly feed: () => ModelChanges,
  ) {}

  /** In the writing transaction, last: bumps its slot; the caller settles the result when the transaction ends. */
  async bump(trx: Db): Promise<OwnBump | null> {
    const { rows } = await trx.executeQuery<{ slot: number; n: number | string }>(BUMP);
    const row = rows[0];
    if (!row) return null;
    const slot = Number(row.slot);
    const n = Number(row.n);
    let ended!: () => void;
    const settled = new Promise<void>((resolve) => {
      ended = resolve;
    });
    valuesOf(this.pending, slot, () => new Map<number, Promise<void>>()).set(n, settled);
    return {
      settle: (committed) => {
        this.pending.get(slot)?.delete(n);
        if (committed) valuesOf(this.committed, slot, () => new Set<number>()).add(n);
        ended();
      },
    };
  }

  catchUp(): Promise<void> {
    if (this.inflight === null) return this.start();
    // The check in flight may have been sent before this read started: wait for the next one.
    const next = () => {
      this.queued = null;
      return this.inflight ?? this.start();
    };
    this.queued ??= this.inflight.then(next, next);
    return this.queued;
  }

  private start(): Promise<void> {
    const check = this.check().finally(() => {
      if (this.inflight === check) this.inflight = null;
    });
    this.inflight = check;
    return check;
  }

  /** One check at a time (catchUp): `known` is only moved here. */
  private async check(): Promise<void> {
    const { rows } = await this.db.executeQuery<{ v: string | null }>(READ_VECTOR);
    const seen = (rows[0]?.v ?? '').split(',').map(Number);
    const known = this.known;
    if (known === null || known.length !== seen.length) {
      this.known = seen;
      this.forgetCommittedUpTo(seen);
      this.feed().deliver({ kind: 'all' });
      return;
    }
    // Own transactions that bumped a value this check may have seen: their outcome decides whether it is ours.
    const waits: Promise<void>[] = [];
    for (const [slot, values] of this.pending) {
      for (const [n, settled] of values) if (n > known[slot]! && n <= seen[slot]!) waits.push(settled);
    }
    if (waits.length > 0) await Promise.all(waits);
    let moved = false;
    for (let slot = 0; slot < seen.length && !moved; slot++) {
      const own = this.committed.get(slot);
      for (let n = known[slot]! + 1; n <= seen[slot]!; n++) {
        if (!own?.has(n)) {
          moved = true;
          break;
        }
      }
    }
    this.known = seen.map((n, slot) => Math.max(n, known[slot]!));
    this.forgetCommittedUpTo(this.known);
    if (moved) this.feed().deliver({ kind: 'all' });
  }

  private forgetCommittedUpTo(vector: readonly number[]): void {
    for (const [slot, values] of this.committed) {
      for (const n of values) if (n <= (vector[slot] ?? 0)) values.delete(n);
      if (values.size === 0) this.committed.delete(slot);
    }
  }
}

function valuesOf<V>(map: Map<number, V>, slot: number, create: () => V): V {
  let values = map.get(slot);
  if (values === undefined) {
    values = create();
    map.set(slot, values);
  }
  return values;
}
