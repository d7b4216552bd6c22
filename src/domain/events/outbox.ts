// The outbox as the deliverer sees it: claim due deliveries with a lease, read what a POST needs, record each
// attempt's outcome. A claim is one short transaction; the POST happens outside any transaction.

import { applicationTokenOf, claimDue, nextDueMs, settleAttempt } from '../../store/events-repository.js';
import { getPortal } from '../../store/portal-repository.js';
import type { Store } from '../../store/store.js';

export interface Delivery {
  readonly id: number;
  readonly bindingId: number;
  readonly appId: number;
  readonly event: string;
  readonly handler: string;
  readonly data: unknown;
  readonly ts: number;
  /** Attempts made before this one. */
  readonly attempt: number;
  readonly applicationToken: string | undefined;
  readonly memberId: string;
}

export type Outcome =
  | { readonly kind: 'delivered'; readonly atMs: number }
  | { readonly kind: 'retry'; readonly error: string; readonly atMs: number; readonly nextAttemptAtMs: number }
  | { readonly kind: 'failed'; readonly error: string; readonly atMs: number };

export class Outbox {
  constructor(private readonly store: Store) {}

  /** Claims up to `limit` due deliveries for `node` until `leaseUntilMs`. */
  async claim(node: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<Delivery[]> {
    const rows = await this.store.write((trx) => claimDue(trx, { node, nowMs, leaseUntilMs, limit }));
    if (rows.length === 0) return [];
    return this.store.read(async (db) => {
      const memberId = (await getPortal(db))?.member_id ?? '';
      const tokens = new Map<number, string | undefined>();
      for (const row of rows) {
        if (!tokens.has(row.app_id)) tokens.set(row.app_id, await applicationTokenOf(db, row.app_id));
      }
      return rows.map((row) => ({
        id: row.id,
        bindingId: row.binding_id,
        appId: row.app_id,
        event: row.event,
        handler: row.handler,
        data: JSON.parse(row.data),
        ts: row.ts,
        attempt: row.attempt,
        applicationToken: tokens.get(row.app_id),
        memberId,
      }));
    });
  }

  /** Records an attempt; false when this node's lease was lost (another server took the row over). */
  async settle(node: string, delivery: Delivery, outcome: Outcome): Promise<boolean> {
    const attempt = delivery.attempt + 1;
    return this.store.write((trx) =>
      settleAttempt(trx, delivery.id, node, {
        attempt,
        next_attempt_at_ms: outcome.kind === 'retry' ? outcome.nextAttemptAtMs : outcome.atMs,
        delivered_at_ms: outcome.kind === 'delivered' ? outcome.atMs : null,
        failed_at_ms: outcome.kind === 'failed' ? outcome.atMs : null,
        last_error: outcome.kind === 'delivered' ? null : outcome.error,
      }),
    );
  }

  /** When the earliest pending delivery falls due, or null. */
  nextDue(nowMs: number): Promise<number | null> {
    return this.store.read((db) => nextDueMs(db, nowMs));
  }
}
