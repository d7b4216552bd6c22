// The dialog service's events, for every store: it emits inside the transaction of the change (once per new
// session), so a failing event writer rolls the whole call back, and it wakes the deliverer only after a commit
// that emitted (what the events outbox relies on).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readSendMessages } from '../../src/domain/connectors/messages-input.js';
import { DialogService } from '../../src/domain/dialogs/dialog-service.js';
import type { EventEmitter } from '../../src/domain/events/event-service.js';
import { SEED } from '../helpers/seed.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

for (const store of STORES) {
  describe(`dialog events [${store}]`, () => {
    let t: TestServer;
    let line: number;
    let appId: number;
    const CONNECTOR = 'events_seam';

    before(async () => {
      t = await startTestServer({ store });
      const app = await t.server.oauth.createApp({ name: 'Seam', scopes: ['imopenlines'] });
      appId = (
        await t.server.store.db
          .selectFrom('oauth_apps')
          .select('id')
          .where('client_id', '=', app.clientId)
          .executeTakeFirstOrThrow()
      ).id;
      const token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const call = (method: string, params: Record<string, unknown>) =>
        t.request(`/rest/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...params, auth: token }),
        });
      await call('imconnector.register', {
        ID: CONNECTOR,
        NAME: 'Seam',
        ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
        PLACEMENT_HANDLER: 'https://app.example.com/',
      });
      line = (await t.call('imopenlines.config.add', SEED)).body.result as number;
      const activated = await call('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 });
      assert.equal(activated.body.result, true, activated.text);
    });
    after(() => t.close());

    const input = (user: string, texts: string[]) =>
      readSendMessages({
        CONNECTOR,
        LINE: line,
        MESSAGES: texts.map((text) => ({ user: { id: user }, message: { text }, chat: { id: 'c' } })),
      });
    const count = async (table: 'sessions' | 'messages') =>
      Number(
        (
          await t.server.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('OnImConnectorDialogStart and OnSessionStart are emitted once per new session, inside the transaction, with §11.4 data', async () => {
      const seen: unknown[] = [];
      const events: EventEmitter = {
        emit: async (trx, name, payload) => {
          const sessions = await trx.selectFrom('sessions').select('id').execute();
          seen.push({ name, payload, visible: sessions.length > 0 });
          return 1;
        },
        committed: (deliver = true) => seen.push(deliver ? 'committed' : 'touched'),
      };
      const dialogs = new DialogService(t.server.store, { events });
      const outcomes = await dialogs.sendMessages(input('seam-1', ['a', 'b']));
      const first = outcomes.get('0');
      assert.ok(first?.ok);
      const customer = String(first.stored.customerId);
      const data = [
        {
          connector: { connector_id: CONNECTOR, line_id: String(line), chat_id: 'c', user_id: customer },
          session: { id: first.stored.sessionId, closed: 'N', parent_id: 0, close_term: 10 },
          chat: { id: 'c' },
          user: { id: customer },
        },
      ];
      assert.deepEqual(seen, [
        {
          name: 'OnImConnectorDialogStart',
          visible: true,
          payload: { connector: CONNECTOR, line, ownerAppId: appId, data },
        },
        { name: 'OnSessionStart', visible: true, payload: { line, data } },
        'committed',
      ]);
      await dialogs.sendMessages(input('seam-1', ['c']));
      assert.deepEqual(seen.slice(3), ['touched'], 'an open session starts nothing; only the workplace stream wakes');
    });

    it('an event writer that fails rolls the whole call back', async () => {
      const sessions = await count('sessions');
      const messages = await count('messages');
      const failing: EventEmitter = {
        emit: async () => {
          throw new Error('outbox unavailable');
        },
        committed: () => assert.fail('nothing committed'),
      };
      await assert.rejects(
        new DialogService(t.server.store, { events: failing }).sendMessages(input('seam-2', ['first', 'second'])),
        /outbox unavailable/,
      );
      assert.equal(await count('sessions'), sessions);
      assert.equal(await count('messages'), messages);
    });
  });
}
