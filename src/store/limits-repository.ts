// The request-rate and operating-time buckets kept in the database (tables rate_buckets, operating_buckets),
// for servers that share one PostgreSQL. Each change is one statement: the row lock of the upsert orders
// concurrent requests from every server, so no count is lost and no burst is admitted twice.

import { sql } from 'kysely';
import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';

export interface BucketRule {
  readonly nowMs: number;
  /** What one request adds to the level. */
  readonly unit: number;
  /** How much the level drains per millisecond. */
  readonly drainPerMs: number;
  /** The highest level an admitted request may leave. */
  readonly capacity: number;
}

/**
 * Drains the bucket to `nowMs` and adds one request unless that would pass the capacity; true when admitted.
 * A refused request changes nothing. A clock that steps back drains nothing.
 */
export async function admitToBucket(db: Db, key: string, rule: BucketRule): Promise<boolean> {
  const { greatest } = capabilitiesOf(db);
  const now = sql<number>`cast(${rule.nowMs} as bigint)`;
  const drained = greatest(
    sql`0`,
    sql`rate_buckets.level - cast(${rule.drainPerMs} as double precision) * ${greatest(sql`0`, sql`${now} - rate_buckets.at_ms`)}`,
  );
  const row = await db
    .insertInto('rate_buckets')
    .values({ bucket_key: key, level: rule.unit, at_ms: rule.nowMs })
    .onConflict((oc) =>
      oc
        .column('bucket_key')
        .doUpdateSet({
          level: sql<number>`${drained} + cast(${rule.unit} as double precision)`,
          at_ms: greatest(sql`rate_buckets.at_ms`, now),
        })
        .where(
          sql<boolean>`${drained} + cast(${rule.unit} as double precision) <= cast(${rule.capacity} as double precision)`,
        ),
    )
    .returning('level')
    .executeTakeFirst();
  return row !== undefined;
}

/** The bucket's level drained to `nowMs` (0 when there is no bucket). */
export async function bucketLevel(db: Db, key: string, nowMs: number, drainPerMs: number): Promise<number> {
  const row = await db.selectFrom('rate_buckets').selectAll().where('bucket_key', '=', key).executeTakeFirst();
  if (!row) return 0;
  return Math.max(0, row.level - drainPerMs * Math.max(0, nowMs - row.at_ms));
}

/** Forgets buckets last touched before `beforeMs` (the caller knows they have drained to 0 since). */
export async function deleteBucketsTouchedBefore(db: Db, beforeMs: number): Promise<void> {
  await db.deleteFrom('rate_buckets').where('at_ms', '<', beforeMs).execute();
}

export async function countBuckets(db: Db): Promise<number> {
  const row = await db
    .selectFrom('rate_buckets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Adds seconds to the key's bucket of `minute`; a bucket of that minute that is no longer live (first recorded
 * `windowMs` or more ago: only after the clock stepped back) starts again at `nowMs`.
 */
export async function addOperatingSeconds(
  db: Db,
  key: string,
  at: { minute: number; nowMs: number; windowMs: number },
  seconds: number,
): Promise<void> {
  const live = sql<boolean>`operating_buckets.first_ms + ${at.windowMs} > cast(${at.nowMs} as bigint)`;
  await db
    .insertInto('operating_buckets')
    .values({ bucket_key: key, minute: at.minute, first_ms: at.nowMs, seconds })
    .onConflict((oc) =>
      oc.columns(['bucket_key', 'minute']).doUpdateSet({
        seconds: sql<number>`case when ${live} then operating_buckets.seconds + excluded.seconds else excluded.seconds end`,
        first_ms: sql<number>`case when ${live} then operating_buckets.first_ms else excluded.first_ms end`,
      }),
    )
    .execute();
}

/** One minute's operating time of a (credential, method) key: when it was first recorded, and its seconds. */
export interface OperatingBucket {
  readonly first_ms: number;
  readonly seconds: number;
}

/** The key's live buckets (first recorded less than `windowMs` before `nowMs`), oldest first. */
export async function liveOperatingBuckets(
  db: Db,
  key: string,
  nowMs: number,
  windowMs: number,
): Promise<OperatingBucket[]> {
  return db
    .selectFrom('operating_buckets')
    .select(['first_ms', 'seconds'])
    .where('bucket_key', '=', key)
    .where('first_ms', '>', nowMs - windowMs)
    .orderBy('first_ms')
    .orderBy('minute')
    .execute();
}

/** Every bucket of the key, live or not yet swept, oldest first (the read model keeps them; its reader filters). */
export async function operatingBucketsOf(db: Db, key: string): Promise<OperatingBucket[]> {
  return db
    .selectFrom('operating_buckets')
    .select(['first_ms', 'seconds'])
    .where('bucket_key', '=', key)
    .orderBy('first_ms')
    .orderBy('minute')
    .execute();
}

/** Forgets buckets that are no longer live at `nowMs`. */
export async function deleteDeadOperatingBuckets(db: Db, nowMs: number, windowMs: number): Promise<void> {
  await db
    .deleteFrom('operating_buckets')
    .where('first_ms', '<=', nowMs - windowMs)
    .execute();
}

export async function countOperatingKeys(db: Db): Promise<number> {
  const row = await db
    .selectFrom('operating_buckets')
    .select((eb) => eb.fn.count<number>('bucket_key').distinct().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
