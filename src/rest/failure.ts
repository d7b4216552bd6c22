// What any failure becomes on the wire, and how loudly it is logged: one classification for the REST core, the
// HTTP edge and the token endpoint (and for work started by time: STORE_UNAVAILABLE means "try again later").
// Store and driver errors never reach the wire; anything unexpected becomes the generic 500, logged, never shown.

import { isStoreUnavailable } from '../store/unavailable.js';
import { RestError } from '../wire/errors.js';
import { ParamsError } from '../wire/php-params.js';

export interface ClassifiedError {
  readonly restError: RestError;
  /** null: an answer like any other; warn: the store is unreachable; error: a bug or an unexpected failure. */
  readonly log: 'warn' | 'error' | null;
}

export interface FailureLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The error vocabulary of the answer: REST codes, or the token endpoint's OAuth codes (RFC 6749 §5.2). */
export type Protocol = 'rest' | 'oauth';

/** Unreadable parameters (the PHP parameter parser's refusals) in the vocabulary of the answer. */
function paramsFailure(error: ParamsError, protocol: Protocol): RestError {
  if (protocol === 'oauth') return new RestError('invalid_request', error.message);
  return new RestError(error.code === 'INVALID_JSON' ? 'INVALID_JSON' : 'INVALID_REQUEST', error.message);
}

export function classifyError(error: unknown, protocol: Protocol = 'rest'): ClassifiedError {
  if (error instanceof RestError) return { restError: error, log: null };
  if (error instanceof ParamsError) return { restError: paramsFailure(error, protocol), log: null };
  if (isStoreUnavailable(error)) return { restError: new RestError('STORE_UNAVAILABLE'), log: 'warn' };
  // The client sees a generic 500 and the request id (X-Request-Id); the details stay in the log.
  return { restError: new RestError('INTERNAL_SERVER_ERROR'), log: 'error' };
}

/** Classifies an error, logs it as classified (with `context`: method, request id …) and returns the answer. */
export function answerFailure(
  error: unknown,
  logger: FailureLogger,
  context: object = {},
  protocol: Protocol = 'rest',
): RestError {
  const { restError, log } = classifyError(error, protocol);
  if (log === 'warn') logger.warn({ err: error, ...context }, 'store unavailable');
  else if (log === 'error') logger.error({ err: error, ...context }, 'request failed');
  return restError;
}
