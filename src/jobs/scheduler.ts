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

  /** Runs a tick soon: now if idle, else right after the current one. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const running = this.loop().finally(() => {
      this.running = null;
    });
    this.running = running;
    return running;
  }

  /** Runs ticks until nothing is due; for tests and the clock methods. */
  async runDue(): Promise<void> {
    while (this.running) await this.running;
    await this.tick();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.tick();
      } catch (error) {
        this.options.onError?.(error);
      }
    } while (this.again && !this.stopped);
    if (!this.stopped) await this.schedule();
  }

  /** Runs the due timed jobs, then claims and delivers until nothing due is left. */
  private async tick(): Promise<void> {
    const { clock, outbox } = this.options;
    for (const job of this.options.jobs ?? []) {
      for (;;) {
        if (!(await job.runDue(this.node, clock.now()))) break;
      }
    }
    const batch = this.options.batch ?? 20;
    const leaseMs = this.options.leaseMs ?? this.options.timeoutMs * 2 + 5_000;
    for (;;) {
      const now = clock.now();
      const claimed = await outbox.claim(this.node, now, now + leaseMs, batch);
      if (claimed.length === 0) return;
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
      if (claimed.length < batch) return;
    }
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
