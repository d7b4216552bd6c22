// A method's answer that is a stream of server-sent events instead of one JSON envelope (openlines.workplace.stream,
// issue 19). The method authenticates and validates like any other, then hands the HTTP layer this object; the
// HTTP layer writes `text/event-stream`, keeps the connection alive with comments, and detaches on close.

/** Where the stream's events go: the HTTP layer writes each as an SSE record. */
export interface EventStreamSink {
  /** One event: `id` is what the browser sends back as Last-Event-ID on a reconnect. */
  event(name: string, id: string, data: unknown): void;
  /** The stream ends from the server's side (the server closes): the client reconnects. */
  end(): void;
}

const EVENT_STREAM = Symbol.for('openlines.event-stream');

export interface EventStream {
  readonly [EVENT_STREAM]: true;
  /** How long a client waits before reconnecting (the SSE `retry` field), in ms. */
  readonly retryMs: number;
  /** Starts delivering to `sink`; the returned function stops it (the connection closed). */
  open(sink: EventStreamSink): () => void;
}

export function eventStream(retryMs: number, open: (sink: EventStreamSink) => () => void): EventStream {
  return { [EVENT_STREAM]: true, retryMs, open };
}

export function isEventStream(value: unknown): value is EventStream {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[EVENT_STREAM] === true;
}

/** The parameter a stream method reads its resume point from; the HTTP layer fills it from the Last-Event-ID header. */
export const LAST_EVENT_ID_PARAM = 'LAST_EVENT_ID';
