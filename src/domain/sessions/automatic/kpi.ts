// KPI deadlines (issue 18, runtime-sessions.md §6): a customer message that waits for an operator's answer gets a
// deadline — KPI_FIRST_ANSWER_TIME for the session's first one, KPI_FURTHER_ANSWER_TIME for later ones — kept as the
// session's 'kpi' alarm. An operator's answer, or the session's finish, stops it; when it passes and the line's
// alert is on, every user of the alert list gets the alert text as a system notification (#DIALOG# and #OPERATOR#
// replaced), once per deadline, and applications get OnOpenlinesKpiAlert.

import type { Db } from '../../../store/db.js';
import { findUser } from '../../../store/directory-repository.js';
import {
  answerKpiItem,
  insertKpiItem,
  type KpiItem,
  lastKpiItem,
  markKpiItemNotified,
  rearmKpiItem,
} from '../../../store/kpi-repository.js';
import { clearAlarm, setAlarm } from '../../../store/sessions-repository.js';
import type { Posting } from '../../dialogs/chat-poster.js';
import type { Session } from '../../dialogs/session.js';
import type { EventEmitter } from '../../events/event-service.js';
import { type Line, lineValue } from '../../lines/line.js';
import { notify } from '../../notifications/notifications.js';

/** What the engine hands over: the transaction, its moment, and the flag that wakes the scheduler. */
interface KpiWork extends Posting {
  readonly nowMs: number;
  wake: boolean;
}

/**
 * When a deadline starts: now, or — when the line is off-hours — the start of its next working period (§6). The
 * working-hours module supplies it; until then every moment counts.
 */
export type KpiStart = (line: Line, nowMs: number) => number;
const FROM_NOW: KpiStart = (_line, nowMs) => nowMs;

/** The deadline of a new item: the first answer's interval (else the further one's) or the further one's; null: none. */
export function kpiDeadline(line: Pick<Line, 'values'>, first: boolean, startMs: number): number | null {
  const firstSeconds = lineValue(line, 'KPI_FIRST_ANSWER_TIME');
  const furtherSeconds = lineValue(line, 'KPI_FURTHER_ANSWER_TIME');
  const seconds = first && firstSeconds > 0 ? firstSeconds : furtherSeconds > 0 ? furtherSeconds : 0;
  return seconds > 0 ? startMs + seconds * 1000 : null;
}

/** The alert text with #DIALOG# and then #OPERATOR# replaced (KpiManager's order). */
export function kpiAlertText(template: string, sessionId: number, operatorName: string): string {
  const dialog = `[url=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/url]`;
  return template.split('#DIALOG#').join(dialog).split('#OPERATOR#').join(operatorName);
}

export class SessionKpi {
  constructor(
    private readonly events: EventEmitter,
    private readonly startOf: KpiStart = FROM_NOW,
  ) {}

  /** A customer's message was stored in the session: a new item when the last one was answered (or none). */
  async customerMessage(work: KpiWork, session: Session, line: Line, messageId: number): Promise<void> {
    const last = await lastKpiItem(work.trx, session.id);
    if (last && last.answeredMs === null) return;
    const first = last === undefined;
    const expiredMs = kpiDeadline(line, first, this.startOf(line, work.nowMs));
    await insertKpiItem(work.trx, { sessionId: session.id, messageId, first, receivedMs: work.nowMs, expiredMs });
    await this.arm(work, session.id, expiredMs);
  }

  /** An operator answered the customer, or the session finished: the waiting item is answered, its alarm gone. */
  async answered(work: KpiWork, sessionId: number): Promise<void> {
    if (await answerKpiItem(work.trx, sessionId, work.nowMs)) await clearAlarm(work.trx, sessionId, 'kpi');
  }

  /** The session went to a line's queue (transfer): a waiting item counts as a first one again, by `line`'s rules. */
  async requeued(work: KpiWork, sessionId: number, line: Line): Promise<void> {
    const last = await lastKpiItem(work.trx, sessionId);
    if (!last || last.answeredMs !== null) return;
    const expiredMs = kpiDeadline(line, true, this.startOf(line, work.nowMs));
    await rearmKpiItem(work.trx, last.id, expiredMs);
    await this.arm(work, sessionId, expiredMs);
  }

  /** The session's 'kpi' alarm fell due (the engine locked the open session). */
  async onAlarm(work: KpiWork, session: Session, line: Line): Promise<void> {
    const item = await lastKpiItem(work.trx, session.id);
    if (!item || item.answeredMs !== null || item.notified || item.expiredMs === null) return;
    if (item.expiredMs > work.nowMs) {
      await this.arm(work, session.id, item.expiredMs);
      return;
    }
    // The reference's agent looks at active lines with a KPI time only.
    if (lineValue(line, 'ACTIVE') !== 'Y') return;
    if (lineValue(line, 'KPI_FIRST_ANSWER_TIME') <= 0 && lineValue(line, 'KPI_FURTHER_ANSWER_TIME') <= 0) return;
    const alert = item.first ? lineValue(line, 'KPI_FIRST_ANSWER_ALERT') : lineValue(line, 'KPI_FURTHER_ANSWER_ALERT');
    if (alert !== 'Y') return;
    const template = item.first ? lineValue(line, 'KPI_FIRST_ANSWER_TEXT') : lineValue(line, 'KPI_FURTHER_ANSWER_TEXT');
    const users =
      (item.first ? lineValue(line, 'KPI_FIRST_ANSWER_LIST') : lineValue(line, 'KPI_FURTHER_ANSWER_LIST')) ?? [];
    const text = kpiAlertText(String(template ?? ''), session.id, await operatorName(work.trx, session.operatorId));
    await notify(
      work.trx,
      users.map((userId) => ({ userId, authorId: 0, event: 'default', tag: '', text })),
      work.stamp,
    );
    await markKpiItemNotified(work.trx, item.id);
    work.emitted += await this.events.emit(work.trx, 'OnOpenlinesKpiAlert', alertPayload(session, item, users, text));
  }

  private async arm(work: KpiWork, sessionId: number, dueMs: number | null): Promise<void> {
    if (dueMs === null) return;
    await setAlarm(work.trx, sessionId, 'kpi', dueMs);
    if (dueMs <= work.nowMs) work.wake = true;
  }
}

/** The session operator's "LAST_NAME NAME", or '' when both are blank (or nobody holds the session). */
async function operatorName(db: Db, operatorId: number): Promise<string> {
  if (operatorId === 0) return '';
  const user = await findUser(db, operatorId);
  if (!user) return '';
  const name = `${user.last_name} ${user.name}`;
  return name.trim() === '' ? '' : name;
}

function alertPayload(session: Session, item: KpiItem, users: readonly number[], text: string) {
  return {
    line: session.lineId,
    sessionId: session.id,
    chatId: session.chatId,
    operatorId: session.operatorId,
    first: item.first,
    messageId: item.messageId,
    receivedMs: item.receivedMs,
    expiredMs: item.expiredMs ?? item.receivedMs,
    users,
    text,
  };
}
