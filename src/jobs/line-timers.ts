// The line timers' place in the scheduler's tick (domain/lines/temporary-lines.ts).

import type { TemporaryLines } from '../domain/lines/temporary-lines.js';
import type { TimedJob } from './scheduler.js';

export class LineTimers implements TimedJob {
  constructor(private readonly temporaryLines: TemporaryLines) {}

  runDue(_node: string, nowMs: number): Promise<boolean> {
    return this.temporaryLines.runDue(nowMs);
  }

  nextDue(): Promise<number | null> {
    return this.temporaryLines.nextDue();
  }
}
