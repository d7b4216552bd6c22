// Lines as code: the file `openlines export` writes and `openlines apply` reads (YAML, or JSON, which the same
// parser reads), and its checks. The format:
//
//   version: 1
//   lines:
//     - ID: 3                    # matches the line with this id; without ID the line is matched by LINE_NAME
//       LINE_NAME: Support
//       QUEUE:                   # users and departments in queue order; left out: the queue stays as it is
//         - user: 1
//         - department: 4
//       QUEUE_TIME: 45           # any catalogue field; left out: the field's default (docs/fields.md)
//
// Export writes the fields that differ from their defaults, in catalogue order, so a diff of two exports shows
// exactly what changed. Every entry is checked with the same pipeline as config.add in strict mode
// (applyLineInput: a value that would be replaced or refused is an error) and errors carry the file's line and
// column and the field's name.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, Document as YamlDocument } from 'yaml';
import { parsePositiveId } from '../../wire/php-values.js';
import { type LineSnapshot, QUEUE_KEY, type SnapshotQueueEntry, sameValue } from '../history/line-snapshot.js';
import type { FieldWarning } from '../input/input-report.js';
import { applyLineInput, defaultFor } from '../lines/apply-input.js';
import { FIELD_BY_NAME, WRITABLE_FIELDS } from '../lines/catalogue.js';
import { partnersOf } from '../lines/catalogue-projection.js';
import type { FieldDescriptor, FieldKind } from '../lines/field-types.js';

export const FILE_VERSION = 1;
export type FileFormat = 'yaml' | 'json';

/** A place in the file: 1-based line and column. */
export interface FilePosition {
  readonly line: number;
  readonly col: number;
}

export interface FileProblem {
  readonly position: FilePosition;
  /** The field concerned (a catalogue name, QUEUE, ID, or a structural key such as `lines`). */
  readonly field: string | null;
  readonly message: string;
}

export class LinesFileError extends Error {
  readonly problems: readonly FileProblem[];
  constructor(
    problems: readonly FileProblem[],
    readonly fileName: string,
  ) {
    const sorted = [...problems].sort(byPosition);
    super(sorted.map((p) => formatProblem(fileName, p)).join('\n'));
    this.problems = sorted;
  }
}

export function formatProblem(fileName: string, problem: FileProblem): string {
  const where = `${fileName}:${problem.position.line}:${problem.position.col}`;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

/** One line of the file, checked. */
export interface FileEntry {
  /** 0-based index in `lines`. */
  readonly index: number;
  readonly position: FilePosition;
  readonly id: number | null;
  /** LINE_NAME as written (null: not written). */
  readonly name: string | null;
  /** The catalogue fields as written (input form), without ID and QUEUE. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Every writable field as a new line would store it (defaults for fields not written; LINE_NAME may be absent). */
  readonly values: Readonly<Record<string, unknown>>;
  /** null: QUEUE not written (the queue stays as it is; a new line gets the applying user). */
  readonly queue: readonly SnapshotQueueEntry[] | null;
  /** Where each key is written, for errors found later (queue entries as QUEUE.0, QUEUE.1, ...). */
  readonly positions: ReadonlyMap<string, FilePosition>;
}

export interface InputContext {
  readonly companyName: string;
}

// ---- Values: stored form → the form written in the file (what config.add would be sent)

/** Per kind, so a new kind does not compile until it says how its stored value is written back as input. */
const TO_INPUT: {
  readonly [K in FieldKind]: (field: Extract<FieldDescriptor, { kind: K }>, stored: unknown) => unknown;
} = {
  yn: (_f, v) => v,
  int: (_f, v) => v,
  enum: (_f, v) => v,
  // The reference escapes some texts on input (KPI_*_TEXT): the file holds the text before escaping.
  text: (f, v) => (f.htmlEscape && typeof v === 'string' ? unescapeHtml(v) : v),
  formId: (_f, v) => v,
  hour: (_f, v) => v,
  dayList: (_f, v) => v,
  holidays: (_f, v) => v,
  userList: (_f, v) => v,
  operatorData: (_f, v) => v,
  id: (_f, v) => v,
  date: (_f, v) => v,
};

export function unescapeHtml(text: string): string {
  const map: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#039;': "'" };
  return text.replace(/&(amp|lt|gt|quot|#039);/g, (entity) => map[entity]!);
}

export function toInput(field: FieldDescriptor, stored: unknown): unknown {
  return (TO_INPUT[field.kind] as (f: FieldDescriptor, v: unknown) => unknown)(field, stored);
}

/**
 * The fields of a stored line as the file writes them: those that differ from their defaults, the fields they
 * must be written with (WORKTIME_FROM/TO, the same-request rules), minus any that the add pipeline would not
 * take as written. The result always passes `checkEntry`, so export → apply is a no-op.
 */
export function fieldsOf(snapshot: LineSnapshot, ctx: InputContext): Record<string, unknown> {
  const chosen = new Set<string>();
  for (const field of WRITABLE_FIELDS) {
    if (field.name === 'LINE_NAME') continue;
    const stored = snapshot.values[field.name] ?? null;
    if (!sameValue(stored, defaultFor(field, ctx))) chosen.add(field.name);
  }
  for (const name of [...chosen]) for (const partner of partnersOf(FIELD_BY_NAME.get(name)!)) chosen.add(partner);
  const fields: Record<string, unknown> = {};
  for (const field of WRITABLE_FIELDS) {
    if (chosen.has(field.name)) fields[field.name] = toInput(field, snapshot.values[field.name] ?? null);
  }
  // A stored state that no single add request can produce (e.g. CATEGORY_ID kept after CATEGORY_ENABLE went
  // back to N) is written without the fields the pipeline would refuse; they mean nothing in that state.
  for (let round = 0; round < 5; round++) {
    const applied = applyLineInput(fields, 'add', ctx);
    const refused = new Set([
      ...applied.warnings.map((w) => w.field),
      ...(applied.failure ? [applied.failure.field] : []),
    ]);
    if (refused.size === 0) break;
    for (const name of refused) delete fields[name];
  }
  return fields;
}

/** One line as the file writes it: ID, LINE_NAME, QUEUE, then the fields in catalogue order. */
export function entryOf(id: number, snapshot: LineSnapshot, ctx: InputContext): Record<string, unknown> {
  return {
    ID: id,
    LINE_NAME: snapshot.values.LINE_NAME,
    [QUEUE_KEY]: snapshot.queue.map((e) => ({ ...e })),
    ...fieldsOf(snapshot, ctx),
  };
}

export function stringifyLinesFile(entries: readonly Record<string, unknown>[], format: FileFormat): string {
  const content = { version: FILE_VERSION, lines: entries };
  if (format === 'json') return `${JSON.stringify(content, null, 2)}\n`;
  const doc = new YamlDocument(content);
  doc.commentBefore = [
    ' openlines lines file: `openlines apply -f <file>` makes the server match it.',
    ' Lines are matched by ID, or by LINE_NAME when there is no ID. Fields left out have their defaults',
    ' (docs/fields.md); QUEUE left out keeps the current queue.',
  ].join('\n');
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

// ---- Reading and checking a file

const ENTRY_KEYS_NOT_FIELDS = new Set(['ID', QUEUE_KEY]);
const TOP_KEYS = new Set(['version', 'lines']);

export function parseLinesFile(text: string, fileName: string, ctx: InputContext): FileEntry[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const problems: FileProblem[] = [];
  const at = (node: Node | null | undefined, fallback: FilePosition = { line: 1, col: 1 }): FilePosition => {
    const offset = node?.range?.[0];
    return offset === undefined ? fallback : lineCounter.linePos(offset);
  };
  if (doc.errors.length) {
    for (const error of doc.errors) {
      const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
      problems.push({
        position: pos,
        field: null,
        message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      });
    }
    throw new LinesFileError(problems, fileName);
  }
  const root = doc.contents;
  if (!isMap(root)) {
    throw new LinesFileError(
      [{ position: at(root), field: null, message: 'expected a mapping with `version: 1` and `lines:`' }],
      fileName,
    );
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!TOP_KEYS.has(key)) {
      problems.push({
        position: at(pair.key as Node),
        field: key || null,
        message: 'unknown key (expected version and lines)',
      });
    }
  }
  const versionNode = root.get('version', true) as Node | undefined;
  if (versionNode !== undefined && !(isScalar(versionNode) && versionNode.value === FILE_VERSION)) {
    problems.push({ position: at(versionNode), field: 'version', message: `must be ${FILE_VERSION}` });
  }
  const linesNode = root.get('lines', true) as Node | undefined;
  if (linesNode === undefined) {
    problems.push({ position: at(root), field: 'lines', message: 'missing: the list of lines' });
    throw new LinesFileError(problems, fileName);
  }
  const isEmptyList = isScalar(linesNode) && (linesNode.value === null || linesNode.value === '');
  if (!isSeq(linesNode) && !isEmptyList) {
    problems.push({ position: at(linesNode), field: 'lines', message: 'must be a list of lines' });
    throw new LinesFileError(problems, fileName);
  }
  const entries: FileEntry[] = [];
  const items = isSeq(linesNode) ? linesNode.items : [];
  const data = doc.toJS({ maxAliasCount: 100 }) as { lines?: unknown[] };
  items.forEach((item, index) => {
    const entry = checkEntry(item as Node, data.lines?.[index], index, at, ctx, problems);
    if (entry) entries.push(entry);
  });
  checkDuplicates(entries, problems);
  if (problems.length) throw new LinesFileError(problems, fileName);
  return entries;
}

function byPosition(a: FileProblem, b: FileProblem): number {
  return a.position.line - b.position.line || a.position.col - b.position.col;
}

function checkEntry(
  node: Node,
  value: unknown,
  index: number,
  at: (node: Node | null | undefined, fallback?: FilePosition) => FilePosition,
  ctx: InputContext,
  problems: FileProblem[],
): FileEntry | null {
  const position = at(node);
  if (!isMap(node)) {
    problems.push({ position, field: null, message: `line ${index + 1} must be a mapping of field names to values` });
    return null;
  }
  const positions = new Map<string, FilePosition>();
  const raw = { ...(value as Record<string, unknown>) };
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const valueNode = pair.value as Node | null;
    positions.set(key, at(valueNode ?? (pair.key as Node), at(pair.key as Node)));
    positions.set(`${key}:key`, at(pair.key as Node));
    if (key === QUEUE_KEY && isSeq(valueNode)) {
      valueNode.items.forEach((entryNode, i) => {
        positions.set(`${QUEUE_KEY}.${i}`, at(entryNode as Node));
      });
    }
  }
  const before = problems.length;
  const problem = (field: string, message: string, key = field) =>
    problems.push({ position: positions.get(key) ?? position, field, message });

  let id: number | null = null;
  if ('ID' in raw) {
    id = typeof raw.ID === 'number' || typeof raw.ID === 'string' ? parsePositiveId(raw.ID) : null;
    if (id === null) problem('ID', 'must be a positive integer (the id of an existing line)');
  }
  let queue: SnapshotQueueEntry[] | null = null;
  if (QUEUE_KEY in raw) queue = checkQueue(raw[QUEUE_KEY], problem);

  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (ENTRY_KEYS_NOT_FIELDS.has(key)) continue;
    if (key === 'QUEUE_USERS_FIELDS') {
      problem(key, 'not supported in lines files (per-operator display data stays as it is)', `${key}:key`);
      continue;
    }
    if (value === null) {
      problem(key, 'has no value (leave the field out to use its default)');
      continue;
    }
    fields[key] = value;
  }
  const applied = applyLineInput(fields, 'add', ctx);
  const reported = new Set<string>();
  const report = (w: Pick<FieldWarning, 'field' | 'reason'>) => {
    if (reported.has(w.field)) return;
    reported.add(w.field);
    const known = FIELD_BY_NAME.has(w.field);
    problem(
      w.field,
      w.reason.replace(/; (ignored|default used|dropped)$/, ''),
      known && !w.reason.startsWith('read-only') ? w.field : `${w.field}:key`,
    );
  };
  for (const w of applied.warnings) report(w);
  if (applied.failure) report(applied.failure);

  const name = typeof fields.LINE_NAME === 'string' && fields.LINE_NAME !== '' ? fields.LINE_NAME : null;
  if (id === null && name === null && !reported.has('LINE_NAME')) {
    problems.push({
      position,
      field: 'LINE_NAME',
      message: 'a line without ID needs a LINE_NAME (lines are matched by ID, else by LINE_NAME)',
    });
  }
  if (problems.length > before) return null;
  return { index, position, id, name, fields, values: applied.values, queue, positions };
}

function checkQueue(
  raw: unknown,
  problem: (field: string, message: string, key?: string) => void,
): SnapshotQueueEntry[] | null {
  if (!Array.isArray(raw)) {
    problem(QUEUE_KEY, 'must be a list of `user: <id>` / `department: <id>` entries');
    return null;
  }
  if (raw.length === 0) {
    problem(QUEUE_KEY, 'must list at least one user or department (leave QUEUE out to keep the current queue)');
    return null;
  }
  const queue: SnapshotQueueEntry[] = [];
  raw.forEach((entry, i) => {
    const key = `${QUEUE_KEY}.${i}`;
    const keys = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
    const type = keys.length === 1 ? keys[0] : undefined;
    const entityId =
      type === 'user' || type === 'department' ? parsePositiveId((entry as Record<string, unknown>)[type]) : null;
    if (entityId === null) {
      problem(QUEUE_KEY, `entry ${i + 1} must be \`user: <id>\` or \`department: <id>\` with an id > 0`, key);
      return;
    }
    if (
      queue.some((q) =>
        type === 'user' ? 'user' in q && q.user === entityId : 'department' in q && q.department === entityId,
      )
    ) {
      problem(QUEUE_KEY, `entry ${i + 1} repeats ${type} ${entityId}`, key);
      return;
    }
    queue.push(type === 'user' ? { user: entityId } : { department: entityId });
  });
  return queue;
}

function checkDuplicates(entries: readonly FileEntry[], problems: FileProblem[]): void {
  const ids = new Map<number, FileEntry>();
  const names = new Map<string, FileEntry>();
  for (const entry of entries) {
    if (entry.id !== null) {
      const first = ids.get(entry.id);
      if (first) {
        problems.push({
          position: entry.positions.get('ID') ?? entry.position,
          field: 'ID',
          message: `line ${entry.id} is listed twice (first at line ${first.position.line})`,
        });
      } else ids.set(entry.id, entry);
    } else if (entry.name !== null) {
      const first = names.get(entry.name);
      if (first) {
        problems.push({
          position: entry.positions.get('LINE_NAME') ?? entry.position,
          field: 'LINE_NAME',
          message: `"${entry.name}" is listed twice without ID (first at line ${first.position.line}); add IDs to tell them apart`,
        });
      } else names.set(entry.name, entry);
    }
  }
}
