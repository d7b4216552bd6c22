// Numbers of the wire contract, units in the names.

/** Largest request body accepted (JSON, form or multipart). Documented in the README. */
export const MAX_BODY_BYTES = 1_048_576;
/** Commands in one batch (openlines-api.md §1.6). */
export const BATCH_MAX_COMMANDS = 50;
/** Page size of list methods, PARAMS.limit (openlines-api.md §1.5; DECISIONS.md config.list.get). */
export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;
/** Leaky-bucket plans (openlines-api.md §1.7). */
export const RATE_PLANS = {
  standard: { drainPerSecond: 2, burst: 50 },
  enterprise: { drainPerSecond: 5, burst: 250 },
} as const;
/** Operating-time accounting (reference-behaviour.md §6.7). */
export const OPERATING_BUCKET_MS = 60_000;
export const OPERATING_BUCKET_COUNT = 10;
/** Longest value echoed in the X-Openlines-Warnings header per field. */
export const WARNING_VALUE_MAX_CHARS = 100;
