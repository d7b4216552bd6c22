import { type SqlBool, sql } from 'kysely';
import type { StoreCapabilities } from '../capabilities.js';

export const sqliteCapabilities: StoreCapabilities = {
  dialect: 'sqlite',
  sharedByServers: false,
  dataModifyingWith: false,
  forUpdate: (query) => query,
  skipLocked: (query) => query,
  greatest: (a, b) => sql`max(${a}, ${b})`,
  syncIdSequence: async () => {},
  async migrationLock(conn) {
    await sql`begin immediate`.execute(conn);
  },
  jsonText: (doc, name) => sql<string | null>`json_extract(${doc}, ${`$.${name}`})`,
  jsonNumber: (doc, name) => sql<number | null>`json_extract(${doc}, ${`$.${name}`})`,
  jsonArrayContains: (doc, name, value) =>
    sql<SqlBool>`exists (select 1 from json_each(${doc}, ${`$.${name}`}) where json_each.value = ${value})`,
  likeInsensitive: (value, pattern) => sql<SqlBool>`(${value} like ${pattern} escape '!')`,
  byteOrder: (value) => sql`${value}`,
  wideInteger: (value) => sql`${value}`,
};
