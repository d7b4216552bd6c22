// Lines as code, with the CLI as a real process against a running server's store: export → apply is a no-op
// plan; an edited file gives exactly the expected field-level plan; --dry-run changes nothing; apply changes
// everything in one go and the history names the command line as the author; an invalid file is refused with
// the file's line and column and the field.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('openlines export / apply', () => {
  for (const store of STORES) {
    describe(`(${store})`, () => {
      let t: TestServer;
      let dir: string;
      let dept: number;
      const ids = { support: 0, sales: 0, old: 0 };

      const cli = async (args: string[]): Promise<CliResult> => {
        try {
          const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
            env: { ...process.env, OPENLINES_DATA: dir, DATABASE_URL: t.server.settings.databaseUrl },
            timeout: 180_000,
          });
          return { code: 0, stdout, stderr };
        } catch (error) {
          const e = error as { code: number; stdout: string; stderr: string };
          return { code: e.code, stdout: e.stdout, stderr: e.stderr };
        }
      };
      const file = (name: string, text: string) => {
        const path = join(dir, name);
        writeFileSync(path, text);
        return path;
      };
      const get = async (id: number) => (await t.call('imopenlines.config.get', { CONFIG_ID: id })).body.result;
      const revisionCount = async () =>
        (await t.call('openlines.admin.history.get', { LIMIT: 1 })).body.total as number;

      before(async () => {
        t = await startTestServer({ store });
        dir = mkdtempSync(join(tmpdir(), 'openlines-lines-'));
        dept = await t.server.directory.addDepartment('Support', null);
        await t.server.directory.addUser({ name: 'Olga', departmentIds: [dept] });
        const add = async (params: Record<string, unknown>) =>
          (await t.call('imopenlines.config.add', { PARAMS: params })).body.result as number;
        ids.support = await add({
          LINE_NAME: 'Support',
          QUEUE: [
            { ENTITY_TYPE: 'user', ENTITY_ID: 1 },
            { ENTITY_TYPE: 'department', ENTITY_ID: dept },
          ],
          QUEUE_TIME: 45,
          WORKTIME_FROM: '09:00',
          WORKTIME_TO: '21:00',
          WORKTIME_DAYOFF: ['SA', 'SU'],
          KPI_FIRST_ANSWER_TEXT: '<b>#OPERATOR#</b> is late',
          DEFAULT_OPERATOR_DATA: { NAME: 'Support bot' },
          WELCOME_BOT_ENABLE: 'Y',
          WELCOME_BOT_ID: 4,
          WELCOME_MESSAGE_TEXT: 'Hello!\nWe answer within a minute.',
        });
        ids.sales = await add({ LINE_NAME: 'Sales', CRM_CREATE: 'deal' });
        ids.old = await add({ LINE_NAME: 'Old line' });
      });
      after(async () => {
        await t.close();
        rmSync(dir, { recursive: true, force: true });
      });

      it('export: the fields that differ from their defaults and the queue, in a stable order', async () => {
        // Independent commands run side by side: each is a whole Node process.
        const [exported, json] = await Promise.all([cli(['export']), cli(['export', '--format', 'json'])]);
        assert.equal(exported.code, 0, exported.stderr);
        assert.ok(
          exported.stdout.includes(
            [
              'version: 1',
              'lines:',
              `  - ID: ${ids.support}`,
              '    LINE_NAME: Support',
              '    QUEUE:',
              '      - user: 1',
              `      - department: ${dept}`,
              '    QUEUE_TIME: 45',
              '    WELCOME_BOT_ENABLE: Y',
              '    WELCOME_MESSAGE_TEXT: |-',
              '      Hello!',
              '      We answer within a minute.',
              '    WELCOME_BOT_ID: 4',
              '    WORKTIME_FROM: "9"',
              '    WORKTIME_TO: "21"',
              '    WORKTIME_DAYOFF:',
              '      - SA',
              '      - SU',
              '    DEFAULT_OPERATOR_DATA:',
              '      NAME: Support bot',
              '    KPI_FIRST_ANSWER_TEXT: <b>#OPERATOR#</b> is late',
              `  - ID: ${ids.sales}`,
              '    LINE_NAME: Sales',
              '    QUEUE:',
              '      - user: 1',
              '    CRM_CREATE: deal',
              `  - ID: ${ids.old}`,
              '    LINE_NAME: Old line',
              '    QUEUE:',
              '      - user: 1',
              '',
            ].join('\n'),
          ),
          exported.stdout,
        );
        assert.deepEqual(JSON.parse(json.stdout).lines[1], {
          ID: ids.sales,
          LINE_NAME: 'Sales',
          QUEUE: [{ user: 1 }],
          CRM_CREATE: 'deal',
        });
      });

      it('apply: export → apply is a no-op plan, in YAML and in JSON', async () => {
        const revisions = await revisionCount();
        for (const format of ['yaml', 'json']) {
          const path = join(dir, `round-trip.${format}`);
          assert.equal((await cli(['export', '--format', format, '-o', path])).code, 0);
          const applied = await cli(['apply', '-f', path]);
          assert.equal(applied.code, 0, applied.stderr);
          assert.equal(applied.stdout, `No changes: the server matches ${path} (3 lines).\n`);
        }
        assert.equal(await revisionCount(), revisions);
      });

      it('apply --dry-run: prints exactly the field-level plan of an edited file and changes nothing', async () => {
        const path = join(dir, 'edited.yaml');
        assert.equal((await cli(['export', '-o', path])).code, 0);
        let text = readFileSync(path, 'utf8');
        text = text.replace('    QUEUE_TIME: 45\n', '    QUEUE_TIME: 90\n');
        text = text.replace(`      - department: ${dept}\n`, '');
        text = text.replace('    WORKTIME_TO: "21"\n', '    WORKTIME_TO: "22.30"\n');
        text = text.replace(/ {2}- ID: \d+\n {4}LINE_NAME: Old line\n {4}QUEUE:\n {6}- user: 1\n/, '');
        text += '  - LINE_NAME: Returns\n    QUEUE:\n      - user: 2\n    MAX_CHAT: 2\n';
        writeFileSync(path, text);
        const newLineAt = text.split('\n').indexOf('  - LINE_NAME: Returns') + 1;
        const supportAt = text.split('\n').indexOf(`  - ID: ${ids.support}`) + 1;
        const revisions = await revisionCount();

        const plan = await cli(['apply', '-f', path, '--prune', '--dry-run']);
        assert.equal(plan.code, 0, plan.stderr);
        assert.equal(
          plan.stdout,
          [
            `~ update line ${ids.support} "Support"  (${path}:${supportAt})`,
            '    QUEUE_TIME: 45 → 90',
            '    WORKTIME_TO: "21" → "22.30"',
            `    QUEUE: user 1, department ${dept} → user 1`,
            `+ create line "Returns"  (${path}:${newLineAt})`,
            '    LINE_NAME: "Returns"',
            '    MAX_CHAT: 2',
            '    QUEUE: user 2',
            `- delete line ${ids.old} "Old line"`,
            'Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged.',
            'Dry run: nothing was changed.',
            '',
          ].join('\n'),
        );
        assert.equal((await get(ids.support)).QUEUE_TIME, '45');
        assert.equal((await get(ids.old)).LINE_NAME, 'Old line');
        assert.equal(await revisionCount(), revisions);

        // Without --prune the unlisted line is kept and named.
        const kept = await cli(['apply', '-f', path, '--dry-run']);
        assert.match(
          kept.stdout,
          new RegExp(`1 line\\(s\\) not in the file are kept \\(--prune deletes them\\): ${ids.old}\\n`),
        );
        assert.doesNotMatch(kept.stdout, /- delete/);
      });

      it('apply: makes the plan in one transaction; history shows the command line as the author', async () => {
        const path = join(dir, 'edited.yaml');
        const applied = await cli(['apply', '-f', path, '--prune']);
        assert.equal(applied.code, 0, applied.stderr);
        const created = Number(/Applied: 1 created \((\d+)\), 1 updated, 1 deleted\.\n$/.exec(applied.stdout)?.[1]);
        assert.ok(created > ids.old, applied.stdout);
        const support = await get(ids.support);
        assert.equal(support.QUEUE_TIME, '90');
        assert.equal(support.WORKTIME_FROM, '9');
        assert.equal(support.WORKTIME_TO, '22.30');
        assert.equal(support.WELCOME_BOT_ID, '4', 'fields the file did not change stay');
        assert.equal(support.KPI_FIRST_ANSWER_TEXT, '&lt;b&gt;#OPERATOR#&lt;/b&gt; is late');
        assert.deepEqual(support.QUEUE, ['1']);
        assert.equal(await get(ids.old), false);
        assert.equal((await get(created)).MAX_CHAT, '2');

        const osUser = userInfo().username;
        const [history, json] = await Promise.all([
          cli(['history', String(ids.support), '--limit', '1']),
          cli(['history', '--json', '--limit', '3']),
        ]);
        assert.equal(history.code, 0, history.stderr);
        assert.match(
          history.stdout,
          new RegExp(`^#\\d+ {2}\\S+ {2}line ${ids.support} updated by user 1 \\(cli cli:${osUser}\\)\\n`),
        );
        assert.ok(
          history.stdout.endsWith(
            `    QUEUE_TIME: 45 → 90\n    WORKTIME_TO: "21" → "22.30"\n    QUEUE: user 1, department ${dept} → user 1\n(1 older; --limit shows more)\n`,
          ),
          history.stdout,
        );
        const all = JSON.parse(json.stdout);
        assert.deepEqual(
          all.revisions.map((r: { action: string; lineId: number; authKind: string }) => [
            r.action,
            r.lineId,
            r.authKind,
          ]),
          [
            ['delete', ids.old, 'cli'],
            ['add', created, 'cli'],
            ['update', ids.support, 'cli'],
          ],
        );

        // And the new state exports to a file that applies as a no-op.
        const again = join(dir, 'again.yaml');
        await cli(['export', '-o', again]);
        assert.equal(
          (await cli(['apply', '-f', again, '--prune'])).stdout,
          `No changes: the server matches ${again} (3 lines).\n`,
        );
      });

      it('apply: an invalid file is refused with its line, column and field, and nothing changes', async () => {
        const revisions = await revisionCount();
        const bad = file(
          'bad.yaml',
          [
            'version: 1',
            'lines:',
            `  - ID: ${ids.sales}`,
            '    LINE_NAME: Sales',
            '    QUEUE_TIME: soon',
            '    QUEUE_TYPE: random',
            '    NOT_A_FIELD: 1',
            '    WORKTIME_FROM: "9"',
            '  - CRM: Y',
            '',
          ].join('\n'),
        );
        const unknown = file(
          'unknown.yaml',
          [
            'version: 1',
            'lines:',
            '  - ID: 999',
            '    LINE_NAME: Ghost',
            '  - LINE_NAME: Team',
            '    QUEUE:',
            '      - user: 77',
            '',
          ].join('\n'),
        );
        const broken = file('broken.yaml', 'version: 1\nlines:\n  - ID: 1\n    LINE_NAME: [open\n');
        const [refused, refusedToo, syntax] = await Promise.all([
          cli(['apply', '-f', bad]),
          cli(['apply', '-f', unknown, '--dry-run']),
          cli(['apply', '-f', broken]),
        ]);
        assert.equal(refused.code, 2);
        assert.equal(refused.stdout, '');
        assert.equal(
          refused.stderr,
          [
            `openlines: ${bad} is not valid:`,
            `${bad}:5:17: QUEUE_TIME: expected an integer, got 'soon'; read as 0`,
            `${bad}:6:17: QUEUE_TYPE: expected one of evenly, strictly, all, got 'random'`,
            `${bad}:7:5: NOT_A_FIELD: unknown field`,
            `${bad}:8:20: WORKTIME_FROM: applies only together with WORKTIME_TO`,
            `${bad}:9:5: LINE_NAME: a line without ID needs a LINE_NAME (lines are matched by ID, else by LINE_NAME)`,
            '',
          ].join('\n'),
        );

        assert.equal(refusedToo.code, 2);
        assert.equal(
          refusedToo.stderr,
          [
            `openlines: ${unknown} is not valid:`,
            `${unknown}:3:9: ID: line 999 does not exist (leave ID out to create a new line)`,
            `${unknown}:7:9: QUEUE: user 77 does not exist`,
            '',
          ].join('\n'),
        );

        assert.equal(syntax.code, 2);
        assert.match(syntax.stderr, new RegExp(`\\n${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:1: `));
        assert.equal(await revisionCount(), revisions);
        assert.equal((await get(ids.sales)).QUEUE_TIME, '60');
      });
    });
  }
});
