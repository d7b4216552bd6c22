// The browser-safe projection of the field catalogue that the admin page builds its form from
// (GET /admin/api/catalogue): plain data, no functions, every entry derived from catalogue.ts and field-kinds.ts.

import { defaultFor } from './apply-input.js';
import { FIELD_GROUPS, LINE_FIELDS, QUEUE_INPUT_KEYS } from './catalogue.js';
import { isAutoDefault, type KindBehaviour, kindOf } from './field-kinds.js';
import type { FieldDescriptor, FieldGroup, FieldKind } from './field-types.js';

export type Widget = KindBehaviour<FieldKind>['widget'];

export interface ProjectedField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly group: FieldGroup;
  readonly label: string;
  readonly help: string;
  /** Type and allowed values in words, as docs/fields.md states them. */
  readonly describe: string;
  readonly widget: Widget;
  readonly readOnly: boolean;
  /** The value a new line gets (null: none; the automatic line name is null with `autoDefault`). */
  readonly default: unknown;
  readonly autoDefault?: true;
  readonly values?: readonly string[];
  readonly valueLabels?: Readonly<Record<string, string>>;
  readonly min?: number;
  readonly max?: number;
  readonly unit?: string;
  readonly maxLength?: number;
  /** Input is HTML-escaped before it is stored: the page shows the stored text unescaped. */
  readonly htmlEscape?: true;
  /** Object keys (DEFAULT_OPERATOR_DATA). */
  readonly keys?: readonly string[];
  /** Sent together with this field on every change (WORKTIME_FROM/TO, the same-request rules). */
  readonly sendWith?: readonly string[];
}

export interface CatalogueProjection {
  readonly groups: readonly { readonly id: FieldGroup; readonly label: string }[];
  readonly fields: readonly ProjectedField[];
  /** Input keys that are not fields (QUEUE, QUEUE_USERS_FIELDS). */
  readonly inputKeys: readonly string[];
}

/** The fields a change of `field` must be sent with, or the update resets it (reference-behaviour.md §2.1). */
export function partnersOf(field: FieldDescriptor): string[] {
  const partners: string[] = [];
  if (field.kind === 'hour') partners.push(field.pairedWith);
  const rule = field.sameRequest;
  if (rule && !rule.addOnly) partners.push(rule.field);
  return partners;
}

function widgetOf(field: FieldDescriptor): Widget {
  if (field.readOnly) return 'readonly';
  if (field.kind === 'text' && field.multiline) return 'textarea';
  return kindOf(field).widget;
}

function projectField(field: FieldDescriptor, companyName: string): ProjectedField {
  const base = {
    name: field.name,
    kind: field.kind,
    group: field.group,
    label: field.label,
    help: field.help,
    describe: kindOf(field).describe(field as never),
    widget: widgetOf(field),
    readOnly: field.readOnly === true,
  };
  const def = field.readOnly ? null : (defaultFor(field, { companyName }) ?? null);
  const sendWith = partnersOf(field);
  const extra: Record<string, unknown> = { default: def };
  if (isAutoDefault(field)) extra.autoDefault = true;
  if (sendWith.length) extra.sendWith = sendWith;
  switch (field.kind) {
    case 'enum':
      extra.values = field.values;
      if (field.valueLabels) extra.valueLabels = field.valueLabels;
      break;
    case 'dayList':
      extra.values = field.values;
      break;
    case 'int':
      if (field.min !== undefined) extra.min = field.min;
      if (field.max !== undefined) extra.max = field.max;
      if (field.unit) extra.unit = field.unit;
      break;
    case 'text':
      extra.maxLength = field.truncateTo ?? field.maxLength;
      if (field.htmlEscape) extra.htmlEscape = true;
      break;
    case 'holidays':
      extra.maxLength = field.maxLength;
      break;
    case 'operatorData':
      extra.keys = field.keys;
      break;
    case 'yn':
    case 'formId':
    case 'hour':
    case 'userList':
    case 'id':
    case 'date':
      break;
  }
  return { ...base, ...extra } as ProjectedField;
}

/** The whole projection; #COMPANY_NAME# in default texts is replaced with the portal name. */
export function projectCatalogue(companyName: string): CatalogueProjection {
  return {
    groups: FIELD_GROUPS.map((g) => ({ id: g.id, label: g.label })),
    fields: LINE_FIELDS.map((f) => projectField(f, companyName)),
    inputKeys: [...QUEUE_INPUT_KEYS],
  };
}
