// OAuth 2.0 as a Bitrix24 portal and its authorization server do it (openlines-api.md §1.3): applications with a
// client_id and a hashed client_secret, 30-second authorization codes, access tokens (1 h) and refresh tokens
// (180 days) that rotate on use, and the check of an access token on every REST call.

import { randomBytes, randomInt } from 'node:crypto';
import { type Clock, systemClock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import { findUser } from '../../store/directory-repository.js';
import {
  deleteApp,
  findAccessGrant,
  findAppByClientId,
  findCodeByHash,
  findTokenByRefreshHash,
  insertApp,
  insertCode,
  insertToken,
  listApps,
  markCodeUsed,
  markTokenRotated,
  type OAuthAppRow,
} from '../../store/oauth-repository.js';
import { getPortal } from '../../store/portal-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import { DirectoryError, parseScopes } from '../directory/directory-service.js';
import { LIVECHAT_APP_CLIENT_ID } from '../livechat/livechat-service.js';
import type { ReadModel } from '../read-model/read-model.js';
import { generateCode, hashSecret, secretMatches } from '../secrets.js';

/** An authorization code lives 30 seconds (openlines-api.md §1.3). */
export const CODE_TTL_SECONDS = 30;
/** `status` of a local application in the token answer (b24jssdk EnumAppStatus 'L'). */
export const APP_STATUS = 'L';
const TOKEN_LENGTH = 64;
/** Longer strings are refused before hashing: no token of ours is this long. */
const MAX_PRESENTED_LENGTH = 512;
/** Compared against when the client_id is unknown, so both refusals take the same work. */
const DUMMY_HASH = hashSecret('openlines-no-such-client');

/** An access token minted for an event lives an hour by the server clock (runtime-connectors.md §12.2). */
export const EVENT_TOKEN_TTL_SECONDS = 3600;

/** A command-line mistake (unknown application or user, bad scope): printed, never sent over HTTP. */
export class OAuthAdminError extends Error {}

export interface OAuthOptions {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly clock?: Clock;
  /** The read model access grants are answered from (expiry compared at every call). */
  readonly model?: ReadModel;
}

export interface NewApp {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly redirectUri?: string;
  readonly strict?: boolean;
}

export interface AppSummary {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly redirectUri: string;
  readonly strict: boolean;
  readonly createdAt: string;
  /** What every event's auth[application_token] carries, for the application's handlers to compare. */
  readonly applicationToken: string;
}

/** A freshly issued token pair; the plaintext exists only here, on its way to the client. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Unix seconds when the access token expires. */
  readonly expires: number;
  readonly expiresIn: number;
  readonly scopes: readonly string[];
  readonly userId: number;
  readonly memberId: string;
}

/** The parameters of /oauth/token/, as sent (strings, or absent). */
export interface TokenRequest {
  readonly grant_type?: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly code?: string;
  readonly refresh_token?: string;
  readonly scope?: string;
}

/** Where the client finds this server: base `scheme://host[:port]` and the `host[:port]` alone. */
export interface Endpoints {
  readonly base: string;
  readonly domain: string;
}

/** An access token minted for one event delivery: no refresh token goes with it. */
export interface EventToken {
  readonly accessToken: string;
  /** Unix seconds. */
  readonly expires: number;
  readonly expiresIn: number;
  readonly scopes: readonly string[];
  readonly userId: number;
}

/**
 * Mints the access token an event's auth block carries (runtime-connectors.md §12.2): the application's scopes,
 * for `userId`, valid EVENT_TOKEN_TTL_SECONDS from `nowMs`, stored hashed like every other token and marked with
 * the event session's TTL, which a call made with it runs with. Its refresh hash is of a secret nobody is given.
 */
export async function mintEventToken(
  db: Db,
  grant: { appId: number; userId: number; scopes: readonly string[]; eventSession: number; nowMs: number },
): Promise<EventToken> {
  const accessToken = generateCode(TOKEN_LENGTH);
  const expiresMs = grant.nowMs + EVENT_TOKEN_TTL_SECONDS * 1000;
  const expires = new Date(expiresMs).toISOString();
  await insertToken(db, {
    app_id: grant.appId,
    user_id: grant.userId,
    access_hash: hashSecret(accessToken),
    refresh_hash: hashSecret(randomBytes(32).toString('hex')),
    scopes: grant.scopes.join(','),
    access_expires_at: expires,
    refresh_expires_at: expires,
    revoked: 0,
    rotated_at: null,
    created_at: new Date(grant.nowMs).toISOString(),
    event_session: grant.eventSession,
  });
  return {
    accessToken,
    expires: Math.floor(expiresMs / 1000),
    expiresIn: EVENT_TOKEN_TTL_SECONDS,
    scopes: grant.scopes,
    userId: grant.userId,
  };
}

/** The token answer, keys in the order Bitrix24's authorization server prints them. */
export function presentToken(token: IssuedToken, endpoints: Endpoints): Record<string, unknown> {
  return {
    access_token: token.accessToken,
    expires: token.expires,
    expires_in: token.expiresIn,
    scope: token.scopes.join(','),
    domain: endpoints.domain,
    server_endpoint: `${endpoints.base}/rest/`,
    status: APP_STATUS,
    client_endpoint: `${endpoints.base}/rest/`,
    member_id: token.memberId,
    user_id: token.userId,
    refresh_token: token.refreshToken,
  };
}

function newClientId(): string {
  // The shape of a Bitrix24 local application's id: local.<14 hex>.<8 digits>.
  return `local.${randomBytes(7).toString('hex')}.${randomInt(10_000_000, 100_000_000)}`;
}

function splitScopes(text: string): string[] {
  return text.split(',').filter(Boolean);
}

function summary(app: OAuthAppRow): AppSummary {
  return {
    clientId: app.client_id,
    name: app.name,
    scopes: splitScopes(app.scopes),
    redirectUri: app.redirect_uri,
    strict: app.strict === 1,
    createdAt: app.created_at,
    applicationToken: app.application_token,
  };
}

export class OAuthService {
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly options: OAuthOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  // --- applications (command line) ---

  /** Registers an application; the secret is returned once and stored only as a hash. */
  async createApp(app: NewApp): Promise<{ clientId: string; clientSecret: string; applicationToken: string }> {
    if (!app.name.trim()) throw new OAuthAdminError('an application needs a name');
    const scopes = this.knownScopes(app.scopes.join(','));
    if (app.redirectUri && !/^https?:\/\/\S+$/i.test(app.redirectUri)) {
      throw new OAuthAdminError(`redirect URI must be an http(s) URL, got '${app.redirectUri}'`);
    }
    const clientId = newClientId();
    const clientSecret = generateCode(50);
    // Sent in every event's auth[application_token], so stored as it is (docs/decisions.md).
    const applicationToken = randomBytes(16).toString('hex');
    await this.store.write((trx) =>
      insertApp(trx, {
        client_id: clientId,
        client_secret_hash: hashSecret(clientSecret),
        name: app.name.trim(),
        scopes: scopes.join(','),
        redirect_uri: app.redirectUri ?? '',
        strict: app.strict ? 1 : 0,
        created_at: new Date(this.clock.now()).toISOString(),
        application_token: applicationToken,
      }),
    );
    return { clientId, clientSecret, applicationToken };
  }

  /** The applications administrators registered (the built-in chat's own row is not one of them). */
  async listApps(): Promise<AppSummary[]> {
    return (await this.store.read(listApps)).filter((app) => app.client_id !== LIVECHAT_APP_CLIENT_ID).map(summary);
  }

  /** Removes the application; its tokens and codes stop working at once. */
  async removeApp(clientId: string): Promise<void> {
    await this.store.write(async (trx) => {
      const app = await findAppByClientId(trx, clientId);
      if (!app) throw new OAuthAdminError(`application ${clientId} does not exist`);
      await deleteApp(trx, app.id);
    });
  }

  /** Issues a token pair directly (the `token issue` command): no code, no client secret. */
  async issueToken(clientId: string, userId: number, scopeText?: string): Promise<IssuedToken> {
    const { app, scopes } = await this.adminGrant(clientId, userId, scopeText);
    return this.store.write((trx) => this.issue(trx, app.id, userId, scopes));
  }

  /** Issues a 30-second authorization code for an application and a user (the `token code` command). */
  async issueCode(clientId: string, userId: number, scopeText?: string): Promise<{ code: string; expiresIn: number }> {
    const { app, scopes } = await this.adminGrant(clientId, userId, scopeText);
    const code = generateCode(32);
    const now = this.clock.now();
    await this.store.write((trx) =>
      insertCode(trx, {
        code_hash: hashSecret(code),
        app_id: app.id,
        user_id: userId,
        scopes: scopes.join(','),
        expires_at: new Date(now + CODE_TTL_SECONDS * 1000).toISOString(),
        used: 0,
        created_at: new Date(now).toISOString(),
      }),
    );
    return { code, expiresIn: CODE_TTL_SECONDS };
  }

  // --- the token endpoint ---

  /**
   * grant_type=authorization_code or refresh_token. Refreshing rotates: the presented refresh token never works
   * again; the access token issued with it stays valid until it expires, so calls already in flight succeed.
   */
  async exchange(request: TokenRequest): Promise<IssuedToken> {
    const grantType = request.grant_type;
    if (grantType === undefined || grantType === '') {
      throw new RestError('invalid_request', "Parameter 'grant_type' is missing");
    }
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      throw new RestError(
        'invalid_request',
        `Unsupported grant_type '${grantType.slice(0, 64)}': use authorization_code or refresh_token`,
      );
    }
    const secretParam = grantType === 'authorization_code' ? 'code' : 'refresh_token';
    const presented = request[secretParam];
    const app = await this.authenticateClient(request.client_id, request.client_secret);
    if (presented === undefined || presented === '') {
      throw new RestError('invalid_request', `Parameter '${secretParam}' is missing`);
    }
    if (presented.length > MAX_PRESENTED_LENGTH) throw new RestError('invalid_grant');
    const nowMs = this.clock.now();
    return this.store.write(async (trx) => {
      let userId: number;
      let granted: string[];
      if (grantType === 'authorization_code') {
        const code = await findCodeByHash(trx, hashSecret(presented));
        if (!code || code.app_id !== app.id || !secretMatches(presented, code.code_hash)) {
          throw new RestError('invalid_grant', 'The authorization code is invalid');
        }
        if (code.used === 1) throw new RestError('invalid_grant', 'The authorization code has already been used');
        if (Date.parse(code.expires_at) <= nowMs)
          throw new RestError('invalid_grant', 'The authorization code has expired');
        if (!(await markCodeUsed(trx, code.id))) {
          throw new RestError('invalid_grant', 'The authorization code has already been used');
        }
        userId = code.user_id;
        granted = splitScopes(code.scopes);
      } else {
        const token = await findTokenByRefreshHash(trx, hashSecret(presented));
        if (!token || token.app_id !== app.id || token.revoked === 1 || !secretMatches(presented, token.refresh_hash)) {
          throw new RestError('invalid_grant', 'The refresh token is invalid');
        }
        if (token.rotated_at !== null) throw new RestError('invalid_grant', 'The refresh token has already been used');
        if (Date.parse(token.refresh_expires_at) <= nowMs) {
          throw new RestError('invalid_grant', 'The refresh token has expired');
        }
        if (!(await markTokenRotated(trx, token.id, new Date(nowMs).toISOString()))) {
          throw new RestError('invalid_grant', 'The refresh token has already been used');
        }
        userId = token.user_id;
        granted = splitScopes(token.scopes);
      }
      const user = await findUser(trx, userId);
      if (!user?.active) throw new RestError('invalid_grant', 'The user of this grant is not active');
      return this.issue(trx, app.id, userId, this.narrowScopes(request.scope, granted));
    });
  }

  // --- REST calls (TokenVerifier) ---

  /** The caller behind an access token: 401 NO_AUTH_FOUND when unknown or revoked, 401 expired_token when old. */
  async verify(token: string, now: number): Promise<Caller> {
    if (token.length === 0 || token.length > MAX_PRESENTED_LENGTH) throw new RestError('NO_AUTH_FOUND');
    const accessHash = hashSecret(token);
    const model = this.options.model;
    const grant = await this.store.read((db) =>
      model ? model.grant(db, accessHash) : findAccessGrant(db, accessHash),
    );
    if (!grant || grant.revoked === 1 || !secretMatches(token, grant.access_hash)) {
      throw new RestError('NO_AUTH_FOUND');
    }
    // Expiry is checked before the user and the scope, as the reference does (reference-behaviour.md §6.4).
    if (Date.parse(grant.access_expires_at) <= now) throw new RestError('expired_token');
    if (grant.user_active !== 1) throw new RestError('NO_AUTH_FOUND');
    return {
      userId: grant.user_id,
      isAdmin: grant.user_is_admin === 1,
      authKind: 'oauth',
      credentialId: `app:${grant.client_id}`,
      clientId: grant.client_id,
      scopes: new Set(splitScopes(grant.scopes)),
      strict: grant.app_strict === 1,
      ...(grant.event_session === null ? {} : { eventSession: grant.event_session }),
    };
  }

  // --- internals ---

  private async issue(db: Db, appId: number, userId: number, scopes: readonly string[]): Promise<IssuedToken> {
    const nowMs = this.clock.now();
    const accessToken = generateCode(TOKEN_LENGTH);
    const refreshToken = generateCode(TOKEN_LENGTH);
    const expiresMs = nowMs + this.options.accessTokenTtlSeconds * 1000;
    await insertToken(db, {
      app_id: appId,
      user_id: userId,
      access_hash: hashSecret(accessToken),
      refresh_hash: hashSecret(refreshToken),
      scopes: scopes.join(','),
      access_expires_at: new Date(expiresMs).toISOString(),
      refresh_expires_at: new Date(nowMs + this.options.refreshTokenTtlSeconds * 1000).toISOString(),
      revoked: 0,
      rotated_at: null,
      created_at: new Date(nowMs).toISOString(),
      event_session: null,
    });
    const portal = await getPortal(db);
    return {
      accessToken,
      refreshToken,
      expires: Math.floor(expiresMs / 1000),
      expiresIn: this.options.accessTokenTtlSeconds,
      scopes,
      userId,
      memberId: portal?.member_id ?? '',
    };
  }

  /** Client authentication of the token endpoint: 401 invalid_client for anything but a known id and its secret. */
  private async authenticateClient(clientId?: string, clientSecret?: string): Promise<OAuthAppRow> {
    if (!clientId || !clientSecret) {
      throw new RestError('invalid_client', "Parameters 'client_id' and 'client_secret' are required");
    }
    const app = clientId.length <= 128 ? await this.store.read((db) => findAppByClientId(db, clientId)) : undefined;
    const matches = secretMatches(clientSecret, app?.client_secret_hash ?? DUMMY_HASH);
    if (!app || !matches) throw new RestError('invalid_client');
    return app;
  }

  /** A `scope` parameter may narrow the granted scopes, never widen them (RFC 6749 §6). */
  private narrowScopes(scopeText: string | undefined, granted: readonly string[]): string[] {
    if (scopeText === undefined || scopeText.trim() === '') return [...granted];
    const requested = [...new Set(scopeText.split(/[\s,]+/).filter(Boolean))];
    const extra = requested.filter((s) => !granted.includes(s));
    if (extra.length > 0) {
      throw new RestError('invalid_scope', `Scope '${extra[0]!.slice(0, 64)}' was not granted to this application`);
    }
    return requested;
  }

  private knownScopes(text: string): string[] {
    try {
      return parseScopes(text);
    } catch (error) {
      if (error instanceof DirectoryError) throw new OAuthAdminError(error.message);
      throw error;
    }
  }

  private async adminGrant(
    clientId: string,
    userId: number,
    scopeText: string | undefined,
  ): Promise<{ app: OAuthAppRow; scopes: string[] }> {
    const app = await this.store.read((db) => findAppByClientId(db, clientId));
    if (!app) throw new OAuthAdminError(`application ${clientId} does not exist`);
    const user = await this.store.read((db) => findUser(db, userId));
    if (!user) throw new OAuthAdminError(`user ${userId} does not exist`);
    if (!user.active) throw new OAuthAdminError(`user ${userId} is not active`);
    const granted = splitScopes(app.scopes);
    if (scopeText === undefined) return { app, scopes: granted };
    const scopes = this.knownScopes(scopeText);
    const extra = scopes.filter((s) => !granted.includes(s));
    if (extra.length > 0) {
      throw new OAuthAdminError(`scope '${extra[0]}' is not among the application's scopes (${granted.join(',')})`);
    }
    return { app, scopes };
  }
}
