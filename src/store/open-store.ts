// Opens the store named by a URL ("sqlite:path/to/file.db" or "postgres://…") and migrates it. Database
// differences are named capabilities here, not scattered through the repositories.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DefaultQueryCompiler,
  type Driver,
  type Expression,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresQueryCompiler,
  type QueryCompiler,
  type RawBuilder,
  type SelectQueryBuilder,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import type pg from 'pg';
import { withoutNul } from './compiled-query.js';
import { SqliteGroupCommit } from './group-commit.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqlite-statements.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly url: string;
  /**
   * A durable write transaction: settles after its commit is on disk. On SQLite, concurrent writes share one
   * transaction and one flush (group commit, `group-commit.ts`), each in its own savepoint; never nest write().
   */
  write<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function sqliteUrl(file: string): string {
  return `sqlite:${file}`;
}

/** The store for people and logs: the SQLite URL, or PostgreSQL's host, port and database without credentials. */
export function describeStore(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const parsed = new URL(url);
    return `PostgreSQL ${parsed.host}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

export async function openStore(url: string, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = url.startsWith('postgres://') || url.startsWith('postgresql://') ? openPostgres(url) : openSqlite(url);
  if (options.migrate !== false) await migrate(store);
  return store;
}

// PostgreSQL text and jsonb cannot hold U+0000 (the query fails); SQLite can. So that both stores keep the same
// data, every string bound to a query loses its U+0000 characters on both (docs/decisions.md, issue 7). Text
// fields are cleaned earlier, with a warning (field-kinds.ts); this is the net under everything else (filters,
// CLI input, future tables). It sits in the query compiler, where every bound value and every inlined string
// passes once: a plugin rewriting each query's tree cost ~12 µs per query (issue 10). compiled-query.ts, which
// bypasses the compiler, applies the same `withoutNul` to its values.
// biome-ignore lint/suspicious/noExplicitAny: a mixin's constructor takes whatever its base takes
type CompilerClass = abstract new (...args: any[]) => DefaultQueryCompiler;

/** The compiler of either database with U+0000 stripped from every bound value and inlined string. */
function nulFree<Base extends CompilerClass>(base: Base) {
  abstract class NulFreeCompiler extends base {
    protected override addParameter(parameter: unknown): void {
      super.addParameter(withoutNul(parameter));
    }

    protected override appendStringLiteral(value: string): void {
      super.appendStringLiteral(withoutNul(value) as string);
    }
  }
  return NulFreeCompiler;
}

const NulFreeSqliteCompiler = nulFree(SqliteQueryCompiler) as unknown as typeof SqliteQueryCompiler;
const NulFreePostgresCompiler = nulFree(PostgresQueryCompiler) as unknown as typeof PostgresQueryCompiler;

class NulFreePostgresDialect extends PostgresDialect {
  override createQueryCompiler(): QueryCompiler {
    return new NulFreePostgresCompiler();
  }
}

/**
 * Transactions on SQLite start IMMEDIATE: a deferred one that reads first and writes later cannot wait for
 * another process's write lock (SQLite answers SQLITE_BUSY at once to avoid a deadlock), so two processes
 * on one file (a server and a CLI command, or two commands) would fail instead of taking turns.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly dialectConfig: SqliteDialectConfig) {
    super(dialectConfig);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.dialectConfig);
  }

  override createQueryCompiler(): QueryCompiler {
    return new NulFreeSqliteCompiler();
  }
}

function openSqlite(url: string): Store {
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  // First: switching to WAL waits for another process (a CLI command, a starting server) instead of failing;
  // 20 s because several processes migrating a fresh file at once on a loaded machine took over 5 s.
  database.pragma('busy_timeout = 20000');
  database.pragma('journal_mode = WAL');
  // FULL: a commit is durable before the answer is sent (survives a process or power loss).
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
  });
  const group = new SqliteGroupCommit(db, file === ':memory:' ? null : `${file}-wal`);
  const checkpointer =
    file === ':memory:'
      ? null
      : new WalCheckpointer(file, { setAutocheckpoint: (pages) => database.pragma(`wal_autocheckpoint = ${pages}`) });
  return {
    db,
    dialect: 'sqlite',
    url,
    write: (work) => {
      // Started by the first durable write: processes that only read (most CLI commands) never pay for a thread.
      checkpointer?.start();
      return group.write(work);
    },
    async close() {
      await group.close();
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

/** Connections per server process; N servers on one PostgreSQL need N × this below its max_connections. */
export const POSTGRES_POOL_SIZE = 10;

// Rows read back the same from both stores: int8 (bigint ids, count(*)) as numbers, not strings; jsonb (the
// lines' document) as its JSON text, which the repositories parse as they do SQLite's text column.
const postgresTypes = (types: typeof pg.types): pg.CustomTypesConfig => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === types.builtins.INT8) return parseSafeInteger;
    if (oid === types.builtins.JSONB || oid === types.builtins.JSON) return (text: string) => text;
    return types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
});

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`integer ${text} is beyond what a JavaScript number holds`);
  return value;
}

function openPostgres(url: string): Store {
  // The driver is loaded on first use: a server on SQLite starts without it (issue 10: start-up time).
  const pool = async () => {
    const { default: driver } = await import('pg');
    const created = new driver.Pool({
      connectionString: url,
      max: POSTGRES_POOL_SIZE,
      types: postgresTypes(driver.types),
    });
    // An idle client losing its server must not crash the process; the next query reports the failure.
    created.on('error', () => {});
    return created;
  };
  const db = new Kysely<Database>({ dialect: new NulFreePostgresDialect({ pool }) });
  return { db, dialect: 'postgres', url, write: (work) => db.transaction().execute(work), close: () => db.destroy() };
}

/** Applies pending migrations; safe when several servers start at once. */
export async function migrate(store: Store): Promise<string[]> {
  const applied: string[] = [];
  await store.db.connection().execute(async (conn) => {
    if (store.dialect === 'sqlite') await sql`begin immediate`.execute(conn);
    else {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(7356829104)`.execute(conn);
    }
    try {
      await sql`create table if not exists openlines_migrations (name text primary key, applied_at text not null)`.execute(
        conn,
      );
      const done = new Set((await conn.selectFrom('openlines_migrations').select('name').execute()).map((r) => r.name));
      for (const migration of MIGRATIONS) {
        if (done.has(migration.name)) continue;
        await migration.up(conn as unknown as Kysely<unknown>, store.dialect);
        await conn
          .insertInto('openlines_migrations')
          .values({ name: migration.name, applied_at: new Date().toISOString() })
          .execute();
        applied.push(migration.name);
      }
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
  return applied;
}

/**
 * What differs between the databases for writers, named once here; repositories ask for a capability instead
 * of testing the dialect. (JSON-document reads are in `dialect.ts`.) Not differences, and usable as is on both:
 * `returning(...)` (never `insertId`), `onConflict(...)` upserts, `numUpdatedRows`.
 */
export interface WriteCapabilities {
  readonly dialect: Dialect;
  /**
   * A read that a later write in the same transaction depends on (read-modify-write of one row): the rows stay
   * locked until the transaction ends, so a concurrent request on another server waits instead of writing over
   * it. PostgreSQL: `for update`. SQLite needs none: a process runs one transaction at a time on its single
   * connection, and another process's write makes the later writer fail rather than lose an update.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any select over any table
  forUpdate<QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB;
  /** The larger of two values: PostgreSQL `greatest(a, b)`, SQLite's two-argument `max(a, b)`. */
  greatest<T>(a: Expression<T>, b: Expression<T>): RawBuilder<T>;
  /** Whether a driver error is a unique-constraint violation (SQLite SQLITE_CONSTRAINT_UNIQUE/PK, PostgreSQL 23505). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * After rows were inserted with explicit ids (an import): moves the id generator past them, so the next
   * generated id is larger. PostgreSQL identity sequences do not notice explicit ids; SQLite AUTOINCREMENT does.
   */
  syncIdSequence(table: keyof Database & string): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: works on a db or a transaction of any schema
export function capabilitiesOf(db: Kysely<any>): WriteCapabilities {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    dialect: isPostgres ? 'postgres' : 'sqlite',
    greatest: (a, b) => (isPostgres ? sql`greatest(${a}, ${b})` : sql`max(${a}, ${b})`),
    forUpdate: (query) => (isPostgres ? (query.forUpdate() as typeof query) : query),
    isUniqueViolation(error) {
      const code = (error as { code?: unknown } | null)?.code;
      return isPostgres
        ? code === '23505'
        : code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
    },
    async syncIdSequence(table) {
      if (!isPostgres) return;
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(
        table,
      )}), 0) + 1, false)`.execute(db);
    },
  };
}
