// Operator presence (runtime-sessions.md §8, DECISIONS.md "Operator availability"): the soft pause, absence, the
// explicit online status and the activity that makes a user online. Each change is one write transaction, and
// the session engine's listeners run inside it, so what they requeue commits (or rolls back) with the change.

import type { Clock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import { type PresenceChange, recordActivity, writePresence } from '../../store/presence-repository.js';
import type { Store } from '../../store/store.js';
import {
  type Availability,
  availabilityOf,
  type ExplicitStatus,
  isOnline,
  type OperatorState,
} from './availability.js';
import { lockOperatorState, operatorState, operatorStates } from './operator-states.js';

/** Why a change made an operator unavailable: the obstacle it added (§3.9's reasons). */
export type LostReason = 'VACATION' | 'NONWORKING' | 'OFFLINE';

/** Called inside the change's write transaction when an obstacle was removed and the user is available now. */
export type AvailabilityGainedListener = (trx: Db, userId: number) => Promise<void>;
/** Called inside the change's write transaction when the change added an obstacle (whatever the user was before). */
export type AvailabilityLostListener = (trx: Db, userId: number, reason: LostReason) => Promise<void>;

/** A REST call is recorded at most this often per user and server (not a write per call). */
export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

export class UnknownOperatorError extends Error {
  constructor(readonly userId: number) {
    super(`user ${userId} does not exist`);
  }
}

export interface PresenceInput {
  /** 'online' | 'offline' set explicitly; null clears it (online by activity again). */
  readonly status?: ExplicitStatus | null;
  readonly absent?: boolean;
}

/** One user's presence as it is after a change, with the availability it gives on a CHECK_AVAILABLE=Y line. */
export interface PresenceView {
  readonly userId: number;
  readonly state: OperatorState;
  readonly availability: Availability;
}

export type PresenceTransition = { readonly kind: 'lost'; readonly reason: LostReason } | { readonly kind: 'gained' };

/**
 * What a change did to availability: the first obstacle it added, in §8's order (absence, pause, offline), or
 * 'gained' when it removed one and added none and the user is available after it; null otherwise.
 */
export function presenceTransition(before: OperatorState, after: OperatorState): PresenceTransition | null {
  if (!before.absent && after.absent) return { kind: 'lost', reason: 'VACATION' };
  if (!before.paused && after.paused) return { kind: 'lost', reason: 'NONWORKING' };
  if (before.online && !after.online) return { kind: 'lost', reason: 'OFFLINE' };
  const removed =
    (before.absent && !after.absent) || (before.paused && !after.paused) || (!before.online && after.online);
  if (removed && availabilityOf(after, { checkAvailable: true }).available) return { kind: 'gained' };
  return null;
}

function applied(state: OperatorState, change: PresenceChange, nowMs: number): OperatorState {
  const explicitStatus = change.status !== undefined ? change.status : state.explicitStatus;
  return {
    ...state,
    absent: change.absent ?? state.absent,
    paused: change.paused ?? state.paused,
    explicitStatus,
    online: isOnline(explicitStatus, state.lastActivityMs, nowMs),
  };
}

export interface PresenceServiceOptions {
  /** Called after a change whose listeners ran has committed (the scheduler's wake: they may have made work due). */
  readonly committed?: () => void;
  readonly clock: Clock;
  readonly activityWriteIntervalMs?: number;
}

export class PresenceService {
  private readonly gained: AvailabilityGainedListener[] = [];
  private readonly lost: AvailabilityLostListener[] = [];
  /** When this server last recorded each user's activity (by its clock). */
  private readonly activityWritten = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly options: PresenceServiceOptions,
  ) {}

  /** Pause stopped, absence ended, set online (or online again by activity) — and available now. */
  onAvailabilityGained(listener: AvailabilityGainedListener): void {
    this.gained.push(listener);
  }

  /** Pause started, absence started, set offline. */
  onAvailabilityLost(listener: AvailabilityLostListener): void {
    this.lost.push(listener);
  }

  /** The users' states now (the directory's users among `userIds`). */
  states(userIds: readonly number[]): Promise<Map<number, OperatorState>> {
    return this.store.read((db) => operatorStates(db, userIds, this.options.clock.now()));
  }

  async view(userId: number): Promise<PresenceView> {
    const state = await this.store.read((db) => operatorState(db, userId, this.options.clock.now()));
    if (!state) throw new UnknownOperatorError(userId);
    return { userId, state, availability: availabilityOf(state, { checkAvailable: true }) };
  }

  /** Sets the explicit status and/or the absence (administrators; `openlines user presence`). */
  async setPresence(userId: number, input: PresenceInput): Promise<PresenceView> {
    const { after } = await this.change(userId, {
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.absent !== undefined ? { absent: input.absent } : {}),
    });
    return { userId, state: after, availability: availabilityOf(after, { checkAvailable: true }) };
  }

  /** Starts the user's soft pause: true, or false when paused already (§7.18). */
  async pauseStart(userId: number): Promise<boolean> {
    const { before } = await this.change(userId, { paused: true });
    return !before.paused;
  }

  /** Ends the user's soft pause: true, or false when not paused (§7.18). */
  async pauseStop(userId: number): Promise<boolean> {
    const { before } = await this.change(userId, { paused: false });
    return before.paused;
  }

  async pauseGet(userId: number): Promise<boolean> {
    return (await this.view(userId)).state.paused;
  }

  /**
   * Records a REST call by the user (the REST core, after authentication). Cheap on the hot path: written at most
   * once per ACTIVITY_WRITE_INTERVAL_MS per user by this server, so the stored time is up to that much late.
   * Coming back online by activity (no explicit status) counts as availability gained.
   */
  async recordActivity(userId: number): Promise<void> {
    const nowMs = this.options.clock.now();
    const last = this.activityWritten.get(userId);
    const interval = this.options.activityWriteIntervalMs ?? ACTIVITY_WRITE_INTERVAL_MS;
    if (last !== undefined && nowMs >= last && nowMs - last < interval) return;
    this.activityWritten.set(userId, nowMs);
    let fired = false;
    try {
      await this.store.write(async (trx) => {
        const previous = await recordActivity(trx, userId, nowMs);
        if (this.gained.length === 0 || isOnline(null, previous, nowMs)) return;
        const state = await operatorState(trx, userId, nowMs);
        if (!state || state.explicitStatus !== null) return;
        const before = { ...state, online: false };
        if (presenceTransition(before, state)?.kind === 'gained') {
          await this.fire(trx, userId, { kind: 'gained' });
          fired = true;
        }
      });
      if (fired) this.options.committed?.();
    } catch (error) {
      // Not recorded: the next call tries again.
      if (this.activityWritten.get(userId) === nowMs) this.activityWritten.delete(userId);
      throw error;
    }
  }

  private async change(
    userId: number,
    change: PresenceChange,
  ): Promise<{ before: OperatorState; after: OperatorState }> {
    let fired = false;
    const result = await this.store.write(async (trx) => {
      const nowMs = this.options.clock.now();
      const before = await lockOperatorState(trx, userId, nowMs);
      if (!before) throw new UnknownOperatorError(userId);
      const after = applied(before, change, nowMs);
      await writePresence(trx, userId, change, nowMs);
      const transition = presenceTransition(before, after);
      if (transition) await this.fire(trx, userId, transition);
      fired = transition !== null;
      return { before, after };
    });
    if (fired) this.options.committed?.();
    return result;
  }

  private async fire(trx: Db, userId: number, transition: PresenceTransition): Promise<void> {
    if (transition.kind === 'gained') for (const listener of this.gained) await listener(trx, userId);
    else for (const listener of this.lost) await listener(trx, userId, transition.reason);
  }
}
