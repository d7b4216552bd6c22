// Event deliveries as administrators see them (`openlines events`, openlines.admin.events.*, the admin page):
// the newest first, or only those that failed after their last attempt, and a retry that makes a failed or
// pending delivery due now with its attempts reset (DECISIONS.md "Events are delivered at least once").

import { type Clock, systemClock } from '../../clock.js';
import { type DeliveryRow, findOutboxRow, recentDeliveries, resetDelivery } from '../../store/events-repository.js';
import type { Store } from '../../store/store.js';

/** At most this many deliveries per page. */
export const DELIVERIES_LIMIT_MAX = 500;

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'failed';

/** One delivery as shown to administrators. Times are ISO-8601 UTC, null when not (yet) reached. */
export interface DeliveryView {
  readonly id: number;
  readonly event: string;
  readonly app: string;
  readonly appName: string;
  readonly handler: string;
  readonly handlerId: number;
  /** Attempts made so far. */
  readonly attempt: number;
  readonly state: DeliveryState;
  readonly createdAt: string;
  /** When the next attempt is due (pending and retrying deliveries). */
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
  readonly failedAt: string | null;
  readonly lastError: string | null;
}

/** A retry of a delivery that does not exist, or was delivered already. */
export class DeliveryRetryError extends Error {
  constructor(
    readonly reason: 'not found' | 'delivered',
    readonly id: number,
  ) {
    super(reason === 'not found' ? `delivery ${id} does not exist` : `delivery ${id} was delivered already`);
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function stateOf(row: DeliveryRow): DeliveryState {
  if (row.delivered_at_ms !== null) return 'delivered';
  if (row.failed_at_ms !== null) return 'failed';
  return row.attempt > 0 ? 'retrying' : 'pending';
}

function view(row: DeliveryRow): DeliveryView {
  const state = stateOf(row);
  return {
    id: row.id,
    event: row.event,
    app: row.client_id,
    appName: row.app_name,
    handler: row.handler,
    handlerId: row.binding_id,
    attempt: row.attempt,
    state,
    createdAt: new Date(row.created_at_ms).toISOString(),
    nextAttemptAt: state === 'pending' || state === 'retrying' ? iso(row.next_attempt_at_ms) : null,
    deliveredAt: iso(row.delivered_at_ms),
    failedAt: iso(row.failed_at_ms),
    lastError: row.last_error,
  };
}

export class Deliveries {
  private readonly clock: Clock;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Called after a retry (the scheduler's wake); a server elsewhere finds the row on its next poll. */
  onRetried(listener: () => void): void {
    this.listeners.push(listener);
  }

  async list(query: {
    failedOnly: boolean;
    limit: number;
    offset?: number;
  }): Promise<{ deliveries: DeliveryView[]; total: number }> {
    const { rows, total } = await this.store.read((db) =>
      recentDeliveries(db, { failedOnly: query.failedOnly, limit: query.limit, offset: query.offset ?? 0 }),
    );
    return { deliveries: rows.map(view), total };
  }

  /**
   * Makes a failed or pending delivery due now, attempts reset; the delivery as it is now. "Now" is the moment it
   * was created, which no server's clock is behind: a server on a manual clock (or the command line's wall clock
   * being ahead of it) still finds it due at once.
   */
  async retry(id: number): Promise<DeliveryView> {
    const retried = await this.store.write(async (trx) => {
      const row = await findOutboxRow(trx, id);
      if (!row) throw new DeliveryRetryError('not found', id);
      if (row.delivered_at_ms !== null) throw new DeliveryRetryError('delivered', id);
      await resetDelivery(trx, id, Math.min(this.clock.now(), row.created_at_ms));
      const { rows } = await recentDeliveries(trx, { failedOnly: false, limit: 1, offset: 0, id });
      return rows[0]!;
    });
    for (const listener of this.listeners) listener();
    return view(retried);
  }
}
