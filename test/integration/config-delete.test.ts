// imopenlines.config.delete on a real server, per store: the line and everything hanging off it goes, in one
// transaction; a second delete answers as the reference does.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addLine, addUser, assertError, assertResult, getLine, STRICT } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

for (const store of STORES) {
  describe(`imopenlines.config.delete (${store})`, () => {
    let t: TestServer;
    let operator: number;
    let department: number;
    before(async () => {
      t = await startTestServer({ store });
      department = await t.server.directory.addDepartment('Desk', null);
      operator = await addUser(t, { name: 'Op', departmentIds: [department] });
    });
    after(() => t.close());

    const rowsOf = async (lineId: number) => ({
      line: await t.server.store.db.selectFrom('lines').select('id').where('id', '=', lineId).execute(),
      queue: await t.server.store.db.selectFrom('line_queue').select('id').where('line_id', '=', lineId).execute(),
      configQueue: await t.server.store.db
        .selectFrom('line_config_queue')
        .select('sort')
        .where('line_id', '=', lineId)
        .execute(),
    });
    const queue = () => [
      { ENTITY_TYPE: 'user', ENTITY_ID: operator },
      { ENTITY_TYPE: 'department', ENTITY_ID: department },
      { ENTITY_TYPE: 'user', ENTITY_ID: 1 },
    ];

    it('imopenlines.config.delete: removes the line and both of its queues, answers true; other lines stay', async () => {
      const id = await addLine(t, { LINE_NAME: 'Doomed', QUEUE: queue() });
      const keep = await addLine(t, { LINE_NAME: 'Kept', QUEUE: queue() });
      const before = await rowsOf(id);
      assert.deepEqual([before.line.length, before.queue.length, before.configQueue.length], [1, 2, 3]);

      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: id }), true);
      assert.deepEqual(await rowsOf(id), { line: [], queue: [], configQueue: [] });
      assertResult(await t.call('imopenlines.config.get', { CONFIG_ID: id }), false);
      const listed = await t.call('imopenlines.config.list.get', {
        PARAMS: { select: ['ID'], filter: { ID: id } },
        start: 0,
      });
      assert.deepEqual([listed.body.result, listed.body.total], [[], 0]);

      const kept = await rowsOf(keep);
      assert.deepEqual([kept.line.length, kept.queue.length, kept.configQueue.length], [1, 2, 3]);
      assert.equal((await getLine(t, keep)).LINE_NAME, 'Kept');
    });

    it('imopenlines.config.delete: a second delete answers false (compat) and 404 CONFIG_NOT_FOUND (strict)', async () => {
      const id = await addLine(t, { LINE_NAME: 'Twice' });
      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: id }), true);
      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: id }), false);
      assertError(
        await t.call('imopenlines.config.delete', { CONFIG_ID: id }, STRICT),
        404,
        'CONFIG_NOT_FOUND',
        'Config is not found.',
      );
    });

    it('imopenlines.config.delete: 400 CONFIG_ID_EMPTY when CONFIG_ID is missing or ≤ 0', async () => {
      for (const params of [{}, { CONFIG_ID: 0 }, { CONFIG_ID: -7 }, { CONFIG_ID: 'none' }, { CONFIG_ID: [] }]) {
        assertError(
          await t.call('imopenlines.config.delete', params),
          400,
          'CONFIG_ID_EMPTY',
          "Config ID can't be empty",
        );
      }
    });

    it('imopenlines.config.delete: runs the registered onLineDeleted hooks inside its transaction; a failing hook deletes nothing', async () => {
      const seen: number[] = [];
      let fail = false;
      t.server.services.lines.onLineDeleted(async (trx, lineId) => {
        // The hook sees the line it cleans up after, in the same transaction.
        const row = await trx.selectFrom('lines').select('id').where('id', '=', lineId).executeTakeFirst();
        assert.ok(row);
        seen.push(lineId);
        if (fail) throw new Error('cleanup failed');
      });
      const id = await addLine(t, { LINE_NAME: 'Hooked', QUEUE: queue() });
      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: id }), true);
      assert.deepEqual(seen, [id]);

      fail = true;
      const survivor = await addLine(t, { LINE_NAME: 'Survivor', QUEUE: queue() });
      assertError(
        await t.call('imopenlines.config.delete', { CONFIG_ID: survivor }),
        500,
        'INTERNAL_SERVER_ERROR',
        'Internal server error',
      );
      const rows = await rowsOf(survivor);
      assert.deepEqual([rows.line.length, rows.queue.length, rows.configQueue.length], [1, 2, 3]);
      assert.equal((await getLine(t, survivor)).LINE_NAME, 'Survivor');
      fail = false;
      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: survivor }), true);
    });
  });
}
