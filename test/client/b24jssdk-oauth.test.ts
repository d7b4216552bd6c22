// The official client, @bitrix24/b24jssdk, unmodified: B24OAuth over plain HTTP (clients.md §2.5 item 3) calls
// imopenlines.config.add with an access token; once the server's clock has moved past the token's hour, the call
// gets 401 expired_token, the SDK refreshes at this server's /oauth/token/, retries and succeeds.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiVersion, B24OAuth } from '@bitrix24/b24jssdk';
import { presentToken } from '../../src/domain/oauth/oauth-service.js';
import { findLine } from '../../src/store/lines-repository.js';
import { SEED, TIME_KEYS } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { clockReading } from '../helpers/test-clock.js';

interface Exchange {
  status: number;
  error?: string;
  auth?: string;
}

describe('@bitrix24/b24jssdk B24OAuth over plain HTTP', () => {
  let t: TestServer;
  // The SDK checks `expires` against the real clock, so the server's clock starts at real time and only moves on.
  let nowMs = Date.now();

  before(async () => {
    t = await startTestServer({ clock: clockReading(() => nowMs) });
  });
  after(() => t.close());

  it('calls with the token, and after expiry refreshes through /oauth/token/ and retries', async () => {
    const app = await t.server.oauth.createApp({ name: 'SDK app', scopes: ['imopenlines', 'imconnector'] });
    const issued = await t.server.oauth.issueToken(app.clientId, 1);
    const token = presentToken(issued, { base: t.url, domain: t.url.replace('http://', '') });
    const b24 = new B24OAuth(
      {
        applicationToken: '',
        userId: 1,
        memberId: String(token.member_id),
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expires: issued.expires,
        expiresIn: issued.expiresIn,
        scope: String(token.scope),
        domain: String(token.domain),
        clientEndpoint: `${t.url}/rest`,
        serverEndpoint: `${t.url}/rest/`,
        status: 'L',
      },
      { clientId: app.clientId, clientSecret: app.clientSecret },
    );
    b24.offClientSideWarning();

    const exchanges: Exchange[] = [];
    const authOf = (data: unknown) => {
      try {
        return (JSON.parse(String(data)) as { auth?: string }).auth;
      } catch {
        return undefined;
      }
    };
    b24.getHttpClient(ApiVersion.v2).ajaxClient.interceptors.response.use(
      (response) => {
        exchanges.push({ status: response.status, auth: authOf(response.config.data) });
        return response;
      },
      (error) => {
        exchanges.push({
          status: error.response?.status ?? 0,
          error: error.response?.data?.error,
          auth: authOf(error.config?.data),
        });
        return Promise.reject(error);
      },
    );
    const refreshed: { accessToken: string; refreshToken: string }[] = [];
    b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => {
      refreshed.push({ accessToken: b24OAuthParams.accessToken, refreshToken: b24OAuthParams.refreshToken });
    });

    const first = await b24.actions.v2.call.make({ method: 'imopenlines.config.add', params: SEED });
    assert.equal(first.isSuccess, true);
    const firstData = first.getData() as { result: number; time: object };
    assert.equal(typeof firstData.result, 'number');
    assert.deepEqual(Object.keys(firstData.time).sort(), [...TIME_KEYS].sort());
    assert.deepEqual(exchanges, [{ status: 200, auth: issued.accessToken }]);
    assert.equal(refreshed.length, 0);

    nowMs += 2 * 3_600_000;
    exchanges.length = 0;
    const second = await b24.actions.v2.call.make({ method: 'imopenlines.config.add', params: SEED });
    assert.equal(second.isSuccess, true);
    const secondId = (second.getData() as { result: number }).result;
    assert.equal(typeof secondId, 'number');
    assert.notEqual(secondId, firstData.result);
    assert.equal(refreshed.length, 1, 'the SDK refreshed once');
    const fresh = refreshed[0]!;
    assert.notEqual(fresh.accessToken, issued.accessToken);
    assert.notEqual(fresh.refreshToken, issued.refreshToken);
    assert.deepEqual(exchanges, [
      { status: 401, error: 'expired_token', auth: issued.accessToken },
      { status: 200, auth: fresh.accessToken },
    ]);
    const row = await findLine(t.server.store.db, secondId);
    assert.equal(row!.values.LINE_NAME, 'Online Store Support Line');

    // The refresh went through this server's endpoint: the refresh token the SDK started with is used up.
    const reuse = await t.request('/oauth/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        refresh_token: issued.refreshToken,
      }).toString(),
    });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
  });
});
