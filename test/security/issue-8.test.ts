// Regressions found by the issue-8 security matrix and fuzzer: integers beyond the store's columns. PostgreSQL
// refuses a bound value beyond an `integer` (32-bit) or `bigint` column with an error where SQLite just finds no
// row, so such values gave 500 INTERNAL_SERVER_ERROR there. Now they name nothing, on every store.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const HUGE = ['2147483648', '9999999999', '9223372036854775807', '99999999999999999999', 1e300, '9007199254740993'];

for (const store of STORES) {
  describe(`out-of-range integers [${store}]`, () => {
    let t: TestServer;
    let token: string;
    before(async () => {
      t = await startTestServer({ store });
      const app = await t.server.oauth.createApp({ name: 'Ranges', scopes: ['imopenlines', 'imconnector'] });
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const registered = await t.call(
        'imconnector.register',
        {
          ID: 'ranges',
          NAME: 'Ranges',
          ICON: { DATA_IMAGE: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' },
          PLACEMENT_HANDLER: 'https://app.example.com/',
        },
        { headers: { Authorization: `Bearer ${token}` } },
      );
      assert.equal(registered.status, 200, registered.text);
      assert.equal((await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Kept' } })).body.result, 1);
    });
    after(() => t.close());

    it('a webhook URL with a user id beyond 32 bits is 401 NO_AUTH_FOUND', async () => {
      for (const id of ['2147483648', '4294967297', '9999999999']) {
        const answer = await t.request(`/rest/${id}/${t.webhookCode}/imopenlines.config.get`, { method: 'POST' });
        assert.equal(answer.status, 401, `${id}: ${answer.text}`);
        assert.equal(answer.body.error, 'NO_AUTH_FOUND');
        const admin = await t.request(`/rest/${id}/${t.webhookCode}/openlines.admin.session.get`);
        assert.equal(admin.status, 401, `admin ${id}: ${admin.text}`);
      }
    });

    it('CONFIG_ID beyond any id: config.get/update/delete answer false, not 500', async () => {
      for (const id of HUGE) {
        for (const [method, params] of [
          ['imopenlines.config.get', { CONFIG_ID: id }],
          ['imopenlines.config.update', { CONFIG_ID: id, PARAMS: { LINE_NAME: 'x' } }],
          ['imopenlines.config.delete', { CONFIG_ID: id }],
        ] as const) {
          const answer = await t.call(method, params);
          assert.equal(answer.status, 200, `${method} ${id}: ${answer.text}`);
          assert.equal(answer.body.result, false, `${method} ${id}`);
        }
      }
    });

    it('list.get filters on integer columns with values beyond 32 or 53 bits compare numerically', async () => {
      const total = async (filter: object) => {
        const answer = await t.call('imopenlines.config.list.get', { PARAMS: { filter, select: ['ID'] }, start: 0 });
        assert.equal(answer.status, 200, `${JSON.stringify(filter)}: ${answer.text}`);
        return answer.body.total;
      };
      for (const value of ['2147483648', '9999999999', '999999999999999', 9007199254740991]) {
        assert.equal(await total({ MODIFY_USER_ID: value }), 0);
        assert.equal(await total({ '<MODIFY_USER_ID': value }), 1);
        assert.equal(await total({ ID: value }), 0);
        assert.equal(await total({ '>=ID': value }), 0);
        assert.equal(await total({ '!ID': value }), 1);
      }
    });

    it('imconnector LINE beyond any id is 400 NOT_ACTIVE_LINE, not 500', async () => {
      const headers = { Authorization: `Bearer ${token}` };
      for (const line of HUGE) {
        for (const [method, params] of [
          ['imconnector.activate', { CONNECTOR: 'ranges', LINE: line, ACTIVE: 1 }],
          ['imconnector.connector.data.set', { CONNECTOR: 'ranges', LINE: line, DATA: { URL: 'https://x.example/' } }],
          ['imconnector.connector.data.get', { CONNECTOR: 'ranges', LINE: line }],
        ] as const) {
          const answer = await t.call(method, params, { headers });
          assert.equal(answer.status, 400, `${method} ${line}: ${answer.text}`);
          assert.equal(answer.body.error, 'NOT_ACTIVE_LINE', `${method} ${line}`);
        }
        const status = await t.call('imconnector.status', { CONNECTOR: 'ranges', LINE: line }, { headers });
        assert.equal(status.status, 400, status.text);
        assert.equal(status.body.error, 'NOT_ACTIVE_LINE');
      }
    });
  });
}
