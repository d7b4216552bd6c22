// OAuth over real HTTP: applications, 30-second codes, /oauth/token/ (GET query, POST form, POST JSON, with and
// without the trailing slash), refresh rotation, every error of the token endpoint, and no secret in the SQLite
// file or the server log. Time moves by an injected clock, never by sleeping.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';
import { getPortal } from '../../src/store/portal-repository.js';
import type { Database } from '../../src/store/schema.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { createTestDatabase } from '../helpers/stores.js';
import { clockReading } from '../helpers/test-clock.js';

const TOKEN_KEYS = [
  'access_token',
  'expires',
  'expires_in',
  'scope',
  'domain',
  'server_endpoint',
  'status',
  'client_endpoint',
  'member_id',
  'user_id',
  'refresh_token',
];

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

for (const store of STORES) {
  describe(`OAuth token endpoint [${store}]`, () => {
    let t: TestServer;
    let nowMs = Date.parse('2026-11-23T10:00:00Z');
    const clock = () => nowMs;
    let app: { clientId: string; clientSecret: string };

    before(async () => {
      t = await startTestServer({ store, clock: clockReading(clock) });
      app = await t.server.oauth.createApp({ name: 'Test app', scopes: ['imopenlines', 'imconnector'] });
    });
    after(() => t.close());

    const tokenGet = (params: Record<string, string>, path = '/oauth/token/') => t.request(`${path}?${form(params)}`);
    const tokenPost = (params: Record<string, string>, path = '/oauth/token/') =>
      t.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form(params),
      });
    const codeGrant = (code: string, extra: Record<string, string> = {}) => ({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code,
      ...extra,
    });
    const refreshGrant = (refreshToken: string, extra: Record<string, string> = {}) => ({
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: refreshToken,
      ...extra,
    });
    const callWithToken = (token: string) =>
      t.request('/rest/imopenlines.config.add', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ auth: token, PARAMS: { LINE_NAME: 'OAuth line' } }),
      });
    function assertOAuthError(answer: CallResult, status: number, error: string, description?: string) {
      assert.equal(answer.status, status, answer.text);
      assert.deepEqual(Object.keys(answer.body), ['error', 'error_description']);
      assert.equal(answer.body.error, error);
      if (description !== undefined) assert.equal(answer.body.error_description, description);
    }

    it('authorization_code (GET): the Bitrix24 token JSON, and the token calls a method', async () => {
      const { code, expiresIn } = await t.server.oauth.issueCode(app.clientId, 1);
      assert.equal(expiresIn, 30);
      const answer = await tokenGet(codeGrant(code));
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.deepEqual(Object.keys(answer.body), TOKEN_KEYS);
      const portal = await getPortal(t.server.store.db);
      const host = t.url.replace('http://', '');
      assert.deepEqual(
        {
          ...answer.body,
          access_token: typeof answer.body.access_token,
          refresh_token: typeof answer.body.refresh_token,
        },
        {
          access_token: 'string',
          expires: Math.floor(nowMs / 1000) + 3600,
          expires_in: 3600,
          scope: 'imopenlines,imconnector',
          domain: host,
          server_endpoint: `${t.url}/rest/`,
          status: 'L',
          client_endpoint: `${t.url}/rest/`,
          member_id: portal!.member_id,
          user_id: 1,
          refresh_token: 'string',
        },
      );
      assert.notEqual(answer.body.access_token, answer.body.refresh_token);
      const call = await callWithToken(answer.body.access_token);
      assert.equal(call.status, 200, call.text);
      assert.equal(typeof call.body.result, 'number');
    });

    it('authorization_code: a code works once, only for its application, and for 30 seconds', async () => {
      const { code } = await t.server.oauth.issueCode(app.clientId, 1);
      assert.equal((await tokenPost(codeGrant(code))).status, 200);
      assertOAuthError(
        await tokenPost(codeGrant(code)),
        400,
        'invalid_grant',
        'The authorization code has already been used',
      );

      const other = await t.server.oauth.createApp({ name: 'Other', scopes: ['imopenlines'] });
      const foreign = await t.server.oauth.issueCode(other.clientId, 1);
      assertOAuthError(
        await tokenPost(codeGrant(foreign.code)),
        400,
        'invalid_grant',
        'The authorization code is invalid',
      );

      const late = await t.server.oauth.issueCode(app.clientId, 1);
      nowMs += 29_999;
      const stillValid = await t.server.oauth.issueCode(app.clientId, 1);
      nowMs += 1;
      assertOAuthError(
        await tokenPost(codeGrant(late.code)),
        400,
        'invalid_grant',
        'The authorization code has expired',
      );
      assert.equal((await tokenPost(codeGrant(stillValid.code))).status, 200);
      assertOAuthError(await tokenPost(codeGrant('no-such-code')), 400, 'invalid_grant');
    });

    it('authorization_code: a narrower scope is granted, a wider one is invalid_scope', async () => {
      const narrow = await t.server.oauth.issueCode(app.clientId, 1, 'imopenlines');
      const answer = await tokenPost(codeGrant(narrow.code, { scope: 'imopenlines' }));
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.scope, 'imopenlines');
      const wide = await t.server.oauth.issueCode(app.clientId, 1, 'imopenlines');
      assertOAuthError(
        await tokenPost(codeGrant(wide.code, { scope: 'imopenlines,imconnector' })),
        400,
        'invalid_scope',
        "Scope 'imconnector' was not granted to this application",
      );
    });

    it('refresh_token (POST form): rotates; the old refresh token is refused, the new one works', async () => {
      const first = await t.server.oauth.issueToken(app.clientId, 1);
      nowMs += 60_000;
      const second = await tokenPost(refreshGrant(first.refreshToken));
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(Object.keys(second.body), TOKEN_KEYS);
      assert.equal(second.body.expires, Math.floor(nowMs / 1000) + 3600);
      assert.equal(second.body.user_id, 1);
      assert.equal(second.body.scope, 'imopenlines,imconnector');
      assert.notEqual(second.body.access_token, first.accessToken);
      assert.notEqual(second.body.refresh_token, first.refreshToken);

      assertOAuthError(
        await tokenPost(refreshGrant(first.refreshToken)),
        400,
        'invalid_grant',
        'The refresh token has already been used',
      );
      assert.equal((await callWithToken(second.body.access_token)).status, 200);
      // The access token issued with the rotated refresh token keeps working until it expires.
      assert.equal((await callWithToken(first.accessToken)).status, 200);

      const third = await tokenGet(refreshGrant(second.body.refresh_token), '/oauth/token');
      assert.equal(third.status, 200, third.text);
      assertOAuthError(await tokenGet(refreshGrant(second.body.refresh_token)), 400, 'invalid_grant');
    });

    it('refresh_token: POST JSON and the path without the trailing slash are accepted too', async () => {
      const issued = await t.server.oauth.issueToken(app.clientId, 1);
      const answer = await t.request('/oauth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(refreshGrant(issued.refreshToken)),
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(Object.keys(answer.body), TOKEN_KEYS);
    });

    it('refresh_token: the URL b24phpsdk builds from an OAuth server URL ending in "/" (//oauth/token/) refreshes (issue 14)', async () => {
      // b24phpsdk ApiClient::getNewAuthToken: sprintf('%s/oauth/token/?%s', authServerUrl, http_build_query([...]))
      // with authServerUrl like its presets ('https://oauth.bitrix.info/'), and a bx24_request_id of its own.
      const oauthServerUrl = `${t.url}/`;
      let refreshToken = (await t.server.oauth.issueToken(app.clientId, 1)).refreshToken;
      const phpSdkQuery = form({ ...refreshGrant(refreshToken), bx24_request_id: 'c0ffee' });
      const phpSdk = await t.request(`${oauthServerUrl}/oauth/token/?${phpSdkQuery}`, {
        headers: { 'X-Request-ID': 'c0ffee' },
      });
      assert.equal(phpSdk.status, 200, phpSdk.text);
      assert.deepEqual(Object.keys(phpSdk.body), TOKEN_KEYS);
      assert.equal((await callWithToken(phpSdk.body.access_token)).status, 200);
      refreshToken = phpSdk.body.refresh_token;
      // Any number of leading slashes, GET and POST, with and without the trailing slash.
      for (const path of ['///oauth/token/', '//oauth/token', '////oauth/token']) {
        const get = await tokenGet(refreshGrant(refreshToken), path);
        assert.equal(get.status, 200, `GET ${path}: ${get.text}`);
        const post = await tokenPost(refreshGrant(get.body.refresh_token), path);
        assert.equal(post.status, 200, `POST ${path}: ${post.text}`);
        assert.deepEqual(Object.keys(post.body), TOKEN_KEYS);
        refreshToken = post.body.refresh_token;
      }
      // Only the token path: other paths keep their 404.
      const elsewhere = await t.request('//oauth/token/extra');
      assert.equal(elsewhere.status, 404, elsewhere.text);
      assert.equal((await t.request('//oauth/authorize/')).status, 404);
    });

    it('refresh_token: refused after 180 days, by another application, or as an access token', async () => {
      const issued = await t.server.oauth.issueToken(app.clientId, 1);
      const other = await t.server.oauth.createApp({ name: 'Other 2', scopes: ['imopenlines'] });
      assertOAuthError(
        await tokenPost({
          ...refreshGrant(issued.refreshToken),
          client_id: other.clientId,
          client_secret: other.clientSecret,
        }),
        400,
        'invalid_grant',
        'The refresh token is invalid',
      );
      assertOAuthError(await tokenPost(refreshGrant(issued.accessToken)), 400, 'invalid_grant');
      const saved = nowMs;
      nowMs += 180 * 86_400_000;
      assertOAuthError(
        await tokenPost(refreshGrant(issued.refreshToken)),
        400,
        'invalid_grant',
        'The refresh token has expired',
      );
      nowMs = saved;
      assert.equal((await tokenPost(refreshGrant(issued.refreshToken))).status, 200);
    });

    it('errors: invalid_request and invalid_client, in the OAuth error shape', async () => {
      const issued = await t.server.oauth.issueToken(app.clientId, 1);
      const good = refreshGrant(issued.refreshToken);
      const { grant_type: _g, ...noGrant } = good;
      assertOAuthError(await tokenPost(noGrant), 400, 'invalid_request', "Parameter 'grant_type' is missing");
      assertOAuthError(
        await tokenPost({ ...good, grant_type: 'password' }),
        400,
        'invalid_request',
        "Unsupported grant_type 'password': use authorization_code or refresh_token",
      );
      const { refresh_token: _r, ...noRefresh } = good;
      assertOAuthError(await tokenPost(noRefresh), 400, 'invalid_request', "Parameter 'refresh_token' is missing");
      const { code: _c, ...noCode } = codeGrant('x');
      assertOAuthError(await tokenGet(noCode), 400, 'invalid_request', "Parameter 'code' is missing");
      assertOAuthError(
        await t.request(`/oauth/token/?${form(good)}&client_id[]=x`),
        400,
        'invalid_request',
        "Parameter 'client_id' must be a string",
      );

      const { client_secret: _s, ...noSecret } = good;
      assertOAuthError(
        await tokenPost(noSecret),
        401,
        'invalid_client',
        "Parameters 'client_id' and 'client_secret' are required",
      );
      assertOAuthError(
        await tokenPost({ ...good, client_secret: 'wrong' }),
        401,
        'invalid_client',
        'Client authentication failed',
      );
      assertOAuthError(
        await tokenPost({ ...good, client_id: 'local.unknown.1' }),
        401,
        'invalid_client',
        'Client authentication failed',
      );
      // None of the refusals used up the refresh token.
      assert.equal((await tokenPost(good)).status, 200);
    });

    it('removing an application: its tokens get 401 NO_AUTH_FOUND and its refresh is invalid_client', async () => {
      const doomed = await t.server.oauth.createApp({ name: 'Doomed', scopes: ['imopenlines'] });
      const issued = await t.server.oauth.issueToken(doomed.clientId, 1);
      assert.equal((await callWithToken(issued.accessToken)).status, 200);
      await t.server.oauth.removeApp(doomed.clientId);
      const call = await callWithToken(issued.accessToken);
      assert.equal(call.status, 401);
      assert.deepEqual(call.body, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
      assertOAuthError(
        await tokenPost({
          grant_type: 'refresh_token',
          client_id: doomed.clientId,
          client_secret: doomed.clientSecret,
          refresh_token: issued.refreshToken,
        }),
        401,
        'invalid_client',
      );
    });

    it('a user deactivated after the grant: refresh is invalid_grant', async () => {
      const userId = await t.server.directory.addUser({ name: 'Leaving' });
      const issued = await t.server.oauth.issueToken(app.clientId, userId);
      await t.server.store.db.updateTable('users').set({ active: 0 }).where('id', '=', userId).execute();
      assertOAuthError(
        await tokenPost(refreshGrant(issued.refreshToken)),
        400,
        'invalid_grant',
        'The user of this grant is not active',
      );
    });
  });
}

describe('OAuth token endpoint with --require-https', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ settings: { requireHttps: true } });
  });
  after(() => t.close());

  it('refuses plain HTTP with 400 INVALID_REQUEST before reading any secret', async () => {
    const answer = await t.request(
      '/oauth/token/?grant_type=refresh_token&client_id=a&client_secret=b&refresh_token=c',
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: 'INVALID_REQUEST', error_description: 'Https required.' });
  });
});

/** Every row of every table, as text: a dump of the store's data. */
async function dumpTables(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<string> {
  const names =
    dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
      : await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public'`.execute(db);
  assert.ok(names.rows.some((r) => r.name === 'oauth_tokens'));
  let dump = '';
  for (const { name } of names.rows) {
    dump += JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(db)).rows);
  }
  return dump;
}

for (const store of STORES) {
  describe(`secrets at rest and in the log [${store}]`, () => {
    it('a dump of the store (and the SQLite files) and the server log of a whole OAuth flow contain no secret', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'openlines-secrets-'));
      const database = await createTestDatabase(store, dataDir);
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const settings = {
        ...loadSettings({}, { data: dataDir, database: database.url }),
        port: 0,
        httpsPort: -1,
        ratePlan: 'off' as const,
        logLevel: 'trace',
      };
      const server = await startServer(settings, { logger: pino({ level: 'trace' }, sink) });
      const secrets: string[] = [];
      let dump = '';
      let app: { clientId: string; clientSecret: string } | undefined;
      try {
        const hook = server.firstWebhook!;
        secrets.push(hook.code);
        const base = server.httpUrl;
        const post = (path: string, body: string, type = 'application/x-www-form-urlencoded') =>
          fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
        assert.equal(
          (await fetch(`${base}/rest/1/${hook.code}/imopenlines.config.add?PARAMS[LINE_NAME]=a`)).status,
          200,
        );

        app = await server.oauth.createApp({ name: 'Secretive', scopes: ['imopenlines'] });
        secrets.push(app.clientSecret);
        const { code } = await server.oauth.issueCode(app.clientId, 1);
        secrets.push(code);
        const query = form({
          grant_type: 'authorization_code',
          client_id: app.clientId,
          client_secret: app.clientSecret,
          code,
        });
        const first = (await (await fetch(`${base}/oauth/token/?${query}`)).json()) as TokenPair;
        secrets.push(first.access_token, first.refresh_token);
        const refreshed = (await (
          await post(
            '/oauth/token/',
            form({
              grant_type: 'refresh_token',
              client_id: app.clientId,
              client_secret: app.clientSecret,
              refresh_token: first.refresh_token,
            }),
          )
        ).json()) as TokenPair;
        secrets.push(refreshed.access_token, refreshed.refresh_token);
        // The old refresh token again (refused), then calls with tokens in the query, the body and the header.
        await fetch(
          `${base}/oauth/token/?${form({ ...Object.fromEntries(new URLSearchParams(query)), grant_type: 'refresh_token', refresh_token: first.refresh_token })}`,
        );
        assert.equal((await fetch(`${base}/rest/imopenlines.config.add?auth=${refreshed.access_token}`)).status, 200);
        assert.equal(
          (await fetch(`${base}/rest/imopenlines.config.add?access_token=${first.access_token}`)).status,
          200,
        );
        await post(
          '/rest/imopenlines.config.add',
          JSON.stringify({ auth: refreshed.access_token }),
          'application/json',
        );
        await fetch(`${base}/rest/imopenlines.config.add`, {
          headers: { Authorization: `Bearer ${refreshed.access_token}` },
        });
        await fetch(`${base}/rest/imopenlines.config.add?auth=${'x'.repeat(40)}`);
        dump = await dumpTables(server.store.db, server.store.capabilities.dialect);
      } finally {
        await server.close();
        await database.drop();
      }
      assert.ok(lines.length > 0, 'the server logged its requests');
      const log = lines.join('');
      assert.match(log, /client_secret=\*\*\*/, 'token requests are logged, masked');
      assert.match(log, /\/rest\/1\/\*\*\*\//, 'webhook calls are logged, masked');
      const files = ['openlines.db', 'openlines.db-wal', 'openlines.db-shm']
        .map((name) => join(dataDir, name))
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path).toString('latin1'));
      for (const secret of secrets) {
        assert.ok(secret.length >= 16, 'a real secret');
        assert.ok(!log.includes(secret), 'no secret in the log');
        assert.ok(!dump.includes(secret), 'no secret in the dump');
        for (const file of files) assert.ok(!file.includes(secret), 'no secret in the SQLite files');
      }
      assert.ok(dump.includes(app!.clientId), 'the dump holds the data');
      rmSync(dataDir, { recursive: true, force: true });
    });
  });
}
