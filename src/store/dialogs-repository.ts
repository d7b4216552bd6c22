// Customers, chats, sessions and messages (issue 16): rows in, the dialogs model out, over a db or a transaction.

import type { Insertable, Selectable } from 'kysely';
import type { Chat } from '../domain/dialogs/chat.js';
import type { Customer, CustomerProfile } from '../domain/dialogs/customer.js';
import type { Message, MessageAuthor, MessageFile } from '../domain/dialogs/message.js';
import type { Session } from '../domain/dialogs/session.js';
import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';
import type { ChatTable, CustomerTable, MessageTable, SessionTable } from './schema.js';

type Row<T> = Selectable<T>;

const customerOf = (row: Row<CustomerTable>): Customer => ({
  id: Number(row.id),
  connectorId: Number(row.connector_id),
  externalId: row.external_id,
  name: row.name,
  lastName: row.last_name,
  title: row.title,
  email: row.email,
  phone: row.phone,
  url: row.url,
  gender: row.gender,
  avatar: row.avatar,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
});

const chatOf = (row: Row<ChatTable>): Chat => ({
  id: Number(row.id),
  userCode: row.user_code,
  connectorId: Number(row.connector_id),
  lineId: Number(row.line_id),
  externalChatId: row.external_chat_id,
  customerId: Number(row.customer_id),
  name: row.name,
  description: row.description,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
});

export const sessionOf = (row: Row<SessionTable>): Session => ({
  id: Number(row.id),
  chatId: Number(row.chat_id),
  lineId: Number(row.line_id),
  userCode: row.user_code,
  customerId: Number(row.customer_id),
  status: Number(row.status),
  operatorId: Number(row.operator_id),
  closed: Number(row.closed) === 1,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  closedAt: row.closed_at,
  mode: row.mode === 'output' ? 'output' : 'input',
  waitAnswer: Number(row.wait_answer) === 1,
  waitAction: Number(row.wait_action) === 1,
  pinned: Number(row.pause) === 1,
  spam: Number(row.spam) === 1,
  undistributed: Number(row.undistributed) === 1,
  queueHistory: (JSON.parse(row.queue_history) as unknown[]).map(Number),
  parentId: Number(row.parent_id),
  dateOperator: row.date_operator,
  dateOperatorAnswer: row.date_operator_answer,
  dateFirstAnswer: row.date_first_answer,
  dateLastMessage: row.date_last_message,
  messageCount: Number(row.message_count),
  sendNoAnswerText: Number(row.send_no_answer_text) === 1,
  closeReason: row.close_reason,
  worktime: Number(row.worktime) === 1,
  sendNoWorkTimeText: Number(row.send_no_work_time_text) === 1,
  waitVote: Number(row.wait_vote) === 1,
  vote: Number(row.vote),
  voteHead: Number(row.vote_head),
  commentHead: row.comment_head,
  dateCloseVote: row.date_close_vote,
});

/** The customer's rating of a session from the chat page (issue 19): VOTE 5 like, 1 dislike (§2.4). */
export async function setSessionVote(db: Db, id: number, vote: 'like' | 'dislike', stamp: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ vote: vote === 'like' ? 5 : 1, wait_vote: 0, modified_at: stamp })
    .where('id', '=', id)
    .execute();
}

function authorOf(kind: string, id: number): MessageAuthor {
  if (kind === 'customer') return { kind, customerId: id };
  if (kind === 'operator') return { kind, userId: id };
  return { kind: 'system' };
}

export const messageOf = (row: Row<MessageTable>): Message => ({
  id: Number(row.id),
  chatId: Number(row.chat_id),
  sessionId: row.session_id === null ? null : Number(row.session_id),
  author: authorOf(row.author_kind, Number(row.author_id)),
  text: row.text,
  files: JSON.parse(row.files) as MessageFile[],
  connectorMid: JSON.parse(row.connector_mid) as string[],
  sending: Number(row.sending) === 1,
  delivered: Number(row.delivered) === 1,
  deleted: Number(row.deleted) === 1,
  edited: Number(row.edited) === 1,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
});

const profileRow = (profile: CustomerProfile) => ({
  name: profile.name,
  last_name: profile.lastName,
  title: profile.title,
  email: profile.email,
  phone: profile.phone,
  url: profile.url,
  gender: profile.gender,
  avatar: profile.avatar,
});

/**
 * The connector's customer with this external id, created or with its profile overwritten (every message rewrites
 * the profile, runtime-connectors.md §3.1).
 */
export async function upsertCustomer(
  db: Db,
  connectorId: number,
  externalId: string,
  profile: CustomerProfile,
  stamp: string,
): Promise<Customer> {
  const row = await db
    .insertInto('customers')
    .values({
      connector_id: connectorId,
      external_id: externalId,
      ...profileRow(profile),
      created_at: stamp,
      modified_at: stamp,
    })
    .onConflict((oc) =>
      oc.columns(['connector_id', 'external_id']).doUpdateSet({ ...profileRow(profile), modified_at: stamp }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return customerOf(row as Row<CustomerTable>);
}

export async function findCustomer(db: Db, id: number): Promise<Customer | undefined> {
  const row = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && customerOf(row as Row<CustomerTable>);
}

/**
 * The chat of a user code, created when there is none, and locked until the transaction ends: the sessions of one
 * user code are decided one transaction at a time. A concurrent creator waits on the unique key and then finds
 * the winner's row.
 */
export async function lockChat(db: Db, chat: Omit<ChatTable, 'id'>): Promise<{ chat: Chat; created: boolean }> {
  const inserted = await db
    .insertInto('chats')
    .values(chat)
    .onConflict((oc) => oc.column('user_code').doNothing())
    .returning('id')
    .executeTakeFirst();
  const row = await capabilitiesOf(db)
    .forUpdate(db.selectFrom('chats').selectAll().where('user_code', '=', chat.user_code))
    .executeTakeFirstOrThrow();
  if (!inserted && (row.name !== chat.name || row.description !== chat.description)) {
    await db
      .updateTable('chats')
      .set({ name: chat.name, description: chat.description, modified_at: chat.modified_at })
      .where('id', '=', row.id)
      .execute();
    return {
      chat: chatOf({ ...row, name: chat.name, description: chat.description } as Row<ChatTable>),
      created: false,
    };
  }
  return { chat: chatOf(row as Row<ChatTable>), created: inserted !== undefined };
}

export async function findChat(db: Db, id: number): Promise<Chat | undefined> {
  const row = await db.selectFrom('chats').selectAll().where('id', '=', id).executeTakeFirst();
  return row && chatOf(row as Row<ChatTable>);
}

export async function findChatByUserCode(db: Db, userCode: string): Promise<Chat | undefined> {
  const row = await db.selectFrom('chats').selectAll().where('user_code', '=', userCode).executeTakeFirst();
  return row && chatOf(row as Row<ChatTable>);
}

export async function findOpenSession(db: Db, userCode: string): Promise<Session | undefined> {
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('user_code', '=', userCode)
    .where('closed', '=', 0)
    .executeTakeFirst();
  return row && sessionOf(row as Row<SessionTable>);
}

export async function findSession(db: Db, id: number): Promise<Session | undefined> {
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && sessionOf(row as Row<SessionTable>);
}

export async function insertSession(db: Db, session: Insertable<SessionTable>): Promise<Session> {
  const row = await db.insertInto('sessions').values(session).returningAll().executeTakeFirstOrThrow();
  return sessionOf(row as Row<SessionTable>);
}

export async function listSessionsOfChat(db: Db, chatId: number): Promise<Session[]> {
  const rows = await db.selectFrom('sessions').selectAll().where('chat_id', '=', chatId).orderBy('id').execute();
  return rows.map((row) => sessionOf(row as Row<SessionTable>));
}

/** The chat's newest session (the next one's PARENT_ID), or 0. */
export async function lastSessionId(db: Db, chatId: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select('id')
    .where('chat_id', '=', chatId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.id) : 0;
}

/** A message to insert: the model's own fields, stamped once for its created and modified dates. */
export type NewMessage = Pick<
  Message,
  'chatId' | 'sessionId' | 'author' | 'text' | 'files' | 'connectorMid' | 'sending'
> & {
  readonly stamp: string;
};

const authorIdOf = (author: MessageAuthor): number =>
  author.kind === 'customer' ? author.customerId : author.kind === 'operator' ? author.userId : 0;

export async function insertMessage(db: Db, message: NewMessage): Promise<Message> {
  const row = await db
    .insertInto('messages')
    .values({
      chat_id: message.chatId,
      session_id: message.sessionId,
      author_kind: message.author.kind,
      author_id: authorIdOf(message.author),
      text: message.text,
      files: JSON.stringify(message.files),
      connector_mid: JSON.stringify(message.connectorMid),
      sending: message.sending ? 1 : 0,
      delivered: 0,
      deleted: 0,
      edited: 0,
      created_at: message.stamp,
      modified_at: message.stamp,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return messageOf(row as Row<MessageTable>);
}

/** The chat's messages, oldest first. */
export async function listMessagesOfChat(db: Db, chatId: number): Promise<Message[]> {
  const rows = await db.selectFrom('messages').selectAll().where('chat_id', '=', chatId).orderBy('id').execute();
  return rows.map((row) => messageOf(row as Row<MessageTable>));
}

export async function findMessage(db: Db, id: number): Promise<Message | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  return row && messageOf(row as Row<MessageTable>);
}

/**
 * The chat's messages whose CONNECTOR_MID holds this external id, not deleted. The ids are a JSON list in a text
 * column: messages without one are skipped in the query, the rest checked exactly here.
 */
export async function findMessagesByConnectorMid(db: Db, chatId: number, externalId: string): Promise<Message[]> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('chat_id', '=', chatId)
    .where('deleted', '=', 0)
    .where('connector_mid', '<>', '[]')
    .orderBy('id')
    .execute();
  return rows
    .map((row) => messageOf(row as Row<MessageTable>))
    .filter((message) => message.connectorMid.includes(externalId));
}

export async function updateMessageContent(
  db: Db,
  id: number,
  content: { readonly text: string; readonly files: readonly MessageFile[] },
  stamp: string,
): Promise<void> {
  await db
    .updateTable('messages')
    .set({ text: content.text, files: JSON.stringify(content.files), modified_at: stamp })
    .where('id', '=', id)
    .execute();
}

/** Marks the message deleted; its text and files are not kept. */
export async function markMessageDeleted(db: Db, id: number, stamp: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ deleted: 1, text: '', files: '[]', modified_at: stamp })
    .where('id', '=', id)
    .execute();
}

/** An operator's edit: the new text, marked edited. */
export async function editMessageText(db: Db, id: number, text: string, stamp: string): Promise<void> {
  await db.updateTable('messages').set({ text, edited: 1, modified_at: stamp }).where('id', '=', id).execute();
}

/** The chat of a session, locked until the transaction ends (lockChatById without reading the session first). */
export async function lockChatOfSession(db: Db, sessionId: number): Promise<Chat | undefined> {
  if (!Number.isSafeInteger(sessionId)) return undefined;
  const row = await capabilitiesOf(db)
    .forUpdate(
      db
        .selectFrom('chats')
        .selectAll()
        .where('id', '=', (eb) => eb.selectFrom('sessions').select('chat_id').where('sessions.id', '=', sessionId)),
    )
    .executeTakeFirst();
  return row && chatOf(row as Row<ChatTable>);
}

/** The chat, locked until the transaction ends (an operator's message decides the session one call at a time). */
export async function lockChatById(db: Db, id: number): Promise<Chat | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const row = await capabilitiesOf(db)
    .forUpdate(db.selectFrom('chats').selectAll().where('id', '=', id))
    .executeTakeFirst();
  return row && chatOf(row as Row<ChatTable>);
}

/**
 * A page of the chat's messages (im.dialog.messages.get): after `firstId` oldest first, else newest first, before
 * `lastId` when it is > 0.
 */
export async function pageOfChatMessages(
  db: Db,
  chatId: number,
  page: { readonly firstId: number | null; readonly lastId: number; readonly limit: number },
): Promise<Message[]> {
  let query = db.selectFrom('messages').selectAll().where('chat_id', '=', chatId);
  if (page.firstId !== null) query = query.where('id', '>', page.firstId).orderBy('id', 'asc');
  else {
    if (page.lastId > 0) query = query.where('id', '<', page.lastId);
    query = query.orderBy('id', 'desc');
  }
  const rows = await query.limit(page.limit).execute();
  return rows.map((row) => messageOf(row as Row<MessageTable>));
}

export async function findCustomers(db: Db, ids: readonly number[]): Promise<Map<number, Customer>> {
  const result = new Map<number, Customer>();
  if (ids.length === 0) return result;
  const rows = await db
    .selectFrom('customers')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  for (const row of rows) result.set(Number(row.id), customerOf(row as Row<CustomerTable>));
  return result;
}

/**
 * The connector delivered the message: SENDING cleared and, when ids were sent, CONNECTOR_MID set. Only a message
 * still sending changes (a second confirmation does nothing, runtime-connectors.md §6); false when none did.
 */
export async function markDelivered(
  db: Db,
  id: number,
  externalIds: readonly string[],
  stamp: string,
): Promise<boolean> {
  const changes = {
    sending: 0,
    delivered: 1,
    modified_at: stamp,
    ...(externalIds.length > 0 ? { connector_mid: JSON.stringify(externalIds) } : {}),
  };
  const result = await db
    .updateTable('messages')
    .set(changes)
    .where('id', '=', id)
    .where('sending', '=', 1)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findCustomerByExternalId(
  db: Db,
  connectorId: number,
  externalId: string,
): Promise<Customer | undefined> {
  const row = await db
    .selectFrom('customers')
    .selectAll()
    .where('connector_id', '=', connectorId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return row && customerOf(row as Row<CustomerTable>);
}

export async function renameChat(db: Db, id: number, name: string, stamp: string): Promise<void> {
  await db.updateTable('chats').set({ name, modified_at: stamp }).where('id', '=', id).execute();
}
