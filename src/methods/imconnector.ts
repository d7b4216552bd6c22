// imconnector.*: wire parameters → the connector readers' typed input → the connector service. Every method needs
// an OAuth application context (403 WRONG_AUTH_TYPE for webhooks) and either scope imopenlines or imconnector
// (openlines-api.md §1.9, §4).

import {
  readActivation,
  readConnectorLine,
  readDataUpdate,
  readRegistration,
  readStatusQuery,
  readUnregistration,
} from '../domain/connectors/connector-input.js';
import { RestError } from '../wire/errors.js';
import type { MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines', 'imconnector'];

export function defineConnectorMethods(registry: MethodRegistry): void {
  const define = (name: string, handler: Parameters<MethodRegistry['define']>[0]['handler']) =>
    registry.define({ name, scopes: SCOPES, appContextOnly: true, handler });

  // register/unregister answer failures with HTTP 200 and a nested result (openlines-api.md §4.2).
  define('imconnector.register', async (ctx) => {
    const input = readRegistration(ctx.params);
    if ('registration' in input) ctx.input.take(input.findings);
    return { result: await ctx.services.connectors.register(ctx.caller, input) };
  });
  define('imconnector.unregister', async (ctx) => {
    const { code, findings } = readUnregistration(ctx.params);
    ctx.input.take(findings);
    return { result: await ctx.services.connectors.unregister(ctx.caller, code) };
  });
  define('imconnector.list', async (ctx) => ({ result: await ctx.services.connectors.list(ctx.caller) }));
  define('imconnector.activate', async (ctx) => {
    const input = readActivation(ctx.params);
    ctx.input.take(input.findings);
    if (await ctx.services.connectors.activate(ctx.caller, input)) return { result: true };
    // Switching off a connector that is not on: the reference's error in strict mode, false in compat.
    const notConnected = `'${input.code}' is not connected to line ${input.lineId}`;
    if (ctx.input.strict) {
      throw new RestError('DELETE_NOT_EXISTING_CONNECTOR', `Attempt to delete an inactive connector: ${notConnected}`);
    }
    const reason = `connector ${notConnected}; nothing to switch off`;
    ctx.input.warn({ field: 'ACTIVE', sent: input.activeSent, used: false, reason });
    return { result: false };
  });
  define('imconnector.status', async (ctx) => {
    const input = readStatusQuery(ctx.params);
    ctx.input.take(input.findings);
    return { result: await ctx.services.connectors.status(ctx.caller, input) };
  });
  define('imconnector.connector.data.set', async (ctx) => {
    const input = readDataUpdate(ctx.params);
    ctx.input.take(input.findings);
    return { result: await ctx.services.connectors.setData(ctx.caller, input) };
  });
  // openlines extension: the reference has no way to read DATA back (docs/imconnector.md).
  define('imconnector.connector.data.get', async (ctx) => {
    const input = readConnectorLine(ctx.params);
    ctx.input.take(input.findings);
    return { result: await ctx.services.connectors.getData(ctx.caller, input) };
  });
}
