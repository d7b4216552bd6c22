// Frozen in time: imports nothing from the application.
// The request-rate buckets and the operating-time buckets in the database (issue 7), so that several servers on
// one PostgreSQL share them: one client's burst is counted once across all servers, not once per server.
// Levels are thousandths of a request; instants are milliseconds since the epoch (bigint: past int4).
// UNLOGGED on PostgreSQL: no WAL, so a bucket update commits without waiting for a disk flush (one per request
// otherwise); after a database crash the tables start empty, which only forgives the requests of the last moments.
import { type Kysely, sql } from 'kysely';

export const name = '2026-11-23-06-shared-limits';

export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const table = dialect === 'postgres' ? sql`unlogged table` : sql`table`;
  const statements = [
    sql`create ${table} rate_buckets (bucket_key text primary key, level double precision not null,
      at_ms bigint not null)`,
    sql`create index rate_buckets_at on rate_buckets (at_ms)`,
    sql`create ${table} operating_buckets (bucket_key text not null, minute bigint not null, first_ms bigint not null,
      seconds double precision not null, primary key (bucket_key, minute))`,
    sql`create index operating_buckets_first on operating_buckets (first_ms)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
