// The server's one source of time. Everything that reads the time or waits takes a Clock, so that tests (and
// `serve --clock manual`) move time instead of sleeping. systemClock is the wall clock; ManualClock keeps its own
// time and fires its timers only when advanced, in due order, letting each one's work settle before the next.

/** An opaque handle returned by setTimeout. */
export interface TimerHandle {
  readonly timer: unknown;
}

export interface Clock {
  /** Whole milliseconds since the epoch (as Date.now): stores keep times in integer columns. */
  now(): number;
  /** Runs `run` once, `ms` from now. A returned promise is waited for by ManualClock.advance. */
  setTimeout(run: () => unknown, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(run, ms) {
    const timer = setTimeout(run, Math.max(0, ms));
    // A pending timer never keeps the process alive: closing the server is what ends it.
    timer.unref();
    return { timer };
  },
  clearTimeout(handle) {
    clearTimeout(handle.timer as NodeJS.Timeout);
  },
};

interface PendingTimer {
  readonly dueMs: number;
  readonly order: number;
  readonly run: () => unknown;
}

/**
 * A clock that moves only when told. `set` may move it backwards (as a wall clock can); timers fire only as
 * `advance` (or `set` forwards) passes their due time, earliest first, ties in the order they were set.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private readonly timers = new Set<PendingTimer>();
  private order = 0;
  private running: Promise<void> = Promise.resolve();
  private moving = false;

  constructor(startMs: number) {
    this.nowMs = wholeMs(startMs, 'ManualClock');
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(run: () => unknown, ms: number): TimerHandle {
    const timer: PendingTimer = { dueMs: this.nowMs + Math.max(0, ms), order: this.order++, run };
    this.timers.add(timer);
    return { timer };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.timer as PendingTimer);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (and those they set). */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ${ms} is not a non-negative number of ms`);
    return this.moveTo(this.nowMs + wholeMs(ms, 'ManualClock.advance'));
  }

  /** Jumps to `epochMs`. Forwards it fires due timers like advance; backwards it fires nothing. */
  set(epochMs: number): Promise<void> {
    wholeMs(epochMs, 'ManualClock.set');
    if (epochMs < this.nowMs) {
      this.nowMs = epochMs;
      return this.running;
    }
    return this.moveTo(epochMs);
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size;
  }

  private moveTo(targetMs: number): Promise<void> {
    // Nothing due and nothing moving: the time changes at once, so a caller that does not await sees it.
    if (!this.moving && !this.earliestDue(targetMs)) {
      this.nowMs = Math.max(this.nowMs, targetMs);
      return Promise.resolve();
    }
    // Moves are serialised: a second advance waits for the first one's timers to finish.
    this.moving = true;
    const move = this.running.then(async () => {
      for (;;) {
        const next = this.earliestDue(targetMs);
        if (!next) break;
        this.timers.delete(next);
        this.nowMs = Math.max(this.nowMs, next.dueMs);
        await next.run();
        await settle();
      }
      this.nowMs = Math.max(this.nowMs, targetMs);
    });
    this.running = move
      .catch(() => {})
      .finally(() => {
        if (this.running === finished) this.moving = false;
      });
    const finished = this.running;
    return move;
  }

  private earliestDue(targetMs: number): PendingTimer | undefined {
    let earliest: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (timer.dueMs > targetMs) continue;
      if (!earliest || timer.dueMs < earliest.dueMs || (timer.dueMs === earliest.dueMs && timer.order < earliest.order))
        earliest = timer;
    }
    return earliest;
  }
}

/** A clock reading must be whole milliseconds, as Date.now() is. */
export function wholeMs(ms: number, who: string): number {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`${who}: ${ms} is not a whole number of milliseconds`);
  return ms;
}

/** Lets callbacks queued by a timer's work (promise jobs, then one turn of the event loop) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
