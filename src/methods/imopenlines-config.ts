// imopenlines.config.*: thin handlers — parameters in, line service, presented result out.

import type { MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

export function defineConfigMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'imopenlines.config.add',
    scopes: SCOPES,
    async handler(ctx) {
      const outcome = await ctx.services.lines.add(ctx.caller, ctx.params.PARAMS, ctx.strict);
      ctx.warnings.push(...outcome.warnings);
      if (outcome.failure) {
        ctx.warnings.push({ field: outcome.failure.field, sent: null, used: null, reason: outcome.failure.reason });
      }
      return { result: outcome.result };
    },
  });
}
