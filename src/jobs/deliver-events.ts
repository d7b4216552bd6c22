// One event delivery: the form-encoded POST exactly as Bitrix24 sends it (runtime-connectors.md §12: `event`,
// `event_handler_id`, `data`, `ts`, then `auth`, in PHP's http_build_query form), plus openlines' delivery headers
// (DECISIONS.md "Events are delivered at least once"). Never follows redirects; a timeout, a connection error or
// a non-2xx answer is a failed attempt, retried with backoff until the attempts run out.

import type { Delivery, Outcome } from '../domain/events/outbox.js';
import { APP_STATUS } from '../domain/oauth/oauth-service.js';
import { httpBuildQuery } from '../wire/php-query.js';
import { backoffMs } from './backoff.js';

export interface DeliveryTarget {
  /** scheme://host[:port] of this server, as applications reach it. */
  readonly base: string;
}

/**
 * The auth block (runtime-connectors.md §12.2). With a user (LOCAL_USER > 0: an access token was minted for this
 * attempt) the keys of the reference's token answer without refresh_token; else the no-user form, which carries
 * only where the portal is and the application_token handlers compare.
 */
export function authBlock(delivery: Delivery, target: DeliveryTarget): Record<string, string | undefined> {
  const base = target.base.replace(/\/+$/, '');
  const domain = base.replace(/^https?:\/\//, '');
  const token = delivery.token;
  if (token) {
    return {
      access_token: token.accessToken,
      expires: String(token.expires),
      expires_in: String(token.expiresIn),
      scope: token.scopes.join(','),
      domain,
      server_endpoint: `${base}/rest/`,
      status: APP_STATUS,
      client_endpoint: `${base}/rest/`,
      member_id: delivery.memberId,
      user_id: String(token.userId),
      application_token: delivery.applicationToken,
    };
  }
  return {
    domain,
    client_endpoint: `${base}/rest/`,
    server_endpoint: `${base}/rest/`,
    member_id: delivery.memberId,
    application_token: delivery.applicationToken,
  };
}

/** The POST body, byte for byte. */
export function eventBody(delivery: Delivery, target: DeliveryTarget): string {
  return httpBuildQuery({
    event: delivery.event,
    event_handler_id: String(delivery.bindingId),
    data: delivery.data,
    ts: String(delivery.ts),
    auth: authBlock(delivery, target),
  });
}

export interface DeliverOptions {
  readonly target: DeliveryTarget;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly now: () => number;
  readonly random?: () => number;
  /** The handler-destination allow-list (EVENT_HANDLER_HOSTS); a handler it refuses is failed, never posted. */
  readonly allowed?: (handler: string) => boolean;
}

/** Sends one delivery and says what became of it. */
export async function deliverEvent(delivery: Delivery, options: DeliverOptions): Promise<Outcome> {
  const attempt = delivery.attempt + 1;
  if (options.allowed && !options.allowed(delivery.handler)) {
    return { kind: 'failed', error: 'handler host not allowed by EVENT_HANDLER_HOSTS', atMs: options.now() };
  }
  let error: string;
  try {
    const response = await fetch(delivery.handler, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'openlines',
        'x-openlines-delivery': String(delivery.id),
        'x-openlines-attempt': String(attempt),
      },
      body: eventBody(delivery, options.target),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { kind: 'delivered', atMs: options.now() };
    error = `HTTP ${response.status}`;
  } catch (caught) {
    error = caught instanceof Error && caught.name === 'TimeoutError' ? 'timeout' : describe(caught);
  }
  const atMs = options.now();
  if (attempt >= options.maxAttempts) return { kind: 'failed', error, atMs };
  return { kind: 'retry', error, atMs, nextAttemptAtMs: atMs + backoffMs(attempt, options.random) };
}

function describe(caught: unknown): string {
  if (!(caught instanceof Error)) return String(caught);
  const cause = (caught as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? caught.message;
}
