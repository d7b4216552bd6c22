// imopenlines.config.list.get over 300 lines on a real server, per store: select, order, filter (every prefix),
// paging (every row without start; start pages with and without total; PARAMS.limit/offset), top-level
// filter/order, OPTIONS, INVALID_FORMAT, and injection attempts that must stay data.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LINE_FIELDS } from '../../src/domain/lines/catalogue.js';
import { addLine, addUser, assertError, assertResult, testClock } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const COUNT = 300;
const QUEUE_TYPES = ['evenly', 'strictly', 'all'] as const;
const SPECIAL_NAMES: Record<number, string> = {
  7: 'O\'Brien "quoted" line',
  8: '50% off_sale',
  9: "Robert'); DROP TABLE lines;--",
};

/** What the test knows about each line it made, to compute expected answers independently of the server. */
interface Model {
  id: number;
  n: number;
  name: string;
  maxChat: number;
  queueType: string;
  active: string;
  dayoff: string[];
  priority: number;
  kpi: number[] | null;
  language: string | null;
  createdMs: number;
  operatorB: boolean;
}

const BASE_MS = Date.parse('2026-01-01T00:00:00Z');

for (const store of STORES) {
  describe(`imopenlines.config.list.get over ${COUNT} lines (${store})`, () => {
    const clock = testClock('2026-01-01T00:00:00Z');
    let t: TestServer;
    let userB: number;
    const model: Model[] = [];
    const byId = (list: Model[]) => [...list].sort((a, b) => a.id - b.id);
    const ids = (list: Model[]) => list.map((m) => String(m.id));

    before(async () => {
      t = await startTestServer({ store, clock: clock.clock });
      userB = await addUser(t, { name: 'Bea', lastName: 'Queue' });
      for (let chunk = 0; chunk < COUNT / 10; chunk++) {
        await clock.set(new Date(BASE_MS + chunk * 60_000).toISOString());
        await Promise.all(
          Array.from({ length: 10 }, async (_x, k) => {
            const n = chunk * 10 + k + 1;
            const m: Omit<Model, 'id'> = {
              n,
              name: SPECIAL_NAMES[n] ?? `Line ${String(n).padStart(3, '0')}`,
              maxChat: n % 7,
              queueType: QUEUE_TYPES[n % 3]!,
              active: n % 5 === 0 ? 'N' : 'Y',
              dayoff: n % 2 ? ['SA', 'SU'] : ['SU'],
              priority: n * 10,
              kpi: n % 10 === 0 ? [userB] : null,
              language: n % 6 === 0 ? 'de' : null,
              createdMs: BASE_MS + chunk * 60_000,
              operatorB: n % 4 === 0,
            };
            const id = await addLine(t, {
              LINE_NAME: m.name,
              MAX_CHAT: m.maxChat,
              QUEUE_TYPE: m.queueType,
              ACTIVE: m.active,
              WORKTIME_DAYOFF: m.dayoff,
              SESSION_PRIORITY: m.priority,
              ...(m.kpi ? { KPI_FIRST_ANSWER_LIST: m.kpi } : {}),
              ...(m.language ? { LANGUAGE_ID: m.language } : {}),
              ...(m.operatorB ? { QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: userB }] } : {}),
            });
            model.push({ id, ...m });
          }),
        );
      }
      model.sort((a, b) => a.id - b.id);
    });
    after(() => t.close());

    const list = (params: unknown, options?: unknown, extra: Record<string, unknown> = {}) =>
      t.call('imopenlines.config.list.get', { PARAMS: params, ...(options ? { OPTIONS: options } : {}), ...extra });

    /** The IDs of a filtered list in ID order, one page of `limit`. */
    async function expectIds(params: Record<string, unknown>, expected: Model[], limit = 200) {
      const answer = await list({ select: ['ID'], limit, ...params });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(expected.slice(0, limit)),
        JSON.stringify(params),
      );
      assert.equal(answer.body.total, expected.length, `total of ${JSON.stringify(params)}`);
      return answer;
    }

    it('imopenlines.config.list.get: made 300 distinct lines', () => {
      assert.equal(model.length, COUNT);
      assert.equal(new Set(model.map((m) => m.id)).size, COUNT);
    });

    it('imopenlines.config.list.get: without PARAMS answers every line, every field in catalogue order, no total or next', async () => {
      const answer = await list(undefined);
      assertResult(answer, answer.body.result);
      assert.deepEqual(Object.keys(answer.body), ['result', 'time']);
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model),
      );
      assert.deepEqual(
        Object.keys(answer.body.result[0]),
        LINE_FIELDS.map((f) => f.name),
      );
      const first = answer.body.result[0];
      const m = model[0]!;
      assert.equal(first.ID, String(m.id));
      assert.equal(first.LINE_NAME, m.name);
      assert.equal(first.MAX_CHAT, String(m.maxChat));
      assert.equal(first.DATE_CREATE, '2026-01-01T00:00:00+00:00');
      assert.deepEqual(first.WORKTIME_DAYOFF, m.dayoff);
      assert.deepEqual(first.WORKTIME_HOLIDAYS, ['']);
      assert.equal(first.KPI_FIRST_ANSWER_LIST, null);
      assert.equal(first.QUEUE, undefined);
    });

    it('imopenlines.config.list.get: pages through every line with next; the last page has no next', async () => {
      const seen: string[] = [];
      let start: number | undefined = 0;
      let pages = 0;
      while (start !== undefined) {
        const answer = await t.request(
          `${t.hook}imopenlines.config.list.get?start=${start}&PARAMS[select][]=ID&PARAMS[limit]=70`,
        );
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.body.total, COUNT);
        seen.push(...answer.body.result.map((r: { ID: string }) => r.ID));
        start = answer.body.next;
        pages += 1;
        if (start !== undefined) assert.equal(start, seen.length);
      }
      assert.equal(pages, 5);
      assert.deepEqual(seen, ids(model));
    });

    it('imopenlines.config.list.get: start ≥ 0 is a page of 50 with total and next; start=-1 a page of 50 without them', async () => {
      let answer = await list({ select: ['ID'] }, undefined, { start: 0 });
      assert.deepEqual(Object.keys(answer.body), ['result', 'next', 'total', 'time']);
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.slice(0, 50)),
      );
      assert.equal(answer.body.next, 50);
      assert.equal(answer.body.total, COUNT);

      answer = await list({ select: ['ID'] }, undefined, { start: 250 });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.slice(250)),
      );
      assert.equal(answer.body.next, undefined);
      assert.equal(answer.body.total, COUNT);

      for (const start of [-1, '-1']) {
        answer = await list({ select: ['ID'] }, undefined, { start });
        assert.deepEqual(Object.keys(answer.body), ['result', 'time']);
        assert.deepEqual(
          answer.body.result.map((r: { ID: string }) => r.ID),
          ids(model.slice(0, 50)),
        );
      }
    });

    it('imopenlines.config.list.get: top-level filter and order apply when PARAMS has none; PARAMS ones win', async () => {
      const above = model[119]!.id;
      let answer = await list({ select: ['ID'] }, undefined, {
        order: { ID: 'ASC' },
        filter: { '>ID': above },
        start: -1,
      });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.slice(120, 170)),
      );

      answer = await t.request(
        `${t.hook}imopenlines.config.list.get?PARAMS[select][0]=ID&ORDER[SESSION_PRIORITY]=DESC&FILTER[ACTIVE]=N`,
      );
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.filter((m) => m.active === 'N').sort((a, b) => b.priority - a.priority)),
      );

      // PARAMS carries its own filter and order: the top-level ones are not read.
      answer = await list({ select: ['ID'], filter: { ACTIVE: 'N' }, order: { ID: 'DESC' } }, undefined, {
        filter: { ACTIVE: 'Y' },
        order: { ID: 'ASC' },
      });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.filter((m) => m.active === 'N').reverse()),
      );

      assertError(
        await list({ select: ['ID'] }, undefined, { filter: { NOPE: 1 } }),
        400,
        'INVALID_FORMAT',
        "An unknown field 'NOPE' is passed in the field 'filter'",
      );
      assertError(
        await list({ select: ['ID'] }, undefined, { order: { ID: 'up' } }),
        400,
        'INVALID_FORMAT',
        "A wrong sorting direction is passed in the field 'order'",
      );
    });

    it('imopenlines.config.list.get: limit, offset and start combine as documented', async () => {
      let answer = await list({ select: ['ID'], limit: 20, offset: 290 });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.slice(290)),
      );
      assert.equal(answer.body.next, undefined);
      assert.equal(answer.body.total, COUNT);

      answer = await list({ select: ['ID'] }, undefined, { start: 100 });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.slice(100, 150)),
      );
      assert.equal(answer.body.next, 150);

      answer = await list({ select: ['ID'], offset: 10, limit: 5 }, undefined, { start: 100 });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(model.slice(10, 15)),
      );
      assert.equal(answer.body.next, 15);

      answer = await list({ select: ['ID'], limit: 200 });
      assert.equal(answer.body.result.length, 200);
      assert.equal(answer.body.next, 200);

      answer = await list({ select: ['ID'], limit: 0 });
      assert.deepEqual(answer.body.result, []);
      assert.equal(answer.body.total, COUNT);
      assert.equal(answer.body.next, undefined);

      answer = await list({ select: ['ID'], offset: 5000 });
      assert.deepEqual(answer.body.result, []);
      assert.equal(answer.body.total, COUNT);
      assert.equal(answer.body.next, undefined);
    });

    it('imopenlines.config.list.get: select prints only the selected fields, in select order, aliases included', async () => {
      const answer = await list({ select: { 0: 'LINE_NAME', 1: 'id', NAME_COPY: 'LINE_NAME' }, limit: 2 });
      assert.deepEqual(answer.body.result, [
        { LINE_NAME: model[0]!.name, ID: String(model[0]!.id), NAME_COPY: model[0]!.name },
        { LINE_NAME: model[1]!.name, ID: String(model[1]!.id), NAME_COPY: model[1]!.name },
      ]);
    });

    it('imopenlines.config.list.get: orders numbers numerically, text by code point, ties by ID', async () => {
      await expectIds(
        { order: { SESSION_PRIORITY: 'DESC' } },
        [...model].sort((a, b) => b.priority - a.priority),
      );
      await expectIds(
        { order: { MAX_CHAT: 'desc', ID: 'asc' } },
        [...model].sort((a, b) => b.maxChat - a.maxChat || a.id - b.id),
      );
      await expectIds(
        { order: { max_chat: 'asc' } },
        [...model].sort((a, b) => a.maxChat - b.maxChat || a.id - b.id),
      );
      await expectIds(
        { order: { LINE_NAME: 'asc' } },
        [...model].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id)),
      );
      await expectIds(
        { order: { QUEUE_TYPE: 'asc', ACTIVE: 'desc' } },
        [...model].sort(
          (a, b) =>
            (a.queueType < b.queueType ? -1 : a.queueType > b.queueType ? 1 : 0) ||
            (a.active > b.active ? -1 : a.active < b.active ? 1 : 0) ||
            a.id - b.id,
        ),
      );
      // Lines without a language first when ascending, as MySQL sorts NULL.
      await expectIds(
        { order: { LANGUAGE_ID: 'asc' } },
        [...model].sort((a, b) => Number(a.language !== null) - Number(b.language !== null) || a.id - b.id),
      );
    });

    it('imopenlines.config.list.get: filters with every prefix, compared in the field type', async () => {
      await expectIds(
        { filter: { ACTIVE: 'N' } },
        model.filter((m) => m.active === 'N'),
      );
      await expectIds(
        { filter: { '=QUEUE_TYPE': 'strictly' } },
        model.filter((m) => m.queueType === 'strictly'),
      );
      await expectIds(
        { filter: { '!QUEUE_TYPE': ['all', 'evenly'] } },
        model.filter((m) => m.queueType === 'strictly'),
      );
      await expectIds(
        { filter: { '>SESSION_PRIORITY': 2500 } },
        model.filter((m) => m.priority > 2500),
      );
      await expectIds(
        { filter: { '>=SESSION_PRIORITY': '2500' } },
        model.filter((m) => m.priority >= 2500),
      );
      await expectIds(
        { filter: { '<SESSION_PRIORITY': 100 } },
        model.filter((m) => m.priority < 100),
      );
      await expectIds(
        { filter: { '<=MAX_CHAT': 1, ACTIVE: 'Y' } },
        model.filter((m) => m.maxChat <= 1 && m.active === 'Y'),
      );
      await expectIds({ filter: { ID: [model[2]!.id, model[4]!.id, 99_999] } }, [model[2]!, model[4]!]);
      await expectIds({ filter: { ID: [] } }, []);
      await expectIds({ filter: { '!ID': [] } }, model);
      await expectIds(
        { filter: { '%LINE_NAME': 'line 01' } },
        model.filter((m) => m.name.toLowerCase().includes('line 01')),
      );
      await expectIds(
        { filter: { WORKTIME_DAYOFF: 'sa' } },
        model.filter((m) => m.dayoff.includes('SA')),
      );
      await expectIds(
        { filter: { '!WORKTIME_DAYOFF': 'SA' } },
        model.filter((m) => !m.dayoff.includes('SA')),
      );
      await expectIds(
        { filter: { KPI_FIRST_ANSWER_LIST: userB } },
        model.filter((m) => m.kpi !== null),
      );
      await expectIds(
        { filter: { LANGUAGE_ID: null } },
        model.filter((m) => m.language === null),
      );
      await expectIds(
        { filter: { '!LANGUAGE_ID': null } },
        model.filter((m) => m.language !== null),
      );
      await expectIds(
        { filter: { '!LANGUAGE_ID': 'de' } },
        model.filter((m) => m.language !== 'de'),
      );
      await expectIds(
        { filter: { '>=DATE_CREATE': '2026-01-01T01:20:00+01:00' } },
        model.filter((m) => m.createdMs >= Date.parse('2026-01-01T00:20:00Z')),
      );
      await expectIds({ filter: { SEND_NOTIFICATION_EMPTY_QUEUE: 'N' } }, model);
      await expectIds({ filter: { CRM: true } }, model);
    });

    it('imopenlines.config.list.get: filter, order and paging together keep total and next right', async () => {
      const matching = model.filter((m) => m.active === 'Y' && m.maxChat >= 3).sort((a, b) => b.priority - a.priority);
      const answer = await list({
        select: ['ID'],
        filter: { ACTIVE: 'Y', '>=MAX_CHAT': 3 },
        order: { SESSION_PRIORITY: 'DESC' },
        limit: 25,
        offset: 50,
      });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(matching.slice(50, 75)),
      );
      assert.equal(answer.body.total, matching.length);
      assert.equal(answer.body.next, 75);
    });

    it('imopenlines.config.list.get: OPTIONS.QUEUE and CONFIG_QUEUE add the queues to each item', async () => {
      const n4 = model.find((m) => m.n === 4)!;
      const n5 = model.find((m) => m.n === 5)!;
      const answer = await list({ select: ['ID'], filter: { ID: [n4.id, n5.id] } }, { QUEUE: 'Y', CONFIG_QUEUE: 'Y' });
      assert.deepEqual(
        answer.body.result.map((r: { ID: string }) => r.ID),
        ids(byId([n4, n5])),
      );
      const [four, five] = [n4, n5].map((m) => answer.body.result.find((r: { ID: string }) => r.ID === String(m.id)));
      assert.deepEqual(four, {
        ID: String(n4.id),
        QUEUE: [String(userB)],
        QUEUE_USERS_FIELDS: {
          [userB]: { USER_NAME: 'Bea Queue', USER_WORK_POSITION: '', USER_AVATAR: '', USER_AVATAR_ID: '0' },
        },
        CONFIG_QUEUE: [{ ENTITY_ID: String(userB), ENTITY_TYPE: 'user' }],
      });
      assert.deepEqual(five.QUEUE, ['1']);
      assert.deepEqual(five.CONFIG_QUEUE, [{ ENTITY_ID: '1', ENTITY_TYPE: 'user' }]);
    });

    it('imopenlines.config.list.get: 400 INVALID_FORMAT naming what is wrong, without a time block', async () => {
      const cases: [unknown, unknown, string][] = [
        [{ select: 'ID' }, undefined, "A wrong format for the PARAMS field 'select' is passed"],
        [
          { limit: 201 },
          undefined,
          "A non-negative integer not greater than 200 is expected in the PARAMS field 'limit'",
        ],
        [{ offset: -1 }, undefined, "A non-negative integer is expected in the PARAMS field 'offset'"],
        [{ group: ['ID'] }, undefined, 'Unsupported PARAMS fields are passed: group'],
        [{ order: { ID: 'sideways' } }, undefined, "A wrong sorting direction is passed in the PARAMS field 'order'"],
        [{ filter: { NOPE: 1 } }, undefined, "An unknown field 'NOPE' is passed in the PARAMS field 'filter'"],
        [{}, { CHECK_PERMISSION: 'EDIT' }, "An unknown value for the OPTIONS field 'CHECK_PERMISSION' is passed"],
        [{}, { SHOW: 'Y' }, 'Unsupported OPTIONS fields are passed: SHOW'],
      ];
      for (const [params, options, description] of cases) {
        assertError(await list(params, options), 400, 'INVALID_FORMAT', description);
      }
    });

    it('imopenlines.config.list.get: injection attempts in keys are refused and in values stay data', async () => {
      const wrongName = (where: string) => `A wrong field name is passed in the PARAMS field '${where}'`;
      assertError(await list({ select: ['ID; DROP TABLE lines'] }), 400, 'INVALID_FORMAT', wrongName('select'));
      assertError(await list({ select: ['ID', '1=1--'] }), 400, 'INVALID_FORMAT', wrongName('select'));
      assertError(
        await list({ order: { 'ID DESC; DROP TABLE lines': 'ASC' } }),
        400,
        'INVALID_FORMAT',
        wrongName('order'),
      );
      assertError(
        await list({ order: { ID: 'ASC; DROP TABLE lines' } }),
        400,
        'INVALID_FORMAT',
        "A wrong sorting direction is passed in the PARAMS field 'order'",
      );
      assertError(
        await list({ filter: { "LINE_NAME') OR ('1'='1": 'x' } }),
        400,
        'INVALID_FORMAT',
        wrongName('filter'),
      );
      assertError(await list({ filter: { '"ID"': 1 } }), 400, 'INVALID_FORMAT', wrongName('filter'));
      assertError(
        await list({ filter: { ID: '1 OR 1=1' } }),
        400,
        'INVALID_FORMAT',
        "A wrong format for the PARAMS field 'filter' is passed",
      );
      assertError(
        await list({ select: { 'x FROM users --': 'ID' } }),
        400,
        'INVALID_FORMAT',
        "A wrong field alias is passed in the PARAMS field 'select'",
      );

      const bobby = model.find((m) => m.n === 9)!;
      const quoted = model.find((m) => m.n === 7)!;
      const percent = model.find((m) => m.n === 8)!;
      await expectIds({ filter: { LINE_NAME: bobby.name } }, [bobby]);
      await expectIds({ filter: { LINE_NAME: "x' OR '1'='1" } }, []);
      await expectIds({ filter: { '%LINE_NAME': "'" } }, byId([quoted, bobby]));
      await expectIds({ filter: { '%LINE_NAME': '"' } }, [quoted]);
      await expectIds({ filter: { '%LINE_NAME': '%' } }, [percent]);
      await expectIds({ filter: { '%LINE_NAME': '_' } }, [percent]);
      await expectIds({ filter: { '%LINE_NAME': '!' } }, []);
      await expectIds({ filter: { '%LINE_NAME': '%; DROP TABLE lines; --' } }, []);
      await expectIds({ filter: { '%QUEUE_TYPE': "' OR 1=1 --" } }, []);

      const all = await list({ select: ['ID'], limit: 1 });
      assert.equal(all.body.total, COUNT, 'every line is still there');
      const users = await t.server.store.db.selectFrom('users').select('id').execute();
      assert.ok(users.length >= 2, 'the users table is still there');
    });
  });
}
