// Roles and their holders (tables roles, user_roles). Levels are the stored words; the domain checks them.

import { sql } from 'kysely';
import type { Db } from './db.js';

export interface RoleRow {
  id: number;
  name: string;
  lines_view: string;
  lines_modify: string;
}

export interface RoleWithHolders extends RoleRow {
  holders: number;
}

const ROLE_COLUMNS = ['roles.id', 'roles.name', 'roles.lines_view', 'roles.lines_modify'] as const;

export async function listRoles(db: Db): Promise<RoleWithHolders[]> {
  const rows = await db
    .selectFrom('roles')
    .leftJoin('user_roles', 'user_roles.role_id', 'roles.id')
    .select([...ROLE_COLUMNS, (eb) => eb.fn.count<number | string>('user_roles.user_id').as('holders')])
    .groupBy(ROLE_COLUMNS)
    .orderBy('roles.id')
    .execute();
  return rows.map((r) => ({ ...r, holders: Number(r.holders) }));
}

export async function findRoleById(db: Db, id: number): Promise<RoleRow | undefined> {
  return db.selectFrom('roles').select(ROLE_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The role of this name in any letter case (names are unique that way). */
export async function findRoleByName(db: Db, name: string): Promise<RoleRow | undefined> {
  return db
    .selectFrom('roles')
    .select(ROLE_COLUMNS)
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
}

/** The new role's id, or undefined when the name is taken (also by a concurrent insert). */
export async function insertRole(db: Db, role: Omit<RoleRow, 'id'>): Promise<number | undefined> {
  const row = await db
    .insertInto('roles')
    .values(role)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function updateRoleLevels(
  db: Db,
  id: number,
  levels: Partial<Pick<RoleRow, 'lines_view' | 'lines_modify'>>,
): Promise<void> {
  if (Object.keys(levels).length === 0) return;
  await db.updateTable('roles').set(levels).where('id', '=', id).execute();
}

/**
 * The roles a user holds, plus the role of this name (held or not, flagged by `held`): one query for what the
 * permission check needs, the user's roles and the fallback role.
 */
export async function rolesOfUserAnd(
  db: Db,
  userId: number,
  fallbackName: string,
): Promise<(RoleRow & { held: boolean })[]> {
  const rows = await db
    .selectFrom('roles')
    .leftJoin('user_roles', (join) =>
      join.onRef('user_roles.role_id', '=', 'roles.id').on('user_roles.user_id', '=', userId),
    )
    .select([...ROLE_COLUMNS, 'user_roles.user_id as holder'])
    .where((eb) => eb.or([eb('user_roles.user_id', 'is not', null), eb('roles.name', '=', fallbackName)]))
    .execute();
  return rows.map(({ holder, ...role }) => ({ ...role, held: holder !== null }));
}

/** Replaces every role of a user with these (none: the user holds no role). */
export async function replaceUserRoles(db: Db, userId: number, roleIds: readonly number[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length === 0) return;
  await db
    .insertInto('user_roles')
    .values(roleIds.map((roleId) => ({ user_id: userId, role_id: roleId })))
    .execute();
}
