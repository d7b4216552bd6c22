// The REST envelope: URL forms, transports, and every error this layer answers, with exact status and body.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest, STORES, startTestServer, type TestServer } from '../helpers/server.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

for (const store of STORES) {
  describe(`REST envelope [${store}]`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ store });
    });
    after(() => t.close());

    it('answers 404 ERROR_METHOD_NOT_FOUND for an unknown method before checking credentials', async () => {
      for (const path of [
        `${t.hook}imopenlines.nothing`,
        '/rest/1/wrongcode/imopenlines.nothing',
        '/rest/no.such.method',
      ]) {
        const answer = await t.request(path, json({}));
        assert.equal(answer.status, 404, path);
        assert.deepEqual(answer.body, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
      }
      assert.equal((await t.request(`${t.hook}imopenlines.config.add.csv`, json({}))).status, 404);
    });

    it('answers 404 NOT_FOUND in the error shape for a path outside /rest/, /oauth/ and /admin/', async () => {
      for (const path of ['/', '/nothing', '/api/rest/imopenlines.config.get']) {
        const answer = await t.request(path);
        assert.equal(answer.status, 404, path);
        assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8', path);
        assert.deepEqual(answer.body, { error: 'NOT_FOUND', error_description: 'Not found' }, path);
      }
    });

    it('answers 401 NO_AUTH_FOUND for a wrong code, an unknown user, no credentials and an unknown token', async () => {
      const expected = { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' };
      const paths = [
        '/rest/1/wrongcode123456/imopenlines.config.add',
        `/rest/2/${t.webhookCode}/imopenlines.config.add`,
        `/rest/x/${t.webhookCode}/imopenlines.config.add`,
        '/rest/imopenlines.config.add',
      ];
      for (const path of paths) {
        const answer = await t.request(path, json({}));
        assert.equal(answer.status, 401, path);
        assert.equal(answer.body.time, undefined, 'errors never carry time');
        assert.deepEqual(answer.body, expected);
      }
      const withAuth = await t.request('/rest/imopenlines.config.add', json({ auth: 'unknown-token', PARAMS: {} }));
      assert.equal(withAuth.status, 401);
      assert.deepEqual(withAuth.body, expected);
      const bearer = await t.request('/rest/imopenlines.config.add', {
        method: 'POST',
        headers: { Authorization: 'Bearer unknown-token' },
      });
      assert.deepEqual([bearer.status, bearer.body], [401, expected]);
    });

    it('answers 401 for a revoked or expired webhook', async () => {
      const revoked = await t.webhookFor(1);
      const id = (await t.server.directory.listWebhooks()).at(-1)!.id;
      await t.server.directory.revokeWebhook(id);
      assert.equal((await t.request(`${revoked}imopenlines.config.add`, json({}))).status, 401);
      const expired = await t.webhookFor(1, ['imopenlines'], { expiresAt: new Date(Date.now() - 1000) });
      const answer = await t.request(`${expired}imopenlines.config.add`, json({}));
      assert.deepEqual([answer.status, answer.body.error], [401, 'NO_AUTH_FOUND']);
    });

    it('answers 403 insufficient_scope when the webhook lacks the method scope', async () => {
      const hook = await t.webhookFor(1, ['imconnector']);
      const answer = await t.request(`${hook}imopenlines.config.add`, json({}));
      assert.equal(answer.status, 403);
      assert.deepEqual(answer.body, {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the webhook token',
      });
    });

    it('refuses malformed JSON, oversized bodies, deep nesting and unknown content types with clear 4xx', async () => {
      const bad = await t.request(`${t.hook}imopenlines.config.add`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"PARAMS": {',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error, 'INVALID_JSON');
      assert.match(bad.body.error_description, /not valid JSON/);

      const huge = await t.request(
        `${t.hook}imopenlines.config.add`,
        json({ PARAMS: { LINE_NAME: 'x'.repeat(1_100_000) } }),
      );
      assert.equal(huge.status, 413);
      assert.deepEqual(huge.body, {
        error: 'PAYLOAD_TOO_LARGE',
        error_description: 'Request body is larger than 1048576 bytes',
      });

      let deep: unknown = 1;
      for (let i = 0; i < 100; i++) deep = { a: deep };
      const nested = await t.request(`${t.hook}imopenlines.config.add`, json({ PARAMS: deep }));
      assert.equal(nested.status, 400);
      assert.equal(nested.body.error, 'INVALID_REQUEST');
      assert.match(nested.body.error_description, /deeper than 32/);
      const nestedForm = await t.request(`${t.hook}imopenlines.config.add?${'a'}${'[x]'.repeat(40)}=1`, {
        method: 'GET',
      });
      assert.equal(nestedForm.status, 400);

      const xml = await t.request(`${t.hook}imopenlines.config.add`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml' },
        body: '<PARAMS/>',
      });
      assert.equal(xml.status, 415);
      assert.equal(xml.body.error, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('ignores unknown query parameters and takes body values over query values', async () => {
      const answer = await t.request(
        `${t.hook}imopenlines.config.add?bx24_sdk_type=x&PARAMS[LINE_NAME]=query`,
        json({ PARAMS: { LINE_NAME: 'body' } }),
      );
      assert.equal(answer.status, 200);
    });

    it('sends CORS and content-type headers and answers OPTIONS', async () => {
      const answer = await t.call('imopenlines.config.add', {});
      assert.equal(answer.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(answer.headers.get('access-control-allow-origin'), '*');
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      assert.match(answer.headers.get('x-request-id') ?? '', /^\S+$/, 'every answer names its request for the logs');
      const options = await t.request(`${t.hook}imopenlines.config.add`, { method: 'OPTIONS' });
      assert.equal(options.status, 200);
    });

    it('reports substitutions in an ASCII-only X-Openlines-Warnings header', async () => {
      const answer = await t.call('imopenlines.config.add', { PARAMS: { QUEUE_TYPE: 'ñ\r\nX-Evil: 1' } });
      assert.equal(answer.status, 200);
      const header = answer.headers.get('x-openlines-warnings')!;
      assert.match(header, /^[\x20-\x7e]+$/);
      assert.equal(answer.headers.get('x-evil'), null);
      assert.deepEqual(JSON.parse(header), [
        {
          field: 'QUEUE_TYPE',
          sent: 'ñ\r\nX-Evil: 1',
          used: 'all',
          reason: "expected one of evenly, strictly, all, got 'ñ\r\nX-Evil: 1'",
        },
      ]);
    });

    it('rejects path tricks as unknown methods', async () => {
      for (const path of [
        `/rest/1/${t.webhookCode}/../imopenlines.config.add`,
        `/rest/1/${t.webhookCode}/imopenlines.config.add%2F..`,
        `/rest/1/${t.webhookCode}/extra/imopenlines.config.add`,
        `/rest/${'9'.repeat(400)}/x/imopenlines.config.add`,
      ]) {
        const answer = await rawRequest(`${t.url}${path}`, { method: 'GET' });
        assert.ok([401, 404].includes(answer.status), `${path} → ${answer.status}`);
        assert.ok(answer.body?.error, path);
      }
    });
  });
}

describe('REST envelope with --require-https', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ settings: { requireHttps: true } });
  });
  after(() => t.close());

  it('answers 400 INVALID_REQUEST on plain HTTP', async () => {
    const answer = await t.call('imopenlines.config.add', {});
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { error: 'INVALID_REQUEST', error_description: 'Https required.' });
  });
});

describe('REST envelope when the store fails', () => {
  it('answers a generic 500 without internals and keeps serving', async () => {
    const t = await startTestServer();
    await t.server.store.close();
    const answer = await t.call('imopenlines.config.add', {});
    assert.ok(answer.status >= 500, String(answer.status));
    assert.ok(['INTERNAL_SERVER_ERROR', 'STORE_UNAVAILABLE'].includes(answer.body.error));
    assert.doesNotMatch(answer.text, /sqlite|stack|Error:/i);
    const again = await t.call('imopenlines.nothing', {});
    assert.equal(again.status, 404);
    await t.close().catch(() => {});
  });
});

describe('batch commands see the request origin', () => {
  it('imopenlines.config.path.get inside batch names this server', async () => {
    const t = await startTestServer();
    try {
      const answer = await t.call('batch', { cmd: { path: 'imopenlines.config.path.get' } });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.result.result.path, { SERVER_ADDRESS: t.url, PUBLIC_PATH: '/contact_center/' });
    } finally {
      await t.close();
    }
  });
});
