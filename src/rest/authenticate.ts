// Credentials → Caller. Webhooks: /rest/{userId}/{code}/… (or aplogin/ap parameters); OAuth tokens: the
// Authorization: Bearer header, then `auth`, then `access_token` (reference-behaviour.md §6.4).

import { type Clock, systemClock } from '../clock.js';
import type { Caller } from '../domain/caller.js';
import { RestError } from '../wire/errors.js';
import type { ParamTree } from '../wire/php-params.js';

export interface Credentials {
  readonly webhook?: { readonly userId: string; readonly code: string };
  readonly token?: string;
}

/** What the request carries outside its parameters: an `Authorization: Bearer` token, else the webhook path. */
export function requestCredentials(
  authorization: string | undefined,
  webhook: Credentials['webhook'] | undefined,
): Credentials {
  const bearer = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
  if (bearer !== undefined) return { token: bearer };
  return webhook ? { webhook } : {};
}

/** The credentials of a call: the Bearer header, then `auth`/`access_token`, the webhook path, `aplogin`/`ap`. */
export function callCredentials(params: ParamTree, fromRequest: Credentials): Credentials {
  if (fromRequest.token !== undefined) return fromRequest;
  const token = params.auth ?? params.access_token;
  if (token !== undefined) return { token: typeof token === 'string' ? token : '' };
  if (fromRequest.webhook) return fromRequest;
  if (typeof params.aplogin === 'string' && typeof params.ap === 'string') {
    return { webhook: { userId: params.aplogin, code: params.ap } };
  }
  return {};
}

/** Verifies OAuth access tokens; provided by the OAuth module. */
export interface TokenVerifier {
  verify(token: string, now: number): Promise<Caller>;
}

/** Verifies a webhook's user id and code; provided by the directory (authenticateWebhook). */
export interface WebhookVerifier {
  verify(userId: number, code: string, now: number): Promise<Caller>;
}

const USER_ID_MAX = 2_147_483_647;

export class Authenticator {
  constructor(
    private readonly webhooks: WebhookVerifier,
    private readonly tokens: TokenVerifier | null,
    private readonly clock: Clock = systemClock,
  ) {}

  async authenticate(credentials: Credentials): Promise<Caller> {
    if (credentials.token !== undefined) {
      if (!this.tokens || credentials.token === '') throw new RestError('NO_AUTH_FOUND');
      return this.tokens.verify(credentials.token, this.clock.now());
    }
    if (credentials.webhook) return this.webhook(credentials.webhook.userId, credentials.webhook.code);
    throw new RestError('NO_AUTH_FOUND');
  }

  private async webhook(userIdText: string, code: string): Promise<Caller> {
    if (!/^\d{1,10}$/.test(userIdText) || code.length === 0 || code.length > 128) throw new RestError('NO_AUTH_FOUND');
    const userId = Number(userIdText);
    // User ids are 32-bit columns; a larger one names nobody (and PostgreSQL would refuse the query: issue 8).
    if (userId > USER_ID_MAX) throw new RestError('NO_AUTH_FOUND');
    return this.webhooks.verify(userId, code, this.clock.now());
  }
}
