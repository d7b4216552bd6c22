import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mergeParams,
  normalisePhpArrays,
  PARAMS_LIMITS,
  ParamsError,
  type ParamTree,
  parseJsonBody,
  parseMultipart,
  parsePhpQuery,
} from '../../src/wire/php-params.js';

// Recorded with php-cli 8.2: `parse_str($query, $r); echo json_encode((object) $r);` (invalid UTF-8 shown as
// U+FFFD, i.e. JSON_INVALID_UTF8_SUBSTITUTE). PHP lists are JSON arrays, every other PHP array is a JSON object.
const PHP_PARSE_STR: [string, ParamTree][] = [
  ['a=1', { a: '1' }],
  ['a=1&b=2', { a: '1', b: '2' }],
  ['a=1&a=2', { a: '2' }],
  ['a[]=1&a[]=2', { a: ['1', '2'] }],
  ['a[][b]=1&a[][b]=2', { a: [{ b: '1' }, { b: '2' }] }],
  ['a[0][b]=1&a[1][b]=2', { a: [{ b: '1' }, { b: '2' }] }],
  ['a=1&a[]=2', { a: ['2'] }],
  ['a[]=1&a=2', { a: '2' }],
  ['a[x]=1&a[x][y]=2', { a: { x: { y: '2' } } }],
  ['a[x][y]=2&a[x]=1', { a: { x: '1' } }],
  ['a[0][=1', { a: ['1'] }],
  ['a[][=1', { a: ['1'] }],
  ['a]=1', { 'a]': '1' }],
  ['[x]=1', {}],
  ['a[=1', { a_: '1' }],
  ['a[b=1', { a_b: '1' }],
  ['a[b][c=1', { a: { b: '1' } }],
  ['a]b=1', { 'a]b': '1' }],
  ['a][b]=1', { 'a]': { b: '1' } }],
  ['a[b]]=1', { a: { b: '1' } }],
  ['a[[b]]=1', { a: { '[b': '1' } }],
  ['a[b]x=1', { a: { b: '1' } }],
  ['a[b][c]x[d]=1', { a: { b: { c: '1' } } }],
  ['[]=1', {}],
  ['=1', {}],
  ['=', {}],
  ['&&a=1&&', { a: '1' }],
  ['a', { a: '' }],
  ['a=', { a: '' }],
  ['a=1=2', { a: '1=2' }],
  ['a+b=1', { a_b: '1' }],
  ['a.b=1', { a_b: '1' }],
  ['a b[c d]=1', { a_b: { 'c d': '1' } }],
  ['a.b[c.d]=1', { a_b: { 'c.d': '1' } }],
  [' a=1', { a: '1' }],
  ['a =1', { a_: '1' }],
  ['+a=1', { a: '1' }],
  ['a[ ]=1', { a: ['1'] }],
  ['a[ b]=1', { a: { ' b': '1' } }],
  ['a[b ]=1', { a: { 'b ': '1' } }],
  ['b[+1]=x', { b: { ' 1': 'x' } }],
  ['a[b c]=1', { a: { 'b c': '1' } }],
  ['%5Bx%5D=1', {}],
  ['a%5B0%5D=1', { a: ['1'] }],
  ['a%5Bb%5D%5B%5D=1', { a: { b: ['1'] } }],
  ['a[0]=1&a[2]=2', { a: { '0': '1', '2': '2' } }],
  ['a[1]=1&a[0]=2', { a: { '1': '1', '0': '2' } }],
  ['a[0]=x&a[1]=y&a[0]=z', { a: ['z', 'y'] }],
  ['a[999999999]=1', { a: { '999999999': '1' } }],
  ['a[-1]=1', { a: { '-1': '1' } }],
  ['a[-0]=1', { a: { '-0': '1' } }],
  ['a[01]=1', { a: { '01': '1' } }],
  ['a[0x1]=1', { a: { '0x1': '1' } }],
  ['a[1.5]=1', { a: { '1.5': '1' } }],
  ['a[b]=1&a[]=2', { a: { b: '1', '0': '2' } }],
  ['a[5]=1&a[]=2', { a: { '5': '1', '6': '2' } }],
  ['a[2]=x&a[]=y', { a: { '2': 'x', '3': 'y' } }],
  ['a[-5]=1&a[]=2', { a: { '-5': '1', '-4': '2' } }],
  ['a[9223372036854775807]=1&a[]=2', { a: { '9223372036854775807': '1' } }],
  ['a[9223372036854775808]=1&a[]=2', { a: { '9223372036854775808': '1', '0': '2' } }],
  ['a[]=1&a[0]=2', { a: ['2'] }],
  ['a[][]=1', { a: [['1']] }],
  ['a[0][][x]=1', { a: [[{ x: '1' }]] }],
  ['a[b][]=1&a[b][]=2', { a: { b: ['1', '2'] } }],
  ['a%00b=1', { a: '1' }],
  ['k=%00v', { k: '\u0000v' }],
  ['x=a+b%20c%2Bd', { x: 'a b c+d' }],
  ['x=%E2%82%AC', { x: '€' }],
  ['%E2%82%AC=1', { '€': '1' }],
  ['x=%zz', { x: '%zz' }],
  ['x=%', { x: '%' }],
  ['x=%2', { x: '%2' }],
  ['x=100%', { x: '100%' }],
  ['x=%FF', { x: '\uFFFD' }],
  ['x=%C3', { x: '\uFFFD' }],
  ['x=%C3%A9%FF', { x: 'é\uFFFD' }],
  ['x=%26%3D%3F', { x: '&=?' }],
  ['x=a&y=b;c', { x: 'a', y: 'b;c' }],
  ['constructor=1', { constructor: '1' }],
  ['prototype=1', { prototype: '1' }],
  ['a[constructor]=1', { a: { constructor: '1' } }],
  ['a[prototype][x]=1', { a: { prototype: { x: '1' } } }],
  [
    'PARAMS%5BLINE_NAME%5D=Online+Store+Support+Line&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_TYPE%5D=user&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_ID%5D=1&PARAMS%5BQUEUE%5D%5B1%5D%5BENTITY_TYPE%5D=user&PARAMS%5BQUEUE%5D%5B1%5D%5BENTITY_ID%5D=15&PARAMS%5BQUEUE_TYPE%5D=strictly&PARAMS%5BQUEUE_TIME%5D=45&PARAMS%5BWORKTIME_FROM%5D=09%3A00&PARAMS%5BWORKTIME_TIMEZONE%5D=Europe%2FBerlin&PARAMS%5BWORKTIME_DAYOFF%5D%5B0%5D=SA&PARAMS%5BWORKTIME_DAYOFF%5D%5B1%5D=SU',
    {
      PARAMS: {
        LINE_NAME: 'Online Store Support Line',
        QUEUE: [
          { ENTITY_TYPE: 'user', ENTITY_ID: '1' },
          { ENTITY_TYPE: 'user', ENTITY_ID: '15' },
        ],
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: '45',
        WORKTIME_FROM: '09:00',
        WORKTIME_TIMEZONE: 'Europe/Berlin',
        WORKTIME_DAYOFF: ['SA', 'SU'],
      },
    },
  ],
  [
    'FIELDS[TITLE]=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82&FIELDS[PHONE][0][VALUE]=555&FIELDS[PHONE][0][VALUE_TYPE]=WORK&auth=abc',
    { FIELDS: { TITLE: 'Привет', PHONE: [{ VALUE: '555', VALUE_TYPE: 'WORK' }] }, auth: 'abc' },
  ],
  ['0=a&1=b', { '0': 'a', '1': 'b' }],
  ['0[0]=a', { '0': ['a'] }],
];

const CREST_FORM =
  'PARAMS%5BLINE_NAME%5D=Online+Store+Support+Line&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_TYPE%5D=user&PARAMS%5BQUEUE%5D%5B0%5D%5BENTITY_ID%5D=1&PARAMS%5BQUEUE%5D%5B1%5D%5BENTITY_TYPE%5D=user&PARAMS%5BQUEUE%5D%5B1%5D%5BENTITY_ID%5D=15&PARAMS%5BQUEUE_TYPE%5D=strictly&PARAMS%5BQUEUE_TIME%5D=45&PARAMS%5BWORKTIME_FROM%5D=09%3A00&PARAMS%5BWORKTIME_TIMEZONE%5D=Europe%2FBerlin&PARAMS%5BWORKTIME_DAYOFF%5D%5B0%5D=SA&PARAMS%5BWORKTIME_DAYOFF%5D%5B1%5D=SU';

const CREST_JSON = `{
  "PARAMS": {
    "LINE_NAME": "Online Store Support Line",
    "QUEUE": [
      { "ENTITY_TYPE": "user", "ENTITY_ID": "1" },
      { "ENTITY_TYPE": "user", "ENTITY_ID": "15" }
    ],
    "QUEUE_TYPE": "strictly",
    "QUEUE_TIME": "45",
    "WORKTIME_FROM": "09:00",
    "WORKTIME_TIMEZONE": "Europe/Berlin",
    "WORKTIME_DAYOFF": ["SA", "SU"]
  }
}`;

const CREST_FIELDS: [string, string][] = [
  ['PARAMS[LINE_NAME]', 'Online Store Support Line'],
  ['PARAMS[QUEUE][0][ENTITY_TYPE]', 'user'],
  ['PARAMS[QUEUE][0][ENTITY_ID]', '1'],
  ['PARAMS[QUEUE][1][ENTITY_TYPE]', 'user'],
  ['PARAMS[QUEUE][1][ENTITY_ID]', '15'],
  ['PARAMS[QUEUE_TYPE]', 'strictly'],
  ['PARAMS[QUEUE_TIME]', '45'],
  ['PARAMS[WORKTIME_FROM]', '09:00'],
  ['PARAMS[WORKTIME_TIMEZONE]', 'Europe/Berlin'],
  ['PARAMS[WORKTIME_DAYOFF][0]', 'SA'],
  ['PARAMS[WORKTIME_DAYOFF][1]', 'SU'],
];

const BOUNDARY = '----openlinesTestBoundary7MA4YWxkTrZu0gW';
const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

type Part = { name: string; value: string; filename?: string; contentType?: string };

function multipartBody(parts: Part[]): Buffer {
  let text = '';
  for (const part of parts) {
    text += `--${BOUNDARY}\r\n`;
    text += `Content-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) text += `; filename="${part.filename}"`;
    text += '\r\n';
    if (part.contentType !== undefined) text += `Content-Type: ${part.contentType}\r\n`;
    text += `\r\n${part.value}\r\n`;
  }
  text += `--${BOUNDARY}--\r\n`;
  return Buffer.from(text, 'utf8');
}

function fieldParts(fields: [string, string][]): Part[] {
  return fields.map(([name, value]) => ({ name, value }));
}

function nested(levels: number): string {
  return `a${'[x]'.repeat(levels)}=1`;
}

function assertParamsError(fn: () => unknown, code: ParamsError['code'], message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ParamsError, `expected a ParamsError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

async function assertRejectsParams(promise: Promise<unknown>, code: ParamsError['code']): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ParamsError, `expected a ParamsError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

describe('parsePhpQuery', () => {
  for (const [query, expected] of PHP_PARSE_STR) {
    it(`matches PHP parse_str for ${JSON.stringify(query).slice(0, 80)}`, () => {
      assert.deepStrictEqual(parsePhpQuery(query), expected);
    });
  }

  it('decodes the CRest form body into the JSON form', () => {
    const form = parsePhpQuery(CREST_FORM);
    assert.deepStrictEqual(form, parseJsonBody(CREST_JSON));
    const params = form.PARAMS as ParamTree;
    assert.ok(Array.isArray(params.QUEUE));
    assert.equal(params.LINE_NAME, 'Online Store Support Line');
  });

  it('returns {} for an empty string', () => {
    assert.deepStrictEqual(parsePhpQuery(''), {});
  });

  it('keeps values as strings', () => {
    assert.deepStrictEqual(parsePhpQuery('a=1&b=true&c=null'), { a: '1', b: 'true', c: 'null' });
  });

  it('turns a huge index into an object key instead of a sparse array', () => {
    const result = parsePhpQuery('a[999999999]=1&b[4294967295]=2&c[10000]=x');
    assert.deepStrictEqual(result, { a: { '999999999': '1' }, b: { '4294967295': '2' }, c: { '10000': 'x' } });
    assert.ok(!Array.isArray(result.a));
  });

  it('never pollutes prototypes', () => {
    const result = parsePhpQuery(
      '__proto__[polluted]=1&a[__proto__][polluted]=2&__proto__=3&constructor[prototype][polluted]=4&prototype[polluted]=5&b[constructor]=6',
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.ok(!Object.hasOwn(result, '__proto__'));
    assert.deepStrictEqual(Object.keys(result), ['a', 'constructor', 'prototype', 'b']);
    assert.deepStrictEqual(result.a, []); // `a` held only a `__proto__` key, which is dropped: an empty PHP array
    assert.deepStrictEqual(result.constructor, { prototype: { polluted: '4' } });
    assert.deepStrictEqual(result.prototype, { polluted: '5' });
    assert.deepStrictEqual(result.b, { constructor: '6' });
  });

  it('accepts nesting up to maxDepth bracket levels and rejects deeper with TOO_DEEP', () => {
    assert.equal(PARAMS_LIMITS.maxDepth, 32);
    let value: unknown = parsePhpQuery(nested(32)).a;
    for (let i = 0; i < 32; i++) value = (value as Record<string, unknown>).x;
    assert.equal(value, '1');
    assertParamsError(() => parsePhpQuery(nested(33)), 'TOO_DEEP', /nested deeper than 32 levels/);
    assertParamsError(() => parsePhpQuery(`a${'[]'.repeat(1000)}=1`), 'TOO_DEEP');
  });

  it('accepts maxParameters pairs and rejects more with TOO_MANY_PARAMS', () => {
    const pairs = Array.from({ length: PARAMS_LIMITS.maxParameters }, (_, i) => `p${i}=${i}`);
    assert.equal(Object.keys(parsePhpQuery(pairs.join('&'))).length, PARAMS_LIMITS.maxParameters);
    // Empty pairs between separators do not count.
    assert.equal(Object.keys(parsePhpQuery(`${pairs.join('&&')}&`)).length, PARAMS_LIMITS.maxParameters);
    assertParamsError(() => parsePhpQuery(`${pairs.join('&')}&extra=1`), 'TOO_MANY_PARAMS', /10000/);
  });

  it('builds a list with a[] up to the parameter limit', () => {
    const list = parsePhpQuery(Array.from({ length: 10_000 }, (_, i) => `a[]=${i}`).join('&')).a;
    assert.ok(Array.isArray(list));
    assert.equal(list.length, 10_000);
    assert.equal(list[9_999], '9999');
  });

  it('does not throw on malformed keys or escapes', () => {
    for (const q of [
      'a[0][',
      'a]',
      '[x]',
      '[',
      ']',
      '[[[',
      ']]]',
      '%',
      '%%%',
      'a[%ZZ]=%',
      '=&=&=',
      '&',
      'a[b][[c]]]=1',
    ]) {
      assert.doesNotThrow(() => parsePhpQuery(q), q);
    }
  });
});

describe('normalisePhpArrays', () => {
  it('turns objects keyed "0".."n-1" into arrays, recursively', () => {
    assert.deepStrictEqual(normalisePhpArrays({ QUEUE: { '0': { ID: 1 }, '1': { ID: { '0': 'x' } } } }), {
      QUEUE: [{ ID: 1 }, { ID: ['x'] }],
    });
  });

  it('keeps other objects as objects', () => {
    assert.deepStrictEqual(normalisePhpArrays({ '0': 'a', '2': 'b' }), { '0': 'a', '2': 'b' });
    assert.deepStrictEqual(normalisePhpArrays({ '1': 'a' }), { '1': 'a' });
    assert.deepStrictEqual(normalisePhpArrays({ '0': 'a', x: 'b' }), { '0': 'a', x: 'b' });
    assert.deepStrictEqual(normalisePhpArrays({ '00': 'a' }), { '00': 'a' });
  });

  it('treats an empty object as an empty PHP array', () => {
    assert.deepStrictEqual(normalisePhpArrays({ a: {} }), { a: [] });
  });

  it('keeps arrays and scalars', () => {
    assert.deepStrictEqual(normalisePhpArrays([1, 'a', true, null, [{ '0': 2 }]]), [1, 'a', true, null, [[2]]]);
    assert.equal(normalisePhpArrays('x'), 'x');
    assert.equal(normalisePhpArrays(5), 5);
    assert.equal(normalisePhpArrays(null), null);
  });

  it('maps non-JSON values like JSON would', () => {
    assert.deepStrictEqual(normalisePhpArrays({ a: undefined, b: Number.NaN, c: 10n, d: [undefined] }), {
      b: null,
      c: '10',
      d: [null],
    });
  });

  it('drops __proto__ keys', () => {
    const result = normalisePhpArrays(
      JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2},"b":1}}'),
    );
    assert.deepStrictEqual(result, { a: { b: 1 } });
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepStrictEqual(normalisePhpArrays(JSON.parse('{"a":{"0":"x","__proto__":1},"b":{"__proto__":1}}')), {
      a: ['x'],
      b: [],
    });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects containers nested deeper than maxDepth with TOO_DEEP', () => {
    const build = (levels: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = { x: v };
      return v;
    };
    // The value itself is level 0, so 33 nested objects = 32 levels below it = a[x]…[x] with 32 brackets.
    assert.doesNotThrow(() => normalisePhpArrays(build(33)));
    assertParamsError(() => normalisePhpArrays(build(34)), 'TOO_DEEP', /nested deeper than 32 levels/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assertParamsError(() => normalisePhpArrays(cyclic), 'TOO_DEEP');
  });
});

describe('parseJsonBody', () => {
  it('refuses a lone UTF-16 surrogate escape as PHP json_decode does, naming where it is', () => {
    for (const [text, where] of [
      ['{"PARAMS":{"LINE_NAME":"a\\ud800"}}', 'PARAMS.LINE_NAME'],
      ['{"PARAMS":{"LINE_NAME":"\\udc00b"}}', 'PARAMS.LINE_NAME'],
      ['{"PARAMS":{"\\uDBFF":"x"}}', 'PARAMS.\udbff'],
      ['{"Q":["ok","\\ude00\\ud83d"]}', 'Q.1'],
    ] as const) {
      assertParamsError(() => parseJsonBody(text), 'INVALID_JSON');
      assert.throws(
        () => parseJsonBody(text),
        (error: Error) => error.message.includes(where),
        text,
      );
    }
  });

  it('keeps surrogate pairs, and text that only looks like an escape', () => {
    assert.deepStrictEqual(parseJsonBody('{"a":"\\ud83d\\ude00","b":"\\\\ud800"}'), { a: '😀', b: '\\ud800' });
  });

  it('treats {"0":…,"1":…} and […] alike', () => {
    const asObject = parseJsonBody(
      '{"QUEUE":{"0":{"ENTITY_TYPE":"user","ENTITY_ID":1},"1":{"ENTITY_TYPE":"user","ENTITY_ID":15}}}',
    );
    const asArray = parseJsonBody(
      '{"QUEUE":[{"ENTITY_TYPE":"user","ENTITY_ID":1},{"ENTITY_TYPE":"user","ENTITY_ID":15}]}',
    );
    assert.deepStrictEqual(asObject, asArray);
    assert.ok(Array.isArray(asObject.QUEUE));
  });

  it('keeps JSON types (no coercion to strings)', () => {
    assert.deepStrictEqual(parseJsonBody('{"a":1,"b":1.5,"c":true,"d":null,"e":"x"}'), {
      a: 1,
      b: 1.5,
      c: true,
      d: null,
      e: 'x',
    });
  });

  it('treats a top-level array as a PHP array keyed 0..n-1 and [] as {}', () => {
    assert.deepStrictEqual(parseJsonBody('[]'), {});
    assert.deepStrictEqual(parseJsonBody('{}'), {});
    assert.deepStrictEqual(parseJsonBody('["a",{"b":1}]'), { '0': 'a', '1': { b: 1 } });
    assert.deepStrictEqual(parseJsonBody('{"0":"a"}'), { '0': 'a' });
  });

  it('treats an empty or blank body as {}', () => {
    assert.deepStrictEqual(parseJsonBody(''), {});
    assert.deepStrictEqual(parseJsonBody(' \n'), {});
  });

  it('rejects invalid JSON with INVALID_JSON and names the problem', () => {
    assertParamsError(() => parseJsonBody('{"a":1,}'), 'INVALID_JSON', /^Request body is not valid JSON: /);
    assertParamsError(() => parseJsonBody('{"a":'), 'INVALID_JSON');
  });

  it('rejects a JSON body that is not an object or array with INVALID_REQUEST', () => {
    for (const body of ['"x"', '5', 'true', 'null']) {
      assertParamsError(() => parseJsonBody(body), 'INVALID_REQUEST', /^The request body must be a JSON object$/);
    }
  });

  it('drops __proto__ keys', () => {
    const result = parseJsonBody('{"__proto__":{"polluted":1},"a":1}');
    assert.deepStrictEqual(result, { a: 1 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects deep nesting with TOO_DEEP', () => {
    assertParamsError(() => parseJsonBody(`{"a":${'['.repeat(40)}${']'.repeat(40)}}`), 'TOO_DEEP');
    assert.doesNotThrow(() => parseJsonBody(`{"a":${'['.repeat(32)}${']'.repeat(32)}}`));
  });
});

describe('parseMultipart', () => {
  it('rebuilds the CRest fields into the same tree as the form body', async () => {
    const body = multipartBody(fieldParts(CREST_FIELDS));
    assert.deepStrictEqual(await parseMultipart(body, MULTIPART_TYPE), parsePhpQuery(CREST_FORM));
  });

  it('ignores (and drains) file parts', async () => {
    const parts: Part[] = [
      { name: 'a[]', value: '1' },
      { name: 'file', value: 'x'.repeat(200_000), filename: 'big.bin', contentType: 'application/octet-stream' },
      { name: 'FIELDS[FILE]', value: 'data', filename: 'a.txt', contentType: 'text/plain' },
      { name: 'a[]', value: '2' },
    ];
    assert.deepStrictEqual(await parseMultipart(multipartBody(parts), MULTIPART_TYPE), { a: ['1', '2'] });
  });

  it('takes field names as sent (no percent-decoding) and reads UTF-8', async () => {
    const parts = fieldParts([
      ['a%5B0%5D', 'x'],
      ['FIELDS[TITLE]', 'Привет & <hi>'],
      ['Имя[ключ]', 'значение'],
      ['empty', ''],
      ['multi', 'line1\r\nline2'],
    ]);
    assert.deepStrictEqual(await parseMultipart(multipartBody(parts), MULTIPART_TYPE), {
      'a%5B0%5D': 'x',
      FIELDS: { TITLE: 'Привет & <hi>' },
      Имя: { ключ: 'значение' },
      empty: '',
      multi: 'line1\r\nline2',
    });
  });

  it('does not truncate long values or names', async () => {
    const longName = `k${'[x]'.repeat(30)}`;
    const parts = fieldParts([
      ['big', 'v'.repeat(2 * 1024 * 1024)],
      [longName, '1'],
    ]);
    const result = await parseMultipart(multipartBody(parts), MULTIPART_TYPE);
    assert.equal((result.big as string).length, 2 * 1024 * 1024);
    assert.ok(result.k !== undefined);
  });

  it('applies the same limits', async () => {
    await assertRejectsParams(
      parseMultipart(multipartBody(fieldParts([[nested(33).slice(0, -2), '1']])), MULTIPART_TYPE),
      'TOO_DEEP',
    );
    const many = Array.from({ length: PARAMS_LIMITS.maxParameters + 1 }, (_, i): [string, string] => [`p${i}`, 'v']);
    await assertRejectsParams(parseMultipart(multipartBody(fieldParts(many)), MULTIPART_TYPE), 'TOO_MANY_PARAMS');
    const result = await parseMultipart(multipartBody(fieldParts(many.slice(1))), MULTIPART_TYPE);
    assert.equal(Object.keys(result).length, PARAMS_LIMITS.maxParameters);
  });

  it('never pollutes prototypes', async () => {
    const parts = fieldParts([
      ['__proto__[polluted]', '1'],
      ['constructor[prototype][polluted]', '2'],
    ]);
    const result = await parseMultipart(multipartBody(parts), MULTIPART_TYPE);
    assert.deepStrictEqual(result, { constructor: { prototype: { polluted: '2' } } });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects a missing boundary, another content type or a broken body with INVALID_REQUEST', async () => {
    const body = multipartBody(fieldParts([['a', '1']]));
    await assertRejectsParams(parseMultipart(body, 'multipart/form-data'), 'INVALID_REQUEST');
    await assertRejectsParams(parseMultipart(body, 'application/x-www-form-urlencoded'), 'INVALID_REQUEST');
    await assertRejectsParams(parseMultipart(body.subarray(0, body.length - 10), MULTIPART_TYPE), 'INVALID_REQUEST');
    await assertRejectsParams(parseMultipart(Buffer.from('garbage'), MULTIPART_TYPE), 'INVALID_REQUEST');
  });

  it('accepts an empty form', async () => {
    assert.deepStrictEqual(await parseMultipart(Buffer.from(`--${BOUNDARY}--\r\n`), MULTIPART_TYPE), {});
  });
});

describe('mergeParams', () => {
  it('lets body keys replace query keys at the top level only (array_replace)', () => {
    const query: ParamTree = { auth: 'q', a: '1', b: { x: '1', y: '2' } };
    const body: ParamTree = { b: { x: '3' }, c: '4', auth: 'b' };
    assert.deepStrictEqual(mergeParams(query, body), { auth: 'b', a: '1', b: { x: '3' }, c: '4' });
    assert.deepStrictEqual(Object.keys(mergeParams(query, body)), ['auth', 'a', 'b', 'c']);
    assert.deepStrictEqual(query, { auth: 'q', a: '1', b: { x: '1', y: '2' } }, 'inputs are not mutated');
  });

  it('merges parsed query and body', () => {
    const merged = mergeParams(parsePhpQuery('auth=abc&PARAMS[A]=1'), parseJsonBody('{"PARAMS":{"B":2}}'));
    assert.deepStrictEqual(merged, { auth: 'abc', PARAMS: { B: 2 } });
  });
});
