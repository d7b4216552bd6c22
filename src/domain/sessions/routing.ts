// openlines.route.simulate (issue 17, beyond the reference): without creating anything, whom a new session of a
// line would be offered to at a moment, and why each other member of its queue would not get it. It runs the same
// eligibility and strategy as a real first distribution, over the store as it is now.

import type { Clock } from '../../clock.js';
import { findLine } from '../../store/lines-repository.js';
import type { Store } from '../../store/store.js';
import { lineValue } from '../lines/line.js';
import type { Exclusion } from './distribution.js';
import type { SessionEngine } from './session-engine.js';

/** The words the answer uses for each reason (the reference's return reasons, §3.9). */
export const EXCLUSION_WORDS: Readonly<Record<Exclusion, string>> = {
  DISMISSAL: 'inactive',
  VACATION: 'absent',
  NONWORKING: 'paused',
  OFFLINE: 'offline',
  NO_FREE_SLOT: 'no free slot',
};

export interface RouteSimulation {
  readonly lineId: number;
  readonly atMs: number;
  readonly queueType: string;
  readonly offeredTo: readonly number[];
  readonly operators: readonly {
    readonly userId: number;
    readonly eligible: boolean;
    readonly reason: string | null;
    readonly busy: number;
    readonly lastOfferedMs: number | null;
  }[];
}

export class Routing {
  constructor(
    private readonly store: Store,
    private readonly engine: SessionEngine,
    private readonly clock: Clock,
  ) {}

  /** null: there is no such line. */
  async simulate(lineId: number, atMs?: number): Promise<RouteSimulation | null> {
    const at = atMs ?? this.clock.now();
    return this.store.read(async (db) => {
      const line = await findLine(db, lineId);
      if (!line) return null;
      const { offer, members } = await this.engine.simulate(db, line, at);
      return {
        lineId,
        atMs: at,
        queueType: lineValue(line, 'QUEUE_TYPE'),
        offeredTo: offer,
        operators: members.map(({ candidate, exclusion }) => ({
          userId: candidate.userId,
          eligible: exclusion === null,
          reason: exclusion === null ? null : EXCLUSION_WORDS[exclusion],
          busy: candidate.busy,
          lastOfferedMs: candidate.lastOfferedMs,
        })),
      };
    });
  }
}
