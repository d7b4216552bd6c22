// Work started by time rather than by a request (the second entry point: clock → scheduler → domain → store).
// Today it delivers the event outbox; the session timers of the next issue join it. Each tick claims due rows
// with a lease (skipLocked: servers on one PostgreSQL take disjoint rows; a row whose lease expired, because its
// server died mid-delivery, is claimed again), delivers them outside any transaction and records the outcome.
// A tick runs when the clock says (`clock.setTimeout`: the poll, or the earliest due retry) or when woken after
// a local commit that emitted events.

import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.js';
import type { Outbox } from '../domain/events/outbox.js';
import { type DeliveryTarget, deliverEvent } from './deliver-events.js';

/** Work started by time besides the event deliveries (the session timers). */
export interface TimedJob {
  /** Runs some of what is due at `nowMs` as `node`; true when more may be due (it is called again). */
  runDue(node: string, nowMs: number): Promise<boolean>;
  /** When its earliest work falls due, or null. */
  nextDue(nowMs: number): Promise<number | null>;
}

export interface SchedulerOptions {
  /** Run before the deliveries of each tick, so the events they emit go out in the same tick. */
  readonly jobs?: readonly TimedJob[];
  readonly clock: Clock;
  readonly outbox: Outbox;
  readonly target: () => DeliveryTarget;
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** How many deliveries one tick claims. */
  readonly batch?: number;
  /** How long a claim lasts: longer than one POST's timeout. */
  readonly leaseMs?: number;
  readonly random?: () => number;
  /** Handler destinations allowed (EVENT_HANDLER_HOSTS); absent = any. */
  readonly allowed?: (handler: string) => boolean;
  readonly onError?: (error: unknown) => void;
}

export class Scheduler {
  /** This server's name in claims. */
  readonly node = `node-${randomBytes(6).toString('hex')}`;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private readonly tickWaiters: (() => void)[] = [];
  private stopped = true;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    this.stopped = false;
    void this.wake();
  }

  /** Stops ticking and waits for the tick in progress (its deliveries finish or time out). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * Runs a tick soon: now if idle, else right after the current one. The promise settles when a tick that started
   * after this call has finished — not when the loop goes idle, which under a stream of wakes it may never do.
   */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const ticked = new Promise<void>((resolve) => this.tickWaiters.push(resolve));
    if (this.running) {
      this.again = true;
      return ticked;
    }
    const running = this.loop().finally(() => {
      this.running = null;
      for (const resolve of this.tickWaiters.splice(0)) resolve();
    });
    this.running = running;
    return ticked;
  }

  /** Runs a whole tick that starts now, until nothing due is left; for tests and the clock methods. */
  async runDue(): Promise<void> {
    if (this.stopped) {
      while (this.running) await this.running;
      await this.tick();
      return;
    }
    await this.wake();
  }

  private async loop(): Promise<void> {
    // A wake that arrives while the next tick is being scheduled (its due-time query may predate the commit that
    // woke it) runs another tick rather than waiting for the poll interval.
    do {
      this.again = false;
      // The wakes this tick answers: those that arrived before it started.
      const answering = this.tickWaiters.splice(0);
      try {
        await this.tick();
        // The next timer is armed before the wakes are answered: a ManualClock's advance waits for the wake its
        // timer returned, and must find the timer this tick set (a session's final close after its auto-close)
        // instead of moving past its due time.
        if (!this.again && !this.stopped) await this.schedule();
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        for (const resolve of answering) resolve();
      }
    } while (this.again && !this.stopped);
  }

  /**
   * Runs until nothing due is left, taking turns: one batch of each timed job, then one batch of deliveries — so a
   * burst of session timers never starves the events (and the events they emit go out in the same tick).
   */
  private async tick(): Promise<void> {
    for (;;) {
      let more = false;
      for (const job of this.options.jobs ?? []) {
        more = (await job.runDue(this.node, this.options.clock.now())) || more;
      }
      more = (await this.deliverBatch()) || more;
      if (!more) return;
    }
  }

  /** Claims and delivers one batch of due events; true when the batch was full (more may be due). */
  private async deliverBatch(): Promise<boolean> {
    const { clock, outbox } = this.options;
    const batch = this.options.batch ?? 20;
    const leaseMs = this.options.leaseMs ?? this.options.timeoutMs * 2 + 5_000;
    const now = clock.now();
    const claimed = await outbox.claim(this.node, now, now + leaseMs, batch);
    if (claimed.length === 0) return false;
    const target = this.options.target();
    await Promise.all(
      claimed.map(async (delivery) => {
        const outcome = await deliverEvent(delivery, {
          target,
          timeoutMs: this.options.timeoutMs,
          maxAttempts: this.options.maxAttempts,
          now: () => clock.now(),
          random: this.options.random,
          allowed: this.options.allowed,
        });
        await outbox.settle(this.node, delivery, outcome);
      }),
    );
    return claimed.length === batch;
  }

  /** The next tick: the poll interval, or sooner when a retry falls due before it. */
  private async schedule(): Promise<void> {
    const { clock } = this.options;
    let delay = this.options.pollMs;
    try {
      const now = clock.now();
      const dues = [await this.options.outbox.nextDue(now)];
      for (const job of this.options.jobs ?? []) dues.push(await job.nextDue(now));
      for (const due of dues) if (due !== null) delay = Math.min(delay, Math.max(0, due - now));
    } catch (error) {
      this.options.onError?.(error);
    }
    if (this.stopped) return;
    if (this.timer) clock.clearTimeout(this.timer);
    // Returning the tick lets a ManualClock's advance wait for it. A clock without timers (a test's reading of
    // a variable) leaves the scheduler to run only when woken.
    try {
      this.timer = clock.setTimeout(() => {
        this.timer = null;
        return this.wake();
      }, delay);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
