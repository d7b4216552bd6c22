// The session timers as the scheduler sees them (issue 17): due alarms are claimed with a lease in one short
// transaction (servers on one PostgreSQL take disjoint rows; a claim whose server died expires and is taken
// again); each is then handled in its own transaction, where it is re-read under a lock and dropped when it
// moved or another server took it over, removed, and handed to the engine, which may set the next one. So an
// alarm takes effect once.

import type { Clock } from '../../clock.js';
import { lockChatOfSession } from '../../store/dialogs-repository.js';
import {
  type ClaimedAlarm,
  claimDueAlarms,
  lockSession,
  nextAlarmDueMs,
  takeClaimedAlarm,
} from '../../store/sessions-repository.js';
import type { Store } from '../../store/store.js';
import type { EventEmitter } from '../events/event-service.js';
import { LineInputs } from './distribution-inputs.js';
import { type EngineWork, newWork, type SessionEngine } from './session-engine.js';

export type { ClaimedAlarm };

export class SessionAlarms {
  constructor(
    private readonly store: Store,
    private readonly engine: SessionEngine,
    private readonly events: EventEmitter,
    private readonly clock: Clock,
  ) {}

  claim(node: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<ClaimedAlarm[]> {
    return this.store.write((trx) => claimDueAlarms(trx, { node, nowMs, leaseUntilMs, limit }));
  }

  /**
   * Handles claimed alarms in one transaction (issue 20): one commit for the lot, and each line's distribution
   * inputs read once (distribution-inputs.ts) instead of once per offer. When that transaction fails (a deadlock
   * with a request on PostgreSQL, a broken session), nothing of it stays and each alarm is handled on its own.
   * True when that set another alarm due now.
   */
  async handleAll(node: string, alarms: readonly ClaimedAlarm[]): Promise<boolean> {
    if (alarms.length === 0) return false;
    try {
      return await this.handleTogether(node, alarms);
    } catch (error) {
      if (alarms.length === 1) throw error;
      let madeDueWork = false;
      for (const alarm of alarms) madeDueWork = (await this.handleTogether(node, [alarm])) || madeDueWork;
      return madeDueWork;
    }
  }

  /** The alarms in one transaction (several share their lines' distribution inputs); true: an alarm is due now. */
  private async handleTogether(node: string, alarms: readonly ClaimedAlarm[]): Promise<boolean> {
    const nowMs = this.clock.now();
    const work = await this.store.write(async (trx) => {
      const work: EngineWork =
        alarms.length > 1 ? { ...newWork(trx, nowMs), lineInputs: new LineInputs() } : newWork(trx, nowMs);
      for (const alarm of alarms) await this.handleIn(work, node, alarm);
      return work;
    });
    this.events.committed(work.emitted > 0);
    return work.wake;
  }

  private async handleIn(work: EngineWork, node: string, alarm: ClaimedAlarm): Promise<void> {
    const trx = work.trx;
    // Rows are locked in one order everywhere — the chat, its session, then the session's alarms — so that an
    // alarm and a request on the same session take turns instead of deadlocking on PostgreSQL.
    // (issue 20: the chat found and locked in one statement, the alarm checked and removed in one.)
    const chat = await lockChatOfSession(trx, alarm.sessionId);
    if (chat === undefined) return;
    const session = await lockSession(trx, alarm.sessionId);
    if (!(await takeClaimedAlarm(trx, alarm, node))) return;
    await this.engine.onAlarm(work, alarm.sessionId, alarm.kind, session ? { chat, session } : undefined);
  }

  nextDue(): Promise<number | null> {
    return this.store.read((db) => nextAlarmDueMs(db));
  }
}
