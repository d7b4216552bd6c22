// openlines.line.schedule (issue 18, beyond the reference): is a line working at a moment, and when does that next
// change — answered by the same working-hours rules the sessions use (worktime.ts).

import type { Clock } from '../../clock.js';
import { findLine } from '../../store/lines-repository.js';
import type { Store } from '../../store/store.js';
import { isOpen, nextChange, workTimeOf } from './worktime.js';

export interface LineScheduleAnswer {
  readonly lineId: number;
  readonly atMs: number;
  readonly open: boolean;
  /** null: no change within about a year (working hours off, open around the clock, every day off). */
  readonly nextChangeMs: number | null;
  /** The zone the hours are read in: the line's WORKTIME_TIMEZONE, or the portal's. */
  readonly timeZone: string;
}

export class LineSchedule {
  constructor(
    private readonly store: Store,
    private readonly options: { readonly clock: Clock; readonly timeZone: string },
  ) {}

  /** null: there is no such line. */
  async at(lineId: number, atMs?: number): Promise<LineScheduleAnswer | null> {
    const at = atMs ?? this.options.clock.now();
    const line = await this.store.read((db) => findLine(db, lineId));
    if (!line) return null;
    const rules = workTimeOf(line, this.options.timeZone);
    return {
      lineId,
      atMs: at,
      open: isOpen(rules, at),
      nextChangeMs: nextChange(rules, at),
      timeZone: rules.timeZone,
    };
  }
}
