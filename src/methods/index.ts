import { defineEventMethods } from './event.js';
import { defineImMethods } from './im.js';
import { defineConnectorMethods } from './imconnector.js';
import { defineConnectorMessageMethods } from './imconnector-messages.js';
import { defineConfigMethods } from './imopenlines-config.js';
import { defineAdminMethods } from './openlines-admin.js';
import { MethodRegistry } from './registry.js';

/** Every method this server answers. */
export function buildRegistry(): MethodRegistry {
  const registry = new MethodRegistry();
  defineConfigMethods(registry);
  defineConnectorMethods(registry);
  defineConnectorMessageMethods(registry);
  defineAdminMethods(registry);
  defineEventMethods(registry);
  defineImMethods(registry);
  return registry;
}
