// Reading sessions (issue 17): imopenlines.session.history.get and imopenlines.dialog.get (runtime-sessions.md
// §7.14, §7.15), and the v2 observation methods imopenlines.v2.Session.list / imopenlines.v2.Operator.list
// (Appendix A: top-level camelCase parameters, typed values, string statuses, offset/limit paging with hasNextPage).

import type { Message } from '../domain/dialogs/message.js';
import { DELETED_MESSAGE_TEXT } from '../domain/dialogs/message.js';
import { SESSION_VOTE, type Session } from '../domain/dialogs/session.js';
import type {
  DialogView,
  OperatorRow,
  SessionHistory,
  SessionListQuery,
  SessionListRow,
} from '../domain/sessions/operator-service.js';
import { RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { isObject, phpIntval, upperKeys } from '../wire/php-values.js';
import { customerUser, directoryUser } from './im.js';
import type { MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];
type Params = Record<string, unknown>;

/** v2 paging: offset ≤ 10 000, limit 1..200 (50 by default). */
const OFFSET_MAX = 10_000;
const LIMIT_DEFAULT = 50;
const LIMIT_MAX = 200;
const LIST_MAX = 1000;
const YEAR_MS = 366 * 24 * 3600 * 1000;

export function defineSessionMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'imopenlines.session.history.get',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = ctx.params as Params;
      const sessionId = phpIntval(p.SESSION_ID);
      const chatId = phpIntval(p.CHAT_ID);
      if (sessionId <= 0 && chatId <= 0) throw new RestError('MISSING_REQUIRED_PARAM');
      const history = await ctx.services.operators.history(ctx.caller, { sessionId, chatId });
      return { result: presentHistory(history, ctx.services.settings.timeZone) };
    },
  });
  registry.define({
    name: 'imopenlines.dialog.get',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Params;
      const view = await ctx.services.operators.dialog(ctx.caller, dialogRef(p));
      return { result: presentDialog(view, ctx.services.settings.timeZone) };
    },
  });
  registry.define({
    name: 'imopenlines.v2.Session.list',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = ctx.params as Params;
      const { offset, limit } = paging(p);
      const { query, memory, byWait } = sessionQuery(p);
      const nowMs = ctx.services.operators.now();
      const rows = await ctx.services.operators.sessions(ctx.caller, query);
      const filtered = rows.filter((row) => memory(row, nowMs));
      if (byWait) sortByWait(filtered, byWait, query.direction, nowMs);
      const page = filtered.slice(offset, offset + limit);
      const timeZone = ctx.services.settings.timeZone;
      return {
        result: {
          sessions: page.map((row) => presentSession(row, timeZone, nowMs)),
          hasNextPage: filtered.length > offset + limit,
        },
      };
    },
  });
  registry.define({
    name: 'imopenlines.v2.Operator.list',
    scopes: SCOPES,
    handler: async (ctx) => {
      const p = ctx.params as Params;
      const { offset, limit } = paging(p);
      const lineIds = idList(p, 'configId', 'configIdList');
      const userIds = idList(p, 'userId', 'userIdList');
      const status = p.status;
      if (status !== undefined && status !== 'online' && status !== 'offline' && status !== 'pause') {
        throw new RestError('INVALID_FILTER', 'Invalid status filter value');
      }
      const hasFreeSlots = p.hasFreeSlots === undefined ? undefined : flag(p.hasFreeSlots, 'hasFreeSlots');
      const rows = (await ctx.services.operators.operators(ctx.caller)).filter(
        (row) =>
          (!lineIds || lineIds.includes(row.lineId)) &&
          (!userIds || userIds.includes(row.userId)) &&
          (status === undefined || row.status === status) &&
          (hasFreeSlots === undefined || (row.freeSlots === null || row.freeSlots > 0) === hasFreeSlots),
      );
      return {
        result: {
          operators: rows.slice(offset, offset + limit).map(presentOperator),
          hasNextPage: rows.length > offset + limit,
        },
      };
    },
  });
}

// ---- dialog.get

/** One of CHAT_ID, DIALOG_ID (`chat<ID>`), SESSION_ID, USER_CODE (an `imol|` prefix dropped), in that order. */
function dialogRef(p: Params): { chatId?: number; sessionId?: number; userCode?: string } {
  const chatId = phpIntval(p.CHAT_ID);
  if (chatId > 0) return { chatId };
  const dialog = /^chat(\d+)$/i.exec(typeof p.DIALOG_ID === 'string' ? p.DIALOG_ID.trim() : '');
  if (dialog) return { chatId: Number(dialog[1]) };
  const sessionId = phpIntval(p.SESSION_ID);
  if (sessionId > 0) return { sessionId };
  const userCode = typeof p.USER_CODE === 'string' ? p.USER_CODE.trim().replace(/^imol\|/, '') : '';
  if (userCode !== '') return { userCode };
  throw new RestError('ACCESS_ERROR', undefined, {}, 400);
}

/** The chat as the im module shows a lines chat (snake_case), with its dialog id. */
function presentDialog(view: DialogView, timeZone: string): Record<string, unknown> {
  const { chat, session } = view;
  const data1 = [
    'N',
    'NONE',
    0,
    session?.pinned ? 'Y' : 'N',
    session?.waitAction ? 'Y' : 'N',
    session?.id ?? 0,
    session ? Math.floor(Date.parse(session.createdAt) / 1000) : 0,
    session?.lineId ?? chat.lineId,
    0,
    '',
  ].join('|');
  return {
    id: chat.id,
    parent_chat_id: 0,
    parent_message_id: 0,
    name: chat.name,
    description: chat.description,
    owner: view.owner,
    extranet: false,
    avatar: '',
    color: '#df532d',
    type: 'lines',
    entity_type: 'LINES',
    entity_id: chat.userCode,
    entity_data_1: data1,
    entity_data_2: 'LEAD|0|COMPANY|0|CONTACT|0|DEAL|0',
    entity_data_3: 'N',
    date_create: formatPhpDate(Date.parse(chat.createdAt), timeZone),
    message_type: 'L',
    manager_list: [],
    last_message_id: view.lastMessageId,
    dialog_id: `chat${chat.id}`,
  };
}

// ---- session.history.get

function authorIdOf(message: Message): number {
  if (message.author.kind === 'operator') return message.author.userId;
  if (message.author.kind === 'customer') return message.author.customerId;
  return 0;
}

/** The history in the reference's encoding: camelCase top-level keys, lower-cased message keys (§7.14). */
function presentHistory(history: SessionHistory, timeZone: string): Record<string, unknown> {
  const { chat, session } = history;
  const dialog = `chat${chat.id}`;
  const message: Record<string, unknown> = {};
  for (const m of history.messages) {
    message[m.id] = {
      id: m.id,
      chatid: chat.id,
      senderid: authorIdOf(m),
      recipientid: dialog,
      date: formatPhpDate(Date.parse(m.createdAt), timeZone),
      text: m.deleted ? DELETED_MESSAGE_TEXT : m.text,
      textlegacy: m.deleted ? DELETED_MESSAGE_TEXT : m.text,
      params: m.connectorMid.length > 0 ? { connectorMid: [...m.connectorMid] } : [],
    };
  }
  const users: Record<string, unknown> = {};
  for (const [id, user] of history.users) users[id] = directoryUser(id, user);
  for (const [id, customer] of history.customers) users[id] = customerUser(customer);
  const inChat = [...new Set([chat.customerId, ...(session.operatorId > 0 ? [session.operatorId] : [])])];
  return {
    chatId: chat.id,
    canJoin: history.canJoin ? 'Y' : 'N',
    canVoteHead: 'N',
    sessionId: session.id,
    sessionVoteHead: session.voteHead,
    sessionCommentHead: session.commentHead ?? '',
    userId: dialog,
    message,
    usersMessage: { [dialog]: history.messages.map((m) => m.id) },
    users,
    openlines: { canvoteashead: { [session.lineId]: false } },
    userInGroup: {},
    woUserInGroup: {},
    chat: {
      [chat.id]: { id: chat.id, name: chat.name, owner: session.waitAnswer ? 0 : session.operatorId, type: 'lines' },
    },
    userBlockChat: {},
    userInChat: { [chat.id]: inChat },
    files: {},
  };
}

// ---- v2 lists

function paging(p: Params): { offset: number; limit: number } {
  const offset = p.offset === undefined ? 0 : nonNegative(p.offset, 'offset');
  if (offset > OFFSET_MAX) throw new RestError('OFFSET_TOO_LARGE');
  const limit = p.limit === undefined ? LIMIT_DEFAULT : nonNegative(p.limit, 'limit');
  if (limit < 1 || limit > LIMIT_MAX) throw new RestError('INVALID_FILTER');
  return { offset, limit };
}

function nonNegative(raw: unknown, _field: string): number {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{1,9}$/.test(text)) throw new RestError('INVALID_FILTER');
  return Number(text);
}

/** `one` or `list` (the list wins, at most 1000 ids): undefined when neither is sent. */
function idList(p: Params, one: string, list: string): number[] | undefined {
  const raw = p[list] ?? p[one];
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : isObject(raw) ? Object.values(raw) : [raw];
  if (values.length === 0 || values.length > LIST_MAX) throw new RestError('INVALID_FILTER');
  return values.map((v) => {
    const id = nonNegative(v, one);
    if (id <= 0) throw new RestError('INVALID_FILTER');
    return id;
  });
}

function stringList(p: Params, one: string, list: string): string[] | undefined {
  const raw = p[list] ?? p[one];
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : isObject(raw) ? Object.values(raw) : [raw];
  if (values.length === 0 || values.length > LIST_MAX || values.some((v) => typeof v !== 'string' || v === '')) {
    throw new RestError('INVALID_FILTER');
  }
  return values as string[];
}

/** Booleans accept true/Y/1 and false/N/0. */
function flag(raw: unknown, _field: string): boolean {
  if (raw === true || raw === 'true' || raw === 'Y' || raw === '1' || raw === 1) return true;
  if (raw === false || raw === 'false' || raw === 'N' || raw === '0' || raw === 0) return false;
  throw new RestError('INVALID_FILTER');
}

function isoDate(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(ms)) throw new RestError('INVALID_FILTER');
  return new Date(ms).toISOString();
}

function period(from: string | undefined, to: string | undefined): void {
  if (from && to) {
    if (Date.parse(to) < Date.parse(from)) throw new RestError('INVALID_FILTER');
    if (Date.parse(to) - Date.parse(from) > YEAR_MS) throw new RestError('PERIOD_TOO_LARGE');
  }
}

const STATUSES = ['new', 'answered', 'closed', 'spam', 'paused'] as const;
const CLOSE_REASONS = ['operator', 'auto', 'spam', 'client', 'replyLimit'];
const ORDERS = { dateCreate: 'created_at', dateClose: 'closed_at', waitAnswer: 'created_at', waitClose: 'created_at' };

function sessionQuery(p: Params): {
  query: Omit<SessionListQuery, 'operatorIds'> & { operatorIds?: number[] };
  memory: (row: SessionListRow, nowMs: number) => boolean;
  /** Ordered by a computed duration (in memory, after the store's order by creation). */
  byWait: 'waitAnswer' | 'waitClose' | null;
} {
  const state = p.status;
  if (state !== undefined && !(STATUSES as readonly unknown[]).includes(state)) throw new RestError('INVALID_FILTER');
  const closeReason = p.closeReason;
  if (closeReason !== undefined && (typeof closeReason !== 'string' || !CLOSE_REASONS.includes(closeReason))) {
    throw new RestError('INVALID_FILTER');
  }
  if (closeReason !== undefined && state !== undefined) throw new RestError('INVALID_FILTER');
  const createdFrom = isoDate(p.dateCreateFrom);
  const createdTo = isoDate(p.dateCreateTo);
  const closedFrom = isoDate(p.dateCloseFrom);
  const closedTo = isoDate(p.dateCloseTo);
  period(createdFrom, createdTo);
  period(closedFrom, closedTo);
  const vote = p.vote;
  if (vote !== undefined && !['like', 'dislike', 'none', 'any'].includes(String(vote))) {
    throw new RestError('INVALID_FILTER');
  }
  const hasVoteHead = p.hasVoteHead === undefined ? undefined : flag(p.hasVoteHead, 'hasVoteHead');
  const hasCrm = p.hasCrm === undefined ? undefined : flag(p.hasCrm, 'hasCrm');
  const kpi = p.kpiFirstAnswer === undefined ? undefined : flag(p.kpiFirstAnswer, 'kpiFirstAnswer');
  if (kpi !== undefined && !(createdFrom && createdTo)) throw new RestError('INVALID_FILTER');
  const bound = (name: string) => (p[name] === undefined ? undefined : nonNegative(p[name], name));
  const waitAnswerFrom = bound('waitAnswerFrom');
  const waitAnswerTo = bound('waitAnswerTo');
  const waitCloseFrom = bound('waitCloseFrom');
  const waitCloseTo = bound('waitCloseTo');
  const order = p.order === undefined ? 'dateCreate' : String(p.order);
  if (!Object.hasOwn(ORDERS, order)) throw new RestError('INVALID_FILTER');
  const direction = p.orderDirection === undefined ? 'desc' : String(p.orderDirection).toLowerCase();
  if (direction !== 'asc' && direction !== 'desc') throw new RestError('INVALID_FILTER');
  const lineIds = idList(p, 'configId', 'configIdList');
  const operatorIds = idList(p, 'operatorId', 'operatorIdList');
  const sources = stringList(p, 'source', 'sourceList');
  const query = {
    ...(lineIds ? { lineIds } : {}),
    ...(operatorIds ? { operatorIds } : {}),
    ...(sources ? { sources } : {}),
    ...(state !== undefined ? { state: state as (typeof STATUSES)[number] } : {}),
    ...(closeReason !== undefined ? { closeReason } : {}),
    ...(createdFrom ? { createdFrom } : {}),
    ...(createdTo ? { createdTo } : {}),
    ...(closedFrom ? { closedFrom } : {}),
    ...(closedTo ? { closedTo } : {}),
    order: ORDERS[order as keyof typeof ORDERS] as 'created_at' | 'closed_at',
    direction: direction as 'asc' | 'desc',
  };
  const within = (value: number | null, from?: number, to?: number) =>
    (from === undefined && to === undefined) ||
    (value !== null && (from === undefined || value >= from) && (to === undefined || value <= to));
  const memory = (row: SessionListRow, nowMs: number) => {
    const s = row.session;
    if (vote !== undefined && vote !== voteOf(s) && !(vote === 'any' && voteOf(s) !== 'none')) return false;
    if (hasVoteHead !== undefined && hasVoteHead !== s.voteHead > 0) return false;
    // openlines keeps no CRM bindings: every session is unbound.
    if (hasCrm === true) return false;
    if (kpi !== undefined && kpiFirstAnswer(s) !== kpi) return false;
    return (
      within(waitAnswerOf(s, nowMs), waitAnswerFrom, waitAnswerTo) && within(waitCloseOf(s), waitCloseFrom, waitCloseTo)
    );
  };
  const byWait = order === 'waitAnswer' || order === 'waitClose' ? order : null;
  return { query, memory, byWait };
}

/** Sorts by waitAnswer or waitClose (stable: ties keep the creation order); sessions without a value last. */
function sortByWait(
  rows: SessionListRow[],
  by: 'waitAnswer' | 'waitClose',
  direction: 'asc' | 'desc',
  nowMs: number,
): void {
  const value = (row: SessionListRow) =>
    by === 'waitAnswer' ? waitAnswerOf(row.session, nowMs) : waitCloseOf(row.session);
  rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return direction === 'asc' ? x - y : y - x;
  });
}

const seconds = (from: string, to: string | number) =>
  Math.max(0, Math.floor(((typeof to === 'number' ? to : Date.parse(to)) - Date.parse(from)) / 1000));

/** Seconds the customer waited for the first answer: until it came, or until now while the session is open. */
function waitAnswerOf(s: Session, nowMs: number): number | null {
  if (s.dateFirstAnswer) return seconds(s.createdAt, s.dateFirstAnswer);
  return s.closed ? null : seconds(s.createdAt, nowMs);
}

/** Seconds from the start of the session to its close; null while open. */
function waitCloseOf(s: Session): number | null {
  return s.closedAt ? seconds(s.createdAt, s.closedAt) : null;
}

/** Answered at all (openlines has no KPI deadlines yet: the first answer counts as in time). */
const kpiFirstAnswer = (s: Session): boolean => s.dateFirstAnswer !== null;

/** The customer's vote as v2 names it (5 like, 1 dislike). */
function voteOf(s: Session): 'like' | 'dislike' | 'none' {
  return s.vote === SESSION_VOTE.LIKE ? 'like' : s.vote === SESSION_VOTE.DISLIKE ? 'dislike' : 'none';
}

/** The v2 string status (runtime-sessions.md §1.1, inferred mapping). */
export function v2Status(s: Session): (typeof STATUSES)[number] {
  if (s.closed) return s.spam ? 'spam' : 'closed';
  if (s.pinned) return 'paused';
  return s.status < 10 ? 'new' : 'answered';
}

export function presentSession(row: SessionListRow, timeZone: string, nowMs: number): Record<string, unknown> {
  const s = row.session;
  const date = (value: string | null) => (value ? formatPhpDate(Date.parse(value), timeZone) : null);
  return {
    id: s.id,
    configId: s.lineId,
    source: row.source,
    operatorId: s.operatorId,
    userId: s.customerId,
    userCode: s.userCode,
    chatId: s.chatId,
    dateCreate: date(s.createdAt),
    dateClose: date(s.closedAt),
    dateFirstAnswer: date(s.dateFirstAnswer),
    dateOperatorAnswer: date(s.dateOperatorAnswer),
    status: v2Status(s),
    closeReason: s.closed && s.closeReason !== '' ? s.closeReason : null,
    vote: voteOf(s),
    voteHead: s.voteHead > 0 ? s.voteHead : null,
    commentHead: s.commentHead,
    crmEntityType: null,
    crmEntityId: null,
    queueTransfers: Math.max(0, s.queueHistory.length - 1),
    waitAnswer: waitAnswerOf(s, nowMs),
    waitClose: waitCloseOf(s),
    kpiFirstAnswer: kpiFirstAnswer(s),
    messageCount: s.messageCount,
  };
}

function presentOperator(row: OperatorRow): Record<string, unknown> {
  return {
    userId: row.userId,
    configId: row.lineId,
    status: row.status,
    activeSessions: row.activeSessions,
    maxChat: row.maxChat,
    freeSlots: row.freeSlots,
    lastActivityDate: null,
  };
}
