// An event's way from the REST call that commits it to the application's handler (issue 16): a handler on
// loopback that answers 200 at once is bound to OnImConnectorDialogStart, then customers write into new chats
// one at a time (`imconnector.send.messages`: the session and its outbox row commit together; the deliverer is
// woken after the commit). Each event is matched to its call by the chat id in its data, and timed from the
// moment the call was sent (the commit lies between that and the answer) and from the answer's arrival.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePhpQuery } from '../src/wire/php-params.js';
import { median, type Results, TARGET_LABEL, type TargetName } from './report.js';
import { customerMessage } from './scenarios.js';

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

export interface EventLatency {
  readonly target: TargetName;
  readonly events: number;
  /** Call sent → handler received the POST. */
  readonly fromCall: Percentiles;
  /** Answer received → handler received the POST (negative when the event came first). */
  readonly afterAnswer: Percentiles;
  /** The calls' own round trip. */
  readonly roundTrip: Percentiles;
}

type Call = (method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: at(50), p99: at(99) };
}

export async function measureEventLatency(options: {
  target: TargetName;
  count: number;
  warmup: number;
  call: Call;
  newChat: () => string;
}): Promise<EventLatency> {
  const waiting = new Map<string, (atMs: number) => void>();
  const handler = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const atMs = performance.now();
      res.writeHead(200).end('ok');
      const body = parsePhpQuery(Buffer.concat(chunks).toString()) as {
        data?: { DATA?: Record<string, { connector?: { chat_id?: string } }> };
      };
      const chat = body.data?.DATA?.['0']?.connector?.chat_id;
      if (chat) waiting.get(chat)?.(atMs);
    });
  });
  await new Promise<void>((resolve) => handler.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/dialog-start`;
  const bound = await options.call('event.bind', { event: 'OnImConnectorDialogStart', handler: url });
  if (bound.result !== true) throw new Error(`event.bind: ${JSON.stringify(bound)}`);
  const fromCall: number[] = [];
  const afterAnswer: number[] = [];
  const roundTrip: number[] = [];
  try {
    for (let i = 0; i < options.warmup + options.count; i++) {
      const chat = options.newChat();
      const arrived = new Promise<number>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`the event for ${chat} did not arrive in 30 s`)), 30_000);
        waiting.set(chat, (atMs) => {
          clearTimeout(guard);
          waiting.delete(chat);
          resolve(atMs);
        });
      });
      const sent = performance.now();
      const answer = await options.call('imconnector.send.messages', customerMessage(chat));
      const answered = performance.now();
      if (answer.error) throw new Error(`send.messages: ${JSON.stringify(answer)}`);
      const received = await arrived;
      if (i < options.warmup) continue;
      fromCall.push(received - sent);
      afterAnswer.push(received - answered);
      roundTrip.push(answered - sent);
    }
  } finally {
    await options.call('event.unbind', { event: 'OnImConnectorDialogStart', handler: url }).catch(() => undefined);
    handler.closeAllConnections();
    await new Promise((resolve) => handler.close(resolve));
  }
  return {
    target: options.target,
    events: fromCall.length,
    fromCall: percentiles(fromCall),
    afterAnswer: percentiles(afterAnswer),
    roundTrip: percentiles(roundTrip),
  };
}

const ms = (n: number) => (Number.isFinite(n) ? (Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(1)) : '—');
const ratio = (n: number) => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)}×` : '—');

/** The Markdown section: percentiles per store, beside the send's own round trip and the reference's. */
export function renderEventLatency(latencies: readonly EventLatency[], results: Results, lines: number): string {
  const reference = median(
    results.of('reference', 'send.messages (new chat)', lines, 1).map((sample) => sample.m.p50Ms),
  );
  const out = [
    '',
    '### Event latency: commit → handler (OnImConnectorDialogStart)',
    '',
    'A loopback handler answering 200 at once is bound; customers write into new chats one at a time. "From the ' +
      'call" runs from sending `imconnector.send.messages` (which commits the session and its outbox row) to the ' +
      'handler\'s receipt of the POST; "after the answer" from the call\'s answer to that receipt (negative: the ' +
      "event came first). Ratios: to the same call's round trip, and to the reference's round trip at 1 connection " +
      `(p50 ${ms(reference)} ms in this run).`,
    '',
    '| server | events | p50 from the call ms | p99 from the call ms | p50 after the answer ms | p99 after the answer ms | call round trip p50 ms | p50 × call round trip | p50 × reference round trip |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const l of latencies) {
    out.push(
      `| ${TARGET_LABEL[l.target]} | ${l.events} | ${ms(l.fromCall.p50)} | ${ms(l.fromCall.p99)} | ${ms(l.afterAnswer.p50)} | ${ms(l.afterAnswer.p99)} | ${ms(l.roundTrip.p50)} | ${ratio(l.fromCall.p50 / l.roundTrip.p50)} | ${ratio(l.fromCall.p50 / reference)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}
