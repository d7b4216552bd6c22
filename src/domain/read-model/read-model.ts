// The in-process read model (issue 20): what every call reads — a line with its expanded queue and the directory
// entries the presentation shows (and the presented config.get answers), a user's webhooks, an access token's
// grant — answered from memory, never stale: a read that starts after a write was acknowledged, on any server,
// sees that write.
//
// - What changes is forgotten, never patched: the store hands over every change when its transaction ends
//   (own writes), or when a check finds another process's or server's commit (store/model-changes.ts). The model
//   then reloads from the database on the next read. A load that started before its map forgot anything is not
//   kept (the map's generation).
// - Before answering, a request catches up with the store once (scope()), at its first read: SQLite reads PRAGMA
//   data_version (synchronous, microseconds); PostgreSQL sends one statement, shared with the concurrent reads
//   that wait for the same check. A read outside any request (a job) catches up itself.
// - Inside a write transaction the model is not used: the transaction reads through, as before, so it sees its own
//   uncommitted writes and never hands them to other readers.
// - Expiry is not a change: credentials are kept as stored, and their expiry is compared with the clock by the
//   caller at every read.
// - Bounded: each map is an LRU; the lines map holds the hot lines only, kept from their second read on
//   (docs/decisions.md "An answer cache, never stale";
//   bench/read-model-memory.ts measures it).

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from '../../store/db.js';
import { directoryUsersOf } from '../../store/directory-repository.js';
import { bindingsForEvent, type EventBindingRow } from '../../store/events-repository.js';
import { type OperatingBucket, operatingBucketsOf } from '../../store/limits-repository.js';
import { findLine, operatorsOf } from '../../store/lines-repository.js';
import { inWrite as isWrite, type ModelChange, type ModelChanges, notedInWrite } from '../../store/model-changes.js';
import { type AccessGrantRow, findAccessGrant } from '../../store/oauth-repository.js';
import { type WebhookWithUser, webhooksWithUser } from '../../store/webhooks-repository.js';
import type { Line, QueueMember, StoredOperator } from '../lines/line.js';

/** A line as config.get reads it: its values, its expanded queue in queue order, and answers presented from it. */
export interface ModelLine {
  readonly line: Line;
  readonly members: readonly QueueMember[];
  /**
   * Presented answers by the options that shaped them (read-only: shared by every call); absent on a line read
   * once, which is not kept.
   */
  readonly presented?: Map<string, unknown>;
}

export interface ReadModelOptions {
  /** Lines kept (least recently read dropped first). */
  readonly lines?: number;
  /** Users whose webhooks are kept. */
  readonly webhookUsers?: number;
  /** Access tokens whose grants are kept. */
  readonly grants?: number;
  /** (credential, method) keys whose operating-time buckets are kept (several servers on one PostgreSQL). */
  readonly operatingKeys?: number;
}

/**
 * Default bounds: a kept line with its presented answer is ~8 KB of heap (bench/read-model-memory.ts), so 2 000 hot
 * lines are ~15 MB of heap; at 100 000 lines read at random they add 20–70 MB of RSS (bench/results.md "Issue 20 on
 * a quiet machine"). Event names are few: the bound only guards against a flood of names.
 */
export const READ_MODEL_DEFAULTS = {
  lines: 2_000,
  webhookUsers: 10_000,
  grants: 5_000,
  operatingKeys: 10_000,
  eventNames: 1_000,
} as const;

/**
 * A Map that drops its least recently used entry beyond `capacity`. `generation` counts what was forgotten
 * (delete, clear): a load that started before is not kept.
 */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  generation = 0;
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.generation++;
    this.map.delete(key);
  }

  clear(): void {
    this.generation++;
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

interface Scope {
  readonly model: ReadModel;
  /** The request's check: true once done synchronously (SQLite), else PostgreSQL's, shared by its reads. */
  checked: Promise<void> | true | undefined;
}

const SCOPE = new AsyncLocalStorage<Scope>();

export class ReadModel {
  private readonly lines: Lru<number, ModelLine>;
  private readonly webhooks: Lru<number, readonly WebhookWithUser[]>;
  private readonly grants: Lru<string, AccessGrantRow>;
  private readonly operating: Lru<string, readonly OperatingBucket[]>;
  /** Event name (upper case) → its bindings. */
  private readonly bindings: Lru<string, readonly EventBindingRow[]>;
  /** Lines read once lately, not kept yet (admit). */
  private readonly seen = new Set<number>();
  private readonly seenCapacity: number;

  constructor(
    private readonly changes: ModelChanges,
    options: ReadModelOptions = {},
  ) {
    this.lines = new Lru(options.lines ?? READ_MODEL_DEFAULTS.lines);
    this.seenCapacity = 4 * (options.lines ?? READ_MODEL_DEFAULTS.lines);
    this.webhooks = new Lru(options.webhookUsers ?? READ_MODEL_DEFAULTS.webhookUsers);
    this.grants = new Lru(options.grants ?? READ_MODEL_DEFAULTS.grants);
    this.operating = new Lru(options.operatingKeys ?? READ_MODEL_DEFAULTS.operatingKeys);
    this.bindings = new Lru(READ_MODEL_DEFAULTS.eventNames);
    changes.listen((change) => this.forget(change));
  }

  /** Runs one request: its reads share one check with the store (a batch's commands too). */
  scope<T>(work: () => T): T {
    return SCOPE.run({ model: this, checked: undefined }, work);
  }

  /** How many entries each map holds (for the memory benchmark and tests). */
  sizes(): { lines: number; webhookUsers: number; grants: number; operatingKeys: number } {
    return {
      lines: this.lines.size,
      webhookUsers: this.webhooks.size,
      grants: this.grants.size,
      operatingKeys: this.operating.size,
    };
  }

  /** config.get's read: the line with its expanded queue and directory entries; null when there is none. */
  line(db: Db, id: number): Promise<ModelLine | null> {
    // A missing line is not kept: ids only grow, and a miss costs what it did before. A line is kept from its
    // second read on: reads spread over many cold lines then cost what they did before, instead of filling the
    // LRU with lines read once and churning memory (RSS at 100 000 lines, bench/results.md "Issue 20").
    return this.lookUp(db, this.lines, id, (db) => loadLine(db, id), this.keepLine(id));
  }

  /** What a loaded line becomes when kept: absent lines and lines read once are not. */
  private keepLine(id: number): (loaded: ModelLine | null) => ModelLine | undefined {
    return (loaded) => (loaded && this.admit(id) ? { ...loaded, presented: new Map() } : undefined);
  }

  /** The user's webhooks with the user's state (authentication); expiry is the caller's to compare. */
  webhooksOf(db: Db, userId: number): Promise<readonly WebhookWithUser[]> {
    return this.lookUp(db, this.webhooks, userId, (db) => webhooksWithUser(db, userId));
  }

  /** The grant of an access token by its hash (authentication); expiry is the caller's to compare. */
  grant(db: Db, accessHash: string): Promise<AccessGrantRow | undefined> {
    // An unknown token is not kept: new tokens are minted without a change (every event delivery mints one).
    return this.lookUp(db, this.grants, accessHash, (db) => findAccessGrant(db, accessHash));
  }

  /**
   * A (credential, method) key's operating-time buckets, swept or not: the caller keeps the live ones by its clock
   * (rest/shared-limits.ts). Every call reads them for its `time` block; they change only when a long call is
   * recorded.
   */
  operatingBuckets(db: Db, key: string): Promise<readonly OperatingBucket[]> {
    return this.lookUp(db, this.operating, key, (db) => operatingBucketsOf(db, key));
  }

  /** The bindings of `event` for an emit inside the write transaction `trx` (lookUp's in-write rule). */
  bindingsFor(trx: Db, event: string): Promise<readonly EventBindingRow[]> {
    return this.lookUp(trx, this.bindings, event, (db) => bindingsForEvent(db, event), undefined, ['bindings']);
  }

  /**
   * A line's stored values for the write transaction `trx` (a customer's message reads its line), by lookUp's
   * in-write rule: the transaction must have changed no line and no directory entry.
   */
  async lineInWrite(trx: Db, id: number): Promise<Line | undefined> {
    // Read through, only the line's row is needed (a livechat page's message is outside any request scope).
    if (!this.caughtUp()) return findLine(trx, id);
    return (await this.lookUp(trx, this.lines, id, (db) => loadLine(db, id), this.keepLine(id), ['line', 'directory']))
      ?.line;
  }

  /** Inside a request whose check has been answered: every write acknowledged before the request began is in. */
  private caughtUp(): boolean {
    const scope = SCOPE.getStore();
    return scope?.model === this && scope.checked === true;
  }

  /**
   * Catches up, then answers the kept entry, or loads and keeps what `keep` makes of the loaded value (by default
   * the value itself; undefined: not kept) — unless the map forgot anything during the load. Inside a write
   * transaction it reads through, unless `inWrite` names the kinds of change this map holds: then memory answers
   * when the request has caught up (every write acknowledged before it began is in) and the transaction noted
   * none of those kinds; a miss loads through the transaction. (A job outside any request reads through: a check
   * there would cost the round trip it saves, and waiting for another connection while holding one could starve
   * the pool.)
   */
  private async lookUp<K, Loaded, Kept>(
    db: Db,
    map: Lru<K, Kept>,
    key: K,
    load: (db: Db) => Promise<Loaded>,
    keep: (loaded: Loaded) => Kept | undefined = (loaded) => (loaded ?? undefined) as Kept | undefined,
    inWrite?: readonly ModelChange['kind'][],
  ): Promise<Loaded | Kept> {
    if (isWrite(db)) {
      if (!inWrite || !this.caughtUp() || inWrite.some((kind) => notedInWrite(db, kind))) return load(db);
    } else {
      await this.catchUp();
    }
    const kept = map.get(key);
    if (kept !== undefined) return kept;
    const generation = map.generation;
    const loaded = await load(db);
    const entry = keep(loaded);
    if (entry === undefined) return loaded;
    // Per map: another kind of change (an operating-time record on every slow call) does not void this load.
    if (generation === map.generation) map.set(key, entry);
    return entry;
  }

  /** True from a line's second read within the last `seenCapacity` first reads. */
  private admit(id: number): boolean {
    if (this.seen.delete(id)) return true;
    if (this.seen.size >= this.seenCapacity) this.seen.clear();
    this.seen.add(id);
    return false;
  }

  private catchUp(): Promise<void> | undefined {
    const scope = SCOPE.getStore();
    if (scope?.model !== this) return this.changes.catchUp();
    // One check per request (a batch's commands share it; the request's own writes are handed over as they commit).
    if (scope.checked === undefined) {
      const check = this.changes.catchUp();
      if (check === undefined) {
        scope.checked = true;
        return undefined;
      }
      // Answered: true from then on (bindingsFor relies on it).
      const answered = check.then(() => {
        scope.checked = true;
      });
      scope.checked = answered;
      return answered;
    }
    return scope.checked === true ? undefined : scope.checked;
  }

  private forget(change: ModelChange): void {
    switch (change.kind) {
      case 'line':
        this.lines.delete(change.id);
        return;
      case 'credentials':
        this.webhooks.clear();
        this.grants.clear();
        return;
      case 'operating':
        this.operating.delete(change.key);
        return;
      case 'bindings':
        this.bindings.clear();
        return;
      case 'directory':
        // Every queue's entries and every credential's user.
        this.lines.clear();
        this.webhooks.clear();
        this.grants.clear();
        return;
      default:
        // Another process or server wrote.
        this.lines.clear();
        this.webhooks.clear();
        this.grants.clear();
        this.operating.clear();
        this.bindings.clear();
    }
  }
}

async function loadLine(db: Db, id: number): Promise<ModelLine | null> {
  const line = await findLine(db, id);
  if (!line) return null;
  const operators = (await operatorsOf(db, [id])).get(id) ?? [];
  return { line, members: await membersOf(db, operators) };
}

/** The answer presented from `entry` under `key` (the options that shaped it): presented once while it is kept. */
export function keptAnswer<T>(entry: ModelLine, key: string, present: () => T): T {
  if (!entry.presented) return present();
  const kept = entry.presented.get(key);
  if (kept !== undefined) return kept as T;
  const value = present();
  entry.presented.set(key, value);
  return value;
}

/** The operators with their directory entries. */
export async function membersOf(db: Db, operators: readonly StoredOperator[]): Promise<QueueMember[]> {
  const users = await directoryUsersOf(db, [...new Set(operators.map((o) => o.userId))]);
  return operators.map((operator) => {
    const user = users.get(operator.userId);
    return user ? { ...operator, user } : operator;
  });
}
