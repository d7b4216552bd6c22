// The operator's workplace, live (issue 19): what openlines.workplace.stream sends to an operator's open tabs.
//
// One hub per server. Tabs are grouped by operator: on a wake — a commit of this server (events.committed /
// events.touched), or, when servers share the store, a slow real-time tick for the other servers' commits — each
// operator's group makes ONE read (its sessions, the new messages of those chats, its new notifications), compares
// the sessions with what it showed before, and fans the differences out to every tab of that operator. Nothing is
// read per tab except once when the tab connects (its state and, on a resume, what it missed).
//
// Sessions are state (a tab always starts with all of them); messages and notifications are logs with ids, so the
// event id a tab last saw — `<message id>-<notification id>` — says where to resume after a reconnect, even on
// another server or after a restart.

import { type Clock, systemClock, type TimerHandle } from '../../clock.js';
import type { NotificationRow } from '../../store/notifications-repository.js';
import type { Store } from '../../store/store.js';
import {
  latestIds,
  messagesAfter,
  notificationsAfter,
  type WorkplaceRow,
  workplaceSessions,
} from '../../store/workplace-repository.js';
import { RestError } from '../../wire/errors.js';
import type { Message } from '../dialogs/message.js';

export type { WorkplaceRow };

/** Where a tab is in the two logs. */
export interface StreamCursor {
  readonly messageId: number;
  readonly notificationId: number;
}

/** A session as the workplace sees it: visible = the operator holds it or is offered it (and it is open). */
export interface WorkplaceSession {
  readonly row: WorkplaceRow;
  readonly visible: boolean;
}

export type WorkplaceEvent =
  | { readonly kind: 'state'; readonly sessions: readonly WorkplaceSession[] }
  | { readonly kind: 'offer' | 'update'; readonly session: WorkplaceSession }
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'notification'; readonly notification: NotificationRow };

/** One open tab: events go to `deliver` with the cursor they leave the tab at. */
export interface WorkplaceTab {
  deliver(event: WorkplaceEvent, cursor: StreamCursor): void;
}

export interface WorkplaceStreamOptions {
  /** Tabs one operator may have open at once. */
  readonly tabsPerUser?: number;
  /** When other servers share the store: how often (real time) to look for their commits; 0: never. */
  readonly crossServerMs?: number;
  /** Real time by default: the tick paces a read, it decides nothing about a session. */
  readonly timer?: Clock;
}

/** Messages and notifications sent per wake at most (more follow on the next wake). */
const BATCH = 200;

interface TabState {
  tab: WorkplaceTab;
  cursor: StreamCursor;
  /** Events that came before the tab was attached. */
  queue: { event: WorkplaceEvent; cursor: StreamCursor }[] | null;
}

interface Group {
  readonly userId: number;
  readonly tabs: Set<TabState>;
  /** The sessions shown, by id, with the signature of what was shown. */
  view: Map<number, { session: WorkplaceSession; signature: string }>;
  cursor: StreamCursor;
}

/** A tab's subscription: attach when the connection is ready; close when it ends. */
export interface WorkplaceSubscription {
  attach(tab: WorkplaceTab): void;
  close(): void;
}

export class WorkplaceStreams {
  private readonly groups = new Map<number, Group>();
  private readonly tabsPerUser: number;
  private readonly crossServerMs: number;
  private readonly timer: Clock;
  private running: Promise<void> | null = null;
  private again = false;
  private tick: TimerHandle | null = null;
  private closed = false;
  /** Reads made on wakes (one per operator group): the load test counts them. */
  reads = 0;

  constructor(
    private readonly store: Store,
    options: WorkplaceStreamOptions = {},
  ) {
    this.tabsPerUser = options.tabsPerUser ?? 20;
    this.crossServerMs = options.crossServerMs ?? 0;
    this.timer = options.timer ?? systemClock;
  }

  /** Tabs open now, for one operator or all. */
  openTabs(userId?: number): number {
    if (userId !== undefined) return this.groups.get(userId)?.tabs.size ?? 0;
    let n = 0;
    for (const group of this.groups.values()) n += group.tabs.size;
    return n;
  }

  /**
   * Opens a tab of `userId`'s workplace: its first event is the state (every session it sees); with `from`, the
   * messages and notifications after it follow. Throws WORKPLACE_STREAM_LIMIT when the user has too many tabs.
   */
  async subscribe(userId: number, from: StreamCursor | null): Promise<WorkplaceSubscription> {
    if (this.openTabs(userId) >= this.tabsPerUser) {
      throw new RestError(
        'WORKPLACE_STREAM_LIMIT',
        `At most ${this.tabsPerUser} workplace streams may be open for one user`,
      );
    }
    const read = await this.store.read(async (db) => {
      const rows = await workplaceSessions(db, userId, []);
      const latest = await latestIds(db, userId);
      const chats = rows.map((r) => r.session.chatId);
      const messages = from ? await messagesAfter(db, chats, from.messageId, BATCH) : [];
      const notes = from ? await notificationsAfter(db, userId, from.notificationId, BATCH) : [];
      return { rows, latest, messages, notes };
    });
    const sessions = read.rows.map((row) => ({ row, visible: true }));
    let cursor: StreamCursor = from ?? read.latest;
    const state: TabState = { tab: { deliver: () => {} }, cursor, queue: [] };
    const push = (event: WorkplaceEvent) => state.queue?.push({ event, cursor });
    push({ kind: 'state', sessions });
    for (const message of read.messages) {
      cursor = { ...cursor, messageId: message.id };
      push({ kind: 'message', message });
    }
    for (const notification of read.notes) {
      cursor = { ...cursor, notificationId: notification.id };
      push({ kind: 'notification', notification });
    }
    state.cursor = cursor;
    // Looked up after the read: tabs of one user opening at once must join one group.
    const target =
      this.groups.get(userId) ??
      ({
        userId,
        tabs: new Set(),
        view: new Map(sessions.map((s) => [s.row.session.id, { session: s, signature: signature(s) }])),
        cursor: read.latest,
      } satisfies Group);
    target.tabs.add(state);
    this.groups.set(userId, target);
    this.startTick();
    let open = true;
    return {
      attach: (tab) => {
        const queued = state.queue ?? [];
        state.tab = tab;
        state.queue = null;
        for (const item of queued) tab.deliver(item.event, item.cursor);
      },
      close: () => {
        if (!open) return;
        open = false;
        target.tabs.delete(state);
        if (target.tabs.size === 0 && this.groups.get(userId) === target) this.groups.delete(userId);
      },
    };
  }

  /** Something committed: every group reads once (coalesced: wakes during a round make one more round). */
  wake(): void {
    if (this.closed || this.groups.size === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => {
      this.running = null;
    });
  }

  /** Settles when the current round of reads (if any) has gone out. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.closed = true;
    if (this.tick) this.timer.clearTimeout(this.tick);
    this.tick = null;
    this.groups.clear();
  }

  private startTick(): void {
    if (this.crossServerMs <= 0 || this.tick || this.closed) return;
    this.tick = this.timer.setTimeout(() => {
      this.tick = null;
      if (this.groups.size === 0) return;
      this.wake();
      this.startTick();
    }, this.crossServerMs);
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      for (const group of [...this.groups.values()]) {
        try {
          await this.refresh(group);
        } catch {
          // A store hiccup: the next wake reads again; the tabs keep their cursors.
        }
      }
    } while (this.again && !this.closed);
  }

  private async refresh(group: Group): Promise<void> {
    if (group.tabs.size === 0) return;
    this.reads += 1;
    const read = await this.store.read(async (db) => {
      const rows = await workplaceSessions(db, group.userId, [...group.view.keys()]);
      const chats = rows.filter((r) => isVisible(r, group.userId)).map((r) => r.session.chatId);
      const messages = await messagesAfter(db, chats, group.cursor.messageId, BATCH);
      const notes = await notificationsAfter(db, group.userId, group.cursor.notificationId, BATCH);
      return { rows, messages, notes };
    });
    const events: { event: WorkplaceEvent; cursor: StreamCursor }[] = [];
    let cursor = group.cursor;
    const next = new Map<number, { session: WorkplaceSession; signature: string }>();
    for (const row of read.rows) {
      const session = { row, visible: isVisible(row, group.userId) };
      const sign = signature(session);
      const before = group.view.get(row.session.id);
      if (session.visible) next.set(row.session.id, { session, signature: sign });
      if (before?.signature === sign) continue;
      if (!before && !session.visible) continue;
      const offer = session.visible && row.session.waitAnswer && !before?.session.visible;
      events.push({ event: { kind: offer ? 'offer' : 'update', session }, cursor });
    }
    group.view = next;
    for (const message of read.messages) {
      cursor = { ...cursor, messageId: message.id };
      events.push({ event: { kind: 'message', message }, cursor });
    }
    for (const notification of read.notes) {
      cursor = { ...cursor, notificationId: notification.id };
      events.push({ event: { kind: 'notification', notification }, cursor });
    }
    group.cursor = cursor;
    if (events.length === 0) return;
    for (const state of group.tabs) {
      for (const item of events) {
        const { event } = item;
        if (event.kind === 'message' && event.message.id <= state.cursor.messageId) continue;
        if (event.kind === 'notification' && event.notification.id <= state.cursor.notificationId) continue;
        state.cursor = {
          messageId: Math.max(state.cursor.messageId, item.cursor.messageId),
          notificationId: Math.max(state.cursor.notificationId, item.cursor.notificationId),
        };
        if (state.queue) state.queue.push({ event, cursor: state.cursor });
        else state.tab.deliver(event, state.cursor);
      }
    }
    if (read.messages.length === BATCH || read.notes.length === BATCH) this.again = true;
  }
}

/** Open, and held by or offered to the user. */
function isVisible(row: WorkplaceRow, userId: number): boolean {
  return !row.session.closed && (row.session.operatorId === userId || row.offeredTo);
}

/** What the workplace shows of a session: a change in any of these is an update. */
function signature(s: WorkplaceSession): string {
  const x = s.row.session;
  return [
    s.visible,
    s.row.offeredTo,
    x.status,
    x.operatorId,
    x.closed,
    x.waitAnswer,
    x.waitAction,
    x.pinned,
    x.spam,
    x.vote,
    x.lineId,
  ].join('|');
}

/** `<message id>-<notification id>`, as the stream sends it. */
export function formatCursor(cursor: StreamCursor): string {
  return `${cursor.messageId}-${cursor.notificationId}`;
}

/** The cursor of an event id; null when it is not one. */
export function parseCursor(raw: string): StreamCursor | null {
  const match = /^(\d{1,15})-(\d{1,15})$/.exec(raw.trim());
  return match ? { messageId: Number(match[1]), notificationId: Number(match[2]) } : null;
}
