// openlines.route.simulate (an openlines extension, docs/sessions.md): `CONFIG_ID`, optional `TIME` (ISO-8601);
// whom a new session of the line would be offered to at that moment, and why each other queue member would not.
// Scope imopenlines, any user (as imopenlines.config.get).

import { readConfigId } from '../domain/lines/apply-input.js';
import { argumentError, RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { upperKeys } from '../wire/php-values.js';
import type { MethodRegistry } from './registry.js';

export function defineRoutingMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.route.simulate',
    scopes: ['imopenlines'],
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const lineId = readConfigId(p.CONFIG_ID);
      let atMs: number | undefined;
      if (p.TIME !== undefined && p.TIME !== '') {
        atMs = typeof p.TIME === 'string' ? Date.parse(p.TIME) : Number.NaN;
        if (!Number.isFinite(atMs)) throw argumentError('TIME', "Field 'TIME' must be an ISO-8601 date and time");
      }
      const simulation = await ctx.services.routing.simulate(lineId, atMs);
      if (!simulation) throw new RestError('CONFIG_NOT_FOUND');
      const zone = ctx.services.settings.timeZone;
      return {
        result: {
          CONFIG_ID: simulation.lineId,
          TIME: formatPhpDate(simulation.atMs, zone),
          QUEUE_TYPE: simulation.queueType,
          OFFERED_TO: simulation.offeredTo,
          OPERATORS: simulation.operators.map((o) => ({
            USER_ID: o.userId,
            ELIGIBLE: o.eligible,
            REASON: o.reason,
            BUSY: o.busy,
            LAST_OFFERED: o.lastOfferedMs === null ? null : formatPhpDate(o.lastOfferedMs, zone),
          })),
        },
      };
    },
  });
}
