import { compiledQuery } from './compiled-query.js';
import type { Db } from './portal-repository.js';
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
  return Number(row.id);
}

// Every authenticated call reads these: compiled once (compiled-query.ts).
const webhooksOfUserQuery = compiledQuery((db: Db, userId: number) =>
  db.selectFrom('webhooks').selectAll().where('user_id', '=', userId),
);

export async function webhooksOfUser(db: Db, userId: number): Promise<WebhookRow[]> {
  const rows = await webhooksOfUserQuery(db, userId);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function listWebhooks(db: Db): Promise<WebhookRow[]> {
  const rows = await db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function revokeWebhook(db: Db, id: number): Promise<boolean> {
  const result = await db.updateTable('webhooks').set({ active: 0 }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
