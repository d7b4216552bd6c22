// PARAMS and OPTIONS of imopenlines.config.list.get, checked against the catalogue (openlines-api.md §3.4,
// DECISIONS.md "config.list.get"). Every name must be a catalogue field; every value is converted to the
// field's stored type and later bound as a parameter. Any problem is 400 INVALID_FORMAT with the description
// the documentation gives for it.

import type { ListFieldRef, ListFilter, ListFilterOp, ListValueType } from '../../store/lines-repository.js';
import { RestError } from '../../wire/errors.js';
import { asPhpArray, isObject, pairs } from '../../wire/php-values.js';
import { FIELD_BY_NAME } from './catalogue.js';
import { defaultValue } from './field-kinds.js';
import type { FieldDescriptor } from './field-types.js';
import type { LineAction } from './permissions.js';
import { ALL_FIELDS, type Projection, QUEUE_KEYS } from './present-line.js';

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;

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
  switch (field.kind) {
    case 'int':
    case 'formId':
    case 'id':
      return 'number';
    case 'date':
      return 'date';
    case 'dayList':
    case 'holidays':
    case 'userList':
      return 'list';
    default:
      return 'text';
  }
}

function fieldRef(field: FieldDescriptor): ListFieldRef {
  const fallback = defaultValue(field);
  const usable =
    typeof fallback === 'number' ||
    (typeof fallback === 'string' && !fallback.includes('#') && !fallback.includes('{'));
  return usable
    ? { name: field.name, type: valueTypeOf(field), fallback }
    : { name: field.name, type: valueTypeOf(field) };
}

/** A catalogue field by name (any letter case), or the documented error for `where`. */
function lookupField(name: unknown, where: 'select' | 'order' | 'filter'): FieldDescriptor {
  if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
    throw invalid(`A wrong field name is passed in the PARAMS field '${where}'`);
  }
  const upper = name.toUpperCase();
  const field = RESERVED_KEYS.has(upper) ? undefined : FIELD_BY_NAME.get(upper);
  if (!field) throw invalid(`An unknown field '${quoted(name)}' is passed in the PARAMS field '${where}'`);
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

function parseOrder(raw: unknown): ListQuery['order'] {
  if (isEmptyInput(raw)) return [];
  if (!isObject(raw)) throw invalid("A wrong format for the PARAMS field 'order' is passed");
  const out: { field: ListFieldRef; direction: 'asc' | 'desc' }[] = [];
  for (const [name, direction] of Object.entries(raw)) {
    const field = lookupField(name, 'order');
    const dir = typeof direction === 'string' ? direction.trim().toLowerCase() : '';
    if (dir !== 'asc' && dir !== 'desc')
      throw invalid("A wrong sorting direction is passed in the PARAMS field 'order'");
    if (!out.some((o) => o.field.name === field.name)) out.push({ field: fieldRef(field), direction: dir });
  }
  return out;
}

const wrongFilter = () => invalid("A wrong format for the PARAMS field 'filter' is passed");

/** One filter value in the field's stored type; null stands for "no value" (`=`: is null, `!`: is not null). */
function filterValue(field: FieldDescriptor, type: ListValueType, raw: unknown): string | number | null {
  if (raw === null) return null;
  if (!isScalar(raw)) throw wrongFilter();
  switch (type) {
    case 'number':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
      if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) return Number(raw.trim());
      throw wrongFilter();
    case 'date': {
      const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
      if (!Number.isFinite(ms)) throw wrongFilter();
      return new Date(ms).toISOString();
    }
    case 'list':
      if (field.kind === 'userList') {
        if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
        if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) return Number(raw.trim());
        throw wrongFilter();
      }
      if (typeof raw === 'boolean') throw wrongFilter();
      return field.kind === 'dayList' ? String(raw).trim().toUpperCase() : String(raw).trim();
    default:
      if (typeof raw === 'boolean') {
        if (field.kind !== 'yn') throw wrongFilter();
        return raw ? 'Y' : 'N';
      }
      return String(raw);
  }
}

function parseFilter(raw: unknown): ListFilter[] {
  if (isEmptyInput(raw)) return [];
  if (!isObject(raw)) throw wrongFilter();
  const out: ListFilter[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const prefix = FILTER_PREFIXES.find(([p]) => key.startsWith(p));
    const op: ListFilterOp = prefix?.[1] ?? 'eq';
    const field = lookupField(prefix ? key.slice(prefix[0].length) : key, 'filter');
    if (field.kind === 'operatorData') throw wrongFilter();
    const ref = fieldRef(field);
    if (op === 'eq' || op === 'ne') {
      if (isObject(value)) throw wrongFilter();
      const items = Array.isArray(value) ? value : [value];
      if (ref.type === 'list' && items.some((v) => v === null)) throw wrongFilter();
      out.push({ field: ref, op, values: items.map((v) => filterValue(field, ref.type, v)) });
      continue;
    }
    if (ref.type === 'list' || value === null || !isScalar(value)) throw wrongFilter();
    if (op === 'contains' && ref.type !== 'text') throw wrongFilter();
    out.push({ field: ref, op, values: [op === 'contains' ? String(value) : filterValue(field, ref.type, value)] });
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

/**
 * Validates PARAMS and OPTIONS in the documented order: PARAMS keys, select, order, filter, limit, offset,
 * then OPTIONS. `start` (the classic list offset) applies when PARAMS.offset is not sent.
 */
export function parseListQuery(rawParams: unknown, rawOptions: unknown, start: number | undefined): ListQuery {
  const params = asPhpArray(rawParams);
  unsupported(Object.keys(params), PARAMS_KEYS, 'PARAMS');
  const projection = parseSelect(params.select);
  const order = parseOrder(params.order);
  const filters = parseFilter(params.filter);
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
    limit,
    offset,
    withQueue: parseOptionFlag(options, 'QUEUE'),
    withConfigQueue: parseOptionFlag(options, 'CONFIG_QUEUE'),
    checkPermission: parseCheckPermission(options.CHECK_PERMISSION),
  };
}
