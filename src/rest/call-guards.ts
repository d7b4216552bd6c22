// Request limits around the single call path: the request-rate bucket (per portal and client address) and the
// per-method operating-time accounting (openlines-api.md §1.7). The default guards never refuse.

import type { Caller } from '../domain/caller.js';

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
