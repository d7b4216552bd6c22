// imopenlines.operator.pause.start / .stop / .get (runtime-sessions.md §7.18): the caller's own soft pause, which
// makes them unavailable on lines with CHECK_AVAILABLE=Y (§8). The reference takes no parameters (a user pauses
// themselves: there is no USER_ID) and answers true, or false when already in that state; .get answers the flag.

import type { MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

export function defineOperatorPauseMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'imopenlines.operator.pause.start',
    scopes: SCOPES,
    async handler(ctx) {
      return { result: await ctx.services.presence.pauseStart(ctx.caller.userId) };
    },
  });
  registry.define({
    name: 'imopenlines.operator.pause.stop',
    scopes: SCOPES,
    async handler(ctx) {
      return { result: await ctx.services.presence.pauseStop(ctx.caller.userId) };
    },
  });
  registry.define({
    name: 'imopenlines.operator.pause.get',
    scopes: SCOPES,
    async handler(ctx) {
      return { result: await ctx.services.presence.pauseGet(ctx.caller.userId) };
    },
  });
}
