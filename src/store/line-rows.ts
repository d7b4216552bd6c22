// Rows of the lines tables ↔ the line model (domain/lines/line.ts): the only place either is turned into the
// other. The document column holds the normalised field values as JSON; LINE_NAME and ACTIVE are copied into
// columns of their own because lists filter and sort on them.

import type { Selectable } from 'kysely';
import type { Line, LineDocument, NewLine, QueueEntry, StoredOperator } from '../domain/lines/line.js';
import type { LineConfigQueueTable, LineQueueTable, LineTable } from './schema.js';

// Number(): PostgreSQL returns bigint columns as strings.

export function rowToLine(row: Selectable<LineTable>): Line {
  return {
    id: Number(row.id),
    // Written by lineToRow from values the catalogue's kinds normalised.
    values: JSON.parse(row.doc) as LineDocument,
    modifyUserId: Number(row.modify_user_id),
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
  };
}

export function lineToRow(line: NewLine): Omit<LineTable, 'id'> {
  return {
    doc: JSON.stringify(line.values),
    line_name: String(line.values.LINE_NAME),
    active: String(line.values.ACTIVE),
    modify_user_id: line.modifyUserId,
    created_at: line.createdAt,
    modified_at: line.modifiedAt,
  };
}

export function rowToQueueEntry(row: Selectable<LineConfigQueueTable>): QueueEntry {
  return { entityType: row.entity_type === 'department' ? 'department' : 'user', entityId: Number(row.entity_id) };
}

export function rowToOperator(row: Selectable<LineQueueTable>): StoredOperator {
  return {
    rowId: Number(row.id),
    sort: Number(row.sort),
    userId: Number(row.user_id),
    departmentId: Number(row.department_id),
    userName: row.user_name,
    workPosition: row.user_work_position,
    avatar: row.user_avatar,
    avatarId: Number(row.user_avatar_id),
  };
}
