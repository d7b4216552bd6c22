// event.bind / event.unbind / event.get / events / event.test and the offline events (event.offline.get, .list,
// .clear, .error) (runtime-connectors.md §13): applications only (403 WRONG_AUTH_TYPE without the imconnector
// suffix), scope _global, so any application token may call them. Keys are case-insensitive: upper-cased for
// bind/unbind/events, lower-cased for offline.* (as the reference does). The request's auth_connector, an auth
// key the envelope removes from the parameters, keys offline bindings and the offline queue.

import { type BindInput, eventCodes } from '../domain/events/event-service.js';
import { argumentError } from '../wire/errors.js';
import type { ParamTree } from '../wire/php-params.js';
import { INT32_MAX, INT32_MIN, isObject, phpIntval, upperKeys } from '../wire/php-values.js';
import type { MethodDefinition, MethodRegistry } from './registry.js';

const WRONG_AUTH_TYPE_TEXT = 'Current authorization type is denied for this method';

/** The parameters of bind/unbind, upper-cased keys; strings as sent (arrays and objects read as empty). */
export function readBinding(params: ParamTree, connectorId: string): BindInput {
  const p = upperKeys(params) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  const eventType = text(p.EVENT_TYPE).toLowerCase() || 'online';
  if (eventType !== 'online' && eventType !== 'offline') {
    throw argumentError('EVENT_TYPE', 'Value must be one of {online|offline}');
  }
  const authTypeSent = p.AUTH_TYPE !== undefined && p.AUTH_TYPE !== null && !isObject(p.AUTH_TYPE);
  return {
    event: text(p.EVENT).trim(),
    handler: text(p.HANDLER).trim(),
    // A user id, stored in a 32-bit column: a value past it is saturated, as the reference's MySQL INT column stores
    // it (docs/decisions.md), and names no user.
    authType: authTypeSent ? Math.min(INT32_MAX, Math.max(INT32_MIN, phpIntval(p.AUTH_TYPE))) : 0,
    authTypeSent,
    eventType,
    connectorId,
  };
}

/** array_change_key_case(CASE_LOWER) of the parameters (offline.*). */
function lowerKeys(params: ParamTree): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params as Record<string, unknown>).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => c.toLowerCase()), v]),
  );
}

export function defineEventMethods(registry: MethodRegistry): void {
  const define = (name: string, handler: MethodDefinition['handler']) =>
    registry.define({
      name,
      scopes: [],
      appContextOnly: true,
      wrongAuthTypeText: WRONG_AUTH_TYPE_TEXT,
      handler,
    });

  define('event.bind', async (ctx) => ({
    result: await ctx.services.events.bind(ctx.caller, readBinding(ctx.params, ctx.authConnector)),
  }));
  define('event.unbind', async (ctx) => ({
    result: await ctx.services.events.unbind(ctx.caller, readBinding(ctx.params, ctx.authConnector)),
  }));
  define('event.get', async (ctx) => ({ result: await ctx.services.events.list(ctx.caller) }));
  define('events', async (ctx) => {
    const p = upperKeys(ctx.params) as Record<string, unknown>;
    if (typeof p.SCOPE === 'string' && p.SCOPE !== '') return { result: eventCodes(new Set([p.SCOPE])) };
    if (p.FULL !== undefined && p.FULL !== '' && p.FULL !== '0') return { result: eventCodes('all') };
    return { result: eventCodes(new Set([...ctx.caller.scopes, '_global'])) };
  });
  define('event.test', async (ctx) => ({ result: await ctx.services.events.test(ctx.caller, ctx.params) }));
  define('event.offline.get', async (ctx) => ({
    result: await ctx.services.events.offline.get(ctx.caller, ctx.authConnector, lowerKeys(ctx.params)),
  }));
  define('event.offline.list', async (ctx) =>
    ctx.services.events.offline.list(ctx.caller, ctx.authConnector, lowerKeys(ctx.params), ctx.start),
  );
  define('event.offline.clear', async (ctx) => ({
    result: await ctx.services.events.offline.clear(ctx.caller, ctx.authConnector, lowerKeys(ctx.params)),
  }));
  define('event.offline.error', async (ctx) => ({
    result: await ctx.services.events.offline.error(ctx.caller, ctx.authConnector, lowerKeys(ctx.params)),
  }));
}
