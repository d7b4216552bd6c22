// An event's way from the REST call that commits it to the application's handler (issue 16): a handler on
// loopback that answers 200 at once is bound, then calls that emit the event are made one at a time (the change
// and its outbox row commit together; the deliverer is woken after the commit). Two kinds: an operator's
// `im.message.add` in a connector's chat → OnImConnectorMessageAdd (matched by the message id), and a customer
// writing into a new chat (`imconnector.send.messages`) → OnImConnectorDialogStart (matched by the chat id).
// Each event is timed from the moment its call was sent (the commit lies between that and the answer) and from
// the answer's arrival.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePhpQuery } from '../src/wire/php-params.js';
import { median, type Results, TARGET_LABEL, type TargetName } from './report.js';
import { customerMessage } from './scenarios.js';

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

export type LatencyKind = 'message-add' | 'dialog-start';

const KINDS: Record<LatencyKind, { event: string; label: string; call: string }> = {
  'message-add': {
    event: 'OnImConnectorMessageAdd',
    label: 'im.message.add → OnImConnectorMessageAdd',
    call: 'im.message.add',
  },
  'dialog-start': {
    event: 'OnImConnectorDialogStart',
    label: 'send.messages (new chat) → OnImConnectorDialogStart',
    call: 'imconnector.send.messages',
  },
};

export interface EventLatency {
  readonly kind: LatencyKind;
  readonly target: TargetName;
  readonly events: number;
  /** Events that had not arrived LATE_MS after their call (counted, left out of the percentiles). */
  readonly late: number;
  /** Call sent → handler received the POST. */
  readonly fromCall: Percentiles;
  /** Answer received → handler received the POST (negative when the event came first). */
  readonly afterAnswer: Percentiles;
  /** The calls' own round trip. */
  readonly roundTrip: Percentiles;
}

/** An event not at its handler this long after its call is counted as late, not waited for. */
const LATE_MS = 10_000;

type Call = (method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p99: at(99) };
}

export async function measureEventLatency(options: {
  kind: LatencyKind;
  target: TargetName;
  count: number;
  warmup: number;
  /** With the connector application's token. */
  call: Call;
  /** With the administrator's webhook (an operator who may write into any chat). */
  hookCall: Call;
  newChat: () => string;
}): Promise<EventLatency> {
  const { event } = KINDS[options.kind];
  /** Arrival times by key (chat id or message id), and the waiters for keys not arrived yet. */
  const arrivals = new Map<string, number>();
  const waiting = new Map<string, (atMs: number) => void>();
  /** The arrival time, or null when the event is LATE_MS late (a stuck or retried delivery: counted apart). */
  const arrivalOf = (key: string) =>
    new Promise<number | null>((resolve) => {
      const at = arrivals.get(key);
      if (at !== undefined) return resolve(at);
      const guard = setTimeout(() => {
        waiting.delete(key);
        resolve(null);
      }, LATE_MS);
      waiting.set(key, (atMs) => {
        clearTimeout(guard);
        waiting.delete(key);
        resolve(atMs);
      });
    });
  const handler = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const atMs = performance.now();
      res.writeHead(200).end('ok');
      const body = parsePhpQuery(Buffer.concat(chunks).toString()) as {
        data?: {
          DATA?: Record<string, { connector?: { chat_id?: string } }>;
          MESSAGES?: Record<string, { im?: { message_id?: string } }>;
        };
      };
      const key = body.data?.DATA?.['0']?.connector?.chat_id ?? body.data?.MESSAGES?.['0']?.im?.message_id;
      if (key && !arrivals.has(key)) {
        arrivals.set(key, atMs);
        waiting.get(key)?.(atMs);
      }
    });
  });
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/${options.kind}`;
  const bound = await options.call('event.bind', { event, handler: url });
  if (bound.result !== true) throw new Error(`event.bind: ${JSON.stringify(bound)}`);
  let late = 0;
  const fromCall: number[] = [];
  const afterAnswer: number[] = [];
  const roundTrip: number[] = [];
  try {
    // The operator writes into one chat the customer opened (its session stays open).
    let dialog = '';
    if (options.kind === 'message-add') {
      const opened = await options.call('imconnector.send.messages', customerMessage(options.newChat()));
      const chatId = (opened.result as { DATA?: { RESULT?: { session?: { CHAT_ID?: string } }[] } })?.DATA?.RESULT?.[0]
        ?.session?.CHAT_ID;
      if (!chatId) throw new Error(`no chat opened: ${JSON.stringify(opened)}`);
      dialog = `chat${chatId}`;
    }
    for (let i = 0; i < options.warmup + options.count; i++) {
      const chat = options.kind === 'dialog-start' ? options.newChat() : '';
      const arrived = chat ? arrivalOf(chat) : null;
      const sent = performance.now();
      const answer =
        options.kind === 'dialog-start'
          ? await options.call('imconnector.send.messages', customerMessage(chat))
          : await options.hookCall('im.message.add', { DIALOG_ID: dialog, MESSAGE: `Operator reply ${i}` });
      const answered = performance.now();
      if (answer.error) throw new Error(`${KINDS[options.kind].call}: ${JSON.stringify(answer)}`);
      const received = await (arrived ?? arrivalOf(String(answer.result)));
      if (received === null) {
        late++;
        continue;
      }
      if (i < options.warmup) continue;
      fromCall.push(received - sent);
      afterAnswer.push(received - answered);
      roundTrip.push(answered - sent);
    }
  } finally {
    await options.call('event.unbind', { event, handler: url }).catch(() => undefined);
    handler.closeAllConnections();
    await new Promise((resolve) => handler.close(resolve));
  }
  return {
    kind: options.kind,
    target: options.target,
    events: fromCall.length,
    late,
    fromCall: percentiles(fromCall),
    afterAnswer: percentiles(afterAnswer),
    roundTrip: percentiles(roundTrip),
  };
}

const ms = (n: number) => (Number.isFinite(n) ? (Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(1)) : '—');
const ratio = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×` : '—');

/** The Markdown section: percentiles per kind and store, beside the call's own round trip and the reference's. */
export function renderEventLatency(latencies: readonly EventLatency[], results: Results, lines: number): string {
  const reference = median(
    results.of('reference', 'send.messages (new chat)', lines, 1).map((sample) => sample.m.p50Ms),
  );
  const out = [
    '',
    '### Event latency: commit → handler',
    '',
    'A loopback handler answering 200 at once is bound; the calls that emit the event are made one at a time. ' +
      '"From the call" runs from sending the call (whose transaction commits the change and the outbox row) to the ' +
      'handler\'s receipt of the POST; "after the answer" from the call\'s answer to that receipt (negative: the ' +
      "event came first). Ratios: to the same call's round trip, and to the reference's round trip at 1 connection " +
      `(send.messages body, p50 ${ms(reference)} ms in this run).`,
    '',
    '| event | server | events | late (> 10 s) | p50 from the call ms | p99 from the call ms | p50 after the answer ms | p99 after the answer ms | call round trip p50 ms | p50 × call round trip | p50 × reference round trip |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const l of latencies) {
    out.push(
      `| ${KINDS[l.kind].label} | ${TARGET_LABEL[l.target]} | ${l.events} | ${l.late} | ${ms(l.fromCall.p50)} | ${ms(l.fromCall.p99)} | ${ms(l.afterAnswer.p50)} | ${ms(l.afterAnswer.p99)} | ${ms(l.roundTrip.p50)} | ${ratio(l.fromCall.p50 / l.roundTrip.p50)} | ${ratio(l.fromCall.p50 / reference)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}
