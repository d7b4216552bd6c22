// Which REST call is running, for the events it causes: emit() takes the cause of an event from it when the
// caller passes none (the acting user, the loop guard's event session); the offline queue skips an event caused by the same
// application with the same auth_connector it is bound with (the reference's anti-echo rule,
// runtime-connectors.md §13.6), and records the acting user (EVENT_ADDITIONAL.user_id). The REST core sets it
// around each method; work started by time or the CLI has none.

import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallOrigin {
  /** OAuth client_id of the calling application; undefined for webhooks. */
  readonly clientId: string | undefined;
  /** The request's auth_connector ('' none). */
  readonly authConnector: string;
  readonly userId: number;
  /** The event session of the call's token (a token minted for an event), for the loop guard. */
  readonly eventSession: number | undefined;
}

const storage = new AsyncLocalStorage<CallOrigin>();

/** Runs `work` as the call `origin`. */
export function withCallOrigin<T>(origin: CallOrigin, work: () => Promise<T>): Promise<T> {
  return storage.run(origin, work);
}

/** The REST call running now, or undefined. */
export function currentCallOrigin(): CallOrigin | undefined {
  return storage.getStore();
}
