import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LINE_FIELDS } from '../../src/domain/lines/catalogue.js';
import { LIST_ALL_CAP, type ListQuery, parseListQuery, topLevelListParams } from '../../src/domain/lines/list-query.js';
import { RestError } from '../../src/wire/errors.js';
import { LIST_LIMIT_DEFAULT } from '../../src/wire/limits.js';

function invalid(params: unknown, options?: unknown, description?: string) {
  assert.throws(
    () => parseListQuery(params, options, undefined),
    (error: unknown) => {
      assert.ok(error instanceof RestError, String(error));
      assert.equal(error.code, 'INVALID_FORMAT');
      assert.equal(error.status, 400);
      if (description !== undefined) assert.equal(error.message, description);
      return true;
    },
  );
}

const keys = (q: ListQuery) => q.projection.map((p) => `${p.key}=${p.field.name}`);

describe('parseListQuery: defaults', () => {
  it('selects every field in catalogue order, every row up to the cap, offset 0, no options', () => {
    for (const params of [undefined, null, '', [], {}, 'junk', 7]) {
      const q = parseListQuery(params, undefined, undefined);
      assert.deepEqual(
        q.projection.map((p) => p.key),
        LINE_FIELDS.map((f) => f.name),
      );
      assert.equal(q.paging, 'all');
      assert.equal(q.limit, LIST_ALL_CAP);
      assert.equal(q.offset, 0);
      assert.deepEqual(q.filters, []);
      assert.deepEqual(q.order, []);
      assert.equal(q.withQueue, false);
      assert.equal(q.withConfigQueue, false);
      assert.equal(q.checkPermission, null);
    }
  });

  it('takes start as the offset unless PARAMS.offset is sent; a negative start is 0', () => {
    assert.equal(parseListQuery({}, {}, 100).offset, 100);
    assert.equal(parseListQuery({}, {}, -1).offset, 0);
    assert.equal(parseListQuery({ offset: 7 }, {}, 100).offset, 7);
  });

  it('pages by start and PARAMS.limit/offset as DECISIONS.md says', () => {
    const paging = (params: unknown, start: number | undefined) => {
      const q = parseListQuery(params, {}, start);
      return [q.paging, q.limit, q.offset];
    };
    assert.ok(LIST_ALL_CAP >= 5000);
    assert.deepEqual(paging({}, undefined), ['all', LIST_ALL_CAP, 0]);
    assert.deepEqual(paging({}, 0), ['counted', LIST_LIMIT_DEFAULT, 0]);
    assert.deepEqual(paging({}, 150), ['counted', LIST_LIMIT_DEFAULT, 150]);
    assert.deepEqual(paging({}, -1), ['uncounted', LIST_LIMIT_DEFAULT, 0]);
    assert.deepEqual(paging({}, -7), ['counted', LIST_LIMIT_DEFAULT, 0]);
    assert.deepEqual(paging({ limit: 20 }, undefined), ['counted', 20, 0]);
    assert.deepEqual(paging({ offset: 20 }, undefined), ['counted', LIST_LIMIT_DEFAULT, 20]);
    assert.deepEqual(paging({ limit: 20 }, -1), ['counted', 20, 0]);
    assert.deepEqual(paging({ limit: null, offset: null }, undefined), ['all', LIST_ALL_CAP, 0]);
  });

  it('reads top-level filter and order (either letter case) only when PARAMS has none', () => {
    const top = topLevelListParams({ FILTER: { '>ID': '5' }, order: { ID: 'DESC' }, ORDER: { ID: 'ASC' } });
    let q = parseListQuery({ select: ['ID'] }, {}, -1, top);
    assert.deepEqual(
      q.filters.map((f) => [f.field.name, f.op, f.values]),
      [['ID', 'gt', [5]]],
    );
    assert.deepEqual(
      q.order.map((o) => [o.field.name, o.direction]),
      [['ID', 'desc']],
    );
    q = parseListQuery({ filter: { ACTIVE: 'Y' }, order: [] }, {}, -1, top);
    assert.deepEqual(
      q.filters.map((f) => f.field.name),
      ['ACTIVE'],
    );
    assert.deepEqual(
      q.order.map((o) => o.direction),
      ['desc'],
    );
    assert.throws(
      () => parseListQuery({}, {}, -1, { filter: 'junk' }),
      (e: unknown) => e instanceof RestError && e.message === "A wrong format for the field 'filter' is passed",
    );
  });

  it('accepts limit and offset as numbers or digit strings, 0 and 200 included', () => {
    assert.equal(parseListQuery({ limit: '0' }, {}, undefined).limit, 0);
    assert.equal(parseListQuery({ limit: 200 }, {}, undefined).limit, 200);
    assert.equal(parseListQuery({ offset: ' 12 ' }, {}, undefined).offset, 12);
  });
});

describe('parseListQuery: select', () => {
  it('keeps select order, drops duplicates, accepts any letter case and "*"', () => {
    assert.deepEqual(keys(parseListQuery({ select: ['line_name', 'ID', 'LINE_NAME'] }, {}, undefined)), [
      'LINE_NAME=LINE_NAME',
      'ID=ID',
    ]);
    const all = parseListQuery({ select: ['ID', '*'] }, {}, undefined);
    assert.equal(all.projection.length, LINE_FIELDS.length);
    assert.equal(all.projection[0]!.key, 'ID');
  });

  it('prints a field under an alias ({"ALIAS": "FIELD"}), numeric keys being plain entries', () => {
    assert.deepEqual(keys(parseListQuery({ select: { 0: 'ID', NAME: 'LINE_NAME' } }, {}, undefined)), [
      'ID=ID',
      'NAME=LINE_NAME',
    ]);
  });

  it('treats an empty select as every field', () => {
    assert.equal(parseListQuery({ select: [] }, {}, undefined).projection.length, LINE_FIELDS.length);
  });
});

describe('parseListQuery: filter and order', () => {
  it('reads every prefix', () => {
    const q = parseListQuery(
      {
        filter: {
          ID: 1,
          '=ACTIVE': 'Y',
          '!QUEUE_TYPE': ['all', 'evenly'],
          '>MAX_CHAT': '2',
          '>=QUEUE_TIME': 10,
          '<SESSION_PRIORITY': 5,
          '<=NO_ANSWER_TIME': 100,
          '%LINE_NAME': '50%',
        },
      },
      {},
      undefined,
    );
    assert.deepEqual(
      q.filters.map((f) => [f.field.name, f.field.type, f.op, f.values]),
      [
        ['ID', 'number', 'eq', [1]],
        ['ACTIVE', 'text', 'eq', ['Y']],
        ['QUEUE_TYPE', 'text', 'ne', ['all', 'evenly']],
        ['MAX_CHAT', 'number', 'gt', [2]],
        ['QUEUE_TIME', 'number', 'ge', [10]],
        ['SESSION_PRIORITY', 'number', 'lt', [5]],
        ['NO_ANSWER_TIME', 'number', 'le', [100]],
        ['LINE_NAME', 'text', 'contains', ['50%']],
      ],
    );
  });

  it('converts values to the stored type: dates to UTC ISO, Y/N from booleans, list elements', () => {
    const q = parseListQuery(
      {
        filter: {
          '>DATE_CREATE': '2026-11-23T10:00:00+01:00',
          CRM: true,
          WORKTIME_DAYOFF: 'sa',
          KPI_FIRST_ANSWER_LIST: '7',
          XML_ID: null,
        },
      },
      {},
      undefined,
    );
    assert.deepEqual(
      q.filters.map((f) => [f.field.name, f.field.type, f.values]),
      [
        ['DATE_CREATE', 'date', ['2026-11-23T09:00:00.000Z']],
        ['CRM', 'text', ['Y']],
        ['WORKTIME_DAYOFF', 'list', ['SA']],
        ['KPI_FIRST_ANSWER_LIST', 'list', [7]],
        ['XML_ID', 'text', [null]],
      ],
    );
  });

  it('reads directions in any letter case', () => {
    const q = parseListQuery({ order: { line_name: 'desc', ID: 'Asc' } }, {}, undefined);
    assert.deepEqual(
      q.order.map((o) => [o.field.name, o.direction]),
      [
        ['LINE_NAME', 'desc'],
        ['ID', 'asc'],
      ],
    );
  });
});

describe('parseListQuery: options', () => {
  it('reads QUEUE and CONFIG_QUEUE as Y only, and CHECK_PERMISSION in any case', () => {
    const q = parseListQuery({}, { QUEUE: 'Y', CONFIG_QUEUE: 'N', CHECK_PERMISSION: 'modify' }, undefined);
    assert.equal(q.withQueue, true);
    assert.equal(q.withConfigQueue, false);
    assert.equal(q.checkPermission, 'MODIFY');
    assert.equal(parseListQuery({}, { QUEUE: true }, undefined).withQueue, false);
  });
});

describe('parseListQuery: INVALID_FORMAT with the documented descriptions', () => {
  const cases: [string, unknown, unknown, string][] = [
    [
      'unknown PARAMS keys',
      { select: ['ID'], group: ['ID'], runtime: 1 },
      {},
      'Unsupported PARAMS fields are passed: group, runtime',
    ],
    ['upper-case PARAMS keys', { SELECT: ['ID'] }, {}, 'Unsupported PARAMS fields are passed: SELECT'],
    ['a list as PARAMS', ['ID'], {}, 'Unsupported PARAMS fields are passed: 0'],
    ['select as a string', { select: 'ID' }, {}, "A wrong format for the PARAMS field 'select' is passed"],
    ['order as a string', { order: 'ID' }, {}, "A wrong format for the PARAMS field 'order' is passed"],
    ['order as a list', { order: ['ID'] }, {}, "A wrong format for the PARAMS field 'order' is passed"],
    ['filter as a string', { filter: 'ID=1' }, {}, "A wrong format for the PARAMS field 'filter' is passed"],
    ['filter as a list', { filter: [1] }, {}, "A wrong format for the PARAMS field 'filter' is passed"],
    ['a negative limit', { limit: -1 }, {}, "A non-negative integer is expected in the PARAMS field 'limit'"],
    ['a fractional limit', { limit: 2.5 }, {}, "A non-negative integer is expected in the PARAMS field 'limit'"],
    ['a text limit', { limit: 'ten' }, {}, "A non-negative integer is expected in the PARAMS field 'limit'"],
    [
      'a limit above 200',
      { limit: 201 },
      {},
      "A non-negative integer not greater than 200 is expected in the PARAMS field 'limit'",
    ],
    ['a negative offset', { offset: '-5' }, {}, "A non-negative integer is expected in the PARAMS field 'offset'"],
    ['an array offset', { offset: [1] }, {}, "A non-negative integer is expected in the PARAMS field 'offset'"],
    ['an empty select name', { select: [''] }, {}, "A wrong field name is passed in the PARAMS field 'select'"],
    ['a non-string select name', { select: [5] }, {}, "A wrong field name is passed in the PARAMS field 'select'"],
    [
      'SQL in a select name',
      { select: ['ID; DROP TABLE lines'] },
      {},
      "A wrong field name is passed in the PARAMS field 'select'",
    ],
    ['an empty order name', { order: { '': 'ASC' } }, {}, "A wrong field name is passed in the PARAMS field 'order'"],
    [
      'a quote in an order name',
      { order: { "ID'": 'ASC' } },
      {},
      "A wrong field name is passed in the PARAMS field 'order'",
    ],
    ['a prefix only', { filter: { '>=': 1 } }, {}, "A wrong field name is passed in the PARAMS field 'filter'"],
    [
      'SQL in a filter key',
      { filter: { 'ID; DROP TABLE lines': 1 } },
      {},
      "A wrong field name is passed in the PARAMS field 'filter'",
    ],
    ['an unknown prefix', { filter: { '!=ID': 1 } }, {}, "A wrong field name is passed in the PARAMS field 'filter'"],
    [
      'an unknown select field',
      { select: ['ID', 'NOPE'] },
      {},
      "An unknown field 'NOPE' is passed in the PARAMS field 'select'",
    ],
    [
      'a queue key in select',
      { select: ['QUEUE'] },
      {},
      "An unknown field 'QUEUE' is passed in the PARAMS field 'select'",
    ],
    [
      'a reference in select',
      { select: ['STATISTIC.SESSION'] },
      {},
      "An unknown field 'STATISTIC.SESSION' is passed in the PARAMS field 'select'",
    ],
    [
      'an unknown order field',
      { order: { Nope: 'ASC' } },
      {},
      "An unknown field 'Nope' is passed in the PARAMS field 'order'",
    ],
    [
      'a queue key in order',
      { order: { CONFIG_QUEUE: 'ASC' } },
      {},
      "An unknown field 'CONFIG_QUEUE' is passed in the PARAMS field 'order'",
    ],
    [
      'an unknown filter field',
      { filter: { '>=NOPE': 1 } },
      {},
      "An unknown field 'NOPE' is passed in the PARAMS field 'filter'",
    ],
    [
      'LOGIC in filter',
      { filter: { LOGIC: 'OR' } },
      {},
      "An unknown field 'LOGIC' is passed in the PARAMS field 'filter'",
    ],
    [
      'a queue key in filter',
      { filter: { QUEUE: 1 } },
      {},
      "An unknown field 'QUEUE' is passed in the PARAMS field 'filter'",
    ],
    [
      'a bad alias',
      { select: { 'MY NAME': 'LINE_NAME' } },
      {},
      "A wrong field alias is passed in the PARAMS field 'select'",
    ],
    [
      'an alias that is a field',
      { select: { active: 'LINE_NAME' } },
      {},
      "The alias 'active' matches an existing field in the PARAMS field 'select'",
    ],
    [
      'an alias that is a queue key',
      { select: { QUEUE: 'ID' } },
      {},
      "The alias 'QUEUE' matches an existing field in the PARAMS field 'select'",
    ],
    [
      'an alias of an unknown field',
      { select: { NAME: 'NOPE' } },
      {},
      "An unknown field 'NOPE' is passed in the PARAMS field 'select'",
    ],
    ['a bad direction', { order: { ID: 'UP' } }, {}, "A wrong sorting direction is passed in the PARAMS field 'order'"],
    [
      'a direction that is not text',
      { order: { ID: ['ASC'] } },
      {},
      "A wrong sorting direction is passed in the PARAMS field 'order'",
    ],
    [
      'text for a number field',
      { filter: { ID: '1; DROP TABLE lines' } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      'a fraction for a number field',
      { filter: { '>MAX_CHAT': 1.5 } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      'a bad date',
      { filter: { '>DATE_CREATE': 'yesterday' } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    ['an object value', { filter: { ID: { a: 1 } } }, {}, "A wrong format for the PARAMS field 'filter' is passed"],
    ['a nested array value', { filter: { ID: [[1]] } }, {}, "A wrong format for the PARAMS field 'filter' is passed"],
    ['an array with >', { filter: { '>ID': [1, 2] } }, {}, "A wrong format for the PARAMS field 'filter' is passed"],
    ['null with >', { filter: { '>ID': null } }, {}, "A wrong format for the PARAMS field 'filter' is passed"],
    [
      '% on a number field',
      { filter: { '%MAX_CHAT': '1' } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      '> on a list field',
      { filter: { '>WORKTIME_DAYOFF': 'SA' } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      'null in a list field',
      { filter: { WORKTIME_DAYOFF: null } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      'text in a user list',
      { filter: { KPI_FIRST_ANSWER_LIST: 'x' } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      'DEFAULT_OPERATOR_DATA',
      { filter: { DEFAULT_OPERATOR_DATA: 'x' } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    [
      'a boolean for a text field',
      { filter: { LINE_NAME: true } },
      {},
      "A wrong format for the PARAMS field 'filter' is passed",
    ],
    ['unknown OPTIONS keys', {}, { QUEUE: 'Y', WITH_QUEUE: 'Y' }, 'Unsupported OPTIONS fields are passed: WITH_QUEUE'],
    ['OPTIONS.QUEUE as an array', {}, { QUEUE: ['Y'] }, "A wrong format for the OPTIONS field 'QUEUE' is passed"],
    [
      'OPTIONS.CONFIG_QUEUE as an object',
      {},
      { CONFIG_QUEUE: { a: 'Y' } },
      "A wrong format for the OPTIONS field 'CONFIG_QUEUE' is passed",
    ],
    [
      'an unknown CHECK_PERMISSION',
      {},
      { CHECK_PERMISSION: 'DELETE' },
      "An unknown value for the OPTIONS field 'CHECK_PERMISSION' is passed",
    ],
    [
      'an empty CHECK_PERMISSION',
      {},
      { CHECK_PERMISSION: '' },
      "An unknown value for the OPTIONS field 'CHECK_PERMISSION' is passed",
    ],
    [
      'an array CHECK_PERMISSION',
      {},
      { CHECK_PERMISSION: ['VIEW'] },
      "An unknown value for the OPTIONS field 'CHECK_PERMISSION' is passed",
    ],
  ];
  for (const [name, params, options, description] of cases) {
    it(`${name}: ${description}`, () => invalid(params, options, description));
  }

  it('checks PARAMS keys first, then select, order, filter, limit, offset, then OPTIONS', () => {
    invalid({ x: 1, select: 'ID' }, { Y: 1 }, 'Unsupported PARAMS fields are passed: x');
    invalid({ select: 'ID', order: 'x' }, {}, "A wrong format for the PARAMS field 'select' is passed");
    invalid({ order: 'x', filter: 'x' }, {}, "A wrong format for the PARAMS field 'order' is passed");
    invalid({ filter: 'x', limit: -1 }, {}, "A wrong format for the PARAMS field 'filter' is passed");
    invalid({ limit: -1, offset: -1 }, {}, "A non-negative integer is expected in the PARAMS field 'limit'");
    invalid({ offset: -1 }, { Y: 1 }, "A non-negative integer is expected in the PARAMS field 'offset'");
  });

  it('bounds a long name in the description', () => {
    const name = `N${'A'.repeat(500)}`;
    invalid({ select: [name] }, {}, `An unknown field '${name.slice(0, 100)}…' is passed in the PARAMS field 'select'`);
  });
});
