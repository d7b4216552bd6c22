// RestCore with a tiny registry: a method that needs an application context refuses webhooks with
// 403 WRONG_AUTH_TYPE and runs for OAuth tokens; the scope check comes first, worded per credential kind.
// Real parts: a SQLite store in a temporary folder, the real Authenticator and OAuthService.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { authenticateWebhook } from '../../src/domain/directory/authenticate-webhook.js';
import { DirectoryService } from '../../src/domain/directory/directory-service.js';
import { OAuthService } from '../../src/domain/oauth/oauth-service.js';
import { MethodRegistry } from '../../src/methods/registry.js';
import type { Services } from '../../src/methods/services.js';
import { Authenticator } from '../../src/rest/authenticate.js';
import { OPEN_GUARDS } from '../../src/rest/call-guards.js';
import { type CallAnswer, RestCore } from '../../src/rest/rest-core.js';
import { loadSettings } from '../../src/settings.js';
import { openStore } from '../../src/store/open-store.js';
import type { OpenedStore } from '../../src/store/store.js';

const APP_ONLY = 'test.connector.only';
const ANYONE = 'test.anyone';

describe('RestCore: application context (appContextOnly)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openlines-appctx-'));
  let store: OpenedStore;
  let core: RestCore;
  let hookCode: string;
  let token: string;
  let otherScopeToken: string;
  let linesToken: string;
  const ran: string[] = [];

  before(async () => {
    store = await openStore(`sqlite:${join(dir, 'openlines.db')}`);
    const directory = new DirectoryService(store);
    hookCode = (await directory.bootstrap('test'))!.code;
    const oauth = new OAuthService(store, { accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 86_400 });
    const app = await oauth.createApp({ name: 'Connector', scopes: ['imopenlines', 'imconnector', 'basic'] });
    token = (await oauth.issueToken(app.clientId, 1, 'imconnector')).accessToken;
    otherScopeToken = (await oauth.issueToken(app.clientId, 1, 'basic')).accessToken;
    linesToken = (await oauth.issueToken(app.clientId, 1, 'imopenlines')).accessToken;

    const registry = new MethodRegistry()
      .define({
        name: APP_ONLY,
        scopes: ['imopenlines', 'imconnector'],
        appContextOnly: true,
        handler: async (ctx) => {
          ran.push(`${APP_ONLY}:${ctx.caller.credentialId}`);
          return { result: true };
        },
      })
      .define({
        name: ANYONE,
        scopes: ['imopenlines'],
        handler: async () => ({ result: 'ok' }),
      });
    const settings = loadSettings({}, { data: dir });
    core = new RestCore({
      settings: { strict: settings.strict, timeZone: settings.timeZone },
      registry,
      authenticator: new Authenticator(
        { verify: (userId, code, now) => authenticateWebhook(store, userId, code, now) },
        oauth,
      ),
      guards: OPEN_GUARDS,
      // The test methods use no service.
      services: {} as Services,
      logger: { error() {}, warn() {} },
      clock: systemClock,
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, credentials: object, params: Record<string, string> = {}) =>
    core.call({ method, params, credentials, strictRequested: false, startMs: Date.now() });
  function refusal(answer: CallAnswer) {
    assert.equal(answer.ok, false);
    return { status: answer.error.status, ...answer.error.toBody() };
  }

  it('a webhook is refused with 403 WRONG_AUTH_TYPE and the handler never runs', async () => {
    const answer = await call(APP_ONLY, { webhook: { userId: '1', code: hookCode } });
    assert.deepEqual(refusal(answer), {
      status: 403,
      error: 'WRONG_AUTH_TYPE',
      error_description: 'Current authorization type is denied for this method Application context required',
    });
    assert.deepEqual(ran, []);
  });

  it('an OAuth token with either accepted scope runs the method as its application', async () => {
    const answer = await call(APP_ONLY, {}, { auth: token });
    assert.equal(answer.ok, true);
    assert.equal(answer.ok && answer.body.result, true);
    assert.equal(answer.ok && answer.caller.authKind, 'oauth');
    assert.match(ran.at(-1)!, /^test\.connector\.only:app:local\.[0-9a-f]{14}\.\d{8}$/);
  });

  it('the scope check comes before WRONG_AUTH_TYPE, worded for the credential', async () => {
    const hook = await new DirectoryService(store).createWebhook({ userId: 1, scopes: ['basic'] });
    assert.deepEqual(refusal(await call(APP_ONLY, { webhook: { userId: '1', code: hook.code } })), {
      status: 403,
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the webhook token',
    });
    assert.deepEqual(refusal(await call(APP_ONLY, { token: otherScopeToken })), {
      status: 403,
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token',
    });
  });

  it('methods without the flag take webhooks and tokens alike', async () => {
    const byHook = await call(ANYONE, { webhook: { userId: '1', code: hookCode } });
    assert.equal(byHook.ok && byHook.body.result, 'ok');
    const byToken = await call(ANYONE, { token: linesToken });
    assert.equal(byToken.ok && byToken.body.result, 'ok');
  });
});
