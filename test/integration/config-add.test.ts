// imopenlines.config.add end to end over real HTTP, sent the way each official client sends it (clients.md).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configQueuesOf, findLine, operatorsOf } from '../../src/store/lines-repository.js';
import { SEED, SEED_PARAMS, TIME_KEYS } from '../helpers/seed.js';
import { rawRequest, STORES, startTestServer, type TestServer } from '../helpers/server.js';

const CREST_BODY =
  'PARAMS%5BLINE_NAME%5D=Online+Store+Support+Line&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_TYPE%5D=user&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_ID%5D=1&PARAMS%5BQUEUE%5D%5B1%5D%5BENTITY_TYPE%5D=user&PARAMS%5BQUEUE%5D%5B1%5D%5BENTITY_ID%5D=15&PARAMS%5BQUEUE_TYPE%5D=strictly&PARAMS%5BQUEUE_TIME%5D=45&PARAMS%5BNO_ANSWER_TIME%5D=120&PARAMS%5BWELCOME_MESSAGE%5D=Y&PARAMS%5BCRM%5D=Y&PARAMS%5BCRM_CREATE%5D=deal&PARAMS%5BMAX_CHAT%5D=4&PARAMS%5BTYPE_MAX_CHAT%5D=answered_new&PARAMS%5BWORKTIME_ENABLE%5D=Y&PARAMS%5BWORKTIME_FROM%5D=09%3A00&PARAMS%5BWORKTIME_TO%5D=21%3A00&PARAMS%5BWORKTIME_TIMEZONE%5D=Europe%2FBerlin&PARAMS%5BWORKTIME_DAYOFF%5D%5B0%5D=SA&PARAMS%5BWORKTIME_DAYOFF%5D%5B1%5D=SU&PARAMS%5BWORKTIME_DAYOFF_RULE%5D=text&PARAMS%5BWORKTIME_DAYOFF_TEXT%5D=closed';

function assertAdded(answer: { status: number; body: { result: unknown; time: Record<string, unknown> } }) {
  assert.equal(answer.status, 200);
  assert.equal(typeof answer.body.result, 'number');
  assert.deepEqual(Object.keys(answer.body.time), [...TIME_KEYS]);
  assert.match(String(answer.body.time.date_start), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(typeof answer.body.time.operating_reset_at, 'number');
  return answer.body.result as number;
}

for (const store of STORES) {
  describe(`imopenlines.config.add [${store}]`, () => {
    let t: TestServer;
    let doc: (id: number) => Promise<Record<string, unknown>>;
    before(async () => {
      t = await startTestServer({ store });
      await t.server.directory.addUser({ name: 'Operator 2' }); // id 2
      doc = async (id) => (await findLine(t.server.store.db, id))!.values;
    });
    after(() => t.close());

    it('takes the seed as JSON on the webhook URL (curl) and stores the normalised line and its queue', async () => {
      const answer = await t.call('imopenlines.config.add', SEED);
      const id = assertAdded(answer);
      const line = await doc(id);
      assert.equal(line.LINE_NAME, 'Online Store Support Line');
      assert.equal(line.QUEUE_TYPE, 'strictly');
      assert.equal(line.QUEUE_TIME, 45);
      assert.equal(line.WORKTIME_FROM, '9');
      assert.equal(line.WORKTIME_TO, '21');
      assert.deepEqual(line.WORKTIME_DAYOFF, ['SA', 'SU']);
      assert.equal(line.CRM_SOURCE, 'openline_web');
      assert.equal(line.WELCOME_BOT_TIME, 600);
      const config = (await configQueuesOf(t.server.store.db, [id])).get(id);
      assert.deepEqual(
        config?.map((e) => [e.entityType, e.entityId]),
        [['user', 1]],
      );
      // Users 15 and 23 do not exist on this portal: dropped, and said so.
      const warnings = JSON.parse(answer.headers.get('x-openlines-warnings')!);
      assert.deepEqual(
        warnings.map((w: { field: string; reason: string }) => w.reason),
        ['user 15 does not exist; dropped', 'user 23 does not exist; dropped'],
      );
    });

    it('refuses a lone UTF-16 surrogate in a JSON body (400 INVALID_JSON) and stores surrogate pairs on every store', async () => {
      const lone = await t.request(`${t.hook}imopenlines.config.add`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"PARAMS":{"LINE_NAME":"Lone","WORKTIME_DAYOFF_TEXT":"\\ud800"}}',
      });
      assert.equal(lone.status, 400, lone.text);
      assert.equal(JSON.parse(lone.text).error, 'INVALID_JSON');
      assert.match(JSON.parse(lone.text).error_description, /PARAMS\.WORKTIME_DAYOFF_TEXT/);
      const pair = await t.request(`${t.hook}imopenlines.config.add`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"PARAMS":{"LINE_NAME":"Pair \\ud83d\\ude00","WORKTIME_DAYOFF_TEXT":"\\ud83d\\ude00"}}',
      });
      const id = assertAdded(pair);
      assert.equal((await doc(id)).WORKTIME_DAYOFF_TEXT, '😀');
      const get = await t.call('imopenlines.config.get', { CONFIG_ID: id });
      assert.match(get.text, /"LINE_NAME":"Pair \\ud83d\\ude00"/);
    });

    it('takes a form body http_build_query style to METHOD.json (CRest)', async () => {
      const answer = await t.request(`${t.hook}imopenlines.config.add.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'Bitrix24 CRest PHP 1.36' },
        body: CREST_BODY,
      });
      const id = assertAdded(answer);
      const line = await doc(id);
      assert.equal(line.QUEUE_TIME, 45);
      assert.equal(line.TYPE_MAX_CHAT, 'answered_new');
      assert.equal(line.WORKTIME_TIMEZONE, 'Europe/Berlin');
      assert.deepEqual(line.WORKTIME_DAYOFF, ['SA', 'SU']);
    });

    it('takes JSON with ?bx24_request_id=, a double slash and a trailing slash (b24jssdk, b24phpsdk)', async () => {
      const jssdk = await t.request(
        `${t.hook}imopenlines.config.add?bx24_request_id=0a29f8c8-3da9&bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(SEED) },
      );
      assertAdded(jssdk);
      const phpsdk = await rawRequest(`${t.hook}/imopenlines.config.add/?bx24_request_id=01936b4e`, {
        headers: {
          'Content-Type': 'application/json',
          Connection: 'Upgrade, HTTP2-Settings',
          Upgrade: 'h2c',
          'HTTP2-Settings': 'AAMAAABkAAQCAAAAAAIAAAAA',
        },
        body: JSON.stringify({ PARAMS: { LINE_NAME: 'php', QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: '1' }] } }),
      });
      assertAdded(phpsdk);
    });

    it('takes the method name in any case, the query string and multipart form data', async () => {
      assertAdded(await t.request(`${t.hook}IMOPENLINES.Config.Add?PARAMS[LINE_NAME]=upper`, { method: 'GET' }));
      const form = new FormData();
      form.append('PARAMS[LINE_NAME]', 'multipart');
      form.append('PARAMS[QUEUE][0]', '2');
      const id = assertAdded(await t.request(`${t.hook}imopenlines.config.add`, { method: 'POST', body: form }));
      assert.equal((await doc(id)).LINE_NAME, 'multipart');
      const operators = (await operatorsOf(t.server.store.db, [id])).get(id);
      assert.deepEqual(
        operators?.map((o) => o.userId),
        [2],
      );
    });

    it('answers with the XML transport for .xml', async () => {
      const answer = await t.request(`${t.hook}imopenlines.config.add.xml`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ PARAMS: { LINE_NAME: 'xml' } }),
      });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type')!, /^text\/xml/);
      assert.match(answer.text, /^<response><result>\d+<\/result><time><start>/);
    });

    it('names lines automatically and puts the caller in an empty queue', async () => {
      const id = assertAdded(await t.call('imopenlines.config.add', {}));
      const line = await doc(id);
      assert.match(String(line.LINE_NAME), /^Open Channel \d+$/);
      assert.equal(
        line.WELCOME_MESSAGE_TEXT,
        'Welcome to [b]openlines[/b] Open Channel![br]You will receive a reply shortly, please hold on.',
      );
      const operators = (await operatorsOf(t.server.store.db, [id])).get(id);
      assert.deepEqual(
        operators?.map((o) => o.userId),
        [1],
      );
    });

    it('expands departments, drops inactive users and keeps queue order without duplicates', async () => {
      const dept = await t.server.directory.addDepartment('Support', null);
      const sub = await t.server.directory.addDepartment('Night shift', dept);
      const a = await t.server.directory.addUser({ name: 'A', departmentIds: [dept] });
      const b = await t.server.directory.addUser({ name: 'B', departmentIds: [sub] });
      const fired = await t.server.directory.addUser({ name: 'Fired', active: false, departmentIds: [dept] });
      const answer = await t.call('imopenlines.config.add', {
        PARAMS: {
          QUEUE: [
            { ENTITY_TYPE: 'user', ENTITY_ID: String(b) },
            { ENTITY_TYPE: 'department', ENTITY_ID: dept },
            { ENTITY_TYPE: 'user', ENTITY_ID: fired },
            { ENTITY_TYPE: 'robot', ENTITY_ID: 1 },
          ],
        },
      });
      const id = assertAdded(answer);
      const operators = (await operatorsOf(t.server.store.db, [id])).get(id)!;
      assert.deepEqual(
        operators.map((o) => [o.userId, o.departmentId]),
        [
          [b, 0],
          [a, dept],
        ],
      );
      const config = (await configQueuesOf(t.server.store.db, [id])).get(id)!;
      assert.deepEqual(
        config.map((e) => `${e.entityType}:${e.entityId}`),
        [`user:${b}`, `department:${dept}`],
      );
      const reasons = JSON.parse(answer.headers.get('x-openlines-warnings')!).map((w: { reason: string }) => w.reason);
      assert.equal(reasons.length, 2);
      assert.match(reasons[0], /is not \{ENTITY_TYPE/);
      assert.match(reasons[1], /is inactive/);
    });

    it('answers false in compat mode and 400 ERROR_ARGUMENT in strict mode when the reference would refuse the write', async () => {
      const long = { PARAMS: { LINE_NAME: 'x'.repeat(256) } };
      const compat = await t.call('imopenlines.config.add', long);
      assert.equal(compat.status, 200);
      assert.equal(compat.body.result, false);
      const strict = await t.call('imopenlines.config.add', long, { headers: { 'X-Openlines-Strict': '1' } });
      assert.equal(strict.status, 400);
      assert.deepEqual(strict.body, {
        error: 'ERROR_ARGUMENT',
        error_description: "Field 'LINE_NAME': must be at most 255 characters, got 256",
        argument: 'LINE_NAME',
      });
    });

    it('in strict mode refuses every substituted field with ERROR_ARGUMENT naming it, and writes nothing', async () => {
      const before = await t.server.store.db
        .selectFrom('lines')
        .select(t.server.store.db.fn.countAll().as('n'))
        .executeTakeFirst();
      const strictHook = await t.webhookFor(1, ['imopenlines'], { strict: true });
      const cases: [string, unknown][] = [
        ['QUEUE_TYPE', 'bogus'],
        ['ACTIVE', 'maybe'],
        ['QUEUE_TIME', 'soon'],
        ['SESSION_PRIORITY', 90000],
        ['WORKTIME_FROM', '9am'],
        ['WORKTIME_DAYOFF', ['XX']],
        ['NO_ANSWER_FORM_ID', 3],
        ['QUEUE', [{ ENTITY_TYPE: 'user', ENTITY_ID: 999 }]],
        ['WELCOME_BOT_ID', 5],
        ['NOT_A_FIELD', 1],
      ];
      for (const [field, value] of cases) {
        const params: Record<string, unknown> = { [field]: value };
        if (field === 'WORKTIME_FROM') params.WORKTIME_TO = '18';
        const answer = await t.call('imopenlines.config.add', { PARAMS: params }, { hook: strictHook });
        assert.equal(answer.status, 400, field);
        assert.equal(answer.body.error, 'ERROR_ARGUMENT', field);
        assert.equal(answer.body.argument, field);
        assert.match(answer.body.error_description, new RegExp(`^Field '${field}': `));
      }
      const afterCount = await t.server.store.db
        .selectFrom('lines')
        .select(t.server.store.db.fn.countAll().as('n'))
        .executeTakeFirst();
      assert.equal(Number(afterCount?.n), Number(before?.n));
      // A valid request passes in strict mode too.
      const ok = await t.call(
        'imopenlines.config.add',
        { PARAMS: { ...SEED_PARAMS, QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: '1' }] } },
        { hook: strictHook },
      );
      assertAdded(ok);
    });
  });
}
