// Roles on a real server, per store: a level reached through a role behaves exactly as the same per-user level
// (update/delete on own line / a colleague's line / another department's line, and CHECK_PERMISSION=VIEW|MODIFY),
// the highest over several roles and the own level wins, MANAGER's levels apply to a user with neither, and the
// CLI (role create/list/grant, user set-role, user permission --clear) run as real processes changes what the
// running server allows.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type LineAction, type PermissionLevel, setLinePermissions } from '../../src/domain/access/permissions.js';
import { createRole, grantRole, setUserRoles } from '../../src/domain/access/roles.js';
import { addLine, addUser, assertError, assertResult, getLine } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const DENIED = ['CONFIG_WRONG_USER_PERMISSION', 'Permission denied'] as const;

const LEVELS: PermissionLevel[] = ['none', 'self', 'department', 'any'];
type Target = 'own' | 'colleague' | 'other';
const TARGETS: Target[] = ['own', 'colleague', 'other'];
const ALLOWED: Record<PermissionLevel, Target[]> = {
  none: [],
  self: ['own'],
  department: ['own', 'colleague'],
  any: ['own', 'colleague', 'other'],
};
const TARGET_NAME: Record<Target, string> = {
  own: 'its own',
  colleague: "a colleague's",
  other: "another department's",
};

interface Subject {
  id: number;
  hook: string;
}

/** Each command fails with exit code 2 and `openlines: <message>` on stderr (a few processes at a time). */
async function expectRefused(
  cli: (args: string[]) => Promise<unknown>,
  cases: [args: string[], message: RegExp][],
): Promise<void> {
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(
      cases.slice(i, i + 4).map(([args, message]) =>
        assert.rejects(cli(args), (e: { code: number; stderr: string }) => {
          assert.equal(e.code, 2, args.join(' '));
          assert.match(e.stderr, /^openlines: /, args.join(' '));
          assert.match(e.stderr, message, args.join(' '));
          return true;
        }),
      ),
    );
  }
}

/** The CLI as a real process on the test server's store. */
function cli(t: TestServer, args: string[]) {
  return run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', '--database', t.server.settings.databaseUrl, ...args],
    { env: { ...process.env, OPENLINES_DATA: t.server.settings.dataDir }, timeout: 60_000 },
  );
}

for (const store of STORES) {
  describe(`line permissions through roles (${store})`, () => {
    let t: TestServer;
    let sales: number;
    let colleague: number;
    let outsider: number;
    /** Per level: a user holding a role of that level, and a user with that own (per-user) level. */
    const viaRole = new Map<PermissionLevel, Subject>();
    const viaOwn = new Map<PermissionLevel, Subject>();

    const lineOf = (operator: number, name: string) =>
      addLine(t, { LINE_NAME: name, QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: operator }] });
    const operatorOf = (subject: Subject, target: Target) =>
      target === 'own' ? subject.id : target === 'colleague' ? colleague : outsider;
    const subject = async (name: string, departmentIds = [sales]): Promise<Subject> => {
      const id = await addUser(t, { name, departmentIds });
      return { id, hook: await t.webhookFor(id, ['imopenlines']) };
    };
    const update = (s: Subject, id: number, maxChat = 9) =>
      t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { MAX_CHAT: maxChat } }, { hook: s.hook });
    /** Which of `ids` list.get shows the subject with CHECK_PERMISSION=action, and its total. */
    const checked = async (s: Subject, action: LineAction, ids: number[]) => {
      const answer = await t.call(
        'imopenlines.config.list.get',
        {
          PARAMS: { select: ['ID'], filter: { ID: ids }, order: { ID: 'ASC' } },
          OPTIONS: { CHECK_PERMISSION: action },
          // A counted page, for its total.
          start: 0,
        },
        { hook: s.hook },
      );
      assert.equal(answer.status, 200, answer.text);
      return { ids: answer.body.result.map((r: { ID: string }) => Number(r.ID)), total: answer.body.total };
    };
    /** The subject's update and delete on a line of each target: allowed (true) or 403 (false). */
    const outcomes = async (s: Subject, label: string): Promise<Record<Target, boolean>> => {
      const result = {} as Record<Target, boolean>;
      for (const target of TARGETS) {
        const id = await lineOf(operatorOf(s, target), `${label}/${target}`);
        const updated = await update(s, id);
        const deleted = await t.call('imopenlines.config.delete', { CONFIG_ID: id }, { hook: s.hook });
        if (updated.status === 200) {
          assertResult(updated, true);
          assertResult(deleted, true);
          result[target] = true;
        } else {
          assertError(updated, 403, ...DENIED);
          assertError(deleted, 403, ...DENIED);
          assert.equal((await getLine(t, id)).MAX_CHAT, '0');
          result[target] = false;
        }
      }
      return result;
    };

    before(async () => {
      t = await startTestServer({ store });
      sales = await t.server.directory.addDepartment('Sales', null);
      const support = await t.server.directory.addDepartment('Support', null);
      colleague = await addUser(t, { name: 'Colleague', departmentIds: [sales] });
      outsider = await addUser(t, { name: 'Outsider', departmentIds: [support] });
      const db = t.server.store.db;
      for (const level of LEVELS) {
        const role = await createRole(db, `Level ${level}`, { VIEW: level, MODIFY: level });
        const holder = await subject(`Role ${level}`);
        await setUserRoles(db, holder.id, [String(role.id)]);
        viaRole.set(level, holder);
        const own = await subject(`Own ${level}`);
        await setLinePermissions(db, own.id, { VIEW: level, MODIFY: level });
        viaOwn.set(level, own);
      }
    });
    after(() => t.close());

    it('the migration installs the reference roles ADMIN, CHIEF and MANAGER with their levels', async () => {
      const rows = await t.server.store.db
        .selectFrom('roles')
        .select(['id', 'name', 'lines_view', 'lines_modify'])
        .where('name', 'in', ['ADMIN', 'CHIEF', 'MANAGER'])
        .orderBy('id')
        .execute();
      assert.deepEqual(rows, [
        { id: 1, name: 'ADMIN', lines_view: 'any', lines_modify: 'any' },
        { id: 2, name: 'CHIEF', lines_view: 'any', lines_modify: 'any' },
        { id: 3, name: 'MANAGER', lines_view: 'any', lines_modify: 'none' },
      ]);
    });

    for (const level of LEVELS) {
      for (const target of TARGETS) {
        const allowed = ALLOWED[level].includes(target);
        it(`config.update/delete: role of level ${level} on ${TARGET_NAME[target]} line → ${allowed ? 'allowed' : '403'}`, async () => {
          const s = viaRole.get(level)!;
          const id = await lineOf(operatorOf(s, target), `role ${level}/${target}`);
          const updated = await update(s, id);
          const deleted = await t.call('imopenlines.config.delete', { CONFIG_ID: id }, { hook: s.hook });
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

    it('config.update/delete: each level through a role answers exactly as the same own level', async () => {
      for (const level of LEVELS) {
        assert.deepEqual(
          await outcomes(viaRole.get(level)!, `same role ${level}`),
          await outcomes(viaOwn.get(level)!, `same own ${level}`),
          level,
        );
      }
    });

    it('config.list.get: CHECK_PERMISSION=VIEW|MODIFY keeps the same lines for a role as for the own level', async () => {
      // One line per subject (its own), one of the colleague, one of the outsider.
      const ids = [await lineOf(colleague, 'cp colleague'), await lineOf(outsider, 'cp outsider')];
      for (const level of LEVELS) {
        ids.push(await lineOf(viaRole.get(level)!.id, `cp role ${level}`));
        ids.push(await lineOf(viaOwn.get(level)!.id, `cp own ${level}`));
      }
      const ofOutsider = ids[1]!;
      for (const level of LEVELS) {
        const role = viaRole.get(level)!;
        const ownLine = ids[2 + 2 * LEVELS.indexOf(level)]!;
        // Everyone else here is in Sales, so department opens all but the outsider's line.
        const expected =
          level === 'none'
            ? []
            : level === 'self'
              ? [ownLine]
              : level === 'department'
                ? ids.filter((id) => id !== ofOutsider)
                : ids;
        for (const action of ['VIEW', 'MODIFY'] as const) {
          const seen = await checked(role, action, ids);
          assert.deepEqual(
            seen,
            { ids: [...expected].sort((a, b) => a - b), total: expected.length },
            `${level} ${action}`,
          );
          const own = await checked(viaOwn.get(level)!, action, ids);
          assert.equal(own.total, seen.total, `${level} ${action}: own level`);
        }
      }
    });

    it('VIEW and MODIFY are separate: a role may show every line and open none to change', async () => {
      const db = t.server.store.db;
      const viewer = await subject('Viewer');
      const role = await createRole(db, 'Viewer', { VIEW: 'any', MODIFY: 'none' });
      await setUserRoles(db, viewer.id, [role.name]);
      const id = await lineOf(viewer.id, 'viewer own');
      assert.deepEqual(await checked(viewer, 'VIEW', [id]), { ids: [id], total: 1 });
      assert.deepEqual(await checked(viewer, 'MODIFY', [id]), { ids: [], total: 0 });
      assertError(await update(viewer, id), 403, ...DENIED);
    });

    it('several roles: the highest level per action wins, VIEW and MODIFY each on their own', async () => {
      const db = t.server.store.db;
      const a = await createRole(db, 'Wide view, self modify', { VIEW: 'any', MODIFY: 'self' });
      const b = await createRole(db, 'No view, department modify', { VIEW: 'none', MODIFY: 'department' });
      const s = await subject('Two roles');
      const held = await setUserRoles(db, s.id, [a.name.toUpperCase(), String(b.id)]);
      assert.deepEqual(
        held.map((r) => r.id),
        [a.id, b.id],
      );
      assert.deepEqual(await outcomes(s, 'two roles'), { own: true, colleague: true, other: false });
      const other = await lineOf(outsider, 'two roles view');
      assert.deepEqual(await checked(s, 'VIEW', [other]), { ids: [other], total: 1 });
      assert.deepEqual(await checked(s, 'MODIFY', [other]), { ids: [], total: 0 });
    });

    it('roles and the own level: the higher wins in both directions', async () => {
      const db = t.server.store.db;
      const none = await createRole(db, 'Nothing', { VIEW: 'none', MODIFY: 'none' });
      const raisedByOwn = await subject('Own any, role none');
      await setUserRoles(db, raisedByOwn.id, [none.name]);
      await setLinePermissions(db, raisedByOwn.id, { MODIFY: 'any' });
      assert.deepEqual(await outcomes(raisedByOwn, 'own raises'), { own: true, colleague: true, other: true });

      const raisedByRole = await subject('Own none, role department');
      await setLinePermissions(db, raisedByRole.id, { VIEW: 'none', MODIFY: 'none' });
      await setUserRoles(db, raisedByRole.id, ['Level department']);
      assert.deepEqual(await outcomes(raisedByRole, 'role raises'), { own: true, colleague: true, other: false });
    });

    it('a role change applies at the holder’s next call; clearing the roles brings back the default', async () => {
      const db = t.server.store.db;
      const role = await createRole(db, 'Changing', { VIEW: 'any', MODIFY: 'self' });
      const s = await subject('Holder of a changing role');
      await setUserRoles(db, s.id, [role.name]);
      const id = await lineOf(outsider, 'changing');
      assertError(await update(s, id), 403, ...DENIED);
      await grantRole(db, role.name, { MODIFY: 'any' });
      assertResult(await update(s, id, 3), true);
      await setUserRoles(db, s.id, []);
      assertError(await update(s, id, 4), 403, ...DENIED);
      assert.equal((await getLine(t, id)).MAX_CHAT, '3');
    });

    it('an administrator passes whatever roles it holds', async () => {
      const db = t.server.store.db;
      const id = await addUser(t, { name: 'Admin with a role', admin: true, departmentIds: [sales] });
      await setUserRoles(db, id, ['Level none']);
      const admin = { id, hook: await t.webhookFor(id, ['imopenlines']) };
      assert.deepEqual(await outcomes(admin, 'admin'), { own: true, colleague: true, other: true });
      const other = await lineOf(outsider, 'admin view');
      assert.deepEqual(await checked(admin, 'VIEW', [other]), { ids: [other], total: 1 });
    });

    it('a restricted role gets 403 for an unknown line, an unrestricted one false', async () => {
      for (const level of ['none', 'self', 'department'] as const) {
        assertError(await update(viaRole.get(level)!, 99_999), 403, ...DENIED);
      }
      assertResult(await update(viaRole.get('any')!, 99_999), false);
    });

    it('the CLI: role list, role create, user set-role, role grant, user set-role --none, user permission --clear', async () => {
      const listed = (await cli(t, ['role', 'list'])).stdout.split('\n');
      assert.equal(listed[0], 'ID\tNAME\tVIEW\tMODIFY\tUSERS');
      assert.deepEqual(listed.slice(1, 4), [
        '1\tADMIN\tany\tany\t0',
        '2\tCHIEF\tany\tany\t0',
        '3\tMANAGER\tany\tnone\t0',
      ]);
      assert.ok(
        listed.some((line) => /^\d+\tLevel department\tdepartment\tdepartment\t[1-9]\d*$/.test(line)),
        listed.join('\n'),
      );

      const created = (
        await cli(t, ['role', 'create', '--name', 'Team leads', '--view', 'any', '--modify', 'department'])
      ).stdout;
      assert.match(created, /^\d+\n$/);
      const roleId = created.trim();
      assert.ok((await cli(t, ['role', 'list'])).stdout.includes(`\n${roleId}\tTeam leads\tany\tdepartment\t0\n`));

      const lead = await subject('Team lead');
      const mate = await lineOf(colleague, 'cli colleague');
      const other = await lineOf(outsider, 'cli other');
      assertError(await update(lead, mate), 403, ...DENIED);

      const set = await cli(t, ['user', 'set-role', '--user', String(lead.id), '--role', 'team LEADS']);
      assert.equal(set.stdout, 'ROLES\tTeam leads\nVIEW\tany\nMODIFY\tdepartment\n');
      assertResult(await update(lead, mate), true);
      assertError(await update(lead, other), 403, ...DENIED);

      const granted = await cli(t, ['role', 'grant', '--role', roleId, '--modify', 'any']);
      assert.equal(granted.stdout, `${roleId}\tTeam leads\tany\tany\n`);
      assertResult(await update(lead, other), true);

      const two = await cli(t, ['user', 'set-role', '--user', String(lead.id), '--role', 'MANAGER', '--role', roleId]);
      assert.equal(two.stdout, 'ROLES\tMANAGER,Team leads\nVIEW\tany\nMODIFY\tany\n');

      const cleared = await cli(t, ['user', 'set-role', '--user', String(lead.id), '--none']);
      assert.equal(cleared.stdout, 'ROLES\t\nVIEW\tany\nMODIFY\tnone\n');
      assertError(await update(lead, mate), 403, ...DENIED);

      const own = viaOwn.get('any')!;
      const ownRemoved = await cli(t, ['user', 'permission', '--user', String(own.id), '--clear']);
      assert.equal(ownRemoved.stdout, 'VIEW\tany\nMODIFY\tnone\n');
      assertError(await update(own, other), 403, ...DENIED);
    });

    it('the CLI refuses names and ids the store does not have, with exit code 2, and changes nothing', async () => {
      const user = await subject('Untouched');
      const roles = () => t.server.store.db.selectFrom('roles').selectAll().orderBy('id').execute();
      const before = await roles();
      await expectRefused(
        (args) => cli(t, args),
        [
          [
            ['role', 'create', '--name', 'level NONE', '--view', 'any', '--modify', 'any'],
            /a role named Level none exists already/,
          ],
          [['role', 'grant', '--role', 'Nobody', '--view', 'any'], /role Nobody does not exist/],
          [['role', 'grant', '--role', '999', '--modify', 'any'], /role 999 does not exist/],
          [['user', 'set-role', '--user', '99999', '--role', 'CHIEF'], /user 99999 does not exist/],
          [
            ['user', 'set-role', '--user', String(user.id), '--role', 'CHIEF', '--role', 'Nobody'],
            /role Nobody does not exist/,
          ],
        ],
      );
      assert.deepEqual(await roles(), before);
      // The set-role naming a known and an unknown role gave the user neither.
      const held = await t.server.store.db
        .selectFrom('user_roles')
        .select('role_id')
        .where('user_id', '=', user.id)
        .execute();
      assert.deepEqual(held, []);
    });
  });

  describe(`the MANAGER role is the default (${store})`, () => {
    let t: TestServer;
    after(() => t.close());

    it('a user without a role or own level has the MANAGER role’s levels, a holder of another role does not', async () => {
      t = await startTestServer({ store });
      const db = t.server.store.db;
      const plainId = await addUser(t, { name: 'No role' });
      const plain = await t.webhookFor(plainId, ['imopenlines']);
      const holderId = await addUser(t, { name: 'Holder' });
      const holder = await t.webhookFor(holderId, ['imopenlines']);
      await setUserRoles(db, holderId, [
        (await createRole(db, 'Only self view', { VIEW: 'self', MODIFY: 'none' })).name,
      ]);
      const line = (operator: number) =>
        addLine(t, { LINE_NAME: `of ${operator}`, QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: operator }] });
      const plainLine = await line(plainId);
      const holderLine = await line(holderId);
      const change = (hook: string, id: number) =>
        t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { MAX_CHAT: 5 } }, { hook });

      assertError(await change(plain, plainLine), 403, ...DENIED);
      await grantRole(db, 'MANAGER', { MODIFY: 'self' });
      assertResult(await change(plain, plainLine), true);
      assertError(await change(holder, holderLine), 403, ...DENIED);

      const viewable = async (hook: string) =>
        (
          await t.call(
            'imopenlines.config.list.get',
            {
              PARAMS: { select: ['ID'], filter: { ID: [plainLine, holderLine] } },
              OPTIONS: { CHECK_PERMISSION: 'VIEW' },
              start: 0,
            },
            { hook },
          )
        ).body.total;
      assert.equal(await viewable(plain), 2);
      assert.equal(await viewable(holder), 1);
    });
  });
}

// Checks that do not depend on the store: once, on a fresh SQLite data folder.
describe('the role CLI refuses malformed input', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-roles-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('with a message naming the flag and exit code 2', async () => {
    await expectRefused(
      (args) =>
        run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
          env: { ...process.env, OPENLINES_DATA: dataDir, DATABASE_URL: '' },
          timeout: 60_000,
        }),
      [
        [['role', 'create', '--name', '42', '--view', 'any', '--modify', 'any'], /must not be only digits/],
        [['role', 'create', '--name', '  ', '--view', 'any', '--modify', 'any'], /must not be empty/],
        [
          ['role', 'create', '--name', 'X', '--view', 'all', '--modify', 'any'],
          /--view must be one of none, self, department, any/,
        ],
        [['role', 'create', '--name', 'X', '--view', 'any'], /role create needs --modify/],
        [['role', 'grant', '--role', 'MANAGER'], /role grant needs --view or --modify/],
        [['role', 'grant', '--role', 'MANAGER', '--modify', 'root'], /--modify must be one of/],
        [['user', 'set-role', '--user', '1', '--role', 'CHIEF', '--none'], /--role or --none, not both/],
        [['user', 'set-role', '--user', '1'], /needs --role \(or --none to clear\)/],
        [['user', 'set-role', '--user', 'x', '--none'], /--user must be a positive integer/],
        [['user', 'set-role', '--role', 'CHIEF'], /user set-role needs --user/],
        [['user', 'permission', '--user', '1', '--clear', '--view', 'any'], /--clear or --view\/--modify, not both/],
      ],
    );
  });
});
