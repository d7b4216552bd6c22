// Statements sent to the database, counted for the benchmarks' "how it scales" figures (bench/round-trips.ts):
// off unless OPENLINES_COUNT_STATEMENTS=1 when the store opens, so the query path pays nothing by default.
// Every statement a connection runs is counted, `begin`, `commit` and savepoints included: on PostgreSQL each is
// one round trip to the server (the driver sends the next statement after the previous one's answer); on SQLite
// each is one call into the library.

import type { DatabaseConnection, Dialect, Driver } from 'kysely';

const counted = Symbol('openlines.counted');

/** The statements counted since the process started (all stores opened with counting on). */
export const statementCount = { total: 0 };

export function countingStatements(): boolean {
  return process.env.OPENLINES_COUNT_STATEMENTS === '1' || process.env.OPENLINES_COUNT_STATEMENTS === 'log';
}

/** `dialect` with every statement of every connection counted in statementCount. */
export function countedDialect(dialect: Dialect): Dialect {
  // OPENLINES_COUNT_STATEMENTS=log also writes each statement's SQL to stderr (to see what a request runs).
  const log = process.env.OPENLINES_COUNT_STATEMENTS === 'log';
  const note = (sql: string): void => {
    statementCount.total += 1;
    if (log) process.stderr.write(`[sql] ${sql.slice(0, 160)}\n`);
  };
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver(): Driver {
      const driver = dialect.createDriver();
      const acquire = driver.acquireConnection.bind(driver);
      driver.acquireConnection = async () => {
        const connection = (await acquire()) as DatabaseConnection & { [counted]?: true };
        if (!connection[counted]) {
          // The driver keeps its connection objects (one per pooled client), so each is wrapped once.
          connection[counted] = true;
          const execute = connection.executeQuery.bind(connection);
          connection.executeQuery = (query) => {
            note(query.sql);
            return execute(query);
          };
          const stream = connection.streamQuery.bind(connection);
          connection.streamQuery = (query, chunkSize) => {
            note(query.sql);
            return stream(query, chunkSize);
          };
        }
        return connection;
      };
      return driver;
    },
  };
}
