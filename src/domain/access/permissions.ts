// Who may view or change which line: the reference's role model (reference-behaviour.md §1.7,
// Config::canDoOperation, RoleManager::getUserPermissions, Security\Helper::getAllowedUserIds).
//   none (''): nothing · self ('A'): lines of the user · department ('D'): lines of the user or a colleague
//   from one of the user's departments · any ('X'): every line. Portal administrators always have 'any'.
// A user's level per action is the highest over the user's roles (`roles.ts`) and the user's own level (a
// per-user shortcut, `openlines user permission`); with neither, the levels of the MANAGER role, which the
// reference binds to the whole company.
// A line "belongs" to a user who is one of its operators (expanded queue) or its MODIFY_USER_ID.

import type { Db } from '../../store/db.js';
import { findUser, userDepartmentIds, usersInDepartments } from '../../store/directory-repository.js';
import { lineBelongsToAny } from '../../store/lines-repository.js';
import { clearPermissions, permissionsOfUser, setPermission } from '../../store/permissions-repository.js';
import { rolesOfUserAnd } from '../../store/roles-repository.js';
import type { Caller } from '../caller.js';
import { DirectoryError } from '../directory/directory-service.js';

export const PERMISSION_LEVELS = ['none', 'self', 'department', 'any'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export const LINE_ACTIONS = ['VIEW', 'MODIFY'] as const;
export type LineAction = (typeof LINE_ACTIONS)[number];
export type LinePermissions = Record<LineAction, PermissionLevel>;

/**
 * A user without a role or an own level: may view every line, may change none. This is the reference's default
 * role for employees (MANAGER: LINES VIEW 'X', MODIFY '', bound to the root department;
 * Helper::installRolesAgent), as migration 2026-11-23-07 creates it; the MANAGER role's current levels apply.
 */
export const DEFAULT_LINE_PERMISSIONS: Readonly<LinePermissions> = { VIEW: 'any', MODIFY: 'none' };

/** The role whose levels a user without a role or an own level has. */
export const DEFAULT_ROLE_NAME = 'MANAGER';

const ENTITY_LINES = 'LINES';

export type PermissionSubject = Pick<Caller, 'userId' | 'isAdmin'>;

export function isPermissionLevel(value: unknown): value is PermissionLevel {
  return typeof value === 'string' && (PERMISSION_LEVELS as readonly string[]).includes(value);
}

export function isLineAction(value: unknown): value is LineAction {
  return typeof value === 'string' && (LINE_ACTIONS as readonly string[]).includes(value);
}

/** The higher of two levels (none < self < department < any). */
export function higherLevel(a: PermissionLevel, b: PermissionLevel): PermissionLevel {
  return PERMISSION_LEVELS.indexOf(a) >= PERMISSION_LEVELS.indexOf(b) ? a : b;
}

/** The user's own levels (the per-user shortcut), only the actions that have one. */
export async function ownLinePermissionsOf(db: Db, userId: number): Promise<Partial<LinePermissions>> {
  const result: Partial<LinePermissions> = {};
  for (const row of await permissionsOfUser(db, userId)) {
    if (row.entity === ENTITY_LINES && isLineAction(row.action) && isPermissionLevel(row.level)) {
      result[row.action] = row.level;
    }
  }
  return result;
}

/**
 * The levels a user has, per action: the highest over the user's roles and own level; with neither, the
 * MANAGER role's (DEFAULT_LINE_PERMISSIONS if that role is gone). What an administrator has is not stored:
 * always 'any' (lineLevelOf).
 */
export async function linePermissionsOf(db: Db, userId: number): Promise<LinePermissions> {
  const own = await ownLinePermissionsOf(db, userId);
  const roles = await rolesOfUserAnd(db, userId, DEFAULT_ROLE_NAME);
  const held = roles.filter((r) => r.held);
  const fallback = roles.find((r) => r.name === DEFAULT_ROLE_NAME);
  const result: LinePermissions = { ...DEFAULT_LINE_PERMISSIONS };
  for (const action of LINE_ACTIONS) {
    const levels = [...held.map((r) => roleLevel(r, action)), ...(own[action] === undefined ? [] : [own[action]])];
    if (levels.length > 0) result[action] = levels.reduce(higherLevel);
    else if (fallback) result[action] = roleLevel(fallback, action);
  }
  return result;
}

function roleLevel(role: { lines_view: string; lines_modify: string }, action: LineAction): PermissionLevel {
  const level = action === 'VIEW' ? role.lines_view : role.lines_modify;
  // The table's check constraint admits only the four words; anything else would be a bug: grant nothing.
  return isPermissionLevel(level) ? level : 'none';
}

export async function setLinePermissions(
  db: Db,
  userId: number,
  changes: Partial<LinePermissions>,
): Promise<LinePermissions> {
  if (!(await findUser(db, userId))) throw new DirectoryError(`user ${userId} does not exist`);
  for (const action of LINE_ACTIONS) {
    const level = changes[action];
    if (level !== undefined) await setPermission(db, userId, { entity: ENTITY_LINES, action, level });
  }
  return linePermissionsOf(db, userId);
}

/** Removes the user's own levels: the user's roles (or, with none, the MANAGER role) decide alone. */
export async function clearLinePermissions(db: Db, userId: number): Promise<LinePermissions> {
  if (!(await findUser(db, userId))) throw new DirectoryError(`user ${userId} does not exist`);
  await clearPermissions(db, userId, ENTITY_LINES);
  return linePermissionsOf(db, userId);
}

export async function lineLevelOf(db: Db, subject: PermissionSubject, action: LineAction): Promise<PermissionLevel> {
  if (subject.isAdmin) return 'any';
  return (await linePermissionsOf(db, subject.userId))[action];
}

/** The users whose lines a level opens: null means every line, [] means none. */
export async function allowedUserIds(db: Db, userId: number, level: PermissionLevel): Promise<number[] | null> {
  switch (level) {
    case 'any':
      return null;
    case 'none':
      return [];
    case 'self':
      return [userId];
    case 'department': {
      const colleagues = await usersInDepartments(db, await userDepartmentIds(db, userId));
      return [...new Set([userId, ...colleagues.map((u) => u.id)])];
    }
  }
}

/** The allowed user set of a caller for an action on lines (null: unrestricted). */
export async function allowedUsersFor(
  db: Db,
  subject: PermissionSubject,
  action: LineAction,
): Promise<number[] | null> {
  return allowedUserIds(db, subject.userId, await lineLevelOf(db, subject, action));
}

/**
 * Config::canEditLine/canViewLine. An unknown line is allowed only to an unrestricted caller (who then learns
 * that it does not exist); anyone else gets the permission error first (reference-behaviour.md §1.7).
 */
export async function canOperateOnLine(
  db: Db,
  subject: PermissionSubject,
  lineId: number,
  action: LineAction,
): Promise<boolean> {
  const allowed = await allowedUsersFor(db, subject, action);
  if (allowed === null) return true;
  if (allowed.length === 0) return false;
  return lineBelongsToAny(db, lineId, allowed);
}
