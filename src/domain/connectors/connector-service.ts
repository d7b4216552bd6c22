// The imconnector.* rules (openlines-api.md §4, DECISIONS.md imconnector): custom connectors belong to the
// OAuth application that registered them; per line and connector an active flag, an error flag and the channel
// DATA. One transaction per call.
//
// What the reference leaves silent, openlines answers with the connector module's own codes: an unknown connector
// is 400 NOT_AVAILABLE_CONNECTOR, a line that does not exist 400 NOT_ACTIVE_LINE, another application's (or a
// built-in) connector 400 WRONG_APP_ID. Status rules follow the reference's Status class: activating sets the
// connector active and clears its error (CONFIGURED = active, STATUS = CONFIGURED and no error); switching it off
// deletes the binding, DATA included, as Status::delete does.

import { type Clock, systemClock } from '../../clock.js';
import {
  activateBinding,
  type ConnectorRow,
  connectorsOfLine,
  deleteBinding,
  deleteBindingsOfLine,
  deleteConnector,
  findBinding,
  findConnectorByCode,
  insertConnector,
  linesOfConnector,
  listConnectors,
  lockBindingData,
  updateBindingData,
  updateConnector,
} from '../../store/connectors-repository.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../store/constraint-errors.js';
import type { Db } from '../../store/db.js';
import { findLine } from '../../store/lines-repository.js';
import { findAppByClientId } from '../../store/oauth-repository.js';
import type { Store } from '../../store/store.js';
import { RestError } from '../../wire/errors.js';
import { lineLevelOf } from '../access/permissions.js';
import type { Caller } from '../caller.js';
import { causeOf, type EventCause } from '../events/event-cause.js';
import { type EventEmitter, NO_EVENTS } from '../events/event-service.js';
import { BUILTIN_CONNECTORS, isBuiltinConnector, isReservedConnectorCode } from './builtin-connectors.js';
import {
  type Activation,
  type ConnectorData,
  type ConnectorLine,
  type DataUpdate,
  mergeConnectorData,
  type NestedFailure,
  nestedFailure,
  presentConnectorData,
  type RegistrationInput,
} from './connector-input.js';

export interface ConnectorServiceOptions {
  readonly clock?: Clock;
  /** Where OnImConnectorStatusDelete goes (none: events are not sent, e.g. a CLI without a deliverer). */
  readonly events?: EventEmitter;
}

/** imconnector.register / unregister: `{"result": true}` or the reference's nested failure. */
export type NestedAnswer = { readonly result: true } | NestedFailure;

/** imconnector.status, keys in the reference's order. */
export interface ConnectorStatus {
  readonly LINE: number;
  readonly CONNECTOR: string;
  readonly ERROR: boolean;
  readonly CONFIGURED: boolean;
  readonly STATUS: boolean;
}

/** A custom connector, or a built-in one (no row: never configured here). */
type KnownConnector = { readonly builtin: true; readonly code: string } | ({ readonly builtin: false } & ConnectorRow);

export class ConnectorService {
  private readonly clock: Clock;
  private readonly events: EventEmitter;

  constructor(
    private readonly store: Store,
    options: ConnectorServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? NO_EVENTS;
  }

  /** Registers the connector for the calling application, or updates it when the application registered it. */
  async register(caller: Caller, input: RegistrationInput): Promise<NestedAnswer> {
    if ('failure' in input && input.beforeApplication) return input.failure;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.write(async (trx) => {
          const app = await applicationOf(trx, caller);
          if (!app) return nestedFailure('NO_APPLICATION_ID');
          if ('failure' in input) return input.failure;
          const { code, name, settings } = input.registration;
          if (isReservedConnectorCode(code)) {
            return nestedFailure('APPLICATION_REGISTRATION_ERROR', `connector ID '${code}' is a built-in connector`);
          }
          const existing = await findConnectorByCode(trx, code);
          if (existing && existing.app_id !== app.id) {
            return nestedFailure(
              'APPLICATION_REGISTRATION_ERROR',
              `connector ID '${code}' is registered by another application`,
            );
          }
          const stamp = new Date(this.clock.now()).toISOString();
          const doc = JSON.stringify(settings);
          if (existing) await updateConnector(trx, existing.id, { name, doc, modified_at: stamp });
          else await insertConnector(trx, { app_id: app.id, code, name, doc, created_at: stamp, modified_at: stamp });
          return { result: true } as const;
        });
      } catch (error) {
        // Two requests registering one new ID at once: the loser sees the winner's row on its second try.
        if (attempt === 0 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** Removes the calling application's connector (null: no ID was sent) and its bindings on every line. */
  async unregister(caller: Caller, code: string | null): Promise<NestedAnswer> {
    const answer = await this.store.write(async (trx) => {
      const app = await applicationOf(trx, caller);
      if (!app) return nestedFailure('NO_APPLICATION_ID');
      if (code === null) {
        return nestedFailure('APPLICATION_UNREGISTRATION_ERROR', 'the connector ID is not specified');
      }
      const connector = await findConnectorByCode(trx, code);
      if (!connector || connector.app_id !== app.id) {
        return nestedFailure(
          'APPLICATION_UNREGISTRATION_ERROR',
          `connector '${code}' is not registered by this application`,
        );
      }
      // Unregistering fires Status::delete once per line the connector was on, while the connector still exists.
      for (const lineId of await linesOfConnector(trx, connector.id)) {
        await this.events.emit(
          trx,
          'OnImConnectorStatusDelete',
          { connector: code, line: lineId, ownerAppId: app.id },
          causeOf(caller),
        );
      }
      await deleteConnector(trx, connector.id);
      return { result: true } as const;
    });
    this.events.committed();
    return answer;
  }

  /**
   * Every connector of the portal, `{code: name}`: the built-in ones, then the registered ones. Only for users who
   * may modify connectors: administrators and users who may modify every line (the reference's ADMIN and CHIEF
   * roles); others get the reference's 400 ACCESS_DENIED (Rest\Common::list).
   */
  async list(caller: Caller): Promise<Record<string, string>> {
    return this.store.read(async (db) => {
      if (!caller.isAdmin && (await lineLevelOf(db, caller, 'MODIFY')) !== 'any') {
        throw new RestError('ACCESS_DENIED', "You don't have access to this action", {}, 400);
      }
      const result: Record<string, string> = {};
      for (const connector of BUILTIN_CONNECTORS) result[connector.code] = connector.name;
      for (const connector of await listConnectors(db)) result[connector.code] = connector.name;
      return result;
    });
  }

  /** Switches the application's connector on or off for a line; false when it was off already (nothing done). */
  async activate(caller: Caller, { code, lineId, active }: Activation): Promise<boolean> {
    const result = await this.writeBinding(code, lineId, async (trx) => {
      const connector = await this.ownedConnector(trx, caller, code);
      await requireLine(trx, lineId);
      if (active) {
        await activateBinding(trx, connector.id, lineId, new Date(this.clock.now()).toISOString());
        return true;
      }
      const deleted = await deleteBinding(trx, connector.id, lineId);
      // Status::delete fires after deleting the row, whether or not there was one (runtime-connectors.md §11.5).
      await this.events.emit(
        trx,
        'OnImConnectorStatusDelete',
        { connector: code, line: lineId, ownerAppId: connector.app_id },
        causeOf(caller),
      );
      return deleted;
    });
    this.events.committed();
    return result;
  }

  /**
   * The connector's status on a line; LINE omitted or 0 gives the reference's all-false answer. Any application
   * may read any connector's status, as in the reference.
   */
  async status(_caller: Caller, { code, lineId }: ConnectorLine): Promise<ConnectorStatus> {
    return this.store.read(async (db) => {
      const connector = await knownConnector(db, code);
      if (lineId !== 0) await requireLine(db, lineId);
      const binding = connector.builtin || lineId === 0 ? undefined : await findBinding(db, connector.id, lineId);
      const configured = binding?.active === 1;
      const error = binding?.error === 1;
      return { LINE: lineId, CONNECTOR: code, ERROR: error, CONFIGURED: configured, STATUS: configured && !error };
    });
  }

  /**
   * Merges the sent channel DATA over what is stored for the application's connector on a line (openlines-api.md
   * §4.1; the reference's array_merge). The binding row is locked for the read and the write, so two concurrent
   * calls cannot lose each other's keys.
   */
  async setData(caller: Caller, { code, lineId, data }: DataUpdate): Promise<true> {
    return this.writeBinding(code, lineId, async (trx) => {
      const connector = await this.ownedConnector(trx, caller, code);
      await requireLine(trx, lineId);
      const stamp = new Date(this.clock.now()).toISOString();
      const stored = await lockBindingData(trx, connector.id, lineId, stamp);
      const merged = mergeConnectorData(stored ? (JSON.parse(stored) as ConnectorData) : {}, data);
      await updateBindingData(trx, connector.id, lineId, JSON.stringify(merged), stamp);
      return true as const;
    });
  }

  /** openlines extension (imconnector.connector.data.get): the DATA last set, `{}` when none is. */
  async getData(caller: Caller, { code, lineId }: ConnectorLine): Promise<ConnectorData> {
    return this.store.read(async (db) => {
      const connector = await this.ownedConnector(db, caller, code);
      await requireLine(db, lineId);
      const binding = await findBinding(db, connector.id, lineId);
      return binding?.data ? presentConnectorData(JSON.parse(binding.data) as ConnectorData) : {};
    });
  }

  /** For LineService.onLineDeleted: runs in config.delete's transaction. */
  /** Line deletion: one OnImConnectorStatusDelete per connector of the line, before its row goes (§11.5). */
  readonly lineDeleted = async (trx: Db, lineId: number, cause?: EventCause): Promise<void> => {
    for (const { code, appId } of await connectorsOfLine(trx, lineId)) {
      await this.events.emit(
        trx,
        'OnImConnectorStatusDelete',
        { connector: code, line: lineId, ownerAppId: appId },
        cause,
      );
    }
    await deleteBindingsOfLine(trx, lineId);
  };

  /** A connector the calling application registered; 400 NOT_AVAILABLE_CONNECTOR or WRONG_APP_ID otherwise. */
  private async ownedConnector(trx: Db, caller: Caller, code: string): Promise<ConnectorRow> {
    const connector = await knownConnector(trx, code);
    if (connector.builtin) {
      throw new RestError(
        'WRONG_APP_ID',
        `Wrong app! Connector '${code}' is built in; an application configures only the connectors it registered`,
      );
    }
    const app = await applicationOf(trx, caller);
    if (!app || app.id !== connector.app_id) {
      throw new RestError('WRONG_APP_ID', `Wrong app! Connector '${code}' was registered by another application`);
    }
    return connector;
  }

  /**
   * Runs a binding write, translating a foreign-key refusal: a line or connector deleted between the checks and
   * the write makes the database refuse it; the answer is then the error the checks would have given.
   */
  private async writeBinding<T>(code: string, lineId: number, work: (trx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.store.write(work);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      await this.store.read(async (db) => {
        await knownConnector(db, code);
        await requireLine(db, lineId);
      });
      throw error;
    }
  }
}

async function applicationOf(db: Db, caller: Caller) {
  return caller.authKind === 'oauth' && caller.clientId ? findAppByClientId(db, caller.clientId) : undefined;
}

async function knownConnector(db: Db, code: string): Promise<KnownConnector> {
  if (isBuiltinConnector(code)) return { builtin: true, code };
  const row = code === '' ? undefined : await findConnectorByCode(db, code);
  if (!row) {
    throw new RestError(
      'NOT_AVAILABLE_CONNECTOR',
      `Attempt to connect to an inactive or unavailable connector: '${code}' is not registered`,
    );
  }
  return { builtin: false, ...row };
}

async function requireLine(db: Db, lineId: number): Promise<void> {
  if (!Number.isSafeInteger(lineId) || lineId <= 0 || !(await findLine(db, lineId))) {
    throw new RestError('NOT_ACTIVE_LINE');
  }
}
