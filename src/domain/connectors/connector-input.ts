// Parameters of the imconnector.* methods → typed input and its findings (openlines-api.md §4; reference
// bitrix24-core-corp modules/imconnector lib/rest/customconnectors.php and lib/rest/status.php). Parameter names
// are upper-cased first, as the reference does. A missing argument throws at once; every substitution is a
// finding, which the method hands to the call's InputReport (strict: the first is 400 ERROR_ARGUMENT).

import { argumentError, RESULT_ERRORS, type ResultErrorCode } from '../../wire/errors.js';
import { describeSent, isObject, isPhpEmpty, phpIntval, upperKeys } from '../../wire/php-values.js';
import type { FieldWarning, Findings } from '../input/input-report.js';

type Params = Record<string, unknown>;

/** A connector on a line, as status, data.get (and, with more, activate and data.set) name it. */
export interface ConnectorLine {
  readonly code: string;
  /** LINE cast like PHP's (int); 0 when status was sent no LINE. */
  readonly lineId: number;
  readonly findings: Findings;
}

export interface Activation extends ConnectorLine {
  readonly active: boolean;
  readonly activeSent: unknown;
}

export interface DataUpdate extends ConnectorLine {
  readonly data: ConnectorData;
}

function warnUnknownKeys(params: Params, known: readonly string[], warnings: FieldWarning[], prefix = ''): void {
  for (const [key, value] of Object.entries(params)) {
    if (!known.includes(key)) {
      warnings.push({ field: `${prefix}${key}`, sent: value, used: null, reason: 'unknown parameter; ignored' });
    }
  }
}

/** `Argument 'X' is null or empty` (the reference's ArgumentNullException), for a missing, null or "" value. */
function requireArgument(params: Params, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === null || value === '') {
    throw argumentError(name, `Argument '${name}' is null or empty`);
  }
  return value;
}

/** A connector code as sent: a string or a number, lower-cased (the reference's ID_CONNECTOR is lower case). */
function readConnectorCode(params: Params): string {
  const raw = requireArgument(params, 'CONNECTOR');
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    throw argumentError('CONNECTOR', "The value of an argument 'CONNECTOR' must be of type string");
  }
  return String(raw).trim().toLowerCase();
}

/** LINE cast like PHP's (int); a value that is not an integer is reported. */
function readLineId(raw: unknown, warnings: FieldWarning[]): number {
  const value = phpIntval(raw);
  const exact =
    (typeof raw === 'number' && Number.isInteger(raw)) || (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw));
  if (!exact)
    warnings.push({ field: 'LINE', sent: raw, used: value, reason: `expected an integer, got ${describeSent(raw)}` });
  return value;
}

/** ACTIVE: empty, 0, N and false switch the connector off, any other value on (DECISIONS.md imconnector). */
function readActive(raw: unknown): boolean {
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    return !(text === '' || text === '0' || text === 'n' || text === 'false');
  }
  return !isPhpEmpty(raw);
}

// Each reader checks the arguments the reference requires first (those throw), then reports in the order the
// parameters are read: unknown names, then values.

/** imconnector.activate: CONNECTOR, LINE and ACTIVE are required. */
export function readActivation(raw: Params): Activation {
  const params = upperKeys(raw) as Params;
  const code = readConnectorCode(params);
  requireArgument(params, 'LINE');
  if (params.ACTIVE === undefined || params.ACTIVE === null) {
    throw argumentError('ACTIVE', "Argument 'ACTIVE' is null or empty");
  }
  const warnings: FieldWarning[] = [];
  warnUnknownKeys(params, ['CONNECTOR', 'LINE', 'ACTIVE'], warnings);
  const lineId = readLineId(params.LINE, warnings);
  return { code, lineId, active: readActive(params.ACTIVE), activeSent: params.ACTIVE, findings: { warnings } };
}

/** imconnector.status: LINE omitted, null or "" is line 0 (the reference's all-false answer). */
export function readStatusQuery(raw: Params): ConnectorLine {
  const params = upperKeys(raw) as Params;
  const code = readConnectorCode(params);
  const warnings: FieldWarning[] = [];
  warnUnknownKeys(params, ['CONNECTOR', 'LINE'], warnings);
  const lineSent = !(params.LINE === undefined || params.LINE === null || params.LINE === '');
  const lineId = lineSent ? readLineId(params.LINE, warnings) : 0;
  return { code, lineId, findings: { warnings } };
}

/** imconnector.connector.data.get (openlines extension): CONNECTOR and LINE are required. */
export function readConnectorLine(raw: Params): ConnectorLine {
  const params = upperKeys(raw) as Params;
  const code = readConnectorCode(params);
  requireArgument(params, 'LINE');
  const warnings: FieldWarning[] = [];
  warnUnknownKeys(params, ['CONNECTOR', 'LINE'], warnings);
  const lineId = readLineId(params.LINE, warnings);
  return { code, lineId, findings: { warnings } };
}

/** imconnector.connector.data.set: CONNECTOR, LINE and DATA (an array) are required. */
export function readDataUpdate(raw: Params): DataUpdate {
  const params = upperKeys(raw) as Params;
  const code = readConnectorCode(params);
  requireArgument(params, 'LINE');
  const sentData = requireArgument(params, 'DATA');
  if (!isObject(sentData) && !Array.isArray(sentData)) {
    throw argumentError('DATA', "The value of an argument 'DATA' must be of type array");
  }
  const warnings: FieldWarning[] = [];
  warnUnknownKeys(params, ['CONNECTOR', 'LINE', 'DATA'], warnings);
  const data = readConnectorData(sentData, warnings);
  const lineId = readLineId(params.LINE, warnings);
  return { code, lineId, data, findings: { warnings } };
}

/** imconnector.unregister: the connector code, or null when ID is empty or not text (answered after the app check). */
export function readUnregistration(raw: Params): { readonly code: string | null; readonly findings: Findings } {
  const params = upperKeys(raw) as Params;
  const warnings: FieldWarning[] = [];
  warnUnknownKeys(params, ['ID'], warnings);
  const id = params.ID;
  const code =
    isPhpEmpty(id) || (typeof id !== 'string' && typeof id !== 'number') ? null : String(id).trim().toLowerCase();
  return { code, findings: { warnings } };
}

// --- imconnector.connector.data.set ---

export const DATA_KEYS = ['ID', 'URL', 'URL_IM', 'NAME'] as const;
export type ConnectorData = Partial<Record<(typeof DATA_KEYS)[number], string>>;

/**
 * DATA: keys in either case, stored upper-case; the four keys the reference keeps, empty values dropped (its
 * !empty test). What is sent is merged over what was stored (mergeConnectorData).
 */
function readConnectorData(raw: Params | unknown[], warnings: FieldWarning[]): ConnectorData {
  const sent = upperKeys(Array.isArray(raw) ? Object.fromEntries(raw.entries()) : raw) as Params;
  warnUnknownKeys(sent, DATA_KEYS, warnings, 'DATA.');
  const data: ConnectorData = {};
  for (const key of DATA_KEYS) {
    const value = sent[key];
    if (isPhpEmpty(value)) continue;
    if (typeof value === 'string') data[key] = value;
    else if (typeof value === 'number') data[key] = String(value);
    else warnings.push({ field: `DATA.${key}`, sent: value, used: null, reason: 'expected a string; ignored' });
  }
  return data;
}

/** The keys sent win over the stored ones, the others stay: the reference's array_merge (rest/status.php connectorDataSet). */
export function mergeConnectorData(stored: ConnectorData, sent: ConnectorData): ConnectorData {
  return { ...stored, ...sent };
}

/** DATA as read back: keys in DATA_KEYS order; URL_IM, when never sent, is URL (openlines-api.md §4.1). */
export function presentConnectorData(stored: ConnectorData): ConnectorData {
  const withFallback: ConnectorData = { ...stored, URL_IM: stored.URL_IM ?? stored.URL };
  const presented: ConnectorData = {};
  for (const key of DATA_KEYS) if (withFallback[key] !== undefined) presented[key] = withFallback[key];
  return presented;
}

// --- imconnector.register ---

export interface ConnectorIcon {
  readonly DATA_IMAGE: string;
  readonly COLOR?: string;
  readonly SIZE?: string;
  readonly POSITION?: string;
}

export const CONNECTOR_FLAGS = [
  'DEL_EXTERNAL_MESSAGES',
  'EDIT_INTERNAL_MESSAGES',
  'DEL_INTERNAL_MESSAGES',
  'NEWSLETTER',
  'NEED_SYSTEM_MESSAGES',
  'NEED_SIGNATURE',
  'CHAT_GROUP',
] as const;
export type ConnectorFlag = (typeof CONNECTOR_FLAGS)[number];

/** Defaults: every flag true but CHAT_GROUP (openlines-api.md §4.2). */
export const FLAG_DEFAULTS: Readonly<Record<ConnectorFlag, boolean>> = {
  DEL_EXTERNAL_MESSAGES: true,
  EDIT_INTERNAL_MESSAGES: true,
  DEL_INTERNAL_MESSAGES: true,
  NEWSLETTER: true,
  NEED_SYSTEM_MESSAGES: true,
  NEED_SIGNATURE: true,
  CHAT_GROUP: false,
};

/** What a connector stores besides its code and name. */
export interface ConnectorSettings extends Record<ConnectorFlag, boolean> {
  readonly ICON: ConnectorIcon;
  readonly ICON_DISABLED?: ConnectorIcon;
  readonly PLACEMENT_HANDLER: string;
  readonly COMMENT?: string;
}

export interface Registration {
  readonly code: string;
  readonly name: string;
  readonly settings: ConnectorSettings;
}

/** A failure of register/unregister as the reference answers it: HTTP 200, nested in `result`. */
export interface NestedFailure {
  readonly result: false;
  readonly error: ResultErrorCode;
  readonly error_description: string;
}

export function nestedFailure(code: ResultErrorCode, reason?: string): NestedFailure {
  const text = RESULT_ERRORS[code].description;
  return { result: false, error: code, error_description: reason ? `${text}: ${reason}` : text };
}

/** Column lengths of the reference's b_imconnectors_custom_connectors (ID_CONNECTOR, NAME). */
export const MAX_CODE_LENGTH = 255;
export const MAX_NAME_LENGTH = 255;
const REGISTER_KEYS = ['ID', 'NAME', 'ICON', 'ICON_DISABLED', 'PLACEMENT_HANDLER', 'COMMENT', ...CONNECTOR_FLAGS];
const ICON_KEYS = ['DATA_IMAGE', 'COLOR', 'SIZE', 'POSITION'];
const CODE_PATTERN = /^[a-z0-9_]+$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+\S*$/i;

/** Y/N flags: Y/N (any case), true/false, 1/0; anything else keeps the default, reported. */
function readFlag(name: ConnectorFlag, raw: unknown, warnings: FieldWarning[]): boolean {
  if (raw === undefined || raw === null) return FLAG_DEFAULTS[name];
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (text === true || text === 1 || text === 'y' || text === '1' || text === 'true') return true;
  if (text === false || text === 0 || text === 'n' || text === '0' || text === 'false') return false;
  warnings.push({
    field: name,
    sent: raw,
    used: FLAG_DEFAULTS[name],
    reason: `expected Y or N, got ${describeSent(raw)}; default used`,
  });
  return FLAG_DEFAULTS[name];
}

/** An icon object: DATA_IMAGE (a data: URI) plus optional COLOR, SIZE, POSITION strings. */
function readIcon(name: string, raw: Params, warnings: FieldWarning[]): ConnectorIcon | undefined {
  warnUnknownKeys(raw, ICON_KEYS, warnings, `${name}.`);
  const image = raw.DATA_IMAGE;
  if (typeof image !== 'string' || image === '') {
    warnings.push({
      field: `${name}.DATA_IMAGE`,
      sent: image,
      used: null,
      reason: `expected a data URI; ${name} ignored`,
    });
    return undefined;
  }
  if (!/^data:image\//i.test(image)) {
    warnings.push({
      field: `${name}.DATA_IMAGE`,
      sent: image,
      used: image,
      reason: 'expected a data URI (data:image/svg+xml,…); stored as sent',
    });
  }
  const icon: { -readonly [K in keyof ConnectorIcon]: ConnectorIcon[K] } = { DATA_IMAGE: image };
  for (const key of ['COLOR', 'SIZE', 'POSITION'] as const) {
    const value = raw[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string' || typeof value === 'number') icon[key] = String(value);
    else warnings.push({ field: `${name}.${key}`, sent: value, used: null, reason: 'expected a string; ignored' });
  }
  return icon;
}

/** What register was sent: a registration, or the nested failure the reference answers before or after it looks up the application. */
export type RegistrationInput =
  | { readonly registration: Registration; readonly findings: Findings }
  | { readonly failure: NestedFailure; readonly beforeApplication: boolean };

/**
 * imconnector.register in the reference's order of checks (CustomConnectors::register): a dot in ID first, then
 * ID, NAME, ICON.DATA_IMAGE, the application (the service's), PLACEMENT_HANDLER. openlines adds what the
 * reference leaves to its database: types and column lengths (APPLICATION_REGISTRATION_ERROR naming the reason).
 */
export function readRegistration(rawParams: Params): RegistrationInput {
  const params = upperKeys(rawParams, true) as Params;
  const early = (failure: NestedFailure) => ({ failure, beforeApplication: true });
  const late = (failure: NestedFailure) => ({ failure, beforeApplication: false });
  const id = params.ID;
  const idIsText = typeof id === 'string' || typeof id === 'number';
  if (!isPhpEmpty(id) && !idIsText)
    return early(nestedFailure('APPLICATION_REGISTRATION_ERROR', 'ID must be a string'));
  if (idIsText && String(id).includes('.')) return early(nestedFailure('APPLICATION_REGISTRATION_ERROR_POINT'));
  if (isPhpEmpty(id)) return early(nestedFailure('CONNECTOR_ID_REQUIRED'));
  if (isPhpEmpty(params.NAME)) return early(nestedFailure('NAME_REQUIRED'));
  const icon = params.ICON;
  if (!isObject(icon) || isPhpEmpty(icon.DATA_IMAGE)) return early(nestedFailure('ICON_REQUIRED'));
  if (isPhpEmpty(params.PLACEMENT_HANDLER)) return late(nestedFailure('NO_PLACEMENT_HANDLER'));

  const code = String(id).trim().toLowerCase();
  if (code.length > MAX_CODE_LENGTH) {
    return late(nestedFailure('APPLICATION_REGISTRATION_ERROR', `ID is longer than ${MAX_CODE_LENGTH} characters`));
  }
  const name = params.NAME;
  if (typeof name !== 'string' && typeof name !== 'number') {
    return late(nestedFailure('APPLICATION_REGISTRATION_ERROR', 'NAME must be a string'));
  }
  if (String(name).length > MAX_NAME_LENGTH) {
    return late(nestedFailure('APPLICATION_REGISTRATION_ERROR', `NAME is longer than ${MAX_NAME_LENGTH} characters`));
  }
  if (typeof icon.DATA_IMAGE !== 'string') {
    return late(nestedFailure('APPLICATION_REGISTRATION_ERROR', 'ICON.DATA_IMAGE must be a string'));
  }
  const handler = params.PLACEMENT_HANDLER;
  if (typeof handler !== 'string') {
    return late(nestedFailure('APPLICATION_REGISTRATION_ERROR', 'PLACEMENT_HANDLER must be a string'));
  }

  const warnings: FieldWarning[] = [];
  warnUnknownKeys(params, REGISTER_KEYS, warnings);
  if (!CODE_PATTERN.test(code)) {
    warnings.push({
      field: 'ID',
      sent: id,
      used: code,
      reason: 'the documented form is digits, lower-case latin letters and _; stored as sent',
    });
  }
  if (!HTTP_URL.test(handler.trim())) {
    warnings.push({
      field: 'PLACEMENT_HANDLER',
      sent: handler,
      used: handler,
      reason: 'expected an http(s) URL; stored as sent',
    });
  }
  const iconValue = readIcon('ICON', icon, warnings) as ConnectorIcon; // DATA_IMAGE is a non-empty string here
  let iconDisabled: ConnectorIcon | undefined;
  const disabled = params.ICON_DISABLED;
  if (isObject(disabled)) iconDisabled = readIcon('ICON_DISABLED', disabled, warnings);
  else if (!isPhpEmpty(disabled)) {
    warnings.push({ field: 'ICON_DISABLED', sent: disabled, used: null, reason: 'expected an object; ignored' });
  }
  let comment: string | undefined;
  if (typeof params.COMMENT === 'string' || typeof params.COMMENT === 'number') {
    comment = String(params.COMMENT).trim() || undefined;
  } else if (!isPhpEmpty(params.COMMENT)) {
    warnings.push({ field: 'COMMENT', sent: params.COMMENT, used: null, reason: 'expected a string; ignored' });
  }
  const flags = Object.fromEntries(CONNECTOR_FLAGS.map((f) => [f, readFlag(f, params[f], warnings)])) as Record<
    ConnectorFlag,
    boolean
  >;
  const registration: Registration = {
    code,
    name: String(name),
    settings: {
      ICON: iconValue,
      ...(iconDisabled ? { ICON_DISABLED: iconDisabled } : {}),
      PLACEMENT_HANDLER: handler.trim(),
      ...(comment !== undefined ? { COMMENT: comment } : {}),
      ...flags,
    },
  };
  return { registration, findings: { warnings } };
}
