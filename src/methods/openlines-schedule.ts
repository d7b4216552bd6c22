// openlines.line.schedule (an openlines extension, docs/sessions.md "Working hours"): `CONFIG_ID`, optional `TIME`
// (ISO-8601); whether the line works at that moment and when that next changes, as dates in the line's zone.
// Scope imopenlines, any user (as imopenlines.config.get and openlines.route.simulate).

import { readConfigId } from '../domain/lines/apply-input.js';
import { argumentError, RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { upperKeys } from '../wire/php-values.js';
import type { MethodRegistry } from './registry.js';

export function defineScheduleMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.line.schedule',
    scopes: ['imopenlines'],
    handler: async (ctx) => {
      const p = upperKeys(ctx.params) as Record<string, unknown>;
      const lineId = readConfigId(p.CONFIG_ID);
      let atMs: number | undefined;
      if (p.TIME !== undefined && p.TIME !== '') {
        atMs = typeof p.TIME === 'string' ? Date.parse(p.TIME) : Number.NaN;
        if (!Number.isFinite(atMs)) throw argumentError('TIME', "Field 'TIME' must be an ISO-8601 date and time");
      }
      const answer = await ctx.services.schedule.at(lineId, atMs);
      if (!answer) throw new RestError('CONFIG_NOT_FOUND');
      return {
        result: {
          CONFIG_ID: answer.lineId,
          OPEN: answer.open,
          TIME: formatPhpDate(answer.atMs, answer.timeZone),
          NEXT_CHANGE: answer.nextChangeMs === null ? null : formatPhpDate(answer.nextChangeMs, answer.timeZone),
          TIMEZONE: answer.timeZone,
        },
      };
    },
  });
}
