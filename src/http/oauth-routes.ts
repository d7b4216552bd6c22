// /oauth/token/: the authorization server's token endpoint, served by this server itself (openlines-api.md §1.3).
// GET with a query (b24phpsdk, the docs) and POST with a form body (b24jssdk), with or without the trailing slash
// (clients.md §1 items 16–17), after any number of leading slashes. Answers the Bitrix24 token JSON, or {error, error_description} with 400/401.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable } from '../store/unavailable.js';
import { RestError } from '../wire/errors.js';
import { encodePhpJson } from '../wire/php-json.js';
import {
  mergeParams,
  ParamsError,
  type ParamTree,
  parseJsonBody,
  parseMultipart,
  parsePhpQuery,
} from '../wire/php-params.js';

/** The token request's parameters; other parameters (bx24_request_id, …) are ignored. */
export const TOKEN_PARAMS = ['grant_type', 'client_id', 'client_secret', 'code', 'refresh_token', 'scope'] as const;
export type TokenParams = Partial<Record<(typeof TOKEN_PARAMS)[number], string>>;

/** Runs one token request; refusals are thrown as RestError with an OAuth code. */
export interface TokenIssuer {
  token(params: TokenParams, endpoints: { base: string; domain: string }): Promise<Record<string, unknown>>;
}

export interface OAuthRouteOptions {
  readonly issuer: TokenIssuer;
  /** PUBLIC_URL when set; otherwise the base is taken from the request's Host header. */
  readonly publicUrl: string;
  readonly requireHttps: boolean;
}

// b24phpsdk requests `${oauthServerUrl}/oauth/token/`, and its own preset URLs end in "/" (issue 14).
const EXTRA_LEADING_SLASHES = /^\/{2,}(?=oauth\/token\/?(?:\?|$))/;

/** The request URL with the token path's extra leading slashes removed; any other URL as it came. */
export function collapseTokenPathSlashes(url: string): string {
  return url.startsWith('//') ? url.replace(EXTRA_LEADING_SLASHES, '/') : url;
}

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

function endpointsOf(request: FastifyRequest, isHttps: boolean, publicUrl: string): { base: string; domain: string } {
  if (publicUrl) return { base: publicUrl, domain: publicUrl.replace(/^https?:\/\//, '') };
  const header = request.headers.host;
  let host = typeof header === 'string' && HOST.test(header) ? header : '';
  if (!host) {
    const address = request.socket.localAddress ?? '127.0.0.1';
    host = `${address.includes(':') ? `[${address}]` : address}:${request.socket.localPort}`;
  }
  return { base: `${isHttps ? 'https' : 'http'}://${host}`, domain: host };
}

async function readParams(request: FastifyRequest): Promise<ParamTree> {
  const url = request.raw.url ?? '/';
  const queryAt = url.indexOf('?');
  const query = queryAt === -1 ? {} : parsePhpQuery(url.slice(queryAt + 1));
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return query;
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  const mediaType = contentType.split(';', 1)[0]!.trim();
  let parsed: ParamTree;
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) parsed = parseJsonBody(body.toString('utf8'));
  else if (mediaType === 'multipart/form-data') parsed = await parseMultipart(body, contentType);
  else parsed = parsePhpQuery(body.toString('utf8'));
  return mergeParams(query, parsed);
}

function tokenParams(params: ParamTree): TokenParams {
  const picked: TokenParams = {};
  for (const key of TOKEN_PARAMS) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number') picked[key] = String(value);
    else if (typeof value === 'string') picked[key] = value;
    else throw new RestError('invalid_request', `Parameter '${key}' must be a string`);
  }
  return picked;
}

function send(reply: FastifyReply, status: number, body: unknown) {
  // RFC 6749 §5.1: token answers must not be cached.
  reply.header('Cache-Control', 'no-store');
  reply.header('Pragma', 'no-cache');
  return reply.code(status).type('application/json; charset=utf-8').send(encodePhpJson(body));
}

export function oauthRoutes(options: OAuthRouteOptions) {
  return (app: FastifyInstance, ctx: { isHttps: boolean }): void => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        if (options.requireHttps && !ctx.isHttps) throw new RestError('INVALID_REQUEST');
        let params: TokenParams;
        try {
          params = tokenParams(await readParams(request));
        } catch (error) {
          if (error instanceof ParamsError) throw new RestError('invalid_request', error.message);
          throw error;
        }
        const answer = await options.issuer.token(params, endpointsOf(request, ctx.isHttps, options.publicUrl));
        return send(reply, 200, answer);
      } catch (error) {
        if (error instanceof RestError) return send(reply, error.status, error.toBody());
        if (isStoreUnavailable(error)) {
          request.log.warn({ err: error }, 'store unavailable');
          const unavailable = new RestError('STORE_UNAVAILABLE');
          return send(reply, unavailable.status, unavailable.toBody());
        }
        request.log.error({ err: error }, 'token request failed');
        const internal = new RestError('INTERNAL_SERVER_ERROR');
        return send(reply, internal.status, internal.toBody());
      }
    };
    for (const url of ['/oauth/token/', '/oauth/token']) app.route({ method: ['GET', 'POST'], url, handler });
  };
}
