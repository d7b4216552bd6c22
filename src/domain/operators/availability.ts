// Whether an operator can be offered a session (runtime-sessions.md §8, DECISIONS.md "Operator availability"):
// the reference's check without time tracking, which openlines does not emulate (docs/decisions.md).

/** Seconds a user counts as online after their last REST call (the reference's getTimeLastActivityOperator). */
export const ONLINE_WINDOW_SECONDS = 1_440;

/** The explicit online status of a user; null: online while the last REST call is recent. */
export type ExplicitStatus = 'online' | 'offline';

/** What distribution needs to know of one directory user at one moment (operatorStates in the store). */
export interface OperatorState {
  /** Not dismissed (the directory's active flag). */
  readonly active: boolean;
  /** On leave (`openlines user presence --absent Y`). */
  readonly absent: boolean;
  /** The imopenlines soft pause (imopenlines.operator.pause.start). */
  readonly paused: boolean;
  /** The explicit status when set, else by activity at the moment the state was read. */
  readonly online: boolean;
  readonly explicitStatus: ExplicitStatus | null;
  /** The last REST call as recorded (at most a minute late per server); null: none recorded. */
  readonly lastActivityMs: number | null;
}

/** Why an operator is not available: the reference's reasons (§3.1, §3.9 texts). */
export type UnavailableReason = 'DISMISSAL' | 'VACATION' | 'NONWORKING' | 'OFFLINE';

export type Availability =
  | { readonly available: true }
  | { readonly available: false; readonly reason: UnavailableReason };

export interface AvailabilityOptions {
  /** The line's CHECK_AVAILABLE = 'Y'. */
  readonly checkAvailable: boolean;
  /**
   * The reference passes true when deciding whether to take a session already taken away (isRemoveSession). It
   * only excuses a *paused work day* of time tracking, which openlines does not emulate, so it changes nothing
   * here; the soft pause counts either way (§8).
   */
  readonly ignorePause?: boolean;
}

const AVAILABLE: Availability = { available: true };

/** §8's `available(user, line, ignorePause)`, time tracking off. Bots and connector users are the caller's case. */
export function availabilityOf(state: OperatorState, options: AvailabilityOptions): Availability {
  if (!state.active) return { available: false, reason: 'DISMISSAL' };
  if (!options.checkAvailable) return AVAILABLE;
  if (state.absent) return { available: false, reason: 'VACATION' };
  if (state.paused) return { available: false, reason: 'NONWORKING' };
  return state.online ? AVAILABLE : { available: false, reason: 'OFFLINE' };
}

/** Online by the explicit status when set, else by the last REST call (under ONLINE_WINDOW_SECONDS old). */
export function isOnline(explicitStatus: ExplicitStatus | null, lastActivityMs: number | null, nowMs: number): boolean {
  if (explicitStatus !== null) return explicitStatus === 'online';
  return lastActivityMs !== null && nowMs - lastActivityMs < ONLINE_WINDOW_SECONDS * 1000;
}
