// Users and departments: the portal directory that queues, permissions and operator data read from.

import type { DirectoryUser } from '../domain/directory/directory-user.js';
import { compiledQuery } from './compiled-query.js';
import type { Db } from './db.js';
import { noteChange } from './model-changes.js';
import type { DepartmentTable, UserTable } from './schema.js';

export type UserRow = Omit<UserTable, 'id'> & { id: number };
export type DepartmentRow = Omit<DepartmentTable, 'id'> & { id: number };

export interface NewUser {
  name: string;
  lastName?: string;
  workPosition?: string;
  avatar?: string;
  active?: boolean;
  admin?: boolean;
  extranet?: boolean;
  online?: boolean;
  departmentIds?: number[];
}

export async function insertUser(db: Db, user: NewUser): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      name: user.name,
      last_name: user.lastName ?? '',
      work_position: user.workPosition ?? '',
      avatar: user.avatar ?? '',
      active: user.active === false ? 0 : 1,
      is_admin: user.admin ? 1 : 0,
      is_extranet: user.extranet ? 1 : 0,
      is_online: user.online ? 1 : 0,
      created_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  // "Shown as online" is an explicit online status for distribution too (operator_presence; DECISIONS.md
  // "Operator availability").
  if (user.online) {
    await db
      .insertInto('operator_presence')
      .values({ user_id: id, absent: 0, paused: 0, status: 'online', last_activity_ms: null, changed_at_ms: null })
      .execute();
  }
  for (const departmentId of user.departmentIds ?? []) {
    await db.insertInto('user_departments').values({ user_id: id, department_id: departmentId }).execute();
  }
  noteChange(db, { kind: 'directory' });
  return id;
}

// Read on every authenticated call and every queue: compiled once (compiled-query.ts).
const userQuery = compiledQuery((db: Db, id: number) => db.selectFrom('users').selectAll().where('id', '=', id));
const usersQuery = compiledQuery((db: Db, ids: readonly number[]) =>
  db.selectFrom('users').selectAll().where('id', 'in', ids),
);

export async function findUser(db: Db, id: number): Promise<UserRow | undefined> {
  const [row] = await userQuery(db, id);
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function findUsers(db: Db, ids: readonly number[]): Promise<Map<number, UserRow>> {
  if (ids.length === 0) return new Map();
  const rows = await usersQuery(db, ids);
  return new Map(rows.map((r) => [Number(r.id), { ...r, id: Number(r.id) }]));
}

/** The directory entries of the users, by id (users no longer in the directory are absent). */
export async function directoryUsersOf(db: Db, ids: readonly number[]): Promise<Map<number, DirectoryUser>> {
  const rows = await findUsers(db, ids);
  return new Map([...rows].map(([id, row]) => [id, rowToDirectoryUser(row)]));
}

function rowToDirectoryUser(row: UserRow): DirectoryUser {
  return {
    name: row.name,
    lastName: row.last_name,
    workPosition: row.work_position,
    avatar: row.avatar,
    active: Boolean(row.active),
    online: Boolean(row.is_online),
  };
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export async function insertDepartment(db: Db, name: string, parentId: number | null): Promise<number> {
  const row = await db
    .insertInto('departments')
    .values({ name, parent_id: parentId })
    .returning('id')
    .executeTakeFirstOrThrow();
  noteChange(db, { kind: 'directory' });
  return Number(row.id);
}

export async function findDepartment(db: Db, id: number): Promise<DepartmentRow | undefined> {
  const row = await db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

export async function listDepartments(db: Db): Promise<DepartmentRow[]> {
  const rows = await db.selectFrom('departments').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The department and every department below it. */
export async function departmentTree(db: Db, rootId: number): Promise<number[]> {
  const all = await listDepartments(db);
  const result = [rootId];
  for (let i = 0; i < result.length; i++) {
    for (const d of all) if (d.parent_id === result[i] && !result.includes(d.id)) result.push(d.id);
  }
  return result;
}

/** Users of the given departments, ordered by user id. */
export async function usersInDepartments(db: Db, departmentIds: readonly number[]): Promise<UserRow[]> {
  if (departmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_departments', 'user_departments.user_id', 'users.id')
    .selectAll('users')
    .where('user_departments.department_id', 'in', [...departmentIds])
    .orderBy('users.id')
    .execute();
  const seen = new Map<number, UserRow>();
  for (const r of rows) seen.set(Number(r.id), { ...r, id: Number(r.id) });
  return [...seen.values()];
}

export async function userDepartmentIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('user_departments').select('department_id').where('user_id', '=', userId).execute();
  return rows.map((r) => Number(r.department_id));
}
