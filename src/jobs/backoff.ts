// When a failed delivery is tried again: exponential, with jitter so that many failures do not retry in step
// (Payload's calculateBackoffWaitUntil). With the defaults (2 min base, doubling, 6 attempts) the five waits add
// up to between 31 and 62 minutes: DECISIONS.md's "6 attempts over about an hour".

export const BACKOFF_BASE_MS = 120_000;
export const BACKOFF_MAX_MS = 60 * 60_000;

/**
 * The wait after failed attempt number `attempt` (1 = the first): base·2^(attempt−1), capped, then a random
 * point between half of it and all of it. `random` is in [0, 1) (Math.random; tests pass a fixed value).
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const full = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + (full / 2) * random());
}
