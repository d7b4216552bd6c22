// A server-sent-events client for tests (what EventSource does, readable from node:test): opens a URL with fetch,
// parses the records as they arrive and lets a test wait for an event by name and content. Waiting is bounded by
// real time only as a failure guard; the tests never sleep.

import { type CallResult, parseAnswer } from './server.js';

export interface SseEvent {
  readonly id: string;
  readonly event: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  readonly data: any;
}

export interface SseStream {
  readonly status: number;
  readonly contentType: string;
  /** Every event so far, in order. */
  readonly events: SseEvent[];
  /** Comment lines seen (": ping"). */
  readonly comments: string[];
  readonly retry: number | null;
  /** The first event (from `after`: that index on) matching; fails after `timeoutMs`. */
  next(
    event: string,
    match?: (e: SseEvent) => boolean,
    options?: { after?: number; timeoutMs?: number },
  ): Promise<SseEvent>;
  close(): void;
}

/** Opens the stream; a non-stream answer (an error envelope) is returned as a CallResult instead. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream | CallResult> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream')) return parseAnswer(response);
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let retry: number | null = null;
  let buffer = '';
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const pump = async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let at = buffer.indexOf('\n\n');
        while (at !== -1) {
          const record = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          let id = '';
          let event = 'message';
          const data: string[] = [];
          for (const line of record.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
            else if (line.startsWith('retry: ')) retry = Number(line.slice(7));
          }
          if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')) });
          for (const wake of [...waiters]) wake();
          at = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    } finally {
      for (const wake of [...waiters]) wake();
    }
  };
  void pump();
  return {
    status: response.status,
    contentType,
    events,
    comments,
    get retry() {
      return retry;
    },
    next(name, match = () => true, options = {}) {
      const from = options.after ?? 0;
      const find = () => events.slice(from).find((e) => e.event === name && match(e));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find();
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${name} event within ${options.timeoutMs ?? 10_000} ms; got ${JSON.stringify(events)}`));
        }, options.timeoutMs ?? 10_000);
        waiters.add(check);
        check();
      });
    },
    close() {
      abort.abort();
    },
  };
}

export function isStream(value: SseStream | CallResult): value is SseStream {
  return 'events' in value;
}
