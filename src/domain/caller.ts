// Who is calling: the result of authentication, handed to every method.

/**
 * `cli`: the operators' command line acting for a user (openlines apply), never a REST request; `server`: the
 * server itself acting on a timer (a temporary line's deletion).
 */
export type AuthKind = 'webhook' | 'oauth' | 'cli' | 'server';

export interface Caller {
  readonly userId: number;
  readonly isAdmin: boolean;
  readonly authKind: AuthKind;
  /** Webhook id or OAuth client_id: the unit that operating time is counted per. */
  readonly credentialId: string;
  readonly scopes: ReadonlySet<string>;
  /** The webhook or application was created with strict validation on. */
  readonly strict: boolean;
  /** OAuth client_id when authKind is 'oauth'. */
  readonly clientId?: string;
  /**
   * The event session's TTL when the call is made with an access token minted for an event (the loop guard,
   * runtime-connectors.md §12.2): events the call emits get one less. Absent for every other call.
   */
  readonly eventSession?: number;
}
