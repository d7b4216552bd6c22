// Concurrent imconnector.send.messages calls carrying the same customers (and, for a CHAT_GROUP connector, the same
// chats) in opposite orders, for every store: every call succeeds — no deadlock between the customer and chat row
// locks on PostgreSQL — and each user code keeps exactly one open session.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const ROUNDS = 15;

for (const store of STORES) {
  describe(`send.messages under concurrency [${store}]`, () => {
    let t: TestServer;
    let token: string;
    let line: number;

    before(async () => {
      t = await startTestServer({ store });
      const app = await t.server.oauth.createApp({ name: 'Race', scopes: ['imopenlines'] });
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      line = (await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Race' } })).body.result;
      for (const [ID, CHAT_GROUP] of [
        ['race_plain', 'N'],
        ['race_group', 'Y'],
      ]) {
        const registered = await call('imconnector.register', {
          ID,
          NAME: ID,
          ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
          PLACEMENT_HANDLER: 'https://race.example.com/',
          CHAT_GROUP,
        });
        assert.equal(registered.status, 200, registered.text);
        assert.equal((await call('imconnector.activate', { CONNECTOR: ID, LINE: line, ACTIVE: 1 })).body.result, true);
      }
    });
    after(() => t.close());

    function call(method: string, params: Record<string, unknown>) {
      return t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: token }),
      });
    }
    const item = (user: string, chat: string) => ({
      user: { id: user },
      message: { text: `${user}@${chat}` },
      chat: { id: chat },
    });

    for (const connector of ['race_plain', 'race_group']) {
      it(`${connector}: opposite orders in parallel all succeed, one open session per user code`, async () => {
        for (let round = 0; round < ROUNDS; round++) {
          const [x, y] = [`x${round}`, `y${round}`];
          const answers = await Promise.all([
            call('imconnector.send.messages', {
              CONNECTOR: connector,
              LINE: line,
              MESSAGES: [item('a', x), item('b', y), item('c', x)],
            }),
            call('imconnector.send.messages', {
              CONNECTOR: connector,
              LINE: line,
              MESSAGES: [item('c', y), item('b', x), item('a', y)],
            }),
          ]);
          for (const answer of answers) {
            assert.equal(answer.status, 200, answer.text);
            assert.ok(answer.body.result.DATA.RESULT.every((r: { SUCCESS: boolean }) => r.SUCCESS));
          }
        }
        const open = await t.server.store.read((db) =>
          db
            .selectFrom('sessions')
            .select('user_code')
            .where('closed', '=', 0)
            .where('user_code', 'like', `${connector}|%`)
            .execute(),
        );
        const codes = open.map((s) => s.user_code);
        assert.equal(new Set(codes).size, codes.length, 'one open session per user code');
        assert.equal(codes.length, connector === 'race_group' ? ROUNDS * 2 : ROUNDS * 6);
      });
    }
  });
}
