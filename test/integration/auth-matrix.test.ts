// The authentication matrix: {webhook, OAuth token} × {valid, wrong secret, wrong user, revoked, expired, other
// scope, inactive user} × every registered method → the exact status and code, and zero unexpected successes.
// Then the order of token sources (header → auth → access_token) and expiry at its exact instant, by the clock.
// Extended (issue 8) with tricked URLs and headers, smuggled credentials and the admin API in
// test/security/auth-cells.ts, which the long soak (test/soak/run.ts) runs for every method.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KNOWN_SCOPES } from '../../src/domain/directory/directory-service.js';
import { buildRegistry } from '../../src/methods/index.js';
import type { MethodDefinition } from '../../src/methods/registry.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { clockReading } from '../helpers/test-clock.js';

type Expected = 'allowed' | { status: number; error: string; error_description: string };

const NO_AUTH = { status: 401, error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' };
const EXPIRED = { status: 401, error: 'expired_token', error_description: 'The access token provided has expired' };
const SCOPE_WEBHOOK = {
  status: 403,
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the webhook token',
};
const SCOPE_TOKEN = {
  status: 403,
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the access token',
};
const WRONG_AUTH_TYPE = {
  status: 403,
  error: 'WRONG_AUTH_TYPE',
  error_description: 'Current authorization type is denied for this method Application context required',
};
const AUTH_CODES = ['NO_AUTH_FOUND', 'expired_token', 'insufficient_scope', 'WRONG_AUTH_TYPE'];

const METHODS = buildRegistry().list();
const HOUR_MS = 3_600_000;

/** A scope the method does not accept, for the "other scope" credentials. */
function otherScope(method: MethodDefinition): string {
  const scope = KNOWN_SCOPES.find((s) => !method.scopes.includes(s));
  if (!scope) throw new Error(`${method.name} accepts every known scope`);
  return scope;
}

function assertOutcome(answer: CallResult, expected: Expected, label: string) {
  if (expected === 'allowed') {
    assert.ok(
      answer.status !== 401 && !AUTH_CODES.includes(answer.body?.error),
      `${label}: expected to pass authentication, got ${answer.status} ${answer.text}`,
    );
    return;
  }
  assert.equal(answer.status, expected.status, `${label}: ${answer.text}`);
  assert.deepEqual(answer.body, { error: expected.error, error_description: expected.error_description }, label);
}

for (const store of STORES) {
  describe(`authentication matrix [${store}]`, () => {
    let t: TestServer;
    const start = Date.parse('2026-11-23T10:00:00Z');
    let nowMs = start;
    let clientId: string;
    const hooks: Record<string, string> = {};
    const tokens: Record<string, string> = {};
    const scopedHooks = new Map<string, string>();
    const scopedTokens = new Map<string, string>();

    before(async () => {
      t = await startTestServer({ store, clock: clockReading(() => nowMs) });
      const d = t.server.directory;
      const oauth = t.server.oauth;
      const operator = await d.addUser({ name: 'Operator' });
      const leaver = await d.addUser({ name: 'Leaver' });

      hooks.valid = await t.webhookFor(1);
      hooks.operator = await t.webhookFor(operator);
      hooks.wrongCode = `${t.url}/rest/1/wrongcode0000000/`;
      hooks.wrongUser = hooks.valid.replace('/rest/1/', `/rest/${operator}/`);
      const revoked = await d.createWebhook({ userId: 1, scopes: ['imopenlines', 'imconnector'] });
      await d.revokeWebhook(revoked.id);
      hooks.revoked = `${t.url}/rest/1/${revoked.code}/`;
      hooks.expired = await t.webhookFor(1, ['imopenlines', 'imconnector'], { expiresAt: new Date(start - 1) });
      hooks.inactiveUser = await t.webhookFor(leaver);

      ({ clientId } = await oauth.createApp({ name: 'Matrix', scopes: [...KNOWN_SCOPES] }));
      const issue = async (userId: number, scope = 'imopenlines,imconnector,im') =>
        (await oauth.issueToken(clientId, userId, scope)).accessToken;
      tokens.valid = await issue(1);
      tokens.operator = await issue(operator);
      tokens.wrong = 'nosuchtoken0000000000000000000000000000000000000000000000000000000';
      tokens.inactiveUser = await issue(leaver);
      nowMs = start - 2 * HOUR_MS;
      tokens.expired = await issue(1);
      nowMs = start;
      const removed = await oauth.createApp({ name: 'Removed', scopes: ['imopenlines', 'imconnector'] });
      tokens.removedApp = (await oauth.issueToken(removed.clientId, 1)).accessToken;
      await oauth.removeApp(removed.clientId);

      for (const method of METHODS) {
        const scope = otherScope(method);
        if (!scopedHooks.has(scope)) {
          scopedHooks.set(scope, await t.webhookFor(1, [scope]));
          scopedTokens.set(scope, await issue(1, scope));
        }
      }
      await t.server.store.db.updateTable('users').set({ active: 0 }).where('id', '=', leaver).execute();
    });
    after(() => t.close());

    const viaHook = (hook: string) => (method: string) => t.call(method, {}, { hook });
    const viaBody = (fields: Record<string, string>) => (method: string) =>
      t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      });
    const viaQuery = (key: string, token: string) => (method: string) =>
      t.request(`/rest/${method}?${key}=${encodeURIComponent(token)}`, { method: 'POST' });
    const viaHeader = (token: string) => (method: string) =>
      t.request(`/rest/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

    const cases: {
      name: string;
      send: (method: MethodDefinition) => Promise<CallResult>;
      expect: (method: MethodDefinition) => Expected;
    }[] = [];
    const add = (
      name: string,
      send: (method: string) => Promise<CallResult>,
      expect: (method: MethodDefinition) => Expected,
    ) => cases.push({ name, send: (m) => send(m.name), expect });
    /** event.* answer WRONG_AUTH_TYPE without the imconnector suffix (runtime-connectors.md §13). */
    const wrongAuthType = (m: MethodDefinition): Expected => ({
      ...WRONG_AUTH_TYPE,
      error_description: m.wrongAuthTypeText ?? WRONG_AUTH_TYPE.error_description,
    });
    const webhookOk = (m: MethodDefinition): Expected => (m.appContextOnly ? wrongAuthType(m) : 'allowed');
    /** A method without scopes is scope _global: any credential passes the scope check (event.*). */
    const global = (m: MethodDefinition) => m.scopes.length === 0;

    add('webhook valid', (m) => viaHook(hooks.valid!)(m), webhookOk);
    add('webhook of a non-admin user', (m) => viaHook(hooks.operator!)(m), webhookOk);
    add(
      'webhook as aplogin/ap parameters',
      (m) => viaBody({ aplogin: '1', ap: hooks.valid!.split('/')[5]! })(m),
      webhookOk,
    );
    add(
      'webhook wrong code',
      (m) => viaHook(hooks.wrongCode!)(m),
      () => NO_AUTH,
    );
    add(
      "webhook code under another user's id",
      (m) => viaHook(hooks.wrongUser!)(m),
      () => NO_AUTH,
    );
    add(
      'webhook revoked',
      (m) => viaHook(hooks.revoked!)(m),
      () => NO_AUTH,
    );
    add(
      'webhook expired',
      (m) => viaHook(hooks.expired!)(m),
      () => NO_AUTH,
    );
    add(
      'webhook of an inactive user',
      (m) => viaHook(hooks.inactiveUser!)(m),
      () => NO_AUTH,
    );
    cases.push({
      name: 'webhook without the scope',
      send: (m) => viaHook(scopedHooks.get(otherScope(m))!)(m.name),
      expect: (m) => (global(m) ? webhookOk(m) : SCOPE_WEBHOOK),
    });
    add(
      'token in the Authorization header',
      (m) => viaHeader(tokens.valid!)(m),
      () => 'allowed',
    );
    add(
      'token as auth in the body',
      (m) => viaBody({ auth: tokens.valid! })(m),
      () => 'allowed',
    );
    add(
      'token as access_token in the body',
      (m) => viaBody({ access_token: tokens.valid! })(m),
      () => 'allowed',
    );
    add(
      'token as auth in the query',
      (m) => viaQuery('auth', tokens.valid!)(m),
      () => 'allowed',
    );
    add(
      'token as access_token in the query',
      (m) => viaQuery('access_token', tokens.valid!)(m),
      () => 'allowed',
    );
    add(
      'token of a non-admin user',
      (m) => viaBody({ auth: tokens.operator! })(m),
      () => 'allowed',
    );
    add(
      'token unknown',
      (m) => viaBody({ auth: tokens.wrong! })(m),
      () => NO_AUTH,
    );
    add(
      'token unknown in the header',
      (m) => viaHeader(tokens.wrong!)(m),
      () => NO_AUTH,
    );
    add(
      'token empty',
      (m) => viaBody({ auth: '' })(m),
      () => NO_AUTH,
    );
    add(
      'token expired',
      (m) => viaBody({ auth: tokens.expired! })(m),
      () => EXPIRED,
    );
    add(
      'token expired in the header',
      (m) => viaHeader(tokens.expired!)(m),
      () => EXPIRED,
    );
    add(
      'token of a removed application',
      (m) => viaBody({ auth: tokens.removedApp! })(m),
      () => NO_AUTH,
    );
    add(
      'token of an inactive user',
      (m) => viaBody({ auth: tokens.inactiveUser! })(m),
      () => NO_AUTH,
    );
    cases.push({
      name: 'token without the scope',
      send: (m) => viaBody({ auth: scopedTokens.get(otherScope(m))! })(m.name),
      expect: (m) => (global(m) ? 'allowed' : SCOPE_TOKEN),
    });
    add(
      'no credentials at all',
      (m) => viaBody({})(m),
      () => NO_AUTH,
    );

    it('every credential × every method gives the exact outcome', async () => {
      assert.ok(METHODS.length > 0);
      let refusals = 0;
      for (const method of METHODS) {
        for (const c of cases) {
          const expected = c.expect(method);
          assertOutcome(await c.send(method), expected, `${method.name} / ${c.name}`);
          if (expected !== 'allowed') refusals++;
        }
      }
      assert.ok(refusals >= METHODS.length * 14, 'the refusing cases ran');
    });

    it('an unknown method is 404 before any authentication', async () => {
      for (const send of [viaBody({}), viaHook(hooks.wrongCode!), viaBody({ auth: tokens.expired! })]) {
        const answer = await send('imopenlines.no.such.method');
        assert.equal(answer.status, 404);
        assert.deepEqual(answer.body, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
      }
    });

    it('token sources in order: the header, then auth, then access_token (reference-behaviour.md §6.4)', async () => {
      const method = 'imopenlines.config.add';
      const headerAndAuth = (header: string, auth: string) =>
        t.request(`/rest/${method}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${header}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ auth }),
        });
      assertOutcome(await headerAndAuth(tokens.valid!, tokens.wrong!), 'allowed', 'valid header, bad auth');
      assertOutcome(await headerAndAuth(tokens.wrong!, tokens.valid!), NO_AUTH, 'bad header, valid auth');
      assertOutcome(
        await viaBody({ auth: tokens.valid!, access_token: tokens.wrong! })(method),
        'allowed',
        'valid auth, bad access_token',
      );
      assertOutcome(
        await viaBody({ auth: tokens.wrong!, access_token: tokens.valid! })(method),
        NO_AUTH,
        'bad auth, valid access_token',
      );
      // A token decides even on a webhook path, as the reference's OAuth handler runs before the webhook one.
      assertOutcome(
        await t.call(method, { auth: tokens.valid! }, { hook: hooks.wrongCode! }),
        'allowed',
        'token on hook',
      );
      assertOutcome(
        await t.call(method, { auth: tokens.expired! }, { hook: hooks.valid! }),
        EXPIRED,
        'expired on hook',
      );
    });

    it('expiry happens at its exact instant: a token after 1 h, a webhook at its date', async () => {
      const issued = await t.server.oauth.issueToken(clientId, 1, 'imopenlines');
      const hook = await t.webhookFor(1, ['imopenlines'], { expiresAt: new Date(start + HOUR_MS) });
      const method = 'imopenlines.config.add';
      try {
        nowMs = start + HOUR_MS - 1;
        assertOutcome(await viaBody({ auth: issued.accessToken })(method), 'allowed', 'token 1 ms before expiry');
        assertOutcome(await viaHook(hook)(method), 'allowed', 'webhook 1 ms before expiry');
        nowMs = start + HOUR_MS;
        assertOutcome(await viaBody({ auth: issued.accessToken })(method), EXPIRED, 'token at expiry');
        assertOutcome(await viaHook(hook)(method), NO_AUTH, 'webhook at expiry');
      } finally {
        nowMs = start;
      }
    });

    it("a strict application's tokens get strict validation", async () => {
      const strict = await t.server.oauth.createApp({ name: 'Strict', scopes: ['imopenlines'], strict: true });
      const strictToken = (await t.server.oauth.issueToken(strict.clientId, 1)).accessToken;
      const params = { PARAMS: { QUEUE_TYPE: 'bogus' } };
      const lenient = await t.call('imopenlines.config.add', { ...params, auth: tokens.valid! });
      assert.equal(lenient.status, 200, lenient.text);
      const refused = await t.call('imopenlines.config.add', { ...params, auth: strictToken });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.error, 'ERROR_ARGUMENT');
      assert.equal(refused.body.argument, 'QUEUE_TYPE');
    });
  });
}
