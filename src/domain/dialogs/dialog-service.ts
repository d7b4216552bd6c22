// Customers writing into a line through a connector (issue 16, runtime-connectors.md §3): one transaction per call.
// Per item: the customer is created or its profile overwritten, the chat of the user code found or created (and
// locked, so that the sessions of one user code are decided one transaction at a time), the open session reused
// or a new one opened waiting in the queue (status 0), and the message stored with its external id as
// CONNECTOR_MID. No permission check and no ownership check, as the reference (§2 "Who may call").

import { type Clock, systemClock } from '../../clock.js';
import { findBinding, findConnectorByCode, setBindingError } from '../../store/connectors-repository.js';
import type { Db } from '../../store/db.js';
import {
  findChatByUserCode,
  findCustomerByExternalId,
  findMessage,
  findMessagesByConnectorMid,
  findOpenSession,
  insertMessage,
  insertSession,
  lastSessionId,
  lockChat,
  markDelivered,
  markMessageDeleted,
  renameChat,
  updateMessageContent,
  upsertCustomer,
} from '../../store/dialogs-repository.js';
import { findLine } from '../../store/lines-repository.js';
import { lockSession } from '../../store/sessions-repository.js';
import type { Store } from '../../store/store.js';
import { argumentError, RestError } from '../../wire/errors.js';
import { isBuiltinConnector } from '../connectors/builtin-connectors.js';
import type { ChatNameInput, IncomingMessage, SendMessagesInput, StatusInput } from '../connectors/messages-input.js';
import { type EventEmitter, NO_EVENTS } from '../events/event-service.js';
import type { Line } from '../lines/line.js';
import type { ReadModel } from '../read-model/read-model.js';
import type { Rating } from '../sessions/automatic/votes.js';
import { type EngineWork, newWork, type SessionEngine } from '../sessions/session-engine.js';
import { announceSession } from '../sessions/session-events.js';
import { type Chat, userCodeOf } from './chat.js';
import type { Customer } from './customer.js';
import { SESSION_STATUS } from './session.js';

export interface DialogServiceOptions {
  readonly clock?: Clock;
  /** Where the dialog's events to applications go (the outbox), in the transaction of their cause. */
  readonly events?: EventEmitter;
  /** Distribution and the session timers; without it a new session just waits in its queue. */
  readonly engine?: SessionEngine;
  /** The server's read model: a message's line is read from it inside the request (issue 20). */
  readonly model?: ReadModel;
}

/** What one stored customer message gives the answer. */
export interface StoredMessage {
  readonly customerId: number;
  readonly chatId: number;
  readonly sessionId: number;
  readonly messageId: number;
  readonly sessionStarted: boolean;
}

export type SendOutcome =
  | { readonly ok: true; readonly stored: StoredMessage }
  | { readonly ok: false; readonly errors: readonly string[] };

export type ChangeOutcome =
  | { readonly ok: true; readonly customerId: number; readonly changed: number }
  | { readonly ok: false; readonly errors: readonly string[] };

type ActiveConnector = {
  readonly id: number;
  readonly code: string;
  readonly appId: number;
  /** CHAT_GROUP connectors keep one dialog per external chat: the user code ends in 0. */
  readonly chatGroup: boolean;
};

export class DialogService {
  private readonly clock: Clock;
  private readonly events: EventEmitter;
  private readonly engine: SessionEngine | undefined;
  private readonly model: ReadModel | undefined;

  constructor(
    private readonly store: Store,
    options: DialogServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? NO_EVENTS;
    this.engine = options.engine;
    this.model = options.model;
  }

  /**
   * imconnector.send.messages: 400 IMCONNECTOR_NO_CORRECT_PROVIDER for an unknown connector, 400 NOT_ACTIVE_LINE
   * when the connector is not active without error on the line; otherwise one outcome per item, by key.
   */
  async sendMessages(input: SendMessagesInput): Promise<Map<string, SendOutcome>> {
    const nowMs = this.clock.now();
    const { outcomes, work } = await this.store.write(async (trx) => {
      const work = newWork(trx, nowMs);
      const connector = await activeConnector(trx, input.connector, input.lineId);
      const stamp = work.stamp;
      const customers = await upsertCustomers(trx, connector, input.items, stamp);
      const outcomes = new Map<string, SendOutcome>();
      for (const [key, item] of input.items) if (!item.ok) outcomes.set(key, item);
      for (const { key, incoming, customer } of inChatOrder(connector, input.lineId, input.items, customers)) {
        outcomes.set(key, {
          ok: true,
          stored: await this.storeMessage(work, connector, input.lineId, incoming, customer),
        });
      }
      return { outcomes: new Map(input.items.map(([key]) => [key, outcomes.get(key)!])), work };
    });
    this.events.committed(work.emitted > 0 || work.wake);
    return outcomes;
  }

  /**
   * imconnector.update.messages (mode 'update') and delete.messages ('delete'), runtime-connectors.md §4, §5: the
   * customer is resolved (created or its profile rewritten, as the reference does), then every message of the
   * user code's chat whose CONNECTOR_MID holds message.id gets the new text and files, or is marked deleted.
   * Nothing found is no error: the item succeeds, as in the reference.
   */
  async changeMessages(input: SendMessagesInput, mode: 'update' | 'delete'): Promise<Map<string, ChangeOutcome>> {
    return this.store.write(async (trx) => {
      const connector = await activeConnector(trx, input.connector, input.lineId);
      const stamp = new Date(this.clock.now()).toISOString();
      const customers = await upsertCustomers(trx, connector, input.items, stamp);
      const outcomes = new Map<string, ChangeOutcome>();
      for (const [key, item] of input.items) if (!item.ok) outcomes.set(key, item);
      for (const { key, incoming, customer, userCode } of inChatOrder(
        connector,
        input.lineId,
        input.items,
        customers,
      )) {
        const chat = await findChatByUserCode(trx, userCode);
        let changed = 0;
        if (chat && incoming.externalMessageId !== null) {
          for (const message of await findMessagesByConnectorMid(trx, chat.id, incoming.externalMessageId)) {
            if (mode === 'update') await updateMessageContent(trx, message.id, incoming, stamp);
            else await markMessageDeleted(trx, message.id, stamp);
            changed++;
          }
        }
        outcomes.set(key, { ok: true, customerId: customer.id, changed });
      }
      return outcomes;
    });
  }

  /**
   * imconnector.send.status.delivery (runtime-connectors.md §6): the connector confirms an operator's message;
   * a message still sending is marked delivered and takes the external ids as CONNECTOR_MID. The line is not
   * checked; an unknown message, one outside a line's chat or one confirmed already is a silent no-op.
   */
  async confirmDelivery(input: StatusInput): Promise<number> {
    return this.store.write(async (trx) => {
      await providerOf(trx, input.connector);
      const stamp = new Date(this.clock.now()).toISOString();
      let confirmed = 0;
      for (const item of input.items) {
        if (item.messageId === null) continue;
        const message = await findMessage(trx, item.messageId);
        if (!message || message.author.kind === 'customer') continue;
        if (await markDelivered(trx, message.id, item.externalIds, stamp)) confirmed++;
      }
      return confirmed;
    });
  }

  /** imconnector.send.status.reading (§7): the reference records nothing for a read receipt; only the connector is checked. */
  async confirmReading(input: StatusInput): Promise<void> {
    await this.store.read((db) => providerOf(db, input.connector));
  }

  /**
   * imconnector.set.error (runtime-connectors.md §9): the connector on the line is in error (status ERROR, and
   * NOT_ACTIVE_LINE for the messaging methods) until it is activated again. Nothing bound: nothing to mark.
   */
  async setError(input: { readonly connector: string; readonly lineId: number }): Promise<void> {
    await this.store.write(async (trx) => {
      const row = await providerOf(trx, input.connector);
      if (row && Number.isSafeInteger(input.lineId)) {
        await setBindingError(trx, row.id, input.lineId, new Date(this.clock.now()).toISOString());
      }
    });
  }

  /**
   * imconnector.chat.name.set (§8): renames the chat of the user code when it has an open session (else 400
   * CHAT_RENAMING_FAILED). An unknown external user is no error and renames nothing, as in the reference.
   */
  async renameChat(input: ChatNameInput): Promise<void> {
    await this.store.write(async (trx) => {
      const row = input.connector === '' ? undefined : await findConnectorByCode(trx, input.connector);
      const chatGroup = row ? isChatGroup(row.doc) : false;
      if (input.externalUserId === null && !chatGroup)
        throw argumentError('USER_ID', "Argument 'USER_ID' is null or empty");
      const connector = await activeConnector(trx, input.connector, input.lineId);
      let customerPart = 0;
      if (!chatGroup) {
        const customer = await findCustomerByExternalId(trx, connector.id, input.externalUserId ?? '');
        if (!customer) return;
        customerPart = customer.id;
      }
      const userCode = userCodeOf(connector.code, input.lineId, input.externalChatId, customerPart);
      const chat = await findChatByUserCode(trx, userCode);
      if (!chat || !(await findOpenSession(trx, userCode))) throw new RestError('CHAT_RENAMING_FAILED');
      await renameChat(trx, chat.id, input.name, new Date(this.clock.now()).toISOString());
    });
  }

  private async storeMessage(
    work: EngineWork,
    connector: ActiveConnector,
    lineId: number,
    incoming: IncomingMessage,
    customer: Customer,
  ): Promise<StoredMessage> {
    const { trx, stamp } = work;
    const userCode = userCodeOf(connector.code, lineId, incoming.externalChatId, connector.chatGroup ? 0 : customer.id);
    const { chat } = await lockChat(trx, {
      user_code: userCode,
      connector_id: connector.id,
      line_id: lineId,
      external_chat_id: incoming.externalChatId,
      customer_id: customer.id,
      name: incoming.chatName,
      description: incoming.chatDescription,
      created_at: stamp,
      modified_at: stamp,
    });
    let session = await findOpenSession(trx, userCode);
    // Issue 18: a `1`/`0` answering a vote request (§2.4) — it may reopen the closed session waiting for it.
    const rating = await this.engine?.votes.intake(work, chat, session, connector.code, incoming.text);
    if (rating) session = rating.session;
    const sessionStarted = session === undefined;
    const line = this.model ? await this.model.lineInWrite(trx, lineId) : await findLine(trx, lineId);
    if (!session) {
      session = await insertSession(trx, {
        chat_id: chat.id,
        line_id: lineId,
        user_code: userCode,
        customer_id: customer.id,
        status: SESSION_STATUS.NEW,
        operator_id: 0,
        closed: 0,
        created_at: stamp,
        modified_at: stamp,
        closed_at: null,
        parent_id: await lastSessionId(trx, chat.id),
        date_operator: null,
        date_operator_answer: null,
        date_first_answer: null,
        date_last_message: null,
      });
      work.emitted += await announceSession(this.events, trx, 'start', { chat, session, line });
      if (this.engine && line) session = await this.engine.customerSessionStarted(work, chat, session, line);
    }
    const message = await insertMessage(trx, {
      chatId: chat.id,
      sessionId: session.id,
      author: { kind: 'customer', customerId: customer.id },
      text: rating ? rating.text : incoming.text,
      files: incoming.files,
      connectorMid: incoming.externalMessageId === null ? [] : [incoming.externalMessageId],
      sending: false,
      stamp,
    });
    if (this.engine && rating) await this.afterVote(work, chat, rating, line);
    else if (this.engine) {
      await this.engine.customerWrote(work, session, line);
      if (line) await this.engine.kpi.customerMessage(work, session, line, message.id); // KPI (issue 18)
    }
    return { customerId: customer.id, chatId: chat.id, sessionId: session.id, messageId: message.id, sessionStarted };
  }

  /** A vote message does not change the session's status or close timer; VOTE_CLOSING_DELAY=Y closes it now. */
  private async afterVote(work: EngineWork, chat: Chat, rating: Rating, line: Line | undefined): Promise<void> {
    const engine = this.engine;
    if (!engine || !(await engine.votes.answered(work, chat, rating, line)) || !line) return;
    const session = await lockSession(work.trx, rating.session.id);
    if (session && !session.closed) await engine.finish(work, chat, session, line, { auto: true, byUserId: 0 });
  }
}

// Rows are locked in one order by every call — customers by external id, then chats by user code, each stable — so
// that two calls carrying the same customers or chats in opposite orders take turns instead of deadlocking on
// PostgreSQL. One customer's messages in one chat keep the order they were sent in.

/** Every item's customer, created or with its profile rewritten (by the item's last message), by item key. */
async function upsertCustomers(
  trx: Db,
  connector: ActiveConnector,
  items: SendMessagesInput['items'],
  stamp: string,
): Promise<Map<string, Customer>> {
  const byCustomer = stableSort(
    items.flatMap(([key, item]) => (item.ok ? [{ key, incoming: item.message }] : [])),
    (entry) => entry.incoming.externalUserId,
  );
  const customers = new Map<string, Customer>();
  for (const { key, incoming } of byCustomer) {
    customers.set(key, await upsertCustomer(trx, connector.id, incoming.externalUserId, incoming.profile, stamp));
  }
  return customers;
}

/** The valid items with their customer and user code, in user-code order. */
function inChatOrder(
  connector: ActiveConnector,
  lineId: number,
  items: SendMessagesInput['items'],
  customers: Map<string, Customer>,
): { key: string; incoming: IncomingMessage; customer: Customer; userCode: string }[] {
  const entries = items.flatMap(([key, item]) => {
    const customer = customers.get(key);
    if (!item.ok || !customer) return [];
    const part = connector.chatGroup ? 0 : customer.id;
    return [
      {
        key,
        incoming: item.message,
        customer,
        userCode: userCodeOf(connector.code, lineId, item.message.externalChatId, part),
      },
    ];
  });
  return stableSort(entries, (entry) => entry.userCode);
}

function stableSort<T>(list: readonly T[], keyOf: (item: T) => string): T[] {
  return list
    .map((item, index) => ({ item, index, key: keyOf(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index))
    .map((entry) => entry.item);
}

/**
 * The connector as the reference's provider lookup and Status::isStatus see it: a code no connector has (compared
 * exactly: codes are registered lower-case) has no provider; a connector not active without error on the line
 * (a built-in one never is here) is NOT_ACTIVE_LINE.
 */
async function activeConnector(db: Db, code: string, lineId: number): Promise<ActiveConnector> {
  const row = await providerOf(db, code);
  const binding = row && Number.isSafeInteger(lineId) && lineId > 0 ? await findBinding(db, row.id, lineId) : undefined;
  if (!row || binding?.active !== 1 || binding.error !== 0) throw new RestError('NOT_ACTIVE_LINE');
  return { id: row.id, code: row.code, appId: row.app_id, chatGroup: isChatGroup(row.doc) };
}

/** The registered connector of this exact code (undefined: a built-in one); IMCONNECTOR_NO_CORRECT_PROVIDER else. */
async function providerOf(db: Db, code: string) {
  const row = code === '' ? undefined : await findConnectorByCode(db, code);
  if (!row && !isBuiltinConnector(code)) throw new RestError('IMCONNECTOR_NO_CORRECT_PROVIDER');
  return row;
}

/** The connector's CHAT_GROUP flag, from its registration document. */
function isChatGroup(doc: string): boolean {
  return (JSON.parse(doc) as { CHAT_GROUP?: unknown }).CHAT_GROUP === true;
}
