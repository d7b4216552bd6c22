// Operating time: the execution time of each method, per credential (webhook or OAuth application), summed in
// one-minute buckets over ten minutes (openlines-api.md §1.7; reference-behaviour.md §6.6, §6.7, after
// Bitrix\Rest\Engine\Access\LoadLimiter):
// - a call's time is recorded only when it exceeds 0.1 s (LoadLimiter::$minimalFixTime), into the bucket of the
//   current minute;
// - a bucket lives ten minutes from the first call recorded in it (first call at 10:05:20 → gone at 10:15:20,
//   the docs' example), which is also what `operating_reset_at` reports for the oldest live bucket;
// - the sum is checked before a call: when it exceeds the limit, the call is refused with 429
//   OPERATION_TIME_LIMIT. The call that pushes the sum over the limit still completes.
// `batch` itself is never recorded; its commands are, each under its own method.

import type { Clock } from '../clock.js';
import { RestError } from '../wire/errors.js';
import { OPERATING_BUCKET_COUNT, OPERATING_BUCKET_MS } from '../wire/limits.js';
import type { OperatingState } from './call-guards.js';

/** LoadLimiter::$minimalFixTime: shorter calls are not recorded. */
const MINIMAL_RECORDED_MS = 100;
const WINDOW_MS = OPERATING_BUCKET_MS * OPERATING_BUCKET_COUNT;
/** Keys kept before expired ones are swept out, at most once a minute (a sweep walks them all). */
const SWEEP_ABOVE = 10_000;
const SWEEP_EVERY_MS = OPERATING_BUCKET_MS;

interface Bucket {
  /** floor(time / bucket size) of the first call recorded in it. */
  readonly minute: number;
  readonly firstMs: number;
  seconds: number;
}

export interface OperatingTimeOptions {
  /** Seconds per ten minutes before OPERATION_TIME_LIMIT; 0 turns the limit off (the time is still counted). */
  readonly limitSeconds: number;
  readonly clock: Clock;
  /** Replaces the measured duration (tests inject a cost instead of sleeping). */
  readonly costMs?: (method: string, measuredMs: number) => number;
}

export class OperatingTime {
  private readonly buckets = new Map<string, Bucket[]>();
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: OperatingTimeOptions) {}

  /** Throws 429 OPERATION_TIME_LIMIT when the limit is on and this credential's time on the method exceeds it. */
  check(credentialId: string, method: string): void {
    if (this.options.limitSeconds <= 0) return;
    const { seconds } = this.state(credentialId, method, this.options.clock.now());
    if (seconds > this.options.limitSeconds) throw new RestError('OPERATION_TIME_LIMIT');
  }

  /** Records one call and returns what `time.operating` / `time.operating_reset_at` report for it. */
  record(credentialId: string, method: string, durationMs: number, nowMs: number): OperatingState {
    const costMs = this.options.costMs ? this.options.costMs(method, durationMs) : durationMs;
    if (costMs > MINIMAL_RECORDED_MS) {
      const key = keyOf(credentialId, method);
      let list = this.buckets.get(key);
      if (!list) {
        if (this.buckets.size >= SWEEP_ABOVE && nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) this.sweep(nowMs);
        list = [];
        this.buckets.set(key, list);
      }
      const minute = Math.floor(nowMs / OPERATING_BUCKET_MS);
      const current = list.find((bucket) => bucket.minute === minute && isLive(bucket, nowMs));
      if (current) current.seconds += costMs / 1000;
      else list.push({ minute, firstMs: nowMs, seconds: costMs / 1000 });
    }
    return this.state(credentialId, method, nowMs);
  }

  /** The live sum and the reset time; with no live bucket, reset = now + 10 minutes (LoadLimiter::getResetTime). */
  state(credentialId: string, method: string, nowMs: number): OperatingState {
    const key = keyOf(credentialId, method);
    const list = this.buckets.get(key);
    const live = list ? list.filter((bucket) => isLive(bucket, nowMs)) : [];
    if (list && live.length !== list.length) {
      if (live.length === 0) this.buckets.delete(key);
      else this.buckets.set(key, live);
    }
    let seconds = 0;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const bucket of live) {
      seconds += bucket.seconds;
      oldestMs = Math.min(oldestMs, bucket.firstMs);
    }
    const resetAt = Math.floor((live.length > 0 ? oldestMs + WINDOW_MS : nowMs + WINDOW_MS) / 1000);
    return { seconds, resetAt };
  }

  /** How many (credential, method) pairs hold live time. */
  get trackedKeys(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    for (const [key, list] of this.buckets) {
      if (!list.some((bucket) => isLive(bucket, nowMs))) this.buckets.delete(key);
    }
  }
}

function keyOf(credentialId: string, method: string): string {
  return `${credentialId}|${method.toLowerCase()}`;
}

function isLive(bucket: Bucket, nowMs: number): boolean {
  return nowMs < bucket.firstMs + WINDOW_MS;
}
