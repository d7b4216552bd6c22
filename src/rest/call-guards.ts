// Request limits around the single call path: the request-rate bucket (per portal and client address) and the
// per-method operating-time accounting (openlines-api.md §1.7). OPEN_GUARDS never refuse (for tests that want
// none); buildGuards() makes the server's guards from its settings.

import { type Clock, systemClock } from '../clock.js';
import type { Caller } from '../domain/caller.js';
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

export interface CallGuards {
  /** Once per HTTP request (a batch counts once); throws QUERY_LIMIT_EXCEEDED. */
  admitRequest(clientAddress: string): Promise<void>;
  /** Before a method runs; throws OPERATION_TIME_LIMIT. */
  checkOperating(caller: Caller, method: string): Promise<void>;
  /** After a method ran: records its duration and returns the state to report in `time`. */
  recordOperating(caller: Caller, method: string, durationMs: number, nowMs: number): Promise<OperatingState>;
}

export const OPEN_GUARDS: CallGuards = {
  admitRequest: async () => {},
  checkOperating: async () => {},
  recordOperating: async (_caller, _method, durationMs, nowMs) => ({
    seconds: durationMs / 1000,
    resetAt: Math.floor(nowMs / 1000) + 600,
  }),
};

/** The request-rate bucket: in memory (one server) or in the database (several servers on one PostgreSQL). */
export interface RateAdmission {
  tryAdmit(clientAddress: string): boolean | Promise<boolean>;
}

/** Operating-time accounting: in memory (one server) or in the database (several servers on one PostgreSQL). */
export interface OperatingAccounting {
  check(credentialId: string, method: string): void | Promise<void>;
  record(
    credentialId: string,
    method: string,
    durationMs: number,
    nowMs: number,
  ): OperatingState | Promise<OperatingState>;
}

/** Both limits: the leaky bucket (null when the plan is off) and the operating time per method and credential. */
export class LimitGuards implements CallGuards {
  constructor(
    readonly rate: RateAdmission | null,
    readonly operating: OperatingAccounting,
  ) {}

  async admitRequest(clientAddress: string): Promise<void> {
    if (this.rate && !(await this.rate.tryAdmit(clientAddress))) throw new RestError('QUERY_LIMIT_EXCEEDED');
  }

  async checkOperating(caller: Caller, method: string): Promise<void> {
    await this.operating.check(caller.credentialId, method);
  }

  async recordOperating(caller: Caller, method: string, durationMs: number, nowMs: number): Promise<OperatingState> {
    return this.operating.record(caller.credentialId, method, durationMs, nowMs);
  }
}

export interface GuardOptions {
  /** Replaces each call's measured duration in the operating-time accounting (tests). */
  readonly operatingCostMs?: (method: string, measuredMs: number) => number;
  /**
   * The server's store. When servers share it (its capability sharedByServers: PostgreSQL), both limits keep
   * their state in the database, so that every server counts the same buckets (issue 7); otherwise in memory.
   */
  readonly store?: Pick<OpenedStore, 'db' | 'capabilities'>;
}

export function buildGuards(
  settings: Pick<Settings, 'ratePlan' | 'operatingLimitSeconds' | 'portalName'>,
  clock: Clock = systemClock,
  options: GuardOptions = {},
): LimitGuards {
  const limits = rateLimitsOf(settings.ratePlan);
  const operating = {
    limitSeconds: settings.operatingLimitSeconds,
    clock,
    ...(options.operatingCostMs ? { costMs: options.operatingCostMs } : {}),
  };
  if (options.store?.capabilities.sharedByServers) {
    const { db } = options.store;
    return new LimitGuards(
      limits ? new SharedRequestRateLimiter(db, limits, clock, settings.portalName) : null,
      new SharedOperatingTime(db, operating),
    );
  }
  return new LimitGuards(
    limits ? new RequestRateLimiter(limits, clock, settings.portalName) : null,
    new OperatingTime(operating),
  );
}
