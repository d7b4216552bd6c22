// PARAMS and OPTIONS of imopenlines.config.list.get, checked against the catalogue (openlines-api.md §3.4,
// DECISIONS.md "config.list.get"). Every name must be a catalogue field; every value is converted to the
// field's stored type and later bound as a parameter. Any problem is 400 INVALID_FORMAT with the description
// the documentation gives for it.

import type { ListFieldRef, ListFilter, ListFilterOp, ListValueType } from '../../store/lines-repository.js';
import { RestError } from '../../wire/errors.js';
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX } from '../../wire/limits.js';
import { asPhpArray, isObject, pairs } from '../../wire/php-values.js';
import type { LineAction } from '../access/permissions.js';
import { FIELD_BY_NAME } from './catalogue.js';
import { defaultValue, kindOf } from './field-kinds.js';
import type { FieldDescriptor } from './field-types.js';
import { ALL_FIELDS, type Projection, QUEUE_KEYS } from './present-line.js';

/**
 * A call without `start` and without PARAMS.limit/offset answers every matching line, as the reference does, up to
 * this many (DECISIONS.md: not below 5 000); past it the answer carries `next` and `total` so paging readers go on.
 */
export const LIST_ALL_CAP = 5000;

/**
 * Which rows one call answers and which paging keys it prints (DECISIONS.md "config.list.get", paging):
 * - `all`: no `start`, no PARAMS.limit/offset — every row, no `total`/`next` (both only past LIST_ALL_CAP);
 * - `counted`: `start` ≥ 0 (a page of 50), or PARAMS.limit/offset (the openlines extension) — `total` and `next`;
 * - `uncounted`: `start` = -1 — the first 50 rows, no `total`, no `next` (the fast-reading convention).
 */
export type ListPaging = 'all' | 'counted' | 'uncounted';

const PARAMS_KEYS = ['select', 'filter', 'order', 'limit', 'offset'] as const;
const OPTIONS_KEYS = ['QUEUE', 'CONFIG_QUEUE', 'CHECK_PERMISSION'] as const;
/** Output keys that are not catalogue fields: never selectable, filterable or sortable, never an alias. */
const RESERVED_KEYS = new Set<string>([...QUEUE_KEYS, 'CONFIG_QUEUE']);

/** ORM filter prefixes, longest first (`>=` before `>`). No prefix means `=`. */
const FILTER_PREFIXES: readonly (readonly [string, ListFilterOp])[] = [
  ['>=', 'ge'],
  ['<=', 'le'],
  ['=', 'eq'],
  ['!', 'ne'],
  ['>', 'gt'],
  ['<', 'lt'],
  ['%', 'contains'],
];

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const ALIAS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INTEGER_TEXT = /^\s*-?\d{1,15}\s*$/;
const NON_NEGATIVE_TEXT = /^\s*\d{1,15}\s*$/;

export interface ListQuery {
  /** Output keys and fields, in output order. */
  readonly projection: readonly Projection[];
  readonly filters: readonly ListFilter[];
  readonly order: readonly { readonly field: ListFieldRef; readonly direction: 'asc' | 'desc' }[];
  readonly limit: number;
  readonly offset: number;
  readonly paging: ListPaging;
  readonly withQueue: boolean;
  readonly withConfigQueue: boolean;
  /** OPTIONS.CHECK_PERMISSION: only lines the caller may view/modify. */
  readonly checkPermission: LineAction | null;
}

const invalid = (description: string) => new RestError('INVALID_FORMAT', description);

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isEmptyInput = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && !Object.keys(v).length);

/** A name as sent, bounded so an error description never echoes megabytes. */
function quoted(name: string): string {
  return name.length > 100 ? `${name.slice(0, 100)}…` : name;
}

export function valueTypeOf(field: FieldDescriptor): ListValueType {
  return kindOf(field).valueType;
}

function fieldRef(field: FieldDescriptor): ListFieldRef {
  const column = field.column ? { column: field.column } : {};
  const fallback = defaultValue(field);
  // A default text with a placeholder (#COMPANY_NAME#, #OPERATOR#) is not what a document without it means.
  const usable = typeof fallback === 'number' || (typeof fallback === 'string' && !fallback.includes('#'));
  return usable
    ? { name: field.name, type: valueTypeOf(field), ...column, fallback }
    : { name: field.name, type: valueTypeOf(field), ...column };
}

/**
 * Where a list parameter came from, as error descriptions name it: PARAMS (the method's own, documented texts) or
 * the top level (the classic `filter`/`order` the SDK list readers send).
 */
type Place = 'PARAMS field' | 'field';

/** A catalogue field by name (any letter case), or the documented error for `where`. */
function lookupField(
  name: unknown,
  where: 'select' | 'order' | 'filter',
  place: Place = 'PARAMS field',
): FieldDescriptor {
  if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
    throw invalid(`A wrong field name is passed in the ${place} '${where}'`);
  }
  const upper = name.toUpperCase();
  const field = RESERVED_KEYS.has(upper) ? undefined : FIELD_BY_NAME.get(upper);
  if (!field) throw invalid(`An unknown field '${quoted(name)}' is passed in the ${place} '${where}'`);
  return field;
}

function parseSelect(raw: unknown): Projection[] {
  if (raw === undefined || raw === null) return [...ALL_FIELDS];
  if (!Array.isArray(raw) && !isObject(raw)) throw invalid("A wrong format for the PARAMS field 'select' is passed");
  const out: Projection[] = [];
  const add = (p: Projection) => {
    if (!out.some((o) => o.key === p.key)) out.push(p);
  };
  for (const [key, value] of pairs(raw)) {
    if (/^\d+$/.test(key)) {
      if (value === '*') ALL_FIELDS.forEach(add);
      else {
        const field = lookupField(value, 'select');
        add({ key: field.name, field });
      }
      continue;
    }
    // {"ALIAS": "FIELD"}: the field printed under another name, as the ORM allows.
    if (!ALIAS_NAME.test(key)) throw invalid("A wrong field alias is passed in the PARAMS field 'select'");
    if (FIELD_BY_NAME.has(key.toUpperCase()) || RESERVED_KEYS.has(key.toUpperCase())) {
      throw invalid(`The alias '${quoted(key)}' matches an existing field in the PARAMS field 'select'`);
    }
    add({ key, field: lookupField(value, 'select') });
  }
  return out.length ? out : [...ALL_FIELDS];
}

function parseOrder(raw: unknown, place: Place): ListQuery['order'] {
  if (isEmptyInput(raw)) return [];
  if (!isObject(raw)) throw invalid(`A wrong format for the ${place} 'order' is passed`);
  const out: { field: ListFieldRef; direction: 'asc' | 'desc' }[] = [];
  for (const [name, direction] of Object.entries(raw)) {
    const field = lookupField(name, 'order', place);
    const dir = typeof direction === 'string' ? direction.trim().toLowerCase() : '';
    if (dir !== 'asc' && dir !== 'desc') throw invalid(`A wrong sorting direction is passed in the ${place} 'order'`);
    if (!out.some((o) => o.field.name === field.name)) out.push({ field: fieldRef(field), direction: dir });
  }
  return out;
}

const wrongFilter = (place: Place) => invalid(`A wrong format for the ${place} 'filter' is passed`);

/** One filter value in the field's stored type; null stands for "no value" (`=`: is null, `!`: is not null). */
function filterValue(field: FieldDescriptor, type: ListValueType, raw: unknown, place: Place): string | number | null {
  if (raw === null) return null;
  if (!isScalar(raw)) throw wrongFilter(place);
  switch (type) {
    case 'number':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
      if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) return Number(raw.trim());
      throw wrongFilter(place);
    case 'date': {
      const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
      if (!Number.isFinite(ms)) throw wrongFilter(place);
      return new Date(ms).toISOString();
    }
    case 'list':
      if (field.kind === 'userList') {
        if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
        if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) return Number(raw.trim());
        throw wrongFilter(place);
      }
      if (typeof raw === 'boolean') throw wrongFilter(place);
      return field.kind === 'dayList' ? String(raw).trim().toUpperCase() : String(raw).trim();
    default:
      if (typeof raw === 'boolean') {
        if (field.kind !== 'yn') throw wrongFilter(place);
        return raw ? 'Y' : 'N';
      }
      return String(raw);
  }
}

function parseFilter(raw: unknown, place: Place): ListFilter[] {
  if (isEmptyInput(raw)) return [];
  if (!isObject(raw)) throw wrongFilter(place);
  const out: ListFilter[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const prefix = FILTER_PREFIXES.find(([p]) => key.startsWith(p));
    const op: ListFilterOp = prefix?.[1] ?? 'eq';
    const field = lookupField(prefix ? key.slice(prefix[0].length) : key, 'filter', place);
    if (field.kind === 'operatorData') throw wrongFilter(place);
    const ref = fieldRef(field);
    if (op === 'eq' || op === 'ne') {
      if (isObject(value)) throw wrongFilter(place);
      const items = Array.isArray(value) ? value : [value];
      if (ref.type === 'list' && items.some((v) => v === null)) throw wrongFilter(place);
      out.push({ field: ref, op, values: items.map((v) => filterValue(field, ref.type, v, place)) });
      continue;
    }
    if (ref.type === 'list' || value === null || !isScalar(value)) throw wrongFilter(place);
    if (op === 'contains' && ref.type !== 'text') throw wrongFilter(place);
    const bound = op === 'contains' ? String(value) : filterValue(field, ref.type, value, place);
    out.push({ field: ref, op, values: [bound] });
  }
  return out;
}

function nonNegative(raw: unknown, name: 'limit' | 'offset'): number {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && NON_NEGATIVE_TEXT.test(raw)) return Number(raw.trim());
  throw invalid(`A non-negative integer is expected in the PARAMS field '${name}'`);
}

function parseOptionFlag(options: Record<string, unknown>, name: 'QUEUE' | 'CONFIG_QUEUE'): boolean {
  const value = options[name];
  if (value === undefined || value === null) return false;
  if (!isScalar(value)) throw invalid(`A wrong format for the OPTIONS field '${name}' is passed`);
  return value === 'Y';
}

function parseCheckPermission(value: unknown): LineAction | null {
  if (value === undefined || value === null) return null;
  const action = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (action !== 'VIEW' && action !== 'MODIFY') {
    throw invalid("An unknown value for the OPTIONS field 'CHECK_PERMISSION' is passed");
  }
  return action;
}

function unsupported(keys: string[], allowed: readonly string[], where: 'PARAMS' | 'OPTIONS'): void {
  const extra = keys.filter((k) => !allowed.includes(k));
  if (extra.length) throw invalid(`Unsupported ${where} fields are passed: ${extra.map(quoted).join(', ')}`);
}

/** The classic top-level `filter` and `order` (SDK list readers send them beside PARAMS). */
export interface TopLevelListParams {
  readonly filter?: unknown;
  readonly order?: unknown;
}

/** `filter`/`order` from a call's top level, lower case first, then upper case (the classic methods' rule). */
export function topLevelListParams(params: Readonly<Record<string, unknown>>): TopLevelListParams {
  const pick = (name: 'filter' | 'order') => params[name] ?? params[name.toUpperCase()];
  return { filter: pick('filter'), order: pick('order') };
}

function pagingOf(params: Record<string, unknown>, start: number | undefined): ListPaging {
  const sent = (v: unknown) => v !== undefined && v !== null;
  if (sent(params.limit) || sent(params.offset)) return 'counted';
  if (start === undefined) return 'all';
  return start === -1 ? 'uncounted' : 'counted';
}

/**
 * Validates PARAMS and OPTIONS in the documented order: PARAMS keys, select, order, filter, limit, offset,
 * then OPTIONS. PARAMS.order/filter win; when PARAMS has none, the top-level ones apply. Paging: see ListPaging;
 * `start` is the offset of a counted page when PARAMS.offset is not sent.
 */
export function parseListQuery(
  rawParams: unknown,
  rawOptions: unknown,
  start: number | undefined,
  topLevel: TopLevelListParams = {},
): ListQuery {
  const params = asPhpArray(rawParams);
  unsupported(Object.keys(params), PARAMS_KEYS, 'PARAMS');
  const projection = parseSelect(params.select);
  const order = isEmptyInput(params.order)
    ? parseOrder(topLevel.order, 'field')
    : parseOrder(params.order, 'PARAMS field');
  const filters = isEmptyInput(params.filter)
    ? parseFilter(topLevel.filter, 'field')
    : parseFilter(params.filter, 'PARAMS field');
  const paging = pagingOf(params, start);
  const limit =
    params.limit === undefined || params.limit === null ? LIST_LIMIT_DEFAULT : nonNegative(params.limit, 'limit');
  if (limit > LIST_LIMIT_MAX) {
    throw invalid(`A non-negative integer not greater than ${LIST_LIMIT_MAX} is expected in the PARAMS field 'limit'`);
  }
  const offset =
    params.offset === undefined || params.offset === null
      ? Math.max(0, start ?? 0)
      : nonNegative(params.offset, 'offset');

  const options = asPhpArray(rawOptions);
  unsupported(Object.keys(options), OPTIONS_KEYS, 'OPTIONS');
  return {
    projection,
    filters,
    order,
    paging,
    limit: paging === 'all' ? LIST_ALL_CAP : limit,
    offset,
    withQueue: parseOptionFlag(options, 'QUEUE'),
    withConfigQueue: parseOptionFlag(options, 'CONFIG_QUEUE'),
    checkPermission: parseCheckPermission(options.CHECK_PERMISSION),
  };
}
