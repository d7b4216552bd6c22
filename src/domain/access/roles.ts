// Roles: named LINES levels (VIEW, MODIFY) that users hold; a user's level is the highest over the held roles
// and the user's own level (`permissions.ts`). Managed from the command line (`openlines role …`,
// `openlines user set-role`); the REST API has no method for them, as the reference's role editor is a page.

import type { Db } from '../../store/db.js';
import { findUser } from '../../store/directory-repository.js';
import {
  findRoleById,
  findRoleByName,
  insertRole,
  listRoles,
  type RoleRow,
  replaceUserRoles,
  updateRoleLevels,
} from '../../store/roles-repository.js';
import { DirectoryError } from '../directory/directory-service.js';
import { isPermissionLevel, type LinePermissions, type PermissionLevel } from './permissions.js';

export interface Role {
  id: number;
  name: string;
  lines: LinePermissions;
}

export interface RoleListing extends Role {
  /** How many users hold the role. */
  holders: number;
}

const MAX_NAME_LENGTH = 100;

function toRole(row: RoleRow): Role {
  return { id: row.id, name: row.name, lines: { VIEW: level(row.lines_view), MODIFY: level(row.lines_modify) } };
}

function level(stored: string): PermissionLevel {
  return isPermissionLevel(stored) ? stored : 'none';
}

/** A role name: not blank, one line, and not only digits (a role is named by its id or its name). */
export function checkRoleName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new DirectoryError('a role name must not be empty');
  if (name.length > MAX_NAME_LENGTH) throw new DirectoryError(`a role name has at most ${MAX_NAME_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new DirectoryError('a role name must not contain control characters');
  if (/^\d+$/.test(name)) throw new DirectoryError(`a role name must not be only digits ("${name}" reads as an id)`);
  return name;
}

export async function createRole(db: Db, name: string, lines: LinePermissions): Promise<Role> {
  const checked = checkRoleName(name);
  const taken = await findRoleByName(db, checked);
  if (taken) throw new DirectoryError(`a role named ${taken.name} exists already (id ${taken.id})`);
  const id = await insertRole(db, { name: checked, lines_view: lines.VIEW, lines_modify: lines.MODIFY });
  if (id === undefined) throw new DirectoryError(`a role named ${checked} exists already`);
  return { id, name: checked, lines: { ...lines } };
}

export async function listRolesWithHolders(db: Db): Promise<RoleListing[]> {
  return (await listRoles(db)).map((row) => ({ ...toRole(row), holders: row.holders }));
}

/** A role by id (digits) or by name in any letter case. */
export async function resolveRole(db: Db, reference: string): Promise<Role> {
  const trimmed = reference.trim();
  if (trimmed === '') throw new DirectoryError('--role must name a role (its id or name)');
  const row = /^\d+$/.test(trimmed) ? await findRoleById(db, Number(trimmed)) : await findRoleByName(db, trimmed);
  if (!row) throw new DirectoryError(`role ${trimmed} does not exist (openlines role list shows the roles)`);
  return toRole(row);
}

/** Changes a role's levels; the actions not given keep theirs. Applies to every holder at their next call. */
export async function grantRole(db: Db, reference: string, changes: Partial<LinePermissions>): Promise<Role> {
  const role = await resolveRole(db, reference);
  await updateRoleLevels(db, role.id, {
    ...(changes.VIEW ? { lines_view: changes.VIEW } : {}),
    ...(changes.MODIFY ? { lines_modify: changes.MODIFY } : {}),
  });
  return { ...role, lines: { ...role.lines, ...changes } };
}

/** Replaces the roles a user holds (an empty list: none); run it in a transaction. Returns the roles now held. */
export async function setUserRoles(trx: Db, userId: number, references: readonly string[]): Promise<Role[]> {
  if (!(await findUser(trx, userId))) throw new DirectoryError(`user ${userId} does not exist`);
  const roles = new Map<number, Role>();
  for (const reference of references) {
    const role = await resolveRole(trx, reference);
    roles.set(role.id, role);
  }
  const held = [...roles.values()].sort((a, b) => a.id - b.id);
  await replaceUserRoles(
    trx,
    userId,
    held.map((r) => r.id),
  );
  return held;
}
