// One request's parameters: the query string and the body (JSON, form or multipart) merged into one tree with
// PHP's rules, for the REST routes and the token endpoint alike. Refusals are thrown as ParamsError (unreadable
// parameters) or RestError (UNSUPPORTED_MEDIA_TYPE); rest/failure.ts words them for the answer.

import type { FastifyRequest } from 'fastify';
import { RestError } from '../wire/errors.js';
import { mergeParams, type ParamTree, parseJsonBody, parseMultipart, parsePhpQuery } from '../wire/php-params.js';

export interface RequestParamsOptions {
  /**
   * A body of another media type than JSON, multipart or a form: refused (REST), or read as a form, as the
   * token endpoint does.
   */
  readonly otherMediaTypes: 'refuse' | 'form';
}

async function parseBody(request: FastifyRequest, options: RequestParamsOptions): Promise<ParamTree> {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  const mediaType = contentType.split(';', 1)[0]!.trim();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return parseJsonBody(body.toString('utf8'));
  if (mediaType === 'multipart/form-data') return parseMultipart(body, contentType);
  // Bitrix24 reads any other body with parse_str (reference-behaviour.md §6.2).
  if (
    options.otherMediaTypes === 'form' ||
    mediaType === '' ||
    mediaType === 'application/x-www-form-urlencoded' ||
    mediaType === 'text/plain'
  ) {
    return parsePhpQuery(body.toString('utf8'));
  }
  throw new RestError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Unsupported content type '${mediaType.slice(0, 100)}': send application/json, application/x-www-form-urlencoded or multipart/form-data`,
  );
}

/** The query string, then the body over it (parameters in both: the body's value wins, as PHP's $_REQUEST). */
export async function readRequestParams(request: FastifyRequest, options: RequestParamsOptions): Promise<ParamTree> {
  const url = request.raw.url ?? '/';
  const queryAt = url.indexOf('?');
  const query = queryAt === -1 ? {} : parsePhpQuery(url.slice(queryAt + 1));
  return mergeParams(query, await parseBody(request, options));
}
