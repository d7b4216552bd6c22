// The pieces of `batch` that are pure PHP semantics (reference-behaviour.md §6.9, after CRestProvider::methodsBatch
// and CRestUtil::ParseBatchQuery / processBatchStructure / processBatchElement):
// - phpBool: how `(bool)$arQuery['HALT']` casts (the string "false" is true);
// - splitCommand: `parse_url($call)` reduced to what a command needs (path = method, query);
// - substituteReferences: `$result[key][field]…`, `$next[…]`, `$total[…]`, `$time[…]`, `$error[…]`.

import { toPhpList } from '../wire/php-json.js';
import { normalisePhpArrays, type ParamTree, type ParamValue } from '../wire/php-params.js';

/** PHP's (bool) cast: null, false, 0, 0.0, "", "0" and empty arrays are false; everything else is true. */
export function phpBool(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '' && value !== '0';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * `method?query` as parse_url splits it: a fragment (`#…`) is dropped, the method is everything before the first `?`,
 * the query everything after it ("" when there is none). parse_url's scheme and host parsing is not reproduced:
 * a method name never has them.
 */
export function splitCommand(call: string): { method: string; query: string } {
  const hashAt = call.indexOf('#');
  const withoutFragment = hashAt === -1 ? call : call.slice(0, hashAt);
  const queryAt = withoutFragment.indexOf('?');
  if (queryAt === -1) return { method: withoutFragment, query: '' };
  return { method: withoutFragment.slice(0, queryAt), query: withoutFragment.slice(queryAt + 1) };
}

/** What earlier commands produced, by command key in execution order (the `$arResult` of methodsBatch). */
export interface BatchState {
  readonly result: Map<string, unknown>;
  readonly next: Map<string, unknown>;
  readonly total: Map<string, unknown>;
  readonly time: Map<string, unknown>;
  readonly error: Map<string, unknown>;
}

export function emptyBatchState(): BatchState {
  return { result: new Map(), next: new Map(), total: new Map(), time: new Map(), error: new Map() };
}

type ReferenceName = keyof BatchState;
const NAMES = new Set<string>(['result', 'next', 'total', 'time', 'error']);

// processBatchElement's pattern: `$` + a name (matched case-insensitively) + everything up to whitespace (PCRE's \s
// without the u flag: space, \t, \n, \v, \f, \r). The descent reads every `[segment]` in that tail.
const REFERENCE = /\$(result|next|total|time|error)([^\t\n\v\f\r ]*)/gi;
const SEGMENT = /\[([^\]]+)\]/g;

/** PHP's isset($r[$key]) on a decoded JSON value: an existing member that is not null. */
function member(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key) ?? undefined;
  if (Array.isArray(value)) return /^(?:0|[1-9][0-9]*)$/.test(key) ? (value[Number(key)] ?? undefined) : undefined;
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, key)) {
    return (value as Record<string, unknown>)[key] ?? undefined;
  }
  return undefined;
}

/** PHP is_numeric for the JSON scalars a result can hold. */
function isNumeric(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return (
    typeof value === 'string' && /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(value)
  );
}

/** A value taken from the state, as a parameter value (maps become PHP-shaped lists or objects). */
function asParamValue(value: unknown): ParamValue {
  const plain = value instanceof Map ? toPhpList(value) : value;
  return normalisePhpArrays(plain);
}

/**
 * One parameter value with its references resolved (processBatchElement):
 * - the descent follows each `[segment]`; an unknown or null member stops it and keeps the value reached so far
 *   (so `$result[missing]` is the whole result map);
 * - when the whole value is one reference, the value reached replaces it as is (an array stays an array);
 * - inside a longer string, numbers and strings are spliced in (every occurrence); arrays, booleans and null leave
 *   the reference text untouched;
 * - the name must be lower case to resolve (`$RESULT[x]` matches the pattern but finds nothing, as in PHP).
 */
export function resolveElement(text: string, state: BatchState): ParamValue {
  let current: ParamValue = text;
  for (const match of text.matchAll(REFERENCE)) {
    const [whole, name = '', tail = ''] = match;
    const segments = [...tail.matchAll(SEGMENT)].map((segment) => segment[1] ?? '');
    if (segments.length === 0) continue;
    let reached: unknown = NAMES.has(name) ? state[name as ReferenceName] : undefined;
    for (const key of segments) {
      const next = member(reached, key);
      if (next === undefined) break;
      reached = next;
    }
    if (whole === current) return reached === undefined ? null : asParamValue(reached);
    if (typeof current !== 'string') continue;
    const spliced = isNumeric(reached) ? String(reached) : reached;
    if (typeof spliced !== 'string') continue;
    current = current.split(whole).join(spliced);
  }
  return current;
}

function resolveValue(value: ParamValue, state: BatchState): ParamValue {
  if (typeof value === 'string') return value.includes('$') ? resolveElement(value, state) : value;
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, state));
  if (value !== null && typeof value === 'object') return resolveTree(value, state);
  return value;
}

/**
 * Keys are resolved too (processBatchStructure runs processBatchElement on them). The reference passes keys through
 * a pattern that can only ever empty them; here a key takes the spliced scalar form of its references instead,
 * and a key whose reference is not a scalar stays as written.
 */
function resolveKey(key: string, state: BatchState): string {
  if (!key.includes('$')) return key;
  const resolved = resolveElement(key, state);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number') return String(resolved);
  return key;
}

function resolveTree(tree: { [key: string]: ParamValue }, state: BatchState): ParamTree {
  const out: ParamTree = {};
  for (const [key, value] of Object.entries(tree)) {
    const resolvedKey = resolveKey(key, state);
    if (resolvedKey === '__proto__') continue;
    out[resolvedKey] = resolveValue(value, state);
  }
  return out;
}

/** A command's parsed query with every reference to earlier commands resolved. */
export function substituteReferences(params: ParamTree, state: BatchState): ParamTree {
  return resolveTree(params, state);
}
