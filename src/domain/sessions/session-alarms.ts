// The session timers as the scheduler sees them (issue 17): due alarms are claimed with a lease in one short
// transaction (servers on one PostgreSQL take disjoint rows; a claim whose server died expires and is taken
// again); each is then handled in its own transaction, where it is re-read under a lock and dropped when it
// moved or another server took it over, removed, and handed to the engine, which may set the next one. So an
// alarm takes effect once.

import type { Clock } from '../../clock.js';
import { lockChatById } from '../../store/dialogs-repository.js';
import {
  type ClaimedAlarm,
  chatOfSession,
  claimDueAlarms,
  clearAlarm,
  lockClaimedAlarm,
  lockSession,
  nextAlarmDueMs,
} from '../../store/sessions-repository.js';
import type { Store } from '../../store/store.js';
import type { EventEmitter } from '../events/event-service.js';
import { newWork, type SessionEngine } from './session-engine.js';

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

  /** Handles one claimed alarm; true when that set another alarm due now. */
  async handle(node: string, alarm: ClaimedAlarm): Promise<boolean> {
    const nowMs = this.clock.now();
    const work = await this.store.write(async (trx) => {
      const work = newWork(trx, nowMs);
      // Rows are locked in one order everywhere — the chat, its session, then the session's alarms — so that an
      // alarm and a request on the same session take turns instead of deadlocking on PostgreSQL.
      const chatId = await chatOfSession(trx, alarm.sessionId);
      if (chatId === undefined) return work;
      await lockChatById(trx, chatId);
      await lockSession(trx, alarm.sessionId);
      if (!(await lockClaimedAlarm(trx, alarm, node))) return work;
      await clearAlarm(trx, alarm.sessionId, alarm.kind);
      await this.engine.onAlarm(work, alarm.sessionId, alarm.kind);
      return work;
    });
    if (work.emitted > 0) this.events.committed();
    else this.events.touched?.(); // the workplace stream (issue 19)
    return work.wake;
  }

  nextDue(): Promise<number | null> {
    return this.store.read((db) => nextAlarmDueMs(db));
  }
}
