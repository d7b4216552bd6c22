// Behaviour per field kind: how each accepted wire form is normalised (in exactly one place), how the stored
// value is printed by get/list, how the admin form shows it and how the docs describe it. Each table is a
// Record<FieldKind, …>, so a new kind does not compile until every derivation handles it.

import type { ListValueType } from '../../store/lines-repository.js';
import { describeSent, INT32_MAX, INT32_MIN, isObject, parsePositiveId, phpIntval } from '../../wire/php-values.js';
import type { FieldDescriptor, FieldKind, KindValue } from './field-types.js';

/** The outcome of normalising one sent value. */
export type Normalised<V> =
  | { readonly ok: true; readonly value: V; readonly warning?: string }
  /** The value is dropped: on add the default applies, on update the field stays unchanged. */
  | { readonly ok: false; readonly skip: true; readonly warning: string }
  /** The reference's ORM rejects the whole write (compat: result false; strict: 400). */
  | { readonly ok: false; readonly skip: false; readonly failure: string };

type DescriptorOf<K extends FieldKind> = Extract<FieldDescriptor, { kind: K }>;

export interface PresentContext {
  formatDate(iso: string): string;
}

export interface KindBehaviour<K extends FieldKind> {
  normalise(raw: unknown, field: DescriptorOf<K>): Normalised<KindValue[K]>;
  /**
   * The value a new line gets: null for none (and for read-only kinds, whose value the server sets);
   * undefined when the line service computes it (the automatic line name).
   */
  defaultValue(field: DescriptorOf<K>): KindValue[K] | null | undefined;
  present(value: KindValue[K], ctx: PresentContext): unknown;
  /** What get/list print when the stored value is null. */
  presentEmpty(ctx: PresentContext): unknown;
  /** How config.list.get compares the stored value (numbers numerically, lists by element, ...). */
  valueType: ListValueType;
  /** Type and allowed values as the docs and the admin form state them. */
  describe(field: DescriptorOf<K>): string;
  widget: 'checkbox' | 'number' | 'select' | 'text' | 'textarea' | 'time' | 'days' | 'list' | 'object' | 'readonly';
}

const ok = <V>(value: V, warning?: string): Normalised<V> =>
  warning === undefined ? { ok: true, value } : { ok: true, value, warning };
const skip = (warning: string): Normalised<never> => ({ ok: false, skip: true, warning });
const fail = (failure: string): Normalised<never> => ({ ok: false, skip: false, failure });

const YES = new Set<unknown>(['Y', 'y', true, 1, '1']);
const NO = new Set<unknown>(['N', 'n', false, 0, '0']);

const yn: KindBehaviour<'yn'> = {
  normalise(raw, field) {
    if (YES.has(raw)) return ok('Y');
    if (NO.has(raw)) return ok('N');
    return ok(field.otherwise, `expected Y or N, got ${describeSent(raw)}`);
  },
  defaultValue: (f) => f.default,
  present: (v) => v,
  presentEmpty: () => null,
  valueType: 'text',
  describe: () => 'Y/N',
  widget: 'checkbox',
};

const int: KindBehaviour<'int'> = {
  normalise(raw, field) {
    if (typeof raw !== 'number' && typeof raw !== 'string' && typeof raw !== 'boolean') {
      return skip(`expected an integer, got ${describeSent(raw)}`);
    }
    const exact =
      (typeof raw === 'number' && Number.isInteger(raw)) || (typeof raw === 'string' && /^\s*-?\d{1,16}\s*$/.test(raw));
    let value = phpIntval(raw);
    let warning = exact ? undefined : `expected an integer, got ${describeSent(raw)}; read as ${value}`;
    const min = field.min ?? INT32_MIN;
    const max = field.max ?? INT32_MAX;
    if (value < min || value > max) {
      const bound = value < min ? min : max;
      const rangeText = `must be between ${min} and ${max}`;
      if (field.outOfRange === 'ignore') return skip(`${rangeText}, got ${describeSent(raw)}; ignored`);
      warning = `${rangeText}, got ${describeSent(raw)}; clamped to ${bound}`;
      value = bound;
    }
    return ok(value, warning);
  },
  defaultValue: (f) => f.default,
  present: (v) => (v === null ? null : String(v)),
  presentEmpty: () => null,
  valueType: 'number',
  describe: (f) => {
    const range =
      f.min !== undefined && f.max !== undefined ? ` ${f.min}..${f.max}` : f.min !== undefined ? ` ≥ ${f.min}` : '';
    return `integer${range}${f.unit ? ` (${f.unit})` : ''}`;
  },
  widget: 'number',
};

const enumeration: KindBehaviour<'enum'> = {
  normalise(raw, field) {
    if (typeof raw === 'string' && field.values.includes(raw)) return ok(raw);
    return ok(field.invalidBecomes, `expected one of ${field.values.join(', ')}, got ${describeSent(raw)}`);
  },
  defaultValue: (f) => f.default,
  present: (v) => v,
  presentEmpty: () => null,
  valueType: 'text',
  describe: (f) => f.values.map((v) => `\`${v}\``).join(' / '),
  widget: 'select',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#039' }[c]};`);
}

const text: KindBehaviour<'text'> = {
  normalise(raw, field) {
    let value: string;
    let warning: string | undefined;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') {
      value = typeof raw === 'boolean' ? (raw ? '1' : '') : String(raw);
    } else return skip(`expected a string, got ${describeSent(raw)}`);
    // PostgreSQL text and jsonb cannot hold U+0000, so both stores drop it alike (docs/decisions.md, issue 7).
    if (value.includes('\u0000')) {
      value = value.replaceAll('\u0000', '');
      warning = 'U+0000 (NUL) characters removed';
    }
    if (field.htmlEscape) value = escapeHtml(value);
    const length = [...value].length;
    if (field.truncateTo !== undefined && length > field.truncateTo) {
      value = [...value].slice(0, field.truncateTo).join('');
      const cut = `longer than ${field.truncateTo} characters; cut to ${field.truncateTo}`;
      warning = warning ? `${warning}; ${cut}` : cut;
    } else if (length > field.maxLength) {
      return fail(`must be at most ${field.maxLength} characters, got ${length}`);
    }
    return ok(value, warning);
  },
  defaultValue: (f) => (typeof f.default === 'object' && f.default !== null ? undefined : f.default),
  present: (v) => v,
  presentEmpty: () => null,
  valueType: 'text',
  describe: (f) =>
    `string (≤ ${f.truncateTo ?? f.maxLength}${f.truncateTo !== undefined ? ', longer values are cut' : ''})`,
  widget: 'text',
};

const formId: KindBehaviour<'formId'> = {
  normalise(raw) {
    if (phpIntval(raw) === 0) return ok(0);
    return ok(0, `no CRM form ${describeSent(raw)} exists on this server; stored as 0`);
  },
  defaultValue: (f) => f.default,
  present: (v) => String(v),
  presentEmpty: () => null,
  valueType: 'number',
  describe: () => 'integer (always 0: no CRM forms exist here)',
  widget: 'number',
};

/** '9', '9.30', '09:30', 9, 9.5?? (no: 9.5 means 9.50) → canonical decimal-hour text, or null. */
export function parseHour(raw: unknown): { hours: number; minutes: number } | null {
  let text: string;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) text = String(raw);
  else if (typeof raw === 'string') text = raw.trim();
  else return null;
  const m = /^(\d{1,2})(?:[.:](\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const hours = Number(m[1]);
  // Decimal hours as floats, like the reference: "9.3" is 9.30.
  const minutes = m[2] === undefined ? 0 : m[2].length === 1 ? Number(m[2]) * 10 : Number(m[2]);
  if (hours > 24 || minutes > 59 || (hours === 24 && minutes > 0)) return null;
  return { hours, minutes };
}

export function formatHour(h: { hours: number; minutes: number }): string {
  return h.minutes === 0 ? String(h.hours) : `${h.hours}.${String(h.minutes).padStart(2, '0')}`;
}

const hour: KindBehaviour<'hour'> = {
  normalise(raw) {
    const parsed = parseHour(raw);
    if (!parsed) return skip(`expected hours as H, H.MM or HH:MM, got ${describeSent(raw)}`);
    return ok(formatHour(parsed));
  },
  defaultValue: (f) => f.default,
  present: (v) => v,
  presentEmpty: () => null,
  valueType: 'text',
  describe: () => 'decimal hours `H` / `H.MM` (also accepts `HH:MM`)',
  widget: 'time',
};

function splitList(raw: unknown): unknown[] | null {
  if (Array.isArray(raw)) return raw;
  if (isObject(raw)) return Object.values(raw);
  if (typeof raw === 'string') return raw === '' ? [] : raw.split(',');
  return null;
}

/** The reference prints an empty day or holiday list as `[""]`. */
const presentDateList = (v: readonly string[]): readonly string[] => (v.length ? v : ['']);

const dayList: KindBehaviour<'dayList'> = {
  normalise(raw, field) {
    const items = splitList(raw);
    if (!items) return skip(`expected an array of day codes, got ${describeSent(raw)}`);
    const days: string[] = [];
    const dropped: string[] = [];
    for (const item of items) {
      const code = typeof item === 'string' ? item.trim().toUpperCase() : '';
      if (field.values.includes(code)) {
        if (!days.includes(code)) days.push(code);
      } else if (!(typeof item === 'string' && item.trim() === '')) dropped.push(describeSent(item));
    }
    return ok(
      days,
      dropped.length
        ? `unknown day codes ${dropped.join(', ')} dropped (allowed: ${field.values.join(' ')})`
        : undefined,
    );
  },
  defaultValue: () => [],
  present: presentDateList,
  presentEmpty: () => presentDateList([]),
  valueType: 'list',
  describe: (f) => `array of ${f.values.map((v) => `\`${v}\``).join(' ')}`,
  widget: 'days',
};

const holidays: KindBehaviour<'holidays'> = {
  normalise(raw, field) {
    const items = splitList(raw);
    if (!items || items.some((i) => typeof i !== 'string' && typeof i !== 'number')) {
      return ok([], `expected DD.MM dates, got ${describeSent(raw)}; stored empty`);
    }
    const joined = items.map(String).join(',').replace(/\s+/g, '');
    if (joined === '') return ok([]);
    if (joined.length > field.maxLength) return fail(`must be at most ${field.maxLength} characters`);
    if (!/^(\d{1,2}\.\d{1,2},?)+$/.test(joined)) {
      return ok([], `expected comma-separated DD.MM dates, got ${describeSent(raw)}; stored empty`);
    }
    return ok(joined.split(',').filter((d) => d !== ''));
  },
  defaultValue: () => [],
  present: presentDateList,
  presentEmpty: () => presentDateList([]),
  valueType: 'list',
  describe: () => 'comma-separated `DD.MM` dates, or an array of them; printed as an array',
  widget: 'list',
};

const userList: KindBehaviour<'userList'> = {
  normalise(raw) {
    if (raw === '' || raw === false) return ok(null);
    const items = splitList(raw) ?? (typeof raw === 'number' ? [raw] : null);
    if (!items) return skip(`expected an array of user ids, got ${describeSent(raw)}`);
    const ids: number[] = [];
    const dropped: string[] = [];
    for (const item of items) {
      const id = parsePositiveId(item);
      if (id === null) dropped.push(describeSent(item));
      else if (!ids.includes(id)) ids.push(id);
    }
    return ok(ids.length ? ids : null, dropped.length ? `invalid user ids ${dropped.join(', ')} dropped` : undefined);
  },
  defaultValue: () => null,
  present: (v) => (v === null ? null : v.map(String)),
  presentEmpty: () => null,
  valueType: 'list',
  describe: () => 'array of user ids (`null` when empty)',
  widget: 'list',
};

const operatorData: KindBehaviour<'operatorData'> = {
  normalise(raw, field) {
    if (raw === '' || (Array.isArray(raw) && raw.length === 0)) return ok(null);
    if (!isObject(raw)) return skip(`expected an object with ${field.keys.join(', ')}, got ${describeSent(raw)}`);
    const value: Record<string, string> = {};
    const dropped: string[] = [];
    for (const [key, v] of Object.entries(raw)) {
      const upper = key.toUpperCase();
      if (!field.keys.includes(upper)) dropped.push(key);
      // U+0000 dropped as in text fields: PostgreSQL jsonb cannot hold it.
      else if (typeof v === 'string' || typeof v === 'number') value[upper] = String(v).replaceAll('\u0000', '');
      else dropped.push(key);
    }
    const warning = dropped.length
      ? `keys ${dropped.join(', ')} dropped (allowed: ${field.keys.join(', ')} with string values)`
      : undefined;
    return ok(Object.keys(value).length ? value : null, warning);
  },
  defaultValue: () => null,
  present: (v) => v ?? [],
  presentEmpty: () => [],
  valueType: 'text',
  describe: (f) => `object with ${f.keys.map((k) => `\`${k}\``).join(', ')} (\`[]\` when unset)`,
  widget: 'object',
};

const readOnly = (what: string) => ({
  normalise: () => skip('read-only; ignored'),
  defaultValue: () => null,
  presentEmpty: () => null,
  describe: () => what,
  widget: 'readonly' as const,
});

const id: KindBehaviour<'id'> = { ...readOnly('id (read-only)'), present: (v) => String(v), valueType: 'number' };
const date: KindBehaviour<'date'> = {
  ...readOnly('ISO-8601 date with offset (read-only)'),
  present: (v, ctx) => ctx.formatDate(v),
  valueType: 'date',
};

export const FIELD_KINDS: { readonly [K in FieldKind]: KindBehaviour<K> } = {
  yn,
  int,
  enum: enumeration,
  text,
  formId,
  hour,
  dayList,
  holidays,
  userList,
  operatorData,
  id,
  date,
};

/** Typed dispatch: the behaviour for a descriptor's kind. */
export function kindOf<F extends FieldDescriptor>(field: F): KindBehaviour<F['kind']> {
  return FIELD_KINDS[field.kind] as unknown as KindBehaviour<F['kind']>;
}

/** The value a new line gets (see KindBehaviour.defaultValue). */
export function defaultValue(field: FieldDescriptor): unknown {
  return kindOf(field).defaultValue(field as never);
}

/** The field's default is computed by the line service when the line is created. */
export function isAutoDefault(field: FieldDescriptor): boolean {
  return field.kind === 'text' && typeof field.default === 'object' && field.default !== null;
}
