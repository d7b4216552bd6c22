// The `data` of the connector events a dialog sends to the connector's owner application (runtime-connectors.md
// §11.1-§11.4), built from the dialogs model. Values are what the reference sends after its own string/int
// mixing; on the wire every value is a string anyway (§12.3).

import type { Chat } from './chat.js';
import type { Message } from './message.js';
import type { Session } from './session.js';

/** The user part of a user code: the customer's id, or 0 for a CHAT_GROUP connector (§11.4). */
function userPart(chat: Chat): string {
  return chat.userCode.split('|')[3] ?? '0';
}

/**
 * One item of OnImConnectorDialogStart / Finish `DATA` (§11.4): `connector.*` are the user code's parts (strings),
 * `close_term` the line's FULL_CLOSE_TIME in minutes, `parent_id` the chat's previous session (0 for the first).
 */
export function dialogItem(
  chat: Chat,
  session: Session,
  context: { readonly parentId: number; readonly closeTerm: number },
): Record<string, unknown> {
  const [connector = '', line = '', chatId = ''] = chat.userCode.split('|');
  return {
    connector: { connector_id: connector, line_id: line, chat_id: chatId, user_id: userPart(chat) },
    session: {
      id: session.id,
      closed: session.closed ? 'Y' : 'N',
      parent_id: context.parentId,
      close_term: context.closeTerm,
    },
    chat: { id: chat.externalChatId },
    user: { id: userPart(chat) },
  };
}

/**
 * The signature the reference puts before an operator's text (§11.1): `[b]Name:[/b] [br]text` for a new message,
 * `[b]Name:[/b][br] text` for an edit; the name alone when the text is empty.
 */
export function signedText(name: string, text: string, form: 'add' | 'update'): string {
  if (form === 'add') return `[b]${name}:[/b] ${text === '' ? '' : `[br]${text}`}`;
  return `[b]${name}:[/b]${text === '' ? '' : `[br] ${text}`}`;
}

/** One item of OnImConnectorMessageAdd `MESSAGES` (§11.1); empty lists vanish in the form encoding. */
export function messageAddItem(chat: Chat, message: Message, text: string, authorId: number): Record<string, unknown> {
  return {
    im: { chat_id: chat.id, message_id: message.id },
    message: {
      user_id: authorId,
      text,
      files: message.files.map((file) => ({ name: file.name, type: 'file', link: file.url })),
      attachments: [],
      params: [],
    },
    chat: { id: chat.externalChatId },
  };
}

/** One item of OnImConnectorMessageUpdate `MESSAGES` (§11.2): `message.id` is the CONNECTOR_MID list. */
export function messageUpdateItem(chat: Chat, message: Message, text: string): Record<string, unknown> {
  return {
    im: { chat_id: chat.id, message_id: message.id },
    message: { id: [...message.connectorMid], text },
    chat: { id: chat.externalChatId },
  };
}

/** The items of OnImConnectorMessageDelete `MESSAGES` (§11.3): one per external id, `message.id` a scalar. */
export function messageDeleteItems(chat: Chat, message: Message): Record<string, unknown>[] {
  return message.connectorMid.map((externalId) => ({
    im: { chat_id: chat.id, message_id: message.id },
    message: { id: externalId },
    chat: { id: chat.externalChatId },
  }));
}
