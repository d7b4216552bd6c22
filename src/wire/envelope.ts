// The success envelope: {"result": …, "time": {…}} plus top-level next/total (openlines-api.md §1.4).

import { formatPhpDate } from './php-date.js';

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

export interface SuccessBody {
  result: unknown;
  next?: number;
  total?: number;
  time: TimeBlock;
}

/** Three readings of the server's clock around one call, and the operating time to report. */
export interface Timing {
  /** The request arrived. */
  startMs: number;
  /** The method's handler started. */
  handlerStartMs: number;
  /** The answer was ready. */
  finishMs: number;
  operatingSeconds: number;
  operatingResetAt: number;
}

/** The readings of one clock, in order: a clock that stepped back between two readings counts as no time passing. */
export function orderedTiming(t: Timing): Timing {
  const finishMs = Math.max(t.finishMs, t.startMs);
  return { ...t, finishMs, handlerStartMs: Math.min(Math.max(t.handlerStartMs, t.startMs), finishMs) };
}

/** Every figure from the same readings: duration and processing are never negative, the dates match the numbers. */
export function timeBlock(timing: Timing, timeZone: string): TimeBlock {
  const t = orderedTiming(timing);
  return {
    start: t.startMs / 1000,
    finish: t.finishMs / 1000,
    duration: (t.finishMs - t.startMs) / 1000,
    processing: (t.finishMs - t.handlerStartMs) / 1000,
    date_start: formatPhpDate(t.startMs, timeZone),
    date_finish: formatPhpDate(t.finishMs, timeZone),
    operating_reset_at: t.operatingResetAt,
    operating: t.operatingSeconds,
  };
}
