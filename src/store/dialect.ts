// What differs between SQLite and PostgreSQL when the lines' JSON document (`lines.doc`, JSON text) is read
// inside a query. Each difference is one named capability; repositories ask for it instead of testing the
// dialect. Field names and values are always bound as parameters, never spliced into the SQL text.

import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Dialect } from './open-store.js';

export interface DialectCapabilities {
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

const sqlite: DialectCapabilities = {
  jsonText: (doc, name) => sql<string | null>`json_extract(${doc}, ${`$.${name}`})`,
  jsonNumber: (doc, name) => sql<number | null>`json_extract(${doc}, ${`$.${name}`})`,
  jsonArrayContains: (doc, name, value) =>
    sql<SqlBool>`exists (select 1 from json_each(${doc}, ${`$.${name}`}) where json_each.value = ${value})`,
  likeInsensitive: (value, pattern) => sql<SqlBool>`(${value} like ${pattern} escape '!')`,
  byteOrder: (value) => sql`${value}`,
  wideInteger: (value) => sql`${value}`,
};

const postgres: DialectCapabilities = {
  jsonText: (doc, name) => sql<string | null>`(${doc}::jsonb ->> ${name}::text)`,
  jsonNumber: (doc, name) => sql<number | null>`((${doc}::jsonb ->> ${name}::text)::numeric)`,
  jsonArrayContains: (doc, name, value) =>
    sql<SqlBool>`coalesce((${doc}::jsonb -> ${name}::text) @> ${JSON.stringify([value])}::jsonb, false)`,
  likeInsensitive: (value, pattern) => sql<SqlBool>`(${value} ilike ${pattern} escape '!')`,
  byteOrder: (value) => sql`(${value} collate "C")`,
  wideInteger: (value) => sql`(${value})::bigint`,
};

export function documentCapabilities(dialect: Dialect): DialectCapabilities {
  return dialect === 'sqlite' ? sqlite : postgres;
}

/** `%value%` for likeInsensitive, with the value's own `%`, `_` and `!` matched literally. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
