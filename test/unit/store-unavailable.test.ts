// isStoreUnavailable: which driver errors mean "the store cannot be reached" (503) rather than a failure (500).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreUnavailable } from '../../src/store/unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it('connection failures of either driver are unavailability', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_LOCKED']) {
      assert.equal(isStoreUnavailable(withCode(code)), true, code);
    }
    for (const code of ['08000', '08003', '08006', '57P01', '57P02', '57P03']) {
      assert.equal(isStoreUnavailable(withCode(code)), true, code);
    }
    assert.equal(isStoreUnavailable(new Error('Connection terminated unexpectedly')), true);
    assert.equal(isStoreUnavailable(new Error('Connection terminated')), true);
  });

  it('errors of the query or the data are not', () => {
    for (const code of ['23505', '22003', '42P01', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'ENOENT']) {
      assert.equal(isStoreUnavailable(withCode(code)), false, code);
    }
    assert.equal(isStoreUnavailable(new Error('boom')), false);
    assert.equal(isStoreUnavailable(null), false);
    assert.equal(isStoreUnavailable(undefined), false);
    assert.equal(isStoreUnavailable('ECONNREFUSED'), false);
  });
});
