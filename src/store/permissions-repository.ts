// Per-user permission levels (table user_permissions). A missing row means "the default level".

import type { Db } from './db.js';

export interface PermissionRow {
  entity: string;
  action: string;
  level: string;
}

export async function permissionsOfUser(db: Db, userId: number): Promise<PermissionRow[]> {
  return db
    .selectFrom('user_permissions')
    .select(['entity', 'action', 'level'])
    .where('user_id', '=', userId)
    .orderBy('entity')
    .orderBy('action')
    .execute();
}

export async function setPermission(db: Db, userId: number, row: PermissionRow): Promise<void> {
  await db
    .insertInto('user_permissions')
    .values({ user_id: userId, ...row })
    .onConflict((oc) => oc.columns(['user_id', 'entity', 'action']).doUpdateSet({ level: row.level }))
    .execute();
}

export async function clearPermissions(db: Db, userId: number, entity: string): Promise<void> {
  await db.deleteFrom('user_permissions').where('user_id', '=', userId).where('entity', '=', entity).execute();
}
