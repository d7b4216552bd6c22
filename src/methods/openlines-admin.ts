// openlines.admin.*: what the admin page reads besides the lines (which it reads and writes with
// imopenlines.config.*). openlines' own methods, registered like any other, so that the page calls /rest/ only
// and every call goes through the same authentication, scope check, limits and operating time.
// Scope imopenlines; the session, the history and the event deliveries are for portal administrators only.

import { DELIVERIES_LIMIT_MAX, DeliveryRetryError } from '../domain/events/deliveries.js';
import { HISTORY_LIMIT_DEFAULT } from '../domain/history/history.js';
import { projectCatalogue } from '../domain/lines/catalogue-projection.js';
import { argumentError, RestError } from '../wire/errors.js';
import type { MethodContext, MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

function requireAdmin(ctx: MethodContext): void {
  if (!ctx.caller.isAdmin) throw new RestError('ACCESS_DENIED', 'Only portal administrators may use the admin page');
}

/** A whole number ≥ 0 sent as a JSON number or as digits; undefined when absent or empty. */
function wholeNumber(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
  if (typeof raw === 'string' && /^\d{1,10}$/.test(raw)) return Number(raw);
  return Number.NaN;
}

export function defineAdminMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.admin.session.get',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      const { caller } = ctx;
      return {
        result: {
          USER_ID: caller.userId,
          AUTH_KIND: caller.authKind,
          IS_ADMIN: caller.isAdmin,
          STRICT: caller.strict,
          PORTAL: ctx.services.settings.portalName,
        },
      };
    },
  });

  // The field catalogue as the form needs it: the browser-safe projection, without functions.
  registry.define({
    name: 'openlines.admin.catalogue.get',
    scopes: SCOPES,
    async handler(ctx) {
      return { result: projectCatalogue(ctx.services.settings.portalName) };
    },
  });

  // Revisions newest first: LINE_ID (all lines when absent), LIMIT (default 50, at most 500: history.ts), `start`.
  registry.define({
    name: 'openlines.admin.history.get',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      const lineId = wholeNumber(ctx.params.LINE_ID);
      if (lineId !== undefined && !(lineId > 0 && lineId <= 2_147_483_647)) throw new RestError('CONFIG_ID_EMPTY');
      const limit = wholeNumber(ctx.params.LIMIT) ?? HISTORY_LIMIT_DEFAULT;
      if (Number.isNaN(limit)) throw new RestError('INVALID_FORMAT', "A non-negative integer is expected in 'LIMIT'");
      const offset = Math.max(ctx.start ?? 0, 0);
      const { revisions, total } = await ctx.services.history.list({ lineId: lineId ?? null, limit, offset });
      const reached = offset + revisions.length;
      return { result: revisions, total, ...(revisions.length > 0 && reached < total ? { next: reached } : {}) };
    },
  });

  // Deliveries that failed after their last attempt, newest first: LIMIT (default 50, at most 500), `start`.
  registry.define({
    name: 'openlines.admin.events.failed',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      const limit = wholeNumber(ctx.params.LIMIT) ?? 50;
      if (Number.isNaN(limit)) throw new RestError('INVALID_FORMAT', "A non-negative integer is expected in 'LIMIT'");
      const offset = Math.max(ctx.start ?? 0, 0);
      const { deliveries, total } = await ctx.services.deliveries.list({
        failedOnly: true,
        limit: Math.min(limit, DELIVERIES_LIMIT_MAX),
        offset,
      });
      const reached = offset + deliveries.length;
      return { result: deliveries, total, ...(deliveries.length > 0 && reached < total ? { next: reached } : {}) };
    },
  });

  // A failed or pending delivery made due now, its attempts reset: ID. The delivery as it is now.
  registry.define({
    name: 'openlines.admin.events.retry',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      const id = wholeNumber(ctx.params.ID);
      if (id === undefined) throw argumentError('ID', "Argument 'ID' is null or empty");
      if (!(id > 0 && id <= Number.MAX_SAFE_INTEGER)) throw argumentError('ID', "Argument 'ID' must be a delivery id");
      try {
        return { result: await ctx.services.deliveries.retry(id) };
      } catch (error) {
        if (error instanceof DeliveryRetryError)
          throw argumentError(
            'ID',
            `Delivery ${id} ${error.reason === 'not found' ? 'does not exist' : 'was delivered already'}`,
          );
        throw error;
      }
    },
  });
}
