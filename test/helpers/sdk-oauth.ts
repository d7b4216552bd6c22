// The official client, @bitrix24/b24jssdk, as an OAuth application of a test server: an app with the connector
// scopes, a code exchanged at this server's /oauth/token/, and a B24OAuth over plain HTTP (clients.md §2.5 item 3).

import assert from 'node:assert/strict';
import { B24OAuth } from '@bitrix24/b24jssdk';
import type { TestServer } from './server.js';

export async function sdkOAuthClient(
  t: TestServer,
  appName: string,
  options: { readonly userId?: number; readonly scopes?: string[] } = {},
): Promise<B24OAuth> {
  const app = await t.server.oauth.createApp({
    name: appName,
    scopes: options.scopes ?? ['imopenlines', 'imconnector'],
  });
  const { code } = await t.server.oauth.issueCode(app.clientId, options.userId ?? 1);
  const exchange = await t.request(
    `/oauth/token/?${new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code,
    })}`,
  );
  assert.equal(exchange.status, 200, exchange.text);
  const token = exchange.body;
  const b24 = new B24OAuth(
    {
      applicationToken: '',
      userId: token.user_id,
      memberId: token.member_id,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      expires: token.expires,
      expiresIn: token.expires_in,
      scope: token.scope,
      domain: token.domain,
      clientEndpoint: `${t.url}/rest`,
      serverEndpoint: `${t.url}/rest/`,
      status: token.status,
    },
    { clientId: app.clientId, clientSecret: app.clientSecret },
  );
  b24.offClientSideWarning();
  return b24;
}
