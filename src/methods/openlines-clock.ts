// openlines.clock.get / .advance / .set (DECISIONS.md "Test clock"): the server's time for administrators, and on
// a server started with --clock manual the means to move it. Moving it runs every job that falls due (event
// deliveries, session timers) before the call answers. Scope imopenlines, portal administrators only.

import { argumentError, RestError } from '../wire/errors.js';
import { formatPhpDate } from '../wire/php-date.js';
import { upperKeys } from '../wire/php-values.js';
import type { MethodContext, MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

/** The longest single move: ten years (a month of auto-close is the longest timer a line sets). */
export const CLOCK_ADVANCE_MAX_SECONDS = 315_360_000;

function requireAdmin(ctx: MethodContext): void {
  if (!ctx.caller.isAdmin)
    throw new RestError('ACCESS_DENIED', 'Only portal administrators may read or move the clock');
}

function params(ctx: MethodContext): Record<string, unknown> {
  return upperKeys(ctx.params) as Record<string, unknown>;
}

/** Refuses to move the system clock, naming the field the call sent to move it. */
function requireManual(ctx: MethodContext, field: 'SECONDS' | 'TIME'): void {
  if (!ctx.services.clock.manual)
    throw argumentError(
      field,
      `Argument '${field}': this server runs on the system clock, which cannot be moved; start it with --clock manual (OPENLINES_CLOCK=manual) to test with a clock you move`,
    );
}

/** SECONDS: a positive number (fractions allowed, whole milliseconds kept), at most ten years; milliseconds. */
export function parseSeconds(raw: unknown): number {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === ''))
    throw argumentError('SECONDS', "Argument 'SECONDS' is null or empty");
  const seconds =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim())
        ? Number(raw)
        : Number.NaN;
  if (!(Number.isFinite(seconds) && Math.round(seconds * 1000) >= 1))
    throw argumentError('SECONDS', "Argument 'SECONDS' must be a positive number of seconds");
  if (seconds > CLOCK_ADVANCE_MAX_SECONDS)
    throw argumentError('SECONDS', `Argument 'SECONDS' must be at most ${CLOCK_ADVANCE_MAX_SECONDS} (ten years)`);
  return Math.round(seconds * 1000);
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** TIME: an ISO-8601 moment with its offset (2026-12-02T15:00:00+03:00 or …Z); epoch milliseconds. */
export function parseTime(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') throw argumentError('TIME', "Argument 'TIME' is null or empty");
  const text = typeof raw === 'string' ? raw.trim() : '';
  const ms = ISO_8601.test(text) ? Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  if (!Number.isSafeInteger(ms))
    throw argumentError(
      'TIME',
      "Argument 'TIME' must be an ISO-8601 date and time with its offset, e.g. 2026-12-02T15:00:00+00:00",
    );
  return ms;
}

function present(ctx: MethodContext, nowMs: number): { TIME: string; MANUAL: boolean } {
  return { TIME: formatPhpDate(nowMs, ctx.services.settings.timeZone), MANUAL: ctx.services.clock.manual };
}

export function defineClockMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.clock.get',
    scopes: SCOPES,
    async handler(ctx) {
      requireAdmin(ctx);
      return { result: present(ctx, ctx.services.clock.now()) };
    },
  });

  registry.define({
    name: 'openlines.clock.advance',
    scopes: SCOPES,
    movesClock: true,
    async handler(ctx) {
      requireAdmin(ctx);
      requireManual(ctx, 'SECONDS');
      const ms = parseSeconds(params(ctx).SECONDS);
      return { result: present(ctx, await ctx.services.clock.advance(ms)) };
    },
  });

  registry.define({
    name: 'openlines.clock.set',
    scopes: SCOPES,
    movesClock: true,
    async handler(ctx) {
      requireAdmin(ctx);
      requireManual(ctx, 'TIME');
      const target = parseTime(params(ctx).TIME);
      const now = ctx.services.clock.now();
      if (target < now)
        throw argumentError(
          'TIME',
          `Argument 'TIME' is before the clock's time (${formatPhpDate(now, ctx.services.settings.timeZone)}): the test clock only moves forward`,
        );
      return { result: present(ctx, await ctx.services.clock.set(target)) };
    },
  });
}
