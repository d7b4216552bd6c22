// What each scenario sends, how a probe call proves the method answers (a scenario whose method does not
// answer yet is skipped with the reason, never given a number), and the json-server equivalent where there is one.

import { SEED_PARAMS } from '../test/helpers/seed.js';

export interface JsonServerRequest {
  readonly method: 'GET' | 'POST';
  request(lines: number): { path: string; body?: string };
}

export interface Scenario {
  /** Short name in the tables, e.g. config.add. */
  readonly name: string;
  /** The REST method called. */
  readonly method: string;
  readonly writes: boolean;
  /** The JSON body of one request; ids are drawn uniformly from 1..lines. */
  body(lines: number): Record<string, unknown>;
  /** Why a 200 answer of the probe is not a working call, or null. */
  check(answer: Record<string, unknown>, lines: number): string | null;
  /** Measured in the store-size block too (100 / 10 000 / 100 000 lines). */
  readonly bySize: boolean;
  readonly jsonServer?: JsonServerRequest;
}

export const BATCH_COMMANDS = 50;
export const LIST_PAGE = 50;

const randomId = (lines: number) => 1 + Math.floor(Math.random() * lines);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'config.get',
    method: 'imopenlines.config.get',
    writes: false,
    bySize: true,
    body: (lines) => ({ CONFIG_ID: randomId(lines) }),
    check: (a) =>
      a.result !== null && typeof a.result === 'object' && 'LINE_NAME' in a.result ? null : 'no line in result',
    jsonServer: { method: 'GET', request: (lines) => ({ path: `/lines/${randomId(lines)}` }) },
  },
  {
    name: 'config.list.get',
    method: 'imopenlines.config.list.get',
    writes: false,
    bySize: true,
    body: () => ({ PARAMS: { limit: LIST_PAGE, offset: 0 } }),
    check: (a, lines) =>
      Array.isArray(a.result) && a.result.length === Math.min(LIST_PAGE, lines)
        ? null
        : `expected ${Math.min(LIST_PAGE, lines)} lines in result`,
  },
  {
    name: `batch (${BATCH_COMMANDS}× config.get)`,
    method: 'batch',
    writes: false,
    bySize: false,
    body: (lines) => ({
      halt: 0,
      cmd: Object.fromEntries(
        Array.from({ length: BATCH_COMMANDS }, (_, i) => [
          `g${i}`,
          `imopenlines.config.get?CONFIG_ID=${randomId(lines)}`,
        ]),
      ),
    }),
    check(a) {
      const inner = a.result as { result?: unknown; result_error?: unknown } | undefined;
      const errors = inner?.result_error;
      if (errors && typeof errors === 'object' && Object.keys(errors).length > 0) {
        return `commands failed: ${JSON.stringify(Object.values(errors)[0]).slice(0, 120)}`;
      }
      const results = inner?.result;
      return results && typeof results === 'object' && Object.keys(results).length === BATCH_COMMANDS
        ? null
        : `expected ${BATCH_COMMANDS} results`;
    },
  },
  {
    name: 'config.update',
    method: 'imopenlines.config.update',
    writes: true,
    bySize: true,
    body: (lines) => {
      const id = randomId(lines);
      return { CONFIG_ID: id, PARAMS: { LINE_NAME: `Support line ${id}`, QUEUE_TIME: 30 + (id % 60) } };
    },
    check: (a) => (a.result === true ? null : `result ${JSON.stringify(a.result)}, expected true`),
  },
  {
    name: 'config.add',
    method: 'imopenlines.config.add',
    writes: true,
    bySize: false,
    body: () => ({ PARAMS: SEED_PARAMS }),
    check: (a) => (typeof a.result === 'number' ? null : `result ${JSON.stringify(a.result)}, expected an id`),
    jsonServer: { method: 'POST', request: () => ({ path: '/lines', body: JSON.stringify(SEED_PARAMS) }) },
  },
];

/** The json-server database: `lines` seed lines with ids 1..lines. */
export function jsonServerDatabase(lines: number): string {
  return JSON.stringify({ lines: Array.from({ length: lines }, (_, i) => ({ id: i + 1, ...SEED_PARAMS })) }, null, 2);
}
