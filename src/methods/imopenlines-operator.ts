// The operators' methods (issue 17; runtime-sessions.md §7.1-§7.11), scope imopenlines: take, pass on, mark as spam,
// transfer and close a dialog; intercept, join, open and start one; pin it to its operator. Parameter names as the
// reference reads them: operator.answer / .skip / .spam / .finish upper-case the incoming keys, the others do not
// (§7.0). Where the reference answers an empty error, openlines names it (DECISIONS.md).

import type { TransferTarget } from '../domain/sessions/operator-service.js';
import { RestError } from '../wire/errors.js';
import type { ParamTree } from '../wire/php-params.js';
import { isPhpEmpty, phpIntval, upperKeys } from '../wire/php-values.js';
import type { MethodContext, MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

type Params = Record<string, unknown>;

/** The keys as the method reads them: upper-cased (array_change_key_case) or verbatim. */
const keysOf = (params: ParamTree, upper: boolean): Params => (upper ? upperKeys(params) : params) as Params;

/** CHAT_ID for the methods that check access first: not a positive id → CHAT_ID "Chat ID is invalid.". */
function accessChatId(p: Params): number {
  const id = phpIntval(p.CHAT_ID);
  if (id <= 0) throw new RestError('CHAT_ID');
  return id;
}

/** CHAT_ID for the methods that test it themselves: CHAT_ID_EMPTY. */
function requiredChatId(p: Params): number {
  const id = phpIntval(p.CHAT_ID);
  if (id <= 0) throw new RestError('CHAT_ID_EMPTY');
  return id;
}

const scalar = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');

/**
 * operator.transfer's target (§7.4): TRANSFER_ID `queue<N>` sets QUEUE_ID, anything else USER_ID (overwriting
 * what was sent); then USER_ID, when present, wins over QUEUE_ID.
 */
export function transferTarget(p: Params): TransferTarget {
  let userId: unknown = p.USER_ID;
  let queueId: unknown = p.QUEUE_ID;
  if (p.TRANSFER_ID !== undefined) {
    const raw = scalar(p.TRANSFER_ID);
    if (raw.startsWith('queue')) queueId = phpIntval(raw.slice('queue'.length));
    else userId = phpIntval(raw);
  }
  if (userId !== undefined) {
    const id = phpIntval(userId);
    if (id <= 0) throw new RestError('USER_ID_EMPTY');
    return { kind: 'user', userId: id };
  }
  if (queueId !== undefined) {
    const id = phpIntval(queueId);
    if (id <= 0) throw new RestError('QUEUE_ID_EMPTY');
    return { kind: 'line', lineId: id };
  }
  throw new RestError('TRANSFER_ID_EMPTY');
}

function define(registry: MethodRegistry, name: string, handler: (ctx: MethodContext) => Promise<unknown>): void {
  registry.define({ name, scopes: SCOPES, handler: async (ctx) => ({ result: await handler(ctx) }) });
}

export function defineOperatorMethods(registry: MethodRegistry): void {
  define(registry, 'imopenlines.operator.answer', (ctx) =>
    ctx.services.operators.answer(ctx.caller, accessChatId(keysOf(ctx.params, true))),
  );
  define(registry, 'imopenlines.operator.skip', async (ctx) => {
    const passed = await ctx.services.operators.skip(ctx.caller, accessChatId(keysOf(ctx.params, true)));
    // The session stayed: the reference answers an empty error after posting its note (kept, committed).
    if (!passed) throw new RestError('SKIP_ALONE');
    return true;
  });
  define(registry, 'imopenlines.operator.spam', (ctx) =>
    ctx.services.operators.spam(ctx.caller, accessChatId(keysOf(ctx.params, true))),
  );
  define(registry, 'imopenlines.operator.transfer', (ctx) => {
    const p = keysOf(ctx.params, false);
    const chatId = requiredChatId(p);
    return ctx.services.operators.transfer(ctx.caller, chatId, transferTarget(p));
  });
  define(registry, 'imopenlines.operator.finish', (ctx) =>
    ctx.services.operators.finish(ctx.caller, accessChatId(keysOf(ctx.params, true)), false),
  );
  define(registry, 'imopenlines.operator.another.finish', (ctx) =>
    ctx.services.operators.finish(ctx.caller, accessChatId(keysOf(ctx.params, false)), true),
  );
  define(registry, 'imopenlines.session.intercept', (ctx) =>
    ctx.services.operators.intercept(ctx.caller, requiredChatId(keysOf(ctx.params, false))),
  );
  define(registry, 'imopenlines.session.join', (ctx) =>
    ctx.services.operators.join(ctx.caller, accessChatId(keysOf(ctx.params, false))),
  );
  define(registry, 'imopenlines.session.start', (ctx) =>
    ctx.services.operators.start(ctx.caller, accessChatId(keysOf(ctx.params, false))),
  );
  define(registry, 'imopenlines.session.open', async (ctx) => {
    const userCode = scalar(keysOf(ctx.params, false).USER_CODE);
    return { chatId: await ctx.services.operators.open(ctx.caller, userCode) };
  });
  define(registry, 'imopenlines.message.session.start', (ctx) => {
    const p = keysOf(ctx.params, false);
    return ctx.services.operators.startFromMessage(ctx.caller, accessChatId(p), phpIntval(p.MESSAGE_ID));
  });
  define(registry, 'imopenlines.session.mode.pin', (ctx) => {
    const p = keysOf(ctx.params, false);
    if (isPhpEmpty(p.CHAT_ID)) throw new RestError('CHAT_ID_EMPTY');
    return ctx.services.operators.pin(ctx.caller, requiredChatId(p), p.ACTIVATE !== 'N');
  });
  define(registry, 'imopenlines.session.mode.unpin', (ctx) => {
    const p = keysOf(ctx.params, false);
    if (isPhpEmpty(p.CHAT_ID)) throw new RestError('CHAT_ID_EMPTY');
    return ctx.services.operators.pin(ctx.caller, requiredChatId(p), false);
  });
  define(registry, 'imopenlines.session.head.vote', (ctx) => {
    const p = keysOf(ctx.params, true);
    const sessionId = phpIntval(p.SESSION_ID);
    if (sessionId <= 0) throw new RestError('EMPTY_SESSION_ID');
    const rating = scalar(p.RATING);
    const comment = typeof p.COMMENT === 'string' || typeof p.COMMENT === 'number' ? String(p.COMMENT) : '';
    const blank = (v: string) => v.trim() === '' || v.trim() === '0';
    if (blank(rating) && blank(comment)) throw new RestError('EMPTY_VOTE_PARAMS');
    return ctx.services.operators.headVote(ctx.caller, sessionId, phpIntval(rating), comment);
  });
  define(registry, 'imopenlines.session.mode.pinAll', (ctx) => ctx.services.operators.pinAll(ctx.caller, true));
  define(registry, 'imopenlines.session.mode.unpinAll', (ctx) => ctx.services.operators.pinAll(ctx.caller, false));
}
