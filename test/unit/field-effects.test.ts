// The §9 index (runtime-sessions.md §9) as a table test (issue 18): every field of the line catalogue either has a
// runtime effect with at least one test named after it in the test file its entry names, or an entry saying why it
// has none (or what is not built). A new catalogue field with neither fails here.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LINE_FIELDS, QUEUE_INPUTS } from '../../src/domain/lines/catalogue.js';
import { FIELD_EFFECTS, type FieldEffect } from '../../src/domain/lines/field-effects.js';

/** The names of the tests (it / test) of a test file. */
function testNames(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\b(?:it|test)\(\s*(['"`])((?:\\.|(?!\1)[\s\S])*?)\1/g)].map((m) => m[2]!);
}

/** The field's name as a word of its own: WELCOME_MESSAGE is not found in WELCOME_MESSAGE_TEXT. */
const names = (field: string) => new RegExp(`(?<![A-Z0-9_])${field}(?![A-Z0-9_])`);

const catalogue = [...LINE_FIELDS.map((f) => f.name), ...QUEUE_INPUTS.map((input) => input.name)];
const effects = FIELD_EFFECTS as Readonly<Record<string, FieldEffect | undefined>>;

describe('the §9 index: every catalogue field acts, tested, or says why not', () => {
  for (const field of catalogue) {
    it(field, () => {
      const effect = effects[field];
      assert.ok(effect, `${field} has no entry in src/domain/lines/field-effects.ts`);
      if ('acts' in effect) {
        assert.ok(effect.acts.trim() !== '', `${field}: say what it does`);
        const file = `test/integration/${effect.test}.test.ts`;
        assert.ok(existsSync(file), `${field}: ${file} does not exist`);
        const tests = testNames(file).filter((name) => names(field).test(name));
        assert.ok(tests.length > 0, `${field}: no test in ${file} is named after it`);
      } else {
        const reason = 'none' in effect ? effect.none : effect.notBuilt;
        assert.ok(reason.trim().length > 10, `${field}: say why it has no runtime effect`);
      }
    });
  }

  it('names no field the catalogue does not have', () => {
    const known = new Set(catalogue);
    for (const field of Object.keys(FIELD_EFFECTS)) assert.ok(known.has(field), `${field} is not in the catalogue`);
  });

  it('finds test names written over several lines, and whole field names only', () => {
    assert.ok(names('WELCOME_MESSAGE').test('WELCOME_MESSAGE=Y: …'));
    assert.ok(!names('WELCOME_MESSAGE').test('WELCOME_MESSAGE_TEXT: …'));
    assert.ok(!names('MAX_CHAT').test('TYPE_MAX_CHAT: …'));
  });
});
