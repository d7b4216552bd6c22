// imopenlines.config.* and imopenlines.revision.get: thin handlers — parameters in, line service, presented
// result out (openlines-api.md §3; reference-behaviour.md §1).

import type { FieldWarning } from '../domain/lines/apply-input.js';
import { readConfigId, type WriteOutcome } from '../domain/lines/line-service.js';
import { parseListQuery, topLevelListParams } from '../domain/lines/list-query.js';
import { type PresentOptions, presentLine, presentListItem } from '../domain/lines/present-line.js';
import { RestError } from '../wire/errors.js';
import type { MethodContext, MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines'];

/** The public Open Channels page (Common::getContactCenterPublicFolder on the cloud). */
export const CONTACT_CENTER_PATH = '/contact_center/';

/** imopenlines.revision.get (openlines-api.md §3.7). */
export const API_REVISION = { rest: 2, web: 1, mobile: 1 } as const;

function presentOptions(ctx: MethodContext): PresentOptions {
  return { timeZone: ctx.services.settings.timeZone, companyName: ctx.services.settings.portalName };
}

/** WITH_QUEUE / SHOW_OFFLINE: absent means yes; when sent, only 'Y' is yes (Rest::configGet). */
function flagDefaultYes(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === 'Y';
}

/** Reports a compat-mode write's substitutions and, when it answered false, why. */
function report(ctx: MethodContext, outcome: WriteOutcome<unknown>): void {
  ctx.warnings.push(...outcome.warnings);
  if (outcome.failure) {
    const failure: FieldWarning = {
      field: outcome.failure.field,
      sent: null,
      used: null,
      reason: outcome.failure.reason,
    };
    ctx.warnings.push(failure);
  }
}

export function defineConfigMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'imopenlines.config.add',
    scopes: SCOPES,
    async handler(ctx) {
      const outcome = await ctx.services.lines.add(ctx.caller, ctx.params.PARAMS, ctx.strict);
      report(ctx, outcome);
      return { result: outcome.result };
    },
  });

  registry.define({
    name: 'imopenlines.config.get',
    scopes: SCOPES,
    async handler(ctx) {
      const id = readConfigId(ctx.params.CONFIG_ID);
      const withQueue = flagDefaultYes(ctx.params.WITH_QUEUE);
      const showOffline = flagDefaultYes(ctx.params.SHOW_OFFLINE);
      const entry = await ctx.services.lines.get(id, { withQueue });
      if (!entry) {
        if (ctx.strict) throw new RestError('CONFIG_NOT_FOUND');
        return { result: false };
      }
      return {
        result: presentLine(entry.line, entry.members, { withQueue, showOffline }, presentOptions(ctx)),
      };
    },
  });

  registry.define({
    name: 'imopenlines.config.update',
    scopes: SCOPES,
    async handler(ctx) {
      const id = readConfigId(ctx.params.CONFIG_ID);
      const outcome = await ctx.services.lines.update(ctx.caller, id, ctx.params.PARAMS, ctx.strict);
      report(ctx, outcome);
      return { result: outcome.result };
    },
  });

  registry.define({
    name: 'imopenlines.config.delete',
    scopes: SCOPES,
    async handler(ctx) {
      const id = readConfigId(ctx.params.CONFIG_ID);
      return { result: await ctx.services.lines.delete(ctx.caller, id, ctx.strict) };
    },
  });

  registry.define({
    name: 'imopenlines.config.list.get',
    scopes: SCOPES,
    async handler(ctx) {
      const query = parseListQuery(ctx.params.PARAMS, ctx.params.OPTIONS, ctx.start, topLevelListParams(ctx.params));
      const { entries, total } = await ctx.services.lines.list(ctx.caller, query);
      const options = presentOptions(ctx);
      const result = entries.map((entry) =>
        presentListItem(
          entry.line,
          query.projection,
          {
            ...(entry.members ? { queue: entry.members } : {}),
            ...(entry.configQueue ? { configQueue: entry.configQueue } : {}),
          },
          options,
        ),
      );
      // Uncounted answers (every row within the cap, or `start=-1`) carry neither total nor next.
      if (total === null) return { result };
      const reached = query.offset + entries.length;
      return { result, total, ...(entries.length > 0 && reached < total ? { next: reached } : {}) };
    },
  });

  registry.define({
    name: 'imopenlines.config.path.get',
    scopes: SCOPES,
    async handler(ctx) {
      // PUBLIC_URL when set (the reference's imopenlines/portal_url option), else the address the client used.
      const serverAddress = ctx.services.settings.publicUrl || ctx.origin || '';
      return { result: { SERVER_ADDRESS: serverAddress, PUBLIC_PATH: CONTACT_CENTER_PATH } };
    },
  });

  registry.define({
    name: 'imopenlines.revision.get',
    scopes: SCOPES,
    async handler() {
      return { result: { ...API_REVISION } };
    },
  });
}
