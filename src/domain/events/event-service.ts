// Events to applications: the bindings applications make (event.bind/unbind/get, runtime-connectors.md §13) and
// emit(), the transactional outbox: one row per matching binding, inserted in the transaction of the change that
// causes the event, so a rolled-back change sends nothing and a committed one is delivered even after a crash
// (jobs/deliver-events.ts). The rules of each event (scope, recipients, data) are in event-catalogue.ts.

import { createHash } from 'node:crypto';
import { type Clock, systemClock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import {
  bindingsForEvent,
  deleteBindings,
  insertBinding,
  insertOutbox,
  listAppBindings,
  upsertOffline,
} from '../../store/events-repository.js';
import { findAppByClientId } from '../../store/oauth-repository.js';
import type { Store } from '../../store/store.js';
import { argumentError, RestError } from '../../wire/errors.js';
import type { HandlerHosts } from '../../wire/handler-hosts.js';
import { encodePhpJson } from '../../wire/php-json.js';
import type { Caller } from '../caller.js';
import type { ReadModel } from '../read-model/read-model.js';
import { currentCallOrigin } from './call-origin.js';
import { EVENT_CATALOGUE, EVENT_NAMES, type EventName, type EventPayloads, findEvent } from './event-catalogue.js';
import { type EventCause, localUser, sessionOf } from './event-cause.js';
import { OfflineEventQueue } from './offline-events.js';

/** The handler URL limit: b_rest_event.EVENT_HANDLER is varchar(255) (runtime-connectors.md §12.4). */
export const HANDLER_MAX_LENGTH = 255;

export interface BindInput {
  readonly event: string;
  readonly handler: string;
  /** intval(auth_type); 0 when not sent. */
  readonly authType: number;
  readonly authTypeSent: boolean;
  readonly eventType: 'online' | 'offline';
  /** The request's auth_connector ('' none): kept with the binding (offline bindings are keyed by it). */
  readonly connectorId: string;
}

export type UnbindInput = BindInput;

/** An event.get row: an online handler or an offline binding. */
export type BoundHandler =
  | { readonly event: string; readonly handler: string; readonly auth_type: string; readonly offline: 0 }
  | { readonly event: string; readonly connector_id: string; readonly offline: 1 };

/** Events an application may emit into; the scheduler listens to wake up after a commit. */
export interface EventEmitter {
  /** `cause`: who acted and in which event session (the auth block's user and the loop guard, event-cause.ts). */
  emit<N extends EventName>(trx: Db, name: N, payload: EventPayloads[N], cause?: EventCause): Promise<number>;
  /**
   * A transaction committed: the workplace stream looks for what changed; `deliver` (default true): it queued
   * events or made timed work due, so the scheduler is woken too.
   */
  committed(deliver?: boolean): void;
}

/** For services built where no event is sent (unit tests of other families). */
export const NO_EVENTS: EventEmitter = { emit: async () => 0, committed: () => {} };

export interface EventServiceOptions {
  readonly clock?: Clock;
  /** The portal's time zone (offline events' TIMESTAMP_X). */
  readonly timeZone?: string;
  /** Where handlers may point (EVENT_HANDLER_HOSTS); absent = any. */
  readonly handlerHosts?: HandlerHosts;
  /** The server's read model: an emit inside a request reads the event's bindings from it (issue 20). */
  readonly model?: ReadModel;
}

export class EventService implements EventEmitter {
  private readonly clock: Clock;
  private readonly listeners: (() => void)[] = [];
  private readonly touchListeners: (() => void)[] = [];
  private readonly handlerHosts: HandlerHosts | undefined;
  private readonly model: ReadModel | undefined;
  /** event.offline.get / list / clear / error. */
  readonly offline: OfflineEventQueue;

  constructor(
    private readonly store: Store,
    options: EventServiceOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.handlerHosts = options.handlerHosts;
    this.model = options.model;
    this.offline = new OfflineEventQueue(store, options.timeZone ?? 'UTC');
  }

  /** Called after a commit that emitted events or made timed work due (the scheduler's wake). */
  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Called after every commit reported (the workplace stream's wake). */
  onTouched(listener: () => void): void {
    this.touchListeners.push(listener);
  }

  committed(deliver = true): void {
    if (deliver) for (const listener of this.listeners) listener();
    for (const listener of this.touchListeners) listener();
  }

  /**
   * Queues `name` for every binding that should receive it, inside `trx`; returns how many deliveries and offline
   * rows were queued. Connector-owner events go only to the owning application (none for built-in connectors),
   * event.test's only to the calling application. An offline binding (empty handler) gets a row of the offline
   * queue instead of a delivery, unless the event was caused by a call of the same application with the same
   * auth_connector (the reference's anti-echo rule, §13.6). An event emitted by a call whose event session has
   * run out (the loop guard) is dropped: nothing is queued.
   */
  async emit<N extends EventName>(
    trx: Db,
    name: N,
    payload: EventPayloads[N],
    explicitCause?: EventCause,
  ): Promise<number> {
    const cause = explicitCause ?? causeOfCall();
    const session = sessionOf(cause);
    if (session <= 0) return 0;
    const descriptor = EVENT_CATALOGUE[name];
    const event = name.toUpperCase();
    let bindings = this.model ? await this.model.bindingsFor(trx, event) : await bindingsForEvent(trx, event);
    if (descriptor.recipients !== 'every binding') {
      const owner = descriptor.owner(payload);
      bindings = bindings.filter((b) => owner !== null && b.app_id === owner);
    }
    const nowMs = this.clock.now();
    const body = descriptor.data(payload);
    const data = JSON.stringify(body);
    const online = bindings.filter((b) => b.handler !== '');
    await insertOutbox(
      trx,
      online.map((b) => ({
        binding_id: b.id,
        app_id: b.app_id,
        event: b.event,
        handler: b.handler,
        user_id: b.user_id,
        data,
        ts: Math.floor(nowMs / 1000),
        created_at_ms: nowMs,
        attempt: 0,
        next_attempt_at_ms: nowMs,
        claimed_by: null,
        claimed_until_ms: null,
        delivered_at_ms: null,
        failed_at_ms: null,
        last_error: null,
        local_user: localUser(b.user_id, cause),
        event_session: session,
      })),
    );
    let offline = bindings.filter((b) => b.handler === '');
    const origin = currentCallOrigin();
    if (offline.length > 0 && origin?.clientId) {
      const caller = await findAppByClientId(trx, origin.clientId);
      offline = offline.filter((b) => !(b.app_id === caller?.id && b.connector_id === origin.authConnector));
    }
    for (const b of offline) {
      await upsertOffline(trx, {
        app_id: b.app_id,
        connector_id: b.connector_id,
        event: b.event,
        data,
        user_id: origin?.userId ?? 0,
        message_id: createHash('md5')
          .update(`${b.event}|${encodePhpJson(body)}`)
          .digest('hex'),
        // TIMESTAMP_X has whole seconds, so that a filter by it can match.
        timestamp_ms: Math.floor(nowMs / 1000) * 1000,
      });
    }
    return online.length + offline.length;
  }

  /** event.test (§13.5): ONAPPTEST to the calling application's own handlers; answers 1. */
  async test(caller: Caller, query: unknown): Promise<1> {
    await this.store.write(async (trx) => {
      await this.emit(trx, 'OnAppTest', { appId: await appOf(trx, caller), query });
    });
    this.committed();
    return 1;
  }

  /** event.bind (runtime-connectors.md §13.1). */
  async bind(caller: Caller, input: BindInput): Promise<true> {
    let userId = bindingUser(caller, input.authType, 'binding');
    if (input.event === '') throw argumentError('EVENT', "Argument 'EVENT' is null or empty");
    let handler = input.handler;
    if (input.eventType === 'offline') {
      if (!caller.isAdmin) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Offline events binding requires administrator access rights',
        );
      }
      handler = '';
      userId = 0;
    } else {
      if (handler === '') throw argumentError('HANDLER', "Argument 'HANDLER' is null or empty");
      checkCallback(handler);
      this.checkDestination(handler);
    }
    const descriptor = findEvent(input.event);
    if (!descriptor || !(descriptor.scope === '_global' || caller.scopes.has(descriptor.scope))) {
      throw new RestError('ERROR_EVENT_NOT_FOUND');
    }
    return this.store.write(async (trx) => {
      const app = await appOf(trx, caller);
      const added = await insertBinding(trx, {
        app_id: app,
        event: descriptor.name.toUpperCase(),
        handler,
        user_id: userId,
        connector_id: input.connectorId,
        created_at: new Date(this.clock.now()).toISOString(),
      });
      if (!added) throw new RestError('ERROR_CORE', 'Unable to set event handler: Handler already binded');
      return true as const;
    });
  }

  /** The handler-destination allow-list (EVENT_HANDLER_HOSTS), after the reference's own URL checks. */
  private checkDestination(handler: string): void {
    if (this.handlerHosts && !this.handlerHosts.allows(handler)) {
      throw new RestError(
        'ERROR_WRONG_HANDLER_URL',
        "Wrong handler URL: this server's EVENT_HANDLER_HOSTS does not allow its host",
        { argument: 'HANDLER' },
      );
    }
  }

  /** event.unbind (§13.2): how many handlers were removed. */
  async unbind(caller: Caller, input: UnbindInput): Promise<{ count: number }> {
    if (input.event === '') throw argumentError('EVENT', "Argument 'EVENT' is null or empty");
    if (input.eventType === 'offline') {
      if (!caller.isAdmin) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Offline events unbinding requires administrator access rights',
        );
      }
      return this.store.write(async (trx) => ({
        count: await deleteBindings(trx, {
          appId: await appOf(trx, caller),
          event: input.event.toUpperCase(),
          handler: '',
          userId: null,
          connectorId: input.connectorId,
        }),
      }));
    }
    if (input.handler === '') throw argumentError('HANDLER', "Argument 'HANDLER' is null or empty");
    let userId: number | null = null;
    if (input.authTypeSent) {
      // The reference compares a non-admin's auth_type with !== against an int: a sent value is always refused.
      if (!caller.isAdmin) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Event unbinding with AUTH_TYPE requires administrator access rights',
        );
      }
      userId = input.authType;
    } else if (!caller.isAdmin) {
      userId = caller.userId;
    }
    return this.store.write(async (trx) => {
      const app = await appOf(trx, caller);
      const count = await deleteBindings(trx, {
        appId: app,
        event: input.event.toUpperCase(),
        handler: input.handler,
        userId,
      });
      return { count };
    });
  }

  /** event.get (§13.3): the application's handlers by id; a non-admin sees only their own. */
  async list(caller: Caller): Promise<BoundHandler[]> {
    return this.store.read(async (db) => {
      const app = await appOf(db, caller);
      const rows = await listAppBindings(db, app, caller.isAdmin ? null : caller.userId);
      return rows.map(
        (r): BoundHandler =>
          r.handler === ''
            ? { event: r.event, connector_id: r.connector_id, offline: 1 }
            : { event: r.event, handler: r.handler, auth_type: String(r.user_id), offline: 0 },
      );
    });
  }
}
/** The cause of an event emitted inside a REST call (none outside one: a timer, the CLI). */
function causeOfCall(): EventCause | undefined {
  const origin = currentCallOrigin();
  if (!origin) return undefined;
  return origin.eventSession === undefined
    ? { userId: origin.userId }
    : { userId: origin.userId, eventSession: origin.eventSession };
}

/** `events` (§13.4): the upper-case codes of the given scopes (every scope with `full`). */
export function eventCodes(scopes: ReadonlySet<string> | 'all'): string[] {
  return EVENT_NAMES.filter((n) => scopes === 'all' || scopes.has(EVENT_CATALOGUE[n].scope)).map((n) =>
    n.toUpperCase(),
  );
}

function bindingUser(caller: Caller, authType: number, what: 'binding'): number {
  if (authType > 0 && !caller.isAdmin && authType !== caller.userId) {
    throw new RestError(
      'ACCESS_DENIED',
      `Access denied! Event ${what} with AUTH_TYPE requires administrator access rights`,
    );
  }
  if (authType > 0) return authType;
  return caller.isAdmin ? 0 : caller.userId;
}

/**
 * HandlerHelper::checkCallback: an http(s) URL whose host contains a dot after its first character
 * (`127.0.0.1` passes, `localhost` does not); no reachability check.
 */
export function checkCallback(handler: string): void {
  let url: URL;
  try {
    url = new URL(handler);
  } catch {
    throw new RestError('ERROR_WRONG_HANDLER_URL');
  }
  const host = url.hostname;
  if (host === '' || host.indexOf('.') <= 0) throw new RestError('ERROR_WRONG_HANDLER_URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RestError('ERROR_UNSUPPORTED_PROTOCOL');
  if (handler.length > HANDLER_MAX_LENGTH) {
    throw argumentError('HANDLER', `Handler URL is longer than ${HANDLER_MAX_LENGTH} characters`);
  }
}

async function appOf(db: Db, caller: Caller): Promise<number> {
  const app = caller.authKind === 'oauth' && caller.clientId ? await findAppByClientId(db, caller.clientId) : undefined;
  if (!app) throw new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');
  return app.id;
}
