// PHP's value rules, as the reference applies them to parameters after parse_str / json_decode: casts, emptiness,
// key case. One home for every family, so that the same wire form means the same thing in every method.

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

/** A PHP associative array (a JS object that is not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * PHP intval() of a scalar: the leading integer of a string, 0 when there is none. PHP saturates at PHP_INT_MAX;
 * a JS number holds integers exactly up to 2^53 - 1, so this saturates there: an id beyond it reaches the store
 * as a bigint that matches nothing, not as an out-of-range query error (issue 8).
 */
export function phpIntval(raw: unknown): number {
  if (typeof raw === 'number') return Number.isFinite(raw) ? saturate(Math.trunc(raw)) : 0;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(raw);
    return m ? saturate(Number.parseInt(m[1]!, 10)) : 0;
  }
  return 0;
}

const saturate = (n: number) => Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));

/** A positive integer id from a number or a digit string, else null. */
export function parsePositiveId(raw: unknown): number | null {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0 && raw <= INT32_MAX) return raw;
  if (typeof raw === 'string' && /^\s*\d{1,10}\s*$/.test(raw)) {
    const n = Number.parseInt(raw, 10);
    return n > 0 && n <= INT32_MAX ? n : null;
  }
  return null;
}

/** PHP empty(): null, false, 0, "", "0" and empty arrays. */
export function isPhpEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || value === '0') {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** strtoupper of a key: ASCII letters only, as PHP 8 (array_change_key_case). */
export const upperKey = (key: string): string => key.replace(/[a-z]/g, (c) => c.toUpperCase());

/** The reference's array_change_key_case(CASE_UPPER); `recursive` is Converter::TO_UPPER|KEYS|RECURSIVE. */
export function upperKeys(value: unknown, recursive = false): unknown {
  if (Array.isArray(value)) return recursive ? value.map((v) => upperKeys(v, true)) : value;
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) result[upperKey(key)] = recursive ? upperKeys(v, true) : v;
  return result;
}

/** A PHP array's [key, value] pairs: a JS array or an object (array keys as decimal strings). */
export function pairs(value: unknown[] | Record<string, unknown>): [string, unknown][] {
  return Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
}

/** A parameter the reference reads as an array: a list or an object as keyed entries; anything else is none. */
export function asPhpArray(raw: unknown): Record<string, unknown> {
  if (Array.isArray(raw)) return Object.fromEntries(pairs(raw));
  return isObject(raw) ? raw : {};
}

/** A sent value as a warning or error description quotes it: strings quoted and bounded, containers by kind. */
export function describeSent(raw: unknown): string {
  if (typeof raw === 'string') return `'${raw.length > 60 ? `${raw.slice(0, 60)}…` : raw}'`;
  if (Array.isArray(raw)) return 'an array';
  if (raw !== null && typeof raw === 'object') return 'an object';
  return String(raw);
}
