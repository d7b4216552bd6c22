// The operators' states as distribution reads them (runtime-sessions.md §8): the stored presence, with online
// decided at the moment of reading (the explicit status, else the last REST call under 1 440 s old).

import type { Db } from '../../store/db.js';
import { lockPresence, type PresenceRow, presenceRows } from '../../store/presence-repository.js';
import { availabilityOf, isOnline, type OperatorState, type UnavailableReason } from './availability.js';

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

/**
 * Availability for distribution from the presence model: each of `userIds` → null (available) or why not
 * (§8), in one query. Users not in the directory are DISMISSAL. Shaped as the session engine's AvailabilityReader
 * (domain/sessions/session-engine.ts), which it replaces the directory-only reader with.
 */
export const PRESENCE_AVAILABILITY = {
  async unavailable(
    db: Db,
    userIds: readonly number[],
    options: { readonly checkAvailable: boolean; readonly nowMs: number; readonly ignorePause?: boolean },
  ): Promise<Map<number, UnavailableReason | null>> {
    const states = await operatorStates(db, userIds, options.nowMs);
    const result = new Map<number, UnavailableReason | null>();
    for (const id of userIds) {
      const state = states.get(id);
      const availability = state ? availabilityOf(state, options) : null;
      result.set(id, availability === null ? 'DISMISSAL' : availability.available ? null : availability.reason);
    }
    return result;
  },
};
