// Every error code the server can answer with: HTTP status and the Bitrix24 description, word for word where
// the reference has one (openlines-api.md §1.8, §3, §4; reference-behaviour.md §6.5). docs/errors.md is
// generated from this table; the type checker refuses a code that is not listed, and test/unit/errors.test.ts
// checks the other way: every listed code is raised in src/ and expected by a test.

export interface ErrorSpec {
  readonly status: number;
  readonly description: string;
  /** Where the code, status and text come from. */
  readonly source: string;
}

export const ERRORS = {
  ERROR_METHOD_NOT_FOUND: { status: 404, description: 'Method not found!', source: 'openlines-api.md §1.1, §1.8' },
  NO_AUTH_FOUND: { status: 401, description: 'Wrong authorization data', source: 'openlines-api.md §1.8' },
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
  ACCESS_DENIED: {
    status: 403,
    description: 'Access denied!',
    source: 'reference-behaviour.md §6.5; imconnector.list answers it with 400 (openlines-api.md §4.2)',
  },
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
  // imconnector.*: the connector module's codes (bitrix24-core-corp modules/imconnector lib/library.php and
  // lang/en/lib/library.php), for what the reference lets pass silently (openlines-api.md §8 item 13).
  NOT_ACTIVE_LINE: {
    status: 400,
    description: 'The line with this ID is inactive or does not exist',
    source: 'openlines-api.md §4.2 (imconnector.send.messages); Library::ERROR_IMCONNECTOR_NOT_ACTIVE_LINE',
  },
  IMCONNECTOR_NO_CORRECT_PROVIDER: {
    status: 400,
    description: 'Failed to find a suitable provider for the connector',
    source: 'runtime-connectors.md §2 (imconnector.send.messages and the other messaging methods); Provider',
  },
  CHAT_RENAMING_FAILED: {
    status: 400,
    description: 'Chat renaming failed',
    source: 'runtime-connectors.md §8 (imconnector.chat.name.set: no session for the user code)',
  },
  NOT_AVAILABLE_CONNECTOR: {
    status: 400,
    description: 'Attempt to connect to an inactive or unavailable connector',
    source: 'imconnector Library::ERROR_NOT_AVAILABLE_CONNECTOR (Connector::add of an unknown connector)',
  },
  WRONG_APP_ID: {
    status: 400,
    description: 'Wrong app!',
    source: 'imconnector lib/rest/customconnectors.php (a connector used by an application that did not register it)',
  },
  DELETE_NOT_EXISTING_CONNECTOR: {
    status: 400,
    description: 'Attempt to delete an inactive connector',
    source: 'imconnector Library::ERROR_DELETE_NOT_EXISTING_CONNECTOR; strict mode of imconnector.activate (off)',
  },
  // openlines' own codes for what Bitrix24 silently tolerates or never meets (documented in docs/errors.md).
  // im.* in a line's chat (the im module's REST: im_rest.php messageAdd/Update/Delete, dialogMessagesGet).
  MESSAGE_EMPTY: { status: 400, description: "Message can't be empty", source: 'im_rest.php messageAdd' },
  LAST_ID_AND_LAST_TYPE: {
    status: 400,
    description: 'Parameters LAST_ID and LAST_TYPE should be used together.',
    source: 'b24restdocs im.notify.get (one of the pair sent without the other)',
  },
  CHAT_ID_EMPTY: { status: 400, description: "Chat ID can't be empty", source: 'im_rest.php messageAdd' },
  USER_ID_EMPTY: { status: 400, description: "User ID can't be empty", source: 'im_rest.php messageAdd' },
  DIALOG_ID_EMPTY: { status: 400, description: "Dialog ID can't be empty", source: 'im_rest.php dialogMessagesGet' },
  ACCESS_ERROR: {
    status: 403,
    description: 'You do not have access to the specified dialog',
    source:
      'im_rest.php dialogMessagesGet (403); messageAdd answers 400 "You don\'t have access or user isn\'t member in chat"',
  },
  PARAMS_ERROR: {
    status: 400,
    description: "Message isn't added",
    source: 'im_rest.php messageAdd (the message refused: the line is off or its connector not working, §11.1 item 9)',
  },
  MESSAGE_ID_ERROR: {
    status: 400,
    description: "Message ID can't be empty",
    source: 'im_rest.php messageUpdate/Delete',
  },
  CANT_EDIT_MESSAGE: {
    status: 403,
    description: "Time has expired for modification or you don't have access",
    source: 'im_rest.php messageUpdate/Delete (CheckPossibilityUpdateMessage: author only, 72 h to edit)',
  },
  FIRST_ID_STRING: { status: 400, description: "First ID can't be string", source: 'im_rest.php dialogMessagesGet' },
  LAST_ID_STRING: {
    status: 400,
    description: "Last ID can't be string",
    source: 'im_rest.php dialogMessagesGet; im.notify.get says "Last notification ID can\'t be string" (b24restdocs)',
  },
  DIALOG_NOT_SUPPORTED: {
    status: 400,
    description: "Only the chats of open lines are served here: DIALOG_ID must be chat<ID> of a line's chat",
    source: 'openlines code: private dialogs between users are not part of openlines (docs/decisions.md)',
  },
  ERROR_EVENT_NOT_FOUND: { status: 400, description: 'Event not found', source: 'runtime-connectors.md §13.1' },
  ERROR_WRONG_HANDLER_URL: { status: 400, description: 'Wrong handler URL', source: 'runtime-connectors.md §13.1' },
  ERROR_UNSUPPORTED_PROTOCOL: {
    status: 400,
    description: 'Unsupported handler protocol',
    source: 'runtime-connectors.md §13.1',
  },
  ERROR_CORE: {
    status: 400,
    description: 'Unable to set event handler: Handler already binded',
    source: 'runtime-connectors.md §13.1',
  },
  // The operators' methods (imopenlines.operator.*, .session.*, .dialog.get; runtime-sessions.md §7): the
  // reference's RestException codes, 400 (§7.0), texts from its language files.
  CHAT_ID: {
    status: 400,
    description: 'Chat ID is invalid.',
    source: 'runtime-sessions.md §7.0 (Operator::checkAccess)',
  },
  OPERATOR_WRONG: {
    status: 400,
    description: 'You can not redirect to this operator',
    source: 'runtime-sessions.md §7.4, §7.6 (operator.transfer, session.intercept)',
  },
  QUEUE_ID_EMPTY: { status: 400, description: "QUEUE ID can't be empty", source: 'runtime-sessions.md §7.4' },
  TRANSFER_ID_EMPTY: {
    status: 400,
    description: "Queue ID or User ID can't be empty",
    source: 'runtime-sessions.md §7.4',
  },
  ERROR_USER_NOT_OPERATOR: {
    status: 400,
    description: 'Attempt to close the dialog by a user who is not an operator',
    source: 'runtime-sessions.md §7.5 (operator.finish); session.mode.pin answers it with its own text (DECISIONS.md)',
  },
  NOT_LOAD_SESSION_OR_CHAT: {
    status: 400,
    description: 'Session or chat failed to load',
    source: 'runtime-sessions.md §7.5 (operator.finish, .another.finish; session.mode.pin without a session)',
  },
  MISSING_REQUIRED_PARAM: {
    status: 400,
    description: 'Session ID or Chat ID must be provided',
    source: 'runtime-sessions.md §7.14',
  },
  INVALID_SESSION_ID: {
    status: 400,
    description: 'Unable to determine session ID from provided parameters',
    source: 'runtime-sessions.md §7.14',
  },
  INVALID_FILTER: { status: 400, description: 'Invalid filter value', source: 'runtime-sessions.md Appendix A' },
  PERIOD_TOO_LARGE: {
    status: 400,
    description: 'The requested period exceeds the maximum of 1 year',
    source: 'runtime-sessions.md Appendix A',
  },
  OFFSET_TOO_LARGE: { status: 400, description: 'Offset is too large', source: 'runtime-sessions.md Appendix A' },
  // Where the reference answers an empty error (runtime-sessions.md §7.0, Open question 1): openlines names it
  // after the reference's internal error (DECISIONS.md "Errors the reference leaves without a code").
  ANSWER_ALREADY_RESPONSIBLE: {
    status: 400,
    description: 'The agent you are trying to assign is already assigned to this conversation',
    source: "openlines code: operator.answer by the session's operator (IMOL_CHAT_ERROR_ANSWER_ALREADY_RESPONSIBLE)",
  },
  ANSWER_COMPETITIVE_REQUEST: {
    status: 400,
    description: 'There is a concurrent request to accept this conversation',
    source:
      'openlines code: operator.answer by an operator it was offered to after another took it (IMOL_CHAT_ERROR_ANSWER_COMPETITIVE_REQUEST)',
  },
  EMPTY_SESSION_ID: {
    status: 400,
    description: "Session ID can't be empty",
    source: 'runtime-sessions.md §7.13 (session.head.vote without SESSION_ID)',
  },
  EMPTY_VOTE_PARAMS: {
    status: 400,
    description: 'At least one of the parameters RATING or COMMENT must be specified',
    source: 'runtime-sessions.md §7.13 (session.head.vote with neither RATING nor COMMENT)',
  },
  SESSION_NOT_LOADED: {
    status: 400,
    description: 'Cannot load session',
    source: 'openlines code: operator.answer / .skip without an open session (IMOL_CHAT_ERROR_ANSWER_NOT_LOAD_SESSION)',
  },
  SKIP_ALONE: {
    status: 400,
    description: 'You cannot reject the conversation because you are the only person available in the queue.',
    source:
      "openlines code: operator.skip with nobody else to pass it to, or in 'all' mode (IMOL_QUEUE_SESSION_SKIP_ALONE)",
  },
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
  NOT_FOUND: {
    status: 404,
    description: 'Not found',
    source: 'openlines (a path no route serves)',
  },
  // The customer chat page (issue 19): openlines' own connector, answered on its public endpoints.
  LIVECHAT_NOT_FOUND: { status: 404, description: 'There is no such line', source: 'openlines (issue 19)' },
  LIVECHAT_OFF: {
    status: 403,
    description: 'The chat is turned off on this line',
    source: 'openlines (issue 19)',
  },
  LIVECHAT_MESSAGE_EMPTY: { status: 400, description: 'The message is empty', source: 'openlines (issue 19)' },
  LIVECHAT_MESSAGE_TOO_LONG: { status: 400, description: 'The message is too long', source: 'openlines (issue 19)' },
  LIVECHAT_RATE_LIMIT: {
    status: 429,
    description: 'Too many messages: wait a little before writing again',
    source: 'openlines (issue 19)',
  },
  // The operator's workplace stream (openlines.workplace.stream, issue 19).
  WORKPLACE_STREAM_LIMIT: {
    status: 429,
    description: 'Too many workplace streams are open for this user',
    source: 'openlines (issue 19; docs/workplace-stream.md)',
  },
  WORKPLACE_EVENT_ID: {
    status: 400,
    description: 'LAST_EVENT_ID is not an event id of this stream',
    source: 'openlines (issue 19; docs/workplace-stream.md)',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

const IMCONNECTOR_LANG = 'imconnector lang/en/lib/library.php';

/**
 * Failures that imconnector.register / imconnector.unregister answer with HTTP 200, nested in the result:
 * {"result": {"result": false, "error": CODE, "error_description": text}} (openlines-api.md §4.2, §8 item 14).
 */
export const RESULT_ERRORS = {
  APPLICATION_REGISTRATION_ERROR_POINT: {
    status: 200,
    description: 'Application registration error. Connector ID cannot contain dots (.).',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  CONNECTOR_ID_REQUIRED: {
    status: 200,
    description: 'The connector ID is not specified',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  NAME_REQUIRED: {
    status: 200,
    description: 'Connector name is not specified',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  ICON_REQUIRED: {
    status: 200,
    description: 'Connector icon is not specified',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  NO_APPLICATION_ID: {
    status: 200,
    description: 'Cannot get the app ID',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  NO_PLACEMENT_HANDLER: {
    status: 200,
    description: 'Cannot get the embedding handler URL',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  APPLICATION_REGISTRATION_ERROR: {
    status: 200,
    description: 'Error registering app',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
  APPLICATION_UNREGISTRATION_ERROR: {
    status: 200,
    description: 'Error unregistering app',
    source: `openlines-api.md §4.2; ${IMCONNECTOR_LANG}`,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ResultErrorCode = keyof typeof RESULT_ERRORS;

/** A Bitrix24-shaped error: answered as {"error": code, "error_description": description, ...extra}. */
export class RestError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    description?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Only where the reference answers a code with another status than usual (noted in the code's source). */
    status?: number,
  ) {
    super(description ?? ERRORS[code].description);
    this.status = status ?? ERRORS[code].status;
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.message, ...this.extra };
  }
}

/** ERROR_ARGUMENT naming the field, in the reference's shape (an extra top-level `argument` key). */
export function argumentError(field: string, description: string): RestError {
  return new RestError('ERROR_ARGUMENT', description, { argument: field });
}
