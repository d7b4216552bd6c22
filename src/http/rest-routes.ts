// /rest/{method}, /rest/{userId}/{code}/{method}: HTTP in, one parameter tree and credentials out to the REST
// core, and the answer back as JSON (or XML with the .xml suffix). Knows HTTP, not Bitrix24 methods.

import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type TimerHandle } from '../clock.js';
import { requestCredentials } from '../rest/authenticate.js';
import { answerFailure } from '../rest/failure.js';
import type { RestEndpoint } from '../rest/rest-endpoint.js';
import { RestError } from '../wire/errors.js';
import { type EventStream, isEventStream, LAST_EVENT_ID_PARAM } from '../wire/event-stream.js';
import type { ParamTree } from '../wire/php-params.js';
import { requestOrigin } from './origin.js';
import { send, sendError, type Transport } from './reply.js';
import { readRequestParams } from './request-params.js';

export interface RestRouteOptions {
  readonly endpoint: RestEndpoint;
  readonly isHttps: boolean;
  readonly requireHttps: boolean;
  /** How often an open event stream sends a keep-alive comment (real time); 15 s by default. */
  readonly streamHeartbeatMs?: number;
}

interface ParsedPath {
  method: string;
  transport: Transport;
  webhook?: { userId: string; code: string };
}

const METHOD_NAME = /^[a-z0-9_.]{1,200}$/i;

/** Splits the path after /rest/: empty segments ("//", trailing "/") are tolerated, as PHP's router does. */
export function parseRestPath(pathname: string): ParsedPath | null {
  const segments: string[] = [];
  for (const raw of pathname.replace(/^\/rest(?=\/|$)/, '').split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment.includes('/') || segment === '.' || segment === '..') return null;
    segments.push(segment);
  }
  if (segments.length !== 1 && segments.length !== 3) return null;
  let method = segments[segments.length - 1]!;
  let transport: Transport = 'json';
  const suffix = /\.(json|xml)$/i.exec(method);
  if (suffix) {
    transport = suffix[1]!.toLowerCase() as Transport;
    method = method.slice(0, -suffix[0].length);
  }
  if (!METHOD_NAME.test(method)) return null;
  const parsed: ParsedPath = { method: method.toLowerCase(), transport };
  if (segments.length === 3) parsed.webhook = { userId: segments[0]!, code: segments[1]! };
  return parsed;
}

export function registerRestRoutes(app: FastifyInstance, options: RestRouteOptions): void {
  const openStreams = new Set<ServerResponse>();
  const heartbeatMs = options.streamHeartbeatMs ?? 15_000;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const startMs = options.endpoint.now();
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Allow-Headers', 'origin, content-type, accept, authorization');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Request-Id', request.id);
    if (request.method === 'OPTIONS') return reply.code(200).send();

    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = parseRestPath(queryAt === -1 ? url : url.slice(0, queryAt));
    const transport = path?.transport ?? 'json';
    if (!path) return sendError(reply, transport, new RestError('ERROR_METHOD_NOT_FOUND'));
    if (options.requireHttps && !options.isHttps) return sendError(reply, transport, new RestError('INVALID_REQUEST'));

    let params: ParamTree;
    try {
      params = await readRequestParams(request, { otherMediaTypes: 'refuse' });
    } catch (error) {
      return sendError(reply, transport, answerFailure(error, request.log, { reqId: request.id }));
    }
    // EventSource resends the last event id as a header on a reconnect: a stream method reads it as a parameter.
    const lastEventId = request.headers['last-event-id'];
    if (typeof lastEventId === 'string' && params[LAST_EVENT_ID_PARAM] === undefined) {
      params[LAST_EVENT_ID_PARAM] = lastEventId;
    }
    const strictHeader = request.headers['x-openlines-strict'];
    const origin = requestOrigin(request, options.isHttps);
    const answer = await options.endpoint.handle({
      method: path.method,
      params,
      credentials: requestCredentials(request.headers.authorization, path.webhook),
      strictRequested: strictHeader === '1' || strictHeader === 'true',
      startMs,
      clientAddress: request.ip,
      requestId: request.id,
      ...(origin !== undefined ? { origin } : {}),
    });
    if (answer.ok && isEventStream(answer.body.result)) {
      return streamEvents(reply, answer.body.result, { openStreams, heartbeatMs });
    }
    if (answer.ok) return send(reply, transport, 200, answer.body, answer.warnings);
    return sendError(reply, transport, answer.error, answer.warnings);
  };
  app.all('/rest', handler);
  app.all('/rest/*', handler);
  // Open streams would hold the server's close: they end first (the clients reconnect to the next server).
  app.addHook('preClose', (done) => {
    for (const res of openStreams) res.end();
    done();
  });
}

/** What an event stream may hold unsent for a slow client before it is ended (the client resumes by event id). */
const MAX_UNREAD_STREAM_BYTES = 1024 * 1024;

/**
 * Writes a method's event stream as text/event-stream: the `retry` hint, each event as an SSE record with its id,
 * and a comment every `heartbeatMs` so that proxies and the client see the connection alive. Real time, not the
 * server's clock: this paces a network connection, it decides nothing about a session.
 */
function streamEvents(
  reply: FastifyReply,
  stream: EventStream,
  options: { readonly openStreams: Set<ServerResponse>; readonly heartbeatMs: number },
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
    'X-Accel-Buffering': 'no',
    'X-Request-Id': String(reply.request.id),
  });
  // HEAD asks for the headers only: a stream has no end to wait for, so the answer ends here.
  if (reply.request.method === 'HEAD') {
    // Opened and closed at once: what the method subscribed is released.
    stream.open({ event() {}, end() {} })();
    res.end();
    return;
  }
  res.write(`retry: ${stream.retryMs}\n: open\n\n`);
  options.openStreams.add(res);
  let heartbeat: TimerHandle | null = null;
  let ended = false;
  const beat = () => {
    heartbeat = systemClock.setTimeout(() => {
      if (ended) return;
      res.write(': ping\n\n');
      beat();
    }, options.heartbeatMs);
  };
  const stop = stream.open({
    event(name, id, data) {
      if (ended) return;
      res.write(`id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      // A client that stopped reading: end rather than buffer without bound; it reconnects and resumes by id.
      if (res.writableLength > MAX_UNREAD_STREAM_BYTES) res.end();
    },
    end() {
      if (!ended) res.end();
    },
  });
  const close = () => {
    if (ended) return;
    ended = true;
    if (heartbeat) systemClock.clearTimeout(heartbeat);
    options.openStreams.delete(res);
    stop();
  };
  res.on('close', close);
  // A client gone before the listener was set has no close event to come.
  if (res.destroyed || reply.request.raw.destroyed) close();
  else beat();
}
