// Events to applications: the bindings applications make (event.bind/unbind/get, runtime-connectors.md §13) and
// emit(), the transactional outbox: one row per matching binding, inserted in the transaction of the change that
// causes the event, so a rolled-back change sends nothing and a committed one is delivered even after a crash
// (jobs/deliver-events.ts). The rules of each event (scope, recipients, data) are in event-catalogue.ts.

import { type Clock, systemClock } from '../../clock.js';
import type { Db } from '../../store/db.js';
import {
  bindingsForEvent,
  deleteBindings,
  insertBinding,
  insertOutbox,
  listAppBindings,
} from '../../store/events-repository.js';
import { findAppByClientId } from '../../store/oauth-repository.js';
import type { Store } from '../../store/store.js';
import { argumentError, RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import { EVENT_CATALOGUE, EVENT_NAMES, type EventName, type EventPayloads, findEvent } from './event-catalogue.js';
import { type EventCause, localUser, sessionOf } from './event-cause.js';

/** The handler URL limit: b_rest_event.EVENT_HANDLER is varchar(255) (runtime-connectors.md §12.4). */
export const HANDLER_MAX_LENGTH = 255;

export interface BindInput {
  readonly event: string;
  readonly handler: string;
  /** intval(auth_type); 0 when not sent. */
  readonly authType: number;
  readonly authTypeSent: boolean;
  readonly eventType: 'online' | 'offline';
}

export interface UnbindInput {
  readonly event: string;
  readonly handler: string;
  readonly authType: number;
  readonly authTypeSent: boolean;
  readonly eventType: 'online' | 'offline';
}

export interface BoundHandler {
  readonly event: string;
  readonly handler: string;
  readonly auth_type: string;
  readonly offline: 0;
}

/** Events an application may emit into; the scheduler listens to wake up after a commit. */
export interface EventEmitter {
  /** `cause`: who acted and in which event session (the auth block's user and the loop guard, event-cause.ts). */
  emit<N extends EventName>(trx: Db, name: N, payload: EventPayloads[N], cause?: EventCause): Promise<number>;
  /** Tells the deliverer that a transaction that emitted has committed. */
  committed(): void;
}

/** For services built where no event is sent (unit tests of other families). */
export const NO_EVENTS: EventEmitter = { emit: async () => 0, committed: () => {} };

export class EventService implements EventEmitter {
  private readonly clock: Clock;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    options: { clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Called after a commit that emitted events (the scheduler's wake). */
  onCommitted(listener: () => void): void {
    this.listeners.push(listener);
  }

  committed(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * Queues `name` for every binding that should receive it, inside `trx`; returns how many deliveries were
   * queued. Connector-owner events go only to the owning application (none for built-in connectors). An event
   * emitted by a call whose event session has run out (the loop guard) is dropped: nothing is queued.
   */
  async emit<N extends EventName>(trx: Db, name: N, payload: EventPayloads[N], cause?: EventCause): Promise<number> {
    const session = sessionOf(cause);
    if (session <= 0) return 0;
    const descriptor = EVENT_CATALOGUE[name];
    let bindings = await bindingsForEvent(trx, name.toUpperCase());
    if (descriptor.recipients === 'connector owner') {
      const owner = descriptor.owner(payload);
      bindings = bindings.filter((b) => owner !== null && b.app_id === owner);
    }
    const nowMs = this.clock.now();
    const data = JSON.stringify(descriptor.data(payload));
    await insertOutbox(
      trx,
      bindings.map((b) => ({
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
    return bindings.length;
  }

  /** event.bind (runtime-connectors.md §13.1). */
  async bind(caller: Caller, input: BindInput): Promise<true> {
    const userId = bindingUser(caller, input.authType, 'binding');
    if (input.eventType === 'offline') {
      throw new RestError(
        'ACCESS_DENIED',
        'Access denied! Offline events binding requires administrator access rights',
      );
    }
    if (input.handler === '') throw argumentError('HANDLER', "Argument 'HANDLER' is null or empty");
    const descriptor = findEvent(input.event);
    if (!descriptor || !caller.scopes.has(descriptor.scope)) throw new RestError('ERROR_EVENT_NOT_FOUND');
    checkCallback(input.handler);
    return this.store.write(async (trx) => {
      const app = await appOf(trx, caller);
      const added = await insertBinding(trx, {
        app_id: app,
        event: descriptor.name.toUpperCase(),
        handler: input.handler,
        user_id: userId,
        created_at: new Date(this.clock.now()).toISOString(),
      });
      if (!added) throw new RestError('ERROR_CORE', 'Unable to set event handler: Handler already binded');
      return true as const;
    });
  }

  /** event.unbind (§13.2): how many handlers were removed. */
  async unbind(caller: Caller, input: UnbindInput): Promise<{ count: number }> {
    if (input.event === '') throw argumentError('EVENT', "Argument 'EVENT' is null or empty");
    if (input.eventType === 'offline') {
      throw new RestError(
        'ACCESS_DENIED',
        'Access denied! Offline events unbinding requires administrator access rights',
      );
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
      return rows.map((r) => ({
        event: r.event,
        handler: r.handler,
        auth_type: String(r.user_id),
        offline: 0 as const,
      }));
    });
  }
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
