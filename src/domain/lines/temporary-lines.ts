// TEMPORARY=Y (reference-behaviour.md §4 step 7): a line added as temporary is deleted 8 hours after it was added,
// if it is still temporary then. The deadline is a stored line alarm set in the add's transaction, so it survives
// a restart; the deletion locks the alarm first, so with several servers it happens once. Like the reference,
// only an add schedules it: a line updated to TEMPORARY=Y later is kept.

import {
  clearLineAlarm,
  type DueLineAlarm,
  dueLineAlarms,
  lockLineAlarm,
  nextLineAlarmDueMs,
  setLineAlarm,
} from '../../store/line-alarms-repository.js';
import { findLine } from '../../store/lines-repository.js';
import { joinedStore, type Store } from '../../store/store.js';
import type { Caller } from '../caller.js';
import { lineValue } from './line.js';
import type { LineAddedHook, LineService } from './line-service.js';

/** The reference's agent interval: 28 800 s. */
export const TEMPORARY_LINE_LIFETIME_MS = 8 * 3600 * 1000;
/** When a deletion fails, it is tried again this much later rather than in a loop. */
const RETRY_MS = 60_000;

/** The server itself, acting on a timer: recorded as the author of the deletion in the line's history. */
const SERVER: Caller = {
  userId: 0,
  isAdmin: true,
  authKind: 'server',
  credentialId: 'server:temporary-line',
  scopes: new Set(['imopenlines']),
  strict: true,
};

export class TemporaryLines {
  constructor(
    private readonly store: Store,
    private readonly lines: LineService,
    private readonly onError: (error: unknown, alarm: DueLineAlarm) => void = () => {},
  ) {}

  /** The add's hook: a temporary line gets its deletion deadline in the add's transaction. */
  readonly lineAdded: LineAddedHook = async (trx, lineId, values, addedAtMs) => {
    if (values.TEMPORARY === 'Y') {
      await setLineAlarm(trx, lineId, 'temporary_delete', addedAtMs + TEMPORARY_LINE_LIFETIME_MS);
    }
  };

  /** Acts on up to `limit` due deadlines; true when more may be due. */
  async runDue(nowMs: number, limit = 50): Promise<boolean> {
    const due = await this.store.read((db) => dueLineAlarms(db, nowMs, limit));
    for (const alarm of due) {
      try {
        await this.store.write(async (trx) => {
          if (!(await lockLineAlarm(trx, alarm))) return;
          const line = await findLine(trx, alarm.lineId);
          if (line && lineValue(line, 'TEMPORARY') === 'Y') {
            // The same deletion as config.delete: sessions finished, connectors unbound, events, history.
            await this.lines.over(joinedStore(trx)).delete(SERVER, alarm.lineId);
          } else {
            await clearLineAlarm(trx, alarm.lineId, alarm.kind);
          }
        });
      } catch (error) {
        this.onError(error, alarm);
        await this.store.write((trx) => setLineAlarm(trx, alarm.lineId, alarm.kind, nowMs + RETRY_MS));
      }
    }
    return due.length === limit;
  }

  nextDue(): Promise<number | null> {
    return this.store.read((db) => nextLineAlarmDueMs(db));
  }
}
