// What differs between SQLite and PostgreSQL, as one set of named capabilities: repositories and the migration
// runner ask for a capability instead of testing the database. Each database's answers live in its adapter
// (sqlite/capabilities.ts, postgres/capabilities.ts). Not differences, and usable as is on both: `returning(...)`
// (never `insertId`), `onConflict(...)` upserts, `numUpdatedRows`. Field names and values in the JSON-document
// capabilities are always bound as parameters, never spliced into the SQL text.

import {
  type Expression,
  type Kysely,
  PostgresAdapter,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import type { Db } from './db.js';
import { postgresCapabilities } from './postgres/capabilities.js';
import type { Database } from './schema.js';
import { sqliteCapabilities } from './sqlite/capabilities.js';

export type Dialect = 'sqlite' | 'postgres';

// biome-ignore lint/suspicious/noExplicitAny: any select over any table
type AnySelect = SelectQueryBuilder<any, any, any>;

export interface StoreCapabilities {
  /** For frozen migrations (`up(db, dialect)`) and diagnostics; code asks for a capability instead. */
  readonly dialect: Dialect;
  /**
   * Several server processes may share this database at once (PostgreSQL), so state they must agree on (the
   * request-rate and operating-time buckets) lives in the database; a SQLite file has one server.
   */
  readonly sharedByServers: boolean;
  /**
   * One statement may write to several tables (PostgreSQL's data-modifying `WITH`): a write of several rows in
   * several tables is one round trip. SQLite cannot, and needs none (no round trips: the library is in-process).
   */
  readonly dataModifyingWith: boolean;
  /**
   * A read that a later write in the same transaction depends on (read-modify-write of one row): the rows stay
   * locked until the transaction ends, so a concurrent request on another server waits instead of writing over
   * it. PostgreSQL: `for update`. SQLite needs none: a process runs one transaction at a time on its single
   * connection, and another process's write makes the later writer fail rather than lose an update.
   */
  forUpdate<QB extends AnySelect>(query: QB): QB;
  /**
   * A claim of rows that concurrent transactions must not share (due timers, outbox rows): the rows are locked
   * as forUpdate does, and rows another transaction holds are skipped instead of waited for, so two claims get
   * disjoint rows. PostgreSQL: `for update skip locked`. SQLite needs none: `begin immediate` serialises writers,
   * so the second claim runs after the first committed and sees its rows as claimed.
   */
  skipLocked<QB extends AnySelect>(query: QB): QB;
  /** The larger of two values: PostgreSQL `greatest(a, b)`, SQLite's two-argument `max(a, b)`. */
  greatest<T>(a: Expression<T>, b: Expression<T>): RawBuilder<T>;
  /**
   * After rows were inserted with explicit ids (an import): moves the id generator past them, so the next
   * generated id is larger. PostgreSQL identity sequences do not notice explicit ids; SQLite AUTOINCREMENT does.
   */
  syncIdSequence(db: Db, table: keyof Database & string): Promise<void>;
  /**
   * Begins the migration transaction on `conn` holding a lock that every other migrating process waits for, so
   * servers starting at once apply each migration once. SQLite: `begin immediate`; PostgreSQL: an advisory lock.
   */
  migrationLock(conn: Db): Promise<void>;
  /** A JSON document member as text (`null` when absent). */
  jsonText(doc: Expression<unknown>, name: string): RawBuilder<string | null>;
  /** A JSON document member as a number, compared numerically (`null` when absent). */
  jsonNumber(doc: Expression<unknown>, name: string): RawBuilder<number | null>;
  /** True when the JSON array member contains the scalar `value` (a number or a string, typed as stored). */
  jsonArrayContains(doc: Expression<unknown>, name: string, value: string | number): RawBuilder<SqlBool>;
  /** Case-insensitive `LIKE` with `!` as the escape character (the pattern is built by the caller). */
  likeInsensitive(value: Expression<unknown>, pattern: string): RawBuilder<SqlBool>;
  /** Text ordered by code point on both databases (SQLite's BINARY collation; PostgreSQL's "C"). */
  byteOrder(value: Expression<unknown>): RawBuilder<unknown>;
  /**
   * An integer column compared as a 64-bit integer: PostgreSQL's `integer` columns refuse a bound value beyond 32
   * bits instead of not matching it (issue 8); SQLite's integers are 64-bit already.
   */
  wideInteger(value: Expression<unknown>): RawBuilder<unknown>;
}

/** The capabilities of the database behind a db or a transaction. */
// biome-ignore lint/suspicious/noExplicitAny: works on a db or a transaction of any schema
export function capabilitiesOf(db: Kysely<any>): StoreCapabilities {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresCapabilities : sqliteCapabilities;
}

/** `%value%` for likeInsensitive, with the value's own `%`, `_` and `!` matched literally. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
