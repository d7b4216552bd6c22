// The lines file (lines as code) without a server: per catalogue field, a stored non-default value is written
// so that checking the file gives the stored value back (the reason export → apply is a no-op); states no add
// request can produce are written without the fields the pipeline would refuse; errors name line and column.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineSnapshot } from '../../src/domain/history/line-snapshot.js';
import { applyLineInput } from '../../src/domain/lines/apply-input.js';
import { WRITABLE_FIELDS } from '../../src/domain/lines/catalogue.js';
import type { FieldDescriptor } from '../../src/domain/lines/field-types.js';
import {
  entryOf,
  fieldsOf,
  LinesFileError,
  parseLinesFile,
  stringifyLinesFile,
} from '../../src/domain/lines-as-code/lines-file.js';

const ctx = { companyName: 'Acme' };

/** A valid value other than the default, as a client would send it (undefined: the kind has none). */
function otherValue(field: FieldDescriptor): unknown {
  switch (field.kind) {
    case 'yn':
      return field.default === 'Y' ? 'N' : 'Y';
    case 'int': {
      const base = field.default ?? 0;
      return field.max !== undefined && base + 1 > field.max ? base - 1 : base + 1;
    }
    case 'enum':
      return field.values.find((v) => v !== field.default);
    case 'text':
      return field.htmlEscape ? '<b>late</b> & "more"' : 'ab';
    case 'hour':
      return field.end === 'from' ? '8:30' : '17';
    case 'dayList':
      return ['MO', 'FR'];
    case 'holidays':
      return '1.01,25.12';
    case 'userList':
      return [5, 7];
    case 'operatorData':
      return { NAME: 'Bot', AVATAR_ID: '3' };
    case 'formId':
    case 'id':
    case 'date':
      return undefined;
  }
}

/** What the field needs in the same request to stick (same-request rules, the hour pair). */
function companions(field: FieldDescriptor): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (field.kind === 'hour') extra[field.pairedWith] = field.end === 'from' ? '17' : '8:30';
  const rule = field.sameRequest;
  if (rule) extra[rule.field] = rule.equals === '*' ? 12 : rule.equals;
  return extra;
}

const snapshotOf = (values: Record<string, unknown>, queue: LineSnapshot['queue'] = []): LineSnapshot => ({
  values,
  queue,
});

describe('lines file', () => {
  for (const field of WRITABLE_FIELDS) {
    const value = otherValue(field);
    if (value === undefined || field.name === 'LINE_NAME') continue;
    it(`lines file: ${field.name} (${field.kind}) is written so that checking it gives the stored value back`, () => {
      const sent = { LINE_NAME: 'L', [field.name]: value, ...companions(field) };
      const stored = applyLineInput(sent, 'add', ctx);
      assert.deepEqual(stored.warnings, [], 'the sample value is valid');
      const written = fieldsOf(snapshotOf(stored.values), ctx);
      assert.ok(field.name in written, `${field.name} is written`);
      const again = applyLineInput({ LINE_NAME: 'L', ...written }, 'add', ctx);
      assert.deepEqual(again.warnings, []);
      assert.deepEqual(again.values, stored.values);
    });
  }

  it('lines file: a state no add request makes is written without the fields the checks would refuse', () => {
    const stored = applyLineInput({ LINE_NAME: 'L', CATEGORY_ENABLE: 'Y', CATEGORY_ID: 5 }, 'add', ctx).values;
    const later = { ...stored, CATEGORY_ENABLE: 'N' };
    const written = fieldsOf(snapshotOf(later), ctx);
    assert.equal('CATEGORY_ID' in written, false);
    assert.deepEqual(applyLineInput(written, 'add', ctx).warnings, []);
  });

  it('lines file: entries are written ID, LINE_NAME, QUEUE, then fields in catalogue order, and read back', () => {
    const stored = applyLineInput({ LINE_NAME: 'Support', MAX_CHAT: 3, QUEUE_TIME: 45 }, 'add', ctx).values;
    const entry = entryOf(7, snapshotOf(stored, [{ user: 1 }, { department: 2 }]), ctx);
    assert.deepEqual(Object.keys(entry), ['ID', 'LINE_NAME', 'QUEUE', 'QUEUE_TIME', 'MAX_CHAT']);
    for (const format of ['yaml', 'json'] as const) {
      const [read] = parseLinesFile(stringifyLinesFile([entry], format), `lines.${format}`, ctx);
      assert.equal(read?.id, 7);
      assert.equal(read?.name, 'Support');
      assert.deepEqual(read?.queue, [{ user: 1 }, { department: 2 }]);
      assert.deepEqual(read?.values, stored);
    }
  });

  it('lines file: problems carry the line and column, in YAML and in JSON', () => {
    const refuse = (text: string, name: string) => {
      try {
        parseLinesFile(text, name, ctx);
      } catch (error) {
        assert.ok(error instanceof LinesFileError);
        return error.message;
      }
      assert.fail('expected the file to be refused');
    };
    assert.equal(
      refuse(
        '{\n  "version": 1,\n  "lines": [\n    {"ID": 1, "LINE_NAME": "x", "MAX_CHAT": "many"}\n  ]\n}\n',
        'l.json',
      ),
      "l.json:4:45: MAX_CHAT: expected an integer, got 'many'; read as 0",
    );
    assert.equal(refuse('version: 2\nlines: []\n', 'l.yaml'), 'l.yaml:1:10: version: must be 1');
    assert.equal(refuse('lines: 3\n', 'l.yaml'), 'l.yaml:1:8: lines: must be a list of lines');
    assert.equal(
      refuse('lines:\n  - ID: 1\n    LINE_NAME: a\n  - ID: 1\n    LINE_NAME: b\n', 'l.yaml'),
      'l.yaml:4:9: ID: line 1 is listed twice (first at line 2)',
    );
    assert.equal(
      refuse('lines:\n  - LINE_NAME: a\n    QUEUE: []\n', 'l.yaml'),
      'l.yaml:3:12: QUEUE: must list at least one user or department (leave QUEUE out to keep the current queue)',
    );
    assert.equal(
      refuse('lines:\n  - LINE_NAME: a\n    DATE_CREATE: "2026-01-01"\n', 'l.yaml'),
      'l.yaml:3:5: DATE_CREATE: read-only',
    );
    assert.deepEqual(parseLinesFile('version: 1\nlines:\n', 'empty.yaml', ctx), []);
  });
});
