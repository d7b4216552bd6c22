// The session timers' place in the scheduler's tick: claim the due alarms, handle them one by one in due order
// (domain/sessions/session-alarms.ts), and ask to run again while a full batch came back or handling made more
// work due now (a freed slot requeues waiting sessions).

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
    let madeDueWork = false;
    for (const alarm of claimed) madeDueWork = (await this.alarms.handle(node, alarm)) || madeDueWork;
    return claimed.length === batch || madeDueWork;
  }

  nextDue(): Promise<number | null> {
    return this.alarms.nextDue();
  }
}
