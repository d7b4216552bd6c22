// The shape of one line-configuration field descriptor. The catalogue (catalogue.ts) is data of this shape;
// every behaviour (normalise, default, present, compare, widget) is derived per kind in field-kinds.ts.

import type { LineTable } from '../../store/schema.js';

export type FieldKind =
  | 'yn'
  | 'int'
  | 'enum'
  | 'text'
  | 'formId'
  | 'hour'
  | 'dayList'
  | 'holidays'
  | 'userList'
  | 'operatorData'
  | 'id'
  | 'date';

export type FieldGroup =
  | 'general'
  | 'queue'
  | 'crm'
  | 'welcome'
  | 'worktime'
  | 'noAnswer'
  | 'close'
  | 'autoClose'
  | 'vote'
  | 'kpi'
  | 'forms'
  | 'system';

/** A rule from the reference: the value only sticks when another field is sent with a value in the same request. */
export interface SameRequestRule {
  readonly field: string;
  readonly equals: string;
  /** What the field becomes when the condition does not hold. */
  readonly otherwise: string | number;
  /** Only these values need the condition (e.g. WELCOME_BOT_LEFT=close); absent means every value. */
  readonly onlyForValues?: readonly string[];
  /** Only applied when a line is created (the reference applies some rules in add mode only). */
  readonly addOnly?: boolean;
}

/** The columns of the lines table that hold a catalogue field (every other field lives only in the document). */
export type LineColumn = Exclude<keyof LineTable, 'doc'>;

/** A default computed when the line is created: the automatic line name (reference-behaviour.md §2.1). */
export interface AutoDefault {
  readonly auto: 'lineName';
}

interface BaseField {
  readonly name: string;
  readonly group: FieldGroup;
  readonly label: string;
  readonly help: string;
  /** Where the behaviour is proven: a spec section or a Bitrix24 source file. */
  readonly source: string;
  /** Printed by get/list but never taken from input (ID, dates, MODIFY_USER_ID, ...). */
  readonly readOnly?: boolean;
  readonly sameRequest?: SameRequestRule;
  /** The lines-table column the field is kept in (filtered and sorted on); writable ones are in the document too. */
  readonly column?: LineColumn;
}

export interface YnField extends BaseField {
  readonly kind: 'yn';
  readonly default: 'Y' | 'N';
  /** What any value other than 'Y'/'N' turns into: the reference has "N-wins" (else Y) and "Y-wins" (else N) flags. */
  readonly otherwise: 'Y' | 'N';
}

export interface IntField extends BaseField {
  readonly kind: 'int';
  readonly default: number | null;
  readonly min?: number;
  readonly max?: number;
  /** clamp: out-of-range values are clamped; ignore: the value is dropped (default on add, unchanged on update). */
  readonly outOfRange: 'clamp' | 'ignore';
  readonly unit?: 'seconds' | 'minutes';
}

export interface EnumField extends BaseField {
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly default: string;
  /** The reference's replacement for a value outside `values` (not always the default). */
  readonly invalidBecomes: string;
  readonly valueLabels?: Readonly<Record<string, string>>;
}

export interface TextField extends BaseField {
  readonly kind: 'text';
  /** null: no default; #COMPANY_NAME# is replaced with the portal name. */
  readonly default: string | null | AutoDefault;
  readonly maxLength: number;
  /** Longer values are cut to this length instead of failing (the reference cuts some texts). */
  readonly truncateTo?: number;
  readonly htmlEscape?: boolean;
  readonly multiline?: boolean;
  /** An empty value means "not sent" (LINE_NAME). */
  readonly emptyIsAbsent?: boolean;
}

export interface FormIdField extends BaseField {
  readonly kind: 'formId';
  readonly default: number;
}

export interface HourField extends BaseField {
  readonly kind: 'hour';
  readonly default: string;
  /** The other end of the pair; both must be sent for either to apply. */
  readonly pairedWith: string;
  readonly end: 'from' | 'to';
}

export interface DayListField extends BaseField {
  readonly kind: 'dayList';
  readonly values: readonly string[];
}

export interface HolidaysField extends BaseField {
  readonly kind: 'holidays';
  readonly maxLength: number;
}

export interface UserListField extends BaseField {
  readonly kind: 'userList';
}

export interface OperatorDataField extends BaseField {
  readonly kind: 'operatorData';
  readonly keys: readonly string[];
}

export interface IdField extends BaseField {
  readonly kind: 'id';
}

export interface DateField extends BaseField {
  readonly kind: 'date';
}

export type FieldDescriptor =
  | YnField
  | IntField
  | EnumField
  | TextField
  | FormIdField
  | HourField
  | DayListField
  | HolidaysField
  | UserListField
  | OperatorDataField
  | IdField
  | DateField;

/**
 * An input key of config.add/update that is not a stored field: the queue, expanded into operators by queue.ts and
 * printed by get from the queue tables. Described as data like the fields, for the field reference.
 */
export interface QueueInputDescriptor {
  readonly name: string;
  readonly group: FieldGroup;
  readonly label: string;
  readonly help: string;
  /** The wire forms accepted, in words (the reference's "Type and values" column). */
  readonly accepts: string;
  /** What a new line gets when the key is not sent. */
  readonly whenAbsent: string;
  /** How config.get prints it on a new line. */
  readonly printed: string;
  /** What the server makes of what was sent. */
  readonly expansion: string;
  /** What bad input gets: add and update, compat and strict. */
  readonly errors: string;
  readonly source: string;
}

/** The stored (normalised) value of each kind. */
export interface KindValue {
  yn: 'Y' | 'N';
  int: number | null;
  enum: string;
  text: string | null;
  formId: number;
  hour: string;
  dayList: string[];
  holidays: string[];
  userList: number[] | null;
  operatorData: Record<string, string> | null;
  id: number;
  date: string;
}
