// What caused an event, as emit() needs it for the auth block and the loop guard (runtime-connectors.md §12.2):
// the user whose action it was (LOCAL_USER when the binding names no user) and the event session's TTL of the
// call it happened in.

import type { Caller } from '../caller.js';

/** HANDLER_SESSION_TTL: chains of event → handler call → event are cut after this many levels. */
export const EVENT_SESSION_TTL = 3;

export interface EventCause {
  /** The user whose action caused the event; 0 for none (a timer, an agent). */
  readonly userId: number;
  /** The TTL of the call the event happened in, when that call was made with a token minted for an event. */
  readonly eventSession?: number;
}

/** The cause of events emitted while serving `caller`. */
export function causeOf(caller: Caller): EventCause {
  return caller.eventSession === undefined
    ? { userId: caller.userId }
    : { userId: caller.userId, eventSession: caller.eventSession };
}

/** The TTL an event emitted under `cause` carries; 0 or less: the event is dropped. */
export function sessionOf(cause: EventCause | undefined): number {
  return cause?.eventSession === undefined ? EVENT_SESSION_TTL : cause.eventSession - 1;
}

/** LOCAL_USER: the binding's user when it has one, else the user who acted, else 0. */
export function localUser(bindingUserId: number, cause: EventCause | undefined): number {
  if (bindingUserId > 0) return bindingUserId;
  return cause && cause.userId > 0 ? cause.userId : 0;
}
