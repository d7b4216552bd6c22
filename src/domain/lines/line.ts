// The line model: a stored line, its queue as configured and its operators. Every layer between the repository
// and the presenter passes these shapes; rows are mapped to them only in store/line-rows.ts, and the presenter
// alone turns them into wire shapes. Field values are typed from the catalogue: read one with lineValue.

import type { DirectoryUser } from '../directory/directory-user.js';
import { FIELD_BY_NAME, type LineField } from './catalogue.js';
import { defaultValue } from './field-kinds.js';
import type { AutoDefault, KindValue, LineColumn } from './field-types.js';

type WritableField = Exclude<LineField, { readonly readOnly: true }>;
export type WritableFieldName = WritableField['name'];

/** The stored type of a field: its kind's value, narrowed by the field's own values and default. */
export type FieldValue<F extends LineField> = F extends { readonly kind: 'enum'; readonly default: infer V }
  ? V
  : F extends { readonly kind: 'int'; readonly default: number }
    ? number
    : F extends { readonly kind: 'text'; readonly default: string | AutoDefault }
      ? string
      : KindValue[F['kind']];

/** Every writable field under its catalogue name, with its stored type. */
export type LineValues = { readonly [F in WritableField as F['name']]: FieldValue<F> };

/**
 * The stored document: a field the catalogue gained after the line was written is absent (lineValue fills it in).
 * Generic code (diffs, the input pipeline) reads it by any name as unknown; code that needs a field's type
 * reads it with lineValue.
 */
export type LineDocument = Partial<LineValues> & Readonly<Record<string, unknown>>;

export interface Line {
  readonly id: number;
  readonly values: LineDocument;
  readonly modifyUserId: number;
  /** ISO-8601 instants. */
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/** A line before it is stored: the store assigns the id. */
export type NewLine = Omit<Line, 'id'>;

/**
 * A field's value, typed from the catalogue (`lineValue(line, 'QUEUE_TIME')` is a number). A field newer than the
 * stored document reads as its default; a default text keeps its #COMPANY_NAME# placeholder.
 */
export function lineValue<N extends WritableFieldName>(line: Pick<Line, 'values'>, name: N): LineValues[N] {
  const stored = line.values[name];
  if (stored !== undefined) return stored as LineValues[N];
  return defaultValue(FIELD_BY_NAME.get(name)!) as LineValues[N];
}

/** Where the model holds the value of each column (LINE_NAME and ACTIVE are document fields with a column copy). */
const COLUMN_VALUES: { readonly [C in LineColumn]: (line: Line) => unknown } = {
  id: (line) => line.id,
  line_name: (line) => lineValue(line, 'LINE_NAME'),
  active: (line) => lineValue(line, 'ACTIVE'),
  modify_user_id: (line) => line.modifyUserId,
  created_at: (line) => line.createdAt,
  modified_at: (line) => line.modifiedAt,
};

/** The value of a field the catalogue keeps in a column (ID, dates, last editor, ...). */
export function columnValue(line: Line, column: LineColumn): unknown {
  return COLUMN_VALUES[column](line);
}

export type EntityType = 'user' | 'department';

/** One entry of the queue as configured: a user, or a department whose active users become operators. */
export interface QueueEntry {
  readonly entityType: EntityType;
  readonly entityId: number;
}

/** One operator of a line (a row of the expanded queue) and the display data set for this line. */
export interface Operator {
  readonly userId: number;
  /** The configured department the user came through; 0 when configured as a user. */
  readonly departmentId: number;
  /** Per-line display data from QUEUE_USERS_FIELDS; null: the directory entry shows. */
  readonly userName: string | null;
  readonly workPosition: string | null;
  readonly avatar: string | null;
  readonly avatarId: number;
}

/** The per-line display data of an operator (QUEUE_USERS_FIELDS). */
export type OperatorDisplay = Pick<Operator, 'userName' | 'workPosition' | 'avatar' | 'avatarId'>;

export const NO_DISPLAY: OperatorDisplay = { userName: null, workPosition: null, avatar: null, avatarId: 0 };

export function displayOf(operator: OperatorDisplay): OperatorDisplay {
  const { userName, workPosition, avatar, avatarId } = operator;
  return { userName, workPosition, avatar, avatarId };
}

/** A stored operator: its row and its place in the queue. */
export interface StoredOperator extends Operator {
  readonly rowId: number;
  readonly sort: number;
}

/** A stored operator with their directory entry (undefined when the user is no longer in the directory). */
export interface QueueMember extends StoredOperator {
  readonly user?: DirectoryUser;
}
