// openlines.user.presence.set / .get (DECISIONS.md "Operator availability"): an administrator sets a user's
// explicit online status (online | offline; auto: by the user's REST calls again) and absence, and reads the
// availability that results on a line with CHECK_AVAILABLE=Y. Scope imopenlines, administrators only.

import type { ExplicitStatus } from '../domain/operators/availability.js';
import { type PresenceView, UnknownOperatorError } from '../domain/operators/presence-service.js';
import { argumentError, RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { parsePositiveId, upperKeys } from '../wire/php-values.js';
import type { MethodContext, MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

/** STATUS values: the two explicit ones, and auto (no explicit status: online while the last call is recent). */
export const PRESENCE_STATUSES = ['online', 'offline', 'auto'] as const;

const yn = (flag: boolean) => (flag ? 'Y' : 'N');

/** The presence as the methods and the CLI show it. */
export function presentPresence(view: PresenceView, timeZone: string): Record<string, unknown> {
  const { state, availability } = view;
  return {
    USER_ID: view.userId,
    ACTIVE: yn(state.active),
    ABSENT: yn(state.absent),
    PAUSED: yn(state.paused),
    STATUS: state.explicitStatus ?? 'auto',
    ONLINE: yn(state.online),
    LAST_ACTIVITY: state.lastActivityMs === null ? null : formatPhpDate(state.lastActivityMs, timeZone),
    AVAILABLE: yn(availability.available),
    REASON: availability.available ? null : availability.reason,
  };
}

function requireAdmin(ctx: MethodContext): void {
  if (!ctx.caller.isAdmin)
    throw new RestError('ACCESS_DENIED', "Only portal administrators may read or set a user's presence");
}

function userId(p: Record<string, unknown>): number {
  if (p.USER_ID === undefined || p.USER_ID === null || p.USER_ID === '')
    throw argumentError('USER_ID', "Argument 'USER_ID' is null or empty");
  const id = parsePositiveId(p.USER_ID);
  if (id === null) throw argumentError('USER_ID', "Argument 'USER_ID' must be a user id");
  return id;
}

function unknownUser(error: unknown): never {
  if (error instanceof UnknownOperatorError)
    throw argumentError('USER_ID', `Argument 'USER_ID': user ${error.userId} does not exist`);
  throw error;
}

export function defineUserPresenceMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.user.presence.set',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const id = userId(p);
      const statusSent = p.STATUS !== undefined && p.STATUS !== null && p.STATUS !== '';
      const absentSent = p.ABSENT !== undefined && p.ABSENT !== null && p.ABSENT !== '';
      if (!statusSent && !absentSent)
        throw argumentError('STATUS', "Argument 'STATUS' or 'ABSENT' is needed: what to set");
      let status: ExplicitStatus | null | undefined;
      if (statusSent) {
        const sent = typeof p.STATUS === 'string' ? p.STATUS.trim().toLowerCase() : '';
        if (!(PRESENCE_STATUSES as readonly string[]).includes(sent))
          throw argumentError('STATUS', `Argument 'STATUS' must be one of {${PRESENCE_STATUSES.join('|')}}`);
        status = sent === 'auto' ? null : (sent as ExplicitStatus);
      }
      let absent: boolean | undefined;
      if (absentSent) {
        const sent = typeof p.ABSENT === 'string' ? p.ABSENT.trim().toUpperCase() : '';
        if (sent !== 'Y' && sent !== 'N') throw argumentError('ABSENT', "Argument 'ABSENT' must be one of {Y|N}");
        absent = sent === 'Y';
      }
      const view = await ctx.services.presence
        .setPresence(id, { ...(status !== undefined ? { status } : {}), ...(absent !== undefined ? { absent } : {}) })
        .catch(unknownUser);
      return { result: presentPresence(view, ctx.services.settings.timeZone) };
    },
  });

  registry.define({
    name: 'openlines.user.presence.get',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      const id = userId(upperKeys(ctx.params) as Record<string, unknown>);
      const view = await ctx.services.presence.view(id).catch(unknownUser);
      return { result: presentPresence(view, ctx.services.settings.timeZone) };
    },
  });
}
