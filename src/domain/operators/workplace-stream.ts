// The operator's workplace, live (issue 19): what openlines.workplace.stream sends to an operator's open tabs.
//
// One hub per server. Tabs are grouped by operator: on a wake — a commit of this server (events.committed), or,
// when servers share the store, a slow real-time tick for the other servers' commits — the hub makes ONE read for
// every connected operator together (their sessions, the new messages of those chats, their new notifications),
// compares each operator's sessions with what their tabs were shown, and fans the differences out to every tab of
// that operator. Nothing is read per tab except once when the tab connects (its state and, on a resume, what it
// missed).
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
  sessionsOfUsers,
  type WorkplaceRow,
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
  /** A round's read failed (the tabs keep their cursors; the next wake reads again). */
  readonly onError?: (error: unknown) => void;
}

/** Messages and notifications sent per tab connect at most (more follow on the next wake). */
const BATCH = 200;
/** Messages and notifications read per wake for all operators at most (more: another round). */
const ROUND_BATCH = 1000;

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
  private readonly onError: (error: unknown) => void;
  private running: Promise<void> | null = null;
  private again = false;
  private tick: TimerHandle | null = null;
  private closed = false;
  /** Reads made on wakes (one per round, for every connected operator): the load test counts them. */
  reads = 0;

  constructor(
    private readonly store: Store,
    options: WorkplaceStreamOptions = {},
  ) {
    this.tabsPerUser = options.tabsPerUser ?? 20;
    this.crossServerMs = options.crossServerMs ?? 0;
    this.timer = options.timer ?? systemClock;
    this.onError = options.onError ?? (() => {});
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
      const found = await sessionsOfUsers(db, [userId], []);
      const rows = found.rows.map((row) => ({
        ...row,
        offeredTo: (found.offers.get(row.session.id) ?? []).includes(userId),
      }));
      const latest = await latestIds(db, userId);
      const chats = rows.map((r) => r.session.chatId);
      const messages = from ? await messagesAfter(db, chats, from.messageId, BATCH) : [];
      const notes = from ? await notificationsAfter(db, [userId], from.notificationId, BATCH) : [];
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
    const existing = this.groups.get(userId);
    const target =
      existing ??
      ({
        userId,
        tabs: new Set(),
        view: new Map(sessions.map((s) => [s.row.session.id, { session: s, signature: signature(s) }])),
        cursor: read.latest,
      } satisfies Group);
    target.tabs.add(state);
    this.groups.set(userId, target);
    this.startTick();
    // A commit between this read and now woke nobody (no group yet): one round makes sure it is seen.
    if (!existing) this.wake();
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

  /** Something committed: one read for every group (coalesced: wakes during a round make one more round). */
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
      try {
        await this.refresh([...this.groups.values()].filter((g) => g.tabs.size > 0));
      } catch (error) {
        // A store hiccup: the next wake reads again; the tabs keep their cursors.
        this.onError(error);
      }
    } while (this.again && !this.closed);
  }

  private async refresh(groups: readonly Group[]): Promise<void> {
    if (groups.length === 0) return;
    this.reads += 1;
    const users = groups.map((g) => g.userId);
    const known = [...new Set(groups.flatMap((g) => [...g.view.keys()]))];
    const fromMessage = Math.min(...groups.map((g) => g.cursor.messageId));
    const fromNote = Math.min(...groups.map((g) => g.cursor.notificationId));
    const read = await this.store.read(async (db) => {
      const sessions = await sessionsOfUsers(db, users, known);
      const chats = new Set<number>();
      for (const row of sessions.rows) {
        const offered = sessions.offers.get(row.session.id) ?? [];
        if (!row.session.closed && (users.includes(row.session.operatorId) || offered.length > 0)) {
          chats.add(row.session.chatId);
        }
      }
      const messages = await messagesAfter(db, [...chats], fromMessage, ROUND_BATCH);
      const notes = await notificationsAfter(db, users, fromNote, ROUND_BATCH);
      return { ...sessions, messages, notes };
    });
    const messagesComplete = read.messages.length < ROUND_BATCH;
    const notesComplete = read.notes.length < ROUND_BATCH;
    if (!messagesComplete || !notesComplete) this.again = true;
    const lastMessage = read.messages.at(-1)?.id ?? 0;
    const lastNote = read.notes.at(-1)?.id ?? 0;
    for (const group of groups) {
      const rows: WorkplaceRow[] = [];
      for (const row of read.rows) {
        const offeredTo = (read.offers.get(row.session.id) ?? []).includes(group.userId);
        const mine = row.session.operatorId === group.userId || offeredTo;
        if ((mine && !row.session.closed) || group.view.has(row.session.id)) rows.push({ ...row, offeredTo });
      }
      this.deliver(group, {
        rows,
        messages: read.messages,
        notes: read.notes.filter((n) => Number(n.user_id) === group.userId),
        // A complete read covered every message (notification) after this group's cursor: it may move to the last
        // one read even when none was its own, so the next round's read starts later.
        messagesTo: messagesComplete ? lastMessage : 0,
        notesTo: notesComplete ? lastNote : 0,
      });
    }
  }

  private deliver(
    group: Group,
    read: {
      readonly rows: readonly WorkplaceRow[];
      readonly messages: readonly Message[];
      readonly notes: readonly NotificationRow[];
      readonly messagesTo: number;
      readonly notesTo: number;
    },
  ): void {
    const events: { event: WorkplaceEvent; cursor: StreamCursor }[] = [];
    let cursor = group.cursor;
    const next = new Map<number, { session: WorkplaceSession; signature: string }>();
    const chats = new Set<number>();
    for (const row of read.rows) {
      const session = { row, visible: isVisible(row, group.userId) };
      const sign = signature(session);
      const before = group.view.get(row.session.id);
      if (session.visible) {
        next.set(row.session.id, { session, signature: sign });
        chats.add(row.session.chatId);
      }
      if (before?.signature === sign) continue;
      if (!before && !session.visible) continue;
      const offer = session.visible && row.session.waitAnswer && !before?.session.visible;
      events.push({ event: { kind: offer ? 'offer' : 'update', session }, cursor });
    }
    group.view = next;
    for (const message of read.messages) {
      if (message.id <= group.cursor.messageId || !chats.has(message.chatId)) continue;
      cursor = { ...cursor, messageId: message.id };
      events.push({ event: { kind: 'message', message }, cursor });
    }
    for (const notification of read.notes) {
      if (notification.id <= group.cursor.notificationId) continue;
      cursor = { ...cursor, notificationId: notification.id };
      events.push({ event: { kind: 'notification', notification }, cursor });
    }
    group.cursor = {
      messageId: Math.max(cursor.messageId, read.messagesTo),
      notificationId: Math.max(cursor.notificationId, read.notesTo),
    };
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
