// The distribution's inputs per line, read once for a batch of queue alarms handled in one transaction (issue 20):
// the line's expanded queue with each member's availability, load and last offer is a queue-wide read (four
// statements over every member and every open session of the line), so it is read at the batch's first offer on
// the line and then kept up to date by each offer the batch makes, instead of read again per offer. Only the
// engine's own offers change these inputs inside the transaction; any other kind of alarm clears them.

import type { Line } from '../lines/line.js';
import type { Candidate } from './distribution.js';

export interface OfferMade {
  readonly statusBelow: number;
  /** The session before the offer: its operator and status. */
  readonly before: { readonly operatorId: number; readonly status: number };
  /** The session after it. */
  readonly after: { readonly operatorId: number; readonly status: number };
  /** The operator stamped as last offered (evenly), or 0. */
  readonly stamped: number;
  readonly nowMs: number;
}

export class LineInputs {
  private readonly lines = new Map<number, Candidate[]>();
  private readonly settings = new Map<number, Line | undefined>();

  /** The line itself, read once for the batch (nothing in an alarm changes a line's settings). */
  async line(lineId: number, read: () => Promise<Line | undefined>): Promise<Line | undefined> {
    if (!this.settings.has(lineId)) this.settings.set(lineId, await read());
    return this.settings.get(lineId);
  }

  /** The line's candidates: read by `read` the first time, then as the offers since have left them. */
  async candidates(lineId: number, read: () => Promise<Candidate[]>): Promise<Candidate[]> {
    let kept = this.lines.get(lineId);
    if (!kept) {
      kept = await read();
      this.lines.set(lineId, kept);
    }
    return kept;
  }

  /** An offer was stored: the load moves from the previous operator to the new one, the stamp is noted. */
  offered(lineId: number, offer: OfferMade): void {
    const kept = this.lines.get(lineId);
    if (!kept) return;
    const change = (userId: number, update: (c: Candidate) => Candidate) => {
      const index = kept.findIndex((c) => c.userId === userId);
      if (index >= 0) kept[index] = update(kept[index]!);
    };
    // busyCounts counts the open sessions an operator holds below the stop status (sessions-repository.ts).
    if (offer.before.operatorId !== 0 && offer.before.status < offer.statusBelow) {
      change(offer.before.operatorId, (c) => ({ ...c, busy: c.busy - 1 }));
    }
    if (offer.after.operatorId !== 0 && offer.after.status < offer.statusBelow) {
      change(offer.after.operatorId, (c) => ({ ...c, busy: c.busy + 1 }));
    }
    if (offer.stamped !== 0) change(offer.stamped, (c) => ({ ...c, lastOfferedMs: offer.nowMs }));
  }

  /** Something else changed sessions: read again at the next offer. */
  clear(): void {
    this.lines.clear();
    this.settings.clear();
  }
}
