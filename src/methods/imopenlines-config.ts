// imopenlines.config.* and imopenlines.revision.get: thin handlers — parameters read into typed input, the line
// service, the result presented (openlines-api.md §3; reference-behaviour.md §1).

import { type InputMode, readConfigId, readLineInput } from '../domain/lines/apply-input.js';
import { parseListQuery, topLevelListParams } from '../domain/lines/list-query.js';
import { type PresentOptions, presentLine, presentListItem } from '../domain/lines/present-line.js';
import { keptAnswer } from '../domain/read-model/read-model.js';
import { RestError } from '../wire/errors.js';
import { EncodedJson } from '../wire/php-json.js';
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

/** PARAMS of add/update as typed input; the catalogue's defaults name the portal. */
function lineInputOf(ctx: MethodContext, mode: InputMode) {
  return readLineInput(ctx.params.PARAMS, mode, { companyName: ctx.services.settings.portalName });
}

/** A line that does not exist: false in compat mode, 404 CONFIG_NOT_FOUND in strict mode (DECISIONS.md). */
function notFound(ctx: MethodContext): { result: false } {
  if (ctx.input.strict) throw new RestError('CONFIG_NOT_FOUND');
  return { result: false };
}

export function defineConfigMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'imopenlines.config.add',
    scopes: SCOPES,
    async handler(ctx) {
      return { result: await ctx.services.lines.add(ctx.caller, lineInputOf(ctx, 'add'), ctx.input) };
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
      if (!entry) return notFound(ctx);
      // From the read model: presented once per options while the line is kept (the answer is never modified),
      // with its JSON text, which the answer's encoding splices in (wire/php-json.ts).
      const key = `${withQueue ? 'Q' : '-'}${showOffline ? 'O' : '-'}`;
      const result = keptAnswer(
        entry,
        key,
        () => new EncodedJson(presentLine(entry.line, entry.members, { withQueue, showOffline }, presentOptions(ctx))),
      );
      return { result };
    },
  });

  registry.define({
    name: 'imopenlines.config.update',
    scopes: SCOPES,
    async handler(ctx) {
      const id = readConfigId(ctx.params.CONFIG_ID);
      const updated = await ctx.services.lines.update(ctx.caller, id, lineInputOf(ctx, 'update'), ctx.input);
      return updated === null ? notFound(ctx) : { result: updated };
    },
  });

  registry.define({
    name: 'imopenlines.config.delete',
    scopes: SCOPES,
    async handler(ctx) {
      const id = readConfigId(ctx.params.CONFIG_ID);
      const deleted = await ctx.services.lines.delete(ctx.caller, id);
      return deleted === null ? notFound(ctx) : { result: deleted };
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
