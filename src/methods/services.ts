// What method handlers may use. Built once at start-up (server.ts) and shared by every call.

import type { ConnectorService } from '../domain/connectors/connector-service.js';
import type { ChatMessageService } from '../domain/dialogs/chat-messages.js';
import type { DialogService } from '../domain/dialogs/dialog-service.js';
import type { Deliveries } from '../domain/events/deliveries.js';
import type { EventService } from '../domain/events/event-service.js';
import type { Revision } from '../domain/history/history.js';
import type { LineService } from '../domain/lines/line-service.js';
import type { Settings } from '../settings.js';

export interface Services {
  readonly settings: Settings;
  readonly lines: LineService;
  readonly connectors: ConnectorService;
  /** Customers' messages, chats and sessions (imconnector.send.messages). */
  readonly dialogs: DialogService;
  /** The operators' messages in lines' chats (im.message.*, im.dialog.messages.get). */
  readonly chatMessages: ChatMessageService;
  /** Line revisions, newest first (openlines.admin.history.get). */
  readonly history: HistoryReader;
  /** Event bindings (event.*) and the outbox. */
  readonly events: EventService;
  /** Event deliveries for administrators (openlines.admin.events.*). */
  readonly deliveries: Deliveries;
}

export interface HistoryQuery {
  /** null: every line. */
  readonly lineId: number | null;
  readonly limit: number;
  readonly offset: number;
}

export interface HistoryReader {
  list(query: HistoryQuery): Promise<{ revisions: Revision[]; total: number }>;
}
