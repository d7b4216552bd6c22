// Opens the store named by a URL ("sqlite:path/to/file.db" or "postgres://…") with its database's adapter
// (sqlite/, postgres/) and migrates it.

import { type Kysely, sql } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';
import { openPostgres } from './postgres/open.js';
import { openSqlite } from './sqlite/open.js';
import type { OpenedStore } from './store.js';

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

export async function openStore(url: string, options: { migrate?: boolean } = {}): Promise<OpenedStore> {
  const store = url.startsWith('postgres://') || url.startsWith('postgresql://') ? openPostgres(url) : openSqlite(url);
  if (options.migrate !== false) await migrate(store);
  return store;
}

/** Applies pending migrations; safe when several servers start at once (the store's migrationLock). */
export async function migrate(store: OpenedStore): Promise<string[]> {
  const applied: string[] = [];
  await store.db.connection().execute(async (conn) => {
    await store.capabilities.migrationLock(conn);
    try {
      await sql`create table if not exists openlines_migrations (name text primary key, applied_at text not null)`.execute(
        conn,
      );
      const done = new Set((await conn.selectFrom('openlines_migrations').select('name').execute()).map((r) => r.name));
      for (const migration of MIGRATIONS) {
        if (done.has(migration.name)) continue;
        await migration.up(conn as unknown as Kysely<unknown>, store.capabilities.dialect);
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
