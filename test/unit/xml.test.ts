import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeXmlResponse, phpFloatToString } from '../../src/wire/xml.js';

// Where keys are valid XML names, the expected strings are what Bitrix24's CRestServer::outputXml
// (with CDataXML::xmlspecialchars) prints, recorded by running that PHP code with php-cli 8.2.

describe('encodeXmlResponse', () => {
  it('prints the example from the brief', () => {
    assert.equal(
      encodeXmlResponse({ result: 15, time: { start: 1.5 } }),
      '<response><result>15</result><time><start>1.5</start></time></response>',
    );
  });

  it('prints array items as <item> and escapes & < > " \'', () => {
    assert.equal(
      encodeXmlResponse({ result: [1, 2, { a: 'x<y & "z" \'q\'' }], total: 2, next: 50 }),
      '<response><result><item>1</item><item>2</item><item><a>x&lt;y &amp; &quot;z&quot; &apos;q&apos;</a></item></result><total>2</total><next>50</next></response>',
    );
  });

  it('prints booleans, null and floats as PHP string conversion does', () => {
    assert.equal(
      encodeXmlResponse({
        result: true,
        other: false,
        n: null,
        f: 1700000000.123456,
        neg: -0.25,
        tiny: 1e-7,
        big: 1e25,
        e: '',
        u: 'é😀',
      }),
      '<response><result>1</result><other></other><n></n><f>1700000000.1235</f><neg>-0.25</neg><tiny>1.0E-7</tiny><big>1.0E+25</big><e></e><u>é😀</u></response>',
    );
  });

  it('prints integer-like object keys as <item>, like PHP integer keys', () => {
    assert.equal(
      encodeXmlResponse({ result: { '5': 'a', '-3': 'b' } }),
      '<response><result><item>a</item><item>b</item></result></response>',
    );
  });

  it('prints empty containers as empty elements and nests lists', () => {
    assert.equal(
      encodeXmlResponse({ result: { items: [], obj: {}, nested: [[1, [2, [3]]]] } }),
      '<response><result><items></items><obj></obj><nested><item><item>1</item><item><item>2</item><item><item>3</item></item></item></item></nested></result></response>',
    );
  });

  it('prints an error response', () => {
    assert.equal(
      encodeXmlResponse({ error: 'ERROR_CORE', error_description: 'Method not found!' }),
      '<response><error>ERROR_CORE</error><error_description>Method not found!</error_description></response>',
    );
  });

  it('prints a top-level list and a realistic result', () => {
    assert.equal(
      encodeXmlResponse([1, 'two', [3]]),
      '<response><item>1</item><item>two</item><item><item>3</item></item></response>',
    );
    assert.equal(
      encodeXmlResponse({ result: { ID: '1', NAME: 'Line', QUEUE: [{ ENTITY_ID: 1 }, { ENTITY_ID: 15 }] } }),
      '<response><result><ID>1</ID><NAME>Line</NAME><QUEUE><item><ENTITY_ID>1</ENTITY_ID></item><item><ENTITY_ID>15</ENTITY_ID></item></QUEUE></result></response>',
    );
  });

  it('has no XML declaration', () => {
    assert.ok(encodeXmlResponse({}).startsWith('<response>'));
    assert.equal(encodeXmlResponse({}), '<response></response>');
  });

  it('prints keys that are not XML names as <item key="…"> (well-formed, unlike Bitrix24)', () => {
    assert.equal(
      encodeXmlResponse({ 'a b': 1, '007': 2, '1x': 3, '': 4, 'ns:tag': 5, 'q"<&': 6, '-0': 7 }),
      '<response><item key="a b">1</item><item key="007">2</item><item key="1x">3</item><item key="">4</item><item key="ns:tag">5</item><item key="q&quot;&lt;&amp;">6</item><item key="-0">7</item></response>',
    );
    // Large integers beyond PHP's int range are string keys in PHP, so not <item>s.
    assert.equal(
      encodeXmlResponse({ '9223372036854775807': 1, '9223372036854775808': 2 }),
      '<response><item>1</item><item key="9223372036854775808">2</item></response>',
    );
  });

  it('accepts valid non-ASCII names and names with - . _', () => {
    assert.equal(
      encodeXmlResponse({ Имя: 1, _a: 2, 'a-b.c': 3, UF_CRM_1: 4 }),
      '<response><Имя>1</Имя><_a>2</_a><a-b.c>3</a-b.c><UF_CRM_1>4</UF_CRM_1></response>',
    );
  });

  it('replaces characters XML 1.0 cannot carry with U+FFFD, keeping tab, LF, CR and astral characters', () => {
    assert.equal(
      encodeXmlResponse({ t: 'a\u0000b\u0008c\u000Bd\tline\nx\r\uFFFE\uFFFF\uD800z\uDC00😀' }),
      '<response><t>a\uFFFDb\uFFFDc\uFFFDd\tline\nx\r\uFFFD\uFFFD\uFFFDz\uFFFD😀</t></response>',
    );
  });

  it('accepts Maps (number keys as <item>) and values with toJSON', () => {
    const map = new Map<string | number, unknown>([
      [0, 'a'],
      ['k', 'b'],
    ]);
    assert.equal(
      encodeXmlResponse({ m: map, d: new Date('2024-01-02T03:04:05.000Z') }),
      '<response><m><item>a</item><k>b</k></m><d>2024-01-02T03:04:05.000Z</d></response>',
    );
  });
});

describe('phpFloatToString', () => {
  // Recorded with php-cli 8.2: var_export($x) => (string) $x (precision=14).
  const PHP: [number, string][] = [
    [1.5, '1.5'],
    [1700000000.123456, '1700000000.1235'],
    [0.30000000000000004, '0.3'],
    [1.0e25, '1.0E+25'],
    [1000000000000000.0, '1.0E+15'],
    [100000000000000.0, '1.0E+14'],
    [123456789012345.67, '1.2345678901235E+14'],
    [1.0e-5, '1.0E-5'],
    [0.0001, '0.0001'],
    [-0.0, '-0'],
    [1.0e100, '1.0E+100'],
    [2.5e-10, '2.5E-10'],
    [-24412351579364.5, '-24412351579364'],
    [100000000000005.0, '1.0000000000000E+14'],
    [1000000000000.25, '1000000000000.2'],
    [1000000000000.75, '1000000000000.8'],
    [-1.25, '-1.25'],
    [0.000123456789012345, '0.00012345678901234'],
    [1.7976931348623157e308, '1.7976931348623E+308'],
    [5.0e-324, '4.9406564584125E-324'],
    [Number.POSITIVE_INFINITY, 'INF'],
    [Number.NEGATIVE_INFINITY, '-INF'],
    [Number.NaN, 'NAN'],
  ];
  for (const [value, php] of PHP) {
    it(`prints ${value} as ${php}`, () => {
      assert.equal(phpFloatToString(value), php);
    });
  }
});
