// Parameters of imconnector.send.messages → typed input (runtime-connectors.md §2, §3; reference
// bitrix24-core-corp modules/imconnector lib/rest/customconnectors.php sendMessages, lib/connectors/base.php).
// Top-level names are upper-cased, everything inside MESSAGES lower-cased recursively, as the reference does. The
// argument errors throw at once (the whole call fails, nothing is stored); a malformed item fails alone, with its
// errors in DATA.RESULT.

import { argumentError } from '../../wire/errors.js';
import { isObject, isPhpEmpty, phpIntval, upperKeys } from '../../wire/php-values.js';
import type { CustomerProfile } from '../dialogs/customer.js';
import type { MessageFile } from '../dialogs/message.js';
import type { FieldWarning, Findings } from '../input/input-report.js';

type Params = Record<string, unknown>;

/** At most this many MESSAGES per call; more is 400 ERROR_ARGUMENT naming MESSAGES (DECISIONS.md). */
export const MAX_MESSAGES_PER_CALL = 100;
/** A message text longer than this is cut (compat) or refused (strict) (DECISIONS.md). */
export const MAX_TEXT_LENGTH = 20_000;
/** The name a customer gets when neither a name nor a title was sent (IMCONNECTOR_GUEST_USER, §3.1). */
export const GUEST_NAME = 'Guest';
/** chat.url becomes chat.description with this prefix (lang/en/lib/connectors/base.php, §3.1). */
export const CHAT_URL_PREFIX = 'Link to original post: ';
/** An item with neither text nor files (IMCONNECTOR_NOT_ALL_THE_REQUIRED_DATA, §3.3). */
export const INCOMPLETE_DATA = 'Incomplete data';

/** One customer message, ready for the dialog service. */
export interface IncomingMessage {
  readonly externalUserId: string;
  readonly profile: CustomerProfile;
  readonly externalChatId: string;
  readonly chatName: string;
  /** `Link to original post: <chat.url>`, or '' when no url was sent. */
  readonly chatDescription: string;
  /** message.id, the external id stored as CONNECTOR_MID; null when none was sent. */
  readonly externalMessageId: string | null;
  readonly text: string;
  readonly files: readonly MessageFile[];
}

export type SendItem =
  | {
      readonly ok: true;
      readonly message: IncomingMessage;
      /** The answer item before `user`, SUCCESS and session: the lower-cased item merged with the processed values. */
      readonly echo: Readonly<Record<string, unknown>>;
    }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface SendMessagesInput {
  /** CONNECTOR as sent, compared exactly with the registered (lower-case) codes: `MyConnector` is no connector. */
  readonly connector: string;
  /** LINE cast with (int), as the reference's status check does. */
  readonly lineId: number;
  /** The items by MESSAGES key, in order. */
  readonly items: readonly (readonly [string, SendItem])[];
  /** MESSAGES was a list: DATA.RESULT is a list too (otherwise an object with the same keys). */
  readonly isList: boolean;
  readonly findings: Findings;
}

/** PHP isset(): present and not null. */
function requireSet(params: Params, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === null) throw argumentError(name, `Argument '${name}' is null or empty`);
  return value;
}

/** strtolower of every key, at every depth (Converter TO_LOWER|KEYS|RECURSIVE). */
export function lowerKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeysDeep);
  if (!isObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    result[key.replace(/[A-Z]/g, (c) => c.toLowerCase())] = lowerKeysDeep(v);
  return result;
}

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

/** How the reference processes an item: send and update alike (processingInputNewAndUpdateMessage), delete only
 * the user and the chat (processingInputDelMessage). */
export type MessageCommand = 'send' | 'update' | 'delete';

interface MessagesCall {
  readonly connector: string;
  readonly lineId: number;
  readonly entries: readonly (readonly [string, unknown])[];
  readonly isList: boolean;
}

/** CONNECTOR, LINE and MESSAGES must be set (isset); MESSAGES lower-cased at every depth. */
function readMessagesCall(raw: Params): MessagesCall & { readonly messages: unknown } {
  const params = upperKeys(raw) as Params;
  const connectorSent = requireSet(params, 'CONNECTOR');
  const lineSent = requireSet(params, 'LINE');
  requireSet(params, 'MESSAGES');
  const messages = lowerKeysDeep(params.MESSAGES);
  const entries = Array.isArray(messages)
    ? messages.map((m, i) => [String(i), m] as const)
    : isObject(messages)
      ? Object.entries(messages)
      : [];
  return {
    connector: typeof connectorSent === 'string' || typeof connectorSent === 'number' ? String(connectorSent) : '',
    lineId: phpIntval(lineSent),
    entries,
    isList: !isObject(messages),
    messages,
  };
}

/**
 * imconnector.send.messages: every item needs user, message and chat (the three structure errors, send only).
 * update.messages and delete.messages check no structure: an item without a user or a chat fails alone.
 */
export function readSendMessages(raw: Params, command: MessageCommand = 'send'): SendMessagesInput {
  const { connector, lineId, entries, isList, messages } = readMessagesCall(raw);
  if (command === 'send') checkSendStructure(messages, entries);
  if (entries.length > MAX_MESSAGES_PER_CALL) {
    throw argumentError(
      'MESSAGES',
      `Field 'MESSAGES': at most ${MAX_MESSAGES_PER_CALL} messages per call, got ${entries.length}`,
    );
  }
  const warnings: FieldWarning[] = [];
  const items = entries.map(([key, item]) => [key, readItem(key, item, command, warnings)] as const);
  return { connector, lineId, items, isList, findings: { warnings } };
}

function checkSendStructure(messages: unknown, entries: readonly (readonly [string, unknown])[]): void {
  if (!Array.isArray(messages) && !isObject(messages)) {
    throw argumentError('MESSAGES', "The value of an argument 'MESSAGES' must be of type array");
  }
  for (const [, item] of entries) {
    if (!isObject(item) && !Array.isArray(item)) {
      throw argumentError('', 'The MESSAGES parameter must be an array of messages (arrays)');
    }
    const fields = item as Params;
    if (fields.user == null || fields.message == null || fields.chat == null) {
      throw argumentError('', 'The incorrect structure of a message inside MESSAGES parameter.');
    }
  }
}

function readItem(key: string, sent: unknown, command: MessageCommand, warnings: FieldWarning[]): SendItem {
  if (!isObject(sent)) return { ok: false, errors: [INCOMPLETE_DATA] };
  const item = sent;
  const { user, chat } = item;
  const message = command === 'delete' && item.message == null ? {} : item.message;
  if (!isObject(user) || !isObject(message) || !isObject(chat)) return { ok: false, errors: [INCOMPLETE_DATA] };
  const extra: Record<string, string> = {};
  if (user.skip_phone_validate === 'Y') extra.skip_phone_validate = 'Y';

  const { url: chatUrl, ...chatRest } = chat;
  const chatDescription = text(chatUrl) === '' ? '' : `${CHAT_URL_PREFIX}${text(chatUrl)}`;
  const chatEcho: Params = chatDescription === '' ? chatRest : { ...chatRest, description: chatDescription };
  const externalMessageId = message.id === undefined || message.id === null ? null : text(message.id);
  const base = {
    externalUserId: text(user.id),
    profile: profileOf(user),
    externalChatId: text(chat.id),
    chatName: text(chat.name),
    chatDescription,
    externalMessageId,
  };
  if (command === 'delete') {
    const echo: Params = { ...item, user: null, chat: chatEcho };
    if (Object.keys(extra).length > 0) echo.extra = extra;
    return { ok: true, message: { ...base, text: '', files: [] }, echo };
  }

  const { disable_crm: disableCrm, ...messageEcho } = message as Params;
  if (disableCrm === 'Y') extra.disable_tracker = 'Y';
  else if (disableCrm !== undefined) messageEcho.disable_crm = disableCrm;
  if ('date' in messageEcho) messageEcho.date = {};

  let body = text(message.text);
  if (body.length > MAX_TEXT_LENGTH) {
    warnings.push({
      field: `MESSAGES[${key}][message][text]`,
      sent: `${body.length} characters`,
      used: `the first ${MAX_TEXT_LENGTH}`,
      reason: `a message text is at most ${MAX_TEXT_LENGTH} characters; cut`,
    });
    body = body.slice(0, MAX_TEXT_LENGTH);
    messageEcho.text = body;
  }

  const files: MessageFile[] = [];
  const sentFiles = message.files;
  if (sentFiles !== undefined && sentFiles !== null && sentFiles !== '') {
    if (!Array.isArray(sentFiles) && !isObject(sentFiles)) {
      return { ok: false, errors: [`Field 'message.files' must be an array of {url, name}`] };
    }
    for (const [index, file] of Object.entries(sentFiles)) {
      const url = isObject(file) ? text(file.url) : '';
      if (!/^https?:\/\/[^\s/?#]+/i.test(url)) {
        return { ok: false, errors: [`Field 'message.files[${index}].url' must be an http or https URL`] };
      }
      files.push({ url, name: isObject(file) ? text(file.name) : '' });
    }
  }
  if (body.trim() === '' && files.length === 0) return { ok: false, errors: [INCOMPLETE_DATA] };

  const echo: Params = { ...item, user: null, message: messageEcho, chat: chatEcho };
  if (Object.keys(extra).length > 0) echo.extra = extra;
  return { ok: true, message: { ...base, text: body, files }, echo };
}

/** One item of send.status.delivery / send.status.reading. */
export interface StatusItem {
  /** im.message_id: the openlines message the connector delivered; null (the item is ignored) when empty. */
  readonly messageId: number | null;
  /** message.id: the external ids, stored as CONNECTOR_MID on the first confirmation. */
  readonly externalIds: readonly string[];
}

export interface StatusInput {
  readonly connector: string;
  readonly items: readonly StatusItem[];
}

/**
 * imconnector.send.status.delivery / send.status.reading: CONNECTOR, LINE and MESSAGES set; LINE is not used.
 * Items `{im: {chat_id, message_id}, message: {id: [..]}, chat: {id}}`; message.id a list or one id.
 */
export function readStatusMessages(raw: Params): StatusInput {
  const { connector, entries } = readMessagesCall(raw);
  const items = entries.map(([, item]): StatusItem => {
    const fields = isObject(item) ? item : {};
    const im = isObject(fields.im) ? fields.im : {};
    const message = isObject(fields.message) ? fields.message : {};
    const id = phpIntval(im.message_id);
    const ids = Array.isArray(message.id)
      ? message.id
      : isObject(message.id)
        ? Object.values(message.id)
        : [message.id];
    return {
      messageId: id > 0 ? id : null,
      externalIds: ids.map(text).filter((v) => v !== ''),
    };
  });
  return { connector, items };
}

/** The profile a message carries; missing fields are blanked, as the reference rewrites them (§3.1). */
function profileOf(user: Params): CustomerProfile {
  let name = text(user.name).trim();
  let lastName = text(user.last_name).trim();
  const title = text(user.title).trim();
  if (lastName === '') {
    const words = name.split(' ');
    if (words.length === 2 && words[0] !== '' && words[1] !== '') [name, lastName] = words as [string, string];
  }
  if (name === '' && lastName === '') name = title === '' ? GUEST_NAME : title;
  const gender = user.gender === 'male' ? 'M' : user.gender === 'female' ? 'F' : '';
  return {
    name,
    lastName,
    title,
    email: text(user.email),
    phone: text(user.phone),
    url: text(user.url),
    gender,
    avatar: isObject(user.picture) ? text(user.picture.url) : '',
  };
}

/** imconnector.set.error: CONNECTOR and LINE set (isset). */
export function readConnectorError(raw: Params): { readonly connector: string; readonly lineId: number } {
  const params = upperKeys(raw) as Params;
  const connector = requireSet(params, 'CONNECTOR');
  const line = requireSet(params, 'LINE');
  return {
    connector: typeof connector === 'string' || typeof connector === 'number' ? String(connector) : '',
    lineId: phpIntval(line),
  };
}

export interface ChatNameInput {
  readonly connector: string;
  readonly lineId: number;
  /** The external chat id (chat.id of send.messages). */
  readonly externalChatId: string;
  readonly name: string;
  /** The external user id; null when not sent (allowed for CHAT_GROUP connectors only, the service decides). */
  readonly externalUserId: string | null;
}

/**
 * imconnector.chat.name.set (runtime-connectors.md §8): unlike the other messaging methods it tests empty(), so
 * `LINE=0` is missing; order CONNECTOR, LINE, CHAT_ID, NAME (USER_ID after, against the connector).
 */
export function readChatName(raw: Params): ChatNameInput {
  const params = upperKeys(raw) as Params;
  for (const name of ['CONNECTOR', 'LINE', 'CHAT_ID', 'NAME']) {
    if (isPhpEmpty(params[name])) throw argumentError(name, `Argument '${name}' is null or empty`);
  }
  return {
    connector: text(params.CONNECTOR),
    lineId: phpIntval(params.LINE),
    externalChatId: text(params.CHAT_ID),
    name: text(params.NAME),
    externalUserId: isPhpEmpty(params.USER_ID) ? null : text(params.USER_ID),
  };
}
