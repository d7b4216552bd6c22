// Request parameter parsing with PHP semantics.
//
// Bitrix24 is PHP: whatever a client sends (query string, form body, multipart body, JSON body) ends up as one
// PHP array built by `parse_str` (php_register_variable_ex in main/php_variables.c) or `json_decode($x, true)`.
// This module rebuilds exactly that array as one plain JS tree, so that every client which works against
// Bitrix24 sees the same parameters here.
//
// Form keys are parsed by a direct port of php_register_variable_ex (PHP 8.2), not by `qs`: qs cannot reproduce
// PHP's handling of malformed keys (`a[b` → `a_b`, `a.b` → `a_b`, `a[b]x` → `a[b]`), of `a[]` after an explicit
// index (`a[5]=1&a[]=2` → keys 5, 6) or of the last-duplicate-wins rule across mixed scalar/array keys.
// The expectations in test/unit/php-params.test.ts were recorded from php-cli 8.2's parse_str.
//
// Deviations from PHP, on purpose:
// - nesting deeper than PARAMS_LIMITS.maxDepth and more than PARAMS_LIMITS.maxParameters pairs throw a ParamsError
//   (PHP silently drops the variable / truncates the input with a warning);
// - a `__proto__` key is dropped wherever it appears (PHP keeps it as an ordinary key);
// - percent-escapes that do not form valid UTF-8 decode to U+FFFD (PHP keeps the raw bytes);
// - a JS object cannot keep integer-like keys in insertion order, so a PHP array `[1 => 'x', 0 => 'y']`
//   becomes `{0: 'y', 1: 'x'}` (an object, as PHP's json_encode prints it, but the order is JS's); for the same
//   reason the JSON object `{"1": "x", "0": "y"}` becomes the list `["y", "x"]` (PHP: not a list).

import { Buffer } from 'node:buffer';
import busboy from 'busboy';

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export type ParamTree = { [key: string]: ParamValue };

export type ParamsErrorCode = 'INVALID_REQUEST' | 'INVALID_JSON' | 'TOO_DEEP' | 'TOO_MANY_PARAMS';

export class ParamsError extends Error {
  constructor(
    readonly code: ParamsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ParamsError';
  }
}

/**
 * Limits applied to every request body and query string.
 *
 * - maxDepth: how many levels of nesting below the top-level parameter are allowed. For form keys this is the
 *   number of bracket groups (`a[1][2]…[32]` is the deepest accepted key; PHP's max_input_nesting_level is 64);
 *   for JSON the top-level object is level 0 and each nested object/array adds one level. Deeper → TOO_DEEP.
 * - maxParameters: the most `name=value` pairs (form / query) or multipart text fields one input may carry
 *   (PHP's max_input_vars is 1000). More → TOO_MANY_PARAMS.
 * - maxArrayIndex: the largest index that may become a position in a JS array. A PHP array becomes a JS array only
 *   when its keys are exactly 0..n-1 in order, so a sparse index such as `a[999999999]` never allocates: it yields
 *   an object keyed "999999999". A list longer than maxArrayIndex + 1 elements is kept as an object as well.
 */
export const PARAMS_LIMITS = {
  maxDepth: 32,
  maxParameters: 10_000,
  maxArrayIndex: 10_000,
} as const;

const DROPPED_KEY = '__proto__';

function tooDeep(): ParamsError {
  return new ParamsError('TOO_DEEP', `Parameters are nested deeper than ${PARAMS_LIMITS.maxDepth} levels`);
}

function tooMany(): ParamsError {
  return new ParamsError(
    'TOO_MANY_PARAMS',
    `Too many parameters: at most ${PARAMS_LIMITS.maxParameters} parameters are accepted`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// PHP arrays (ordered hash maps with integer/string keys), used while building the tree from form pairs.

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const INT_KEY = /^(?:0|-?[1-9][0-9]*)$/;

/** The integer value of a key PHP would store as an integer (ZEND_HANDLE_NUMERIC_STR), else undefined. */
function phpIntKey(key: string): bigint | undefined {
  if (key.length > 20 || !INT_KEY.test(key)) return undefined;
  if (key.length < 16) return BigInt(Number(key));
  const n = BigInt(key);
  return n > LONG_MAX || n < LONG_MIN ? undefined : n;
}

type PhpEntry = string | PhpArray;

class PhpArray {
  readonly map = new Map<string, PhpEntry>();
  /** nNextFreeElement; undefined while no integer key was ever inserted (PHP: ZEND_LONG_MIN → next is 0). */
  nextFree: bigint | undefined = undefined;

  set(key: string, value: PhpEntry): void {
    const n = phpIntKey(key);
    if (n !== undefined && (this.nextFree === undefined || n >= this.nextFree)) {
      this.nextFree = n < LONG_MAX ? n + 1n : LONG_MAX;
    }
    this.map.set(key, value);
  }

  /** `$a[] = value`; false when PHP's next_index_insert fails (the next index would overflow). */
  append(value: PhpEntry): boolean {
    const n = this.nextFree ?? 0n;
    if (n === LONG_MAX && this.map.has(String(n))) return false;
    this.set(String(n), value);
    return true;
  }
}

/** Port of php_register_variable_ex: registers `name=value` into `root`. */
function registerVariable(root: PhpArray, rawName: string, value: string): void {
  let name = rawName;
  // The name is a C string in PHP: it ends at the first NUL byte.
  const nul = name.indexOf('\0');
  if (nul !== -1) name = name.slice(0, nul);
  // Leading spaces are ignored.
  let start = 0;
  while (name.charCodeAt(start) === 32) start++;
  if (start > 0) name = name.slice(start);

  const firstBracket = name.indexOf('[');
  // Spaces and dots in the base name become underscores (only before the first '[').
  const base = (firstBracket === -1 ? name : name.slice(0, firstBracket)).replace(/[ .]/g, '_');
  if (base.length === 0) return; // empty variable name: PHP ignores the pair

  let table = root;
  let index: string | null = base; // null means "append" (`[]`)

  if (firstBracket !== -1) {
    let bracket = firstBracket; // position of the current '['
    let level = 0;
    for (;;) {
      if (++level > PARAMS_LIMITS.maxDepth) throw tooDeep();
      const indexStart = bracket + 1;
      let ip = indexStart;
      if (name.charCodeAt(ip) === 32) ip++; // `[ ]` means `[]`
      let newIndex: string | null;
      if (name.charCodeAt(ip) === 93 /* ] */) {
        newIndex = null;
      } else {
        const close = name.indexOf(']', ip);
        if (close === -1) {
          // Not an index. On the first level PHP un-terminates the variable name, so the whole rest becomes part
          // of it (with ' ', '.', '[' replaced by '_'); deeper, the previous index is used as is.
          if (level === 1) index = `${base}_${name.slice(indexStart).replace(/[ .[]/g, '_')}`;
          break;
        }
        newIndex = name.slice(indexStart, close);
        ip = close;
      }

      if (index === DROPPED_KEY) return;
      let sub: PhpArray;
      if (index === null) {
        sub = new PhpArray();
        if (!table.append(sub)) return;
      } else {
        const existing = table.map.get(index);
        if (existing instanceof PhpArray) {
          sub = existing;
        } else {
          sub = new PhpArray();
          table.set(index, sub); // a scalar in the way is replaced (keeping its position), as PHP does
        }
      }
      table = sub;
      index = newIndex;

      ip++; // past ']'
      if (name.charCodeAt(ip) === 91 /* [ */) {
        bracket = ip;
      } else {
        break; // anything after the ']' that is not '[' is ignored
      }
    }
  }

  if (index === null) table.append(value);
  else if (index !== DROPPED_KEY) table.set(index, value);
}

function phpArrayToTree(arr: PhpArray): ParamTree {
  const out: ParamTree = {};
  for (const [key, entry] of arr.map) {
    out[key] = typeof entry === 'string' ? entry : phpArrayToValue(entry);
  }
  return out;
}

function phpArrayToValue(arr: PhpArray): ParamValue {
  const size = arr.map.size;
  if (size - 1 <= PARAMS_LIMITS.maxArrayIndex) {
    let i = 0;
    let isList = true;
    for (const key of arr.map.keys()) {
      if (key !== String(i++)) {
        isList = false;
        break;
      }
    }
    if (isList) {
      const list: ParamValue[] = [];
      for (const entry of arr.map.values()) list.push(typeof entry === 'string' ? entry : phpArrayToValue(entry));
      return list;
    }
  }
  return phpArrayToTree(arr);
}

// ---------------------------------------------------------------------------------------------------------------
// URL decoding (PHP urldecode: '+' is a space, %XX is a byte; malformed escapes are kept literally).

function isHexByte(b: number | undefined): boolean {
  return b !== undefined && ((b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102));
}

function hexValue(b: number): number {
  return b <= 57 ? b - 48 : (b | 0x20) - 87;
}

function urlDecode(input: string): string {
  const s = input.includes('+') ? input.replace(/\+/g, ' ') : input;
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    // Malformed escapes or invalid UTF-8: decode byte by byte as PHP does, then read the bytes as UTF-8.
    const bytes = Buffer.from(s, 'utf8');
    const out = Buffer.allocUnsafe(bytes.length);
    let j = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const h1 = bytes[i + 1];
      const h2 = bytes[i + 2];
      if (b === 37 /* % */ && isHexByte(h1) && isHexByte(h2)) {
        out[j++] = hexValue(h1!) * 16 + hexValue(h2!);
        i += 2;
      } else {
        out[j++] = b;
      }
    }
    return out.toString('utf8', 0, j);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Parses a query string or an `application/x-www-form-urlencoded` body exactly like PHP's `parse_str`
 * (bracket keys, last duplicate wins, `+` is a space, values stay strings). Pass the text without a leading `?`.
 */
export function parsePhpQuery(query: string): ParamTree {
  const root = new PhpArray();
  if (query.length === 0) return {};
  let count = 0;
  let pos = 0;
  while (pos <= query.length) {
    let end = query.indexOf('&', pos);
    if (end === -1) end = query.length;
    if (end > pos) {
      if (++count > PARAMS_LIMITS.maxParameters) throw tooMany();
      const pair = query.slice(pos, end);
      const eq = pair.indexOf('=');
      if (eq === -1) registerVariable(root, urlDecode(pair), '');
      else registerVariable(root, urlDecode(pair.slice(0, eq)), urlDecode(pair.slice(eq + 1)));
    }
    pos = end + 1;
  }
  return phpArrayToTree(root);
}

function isPlainContainer(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function normaliseAt(value: unknown, level: number): ParamValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  if (level > PARAMS_LIMITS.maxDepth) throw tooDeep();
  if (Array.isArray(value)) {
    const list: ParamValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) list[i] = normaliseAt(value[i], level + 1) ?? null;
    return list;
  }
  const obj = value as Record<string, unknown>;
  if (!isPlainContainer(obj) && typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return normaliseAt((obj as { toJSON: () => unknown }).toJSON(), level);
  }
  const keys = Object.keys(obj).filter((key) => key !== DROPPED_KEY);
  let isList = keys.length - 1 <= PARAMS_LIMITS.maxArrayIndex;
  for (let i = 0; isList && i < keys.length; i++) if (keys[i] !== String(i)) isList = false;
  if (isList) {
    const list: ParamValue[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) list[i] = normaliseAt(obj[keys[i]!], level + 1) ?? null;
    return list;
  }
  const out: ParamTree = {};
  for (const key of keys) {
    const v = normaliseAt(obj[key], level + 1);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * PHP has one array type: a JS object whose keys are exactly "0".."n-1" (including `{}`, n = 0) becomes a JS array,
 * every other object stays an object; applied recursively. `__proto__` keys are dropped, non-finite numbers become
 * null, bigints become strings, `undefined` members are dropped (null inside arrays).
 * The value itself is level 0; a container deeper than PARAMS_LIMITS.maxDepth → ParamsError TOO_DEEP.
 */
export function normalisePhpArrays(value: unknown): ParamValue {
  return normaliseAt(value, 0) ?? null;
}

/**
 * Parses a JSON request body as PHP's `json_decode($body, true)` would, then normalises arrays (see
 * normalisePhpArrays). A top-level array becomes an object keyed "0".."n-1" (`[]` → `{}`, which b24phpsdk sends for
 * empty params). An empty or blank body is `{}`.
 */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path (PARAMS.LINE_NAME) of the first key or string holding a lone surrogate, or null. PHP's json_decode
 * fails on one, and PostgreSQL cannot store one in jsonb: such a body is invalid JSON here too (issue 8 fuzzing).
 */
function loneSurrogateAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (LONE_SURROGATE.test(key)) return here;
    const found = loneSurrogateAt(item, here);
    if (found !== null) return found;
  }
  return null;
}

export function parseJsonBody(text: string): ParamTree {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ParamsError('INVALID_JSON', `Request body is not valid JSON: ${detail}`);
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw new ParamsError('INVALID_REQUEST', 'The request body must be a JSON object');
  }
  // Only a \uD800–\uDFFF escape can make a lone surrogate (raw UTF-8 cannot): look closer only then.
  if (SURROGATE_ESCAPE.test(text)) {
    const where = loneSurrogateAt(parsed, '');
    if (where !== null) {
      throw new ParamsError(
        'INVALID_JSON',
        `Request body is not valid JSON: a single unpaired UTF-16 surrogate in a \\u escape at ${where || 'the top'} (PHP's json_decode refuses it too)`,
      );
    }
  }
  const normalised = normalisePhpArrays(parsed);
  if (Array.isArray(normalised)) return Object.fromEntries(normalised.entries());
  return normalised as ParamTree;
}

/**
 * Parses a `multipart/form-data` body: text fields are registered like form pairs (same bracket keys, same limits
 * as parsePhpQuery); file parts are read and discarded. Field names are taken as sent (no percent-decoding), as PHP
 * does. Note: busboy treats a part with `Content-Type: application/octet-stream` but no filename as a file.
 */
export function parseMultipart(body: Buffer, contentType: string): Promise<ParamTree> {
  return new Promise<ParamTree>((resolve, reject) => {
    if (!/^\s*multipart\/form-data\s*(?:;|$)/i.test(contentType)) {
      reject(new ParamsError('INVALID_REQUEST', `Expected a multipart/form-data content type, got "${contentType}"`));
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defCharset: 'utf8',
        defParamCharset: 'utf8',
        limits: {
          fields: PARAMS_LIMITS.maxParameters,
          fieldSize: Number.POSITIVE_INFINITY,
          fieldNameSize: Number.POSITIVE_INFINITY,
        },
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      reject(new ParamsError('INVALID_REQUEST', `Malformed multipart/form-data request: ${detail}`));
      return;
    }

    const root = new PhpArray();
    let failed = false;
    const fail = (error: ParamsError): void => {
      if (failed) return;
      failed = true;
      reject(error);
    };

    parser.on('field', (name, value) => {
      if (failed || name === undefined) return;
      try {
        registerVariable(root, name, value);
      } catch (err) {
        fail(err instanceof ParamsError ? err : new ParamsError('INVALID_REQUEST', String(err)));
      }
    });
    parser.on('file', (_name, stream) => {
      stream.resume(); // drain and discard
    });
    parser.on('fieldsLimit', () => fail(tooMany()));
    parser.on('error', (err: unknown) => {
      const detail = err instanceof Error ? err.message : String(err);
      fail(new ParamsError('INVALID_REQUEST', `Malformed multipart/form-data body: ${detail}`));
    });
    parser.on('close', () => {
      if (failed) return;
      try {
        resolve(phpArrayToTree(root));
      } catch (err) {
        fail(err instanceof ParamsError ? err : new ParamsError('INVALID_REQUEST', String(err)));
      }
    });
    parser.end(body);
  });
}

/** Bitrix24 order: body keys replace query keys at the top level (PHP `array_replace`, not a deep merge). */
export function mergeParams(query: ParamTree, body: ParamTree): ParamTree {
  return { ...query, ...body };
}
