// The PostgreSQL adapter: a pool per server process (several servers may share the database), the driver
// loaded on first use, and type parsers that make rows read back as SQLite's do.

import { Kysely, PostgresDialect, PostgresQueryCompiler, type QueryCompiler } from 'kysely';
import type pg from 'pg';
import { ModelChanges, type OwnBump, PostgresVersionVector } from '../model-changes.js';
import { nulFree } from '../nul-free-compiler.js';
import type { Database } from '../schema.js';
import { countedDialect, countingStatements } from '../statement-count.js';
import type { OpenedStore } from '../store.js';
import { postgresCapabilities } from './capabilities.js';

/**
 * Connections per server process; N servers on one PostgreSQL need N × this below its max_connections.
 * OPENLINES_POSTGRES_POOL_SIZE changes it (tests run with 2, to prove that nothing waits for a second connection
 * while holding one: test/integration/batch-pool.test.ts).
 */
function poolSize(): number {
  const size = Number(process.env.OPENLINES_POSTGRES_POOL_SIZE);
  return Number.isInteger(size) && size > 0 ? size : 10;
}

const NulFreePostgresCompiler = nulFree(PostgresQueryCompiler) as unknown as typeof PostgresQueryCompiler;

class NulFreePostgresDialect extends PostgresDialect {
  override createQueryCompiler(): QueryCompiler {
    return new NulFreePostgresCompiler();
  }
}

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

/** Opens "postgres://…" or "postgresql://…". */
export function openPostgres(url: string): OpenedStore {
  // The driver is loaded on first use: a server on SQLite starts without it (issue 10: start-up time).
  const pool = async () => {
    const { default: driver } = await import('pg');
    const created = new driver.Pool({
      connectionString: url,
      max: poolSize(),
      types: postgresTypes(driver.types),
    });
    // An idle client losing its server must not crash the process; the next query reports the failure.
    created.on('error', () => {});
    return created;
  };
  const dialect = new NulFreePostgresDialect({ pool });
  const db = new Kysely<Database>({ dialect: countingStatements() ? countedDialect(dialect) : dialect });
  // Several servers: a transaction that wrote a modelled table bumps its slot of the version vector last, and
  // every server's read model checks the vector before it answers (model-changes.ts, docs/decisions.md).
  const vector: PostgresVersionVector = new PostgresVersionVector(db, () => changes);
  const changes: ModelChanges = new ModelChanges(() => vector.catchUp());
  changes.own(db);
  return {
    db,
    url,
    capabilities: postgresCapabilities,
    changes,
    async write(work) {
      const bumps: OwnBump[] = [];
      try {
        const result = await changes.tracked((begin) =>
          db.transaction().execute(async (trx) => {
            const pending = begin(trx);
            const value = await work(trx);
            const bump = pending.changes.length > 0 ? await vector.bump(trx) : null;
            if (bump) bumps.push(bump);
            return value;
          }),
        );
        for (const bump of bumps) bump.settle(true);
        return result;
      } catch (error) {
        // Rolled back, or its commit's outcome unknown: the bump explains nothing (model-changes.ts).
        for (const bump of bumps) bump.settle(false);
        throw error;
      }
    },
    read: (work) => work(db),
    close: async () => {
      changes.close();
      await db.destroy();
    },
  };
}
