// openlines.livechat.*: the built-in customer chat of a line (issue 19). get: whether it is on and the page's
// address; set: turn it on or off (portal administrators). Stored as the livechat connector's binding on the line
// (docs/decisions.md): no binding is on.

import { readConfigId } from '../domain/lines/apply-input.js';
import { argumentError, RestError } from '../wire/errors.js';
import { CONTACT_CENTER_PATH } from './imopenlines-config.js';
import type { MethodContext, MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

function pageUrl(ctx: MethodContext, lineId: number): string {
  const base = ctx.services.settings.publicUrl || ctx.origin || '';
  return `${base.replace(/\/+$/, '')}${CONTACT_CENTER_PATH}${lineId}/`;
}

export function defineLiveChatMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'openlines.livechat.get',
    scopes: SCOPES,
    async handler(ctx) {
      const id = readConfigId(ctx.params.CONFIG_ID);
      const line = await ctx.services.liveChat.line(id);
      if (!line) throw new RestError('CONFIG_NOT_FOUND');
      return { result: { CONFIG_ID: line.id, ACTIVE: line.active ? 'Y' : 'N', URL: pageUrl(ctx, line.id) } };
    },
  });

  registry.define({
    name: 'openlines.livechat.set',
    scopes: SCOPES,
    async handler(ctx) {
      if (!ctx.caller.isAdmin)
        throw new RestError('ACCESS_DENIED', 'Only portal administrators may turn the chat on or off');
      const id = readConfigId(ctx.params.CONFIG_ID);
      const raw = ctx.params.ACTIVE;
      if (raw !== 'Y' && raw !== 'N') throw argumentError('ACTIVE', "Argument 'ACTIVE' must be Y or N");
      if (!(await ctx.services.liveChat.setActive(id, raw === 'Y'))) throw new RestError('CONFIG_NOT_FOUND');
      return { result: true };
    },
  });
}
