import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePhpJson, toPhpList } from '../../src/wire/php-json.js';

// Expected strings were recorded with php-cli 8.2:
// json_encode($x, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS).

describe('encodePhpJson', () => {
  it('escapes like PHP json_encode with JSON_HEX_TAG|JSON_HEX_AMP|JSON_HEX_APOS', () => {
    const input = 'a/b<>&\'"é€😀\u007f\u0001\u001f\t\n\r\b\f\\ \u2028';
    // PHP leaves DEL (0x7F) unescaped.
    const php =
      '"a\\/b\\u003C\\u003E\\u0026\\u0027\\"\\u00e9\\u20ac\\ud83d\\ude00\u007f\\u0001\\u001f\\t\\n\\r\\b\\f\\\\ \\u2028"';
    assert.equal(encodePhpJson(input), php);
  });

  it('prints a typical response exactly as PHP', () => {
    const value = {
      result: { ID: 15, URL: 'https://example.com/a?b=1&c=2', T: '<b>Hi</b>', N: 'Привет' },
      time: { start: 1.5 },
    };
    const php =
      '{"result":{"ID":15,"URL":"https:\\/\\/example.com\\/a?b=1\\u0026c=2","T":"\\u003Cb\\u003EHi\\u003C\\/b\\u003E","N":"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442"},"time":{"start":1.5}}';
    assert.equal(encodePhpJson(value), php);
  });

  it('uses upper-case hex for the HEX_ flags and lower-case hex for non-ASCII', () => {
    assert.equal(encodePhpJson('<'), '"\\u003C"');
    assert.equal(encodePhpJson('ÿ'), '"\\u00ff"');
    assert.equal(encodePhpJson('\uFEFF'), '"\\ufeff"');
  });

  it('prints astral characters as surrogate pairs', () => {
    assert.equal(encodePhpJson('😀𝄞'), '"\\ud83d\\ude00\\ud834\\udd1e"');
  });

  it('escapes object keys too', () => {
    assert.equal(encodePhpJson({ 'é/<': 1 }), '{"\\u00e9\\/\\u003C":1}');
  });

  it('does not escape the double quote specially', () => {
    assert.equal(encodePhpJson('say "hi"'), '"say \\"hi\\""');
  });

  it('prints integers as integers and floats as JS does', () => {
    assert.equal(
      encodePhpJson([1, -3, 0, 1.5, 0.1 + 0.2, 12345678901234]),
      '[1,-3,0,1.5,0.30000000000000004,12345678901234]',
    );
  });

  it('prints null, booleans, empty containers', () => {
    assert.equal(
      encodePhpJson({ a: null, b: true, c: false, d: [], e: {} }),
      '{"a":null,"b":true,"c":false,"d":[],"e":{}}',
    );
    assert.equal(encodePhpJson(undefined), 'null');
  });

  it('returns the JSON.stringify output untouched when nothing needs escaping', () => {
    const value = { result: [1, 2, { a: 'plain ascii text', b: 'tab\tand "quotes"' }], total: 3 };
    assert.equal(encodePhpJson(value), JSON.stringify(value));
  });

  it('handles large strings with many escapes', () => {
    const big = '<é/>'.repeat(50_000);
    const encoded = encodePhpJson(big);
    assert.equal(encoded, `"${'\\u003C\\u00e9\\/\\u003E'.repeat(50_000)}"`);
    assert.equal(JSON.parse(encoded), big);
  });
});

describe('toPhpList', () => {
  it('returns an array when the keys are exactly 0..n-1 in order', () => {
    assert.deepStrictEqual(
      toPhpList(
        new Map<string | number, unknown>([
          [0, 'a'],
          ['1', 'b'],
          [2, 'c'],
        ]),
      ),
      ['a', 'b', 'c'],
    );
    assert.deepStrictEqual(toPhpList({ '0': 'a', '1': 'b' }), ['a', 'b']);
  });

  it('returns [] when empty', () => {
    assert.deepStrictEqual(toPhpList(new Map()), []);
    assert.deepStrictEqual(toPhpList({}), []);
  });

  it('returns an object otherwise', () => {
    assert.deepStrictEqual(
      toPhpList(
        new Map<string | number, unknown>([
          [1, 'a'],
          [0, 'b'],
        ]),
      ),
      { '1': 'a', '0': 'b' },
    );
    assert.deepStrictEqual(
      toPhpList(
        new Map<string | number, unknown>([
          ['cmd1', { ID: 1 }],
          ['cmd2', null],
        ]),
      ),
      { cmd1: { ID: 1 }, cmd2: null },
    );
    assert.deepStrictEqual(toPhpList({ '0': 'a', '2': 'b' }), { '0': 'a', '2': 'b' });
    assert.deepStrictEqual(toPhpList(new Map([['00', 'a']])), { '00': 'a' });
    assert.deepStrictEqual(toPhpList(new Map([[-1, 'a']])), { '-1': 'a' });
  });

  it('is not recursive', () => {
    const inner = { '0': 'x' };
    const result = toPhpList(new Map([[0, inner]]));
    assert.deepStrictEqual(result, [inner]);
    assert.equal((result as unknown[])[0], inner);
  });

  it('prints as PHP json_encode prints arrays', () => {
    assert.equal(encodePhpJson({ result: toPhpList(new Map()) }), '{"result":[]}');
    assert.equal(
      encodePhpJson({
        result: toPhpList(
          new Map<string | number, unknown>([
            ['a', 1],
            ['b', 2],
          ]),
        ),
      }),
      '{"result":{"a":1,"b":2}}',
    );
  });

  it('cannot change a prototype through a __proto__ key', () => {
    const result = toPhpList(new Map<string, unknown>([['__proto__', { polluted: true }]])) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.ok(Object.hasOwn(result, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(encodePhpJson(result), '{"__proto__":{"polluted":true}}');
  });
});
