// The outbox as the deliverer sees it: claim due deliveries with a lease, read what a POST needs, record each
// attempt's outcome. A claim is one short transaction; the POST happens outside any transaction.

import { findUser } from '../../store/directory-repository.js';
import { claimDue, eventAppOf, nextDueMs, settleAttempt } from '../../store/events-repository.js';
import { getPortal } from '../../store/portal-repository.js';
import type { Store } from '../../store/store.js';
import { type EventToken, mintEventToken } from '../oauth/oauth-service.js';

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
  /**
   * The access token minted for this attempt for LOCAL_USER (runtime-connectors.md §12.2); absent: the no-user
   * auth block (no user, or the user or the application is gone).
   */
  readonly token?: EventToken;
}

export type Outcome =
  | { readonly kind: 'delivered'; readonly atMs: number }
  | { readonly kind: 'retry'; readonly error: string; readonly atMs: number; readonly nextAttemptAtMs: number }
  | { readonly kind: 'failed'; readonly error: string; readonly atMs: number };

export class Outbox {
  constructor(private readonly store: Store) {}

  /**
   * Claims up to `limit` due deliveries for `node` until `leaseUntilMs`, and mints each one with a user its
   * access token (valid an hour from `nowMs`: each attempt gets a fresh one), in the claim's transaction.
   */
  async claim(node: string, nowMs: number, leaseUntilMs: number, limit: number): Promise<Delivery[]> {
    return this.store.write(async (trx) => {
      const rows = await claimDue(trx, { node, nowMs, leaseUntilMs, limit });
      if (rows.length === 0) return [];
      const memberId = (await getPortal(trx))?.member_id ?? '';
      const apps = new Map<number, Awaited<ReturnType<typeof eventAppOf>>>();
      const deliveries: Delivery[] = [];
      for (const row of rows) {
        if (!apps.has(row.app_id)) apps.set(row.app_id, await eventAppOf(trx, row.app_id));
        const app = apps.get(row.app_id);
        let token: EventToken | undefined;
        if (app && row.local_user > 0 && (await findUser(trx, row.local_user))?.active) {
          token = await mintEventToken(trx, {
            appId: app.id,
            userId: row.local_user,
            scopes: app.scopes.split(',').filter(Boolean),
            eventSession: row.event_session,
            nowMs,
          });
        }
        deliveries.push({
          id: row.id,
          bindingId: row.binding_id,
          appId: row.app_id,
          event: row.event,
          handler: row.handler,
          data: JSON.parse(row.data),
          ts: row.ts,
          attempt: row.attempt,
          applicationToken: app?.application_token,
          memberId,
          ...(token ? { token } : {}),
        });
      }
      return deliveries;
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
