// What method handlers may use. Built once at start-up (server.ts) and shared by every call.

import type { ConnectorService } from '../domain/connectors/connector-service.js';
import type { ChatMessageService } from '../domain/dialogs/chat-messages.js';
import type { DialogService } from '../domain/dialogs/dialog-service.js';
import type { Deliveries } from '../domain/events/deliveries.js';
import type { EventService } from '../domain/events/event-service.js';
import type { Revision } from '../domain/history/history.js';
import type { LineSchedule } from '../domain/lines/line-schedule.js';
import type { LineService } from '../domain/lines/line-service.js';
import type { LiveChatService } from '../domain/livechat/livechat-service.js';
import type { Notifications } from '../domain/notifications/notifications.js';
import type { PresenceService } from '../domain/operators/presence-service.js';
import type { WorkplaceStreams } from '../domain/operators/workplace-stream.js';
import type { OperatorService } from '../domain/sessions/operator-service.js';
import type { Routing } from '../domain/sessions/routing.js';
import type { Settings } from '../settings.js';

export interface Services {
  readonly settings: Settings;
  readonly lines: LineService;
  readonly connectors: ConnectorService;
  /** Customers' messages, chats and sessions (imconnector.send.messages). */
  readonly dialogs: DialogService;
  /** The operators' messages in lines' chats (im.message.*, im.dialog.messages.get). */
  readonly chatMessages: ChatMessageService;
  /** openlines.route.simulate: who a new session would be offered to. */
  readonly routing: Routing;
  /** openlines.line.schedule: whether a line works at a moment and when that next changes. */
  readonly schedule: LineSchedule;
  /** The operators' methods on sessions (imopenlines.operator.*, .session.*, .dialog.get, v2 lists). */
  readonly operators: OperatorService;
  /** Line revisions, newest first (openlines.admin.history.get). */
  readonly history: HistoryReader;
  /** Event bindings (event.*) and the outbox. */
  readonly events: EventService;
  /** Event deliveries for administrators (openlines.admin.events.*). */
  readonly deliveries: Deliveries;
  /** Operators' soft pause, absence, online status and activity (imopenlines.operator.pause.*, presence). */
  readonly presence: PresenceService;
  /** The built-in customer chat (openlines.livechat.*; its public page is served by http/chat-routes.ts). */
  readonly liveChat: LiveChatService;
  /** The server's clock as administrators see and (with --clock manual) move it (openlines.clock.*). */
  readonly clock: ClockControl;
  /** Users' system notifications (im.notify.get): the KPI alerts. */
  readonly notifications: Notifications;
  /** The operators' live workplace (openlines.workplace.stream): one hub per server, fanned out per operator. */
  readonly workplace: WorkplaceStreams;
}

/** The test clock's controls (jobs/test-clock.ts). */
export interface ClockControl {
  /** Started with --clock manual: advance and set may move it. */
  readonly manual: boolean;
  now(): number;
  /** Moves a manual clock forward and runs every job that fell due; the new time. */
  advance(ms: number): Promise<number>;
  /** Moves a manual clock to a moment not before now and runs every job that fell due; the new time. */
  set(epochMs: number): Promise<number>;
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
