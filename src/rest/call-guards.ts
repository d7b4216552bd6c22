// The guards around the single call path, two limits: the request-rate bucket (per portal and client address) and
// the per-method operating time (openlines-api.md §1.7). Each is kept in memory (one server) or in the database
// (several servers on one PostgreSQL). OPEN_GUARDS never refuse (for tests that want none); buildGuards() makes
// the server's guards from its settings.

import { type Clock, systemClock } from '../clock.js';
import type { Caller } from '../domain/caller.js';
import type { ReadModel } from '../domain/read-model/read-model.js';
import type { Settings } from '../settings.js';
import type { OpenedStore } from '../store/store.js';
import { RestError } from '../wire/errors.js';
import { OperatingTime } from './operating-time.js';
import { RequestRateLimiter, rateLimitsOf } from './rate-limiter.js';
import { SharedOperatingTime, SharedRequestRateLimiter } from './shared-limits.js';

export interface OperatingState {
  /** Seconds this caller has spent in this method over the window. */
  readonly seconds: number;
  /** Unix seconds when the oldest bucket expires. */
  readonly resetAt: number;
}

/** The request-rate bucket. */
export interface RequestRateLimit {
  tryAdmit(clientAddress: string): boolean | Promise<boolean>;
}

/** Operating time per method and credential: refuses a method that used its time, and records each call. */
export interface OperatingTimeLimit {
  check(credentialId: string, method: string): void | Promise<void>;
  record(
    credentialId: string,
    method: string,
    durationMs: number,
    nowMs: number,
    /** false: the caller does not report the state (a command inside batch), so it need not be read. */
    report?: boolean,
  ): OperatingState | Promise<OperatingState>;
}

export class CallGuards {
  constructor(
    /** null when the rate plan is off. */
    readonly rate: RequestRateLimit | null,
    readonly operating: OperatingTimeLimit,
  ) {}

  /** Once per HTTP request (a batch counts once); throws QUERY_LIMIT_EXCEEDED. */
  async admitRequest(clientAddress: string): Promise<void> {
    if (this.rate && !(await this.rate.tryAdmit(clientAddress))) throw new RestError('QUERY_LIMIT_EXCEEDED');
  }

  /** Before a method runs; throws OPERATION_TIME_LIMIT. */
  async checkOperating(caller: Caller, method: string): Promise<void> {
    await this.operating.check(caller.credentialId, method);
  }

  /** After a method ran: records its duration and returns the state to report in `time`. */
  async recordOperating(
    caller: Caller,
    method: string,
    durationMs: number,
    nowMs: number,
    report = true,
  ): Promise<OperatingState> {
    return this.operating.record(caller.credentialId, method, durationMs, nowMs, report);
  }
}

/** No rate limit, and operating time that is reported but never refuses. */
export const OPEN_GUARDS = new CallGuards(null, {
  check: () => {},
  record: (_credentialId, _method, durationMs, nowMs) => ({
    seconds: durationMs / 1000,
    resetAt: Math.floor(nowMs / 1000) + 600,
  }),
});

export interface GuardOptions {
  /** Replaces each call's measured duration in the operating-time accounting (tests). */
  readonly operatingCostMs?: (method: string, measuredMs: number) => number;
  /**
   * The server's store. When servers share it (its capability sharedByServers: PostgreSQL), both limits keep
   * their state in the database, so that every server counts the same buckets (issue 7); otherwise in memory.
   */
  readonly store?: Pick<OpenedStore, 'db' | 'capabilities' | 'write' | 'read'>;
  /** The server's read model: the shared operating time reads its buckets from it (issue 20). */
  readonly model?: ReadModel;
}

export function buildGuards(
  settings: Pick<Settings, 'ratePlan' | 'operatingLimitSeconds' | 'portalName'>,
  clock: Clock = systemClock,
  options: GuardOptions = {},
): CallGuards {
  const limits = rateLimitsOf(settings.ratePlan);
  const operating = {
    limitSeconds: settings.operatingLimitSeconds,
    clock,
    ...(options.operatingCostMs ? { costMs: options.operatingCostMs } : {}),
  };
  if (options.store?.capabilities.sharedByServers) {
    const { store, model } = options;
    return new CallGuards(
      limits ? new SharedRequestRateLimiter(store.db, limits, clock, settings.portalName) : null,
      new SharedOperatingTime(store, operating, model),
    );
  }
  return new CallGuards(
    limits ? new RequestRateLimiter(limits, clock, settings.portalName) : null,
    new OperatingTime(operating),
  );
}
