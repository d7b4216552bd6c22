// The built-in connector: openlines' own customer chat, a public page per line (issue 19). It is a connector like
// any other to the rest of the server — a `connectors` row with the code `livechat`, owned by a built-in
// application row, made on first use — so a visitor's message takes exactly the path of imconnector.send.messages
// (DialogService.sendMessages), and an operator's reply is a message in the chat that the page itself reads
// (the page is the connector's delivery). On every line unless turned off: a line without a `connector_lines`
// binding for livechat gets an active one on first use; an inactive binding means turned off (docs/decisions.md).

import { type Clock, systemClock } from '../../clock.js';
import {
  activateBinding,
  deactivateBinding,
  findBinding,
  findConnectorByCode,
  insertConnector,
} from '../../store/connectors-repository.js';
import type { Db } from '../../store/db.js';
import {
  findChatByUserCode,
  findCustomerByExternalId,
  insertMessage,
  listMessagesOfChat,
  listSessionsOfChat,
  setSessionVote,
} from '../../store/dialogs-repository.js';
import { directoryUsersOf } from '../../store/directory-repository.js';
import { findLine } from '../../store/lines-repository.js';
import { findAppByClientId, insertApp } from '../../store/oauth-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import { FLAG_DEFAULTS } from '../connectors/connector-input.js';
import { userCodeOf } from '../dialogs/chat.js';
import type { DialogService } from '../dialogs/dialog-service.js';
import { DELETED_MESSAGE_TEXT, type Message } from '../dialogs/message.js';
import { SESSION_VOTE } from '../dialogs/session.js';
import type { EventEmitter } from '../events/event-service.js';
import { lineValue } from '../lines/line.js';
import { sessionRated } from '../sessions/automatic/rating-notice.js';

/** The built-in connector's code: the reference's own website chat (builtin-connectors.ts lists it). */
export const LIVECHAT_CODE = 'livechat';
/** The application row that owns the built-in connector; its secret hash matches no secret. */
export const LIVECHAT_APP_CLIENT_ID = 'openlines.livechat';
/** A visitor's message longer than this is refused (LIVECHAT_MESSAGE_TOO_LONG). */
export const LIVECHAT_MAX_TEXT = 2000;

/** What the page shows of a line. */
export interface LiveChatLine {
  readonly id: number;
  readonly name: string;
  readonly active: boolean;
  /** The rating question the page shows with its like / dislike buttons (VOTE_MESSAGE_1_TEXT). */
  readonly voteText: string;
}

/** One message as the visitor sees it. */
export interface LiveChatMessage {
  readonly id: number;
  readonly author: 'customer' | 'operator' | 'system';
  /** The operator's name (empty for the customer and the system). */
  readonly name: string;
  readonly text: string;
  readonly date: string;
}

export class LiveChatService {
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly dialogs: DialogService,
    options: { readonly clock?: Clock; readonly events?: EventEmitter } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events;
  }
  /** The rating notice and OnOpenlinesSessionVote (issue 18) go out when given. */
  private readonly events: EventEmitter | undefined;

  /** The line as the page shows it; null when there is no such line. */
  async line(lineId: number): Promise<LiveChatLine | null> {
    return this.store.read(async (db) => {
      const line = Number.isSafeInteger(lineId) && lineId > 0 ? await findLine(db, lineId) : undefined;
      if (!line) return null;
      const connector = await findConnectorByCode(db, LIVECHAT_CODE);
      const binding = connector ? await findBinding(db, connector.id, lineId) : undefined;
      return {
        id: line.id,
        name: String(lineValue(line, 'LINE_NAME')),
        active: binding === undefined || (binding.active === 1 && binding.error === 0),
        voteText: String(lineValue(line, 'VOTE_MESSAGE_1_TEXT') ?? ''),
      };
    });
  }

  /** Turns the chat on or off for a line (openlines.livechat.set); false when there is no such line. */
  async setActive(lineId: number, active: boolean): Promise<boolean> {
    return this.store.write(async (trx) => {
      if (!(await findLine(trx, lineId))) return false;
      const stamp = new Date(this.clock.now()).toISOString();
      const connectorId = await ensureConnector(trx, stamp);
      await activateBinding(trx, connectorId, lineId, stamp);
      if (!active) await deactivateBinding(trx, connectorId, lineId, stamp);
      return true;
    });
  }

  /**
   * A visitor's message: through DialogService.sendMessages as imconnector.send.messages sends it. 404
   * LIVECHAT_NOT_FOUND for no line, 403 LIVECHAT_OFF when turned off, 400 LIVECHAT_MESSAGE_EMPTY / _TOO_LONG.
   */
  async send(lineId: number, visitorId: string, text: string): Promise<{ messageId: number }> {
    const trimmed = text.trim();
    if (trimmed === '') throw new RestError('LIVECHAT_MESSAGE_EMPTY');
    if ([...trimmed].length > LIVECHAT_MAX_TEXT) {
      throw new RestError('LIVECHAT_MESSAGE_TOO_LONG', `A message is at most ${LIVECHAT_MAX_TEXT} characters`);
    }
    const line = await this.line(lineId);
    if (!line) throw new RestError('LIVECHAT_NOT_FOUND');
    if (!line.active) throw new RestError('LIVECHAT_OFF');
    await this.store.write(async (trx) => {
      const stamp = new Date(this.clock.now()).toISOString();
      const connectorId = await ensureConnector(trx, stamp);
      if (!(await findBinding(trx, connectorId, lineId))) await activateBinding(trx, connectorId, lineId, stamp);
    });
    const outcomes = await this.dialogs.sendMessages({
      connector: LIVECHAT_CODE,
      lineId,
      isList: true,
      findings: { warnings: [] },
      items: [
        [
          '0',
          {
            ok: true,
            echo: {},
            message: {
              externalUserId: visitorId,
              profile: { ...GUEST_PROFILE },
              externalChatId: visitorId,
              chatName: '',
              chatDescription: '',
              externalMessageId: null,
              text: trimmed,
              files: [],
            },
          },
        ],
      ],
    });
    const outcome = outcomes.get('0');
    if (!outcome?.ok) throw new RestError('LIVECHAT_OFF');
    return { messageId: outcome.stored.messageId };
  }

  /**
   * The visitor rates their latest conversation (like / dislike, the line's VOTE_MESSAGE=Y): kept on the session
   * (imopenlines.v2.Session.list `vote`), answered with VOTE_MESSAGE_1_LIKE / _DISLIKE as a system message for the
   * customer. 404 LIVECHAT_NOT_FOUND when there is nothing to rate, 403 LIVECHAT_OFF when the line has votes off.
   */
  async vote(lineId: number, visitorId: string, vote: 'like' | 'dislike'): Promise<void> {
    let emitted = 0;
    await this.store.write(async (trx) => {
      const line = Number.isSafeInteger(lineId) && lineId > 0 ? await findLine(trx, lineId) : undefined;
      if (!line) throw new RestError('LIVECHAT_NOT_FOUND');
      if (lineValue(line, 'VOTE_MESSAGE') !== 'Y')
        throw new RestError('LIVECHAT_OFF', 'Rating is turned off on this line');
      const chat = await this.chatOf(trx, lineId, visitorId);
      const session = chat ? (await listSessionsOfChat(trx, chat.id)).at(-1) : undefined;
      if (!chat || !session) throw new RestError('LIVECHAT_NOT_FOUND', 'There is no conversation to rate yet');
      const stamp = new Date(this.clock.now()).toISOString();
      await setSessionVote(trx, session.id, vote, stamp);
      const text = String(lineValue(line, vote === 'like' ? 'VOTE_MESSAGE_1_LIKE' : 'VOTE_MESSAGE_1_DISLIKE'));
      await insertMessage(trx, {
        chatId: chat.id,
        sessionId: session.id,
        author: { kind: 'system' },
        text,
        files: [],
        connectorMid: [],
        sending: true,
        stamp,
      });
      if (this.events) {
        const work = { trx, stamp, emitted: 0 };
        await sessionRated(
          work,
          this.events,
          chat,
          session,
          vote === 'like' ? SESSION_VOTE.LIKE : SESSION_VOTE.DISLIKE,
        );
        emitted = work.emitted;
      }
    });
    this.events?.committed(emitted > 0);
  }

  private async chatOf(db: Db, lineId: number, visitorId: string) {
    const connector = await findConnectorByCode(db, LIVECHAT_CODE);
    if (!connector) return undefined;
    const customer = await findCustomerByExternalId(db, connector.id, visitorId);
    if (!customer) return undefined;
    return findChatByUserCode(db, userCodeOf(LIVECHAT_CODE, lineId, visitorId, customer.id));
  }

  /** The visitor's conversation after a message id (0: from the start), oldest first; empty before the first message. */
  async messages(lineId: number, visitorId: string, afterId = 0): Promise<LiveChatMessage[]> {
    return this.store.read(async (db) => {
      const chat = await this.chatOf(db, lineId, visitorId);
      if (!chat) return [];
      const shown = (await listMessagesOfChat(db, chat.id)).filter((m) => m.id > afterId && isForCustomer(m));
      const operatorIds = [...new Set(shown.flatMap((m) => (m.author.kind === 'operator' ? [m.author.userId] : [])))];
      const users = operatorIds.length > 0 ? await directoryUsersOf(db, operatorIds) : new Map();
      return shown.map((m) => {
        let name = '';
        if (m.author.kind === 'operator') {
          const user = users.get(m.author.userId);
          name = user ? [user.name, user.lastName].filter((s: string) => s !== '').join(' ') : '';
        }
        return {
          id: m.id,
          author: m.author.kind,
          name,
          text: m.deleted ? DELETED_MESSAGE_TEXT : m.text,
          date: m.createdAt,
        };
      });
    });
  }
}

const GUEST_PROFILE = {
  name: 'Guest',
  lastName: '',
  title: '',
  email: '',
  phone: '',
  url: '',
  gender: '',
  avatar: '',
} as const;

/**
 * What the customer sees: their own messages, and the operators' and system messages sent to them (sending or
 * delivered); internal notes (system messages not for the customer) stay hidden.
 */
function isForCustomer(message: Message): boolean {
  return message.author.kind === 'customer' || message.sending || message.delivered;
}

/** The built-in connector's row (and its owner application's), made on first use; its id. */
async function ensureConnector(trx: Db, stamp: string): Promise<number> {
  const existing = await findConnectorByCode(trx, LIVECHAT_CODE);
  if (existing) return existing.id;
  const app =
    (await findAppByClientId(trx, LIVECHAT_APP_CLIENT_ID))?.id ??
    (await insertApp(trx, {
      client_id: LIVECHAT_APP_CLIENT_ID,
      client_secret_hash: '!',
      name: 'openlines Live Chat (built in)',
      scopes: 'imconnector',
      redirect_uri: '',
      strict: 0,
      application_token: '',
      created_at: stamp,
    }));
  const doc = JSON.stringify({ ...FLAG_DEFAULTS, ICON: {} });
  return insertConnector(trx, {
    app_id: app,
    code: LIVECHAT_CODE,
    name: 'Live Chat',
    doc,
    created_at: stamp,
    modified_at: stamp,
  });
}
