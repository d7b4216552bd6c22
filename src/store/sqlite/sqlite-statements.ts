// better-sqlite3 with its prepared statements kept: Kysely's SQLite driver prepares every query anew, and
// parsing and planning the SQL cost more than running it (issue 10: ~10% of a config.add). One connection runs one
// statement at a time, so a statement is never in use twice; the cache is bounded because `in (?, ?, …)` lists
// make a new text per length.

import type { SqliteDatabase, SqliteStatement } from 'kysely';

export const STATEMENT_CACHE_SIZE = 500;

export function withStatementCache(
  database: { prepare(sql: string): SqliteStatement; close(): unknown },
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close() {
      statements.clear();
      database.close();
    },
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        // The oldest entry goes first (a Map iterates in insertion order).
        if (statements.size >= size) statements.delete(statements.keys().next().value as string);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
