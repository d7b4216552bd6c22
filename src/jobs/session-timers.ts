// The session timers' place in the scheduler's tick: claim the due alarms, handle them in due order in one
// transaction, each alone when that fails (domain/sessions/session-alarms.ts), and ask to run again while a full
// batch came back or handling made more work due now (a freed slot requeues waiting sessions).

import type { SessionAlarms } from '../domain/sessions/session-alarms.js';
import type { TimedJob } from './scheduler.js';

export class SessionTimers implements TimedJob {
  constructor(
    private readonly alarms: SessionAlarms,
    private readonly options: { readonly batch?: number; readonly leaseMs?: number } = {},
  ) {}

  async runDue(node: string, nowMs: number): Promise<boolean> {
    const batch = this.options.batch ?? 50;
    const claimed = await this.alarms.claim(node, nowMs, nowMs + (this.options.leaseMs ?? 30_000), batch);
    const madeDueWork = await this.alarms.handleAll(node, claimed);
    return claimed.length === batch || madeDueWork;
  }

  nextDue(): Promise<number | null> {
    return this.alarms.nextDue();
  }
}
