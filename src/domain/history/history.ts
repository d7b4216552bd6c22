// The history of every change to a line: who (user, how authenticated, which credential), when, and the
// field-level diff. Revisions are written by the line service inside the transaction of the change, so a
// change and its revision are committed or rolled back together.

import type { Db } from '../../store/db.js';
import { insertRevision, listRevisions, type RevisionRow } from '../../store/history-repository.js';
import { formatPhpDate } from '../../wire/php-date.js';
import type { Caller } from '../caller.js';
import { defaultFor } from '../lines/apply-input.js';
import { FIELD_BY_NAME } from '../lines/catalogue.js';
import {
  diffSnapshots,
  type FieldChange,
  formatValue,
  type LineSnapshot,
  QUEUE_KEY,
  sameValue,
} from './line-snapshot.js';

export type RevisionAction = 'add' | 'update' | 'delete';
/** `app` is an OAuth application; `cli` the operators' command line (openlines apply); `server` a timer. */
export type AuthorKind = 'webhook' | 'app' | 'cli' | 'server';

export interface ChangeAuthor {
  readonly userId: number;
  readonly authKind: AuthorKind;
  readonly credentialId: string;
}

export function authorOf(caller: Caller): ChangeAuthor {
  const authKind: AuthorKind = caller.authKind === 'oauth' ? 'app' : caller.authKind;
  return { userId: caller.userId, authKind, credentialId: caller.credentialId };
}

export interface Revision {
  readonly id: number;
  readonly lineId: number;
  readonly action: RevisionAction;
  readonly userId: number;
  readonly authKind: AuthorKind;
  readonly credentialId: string;
  /** When, as PHP's date('c') in the portal's time zone (DECISIONS.md "DATE_CREATE / DATE_MODIFY"). */
  readonly date: string;
  readonly changes: readonly FieldChange[];
}

export interface RevisionInput {
  readonly lineId: number;
  readonly action: RevisionAction;
  readonly author: ChangeAuthor;
  /** ISO-8601 UTC instant of the change (the line service's clock). */
  readonly at: string;
  readonly before: LineSnapshot | null;
  readonly after: LineSnapshot | null;
}

/** Writes the revision of one change; an update that changed nothing leaves none. Returns its id or null. */
export async function recordRevision(db: Db, input: RevisionInput): Promise<number | null> {
  const changes = diffSnapshots(input.before, input.after);
  if (input.action === 'update' && changes.length === 0) return null;
  return insertRevision(db, {
    line_id: input.lineId,
    action: input.action,
    user_id: input.author.userId,
    auth_kind: input.author.authKind,
    credential_id: input.author.credentialId,
    changes: JSON.stringify(changes),
    created_at: input.at,
  });
}

function revisionOf(row: RevisionRow, timeZone: string): Revision {
  return {
    id: row.id,
    lineId: row.line_id,
    action: row.action as RevisionAction,
    userId: row.user_id,
    authKind: row.auth_kind as AuthorKind,
    credentialId: row.credential_id,
    date: formatPhpDate(Date.parse(row.created_at), timeZone),
    changes: JSON.parse(row.changes) as FieldChange[],
  };
}

export const HISTORY_LIMIT_DEFAULT = 50;
export const HISTORY_LIMIT_MAX = 500;

/** Newest first: one line's revisions, or every line's when lineId is null. */
export async function listHistory(
  db: Db,
  query: { lineId: number | null; limit?: number; offset?: number },
  timeZone: string,
): Promise<{ revisions: Revision[]; total: number }> {
  const { rows, total } = await listRevisions(db, {
    lineId: query.lineId,
    limit: Math.min(Math.max(query.limit ?? HISTORY_LIMIT_DEFAULT, 0), HISTORY_LIMIT_MAX),
    offset: Math.max(query.offset ?? 0, 0),
  });
  return { revisions: rows.map((row) => revisionOf(row, timeZone)), total };
}

/** Whether a field of an add/delete revision holds its default (hidden in short listings). */
export function isDefaultChange(change: FieldChange, companyName: string): boolean {
  const value = 'after' in change ? change.after : change.before;
  if (change.field === QUEUE_KEY) return false;
  const field = FIELD_BY_NAME.get(change.field);
  if (!field) return false;
  return sameValue(value, defaultFor(field, { companyName }) ?? null);
}

const ACTION_VERB: Record<RevisionAction, string> = { add: 'created', update: 'updated', delete: 'deleted' };

/**
 * Plain-text listing (openlines history): one header per revision, then one line per changed field. Add and
 * delete revisions show only the fields that differ from their defaults unless `full` is set.
 */
export function formatRevisions(
  revisions: readonly Revision[],
  options: { companyName: string; full?: boolean },
): string {
  const out: string[] = [];
  for (const r of revisions) {
    out.push(
      `#${r.id}  ${r.date}  line ${r.lineId} ${ACTION_VERB[r.action]} by user ${r.userId} (${r.authKind} ${r.credentialId})`,
    );
    let hidden = 0;
    for (const change of r.changes) {
      if (r.action !== 'update' && !options.full && isDefaultChange(change, options.companyName)) {
        hidden += 1;
        continue;
      }
      if (r.action === 'add') out.push(`    ${change.field}: ${formatValue(change.field, change.after)}`);
      else if (r.action === 'delete') out.push(`    ${change.field}: ${formatValue(change.field, change.before)}`);
      else {
        out.push(
          `    ${change.field}: ${formatValue(change.field, change.before)} → ${formatValue(change.field, change.after)}`,
        );
      }
    }
    if (hidden) out.push(`    (${hidden} other fields at their defaults; --full shows them)`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
