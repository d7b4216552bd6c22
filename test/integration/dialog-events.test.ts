// The DialogEvents seam (src/domain/dialogs/dialog-events.ts), for every store: the dialog service calls it inside
// the transaction of the change — once per new session, once per stored message — so a failing event writer rolls
// the whole call back (what the events outbox relies on).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readSendMessages } from '../../src/domain/connectors/messages-input.js';
import type { DialogEvents } from '../../src/domain/dialogs/dialog-events.js';
import { DialogService } from '../../src/domain/dialogs/dialog-service.js';
import { SEED } from '../helpers/seed.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

for (const store of STORES) {
  describe(`DialogEvents [${store}]`, () => {
    let t: TestServer;
    let line: number;
    const CONNECTOR = 'events_seam';

    before(async () => {
      t = await startTestServer({ store });
      const app = await t.server.oauth.createApp({ name: 'Seam', scopes: ['imopenlines'] });
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

    it('sessionStarted once per new session, customerMessageAdded per message, with the stored objects', async () => {
      const seen: string[] = [];
      const events: DialogEvents = {
        sessionStarted: async (trx, event) => {
          const row = await trx
            .selectFrom('sessions')
            .selectAll()
            .where('id', '=', event.session.id)
            .executeTakeFirst();
          assert.ok(row, 'the session is visible inside the transaction');
          seen.push(`start ${event.connector.code} ${event.lineId} ${event.session.status} ${event.chat.userCode}`);
        },
        customerMessageAdded: async (_trx, event) => {
          seen.push(`message ${event.message.text} ${event.message.sessionId === event.session.id}`);
        },
      };
      const dialogs = new DialogService(t.server.store, { events });
      const outcomes = await dialogs.sendMessages(input('seam-1', ['a', 'b']));
      const first = outcomes.get('0');
      assert.ok(first?.ok);
      assert.deepEqual(seen, [
        `start ${CONNECTOR} ${line} 0 ${CONNECTOR}|${line}|c|${first.stored.customerId}`,
        'message a true',
        'message b true',
      ]);
      await dialogs.sendMessages(input('seam-1', ['c']));
      assert.equal(seen.filter((s) => s.startsWith('start')).length, 1);
    });

    it('an event writer that fails rolls the whole call back', async () => {
      const sessions = await count('sessions');
      const messages = await count('messages');
      const failing: DialogEvents = {
        sessionStarted: async () => {},
        customerMessageAdded: async (_trx, event) => {
          if (event.message.text === 'second') throw new Error('outbox unavailable');
        },
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
