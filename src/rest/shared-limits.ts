// The request-rate bucket and the operating-time accounting kept in the database, for several servers on one
// PostgreSQL (issue 7): one client's burst is counted once across all servers, not once per server, and a
// method's operating time adds up over every server. Same rules, same numbers as the in-memory RequestRateLimiter
// and OperatingTime (rate-limiter.ts, operating-time.ts), which a single server (SQLite) keeps using.
// Cost: one upsert per HTTP request; the operating-time buckets come from the read model (the version check the
// request makes anyway), and a call over 0.1 s writes its bucket in a transaction that tells the other servers.

import type { Clock } from '../clock.js';
import type { ReadModel } from '../domain/read-model/read-model.js';
import type { Db } from '../store/db.js';
import {
  addOperatingSeconds,
  admitToBucket,
  bucketLevel,
  countBuckets,
  countOperatingKeys,
  deleteBucketsTouchedBefore,
  deleteDeadOperatingBuckets,
  liveOperatingBuckets,
  type OperatingBucket,
} from '../store/limits-repository.js';
import { noteChange } from '../store/model-changes.js';
import type { Store } from '../store/store.js';
import { RestError } from '../wire/errors.js';
import { OPERATING_BUCKET_COUNT, OPERATING_BUCKET_MS } from '../wire/limits.js';
import type { OperatingState } from './call-guards.js';
import type { OperatingTimeOptions } from './operating-time.js';
import type { RateLimits } from './rate-limiter.js';

/** Thousandths of a request, as in RequestRateLimiter: integer clocks give exact answers. */
const UNIT = 1000;
/** How often one server deletes drained buckets (by its clock). */
const SWEEP_EVERY_MS = 60_000;

export class SharedRequestRateLimiter {
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Db,
    private readonly limits: RateLimits,
    private readonly clock: Clock,
    private readonly portal = 'default',
  ) {}

  /** Counts the request and returns true, or returns false (counting nothing) when the bucket is full. */
  async tryAdmit(clientAddress: string): Promise<boolean> {
    const nowMs = this.clock.now();
    if (nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) {
      this.lastSweepMs = nowMs;
      // A bucket untouched for as long as a full one takes to drain holds 0: forgetting it changes nothing.
      await deleteBucketsTouchedBefore(this.db, nowMs - (this.limits.burst * UNIT) / this.limits.drainPerSecond);
    }
    return admitToBucket(this.db, this.keyOf(clientAddress), {
      nowMs,
      unit: UNIT,
      // drainPerSecond requests per second = drainPerSecond thousandths per millisecond.
      drainPerMs: this.limits.drainPerSecond,
      capacity: this.limits.burst * UNIT,
    });
  }

  /** Requests currently counted for an address (for diagnostics and tests). */
  async level(clientAddress: string): Promise<number> {
    return (await bucketLevel(this.db, this.keyOf(clientAddress), this.clock.now(), this.limits.drainPerSecond)) / UNIT;
  }

  /** How many addresses have a bucket in the database (drained ones are swept out once a minute). */
  trackedAddresses(): Promise<number> {
    return countBuckets(this.db);
  }

  private keyOf(clientAddress: string): string {
    return `${this.portal}|${clientAddress}`;
  }
}

/** LoadLimiter::$minimalFixTime, as in OperatingTime: shorter calls are not recorded. */
const MINIMAL_RECORDED_MS = 100;
const WINDOW_MS = OPERATING_BUCKET_MS * OPERATING_BUCKET_COUNT;

export class SharedOperatingTime {
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  /**
   * `model`: with the read model, the buckets are read from memory; without, each call reads them. A recorded
   * call's bucket is a noted change either way, so every server's model forgets it.
   */
  constructor(
    private readonly store: Store & { readonly db: Db },
    private readonly options: OperatingTimeOptions,
    private readonly model?: ReadModel,
  ) {}

  /** Throws 429 OPERATION_TIME_LIMIT when the limit is on and this credential's time on the method exceeds it. */
  async check(credentialId: string, method: string): Promise<void> {
    if (this.options.limitSeconds <= 0) return;
    const { seconds } = await this.state(credentialId, method, this.options.clock.now());
    if (seconds > this.options.limitSeconds) throw new RestError('OPERATION_TIME_LIMIT');
  }

  /** Records one call and returns what `time.operating` / `time.operating_reset_at` report for it. */
  async record(
    credentialId: string,
    method: string,
    durationMs: number,
    nowMs: number,
    report = true,
  ): Promise<OperatingState> {
    const costMs = this.options.costMs ? this.options.costMs(method, durationMs) : durationMs;
    if (costMs > MINIMAL_RECORDED_MS) {
      if (nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) {
        this.lastSweepMs = nowMs;
        // Dead buckets count for nothing: the read model need not hear of their removal.
        await deleteDeadOperatingBuckets(this.store.db, nowMs, WINDOW_MS);
      }
      const key = keyOf(credentialId, method);
      const at = { minute: Math.floor(nowMs / OPERATING_BUCKET_MS), nowMs, windowMs: WINDOW_MS };
      // Noted, so the read models of every server (through the version vector) forget the key's kept buckets.
      await this.store.write(async (trx) => {
        await addOperatingSeconds(trx, key, at, costMs / 1000);
        noteChange(trx, { kind: 'operating', key });
      });
    }
    // A command inside batch reports no operating time (openlines-api.md §1.6): one round trip fewer per command.
    if (!report) return { seconds: 0, resetAt: 0 };
    return this.state(credentialId, method, nowMs);
  }

  /** The live sum and the reset time; with no live bucket, reset = now + 10 minutes (LoadLimiter::getResetTime). */
  async state(credentialId: string, method: string, nowMs: number): Promise<OperatingState> {
    const key = keyOf(credentialId, method);
    const model = this.model;
    const live: readonly OperatingBucket[] = model
      ? (await this.store.read((db) => model.operatingBuckets(db, key))).filter((b) => b.first_ms > nowMs - WINDOW_MS)
      : await liveOperatingBuckets(this.store.db, key, nowMs, WINDOW_MS);
    // Summed oldest first, as OperatingTime sums its list: the same floating-point result.
    let seconds = 0;
    for (const bucket of live) seconds += bucket.seconds;
    const oldestMs = live[0]?.first_ms;
    const resetAt = Math.floor((oldestMs !== undefined ? oldestMs + WINDOW_MS : nowMs + WINDOW_MS) / 1000);
    return { seconds, resetAt };
  }

  /** How many (credential, method) pairs have buckets in the database. */
  trackedKeys(): Promise<number> {
    return countOperatingKeys(this.store.db);
  }
}

function keyOf(credentialId: string, method: string): string {
  return `${credentialId}|${method.toLowerCase()}`;
}
