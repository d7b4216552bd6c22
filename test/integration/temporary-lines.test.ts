// TEMPORARY=Y (reference-behaviour.md §4 step 7): a line added as temporary is deleted 8 hours after it was added,
// if still temporary; the deadline is stored (it survives a restart) and acts once with two servers.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { MINUTE, Portal, SECOND } from '../helpers/portal.js';
import { STORES } from '../helpers/stores.js';

const CONNECTOR = 'temp_conn';
const HOURS_8 = 8 * 3600 * SECOND;

for (const store of STORES) {
  describe(`temporary lines [${store}]`, () => {
    const portal = new Portal(store, {
      prefix: 'openlines-temporary-',
      lineDefaults: { WELCOME_MESSAGE: 'N', VOTE_MESSAGE: 'N' },
    });
    let operator = 0;

    before(async () => {
      await portal.start();
      await portal.connector(CONNECTOR);
      operator = await portal.operator('Olga');
    });
    after(() => portal.close());

    /** config.get answers false (compat) for a line that does not exist. */
    const exists = async (id: number) => {
      const got = await portal.call(portal.adminHook, 'imopenlines.config.get', { CONFIG_ID: id });
      assert.equal(got.status, 200, got.text);
      return got.body.result !== false;
    };
    const revisions = (id: number) =>
      portal.server.store.db
        .selectFrom('line_revisions')
        .select(['action', 'user_id', 'auth_kind'])
        .where('line_id', '=', id)
        .orderBy('id')
        .execute();

    it('TEMPORARY: a temporary line is deleted 8 hours after it was added, its session finished, the events sent, the deletion in its history', async () => {
      const receiver = new EventReceiver();
      await receiver.start();
      try {
        await portal.refreshToken();
        for (const event of ['OnImConnectorLineDelete', 'OnSessionFinish']) {
          const bound = await portal.app('event.bind', { event, handler: receiver.url(`/${event}`) });
          assert.equal(bound.body.result, true, bound.text);
        }
        const id = await portal.line(CONNECTOR, { LINE_NAME: 'Pop-up', TEMPORARY: 'Y', QUEUE: [operator] });
        await portal.advance(HOURS_8 - MINUTE);
        await portal.customerSays(CONNECTOR, id, 'temp-1', 'hello');
        await portal.advance(MINUTE - SECOND);
        assert.equal(await exists(id), true, 'kept until its eighth hour is over');
        await portal.advance(SECOND);
        assert.equal(await exists(id), false, 'deleted at 8 hours');
        assert.deepEqual(
          (await revisions(id)).map((r) => [r.action, Number(r.user_id), r.auth_kind]),
          [
            ['add', 1, 'webhook'],
            ['delete', 0, 'server'],
          ],
        );
        await receiver.until(2);
        const lineDeletes = receiver.received.filter((r) => r.path === '/OnImConnectorLineDelete');
        assert.equal(lineDeletes.length, 1);
        assert.equal((parsePhpQuery(lineDeletes[0]!.body) as { data: unknown }).data, String(id));
        assert.equal(
          receiver.received.filter((r) => r.path === '/OnSessionFinish').length,
          1,
          'its open session finished for good',
        );
      } finally {
        await portal.refreshToken();
        for (const event of ['OnImConnectorLineDelete', 'OnSessionFinish']) {
          await portal.app('event.unbind', { event, handler: receiver.url(`/${event}`) });
        }
        await receiver.close();
      }
    });

    it('TEMPORARY: a permanent line, and a temporary line made permanent before its deadline, are kept', async () => {
      const permanent = await portal.line(CONNECTOR, { LINE_NAME: 'Permanent', TEMPORARY: 'N' });
      const madePermanent = await portal.line(CONNECTOR, { LINE_NAME: 'Was temporary', TEMPORARY: 'Y' });
      const updated = await portal.call(portal.adminHook, 'imopenlines.config.update', {
        CONFIG_ID: madePermanent,
        PARAMS: { TEMPORARY: 'N' },
      });
      assert.equal(updated.body.result, true, updated.text);
      await portal.advance(HOURS_8 + MINUTE);
      assert.equal(await exists(permanent), true);
      assert.equal(await exists(madePermanent), true);
      assert.deepEqual(
        (await revisions(madePermanent)).map((r) => r.action),
        ['add', 'update'],
      );
      const left = await portal.server.store.db
        .selectFrom('line_alarms')
        .select('line_id')
        .where('line_id', 'in', [permanent, madePermanent])
        .execute();
      assert.deepEqual(left, [], 'the kept line’s deadline is gone once it passed');
    });

    it('TEMPORARY: the deadline survives a restart and deletes once with two servers', async () => {
      await portal.refreshToken();
      const ids: number[] = [];
      for (const name of ['T1', 'T2', 'T3'])
        ids.push(await portal.line(CONNECTOR, { LINE_NAME: name, TEMPORARY: 'Y' }));
      await portal.stopServer(portal.server);
      await portal.clock.advance(HOURS_8 + SECOND);
      await portal.start();
      await portal.start();
      await Promise.all(portal.servers.map((server) => server.scheduler.runDue()));
      for (const id of ids) {
        assert.equal(await exists(id), false, `line ${id}`);
        assert.deepEqual(
          (await revisions(id)).map((r) => r.action),
          ['add', 'delete'],
          `line ${id} deleted once`,
        );
      }
    });
  });
}
