// What method handlers may use. Built once at start-up (server.ts) and shared by every call.

import type { ConnectorService } from '../domain/connectors/connector-service.js';
import type { LineService } from '../domain/lines/line-service.js';
import type { Settings } from '../settings.js';

export interface Services {
  readonly settings: Settings;
  readonly lines: LineService;
  readonly connectors: ConnectorService;
}
