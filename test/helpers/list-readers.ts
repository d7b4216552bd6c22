// The official SDKs' list readers, replayed request for request against a test server: the same first call, the
// same `batch` commands (with their `$result[...]` references), the same stop conditions, as read in their
// sources (b24pysdk 1.2.1 api/callers/call_list_fast.py and call_list.py; b24phpsdk src/Core/Batch.php
// getTraversableList and getTraversableListWithCount; fast_bitrix24 user_request.py GetAllUserRequest and
// mult_request.py). Each returns the rows the reader hands its user, in its order, and the HTTP calls it made.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { phpHttpBuildQuery, pyQuote, pyQuotePlus } from './query-encoders.js';
import type { CallResult, TestServer } from './server.js';

const METHOD = 'imopenlines.config.list.get';
/** Every reader's page and batch size (b24pysdk MAX_BATCH_SIZE, b24phpsdk MAX_*, fast_bitrix24 BITRIX_PAGE_SIZE). */
const PAGE = 50;

export type Row = Record<string, unknown>;

export interface ReaderRun {
  readonly rows: Row[];
  /** `method` or `batch`, one per HTTP call, in order. */
  readonly calls: string[];
}

export interface ListReader {
  readonly name: string;
  read(t: TestServer): Promise<ReaderRun>;
}

type Params = Record<string, unknown>;

/** The SDKs raise on an HTTP error; so does the replay. */
function ok(answer: CallResult, what: string): CallResult {
  assert.equal(answer.status, 200, `${what}: ${answer.text}`);
  return answer;
}

/** A batch's command results in command order, whether PHP printed them as a list or an object. */
function commandResults(section: unknown): [string, unknown][] {
  if (Array.isArray(section)) return section.map((value, index) => [String(index), value]);
  return Object.entries((section ?? {}) as Record<string, unknown>);
}

// ---- b24pysdk ------------------------------------------------------------------------------------------------

/** b24pysdk utils/encoding.encode_params: every key and value quote_plus'd, brackets around inner keys. */
export function b24pysdkEncodeParams(value: unknown, outerKey?: string): string[] {
  if (value === null || value === undefined || typeof value !== 'object') {
    const text = value === null || value === undefined ? '' : pythonStr(value);
    return [`${outerKey}=${pyQuotePlus(text)}`];
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (outerKey !== undefined && entries.length === 0) return [`${outerKey}[]=`];
  return entries.flatMap(([key, inner]) => {
    const quoted = pyQuotePlus(key);
    return b24pysdkEncodeParams(inner, outerKey === undefined ? quoted : `${outerKey}[${quoted}]`);
  });
}

function pythonStr(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** b24pysdk deep_merge: later dicts override scalars, nested dicts merge. */
function deepMerge(...dicts: Params[]): Params {
  const out: Params = {};
  for (const dict of dicts) {
    for (const [key, value] of Object.entries(dict)) {
      const existing = out[key];
      const isDict = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
      out[key] = isDict(value) ? deepMerge(isDict(existing) ? (existing as Params) : {}, value as Params) : value;
    }
  }
  return out;
}

/** `.as_list_fast()` (call_list_fast): ID windows, `start=-1`, 50 chained commands per batch. */
export function b24pysdkListFast(params: Params): ListReader {
  return {
    name: 'b24pysdk as_list_fast',
    async read(t) {
      const calls: string[] = [];
      const rows: Row[] = [];
      const idFilter = (index: number, lastId: number, idField: string): Params => {
        if (index === 0) return lastId ? { filter: { '>ID': lastId } } : {};
        return { filter: { '>ID': `$result[req_${index - 1}][${PAGE - 1}][${idField}]` } };
      };
      const methodParams = (index: number, lastId: number, idField: string) =>
        deepMerge(params, { order: { ID: 'ASC' } }, idFilter(index, lastId, idField), { start: -1 });

      calls.push(METHOD);
      const first = ok(await t.call(METHOD, methodParams(0, 0, 'ID')), 'first call');
      const firstRows = first.body.result as Row[];
      if (firstRows.length === 0) return { rows, calls };
      const idField = Object.keys(firstRows[0]!).find((k) => k.toUpperCase() === 'ID');
      assert.ok(idField, 'ID key is not found in Bitrix responses!');
      let lastId = 0;
      let pages: unknown[] = [firstRows];
      while (pages.length > 0) {
        for (const page of pages as Row[][]) {
          if (page.length === 0) return { rows, calls };
          const newLastId = Number.parseInt(String(page[page.length - 1]![idField]), 10);
          // "stop call_list_fast because Bitrix returned the same ID sequence"
          if (newLastId === lastId) return { rows, calls };
          lastId = newLastId;
          rows.push(...page);
          if (page.length < PAGE) return { rows, calls };
        }
        const cmd: Record<string, string> = {};
        for (let index = 0; index < PAGE; index++) {
          cmd[`req_${index}`] = `${METHOD}?${b24pysdkEncodeParams(methodParams(index, lastId, idField)).join('&')}`;
        }
        calls.push('batch');
        const batch = ok(await t.call('batch', { cmd, halt: true }), 'batch');
        pages = commandResults(batch.body.result.result).map(([, value]) => value);
      }
      return { rows, calls };
    },
  };
}

/** `.as_list()` (call_list): the first page, then `start` pages from `next` to `total` through batch. */
export function b24pysdkList(params: Params): ListReader {
  return {
    name: 'b24pysdk as_list',
    async read(t) {
      const calls = [METHOD];
      const first = ok(await t.call(METHOD, params), 'first call');
      const rows = [...(first.body.result as Row[])];
      const next: number | undefined = first.body.next;
      // No total: the SDK warns ("likely not a list-type method") and takes what it got.
      const total: number = first.body.total ?? rows.length;
      if (next) {
        const methods: [string, Params][] = [];
        for (let start = next; start < total; start += PAGE) methods.push([METHOD, { ...params, start }]);
        for (let from = 0; from < methods.length; from += PAGE) {
          const cmd: Record<string, string> = {};
          methods.slice(from, from + PAGE).forEach(([method, p], i) => {
            cmd[String(from + i)] = `${method}?${b24pysdkEncodeParams(p).join('&')}`;
          });
          calls.push('batch');
          const batch = ok(await t.call('batch', { cmd, halt: true }), 'batch');
          for (const [, value] of commandResults(batch.body.result.result)) rows.push(...(value as Row[]));
        }
      }
      rows.splice(total);
      return { rows, calls };
    },
  };
}

// ---- b24phpsdk -----------------------------------------------------------------------------------------------

/** ApiClient::getResponse: POST JSON to `<webhook>/<method>/?bx24_request_id=…`. */
async function phpCall(t: TestServer, method: string, params: Params): Promise<CallResult> {
  return t.request(`${t.hook}${method.toLowerCase()}/?bx24_request_id=${randomUUID().replace(/-/g, '')}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(params),
  });
}

/**
 * Batch::getTraversable over one packet of commands: yields each command's result with the checks the SDK makes
 * (a `result_time` entry for every result; `result_total` read by key when it has any entry).
 */
async function phpBatch(t: TestServer, commands: [string, string, Params][], calls: string[]) {
  const out: { rows: Row[]; next: number | null; total: number | null }[] = [];
  for (let from = 0; from < commands.length; from += PAGE) {
    const cmd: Record<string, string> = {};
    for (const [id, method, params] of commands.slice(from, from + PAGE)) {
      cmd[id] = `${method}?${phpHttpBuildQuery(params)}`;
    }
    calls.push('batch');
    const batch = ok(await phpCall(t, 'batch', { halt: true, cmd }), 'batch').body.result;
    const times = Object.fromEntries(commandResults(batch.result_time));
    const nexts = Object.fromEntries(commandResults(batch.result_next));
    const totals = commandResults(batch.result_total);
    for (const [key, value] of commandResults(batch.result)) {
      assert.ok(key in times, `query time with key ${key} not found`);
      const total = totals.length > 0 ? Object.fromEntries(totals)[key] : null;
      if (totals.length > 0) assert.notEqual(total, undefined, `result_total has no entry for ${key}`);
      out.push({
        rows: Array.isArray(value) ? (value as Row[]) : [value as Row],
        next: (nexts[key] as number) ?? null,
        total: (total as number) ?? null,
      });
    }
  }
  return out;
}

/** Batch::getTraversableList, order by ID: a counted first page, then ID windows with `start=-1` in batch. */
export function b24phpsdkTraversableList(select: string[]): ListReader {
  return {
    name: 'b24phpsdk Batch::getTraversableList',
    async read(t) {
      const calls = [METHOD];
      const order = { ID: 'ASC' };
      const filter: Params = {};
      const first = ok(await phpCall(t, METHOD, { order, filter: [], select, start: 0 }), 'first call');
      const total: number = first.body.total;
      const rows: Row[] = [...(first.body.result as Row[])];
      if (total <= PAGE) return { rows, calls };
      let lastId = Number(rows[rows.length - 1]?.ID ?? 0);
      while (rows.length < total) {
        const commands: [string, string, Params][] = [
          ['cmd_0', METHOD, { order, filter: { ...filter, '>ID': lastId }, select, start: -1 }],
        ];
        const neededPages = Math.ceil((total - rows.length) / PAGE) - 1;
        const more = Math.min(neededPages, PAGE - 1);
        for (let i = 1; i <= more; i++) {
          const reference = `$result[cmd_${i - 1}][${PAGE - 1}][ID]`;
          commands.push([`cmd_${i}`, METHOD, { order, filter: { ...filter, '>ID': reference }, select, start: -1 }]);
        }
        for (const page of await phpBatch(t, commands, calls)) {
          for (const row of page.rows) {
            if (row.ID !== undefined) lastId = Number(row.ID);
            rows.push(row);
          }
          if (page.rows.length === 0) return { rows, calls };
        }
      }
      return { rows, calls };
    },
  };
}

/** Batch::getTraversableListWithCount: a counted first page, then every `start` from 0 to total in batch. */
export function b24phpsdkTraversableListWithCount(select: string[]): ListReader {
  return {
    name: 'b24phpsdk Batch::getTraversableListWithCount',
    async read(t) {
      const calls = [METHOD];
      const order = { ID: 'ASC' };
      const first = ok(await phpCall(t, METHOD, { order, filter: [], select, start: 0 }), 'first call');
      const total: number = first.body.total;
      const nextItem: number | undefined = first.body.next;
      if (total <= PAGE) return { rows: [...(first.body.result as Row[])], calls };
      const commands: [string, string, Params][] = [];
      if (nextItem !== undefined) {
        for (let start = 0; start <= total; start += nextItem) {
          commands.push([randomUUID(), METHOD, { order, filter: [], select, start }]);
        }
      }
      const rows: Row[] = [];
      for (const page of await phpBatch(t, commands, calls)) rows.push(...page.rows);
      return { rows, calls };
    },
  };
}

// ---- fast_bitrix24 -------------------------------------------------------------------------------------------

/** fast_bitrix24 utils.http_build_query: raw bracket keys, the leaf key and the value through quote(). */
export function fastBitrix24BuildQuery(params: Params, convention = '%s'): string {
  let out = '';
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && typeof value === 'object') {
      const inner = Array.isArray(value) ? Object.fromEntries(value.map((v, i) => [String(i), v])) : value;
      out += fastBitrix24BuildQuery(inner as Params, `${convention.replace('%s', key)}[%s]`);
    } else {
      out += `${convention.replace('%s', pyQuote(key))}=${pyQuote(pythonStr(value))}&`;
    }
  }
  return out;
}

/** `get_all()`: `order[ID]=ASC` added, one call; when `total` says more, `start` pages in batches (halt 0). */
export function fastBitrix24GetAll(params: Params): ListReader {
  return {
    name: 'fast_bitrix24 get_all',
    async read(t) {
      const calls = [METHOD];
      const withOrder = { ...params, order: { ID: 'ASC' } };
      const first = ok(await t.call(METHOD, withOrder), 'first call');
      const rows: Row[] = [...(first.body.result as Row[])];
      const total: number | undefined = first.body.total;
      if (total && total > PAGE && total !== rows.length) {
        const items: Params[] = [];
        for (let start = rows.length; start < total; start += PAGE) items.push({ ...withOrder, start });
        for (let from = 0; from < items.length; from += PAGE) {
          const cmd: Record<string, string> = {};
          items.slice(from, from + PAGE).forEach((item, i) => {
            cmd[`cmd${String(i).padStart(10, '0')}`] = `${METHOD}?${fastBitrix24BuildQuery(item)}`;
          });
          calls.push('batch');
          const batch = ok(await t.call('batch', { halt: 0, cmd }), 'batch');
          for (const [, value] of commandResults(batch.body.result.result)) rows.push(...(value as Row[]));
        }
        // The library drops duplicates and warns when the count differs from total: the replay fails instead.
        assert.equal(rows.length, total, "Number of results returned doesn't equal 'total' from the server reply");
      }
      return { rows, calls };
    },
  };
}
