// Clocks for tests: time moves when the test says so, never by sleeping.

import { type Clock, ManualClock, wholeMs } from '../../src/clock.js';

export { ManualClock } from '../../src/clock.js';

/** A ManualClock at an ISO-8601 moment. */
export function manualClockAt(iso: string): ManualClock {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${iso}`);
  return new ManualClock(ms);
}

/**
 * A clock whose time is whatever `read` returns (a test's variable, which may jump or step back); it offers no
 * timers, so a component that schedules on it fails loudly instead of silently never firing.
 */
export function clockReading(read: () => number): Clock {
  return {
    now: () => wholeMs(read(), 'clockReading'),
    setTimeout() {
      throw new Error('clockReading: this test clock has no timers; use ManualClock');
    },
    clearTimeout() {},
  };
}
