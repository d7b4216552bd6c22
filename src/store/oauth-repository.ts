// OAuth applications, tokens and authorization codes: rows in, rows out. Secrets arrive already hashed.

import type { Db } from './db.js';
import { noteChange } from './model-changes.js';
import type { OAuthAppTable, OAuthCodeTable, OAuthTokenTable } from './schema.js';

export type OAuthAppRow = Omit<OAuthAppTable, 'id'> & { id: number };
export type OAuthTokenRow = Omit<OAuthTokenTable, 'id'> & { id: number };
export type OAuthCodeRow = Omit<OAuthCodeTable, 'id'> & { id: number };

export async function insertApp(db: Db, app: Omit<OAuthAppTable, 'id'>): Promise<number> {
  const row = await db.insertInto('oauth_apps').values(app).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findAppByClientId(db: Db, clientId: string): Promise<OAuthAppRow | undefined> {
  const row = await db.selectFrom('oauth_apps').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row && { ...row, id: Number(row.id) };
}

export async function listApps(db: Db): Promise<OAuthAppRow[]> {
  const rows = await db.selectFrom('oauth_apps').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Deletes the application with its tokens and codes; false when there was no such application. */
export async function deleteApp(db: Db, id: number): Promise<boolean> {
  await db.deleteFrom('oauth_tokens').where('app_id', '=', id).execute();
  await db.deleteFrom('oauth_codes').where('app_id', '=', id).execute();
  const result = await db.deleteFrom('oauth_apps').where('id', '=', id).executeTakeFirst();
  // The read model keeps access grants (never a token it did not find, so a new token needs no note).
  noteChange(db, { kind: 'credentials' });
  return Number(result.numDeletedRows) > 0;
}

export async function insertToken(db: Db, token: Omit<OAuthTokenTable, 'id'>): Promise<number> {
  const row = await db.insertInto('oauth_tokens').values(token).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findTokenByRefreshHash(db: Db, refreshHash: string): Promise<OAuthTokenRow | undefined> {
  const row = await db
    .selectFrom('oauth_tokens')
    .selectAll()
    .where('refresh_hash', '=', refreshHash)
    .executeTakeFirst();
  return row && { ...row, id: Number(row.id), app_id: Number(row.app_id), user_id: Number(row.user_id) };
}

/** Marks the refresh token used; false when another request used it first. */
export async function markTokenRotated(db: Db, id: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('oauth_tokens')
    .set({ rotated_at: at })
    .where('id', '=', id)
    .where('rotated_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertCode(db: Db, code: Omit<OAuthCodeTable, 'id'>): Promise<number> {
  const row = await db.insertInto('oauth_codes').values(code).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findCodeByHash(db: Db, codeHash: string): Promise<OAuthCodeRow | undefined> {
  const row = await db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  return row && { ...row, id: Number(row.id), app_id: Number(row.app_id), user_id: Number(row.user_id) };
}

/** Marks the code used; false when another request used it first (a code works once). */
export async function markCodeUsed(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('oauth_codes')
    .set({ used: 1 })
    .where('id', '=', id)
    .where('used', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** What a call with an access token needs, in one query: the token, its application and its user. */
export interface AccessGrantRow {
  access_hash: string;
  scopes: string;
  access_expires_at: string;
  revoked: number;
  user_id: number;
  client_id: string;
  app_strict: number;
  user_active: number | null;
  user_is_admin: number | null;
  /** Set on tokens minted for events (the loop guard). */
  event_session: number | null;
}

export async function findAccessGrant(db: Db, accessHash: string): Promise<AccessGrantRow | undefined> {
  const row = await db
    .selectFrom('oauth_tokens')
    .innerJoin('oauth_apps', 'oauth_apps.id', 'oauth_tokens.app_id')
    .leftJoin('users', 'users.id', 'oauth_tokens.user_id')
    .select([
      'oauth_tokens.access_hash',
      'oauth_tokens.scopes',
      'oauth_tokens.access_expires_at',
      'oauth_tokens.revoked',
      'oauth_tokens.user_id',
      'oauth_apps.client_id',
      'oauth_apps.strict as app_strict',
      'users.active as user_active',
      'users.is_admin as user_is_admin',
      'oauth_tokens.event_session',
    ])
    .where('oauth_tokens.access_hash', '=', accessHash)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      user_id: Number(row.user_id),
      event_session: row.event_session === null ? null : Number(row.event_session),
    }
  );
}
