// The test clock's controls (DECISIONS.md "Test clock", openlines.clock.*): a server started with --clock manual
// keeps a ManualClock, which moves only when an administrator says so. Moving it fires the timers it passes (the
// scheduler's, in due order) and then runs whatever is due at the new time, so every job that fell due has run
// when the call answers. The clock is this process's: with several servers it is for single-server testing.

import type { Clock, ManualClock } from '../clock.js';

export class TestClockError extends Error {}

export class TestClock {
  private readonly manualClock: ManualClock | null;

  /**
   * @param manual the server's ManualClock when started with --clock manual, else null (the clock is read only)
   * @param runDue runs every job due now (the scheduler's runDue)
   */
  constructor(
    private readonly clock: Clock,
    manual: ManualClock | null,
    private readonly runDue: () => Promise<void>,
  ) {
    this.manualClock = manual;
  }

  /** The server was started with --clock manual. */
  get manual(): boolean {
    return this.manualClock !== null;
  }

  now(): number {
    return this.clock.now();
  }

  /** Moves the clock forward by `ms` and runs what fell due; answers the new time. */
  async advance(ms: number): Promise<number> {
    const clock = this.requireManual();
    await clock.advance(ms);
    await this.runDue();
    return clock.now();
  }

  /** Moves the clock to `epochMs` (not before now) and runs what fell due; answers the new time. */
  async set(epochMs: number): Promise<number> {
    const clock = this.requireManual();
    if (epochMs < clock.now()) throw new TestClockError('the test clock does not move backwards');
    await clock.set(epochMs);
    await this.runDue();
    return clock.now();
  }

  private requireManual(): ManualClock {
    if (!this.manualClock) throw new TestClockError('this server runs on the system clock');
    return this.manualClock;
  }
}
