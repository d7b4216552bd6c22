import { compiledQuery } from './compiled-query.js';
import type { Db } from './db.js';
import { noteChange } from './model-changes.js';
import type { WebhookTable } from './schema.js';

export type WebhookRow = Omit<WebhookTable, 'id'> & { id: number };

export async function insertWebhook(
  db: Db,
  hook: Omit<WebhookTable, 'id' | 'last_used_at' | 'active' | 'created_at'>,
): Promise<number> {
  const row = await db
    .insertInto('webhooks')
    .values({ ...hook, active: 1, created_at: new Date().toISOString(), last_used_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  noteChange(db, { kind: 'credentials' });
  return Number(row.id);
}

/** A webhook with what authentication needs of its user; a hook whose user is gone has none. */
export type WebhookWithUser = WebhookRow & { readonly user_active: number; readonly user_is_admin: number };

const webhooksWithUserQuery = compiledQuery((db: Db, userId: number) =>
  db
    .selectFrom('webhooks')
    .innerJoin('users', 'users.id', 'webhooks.user_id')
    .selectAll('webhooks')
    .select(['users.active as user_active', 'users.is_admin as user_is_admin'])
    .where('webhooks.user_id', '=', userId)
    .orderBy('webhooks.id'),
);

/** The user's webhooks and the user's state in one query (every webhook call authenticates with it). */
export async function webhooksWithUser(db: Db, userId: number): Promise<WebhookWithUser[]> {
  const rows = await webhooksWithUserQuery(db, userId);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  const rows = await db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function revokeWebhook(db: Db, id: number): Promise<boolean> {
  const result = await db.updateTable('webhooks').set({ active: 0 }).where('id', '=', id).executeTakeFirst();
  noteChange(db, { kind: 'credentials' });
  return Number(result.numUpdatedRows) > 0;
}
