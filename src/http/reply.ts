// Sending an answer: JSON (PHP's json_encode) or XML, with the warnings header.

import type { FastifyReply } from 'fastify';
import type { CallAnswer } from '../rest/rest-core.js';
import type { RestError } from '../wire/errors.js';
import { encodePhpJson } from '../wire/php-json.js';
import { encodeXmlResponse } from '../wire/xml.js';
import { warningsHeader } from './warnings-header.js';

/** The answer's format: the method name's suffix (.json, the default, or .xml). */
export type Transport = 'json' | 'xml';

export function send(
  reply: FastifyReply,
  transport: Transport,
  status: number,
  body: unknown,
  warnings: CallAnswer['warnings'] = [],
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
