// The Bitrix24 `.xml` transport (CRestServer::outputXml): `<response>…</response>` with no XML declaration,
// object keys as element names, integer keys (array items) as `<item>`, text escaped by CDataXML::xmlspecialchars
// (& < > " ' → &amp; &lt; &gt; &quot; &apos;).
//
// Scalars print as PHP's string conversion would: true → "1", false / null → "" (empty element), integers as
// digits, non-integral floats with PHP's `precision=14` (1700000000.123456 → "1700000000.1235", 1e-5 → "1.0E-5").
//
// Where Bitrix24 would print broken XML we print well-formed XML instead:
// - a key that is not a valid XML name (contains a space or a colon, starts with a digit, is empty, …) and is not
//   an integer becomes `<item key="the key">`;
// - characters XML 1.0 cannot carry (C0 controls except tab/LF/CR, U+FFFE, U+FFFF, lone surrogates) become U+FFFD.

import { EncodedJson } from './php-json.js';

const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** XML 1.0 Name without ':' (a colon would need a namespace declaration). */
const XML_NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');
const INT_KEY = /^(?:0|-?[1-9][0-9]{0,18})$/;
const LONG_MAX = 9223372036854775807n;

/** Keys PHP stores as integers (decimal, no leading zeros, within the 64-bit range). */
function isPhpIntKey(key: string): boolean {
  if (!INT_KEY.test(key)) return false;
  if (key.length < 18) return true;
  const n = BigInt(key);
  return n <= LONG_MAX && n >= -LONG_MAX - 1n;
}

const TEXT_ESCAPE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this matches
  /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeText(text: string): string {
  return text.replace(TEXT_ESCAPE, (ch) => ENTITIES[ch] ?? '\uFFFD');
}

/** PHP's (string) cast of a float with the default `precision=14` (zend_gcvt). */
export function phpFloatToString(x: number): string {
  if (Number.isNaN(x)) return 'NAN';
  if (!Number.isFinite(x)) return x > 0 ? 'INF' : '-INF';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const abs = Math.abs(x);
  let [mantissa = '', exponent = '0'] = abs.toExponential(13).split('e');
  let keepZeros = false;
  // toExponential rounds exact ties away from zero; PHP's zend_dtoa rounds them to even. (Its fast path for
  // integers below 1e15 then keeps trailing zeros: 100000000000005.0 → "1.0000000000000E+14".)
  const exact = abs.toExponential(40);
  if (/^\d\.\d{13}50*e/.test(exact) && Number(exact[14]) % 2 === 0) {
    mantissa = exact.slice(0, 15);
    exponent = exact.slice(exact.indexOf('e') + 1);
    keepZeros = Number.isInteger(abs) && abs < 1e15;
  }
  const digits = keepZeros ? mantissa.replace('.', '') : mantissa.replace('.', '').replace(/0+$/, '');
  const exp = Number(exponent);
  const decpt = exp + 1; // position of the decimal point relative to the digits
  if (decpt < 0 ? decpt < -3 : decpt > 14) {
    return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (digits.length <= decpt) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

function scalarText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return escapeText(value);
    case 'number':
      return Number.isSafeInteger(value) ? String(value) : phpFloatToString(value);
    case 'boolean':
      return value ? '1' : '';
    case 'bigint':
      return value.toString();
    default:
      return '';
  }
}

function appendMember(parts: string[], key: string, value: unknown, isIndex: boolean): void {
  let open: string;
  let close: string;
  if (isIndex || isPhpIntKey(key)) {
    open = '<item>';
    close = '</item>';
  } else if (XML_NAME.test(key)) {
    open = `<${key}>`;
    close = `</${key}>`;
  } else {
    open = `<item key="${escapeText(key)}">`;
    close = '</item>';
  }
  parts.push(open);
  appendValue(parts, value);
  parts.push(close);
}

function appendValue(parts: string[], value: unknown): void {
  if (value instanceof EncodedJson) value = value.value;
  if (value === null || typeof value !== 'object') {
    parts.push(scalarText(value));
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) appendMember(parts, '', item, true);
    return;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) appendMember(parts, String(key), item, typeof key === 'number');
    return;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    appendValue(parts, toJSON.call(value));
    return;
  }
  for (const key of Object.keys(value)) appendMember(parts, key, (value as Record<string, unknown>)[key], false);
}

/** The body of a Bitrix24 `.xml` transport response for `value` (usually `{result, time, …}` or an error). */
export function encodeXmlResponse(value: unknown): string {
  const parts: string[] = ['<response>'];
  appendValue(parts, value);
  parts.push('</response>');
  return parts.join('');
}
