// Permissions of config.update, config.delete and list.get's CHECK_PERMISSION on a real server, per store:
// each level (none/self/department/any, and an administrator) × own line / a colleague's line / another
// department's line, plus the check order and the CLI that sets the levels.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  DEFAULT_LINE_PERMISSIONS,
  type PermissionLevel,
  setLinePermissions,
} from '../../src/domain/access/permissions.js';
import { addLine, addUser, assertError, assertResult, getLine } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const DENIED = ['CONFIG_WRONG_USER_PERMISSION', 'Permission denied'] as const;

type Subject = PermissionLevel | 'admin';
type Target = 'own' | 'colleague' | 'other';
const SUBJECTS: Subject[] = ['none', 'self', 'department', 'any', 'admin'];
const TARGETS: Target[] = ['own', 'colleague', 'other'];
const ALLOWED: Record<Subject, Target[]> = {
  none: [],
  self: ['own'],
  department: ['own', 'colleague'],
  any: ['own', 'colleague', 'other'],
  admin: ['own', 'colleague', 'other'],
};

for (const store of STORES) {
  describe(`line permissions (${store})`, () => {
    let t: TestServer;
    const subjects = new Map<Subject, { id: number; hook: string }>();
    let colleague: number;
    let outsider: number;
    let plain: { id: number; hook: string };

    /** A line whose queue is `operator`, made by user 1 (an administrator). */
    const lineOf = (operator: number, name: string) =>
      addLine(t, { LINE_NAME: name, QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: operator }] });
    const targetOperator = (subject: Subject, target: Target) =>
      target === 'own' ? subjects.get(subject)!.id : target === 'colleague' ? colleague : outsider;

    before(async () => {
      t = await startTestServer({ store });
      const sales = await t.server.directory.addDepartment('Sales', null);
      const support = await t.server.directory.addDepartment('Support', null);
      colleague = await addUser(t, { name: 'Colleague', departmentIds: [sales] });
      outsider = await addUser(t, { name: 'Outsider', departmentIds: [support] });
      for (const subject of SUBJECTS) {
        const id = await addUser(t, { name: `Level ${subject}`, departmentIds: [sales], admin: subject === 'admin' });
        if (subject !== 'admin') await setLinePermissions(t.server.store.db, id, { MODIFY: subject, VIEW: subject });
        subjects.set(subject, { id, hook: await t.webhookFor(id, ['imopenlines']) });
      }
      const plainId = await addUser(t, { name: 'No stored level', departmentIds: [sales] });
      plain = { id: plainId, hook: await t.webhookFor(plainId, ['imopenlines']) };
    });
    after(() => t.close());

    for (const subject of SUBJECTS) {
      for (const target of TARGETS) {
        const allowed = ALLOWED[subject].includes(target);
        it(`config.update/delete: level ${subject} on ${target === 'other' ? "another department's" : target === 'own' ? 'its own' : "a colleague's"} line → ${allowed ? 'allowed' : '403'}`, async () => {
          const { hook } = subjects.get(subject)!;
          const id = await lineOf(targetOperator(subject, target), `${subject}/${target}`);
          const updated = await t.call(
            'imopenlines.config.update',
            { CONFIG_ID: id, PARAMS: { MAX_CHAT: 9 } },
            { hook },
          );
          const deleted = await t.call('imopenlines.config.delete', { CONFIG_ID: id }, { hook });
          if (allowed) {
            assertResult(updated, true);
            assertResult(deleted, true);
            assertResult(await t.call('imopenlines.config.get', { CONFIG_ID: id }), false);
          } else {
            assertError(updated, 403, ...DENIED);
            assertError(deleted, 403, ...DENIED);
            const line = await getLine(t, id);
            assert.equal(line.MAX_CHAT, '0');
            assert.equal(line.MODIFY_USER_ID, '1');
          }
        });
      }
    }

    it('config.update: a line last changed by the caller is its own even when the caller is not an operator', async () => {
      const { hook, id: self } = subjects.get('self')!;
      const id = await addLine(
        t,
        { LINE_NAME: 'made by self', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: outsider }] },
        hook,
      );
      assert.equal((await getLine(t, id)).MODIFY_USER_ID, String(self));
      assertResult(
        await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { MAX_CHAT: 2 } }, { hook }),
        true,
      );
    });

    it(`config.update: a user without a stored level (view ${DEFAULT_LINE_PERMISSIONS.VIEW}, modify ${DEFAULT_LINE_PERMISSIONS.MODIFY}) may add but not change a line`, async () => {
      const id = await addLine(t, { LINE_NAME: 'plain' }, plain.hook);
      assertError(
        await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { MAX_CHAT: 2 } }, { hook: plain.hook }),
        403,
        ...DENIED,
      );
      assertError(await t.call('imopenlines.config.delete', { CONFIG_ID: id }, { hook: plain.hook }), 403, ...DENIED);
      const viewable = await t.call(
        'imopenlines.config.list.get',
        { PARAMS: { select: ['ID'], limit: 200 }, OPTIONS: { CHECK_PERMISSION: 'VIEW' } },
        { hook: plain.hook },
      );
      const everything = await t.call('imopenlines.config.list.get', { PARAMS: { select: ['ID'], limit: 200 } });
      assert.deepEqual(viewable.body.result, everything.body.result);
    });

    it('config.update/delete: CONFIG_ID is checked before the permission', async () => {
      const { hook } = subjects.get('none')!;
      assertError(
        await t.call('imopenlines.config.update', {}, { hook }),
        400,
        'CONFIG_ID_EMPTY',
        "Config ID can't be empty",
      );
      assertError(
        await t.call('imopenlines.config.delete', { CONFIG_ID: 0 }, { hook }),
        400,
        'CONFIG_ID_EMPTY',
        "Config ID can't be empty",
      );
    });

    it('config.update/delete: an unknown line is 403 for a restricted caller and false for an unrestricted one', async () => {
      for (const subject of ['none', 'self', 'department'] as const) {
        const { hook } = subjects.get(subject)!;
        assertError(
          await t.call('imopenlines.config.update', { CONFIG_ID: 99_999, PARAMS: {} }, { hook }),
          403,
          ...DENIED,
        );
        assertError(await t.call('imopenlines.config.delete', { CONFIG_ID: 99_999 }, { hook }), 403, ...DENIED);
      }
      for (const subject of ['any', 'admin'] as const) {
        const { hook } = subjects.get(subject)!;
        assertResult(await t.call('imopenlines.config.update', { CONFIG_ID: 99_999, PARAMS: {} }, { hook }), false);
        assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: 99_999 }, { hook }), false);
      }
    });

    it('config.get and list.get without CHECK_PERMISSION are open to anyone with the scope', async () => {
      const id = await lineOf(outsider, 'open to all');
      const { hook } = subjects.get('none')!;
      assert.equal((await t.call('imopenlines.config.get', { CONFIG_ID: id }, { hook })).body.result.ID, String(id));
      const listed = await t.call(
        'imopenlines.config.list.get',
        { PARAMS: { select: ['ID'], filter: { ID: id } } },
        { hook },
      );
      assert.deepEqual(listed.body.result, [{ ID: String(id) }]);
    });

    it('config.list.get: CHECK_PERMISSION keeps the lines of the level, with total counted after the check', async () => {
      const own = await lineOf(subjects.get('self')!.id, 'cp own');
      const mate = await lineOf(colleague, 'cp colleague');
      const other = await lineOf(outsider, 'cp other');
      const mine = [own, mate, other];
      const visible = async (subject: Subject, action: string) => {
        const answer = await t.call(
          'imopenlines.config.list.get',
          { PARAMS: { select: ['ID'], filter: { ID: mine }, limit: 2 }, OPTIONS: { CHECK_PERMISSION: action } },
          { hook: subjects.get(subject)!.hook },
        );
        assert.equal(answer.status, 200, answer.text);
        return {
          ids: answer.body.result.map((r: { ID: string }) => Number(r.ID)),
          total: answer.body.total,
          next: answer.body.next,
        };
      };
      assert.deepEqual(await visible('none', 'VIEW'), { ids: [], total: 0, next: undefined });
      assert.deepEqual(await visible('self', 'modify'), { ids: [own], total: 1, next: undefined });
      // The colleague's line, and the own line of the self-level user (also in Sales).
      assert.deepEqual(await visible('department', 'MODIFY'), { ids: [own, mate], total: 2, next: undefined });
      assert.deepEqual(await visible('any', 'VIEW'), { ids: [own, mate], total: 3, next: 2 });
      assert.deepEqual(await visible('admin', 'MODIFY'), { ids: [own, mate], total: 3, next: 2 });
    });

    it('openlines user permission (the CLI) changes what a user may do on the running server', async () => {
      const user = await addUser(t, { name: 'Promoted' });
      const hook = await t.webhookFor(user, ['imopenlines']);
      const id = await lineOf(outsider, 'promotion');
      assertError(
        await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { MAX_CHAT: 4 } }, { hook }),
        403,
        ...DENIED,
      );
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          '--database',
          t.server.settings.databaseUrl,
          'user',
          'permission',
          '--user',
          String(user),
          '--modify',
          'any',
        ],
        { env: { ...process.env, OPENLINES_DATA: t.server.settings.dataDir }, timeout: 60_000 },
      );
      assert.equal(stdout, 'VIEW\tany\nMODIFY\tany\n');
      assertResult(
        await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { MAX_CHAT: 4 } }, { hook }),
        true,
      );
    });
  });
}
