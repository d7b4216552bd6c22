import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED } from '../../scripts/gen-docs.js';

describe('generated docs', () => {
  for (const [path, make] of Object.entries(GENERATED)) {
    it(`${path} matches its catalogue (run npm run gen:docs)`, () => {
      assert.equal(readFileSync(path, 'utf8'), make());
    });
  }
});
