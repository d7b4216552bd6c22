// Every error code the server can answer with: HTTP status and the Bitrix24 description, word for word where
// the reference has one (openlines-api.md §1.8, §3, §4; reference-behaviour.md §6.5). docs/errors.md is
// generated from this table, and a test checks that every thrown code is listed here.

export interface ErrorSpec {
  readonly status: number;
  readonly description: string;
  /** Where the code, status and text come from. */
  readonly source: string;
}

export const ERRORS = {
  ERROR_METHOD_NOT_FOUND: { status: 404, description: 'Method not found!', source: 'openlines-api.md §1.1, §1.8' },
  NO_AUTH_FOUND: { status: 401, description: 'Wrong authorization data', source: 'openlines-api.md §1.8' },
  INVALID_CREDENTIALS: { status: 403, description: 'Invalid request credentials', source: 'openlines-api.md §1.8' },
  insufficient_scope: {
    status: 403,
    description: 'The request requires higher privileges than provided by the webhook token',
    source: 'openlines-api.md §1.8',
  },
  expired_token: { status: 401, description: 'The access token provided has expired', source: 'openlines-api.md §1.8' },
  INVALID_REQUEST: { status: 400, description: 'Https required.', source: 'openlines-api.md §1.8' },
  QUERY_LIMIT_EXCEEDED: { status: 503, description: 'Too many requests', source: 'openlines-api.md §1.7' },
  OPERATION_TIME_LIMIT: {
    status: 429,
    description: 'Method is blocked due to operation time limit.',
    source: 'reference-behaviour.md §6.7',
  },
  ERROR_BATCH_METHOD_NOT_ALLOWED: {
    status: 405,
    description: 'Method is not allowed for batch usage',
    source: 'openlines-api.md §1.6',
  },
  ERROR_BATCH_LENGTH_EXCEEDED: {
    status: 400,
    description: 'Max batch length exceeded',
    source: 'openlines-api.md §1.6',
  },
  ACCESS_DENIED: { status: 403, description: 'Access denied!', source: 'reference-behaviour.md §6.5' },
  WRONG_AUTH_TYPE: {
    status: 403,
    description: 'Current authorization type is denied for this method Application context required',
    source: 'openlines-api.md §4',
  },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'Internal server error', source: 'openlines-api.md §1.8' },
  ERROR_ARGUMENT: { status: 400, description: 'Invalid argument', source: 'reference-behaviour.md §6.5; DECISIONS.md' },
  CONFIG_ID_EMPTY: { status: 400, description: "Config ID can't be empty", source: 'openlines-api.md §3.2' },
  CONFIG_WRONG_USER_PERMISSION: { status: 403, description: 'Permission denied', source: 'openlines-api.md §3.2' },
  CONFIG_NOT_FOUND: { status: 404, description: 'Config is not found.', source: 'DECISIONS.md (strict mode)' },
  INVALID_FORMAT: { status: 400, description: 'Invalid format', source: 'openlines-api.md §3.4' },
  // The token endpoint's errors (/oauth/token/): the OAuth 2.0 codes the Bitrix24 docs list, the statuses and
  // texts of RFC 6749 §5.2, since the docs give neither.
  invalid_request: {
    status: 400,
    description: 'The request is missing a required parameter or has an invalid parameter value',
    source: 'openlines-api.md §1.3; RFC 6749 §5.2',
  },
  invalid_client: {
    status: 401,
    description: 'Client authentication failed',
    source: 'openlines-api.md §1.3; RFC 6749 §5.2',
  },
  invalid_grant: {
    status: 400,
    description: 'The authorization code or refresh token is invalid, expired, revoked or was issued to another client',
    source: 'openlines-api.md §1.3; RFC 6749 §5.2',
  },
  invalid_scope: {
    status: 400,
    description: 'The requested scope is invalid or exceeds the scope of the application',
    source: 'openlines-api.md §1.3; RFC 6749 §5.2',
  },
  // openlines' own codes for what Bitrix24 silently tolerates or never meets (documented in docs/errors.md).
  INVALID_JSON: { status: 400, description: 'Request body is not valid JSON', source: 'openlines (issue #2)' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'Request body is too large', source: 'openlines (issue #2)' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: 'Unsupported request content type',
    source: 'openlines (issue #2)',
  },
  STORE_UNAVAILABLE: {
    status: 503,
    description: 'The store is temporarily unavailable, try again later',
    source: 'openlines',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** A Bitrix24-shaped error: answered as {"error": code, "error_description": description, ...extra}. */
export class RestError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    description?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(description ?? ERRORS[code].description);
    this.status = ERRORS[code].status;
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.message, ...this.extra };
  }
}

/** ERROR_ARGUMENT naming the field, in the reference's shape (an extra top-level `argument` key). */
export function argumentError(field: string, description: string): RestError {
  return new RestError('ERROR_ARGUMENT', description, { argument: field });
}
