// Opens the store named by a URL ("sqlite:path/to/file.db" or "postgres://…") and migrates it. Database
// differences are named capabilities here, not scattered through the repositories.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly url: string;
  close(): Promise<void>;
}

export function sqliteUrl(file: string): string {
  return `sqlite:${file}`;
}

export async function openStore(url: string, options: { migrate?: boolean } = {}): Promise<Store> {
  const store = url.startsWith('postgres://') || url.startsWith('postgresql://') ? openPostgres(url) : openSqlite(url);
  if (options.migrate !== false) await migrate(store);
  return store;
}

function openSqlite(url: string): Store {
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // FULL: a commit is durable before the answer is sent (survives a process or power loss).
  database.pragma('synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', url, close: () => db.destroy() };
}

function openPostgres(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its server must not crash the process; the next query reports the failure.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', url, close: () => db.destroy() };
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
