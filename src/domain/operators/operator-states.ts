// The operators' states as distribution reads them (runtime-sessions.md §8): the stored presence, with online
// decided at the moment of reading (the explicit status, else the last REST call under 1 440 s old).

import type { Db } from '../../store/db.js';
import { lockPresence, type PresenceRow, presenceRows } from '../../store/presence-repository.js';
import { isOnline, type OperatorState } from './availability.js';

function stateOf(row: PresenceRow, nowMs: number): OperatorState {
  return {
    active: row.active,
    absent: row.absent,
    paused: row.paused,
    online: isOnline(row.status, row.lastActivityMs, nowMs),
    explicitStatus: row.status,
    lastActivityMs: row.lastActivityMs,
  };
}

/**
 * The state at `nowMs` of each directory user among `userIds`, by user id, in one query (the session engine reads
 * it on every distribution, inside its transaction or not); ids not in the directory are left out.
 */
export async function operatorStates(
  db: Db,
  userIds: readonly number[],
  nowMs: number,
): Promise<Map<number, OperatorState>> {
  const rows = await presenceRows(db, userIds);
  return new Map(rows.map((row) => [row.userId, stateOf(row, nowMs)]));
}

/** One user's state at `nowMs`; undefined when the user is not in the directory. */
export async function operatorState(db: Db, userId: number, nowMs: number): Promise<OperatorState | undefined> {
  return (await operatorStates(db, [userId], nowMs)).get(userId);
}

/** One user's state, the presence row locked until the transaction ends (read, decide, write). */
export async function lockOperatorState(db: Db, userId: number, nowMs: number): Promise<OperatorState | undefined> {
  const row = await lockPresence(db, userId);
  return row ? stateOf(row, nowMs) : undefined;
}
