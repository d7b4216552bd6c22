import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClientKey, withoutClientKeys } from '../../src/rest/client-keys.js';

describe('client-added keys (issue 14)', () => {
  it('isClientKey: bx24_* and __order in any case; look-alikes and method parameters are not', () => {
    for (const key of ['bx24_request_id', 'bx24_sdk_ver', 'bx24_sdk_type', 'BX24_REQUEST_ID', 'Bx24_x', '__order']) {
      assert.equal(isClientKey(key), true, key);
    }
    assert.equal(isClientKey('__ORDER'), true);
    for (const key of ['bx24', 'bx24request_id', 'xbx24_id', '_order', 'order', 'PARAMS', 'CONFIG_ID', 'cmd', 'auth']) {
      assert.equal(isClientKey(key), false, key);
    }
  });

  it('withoutClientKeys: drops only top-level client keys and leaves the tree sent untouched', () => {
    const sent = { bx24_request_id: 'x', PARAMS: { bx24_request_id: 'kept', LINE_NAME: 'A' }, __order: 'order0' };
    assert.deepEqual(withoutClientKeys(sent), { PARAMS: { bx24_request_id: 'kept', LINE_NAME: 'A' } });
    assert.deepEqual(Object.keys(sent), ['bx24_request_id', 'PARAMS', '__order']);
  });
});
