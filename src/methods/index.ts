import { defineEventMethods } from './event.js';
import { defineImMethods } from './im.js';
import { defineImNotifyMethods } from './im-notify.js';
import { defineConnectorMethods } from './imconnector.js';
import { defineConnectorMessageMethods } from './imconnector-messages.js';
import { defineConfigMethods } from './imopenlines-config.js';
import { defineOperatorMethods } from './imopenlines-operator.js';
import { defineOperatorPauseMethods } from './imopenlines-operator-pause.js';
import { defineSessionMethods } from './imopenlines-session.js';
import { defineAdminMethods } from './openlines-admin.js';
import { defineClockMethods } from './openlines-clock.js';
import { defineLiveChatMethods } from './openlines-livechat.js';
import { defineUserPresenceMethods } from './openlines-presence.js';
import { defineRoutingMethods } from './openlines-routing.js';
import { defineScheduleMethods } from './openlines-schedule.js';
import { defineWorkplaceMethods } from './openlines-workplace.js';
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
  defineImNotifyMethods(registry);
  defineRoutingMethods(registry);
  defineScheduleMethods(registry);
  defineOperatorPauseMethods(registry);
  defineUserPresenceMethods(registry);
  defineClockMethods(registry);
  defineLiveChatMethods(registry);
  defineOperatorMethods(registry);
  defineSessionMethods(registry);
  defineWorkplaceMethods(registry);
  return registry;
}
