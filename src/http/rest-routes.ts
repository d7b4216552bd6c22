// /rest/{method}, /rest/{userId}/{code}/{method}: HTTP in, one parameter tree and credentials out to the REST
// core, and the answer back as JSON (or XML with the .xml suffix). Knows HTTP, not Bitrix24 methods.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Credentials } from '../rest/authenticate.js';
import type { CallAnswer } from '../rest/call-method.js';
import { RestError } from '../wire/errors.js';
import { MAX_BODY_BYTES, WARNING_VALUE_MAX_CHARS } from '../wire/limits.js';
import { encodePhpJson } from '../wire/php-json.js';
import {
  mergeParams,
  ParamsError,
  type ParamTree,
  parseJsonBody,
  parseMultipart,
  parsePhpQuery,
} from '../wire/php-params.js';
import { encodeXmlResponse } from '../wire/xml.js';

export type Transport = 'json' | 'xml';

/** Runs a whole HTTP call (batch included) once the path and parameters are known. */
export interface RestEndpoint {
  /** The server's clock reading: when a request arrived (the `time` block's start). */
  now(): number;
  handle(request: {
    method: string;
    params: ParamTree;
    credentials: Credentials;
    strictRequested: boolean;
    startMs: number;
    clientAddress: string;
    /** scheme://host[:port] the client addressed (Host header), for answers that name this server. */
    origin?: string;
    requestId?: string;
  }): Promise<CallAnswer>;
}

export interface RestRouteOptions {
  readonly endpoint: RestEndpoint;
  readonly isHttps: boolean;
  readonly requireHttps: boolean;
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

/** The URL with secrets masked, for logs: webhook codes and auth tokens are never logged. */
export function maskUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const maskedPath = path.replace(/^(\/rest\/+[^/]+\/+)[^/]+(?=\/)/, '$1***');
  if (query === undefined) return maskedPath;
  const maskedQuery = query.replace(/(^|&)(auth|access_token|ap|refresh_token|client_secret|code)=[^&]*/gi, '$1$2=***');
  return `${maskedPath}?${maskedQuery}`;
}

async function parseBody(request: FastifyRequest): Promise<ParamTree> {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  const mediaType = contentType.split(';', 1)[0]!.trim();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return parseJsonBody(body.toString('utf8'));
  if (mediaType === 'multipart/form-data') return parseMultipart(body, contentType);
  // Bitrix24 reads any other body with parse_str (reference-behaviour.md §6.2).
  if (mediaType === '' || mediaType === 'application/x-www-form-urlencoded' || mediaType === 'text/plain') {
    return parsePhpQuery(body.toString('utf8'));
  }
  throw new RestError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Unsupported content type '${mediaType.slice(0, 100)}': send application/json, application/x-www-form-urlencoded or multipart/form-data`,
  );
}

function paramsErrorToRest(error: ParamsError): RestError {
  return new RestError(error.code === 'INVALID_JSON' ? 'INVALID_JSON' : 'INVALID_REQUEST', error.message);
}

function clip(value: unknown): unknown {
  if (typeof value === 'string' && value.length > WARNING_VALUE_MAX_CHARS) {
    return `${value.slice(0, WARNING_VALUE_MAX_CHARS)}…`;
  }
  if (value !== null && typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > WARNING_VALUE_MAX_CHARS ? `${text.slice(0, WARNING_VALUE_MAX_CHARS)}…` : value;
  }
  return value;
}

const WARNINGS_HEADER_MAX_CHARS = 6_000;

/** X-Openlines-Warnings: JSON array of {field, sent, used, reason}, ASCII only, bounded in size. */
export function warningsHeader(warnings: CallAnswer['warnings']): string | undefined {
  if (warnings.length === 0) return undefined;
  const items: object[] = [];
  let size = 2;
  for (const [i, w] of warnings.entries()) {
    const item = { field: w.field, sent: clip(w.sent), used: clip(w.used), reason: w.reason };
    const text = encodePhpJson(item);
    if (size + text.length > WARNINGS_HEADER_MAX_CHARS) {
      items.push({ field: '*', reason: `${warnings.length - i} more warnings not shown` });
      break;
    }
    items.push(item);
    size += text.length + 1;
  }
  return encodePhpJson(items);
}

function send(
  reply: FastifyReply,
  transport: Transport,
  status: number,
  body: unknown,
  warnings: CallAnswer['warnings'],
) {
  const header = warningsHeader(warnings);
  if (header) reply.header('X-Openlines-Warnings', header);
  reply.code(status);
  if (transport === 'xml') {
    reply.type('text/xml; charset=utf-8');
    return reply.send(encodeXmlResponse(body));
  }
  reply.type('application/json; charset=utf-8');
  return reply.send(encodePhpJson(body));
}

export function sendError(
  reply: FastifyReply,
  transport: Transport,
  error: RestError,
  warnings: CallAnswer['warnings'] = [],
) {
  return send(reply, transport, error.status, error.toBody(), warnings);
}

/** The origin the client addressed: the Host header when it is a plain host[:port], else the listening socket. */
function originOf(request: FastifyRequest, isHttps: boolean): { origin?: string } {
  const scheme = isHttps ? 'https' : 'http';
  const host = request.headers.host;
  if (typeof host === 'string' && /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/.test(host)) {
    return { origin: `${scheme}://${host}` };
  }
  const { localAddress, localPort } = request.socket;
  if (!localAddress || !localPort) return {};
  return { origin: `${scheme}://${localAddress.includes(':') ? `[${localAddress}]` : localAddress}:${localPort}` };
}

export function registerRestRoutes(app: FastifyInstance, options: RestRouteOptions): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const startMs = options.endpoint.now();
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Allow-Headers', 'origin, content-type, accept, authorization');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Request-Id', request.id);
    if (request.method === 'OPTIONS') return reply.code(200).send();

    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
    const path = parseRestPath(pathname);
    const transport = path?.transport ?? 'json';
    if (!path) return sendError(reply, transport, new RestError('ERROR_METHOD_NOT_FOUND'));
    if (options.requireHttps && !options.isHttps) return sendError(reply, transport, new RestError('INVALID_REQUEST'));

    let params: ParamTree;
    try {
      const query = queryAt === -1 ? {} : parsePhpQuery(url.slice(queryAt + 1));
      params = mergeParams(query, await parseBody(request));
    } catch (error) {
      if (error instanceof ParamsError) return sendError(reply, transport, paramsErrorToRest(error));
      if (error instanceof RestError) return sendError(reply, transport, error);
      throw error;
    }
    const authorization = request.headers.authorization;
    const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    const credentials: Credentials =
      bearer !== undefined ? { token: bearer } : path.webhook ? { webhook: path.webhook } : {};
    const strictHeader = request.headers['x-openlines-strict'];
    const answer = await options.endpoint.handle({
      method: path.method,
      params,
      credentials,
      strictRequested: strictHeader === '1' || strictHeader === 'true',
      startMs,
      clientAddress: request.ip,
      requestId: request.id,
      ...originOf(request, options.isHttps),
    });
    if (answer.ok) return send(reply, transport, 200, answer.body, answer.warnings);
    return sendError(reply, transport, answer.error, answer.warnings);
  };
  app.all('/rest', handler);
  app.all('/rest/*', handler);
}

export const BODY_LIMIT_BYTES = MAX_BODY_BYTES;
