// A line's configuration as the history and lines-as-code compare it: the stored (normalised) value of every
// writable catalogue field, and the configured queue as `{user: id}` / `{department: id}` entries in order.

import type { Db } from '../../store/db.js';
import { configQueuesOf, findLine } from '../../store/lines-repository.js';
import { WRITABLE_FIELDS } from '../lines/catalogue.js';
import type { LineDocument, QueueEntry } from '../lines/line.js';

/**
 * A queue entry as revisions and lines files write it: `{user: 1}` / `{department: 2}`. Stored revisions hold
 * this form, so it stays apart from the model's QueueEntry.
 */
export type SnapshotQueueEntry = { readonly user: number } | { readonly department: number };

export interface LineSnapshot {
  readonly values: Readonly<Record<string, unknown>>;
  readonly queue: readonly SnapshotQueueEntry[];
}

/** The configured-queue key of snapshots, diffs and lines files (the input key config.add/update read). */
export const QUEUE_KEY = 'QUEUE';

export function snapshotEntryOf(entry: QueueEntry): SnapshotQueueEntry {
  return entry.entityType === 'department' ? { department: entry.entityId } : { user: entry.entityId };
}

/** The entries as config.add/update take them (openlines-api.md §3.1). */
export function queueParam(queue: readonly SnapshotQueueEntry[]): { ENTITY_TYPE: string; ENTITY_ID: number }[] {
  return queue.map((e) =>
    'department' in e
      ? { ENTITY_TYPE: 'department', ENTITY_ID: e.department }
      : { ENTITY_TYPE: 'user', ENTITY_ID: e.user },
  );
}

export function formatQueue(queue: readonly SnapshotQueueEntry[]): string {
  if (queue.length === 0) return '(empty)';
  return queue.map((e) => ('department' in e ? `department ${e.department}` : `user ${e.user}`)).join(', ');
}

export async function snapshotLine(db: Db, lineId: number): Promise<LineSnapshot | null> {
  const line = await findLine(db, lineId);
  if (!line) return null;
  const queue = (await configQueuesOf(db, [lineId])).get(lineId) ?? [];
  return snapshotOf(line.values, queue);
}

export function snapshotOf(doc: LineDocument, queue: readonly QueueEntry[]): LineSnapshot {
  const stored: Readonly<Record<string, unknown>> = doc;
  const values: Record<string, unknown> = {};
  for (const field of WRITABLE_FIELDS) values[field.name] = stored[field.name] ?? null;
  return { values, queue: queue.map(snapshotEntryOf) };
}

/** JSON with object keys sorted: equal data gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const sameValue = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/** One changed field; a missing side means the line did not exist on that side (add, delete). */
export interface FieldChange {
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Field-level diff in catalogue order, the queue last. */
export function diffSnapshots(before: LineSnapshot | null, after: LineSnapshot | null): FieldChange[] {
  const changes: FieldChange[] = [];
  const push = (field: string, b: unknown, a: unknown) => {
    if (before && after && sameValue(b, a)) return;
    changes.push({ field, ...(before ? { before: b } : {}), ...(after ? { after: a } : {}) });
  };
  for (const field of WRITABLE_FIELDS)
    push(field.name, before?.values[field.name] ?? null, after?.values[field.name] ?? null);
  push(QUEUE_KEY, before?.queue ?? [], after?.queue ?? []);
  return changes;
}

/** A value for people: strings quoted, lists and objects as JSON, the queue as "user 1, department 2". */
export function formatValue(field: string, value: unknown): string {
  if (field === QUEUE_KEY && Array.isArray(value)) return formatQueue(value as SnapshotQueueEntry[]);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}
