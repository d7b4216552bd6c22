// Per-field tests generated from the catalogue: every writable field, every accepted wire form and a bad value
// per kind. Curated cases from the spec follow.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputReport } from '../../src/domain/input/input-report.js';
import { applyLineInput } from '../../src/domain/lines/apply-input.js';
import { LINE_FIELDS, WRITABLE_FIELDS } from '../../src/domain/lines/catalogue.js';
import type { FieldDescriptor, FieldKind } from '../../src/domain/lines/field-types.js';
import { RestError } from '../../src/wire/errors.js';
import { INT32_MAX, INT32_MIN } from '../../src/wire/php-values.js';

const ctx = { companyName: 'Acme' };

/** What a bad value turns into: a value, "default" (dropped, so the default applies on add) or "fail". */
type Expected = unknown | 'default' | 'fail';
interface KindCases {
  accepted: [wire: unknown, stored: unknown][];
  invalid: [wire: unknown, expected: Expected][];
}

type Of<K extends FieldKind> = Extract<FieldDescriptor, { kind: K }>;

const CASES: { [K in FieldKind]: (field: Of<K>) => KindCases } = {
  yn: (f) => ({
    accepted: [
      ['Y', 'Y'],
      ['N', 'N'],
      ['y', 'Y'],
      ['n', 'N'],
      [true, 'Y'],
      [false, 'N'],
      [1, 'Y'],
      ['0', 'N'],
    ],
    invalid: [
      ['maybe', f.otherwise],
      [['Y'], f.otherwise],
    ],
  }),
  int: (f) => {
    const inside = Math.min(f.max ?? INT32_MAX, (f.min ?? 0) + 45);
    const invalid: [unknown, Expected][] = [
      ['12abc', 12],
      [[1], 'default'],
    ];
    const min = f.min ?? INT32_MIN;
    invalid.push([min - 1, f.outOfRange === 'ignore' ? 'default' : min]);
    const max = f.max ?? INT32_MAX;
    invalid.push([max + 1, f.outOfRange === 'ignore' ? 'default' : max]);
    return {
      accepted: [
        [inside, inside],
        [String(inside), inside],
        [` ${inside}`, inside],
      ],
      invalid,
    };
  },
  enum: (f) => ({
    accepted: f.values.map((v) => [v, v]),
    invalid: [
      ['bogus', f.invalidBecomes],
      [f.values[0]!.toUpperCase() === f.values[0] ? 'x' : f.values[0]!.toUpperCase(), f.invalidBecomes],
    ],
  }),
  text: (f) => {
    const accepted: [unknown, unknown][] = [
      ['Hi', 'Hi'],
      [12, '12'],
      ['Grüße 👋', 'Grüße 👋'],
    ];
    if (f.htmlEscape) accepted.push(['<b>&', '&lt;b&gt;&amp;']);
    if (f.truncateTo === undefined) accepted.push(['x'.repeat(f.maxLength), 'x'.repeat(f.maxLength)]);
    const limit = f.truncateTo ?? f.maxLength;
    const invalid: [unknown, Expected][] = [[{ a: 1 }, 'default']];
    if (f.truncateTo !== undefined) invalid.push(['é'.repeat(f.truncateTo + 5), 'é'.repeat(f.truncateTo)]);
    else invalid.push(['x'.repeat(f.maxLength + 1), 'fail']);
    return { accepted: accepted.filter(([, stored]) => [...String(stored)].length <= limit), invalid };
  },
  formId: () => ({
    accepted: [
      [0, 0],
      ['0', 0],
    ],
    invalid: [[7, 0]],
  }),
  hour: () => ({ accepted: [], invalid: [] }), // a pair: tested below
  dayList: () => ({
    accepted: [
      [
        ['SA', 'SU'],
        ['SA', 'SU'],
      ],
      ['SA,SU', ['SA', 'SU']],
      [['sa', 'SA'], ['SA']],
      [[], []],
    ],
    invalid: [
      [['XX', 'MO'], ['MO']],
      [5, 'default'],
    ],
  }),
  holidays: () => ({
    accepted: [
      ['1.01, 7.01', ['1.01', '7.01']],
      [
        ['1.01', '23.02'],
        ['1.01', '23.02'],
      ],
      ['', []],
    ],
    invalid: [
      ['new year', []],
      [[{ d: 1 }], []],
    ],
  }),
  userList: () => ({
    accepted: [
      [
        [1, '2'],
        [1, 2],
      ],
      ['3,4', [3, 4]],
      ['', null],
      [[], null],
    ],
    invalid: [
      [['a', 3], [3]],
      [true, 'default'],
    ],
  }),
  operatorData: () => ({
    accepted: [
      [
        { NAME: 'Support', AVATAR: 'https://x/a.png', AVATAR_ID: 5 },
        { NAME: 'Support', AVATAR: 'https://x/a.png', AVATAR_ID: '5' },
      ],
      [{ name: 'Bot' }, { NAME: 'Bot' }],
      [[], null],
    ],
    invalid: [
      [{ FOO: 1, NAME: 'a' }, { NAME: 'a' }],
      ['x', 'default'],
    ],
  }),
  id: () => ({ accepted: [], invalid: [] }),
  date: () => ({ accepted: [], invalid: [] }),
};

/** Fields whose value only sticks with a companion in the same request get it. */
function companions(field: FieldDescriptor): Record<string, unknown> {
  const rule = field.sameRequest;
  if (!rule) return {};
  return { [rule.field]: rule.equals === '*' ? 5 : rule.equals };
}

function casesFor(field: FieldDescriptor): KindCases {
  return (CASES[field.kind] as (f: FieldDescriptor) => KindCases)(field);
}

describe('PARAMS normalisation, generated per field', () => {
  for (const field of WRITABLE_FIELDS) {
    const { accepted, invalid } = casesFor(field);
    describe(field.name, () => {
      it('is filled with its default when omitted on add, and untouched on update', () => {
        const add = applyLineInput({}, 'add', ctx);
        assert.ok(field.name in add.values || field.name === 'LINE_NAME');
        const update = applyLineInput({}, 'update', ctx);
        assert.equal(field.name in update.values, false);
      });
      for (const [wire, stored] of accepted) {
        it(`accepts ${JSON.stringify(wire)?.slice(0, 40)}`, () => {
          for (const mode of ['add', 'update'] as const) {
            const out = applyLineInput({ ...companions(field), [field.name]: wire }, mode, ctx);
            assert.equal(out.failure, undefined);
            assert.deepEqual(out.values[field.name], stored);
            assert.deepEqual(
              out.warnings.filter((w) => w.field === field.name),
              [],
            );
          }
        });
      }
      for (const [wire, expected] of invalid) {
        it(`substitutes and reports ${JSON.stringify(wire)?.slice(0, 40)}; strict refuses it naming the field`, () => {
          const params = { ...companions(field), [field.name]: wire };
          const out = applyLineInput(params, 'add', ctx);
          if (expected === 'fail') {
            assert.equal(out.failure?.field, field.name);
          } else {
            const defaults = applyLineInput({}, 'add', ctx).values;
            assert.deepEqual(out.values[field.name], expected === 'default' ? defaults[field.name] : expected);
            const warning = out.warnings.find((w) => w.field === field.name);
            assert.ok(warning, 'a warning names the field');
            assert.deepEqual(warning.sent, wire);
          }
          assert.throws(
            () => new InputReport(true).take(out),
            (e: unknown) =>
              e instanceof RestError &&
              e.code === 'ERROR_ARGUMENT' &&
              e.status === 400 &&
              e.extra.argument === field.name &&
              e.message.startsWith(`Field '${field.name}': `),
          );
          if (expected === 'default') {
            const update = applyLineInput(params, 'update', ctx);
            assert.equal(field.name in update.values, false, 'a dropped value leaves the line unchanged on update');
          }
        });
      }
    });
  }

  for (const field of LINE_FIELDS.filter((f) => f.readOnly)) {
    it(`${field.name} is read-only: ignored with a warning`, () => {
      const out = applyLineInput({ [field.name]: '5' }, 'update', ctx);
      assert.equal(field.name in out.values, false);
      assert.equal(out.warnings[0]?.field, field.name);
      assert.match(out.warnings[0]!.reason, /read-only/);
    });
  }
});

describe('curated rules (reference-behaviour.md §2.1)', () => {
  const hours = (from: unknown, to: unknown, mode: 'add' | 'update' = 'add') =>
    applyLineInput({ WORKTIME_FROM: from, WORKTIME_TO: to }, mode, ctx);

  it('reads H, H.MM and HH:MM working hours and stores the decimal form', () => {
    assert.deepEqual(pick(hours('09:00', '21:00').values), { WORKTIME_FROM: '9', WORKTIME_TO: '21' });
    assert.deepEqual(pick(hours('9.30', '18.5').values), { WORKTIME_FROM: '9.30', WORKTIME_TO: '18.50' });
    assert.deepEqual(pick(hours(8, '17:05').values), { WORKTIME_FROM: '8', WORKTIME_TO: '17.05' });
    assert.deepEqual(hours('09:00', '21:00').warnings, []);
  });

  it('resets both ends to 9/18.30 when either is malformed', () => {
    const out = hours('9am', '21:00');
    assert.deepEqual(pick(out.values), { WORKTIME_FROM: '9', WORKTIME_TO: '18.30' });
    assert.deepEqual(
      out.warnings.map((w) => w.field),
      ['WORKTIME_FROM', 'WORKTIME_TO'],
    );
    assert.deepEqual(pick(hours('25:00', '18').values), { WORKTIME_FROM: '9', WORKTIME_TO: '18.30' });
  });

  it('caps the start at 23.30 and moves an end that is not after the start', () => {
    assert.deepEqual(pick(hours('23.45', '23.50').values), { WORKTIME_FROM: '23.30', WORKTIME_TO: '23.50' });
    assert.deepEqual(pick(hours('10', '9').values), { WORKTIME_FROM: '10', WORKTIME_TO: '11' });
    assert.deepEqual(pick(hours('9.30', '9.30').values), { WORKTIME_FROM: '9.30', WORKTIME_TO: '10.30' });
    assert.deepEqual(pick(hours('23.30', '1').values), { WORKTIME_FROM: '23.30', WORKTIME_TO: '23.59' });
  });

  it('applies working hours only when both ends are sent', () => {
    const add = applyLineInput({ WORKTIME_FROM: '10' }, 'add', ctx);
    assert.deepEqual(pick(add.values), { WORKTIME_FROM: '9', WORKTIME_TO: '18.30' });
    assert.match(add.warnings[0]!.reason, /only together with WORKTIME_TO/);
    const update = applyLineInput({ WORKTIME_TO: '20' }, 'update', ctx);
    assert.deepEqual(pick(update.values), {});
  });

  it('keeps the welcome-bot fields only with WELCOME_BOT_ENABLE=Y in the same request', () => {
    const without = applyLineInput(
      { WELCOME_BOT_ID: 7, WELCOME_BOT_TIME: 30, WELCOME_BOT_LEFT: 'close' },
      'update',
      ctx,
    );
    assert.deepEqual(
      [without.values.WELCOME_BOT_ID, without.values.WELCOME_BOT_TIME, without.values.WELCOME_BOT_LEFT],
      [0, 600, 'queue'],
    );
    assert.equal(without.warnings.length, 3);
    const withBot = applyLineInput(
      { WELCOME_BOT_ENABLE: 'Y', WELCOME_BOT_ID: '7', WELCOME_BOT_TIME: 30, WELCOME_BOT_LEFT: 'close' },
      'update',
      ctx,
    );
    assert.deepEqual(
      [withBot.values.WELCOME_BOT_ID, withBot.values.WELCOME_BOT_TIME, withBot.values.WELCOME_BOT_LEFT],
      [7, 30, 'close'],
    );
    assert.deepEqual(withBot.warnings, []);
    const queueLeft = applyLineInput({ WELCOME_BOT_LEFT: 'queue' }, 'update', ctx);
    assert.deepEqual(queueLeft.warnings, [], '"queue" needs no companion');
  });

  it('keeps CATEGORY_ID only with CATEGORY_ENABLE=Y in the same request', () => {
    assert.equal(applyLineInput({ CATEGORY_ID: 3 }, 'add', ctx).values.CATEGORY_ID, 0);
    assert.equal(applyLineInput({ CATEGORY_ID: 3, CATEGORY_ENABLE: 'Y' }, 'add', ctx).values.CATEGORY_ID, 3);
  });

  it('treats JSON null as not sent (PHP isset) and an empty LINE_NAME as not sent', () => {
    const out = applyLineInput({ QUEUE_TIME: null, LINE_NAME: '' }, 'update', ctx);
    assert.deepEqual(out.values, {});
    assert.deepEqual(out.warnings, []);
  });

  it('reports unknown keys and ignores queue keys and legacy names', () => {
    const out = applyLineInput({ NOPE: 1, QUEUE: [], QUEUE_USERS_FIELDS: {}, TIMEMAN: 'Y' }, 'update', ctx);
    assert.deepEqual(
      out.warnings.map((w) => [w.field, w.reason]),
      [['NOPE', 'unknown field; ignored']],
    );
  });

  it('turns the seed into what the reference stores', () => {
    const out = applyLineInput(
      {
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 45,
        CRM_CREATE: 'deal',
        MAX_CHAT: 4,
        TYPE_MAX_CHAT: 'answered_new',
        WORKTIME_FROM: '09:00',
        WORKTIME_TO: '21:00',
        WORKTIME_DAYOFF: ['SA', 'SU'],
      },
      'add',
      ctx,
    );
    assert.deepEqual(out.warnings, []);
    assert.equal(out.values.QUEUE_TIME, 45);
    assert.deepEqual(out.values.WORKTIME_DAYOFF, ['SA', 'SU']);
  });
});

function pick(values: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const k of ['WORKTIME_FROM', 'WORKTIME_TO']) if (k in values) out[k] = values[k];
  return out;
}
