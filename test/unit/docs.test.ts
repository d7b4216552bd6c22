import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED } from '../../scripts/gen-docs.js';
import { applyLineInput } from '../../src/domain/lines/apply-input.js';
import {
  FIELD_GROUPS,
  LEGACY_IGNORED_KEYS,
  QUEUE_INPUT_KEYS,
  QUEUE_INPUTS,
  WRITABLE_FIELDS,
} from '../../src/domain/lines/catalogue.js';
import { SEED_PAGE_FIELDS } from '../fixtures/spec-facts.js';

describe('generated docs', () => {
  for (const [path, make] of Object.entries(GENERATED)) {
    it(`${path} matches its catalogue (run npm run gen:docs)`, () => {
      assert.equal(readFileSync(path, 'utf8'), make());
    });
  }
});

describe('docs/fields.md', () => {
  const fieldsDoc = readFileSync('docs/fields.md', 'utf8');
  const rowKeys = new Set([...fieldsDoc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
  const unknownFieldWarning = (key: string) =>
    applyLineInput({ [key]: 'x' }, 'update', { companyName: 'openlines' }).warnings.some(
      (w) => w.field === key && w.reason === 'unknown field; ignored',
    );

  it('has a row for every input key config.add and config.update accept, QUEUE included (issue 14)', () => {
    const accepted = [...WRITABLE_FIELDS.map((f) => f.name), ...QUEUE_INPUT_KEYS, ...LEGACY_IGNORED_KEYS];
    // The list is what the input code accepts: none of these is an unknown field, a made-up key is.
    for (const key of accepted) assert.equal(unknownFieldWarning(key), false, `${key} is accepted`);
    assert.equal(unknownFieldWarning('NOT_A_FIELD'), true);
    for (const key of accepted) assert.ok(rowKeys.has(key), `docs/fields.md has no row for ${key}`);
    // Every PARAMS key of the reference documentation's config.add page, the queue among them.
    assert.ok(SEED_PAGE_FIELDS.includes('QUEUE'));
    for (const key of SEED_PAGE_FIELDS) assert.ok(rowKeys.has(key), `docs/fields.md has no row for ${key}`);
  });

  it('describes the queue inputs as data: group, label, help, forms, default, output, errors and source', () => {
    const groups = new Set(FIELD_GROUPS.map((g) => g.id));
    assert.deepEqual(
      QUEUE_INPUTS.map((input) => input.name),
      ['QUEUE', 'QUEUE_USERS_FIELDS'],
    );
    for (const input of QUEUE_INPUTS) {
      assert.ok(groups.has(input.group), `${input.name} group`);
      for (const key of [
        'label',
        'help',
        'accepts',
        'whenAbsent',
        'printed',
        'expansion',
        'errors',
        'source',
      ] as const) {
        assert.ok(input[key].trim(), `${input.name} ${key}`);
      }
    }
  });
});
