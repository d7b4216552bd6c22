// /oauth/token/: the authorization server's token endpoint, served by this server itself (openlines-api.md §1.3).
// GET with a query (b24phpsdk, the docs) and POST with a form body (b24jssdk), with or without the trailing slash
// (clients.md §1 items 16–17), after any number of leading slashes. Answers the Bitrix24 token JSON, or {error, error_description} with 400/401.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerFailure } from '../rest/failure.js';
import { RestError } from '../wire/errors.js';
import { encodePhpJson } from '../wire/php-json.js';
import type { ParamTree } from '../wire/php-params.js';
import { requestHost } from './origin.js';
import { readRequestParams } from './request-params.js';

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

function endpointsOf(request: FastifyRequest, isHttps: boolean, publicUrl: string): { base: string; domain: string } {
  if (publicUrl) return { base: publicUrl, domain: publicUrl.replace(/^https?:\/\//, '') };
  const host = requestHost(request) ?? '127.0.0.1';
  return { base: `${isHttps ? 'https' : 'http'}://${host}`, domain: host };
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
        const params = tokenParams(await readRequestParams(request, { otherMediaTypes: 'form' }));
        const answer = await options.issuer.token(params, endpointsOf(request, ctx.isHttps, options.publicUrl));
        return send(reply, 200, answer);
      } catch (error) {
        const failure = answerFailure(error, request.log, { reqId: request.id }, 'oauth');
        return send(reply, failure.status, failure.toBody());
      }
    };
    for (const url of ['/oauth/token/', '/oauth/token']) app.route({ method: ['GET', 'POST'], url, handler });
  };
}
