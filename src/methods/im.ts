// im.message.add / update / delete and im.dialog.messages.get in the chats of open lines (scope im; webhooks and
// applications alike), with the im module's parameter rules and errors (im_rest.php): keys in any case, MESSAGE
// trimmed, `[BR]` as a line break, a text over 20 000 characters cut with " (...)", DIALOG_ID `chat<ID>`.
// Private dialogs between users are not part of openlines (DIALOG_NOT_SUPPORTED).

import type { ChatPage } from '../domain/dialogs/chat-messages.js';
import type { Customer } from '../domain/dialogs/customer.js';
import { DELETED_MESSAGE_TEXT, type Message } from '../domain/dialogs/message.js';
import type { DirectoryUser } from '../domain/directory/directory-user.js';
import type { InputReport } from '../domain/input/input-report.js';
import { RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { INT32_MAX, isPhpEmpty, phpIntval, upperKeys } from '../wire/php-values.js';
import type { MethodRegistry } from './registry.js';

const SCOPES = ['im'];
/** CIMMessenger's MESSAGE_LIMIT: a longer text is cut to it and marked. */
export const MESSAGE_LIMIT = 20_000;
const CUT_MARK = ' (...)';
/** im.dialog.messages.get: 20 by default, at most 50. */
const PAGE_DEFAULT = 20;
const PAGE_MAX = 50;

const CHAT_DIALOG = /^(chat|sg|crm)(\d+)$/i;
const DIGITS = /^\d+$/;

export function defineImMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'im.message.add',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const text = messageText(p.MESSAGE);
      if (text === '') throw new RestError('MESSAGE_EMPTY');
      ignoreRich(ctx.input, p);
      const chatId = chatOf(p);
      const system = p.SYSTEM === 'Y';
      return { result: await ctx.services.chatMessages.post(ctx.caller, { chatId, text, system }) };
    },
  });
  registry.define({
    name: 'im.message.update',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const id = messageIdOf(p);
      ignoreRich(ctx.input, p);
      // Nothing to change: true, as the reference answers without looking the message up.
      if (p.MESSAGE === undefined) return { result: true };
      return { result: await ctx.services.chatMessages.edit(ctx.caller, id, messageText(p.MESSAGE)) };
    },
  });
  registry.define({
    name: 'im.message.delete',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      return { result: await ctx.services.chatMessages.remove(ctx.caller, messageIdOf(p)) };
    },
  });
  registry.define({
    name: 'im.dialog.messages.get',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const chatParam = phpIntval(p.CHAT_ID);
      const dialog = chatParam > 0 ? `chat${chatParam}` : scalar(p.DIALOG_ID);
      const chatMatch = CHAT_DIALOG.exec(dialog);
      if (!chatMatch && !DIGITS.test(dialog)) throw new RestError('DIALOG_ID_EMPTY');
      const page = pageOf(p);
      // A user's private dialog: openlines has none, so there is no chat to read (the reference answers false).
      if (!chatMatch) return { result: false };
      if (chatMatch[1]?.toLowerCase() !== 'chat') throw new RestError('ACCESS_ERROR');
      // An id past the 32-bit ids names no chat: the answer to a chat that does not exist, not a query PostgreSQL
      // refuses (past bigint).
      const chatId = Number(chatMatch[2]);
      if (chatId > INT32_MAX) throw new RestError('ACCESS_ERROR');
      const result = await ctx.services.chatMessages.read(ctx.caller, chatId, page);
      return { result: presentPage(result, ctx.services.settings.timeZone) };
    },
  });
}

const scalar = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');

/** MESSAGE as CIMMessenger keeps it: `[BR]` as a line break, trimmed, cut past the limit; '' when empty. */
export function messageText(raw: unknown): string {
  if (raw !== undefined && raw !== null && typeof raw === 'object') {
    throw new RestError('MESSAGE_EMPTY', 'Wrong message type');
  }
  const text = scalar(raw)
    .replace(/\[br\]/gi, '\n')
    .trim();
  return text.length > MESSAGE_LIMIT + CUT_MARK.length ? text.slice(0, MESSAGE_LIMIT) + CUT_MARK : text;
}

/** Attachments, keyboards and menus are not kept (openlines has no rich messages yet): reported, not refused. */
function ignoreRich(input: InputReport, p: Record<string, unknown>): void {
  for (const field of ['ATTACH', 'KEYBOARD', 'MENU'] as const) {
    if (!isPhpEmpty(p[field]) && p[field] !== 'N') {
      input.warn({
        field,
        sent: p[field],
        used: null,
        reason: `${field} is not supported by openlines and was ignored`,
      });
    }
  }
}

/** DIALOG_ID `chat<ID>` (or the legacy CHAT_ID) → the chat id; a user's id is a private dialog. */
function chatOf(p: Record<string, unknown>): number {
  const dialog = scalar(p.DIALOG_ID);
  const match = CHAT_DIALOG.exec(dialog);
  if (match) {
    const id = match[1]?.toLowerCase() === 'chat' ? Number(match[2]) : 0;
    if (!(id > 0)) throw new RestError('CHAT_ID_EMPTY');
    return id;
  }
  if (dialog === '' && p.CHAT_ID !== undefined) {
    const id = phpIntval(p.CHAT_ID);
    if (id <= 0) throw new RestError('CHAT_ID_EMPTY');
    return id;
  }
  if (phpIntval(dialog === '' ? p.USER_ID : dialog) <= 0) throw new RestError('USER_ID_EMPTY');
  throw new RestError('DIALOG_NOT_SUPPORTED');
}

function messageIdOf(p: Record<string, unknown>): number {
  const id = phpIntval(p.MESSAGE_ID ?? p.ID);
  if (id <= 0) throw new RestError('MESSAGE_ID_ERROR');
  return id;
}

/** FIRST_ID (ascending after it) wins over LAST_ID (newest first, before it); LIMIT 20 by default, at most 50. */
function pageOf(p: Record<string, unknown>): { firstId: number | null; lastId: number; limit: number } {
  let firstId: number | null = null;
  let lastId = 0;
  if (p.FIRST_ID !== undefined) {
    if (!DIGITS.test(scalar(p.FIRST_ID))) throw new RestError('FIRST_ID_STRING');
    // Bounds past the 32-bit ids are saturated to them: the same page, and a number every store can compare.
    firstId = Math.min(Number(scalar(p.FIRST_ID)), INT32_MAX);
  } else if (p.LAST_ID !== undefined) {
    if (!DIGITS.test(scalar(p.LAST_ID))) throw new RestError('LAST_ID_STRING');
    lastId = Math.min(Number(scalar(p.LAST_ID)), INT32_MAX);
  }
  const asked = phpIntval(p.LIMIT);
  const limit = asked <= 0 ? PAGE_DEFAULT : Math.min(asked, PAGE_MAX);
  return { firstId, lastId, limit };
}

function authorIdOf(message: Message): number {
  if (message.author.kind === 'operator') return message.author.userId;
  if (message.author.kind === 'customer') return message.author.customerId;
  return 0;
}

/** The message's params as the im module shows them; [] when there are none. */
function paramsOf(message: Message): Record<string, unknown> | [] {
  const params: Record<string, unknown> = {};
  if (message.connectorMid.length > 0) params.CONNECTOR_MID = [...message.connectorMid];
  if (message.sending) {
    params.SENDING = 'Y';
    params.SENDING_TS = Math.floor(Date.parse(message.createdAt) / 1000);
  }
  if (message.edited) params.IS_EDITED = 'Y';
  if (message.deleted) params.IS_DELETED = 'Y';
  // Files are kept as the connector's URLs (DECISIONS.md): listed here, not as disk files.
  if (message.files.length > 0) params.FILE_URLS = message.files.map((f) => ({ name: f.name, url: f.url }));
  return Object.keys(params).length > 0 ? params : [];
}

function presentPage(page: ChatPage, timeZone: string): Record<string, unknown> {
  const seen = new Set<number>();
  const users: Record<string, unknown>[] = [];
  for (const message of page.messages) {
    const id = authorIdOf(message);
    if (id === 0 || seen.has(id)) continue;
    seen.add(id);
    if (message.author.kind === 'customer') {
      const customer = page.customers.get(id);
      if (customer) users.push(customerUser(customer));
    } else {
      const user = page.users.get(id);
      if (user) users.push(directoryUser(id, user));
    }
  }
  return {
    chat_id: page.chat.id,
    messages: page.messages.map((m) => presentMessage(m, timeZone)),
    users,
    files: [],
  };
}

/** A message as im.dialog.messages.get lists it (the workplace stream sends the same item). */
export function presentMessage(m: Message, timeZone: string): Record<string, unknown> {
  return {
    id: m.id,
    chat_id: m.chatId,
    author_id: authorIdOf(m),
    date: formatPhpDate(Date.parse(m.createdAt), timeZone),
    text: m.deleted ? DELETED_MESSAGE_TEXT : m.text,
    unread: false,
    uuid: null,
    replaces: [],
    params: paramsOf(m),
  };
}

/** A user item in the im module's order (User::getArray). */
function userItem(fields: {
  id: number;
  active: boolean;
  first: string;
  last: string;
  position: string;
  avatar: string;
  gender: string;
  connector: boolean;
  externalAuthId: string;
  status: string;
}): Record<string, unknown> {
  const name = [fields.first, fields.last].filter((s) => s !== '').join(' ');
  return {
    id: fields.id,
    active: fields.active,
    name,
    first_name: fields.first,
    last_name: fields.last,
    work_position: fields.position,
    color: '#df532d',
    avatar: fields.avatar,
    gender: fields.gender === 'F' ? 'F' : 'M',
    birthday: false,
    extranet: fields.connector,
    network: false,
    bot: false,
    connector: fields.connector,
    external_auth_id: fields.externalAuthId,
    status: fields.status,
    idle: false,
    last_activity_date: false,
    mobile_last_date: false,
    absent: false,
    departments: [],
    phones: false,
    desktop_last_date: false,
  };
}

export function directoryUser(id: number, user: DirectoryUser): Record<string, unknown> {
  return userItem({
    id,
    active: user.active,
    first: user.name,
    last: user.lastName,
    position: user.workPosition,
    avatar: user.avatar,
    gender: '',
    connector: false,
    externalAuthId: 'default',
    status: user.online ? 'online' : 'offline',
  });
}

export function customerUser(customer: Customer): Record<string, unknown> {
  return userItem({
    id: customer.id,
    active: true,
    first: customer.name,
    last: customer.lastName,
    position: customer.title,
    avatar: customer.avatar,
    gender: customer.gender,
    connector: true,
    externalAuthId: 'imconnector',
    status: 'online',
  });
}
