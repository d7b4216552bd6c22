// Operator presence (operator_presence): absent, soft pause, explicit online status and the last REST call.
// A user without a row is present, not paused, with no status and no recorded call.

import { sql } from 'kysely';
import { capabilitiesOf } from './capabilities.js';
import { compiledQuery } from './compiled-query.js';
import type { Db } from './db.js';

interface StateRow {
  id: number | string;
  active: number;
  absent: number | null;
  paused: number | null;
  status: string | null;
  last_activity_ms: number | string | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** One directory user's presence as stored (defaults when the user has no presence row). */
export interface PresenceRow {
  readonly userId: number;
  readonly active: boolean;
  readonly absent: boolean;
  readonly paused: boolean;
  /** 'online' | 'offline' set explicitly; null: by activity. */
  readonly status: 'online' | 'offline' | null;
  readonly lastActivityMs: number | null;
}

// Read on every distribution: one query for every operator of a queue, compiled once per list length.
const statesQuery = compiledQuery((db: Db, ids: readonly number[]) =>
  db
    .selectFrom('users')
    .leftJoin('operator_presence', 'operator_presence.user_id', 'users.id')
    .select([
      'users.id',
      'users.active',
      'operator_presence.absent',
      'operator_presence.paused',
      'operator_presence.status',
      'operator_presence.last_activity_ms',
    ])
    .where('users.id', 'in', ids),
);

function toPresence(row: StateRow): PresenceRow {
  return {
    userId: Number(row.id),
    active: Number(row.active) === 1,
    absent: Number(row.absent ?? 0) === 1,
    paused: Number(row.paused ?? 0) === 1,
    status: row.status === 'online' || row.status === 'offline' ? row.status : null,
    lastActivityMs: num(row.last_activity_ms),
  };
}

/** The presence of each directory user among `userIds`, in one query; unknown ids are left out. */
export async function presenceRows(db: Db, userIds: readonly number[]): Promise<PresenceRow[]> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return [];
  return ((await statesQuery(db, ids)) as StateRow[]).map(toPresence);
}

export interface PresenceChange {
  readonly absent?: boolean;
  readonly paused?: boolean;
  /** null clears the explicit status (online by activity again). */
  readonly status?: 'online' | 'offline' | null;
}

/** Writes the given attributes, creating the user's row when it has none. */
export async function writePresence(db: Db, userId: number, change: PresenceChange, nowMs: number): Promise<void> {
  const set = {
    ...(change.absent !== undefined ? { absent: change.absent ? 1 : 0 } : {}),
    ...(change.paused !== undefined ? { paused: change.paused ? 1 : 0 } : {}),
    ...(change.status !== undefined ? { status: change.status } : {}),
    changed_at_ms: nowMs,
  };
  await db
    .insertInto('operator_presence')
    .values({ user_id: userId, absent: 0, paused: 0, status: null, last_activity_ms: null, ...set })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(set))
    .execute();
}

/**
 * One user's state, its presence row locked until the transaction ends (a change reads, decides and writes it;
 * on PostgreSQL a concurrent change on another server waits). Creates the row; undefined for an unknown user.
 */
export async function lockPresence(db: Db, userId: number): Promise<PresenceRow | undefined> {
  await db
    .insertInto('operator_presence')
    .columns(['user_id'])
    .expression(db.selectFrom('users').select('users.id').where('users.id', '=', userId))
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  const row = await capabilitiesOf(db)
    .forUpdate(
      db
        .selectFrom('users')
        .innerJoin('operator_presence', 'operator_presence.user_id', 'users.id')
        .select([
          'users.id',
          'users.active',
          'operator_presence.absent',
          'operator_presence.paused',
          'operator_presence.status',
          'operator_presence.last_activity_ms',
        ])
        .where('users.id', '=', userId),
    )
    .executeTakeFirst();
  return row ? toPresence(row as StateRow) : undefined;
}

/**
 * Records a REST call at `nowMs` and returns the time recorded before (null: none). The recorded time never moves
 * backwards, whichever server writes last.
 */
export async function recordActivity(db: Db, userId: number, nowMs: number): Promise<number | null> {
  const before = await db
    .selectFrom('operator_presence')
    .select('last_activity_ms')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const previous = num(before?.last_activity_ms);
  if (previous !== null && previous >= nowMs) return previous;
  const { greatest } = capabilitiesOf(db);
  await db
    .insertInto('operator_presence')
    .values({ user_id: userId, absent: 0, paused: 0, status: null, last_activity_ms: nowMs, changed_at_ms: null })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({
        last_activity_ms: sql<number>`coalesce(${greatest(eb.ref('operator_presence.last_activity_ms'), eb.ref('excluded.last_activity_ms'))}, ${nowMs})`,
      })),
    )
    .execute();
  return previous;
}
