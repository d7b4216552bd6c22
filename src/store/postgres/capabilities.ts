import { type SqlBool, sql } from 'kysely';
import type { StoreCapabilities } from '../capabilities.js';

/** The advisory lock that migrating processes take turns on. */
const MIGRATION_LOCK_KEY = 7356829104;

export const postgresCapabilities: StoreCapabilities = {
  dialect: 'postgres',
  sharedByServers: true,
  dataModifyingWith: true,
  forUpdate: (query) => query.forUpdate() as typeof query,
  skipLocked: (query) => query.forUpdate().skipLocked() as typeof query,
  greatest: (a, b) => sql`greatest(${a}, ${b})`,
  async syncIdSequence(db, table) {
    await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(
      table,
    )}), 0) + 1, false)`.execute(db);
  },
  async migrationLock(conn) {
    await sql`begin`.execute(conn);
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
  },
  jsonText: (doc, name) => sql<string | null>`(${doc}::jsonb ->> ${name}::text)`,
  jsonNumber: (doc, name) => sql<number | null>`((${doc}::jsonb ->> ${name}::text)::numeric)`,
  jsonArrayContains: (doc, name, value) =>
    sql<SqlBool>`coalesce((${doc}::jsonb -> ${name}::text) @> ${JSON.stringify([value])}::jsonb, false)`,
  likeInsensitive: (value, pattern) => sql<SqlBool>`(${value} ilike ${pattern} escape '!')`,
  byteOrder: (value) => sql`(${value} collate "C")`,
  wideInteger: (value) => sql`(${value})::bigint`,
};
