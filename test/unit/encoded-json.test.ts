// EncodedJson (issue 20): a value encoded once and spliced into every answer that carries it, byte for byte what
// encoding the value itself gives, in JSON and in XML, at the top of an answer and inside a batch.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncodedJson, encodePhpJson } from '../../src/wire/php-json.js';
import { encodeXmlResponse } from '../../src/wire/xml.js';

const value = { A: "x/y<é>&'", B: [1, '2', null], C: { '3': 'z', '1': '😀' }, D: [] };

describe('EncodedJson', () => {
  it('encodes as its value does, at the top and nested (a batch), any number of times', () => {
    const encoded = new EncodedJson(value);
    assert.equal(
      encodePhpJson({ result: encoded, time: { s: 'a/b' } }),
      encodePhpJson({ result: value, time: { s: 'a/b' } }),
    );
    const batch = { result: { result: { a: encoded, b: encoded, c: 'q' }, result_error: [] } };
    const plain = { result: { result: { a: value, b: value, c: 'q' }, result_error: [] } };
    assert.equal(encodePhpJson(batch), encodePhpJson(plain));
    assert.equal(encodePhpJson(encoded), encodePhpJson(value));
  });

  it('is its value to JSON.stringify and to the XML encoder', () => {
    const encoded = new EncodedJson(value);
    assert.equal(JSON.stringify({ r: encoded }), JSON.stringify({ r: value }));
    assert.equal(encodeXmlResponse({ result: encoded }), encodeXmlResponse({ result: value }));
  });

  it('a string that looks like the splice token stays a string', () => {
    const lookalike = '\u0000EJ0:0\u0000';
    assert.equal(encodePhpJson({ a: lookalike, b: new EncodedJson(1) }), encodePhpJson({ a: lookalike, b: 1 }));
  });
});
