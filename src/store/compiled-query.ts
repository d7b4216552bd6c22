// Queries built and compiled once, then run with new values. Kysely builds, transforms and compiles a query on
// every call, which cost ~40 µs per query against ~15 µs to run it: on the hottest reads (authentication and
// config.get, five queries per call) that was most of the server's time (issue 10, bench/results.md).
//
//   const userById = compiledQuery((db, id: number) => db.selectFrom('users').selectAll().where('id', '=', id));
//   const [user] = await userById(db, 7);
//
// `build` runs once per database kind (and per length of each array argument, for `in (…)` lists) with
// placeholders instead of the arguments; the compiled SQL is kept and the placeholders are replaced by the
// arguments on each call. Only the arguments may vary: `build` must not branch on them. Strings lose U+0000 as
// the store's query compilers remove it (nul-free-compiler.ts).

import { type Compilable, CompiledQuery, type Kysely } from 'kysely';

class Slot {
  constructor(
    readonly argument: number,
    readonly item: number | null,
  ) {}
}

interface Compiled {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** Different `in (…)` lengths compile to different SQL; beyond this many shapes a query is no longer kept. */
const MAX_SHAPES = 64;

type Arguments = readonly (string | number | null | readonly (string | number | null)[])[];

/**
 * A bound string without U+0000: PostgreSQL text and jsonb cannot hold it, SQLite can, and both stores must keep
 * the same data (docs/decisions.md, issue 7). The store's query compilers apply it to every bound value too.
 */
export function withoutNul(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

export function compiledQuery<DB, A extends Arguments, Row>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<Row>,
): (db: Kysely<DB>, ...args: A) => Promise<Row[]> {
  const shapes = new Map<string, Compiled>();
  return async (db, ...args) => {
    const adapter = db.getExecutor().adapter.constructor.name;
    let key = adapter;
    for (const arg of args) if (Array.isArray(arg)) key += `,${arg.length}`;
    let compiled = shapes.get(key);
    if (compiled === undefined) {
      const slots = args.map((arg, i) =>
        Array.isArray(arg) ? arg.map((_, j) => new Slot(i, j)) : new Slot(i, null),
      ) as unknown as A;
      const query = build(db, ...slots).compile();
      compiled = { sql: query.sql, parameters: query.parameters };
      if (shapes.size < MAX_SHAPES) shapes.set(key, compiled);
    }
    const parameters = compiled.parameters.map((p) => {
      if (!(p instanceof Slot)) return p;
      const arg = args[p.argument];
      return withoutNul(p.item === null ? arg : (arg as readonly unknown[])[p.item]);
    });
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
