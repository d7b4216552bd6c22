// The SQLite adapter: one better-sqlite3 connection per process, in WAL mode, durable commits through group
// commit, the WAL kept small by a checkpointer thread.

import { fdatasync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type QueryCompiler,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  SqliteQueryCompiler,
} from 'kysely';
import { ModelChanges } from '../model-changes.js';
import { nulFree } from '../nul-free-compiler.js';
import type { Database } from '../schema.js';
import { countedDialect, countingStatements } from '../statement-count.js';
import type { OpenedStore } from '../store.js';
import { sqliteCapabilities } from './capabilities.js';
import { SqliteGroupCommit } from './group-commit.js';
import { withStatementCache } from './sqlite-statements.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const NulFreeSqliteCompiler = nulFree(SqliteQueryCompiler) as unknown as typeof SqliteQueryCompiler;

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

/** Opens "sqlite:path/to/file.db" (or "sqlite::memory:"), creating the file's directory. */
export function openSqlite(url: string): OpenedStore {
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
  const dialect = new ImmediateSqliteDialect({ database: withStatementCache(database) });
  const db = new Kysely<Database>({ dialect: countingStatements() ? countedDialect(dialect) : dialect });
  // Another process's commit (the CLI) changes data_version on this connection; this server's own do not (they
  // are handed over by the group commit as they commit).
  const dataVersion = database.prepare('pragma data_version').pluck();
  let seenVersion = dataVersion.get();
  const changes = new ModelChanges(() => {
    const version = dataVersion.get();
    if (version !== seenVersion) {
      seenVersion = version;
      changes.deliver({ kind: 'all' });
    }
    return undefined;
  });
  changes.own(db);
  const group = new SqliteGroupCommit(db, file === ':memory:' ? null : `${file}-wal`, fdatasync, changes);
  const checkpointer =
    file === ':memory:'
      ? null
      : new WalCheckpointer(file, { setAutocheckpoint: (pages) => database.pragma(`wal_autocheckpoint = ${pages}`) });
  return {
    db,
    url,
    capabilities: sqliteCapabilities,
    changes,
    write: (work) => {
      // Started by the first durable write: processes that only read (most CLI commands) never pay for a thread.
      checkpointer?.start();
      return group.write(work);
    },
    read: (work) => work(db),
    async close() {
      await group.close();
      changes.close();
      await checkpointer?.close();
      await db.destroy();
    },
  };
}
