// `openlines apply`: what it would take to make the server match a lines file (create / update / delete, field
// by field), and doing it in one transaction through the line service, so every change is checked like a
// strict REST call and leaves a revision in the history.
//
// A stored line is compared as the file would write it (export → check), so export → apply is always a no-op.

import { configQueuesOf, listLines } from '../../store/lines-repository.js';
import { joinedStore, type Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import {
  type FieldChange,
  type LineSnapshot,
  QUEUE_KEY,
  queueParam,
  sameValue,
  snapshotOf,
} from '../history/line-snapshot.js';
import { InputReport } from '../input/input-report.js';
import { applyLineInput, readLineInput } from '../lines/apply-input.js';
import { FIELD_BY_NAME, WRITABLE_FIELDS } from '../lines/catalogue.js';
import { partnersOf } from '../lines/catalogue-projection.js';
import { lineValue } from '../lines/line.js';
import type { LineService } from '../lines/line-service.js';
import { readQueue, resolveQueue } from '../lines/queue.js';
import {
  entryOf,
  type FileEntry,
  type FileFormat,
  type FileProblem,
  fieldsOf,
  type InputContext,
  LinesFileError,
  stringifyLinesFile,
  toInput,
} from './lines-file.js';

export type PlanItem =
  | {
      readonly action: 'create';
      readonly entry: FileEntry;
      readonly name: string;
      readonly changes: readonly FieldChange[];
      readonly params: Record<string, unknown>;
    }
  | {
      readonly action: 'update';
      readonly entry: FileEntry;
      readonly lineId: number;
      readonly name: string;
      readonly changes: readonly FieldChange[];
      readonly params: Record<string, unknown>;
    }
  | {
      readonly action: 'delete';
      readonly lineId: number;
      readonly name: string;
      readonly changes: readonly FieldChange[];
    };

export interface Plan {
  readonly items: readonly PlanItem[];
  /** Lines in the file that already match. */
  readonly unchanged: number;
  /** Lines on the server that the file does not list (deleted with --prune, else kept). */
  readonly unlisted: readonly { readonly id: number; readonly name: string }[];
}

export interface PlanOptions extends InputContext {
  readonly fileName: string;
  readonly prune: boolean;
  /** The user the changes are made as: an empty or invalid queue falls back to this user. */
  readonly userId: number;
  readonly onProgress?: (done: number, total: number) => void;
}

interface StoredLine {
  readonly id: number;
  readonly name: string;
  readonly snapshot: LineSnapshot;
}

const BATCH = 500;

async function storedLines(store: Store): Promise<StoredLine[]> {
  return store.read(async (db) => {
    const lines: StoredLine[] = [];
    for (let offset = 0; ; offset += BATCH) {
      const page = await listLines(db, { filters: [], order: [], limit: BATCH, offset, ownedBy: null });
      const queues = await configQueuesOf(
        db,
        page.lines.map((line) => line.id),
      );
      for (const line of page.lines) {
        const snapshot = snapshotOf(line.values, queues.get(line.id) ?? []);
        lines.push({ id: line.id, name: lineValue(line, 'LINE_NAME'), snapshot });
      }
      if (page.lines.length < BATCH) return lines;
    }
  });
}

/** `openlines export`: every line, by ID, as the lines file writes it. */
export async function exportLines(store: Store, format: FileFormat, ctx: InputContext): Promise<string> {
  const lines = await storedLines(store);
  return stringifyLinesFile(
    lines.map((l) => entryOf(l.id, l.snapshot, ctx)),
    format,
  );
}

/** The values of a stored line as the file would state them, after the same checks as the file's own. */
function effectiveValues(line: StoredLine, ctx: InputContext): Record<string, unknown> {
  return { ...applyLineInput(fieldsOf(line.snapshot, ctx), 'add', ctx).values, LINE_NAME: line.name };
}

function matchEntries(entries: readonly FileEntry[], lines: readonly StoredLine[], problems: FileProblem[]) {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const matched = new Map<FileEntry, StoredLine>();
  const claimed = new Set<number>();
  for (const entry of entries) {
    if (entry.id === null) continue;
    const line = byId.get(entry.id);
    if (!line) {
      problems.push({
        position: entry.positions.get('ID') ?? entry.position,
        field: 'ID',
        message: `line ${entry.id} does not exist (leave ID out to create a new line)`,
      });
      continue;
    }
    matched.set(entry, line);
    claimed.add(line.id);
  }
  for (const entry of entries) {
    if (entry.id !== null || entry.name === null) continue;
    const candidates = lines.filter((l) => l.name === entry.name && !claimed.has(l.id));
    if (candidates.length > 1) {
      problems.push({
        position: entry.positions.get('LINE_NAME') ?? entry.position,
        field: 'LINE_NAME',
        message: `${candidates.length} lines are named "${entry.name}" (${candidates.map((c) => c.id).join(', ')}); add ID to say which one`,
      });
    } else if (candidates[0]) {
      matched.set(entry, candidates[0]);
      claimed.add(candidates[0].id);
    }
  }
  return { matched, claimed };
}

/** The queue's users and departments must exist and give the line an operator, as config.update demands. */
async function checkQueue(store: Store, entry: FileEntry, userId: number, problems: FileProblem[]): Promise<void> {
  if (!entry.queue) return;
  const queue = readQueue(queueParam(entry.queue!), undefined, { allowPlainIds: false });
  const resolved = await store.read((db) => resolveQueue(db, queue, userId));
  let reported = false;
  for (const warning of resolved.warnings) {
    const sent = warning.sent as { entity_type?: string; entity_id?: number } | null;
    const index = entry.queue.findIndex((q) =>
      sent?.entity_type === 'department'
        ? 'department' in q && q.department === sent.entity_id
        : 'user' in q && q.user === sent?.entity_id,
    );
    if (index === -1) continue;
    reported = true;
    problems.push({
      position: entry.positions.get(`${QUEUE_KEY}.${index}`) ?? entry.positions.get(QUEUE_KEY) ?? entry.position,
      field: QUEUE_KEY,
      message: warning.reason.replace(/; dropped$/, ''),
    });
  }
  if (!reported && resolved.emptyReason) {
    problems.push({
      position: entry.positions.get(QUEUE_KEY) ?? entry.position,
      field: QUEUE_KEY,
      message: 'the queue has no active operator (its departments have no active users)',
    });
  }
}

function createItem(entry: FileEntry): PlanItem {
  const changes: FieldChange[] = [];
  const written = new Set(Object.keys(entry.fields));
  for (const field of WRITABLE_FIELDS) {
    if (written.has(field.name)) changes.push({ field: field.name, after: entry.values[field.name] ?? null });
  }
  const params: Record<string, unknown> = { ...entry.fields };
  if (entry.queue) {
    changes.push({ field: QUEUE_KEY, after: entry.queue });
    params[QUEUE_KEY] = queueParam(entry.queue);
  }
  return { action: 'create', entry, name: entry.name ?? '', changes, params };
}

function updateItem(entry: FileEntry, line: StoredLine, ctx: InputContext): PlanItem | null {
  const current = effectiveValues(line, ctx);
  const desired: Record<string, unknown> = { ...entry.values, LINE_NAME: entry.name ?? line.name };
  const changes: FieldChange[] = [];
  const send = new Set<string>();
  for (const field of WRITABLE_FIELDS) {
    const before = current[field.name] ?? null;
    const after = desired[field.name] ?? null;
    if (sameValue(before, after)) continue;
    changes.push({ field: field.name, before, after });
    send.add(field.name);
    // Sent with their partners, or config.update resets them (WORKTIME_FROM/TO, WELCOME_BOT_*, CATEGORY_ID).
    for (const partner of partnersOf(field)) send.add(partner);
  }
  const params: Record<string, unknown> = {};
  for (const name of send) params[name] = toInput(FIELD_BY_NAME.get(name)!, desired[name] ?? null);
  if (entry.queue && !sameValue(entry.queue, line.snapshot.queue)) {
    changes.push({ field: QUEUE_KEY, before: line.snapshot.queue, after: entry.queue });
    params[QUEUE_KEY] = queueParam(entry.queue);
  }
  if (changes.length === 0) return null;
  return { action: 'update', entry, lineId: line.id, name: desired.LINE_NAME as string, changes, params };
}

export async function computePlan(store: Store, entries: readonly FileEntry[], options: PlanOptions): Promise<Plan> {
  const lines = await storedLines(store);
  const problems: FileProblem[] = [];
  const { matched, claimed } = matchEntries(entries, lines, problems);
  let done = 0;
  for (const entry of entries) {
    await checkQueue(store, entry, options.userId, problems);
    options.onProgress?.(++done, entries.length);
  }
  if (problems.length) throw new LinesFileError(problems, options.fileName);

  const items: PlanItem[] = [];
  let unchanged = 0;
  for (const entry of entries) {
    const line = matched.get(entry);
    const item = line ? updateItem(entry, line, options) : createItem(entry);
    if (item) items.push(item);
    else unchanged += 1;
  }
  const unlisted = lines.filter((l) => !claimed.has(l.id)).map((l) => ({ id: l.id, name: l.name }));
  if (options.prune) {
    for (const line of unlisted) {
      items.push({ action: 'delete', lineId: line.id, name: line.name, changes: [] });
    }
  }
  return { items, unchanged, unlisted: options.prune ? [] : unlisted };
}

export interface ApplyResult {
  readonly created: number[];
  readonly updated: number[];
  readonly deleted: number[];
}

/**
 * Makes the changes of the plan in one transaction, as `caller`, in strict mode: any refusal rolls back all of
 * them and is reported at the place in the file that caused it.
 */
export async function applyPlan(
  store: Store,
  lines: LineService,
  caller: Caller,
  plan: Plan,
  options: { fileName: string; companyName: string; onProgress?: (done: number, total: number) => void },
): Promise<ApplyResult> {
  const result: ApplyResult = { created: [], updated: [], deleted: [] };
  const ctx = { companyName: options.companyName };
  let done = 0;
  await store.write(async (trx) => {
    const tx = lines.over(joinedStore(trx));
    for (const item of plan.items) {
      const strict = new InputReport(true);
      try {
        if (item.action === 'create') {
          const id = await tx.add(caller, readLineInput(item.params, 'add', ctx), strict);
          if (typeof id === 'number') result.created.push(id);
        } else if (item.action === 'update') {
          const updated = await tx.update(caller, item.lineId, readLineInput(item.params, 'update', ctx), strict);
          if (updated === null) throw new RestError('CONFIG_NOT_FOUND');
          result.updated.push(item.lineId);
        } else {
          if ((await tx.delete(caller, item.lineId)) === null) throw new RestError('CONFIG_NOT_FOUND');
          result.deleted.push(item.lineId);
        }
      } catch (error) {
        if (error instanceof RestError && item.action !== 'delete') {
          const field = typeof error.extra.argument === 'string' ? error.extra.argument : null;
          const position = (field && item.entry.positions.get(field)) || item.entry.position;
          throw new LinesFileError([{ position, field, message: error.message }], options.fileName);
        }
        throw error;
      }
      options.onProgress?.(++done, plan.items.length);
    }
  });
  return result;
}

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

function show(field: string, value: unknown): string {
  if (field === QUEUE_KEY && Array.isArray(value)) {
    return value.map((e) => ('department' in e ? `department ${e.department}` : `user ${e.user}`)).join(', ');
  }
  const descriptor = FIELD_BY_NAME.get(field);
  const written = descriptor ? toInput(descriptor, value) : value;
  return written === null || written === undefined ? 'null' : JSON.stringify(written);
}

/** The plan for people: one block per line, one row per field (values as the file writes them), then a summary. */
export function formatPlan(plan: Plan, fileName: string): string {
  const out: string[] = [];
  for (const item of plan.items) {
    const where = item.action === 'delete' ? '' : `  (${fileName}:${item.entry.position.line})`;
    const title =
      item.action === 'create'
        ? `create line ${JSON.stringify(item.name || '(automatic name)')}`
        : `${item.action} line ${item.lineId} ${JSON.stringify(item.name)}`;
    out.push(`${SYMBOL[item.action]} ${title}${where}`);
    for (const c of item.changes) {
      out.push(
        item.action === 'update'
          ? `    ${c.field}: ${show(c.field, c.before)} → ${show(c.field, c.after)}`
          : `    ${c.field}: ${show(c.field, c.after)}`,
      );
    }
  }
  const count = (action: PlanItem['action']) => plan.items.filter((i) => i.action === action).length;
  if (plan.items.length === 0) out.push(`No changes: the server matches ${fileName} (${plan.unchanged} lines).`);
  else {
    out.push(
      `Plan: ${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${plan.unchanged} unchanged.`,
    );
  }
  if (plan.unlisted.length) {
    out.push(
      `${plan.unlisted.length} line(s) not in the file are kept (--prune deletes them): ${plan.unlisted.map((l) => l.id).join(', ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}
