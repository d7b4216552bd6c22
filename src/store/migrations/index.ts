// Every migration, in the order it is applied. Add new ones at the end; never edit an applied one.
import * as initial from './2026-11-23-01-initial.js';
import * as permissions from './2026-11-23-02-permissions.js';
import * as oauth from './2026-11-23-03-oauth.js';
import * as connectors from './2026-11-23-04-connectors.js';
import * as history from './2026-11-23-05-history.js';
import * as sharedLimits from './2026-11-23-06-shared-limits.js';
import * as roles from './2026-11-23-07-roles.js';
import * as linesByEditor from './2026-11-24-01-lines-by-editor.js';
import * as dialogs from './2026-12-02-01-dialogs.js';
import * as events from './2026-12-02-02-events.js';
import * as operatorMessages from './2026-12-02-03-operator-messages.js';
import * as offlineEvents from './2026-12-02-04-offline-events.js';
import * as eventAuth from './2026-12-02-05-event-auth.js';
import * as operatorPresence from './2026-12-02-06-operator-presence.js';
import * as sessionEngine from './2026-12-02-07-session-engine.js';
import * as sessionMembers from './2026-12-02-08-session-members.js';
import * as worktime from './2026-12-02-09-worktime.js';
import * as votes from './2026-12-02-10-votes.js';
import * as notifications from './2026-12-02-11-notifications.js';
import * as readModel from './2026-12-03-01-read-model.js';
import * as lineAlarms from './2026-12-03-41-line-alarms.js';

export interface Migration {
  name: string;
  up(db: import('kysely').Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  initial,
  permissions,
  oauth,
  connectors,
  history,
  sharedLimits,
  roles,
  linesByEditor,
  dialogs,
  events,
  operatorMessages,
  offlineEvents,
  eventAuth,
  operatorPresence,
  sessionEngine,
  sessionMembers,
  worktime,
  votes,
  notifications,
  readModel,
  lineAlarms,
];
