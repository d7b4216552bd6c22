// imconnector.*: thin handlers over the connector service. Every method needs an OAuth application context
// (403 WRONG_AUTH_TYPE for webhooks) and either scope imopenlines or imconnector (openlines-api.md §1.9, §4).

import type { MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines', 'imconnector'];

export function defineConnectorMethods(registry: MethodRegistry): void {
  const define = (name: string, handler: Parameters<MethodRegistry['define']>[0]['handler']) =>
    registry.define({ name, scopes: SCOPES, appContextOnly: true, handler });

  // register/unregister answer failures with HTTP 200 and a nested result (openlines-api.md §4.2).
  define('imconnector.register', async (ctx) => ({
    result: await ctx.services.connectors.register(ctx.caller, ctx.params, ctx.strict, ctx.warnings),
  }));
  define('imconnector.unregister', async (ctx) => ({
    result: await ctx.services.connectors.unregister(ctx.caller, ctx.params, ctx.strict, ctx.warnings),
  }));
  define('imconnector.list', async (ctx) => ({ result: await ctx.services.connectors.list(ctx.caller) }));
  define('imconnector.activate', async (ctx) => ({
    result: await ctx.services.connectors.activate(ctx.caller, ctx.params, ctx.strict, ctx.warnings),
  }));
  define('imconnector.status', async (ctx) => ({
    result: await ctx.services.connectors.status(ctx.caller, ctx.params, ctx.strict, ctx.warnings),
  }));
  define('imconnector.connector.data.set', async (ctx) => ({
    result: await ctx.services.connectors.setData(ctx.caller, ctx.params, ctx.strict, ctx.warnings),
  }));
  // openlines extension: the reference has no way to read DATA back (docs/imconnector.md).
  define('imconnector.connector.data.get', async (ctx) => ({
    result: await ctx.services.connectors.getData(ctx.caller, ctx.params, ctx.strict, ctx.warnings),
  }));
}
