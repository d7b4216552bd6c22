// Every event openlines sends to applications, described once as data (as catalogue.ts describes the line fields):
// its Bitrix24 name, the scope an application needs to bind it, which applications receive it, how the `data` of
// the POST is built from the cause's payload, and its documentation. event.bind, `events`, the outbox and
// docs/events.md all read this table (runtime-connectors.md §11, §13).

import type { FieldChange } from '../history/line-snapshot.js';

/** What each event's cause hands to events.emit. */
export interface EventPayloads {
  OnAppTest: { readonly appId: number; readonly query: unknown };
  OnImConnectorMessageAdd: ConnectorMessages;
  OnImConnectorMessageUpdate: ConnectorMessages;
  OnImConnectorMessageDelete: ConnectorMessages;
  OnImConnectorDialogStart: ConnectorDialog;
  OnImConnectorDialogFinish: ConnectorDialog;
  OnImConnectorStatusDelete: { readonly connector: string; readonly line: number; readonly ownerAppId: number | null };
  OnImConnectorLineDelete: { readonly line: number };
  OnOpenlinesLineConfigChange: LineConfigChange;
  OnSessionStart: SessionChange;
  OnSessionFinish: SessionChange;
  OnOpenlinesKpiAlert: KpiAlert;
  OnOpenlinesSessionVote: SessionVote;
}

/** The customer rated a session (runtime-sessions.md §2.4; the reference's module event OnSessionVote). */
export interface SessionVote {
  readonly line: number;
  readonly sessionId: number;
  readonly chatId: number;
  /** The session's operator at that moment; 0: nobody holds it. */
  readonly operatorId: number;
  /** The customer (their user id). */
  readonly customerId: number;
  /** 5: like, 1: dislike (the session's VOTE). */
  readonly vote: number;
}

/** A KPI deadline passed with its alert on (runtime-sessions.md §6): who was notified of which session, and how. */
export interface KpiAlert {
  readonly line: number;
  readonly sessionId: number;
  readonly chatId: number;
  /** The session's operator at that moment; 0: nobody holds it. */
  readonly operatorId: number;
  /** The session's first answer (KPI_FIRST_ANSWER_*) or a later one (KPI_FURTHER_ANSWER_*). */
  readonly first: boolean;
  /** The customer message that waits. */
  readonly messageId: number;
  readonly receivedMs: number;
  readonly expiredMs: number;
  /** The users notified (the line's alert list). */
  readonly users: readonly number[];
  /** The notification's text, #OPERATOR# and #DIALOG# replaced. */
  readonly text: string;
}

/** A session started or finished (imopenlines' own events, the documented payload: DECISIONS.md). */
interface SessionChange {
  readonly line: number;
  /** One item, as the connector events' DATA (§11.4). */
  readonly data: readonly unknown[];
}

export type EventName = keyof EventPayloads;

interface ConnectorMessages {
  readonly connector: string;
  readonly line: number;
  readonly ownerAppId: number | null;
  readonly messages: readonly unknown[];
}

interface ConnectorDialog {
  readonly connector: string;
  readonly line: number;
  readonly ownerAppId: number | null;
  /** One item per session (§11.4). */
  readonly data: readonly unknown[];
}

/** A line's configuration changed: the history's revision (docs/history), as the openlines extension sends it. */
export interface LineConfigChange {
  readonly line: number;
  readonly action: 'add' | 'update' | 'delete';
  readonly revision: number;
  /** The field-level diff the history records: `{field, before?, after?}` in catalogue order, the queue last. */
  readonly changes: readonly FieldChange[];
}

export interface EventDescriptor<N extends EventName> {
  readonly name: N;
  /** The scope whose `_events` declare it: event.bind refuses it to a token without this scope. */
  readonly scope: string;
  /**
   * Who receives it: only the application that registered the connector, only the application whose call caused
   * it (event.test), or every application bound to it.
   */
  readonly recipients: 'connector owner' | 'calling application' | 'every binding';
  /** The one application that receives it (owner or caller); null: none (a connector no application owns). */
  owner(payload: EventPayloads[N]): number | null;
  /** The envelope's `data` (runtime-connectors.md §11.0). */
  data(payload: EventPayloads[N]): unknown;
  /** One sentence for docs/events.md: when it is sent. */
  readonly when: string;
  /** Where the payload comes from. */
  readonly source: string;
  /** An example payload for the documentation. */
  readonly example: EventPayloads[N];
  /** Not a Bitrix24 event. */
  readonly extension?: true;
}

type Catalogue = { readonly [N in EventName]: EventDescriptor<N> };

const messages = (p: ConnectorMessages) => ({ CONNECTOR: p.connector, LINE: p.line, MESSAGES: p.messages });
const dialog = (p: ConnectorDialog) => ({ CONNECTOR: p.connector, LINE: p.line, DATA: p.data });
const messageExample: ConnectorMessages = {
  connector: 'my_connector',
  line: 7,
  ownerAppId: 1,
  messages: [{ im: { chat_id: '12', message_id: '345' }, message: { text: 'Hello' }, chat: { id: 'ext-1' } }],
};
const dialogExample: ConnectorDialog = {
  connector: 'my_connector',
  line: 7,
  ownerAppId: 1,
  data: [
    {
      connector: { connector_id: 'my_connector', line_id: '7', chat_id: 'ext-1', user_id: '5' },
      session: { id: 31, closed: 'N', parent_id: 0, close_term: 1440 },
      chat: { id: 'ext-1' },
      user: { id: '5' },
    },
  ],
};

export const EVENT_CATALOGUE: Catalogue = {
  OnAppTest: {
    name: 'OnAppTest',
    scope: '_global',
    recipients: 'calling application',
    owner: (p) => p.appId,
    data: (p) => ({ QUERY: p.query, LANGUAGE_ID: 'en' }),
    when:
      'The application called `event.test`: sent to its own handlers only; `QUERY` holds the parameters of ' +
      'that call.',
    source: 'runtime-connectors.md §13.5',
    example: { appId: 1, query: { check: 'ping' } },
  },
  OnImConnectorMessageAdd: {
    name: 'OnImConnectorMessageAdd',
    scope: 'imopenlines',
    recipients: 'connector owner',
    owner: (p) => p.ownerAppId,
    data: messages,
    when: 'An operator, bot or the system wrote to the customer in a chat of the connector.',
    source: 'runtime-connectors.md §11.1',
    example: messageExample,
  },
  OnImConnectorMessageUpdate: {
    name: 'OnImConnectorMessageUpdate',
    scope: 'imopenlines',
    recipients: 'connector owner',
    owner: (p) => p.ownerAppId,
    data: messages,
    when: 'An operator edited a message already delivered to the customer.',
    source: 'runtime-connectors.md §11.2',
    example: messageExample,
  },
  OnImConnectorMessageDelete: {
    name: 'OnImConnectorMessageDelete',
    scope: 'imopenlines',
    recipients: 'connector owner',
    owner: (p) => p.ownerAppId,
    data: messages,
    when: 'An operator deleted a message already delivered to the customer.',
    source: 'runtime-connectors.md §11.3',
    example: messageExample,
  },
  OnImConnectorDialogStart: {
    name: 'OnImConnectorDialogStart',
    scope: 'imopenlines',
    recipients: 'connector owner',
    owner: (p) => p.ownerAppId,
    data: dialog,
    when: 'A customer message opened a new session.',
    source: 'runtime-connectors.md §11.4',
    example: dialogExample,
  },
  OnImConnectorDialogFinish: {
    name: 'OnImConnectorDialogFinish',
    scope: 'imopenlines',
    recipients: 'connector owner',
    owner: (p) => p.ownerAppId,
    data: dialog,
    when: 'A session of the connector was closed.',
    source: 'runtime-connectors.md §11.4',
    example: dialogExample,
  },
  OnImConnectorStatusDelete: {
    name: 'OnImConnectorStatusDelete',
    scope: 'imopenlines',
    recipients: 'connector owner',
    owner: (p) => p.ownerAppId,
    data: (p) => ({ connector: p.connector, line: p.line }),
    when:
      'The connector was switched off on a line (imconnector.activate with a falsy ACTIVE) or its line was ' +
      'deleted (one per connector of the line, before OnImConnectorLineDelete).',
    source: 'runtime-connectors.md §11.5',
    example: { connector: 'my_connector', line: 7, ownerAppId: 1 },
  },
  OnImConnectorLineDelete: {
    name: 'OnImConnectorLineDelete',
    scope: 'imopenlines',
    recipients: 'every binding',
    owner: () => null,
    data: (p) => p.line,
    when: 'An open line was deleted; `data` is the bare line id.',
    source: 'runtime-connectors.md §11.6',
    example: { line: 7 },
  },
  OnSessionStart: {
    name: 'OnSessionStart',
    scope: 'imopenlines',
    recipients: 'every binding',
    owner: () => null,
    data: (p) => ({ DATA: p.data }),
    when: 'A session of any line started: a customer wrote after the last one closed, or an operator started one.',
    source: 'runtime-sessions.md §2.5 (the documented payload, DECISIONS.md)',
    example: { line: 7, data: dialogExample.data },
  },
  OnSessionFinish: {
    name: 'OnSessionFinish',
    scope: 'imopenlines',
    recipients: 'every binding',
    owner: () => null,
    data: (p) => ({ DATA: p.data }),
    when: 'A session of any line was closed for good (not when it only enters status 50).',
    source: 'runtime-sessions.md §2.5 (the documented payload, DECISIONS.md)',
    example: { line: 7, data: dialogExample.data },
  },
  OnOpenlinesLineConfigChange: {
    name: 'OnOpenlinesLineConfigChange',
    scope: 'imopenlines',
    recipients: 'every binding',
    owner: () => null,
    data: (p) => ({ LINE: p.line, ACTION: p.action, REVISION: p.revision, CHANGES: p.changes }),
    when:
      'A line was added, updated or deleted through REST or the admin page; `CHANGES` is the ' +
      'field-level diff the history records, a list of `{field, before, after}`.',
    source: 'openlines extension (DECISIONS.md "The line at work"; docs/decisions.md)',
    example: { line: 7, action: 'update', revision: 42, changes: [{ field: 'QUEUE_TIME', before: 60, after: 120 }] },
    extension: true,
  },
  OnOpenlinesKpiAlert: {
    name: 'OnOpenlinesKpiAlert',
    scope: 'imopenlines',
    recipients: 'every binding',
    owner: () => null,
    data: (p) => ({
      LINE: p.line,
      SESSION_ID: p.sessionId,
      CHAT_ID: p.chatId,
      OPERATOR_ID: p.operatorId,
      KPI: p.first ? 'first' : 'further',
      MESSAGE_ID: p.messageId,
      TIME_RECEIVED: Math.floor(p.receivedMs / 1000),
      TIME_EXPIRED: Math.floor(p.expiredMs / 1000),
      USERS: p.users,
      TEXT: p.text,
    }),
    when:
      "A customer waited longer than the line's KPI answer time (`KPI` first or further) and its alert is on: " +
      'sent once per deadline, with the users notified and the text they got; the times are Unix seconds.',
    source: 'openlines extension (runtime-sessions.md §6; docs/decisions.md)',
    example: {
      line: 7,
      sessionId: 31,
      chatId: 12,
      operatorId: 3,
      first: true,
      messageId: 345,
      receivedMs: 1_796_637_600_000,
      expiredMs: 1_796_637_900_000,
      users: [1, 4],
      text: 'Smith Anna exceeded maximum initial response time in conversation #[url=/online/?IM_HISTORY=imol|31]31[/url].',
    },
    extension: true,
  },
  OnOpenlinesSessionVote: {
    name: 'OnOpenlinesSessionVote',
    scope: 'imopenlines',
    recipients: 'every binding',
    owner: () => null,
    data: (p) => ({
      LINE: p.line,
      SESSION_ID: p.sessionId,
      CHAT_ID: p.chatId,
      OPERATOR_ID: p.operatorId,
      USER_ID: p.customerId,
      VOTE: p.vote,
    }),
    when:
      'The customer rated a session: a `1` / `0` answer to the vote request that counted, or like / dislike on the ' +
      'customer chat page; `VOTE` is 5 (like) or 1 (dislike). The reference fires its module event `OnSessionVote` ' +
      'at this point, which applications cannot bind.',
    source: 'openlines extension (runtime-sessions.md §2.4; docs/decisions.md)',
    example: { line: 7, sessionId: 31, chatId: 12, operatorId: 3, customerId: 1_000_000_001, vote: 5 },
    extension: true,
  },
};

export const EVENT_NAMES = Object.keys(EVENT_CATALOGUE) as EventName[];

/** The descriptor for an event code as event.bind receives it (any case), or undefined. */
export function findEvent(code: string): EventDescriptor<EventName> | undefined {
  const upper = code.toUpperCase();
  const name = EVENT_NAMES.find((n) => n.toUpperCase() === upper);
  return name && (EVENT_CATALOGUE[name] as unknown as EventDescriptor<EventName>);
}
