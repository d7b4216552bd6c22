// A session's working-hours flags (issue 18, runtime-sessions.md §4): WORKTIME and SEND_NO_WORK_TIME_TEXT, written
// only by domain/sessions/automatic/off-hours.ts; the engine's saveSessionState leaves them alone.

import type { Db } from './db.js';

export interface WorkTimeFlags {
  /** false: opened off-hours (WORKTIME=N). */
  readonly worktime?: boolean;
  readonly sendNoWorkTimeText?: boolean;
  /** Set with the off-hours text: the no-answer text will not follow (§4). */
  readonly sendNoAnswerText?: true;
}

export async function setWorkTimeFlags(db: Db, sessionId: number, flags: WorkTimeFlags): Promise<void> {
  const set: { worktime?: number; send_no_work_time_text?: number; send_no_answer_text?: number } = {};
  if (flags.worktime !== undefined) set.worktime = flags.worktime ? 1 : 0;
  if (flags.sendNoWorkTimeText !== undefined) set.send_no_work_time_text = flags.sendNoWorkTimeText ? 1 : 0;
  if (flags.sendNoAnswerText) set.send_no_answer_text = 1;
  if (Object.keys(set).length === 0) return;
  await db.updateTable('sessions').set(set).where('id', '=', sessionId).execute();
}
