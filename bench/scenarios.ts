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
  /** Called with the connector application's OAuth token (imconnector.*: application context only), not a webhook. */
  readonly app?: boolean;
}

/** The connector the imconnector scenarios send through, active on line 1 (prepareConnector). */
export const BENCH_CONNECTOR = 'bench_bridge';
/** Chats opened before the measurements; `send.messages (existing chat)` writes into one of them at random. */
export const EXISTING_CHATS = 100;

/** One customer message into `chat` (its own user), as a connector sends it. */
export function customerMessage(chat: string): Record<string, unknown> {
  return {
    CONNECTOR: BENCH_CONNECTOR,
    LINE: 1,
    MESSAGES: [
      {
        user: { id: `u-${chat}`, name: 'Bench', last_name: 'Customer' },
        message: {
          id: `m-${chat}-${Math.random().toString(36).slice(2)}`,
          date: 1_764_680_400,
          text: 'Hello, I need help with my order',
        },
        chat: { id: chat },
      },
    ],
  };
}

// Unique per process: every new-chat request (on every server) opens a chat no one used.
const runTag = Math.random().toString(36).slice(2, 8);
let newChats = 0;
export const newChatId = () => `new-${runTag}-${++newChats}`;

const sentOk = (a: Record<string, unknown>) => {
  const item = (a.result as { DATA?: { RESULT?: { SUCCESS?: unknown; session?: { ID?: unknown } }[] } })?.DATA
    ?.RESULT?.[0];
  return item?.SUCCESS === true && item.session?.ID !== undefined ? null : `no session in ${JSON.stringify(a.result)}`;
};

/**
 * Registers the bench connector for the application, activates it on line 1 and opens EXISTING_CHATS chats
 * (each a customer, a chat, an open session): what the imconnector scenarios need, made through REST.
 */
export async function prepareConnector(
  call: (method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<void> {
  const must = async (method: string, params: Record<string, unknown>) => {
    const answer = await call(method, params);
    if (answer.error || answer.result === false) throw new Error(`${method}: ${JSON.stringify(answer)}`);
    return answer;
  };
  await must('imconnector.register', {
    ID: BENCH_CONNECTOR,
    NAME: 'Bench bridge',
    ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
    PLACEMENT_HANDLER: 'https://app.example.com/',
  });
  await must('imconnector.activate', { CONNECTOR: BENCH_CONNECTOR, LINE: 1, ACTIVE: 1 });
  for (let i = 1; i <= EXISTING_CHATS; i++) {
    const why = sentOk(await must('imconnector.send.messages', customerMessage(`chat-${i}`)));
    if (why) throw new Error(`opening chat-${i}: ${why}`);
  }
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
  {
    // One message into an open session: the customer's profile rewritten, the message stored.
    name: 'send.messages (existing chat)',
    method: 'imconnector.send.messages',
    writes: true,
    bySize: false,
    app: true,
    body: () => customerMessage(`chat-${1 + Math.floor(Math.random() * EXISTING_CHATS)}`),
    check: sentOk,
  },
  {
    // A new chat: a customer, a chat, a session and the message, in one durable transaction (with the
    // OnImConnectorDialogStart outbox rows when something is bound: nothing is, here).
    name: 'send.messages (new chat)',
    method: 'imconnector.send.messages',
    writes: true,
    bySize: false,
    app: true,
    body: () => customerMessage(newChatId()),
    check: sentOk,
  },
];

/** The json-server database: `lines` seed lines with ids 1..lines. */
export function jsonServerDatabase(lines: number): string {
  return JSON.stringify({ lines: Array.from({ length: lines }, (_, i) => ({ id: i + 1, ...SEED_PARAMS })) }, null, 2);
}
