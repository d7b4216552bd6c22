// The input readers of imopenlines.config.*: CONFIG_ID, and PARAMS of add/update as typed input (readLineInput).
// PARAMS runs a pipeline per field: normalise → default (add only) → the same-request rules the catalogue
// declares; then QUEUE is read. Every substitution becomes a finding; the InputReport of the call turns the first
// into an error in strict mode (DECISIONS.md "Two validation modes").

import { RestError } from '../../wire/errors.js';
import { describeSent, isObject, phpIntval } from '../../wire/php-values.js';
import type { FieldWarning, Findings, InputFailure } from '../input/input-report.js';
import { FIELD_BY_NAME, LEGACY_IGNORED_KEYS, QUEUE_INPUT_KEYS, WRITABLE_FIELDS } from './catalogue.js';
import { defaultValue, formatHour, kindOf, parseHour } from './field-kinds.js';
import type { FieldDescriptor, HourField } from './field-types.js';
import type { LineDocument } from './line.js';
import { parseObjectEntry, type QueueInput, queueEntries, readQueue } from './queue.js';

export interface AppliedInput {
  /**
   * Normalised values to store: every writable field on add (LINE_NAME undefined when the line service names
   * the line), only the sent ones on update.
   */
  readonly values: LineDocument;
  readonly warnings: FieldWarning[];
  /** Set when the reference would refuse the write as a whole (compat: result false). */
  readonly failure?: InputFailure;
}

export type InputMode = 'add' | 'update';

export interface InputContext {
  /** Replaces #COMPANY_NAME# in default texts. */
  readonly companyName: string;
}

const NOT_FIELDS = new Set<string>([...QUEUE_INPUT_KEYS, ...LEGACY_IGNORED_KEYS]);

/** PHP isset(): present and not null. */
const isSent = (params: Record<string, unknown>, key: string) => params[key] !== undefined && params[key] !== null;

/** The value a new line gets, #COMPANY_NAME# replaced; undefined when the line service computes it. */
export function defaultFor(field: FieldDescriptor, ctx: InputContext): unknown {
  const value = defaultValue(field);
  return typeof value === 'string' ? value.replaceAll('#COMPANY_NAME#', ctx.companyName) : value;
}

/**
 * CONFIG_ID of get/update/delete, cast like PHP's (int); missing or ≤ 0 → 400 CONFIG_ID_EMPTY
 * (reference-behaviour.md §1.2, checked before anything else).
 */
export function readConfigId(raw: unknown): number {
  const id = phpIntval(raw);
  if (id <= 0) throw new RestError('CONFIG_ID_EMPTY');
  return id;
}

/** PARAMS of config.add/update as typed input: the values to store, the queue when it is to be set, the findings. */
export interface LineInput {
  /** Normalised values: every writable field on add, only the sent ones on update. */
  readonly values: LineDocument;
  /** add: always (no QUEUE makes the caller the operator); update: only when QUEUE was sent. */
  readonly queue?: QueueInput;
  /** Set QUEUE_USERS_FIELDS: update keeps a staying operator's display fields only without it. */
  readonly usersFieldsSent: boolean;
  /** In reading order; a failure means the reference refuses the write (nothing is read after it). */
  readonly findings: Findings;
}

/** PARAMS as the reference reads it: used only when it is a non-empty array (object), else []. */
function readParamsObject(raw: unknown): { params: Record<string, unknown>; warnings: FieldWarning[] } {
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)) {
    return { params: {}, warnings: [] };
  }
  if (isObject(raw)) return { params: raw, warnings: [] };
  return { params: {}, warnings: [{ field: 'PARAMS', sent: raw, used: [], reason: 'expected an object; ignored' }] };
}

/**
 * Config::update's checks of a sent QUEUE, before anything is expanded: every entry in object form
 * (QueueManager::validateQueueFields; plain user ids, which add accepts, fail here), and not empty.
 */
function checkUpdateQueue(raw: unknown): InputFailure | undefined {
  const entries = queueEntries(raw);
  const bad = entries?.find((entry) => parseObjectEntry(entry) === null);
  if (bad !== undefined) {
    return {
      field: 'QUEUE',
      reason: `entry ${describeSent(bad)} is not {ENTITY_TYPE: user|department, ENTITY_ID: id > 0}`,
    };
  }
  if (!entries || entries.length === 0) {
    return { field: 'QUEUE', reason: 'expected a non-empty array of {ENTITY_TYPE, ENTITY_ID} entries' };
  }
  return undefined;
}

/** config.add (mode add) or config.update (mode update) PARAMS, read in the reference's order. */
export function readLineInput(rawParams: unknown, mode: InputMode, ctx: InputContext): LineInput {
  const { params, warnings: paramWarnings } = readParamsObject(rawParams);
  const applied = applyLineInput(params, mode, ctx);
  const warnings = [...paramWarnings, ...applied.warnings];
  const { values } = applied;
  const usersFieldsSent = isSent(params, 'QUEUE_USERS_FIELDS');
  if (mode === 'add') {
    if (applied.failure) return { values, usersFieldsSent, findings: { warnings, failure: applied.failure } };
    const queue = readQueue(params.QUEUE, params.QUEUE_USERS_FIELDS, { allowPlainIds: true });
    return { values, queue, usersFieldsSent, findings: { warnings: [...warnings, ...queue.warnings] } };
  }
  let failure = applied.failure;
  let queue: QueueInput | undefined;
  if (!failure && isSent(params, 'QUEUE')) {
    failure = checkUpdateQueue(params.QUEUE);
    if (!failure) {
      queue = readQueue(params.QUEUE, params.QUEUE_USERS_FIELDS, { allowPlainIds: false });
      warnings.push(...queue.warnings);
    }
  } else if (!isSent(params, 'QUEUE') && usersFieldsSent) {
    warnings.push({
      field: 'QUEUE_USERS_FIELDS',
      sent: params.QUEUE_USERS_FIELDS,
      used: null,
      reason: 'applies only together with QUEUE; ignored',
    });
  }
  return { values, ...(queue ? { queue } : {}), usersFieldsSent, findings: { warnings, failure } };
}

export function applyLineInput(params: Record<string, unknown>, mode: InputMode, ctx: InputContext): AppliedInput {
  const values: Record<string, unknown> = {};
  const warnings: FieldWarning[] = [];
  const sent = new Set<string>();

  for (const key of Object.keys(params)) {
    if (NOT_FIELDS.has(key) || !isSent(params, key)) continue;
    const field = FIELD_BY_NAME.get(key);
    if (!field) warnings.push({ field: key, sent: params[key], used: null, reason: 'unknown field; ignored' });
    else if (field.readOnly) warnings.push({ field: key, sent: params[key], used: null, reason: 'read-only; ignored' });
  }

  for (const field of WRITABLE_FIELDS) {
    if (field.kind === 'hour') continue; // applied as a pair below
    const raw = params[field.name];
    const isPresent = isSent(params, field.name) && !(field.kind === 'text' && field.emptyIsAbsent && raw === '');
    if (!isPresent) {
      if (mode === 'add') values[field.name] = defaultFor(field, ctx);
      continue;
    }
    const result = kindOf(field).normalise(raw, field as never);
    if (result.ok) {
      values[field.name] = result.value;
      sent.add(field.name);
      if (result.warning) warnings.push({ field: field.name, sent: raw, used: result.value, reason: result.warning });
    } else if (result.skip) {
      const used = mode === 'add' ? defaultFor(field, ctx) : null;
      if (mode === 'add') values[field.name] = used;
      warnings.push({
        field: field.name,
        sent: raw,
        used,
        reason: mode === 'add' ? `${result.warning}; default used` : result.warning,
      });
    } else {
      return { values: values as LineDocument, warnings, failure: { field: field.name, reason: result.failure } };
    }
  }

  applySameRequestRules(params, mode, values, sent, warnings);
  for (const from of HOUR_PAIR_STARTS) applyHourPair(from, params, mode, values, warnings);
  // Each value came from its kind's normalise or default, so it has the type the catalogue gives the field.
  return { values: values as LineDocument, warnings };
}

function applySameRequestRules(
  params: Record<string, unknown>,
  mode: InputMode,
  values: Record<string, unknown>,
  sent: Set<string>,
  warnings: FieldWarning[],
) {
  for (const field of WRITABLE_FIELDS) {
    const rule = field.sameRequest;
    if (!rule || !sent.has(field.name)) continue;
    if (rule.addOnly && mode !== 'add') continue;
    const value = values[field.name];
    if (rule.onlyForValues && !rule.onlyForValues.includes(String(value))) continue;
    const holds =
      rule.equals === '*' ? isSent(params, rule.field) : sent.has(rule.field) && values[rule.field] === rule.equals;
    if (holds || value === rule.otherwise) continue;
    values[field.name] = rule.otherwise;
    const condition = rule.equals === '*' ? rule.field : `${rule.field}=${rule.equals}`;
    warnings.push({
      field: field.name,
      sent: params[field.name],
      used: rule.otherwise,
      reason: `applies only with ${condition} in the same request; set to ${rule.otherwise}`,
    });
  }
}

const LATEST_START = { hours: 23, minutes: 30 };
const LATEST_END = { hours: 23, minutes: 59 };
const toMinutes = (h: { hours: number; minutes: number }) => h.hours * 60 + h.minutes;

/** The start of each hour pair (WORKTIME_FROM); its end is the field it is paired with. */
const HOUR_PAIR_STARTS = WRITABLE_FIELDS.filter((f): f is HourField => f.kind === 'hour' && f.end === 'from');

/** An hour pair (WORKTIME_FROM/TO): both or neither; a bad one resets both; FROM ≤ 23.30; TO after FROM. */
function applyHourPair(
  from: HourField,
  params: Record<string, unknown>,
  mode: InputMode,
  values: Record<string, unknown>,
  warnings: FieldWarning[],
) {
  const to = FIELD_BY_NAME.get(from.pairedWith) as HourField;
  const fromSent = isSent(params, from.name);
  const toSent = isSent(params, to.name);
  const useDefaults = () => {
    values[from.name] = from.default;
    values[to.name] = to.default;
  };
  if (!fromSent || !toSent) {
    if (mode === 'add') useDefaults();
    const lone = fromSent ? from : toSent ? to : null;
    if (lone) {
      warnings.push({
        field: lone.name,
        sent: params[lone.name],
        used: mode === 'add' ? lone.default : null,
        reason: `applies only together with ${lone.pairedWith}; ignored`,
      });
    }
    return;
  }
  const start = parseHour(params[from.name]);
  const end = parseHour(params[to.name]);
  if (!start || !end) {
    useDefaults();
    for (const [field, parsed] of [
      [from, start],
      [to, end],
    ] as const) {
      warnings.push({
        field: field.name,
        sent: params[field.name],
        used: field.default,
        reason: parsed
          ? `reset to ${field.default} because ${field.pairedWith} is invalid`
          : `expected hours as H, H.MM or HH:MM, got ${describeSent(params[field.name])}; both ends reset to ${from.default}/${to.default}`,
      });
    }
    return;
  }
  let startUsed = start;
  if (toMinutes(start) > toMinutes(LATEST_START)) {
    startUsed = LATEST_START;
    warnings.push({
      field: from.name,
      sent: params[from.name],
      used: formatHour(startUsed),
      reason: 'must be at most 23.30; capped',
    });
  }
  let endUsed = end;
  if (toMinutes(end) <= toMinutes(startUsed)) {
    const plusHour = { hours: startUsed.hours + 1, minutes: startUsed.minutes };
    endUsed = toMinutes(plusHour) > toMinutes(LATEST_END) ? LATEST_END : plusHour;
    warnings.push({
      field: to.name,
      sent: params[to.name],
      used: formatHour(endUsed),
      reason: `must be after ${from.name}; set to ${formatHour(endUsed)}`,
    });
  }
  values[from.name] = formatHour(startUsed);
  values[to.name] = formatHour(endUsed);
}
