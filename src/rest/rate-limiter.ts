// The request-rate limit: a leaky bucket per portal and client address (openlines-api.md §1.7,
// reference-behaviour.md §6.7). Every admitted HTTP request adds 1 to the counter, the counter drains by
// `drainPerSecond`, and a request that would push it past `burst` is refused (and adds nothing).
// Levels are kept in thousandths of a request so that integer clocks give exact answers: after a full burst,
// t seconds later exactly floor(drainPerSecond · t) more requests pass.

import type { Clock } from '../clock.js';
import type { RatePlan } from '../settings.js';
import { RATE_PLANS } from '../wire/limits.js';

export interface RateLimits {
  readonly drainPerSecond: number;
  readonly burst: number;
}

/** The limits of a plan; null for `off`. */
export function rateLimitsOf(plan: RatePlan): RateLimits | null {
  return plan === 'off' ? null : RATE_PLANS[plan];
}

interface Bucket {
  /** Thousandths of a request. */
  level: number;
  atMs: number;
}

const UNIT = 1000;
/** Buckets kept before drained ones are swept out, at most once a second (a sweep walks them all). */
const SWEEP_ABOVE = 10_000;
const SWEEP_EVERY_MS = 1000;

export class RequestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: Clock,
    private readonly portal = 'default',
  ) {}

  /** Counts the request and returns true, or returns false (counting nothing) when the bucket is full. */
  tryAdmit(clientAddress: string): boolean {
    const nowMs = this.clock.now();
    const key = `${this.portal}|${clientAddress}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_ABOVE && nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) this.sweep(nowMs);
      bucket = { level: 0, atMs: nowMs };
      this.buckets.set(key, bucket);
    }
    this.drain(bucket, nowMs);
    if (bucket.level + UNIT > this.limits.burst * UNIT) return false;
    bucket.level += UNIT;
    return true;
  }

  /** How many addresses are tracked (drained ones are forgotten by the sweep). */
  get trackedAddresses(): number {
    return this.buckets.size;
  }

  /** Requests currently counted for an address (for diagnostics and tests). */
  level(clientAddress: string): number {
    const bucket = this.buckets.get(`${this.portal}|${clientAddress}`);
    if (!bucket) return 0;
    this.drain(bucket, this.clock.now());
    return bucket.level / UNIT;
  }

  private drain(bucket: Bucket, nowMs: number): void {
    // A clock that steps back drains nothing (and never adds).
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.level = Math.max(0, bucket.level - this.limits.drainPerSecond * elapsedMs);
    bucket.atMs = Math.max(bucket.atMs, nowMs);
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    for (const [key, bucket] of this.buckets) {
      this.drain(bucket, nowMs);
      if (bucket.level === 0) this.buckets.delete(key);
    }
  }
}
