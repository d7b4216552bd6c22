// A webhook's user id and code → the Caller it stands for, or 401 NO_AUTH_FOUND. The REST layer reads the
// credentials off the request; this decides whether they name an active hook of an active user.

import type { Store } from '../../store/store.js';
import { webhooksWithUser } from '../../store/webhooks-repository.js';
import { RestError } from '../../wire/errors.js';
import type { Caller } from '../caller.js';
import type { ReadModel } from '../read-model/read-model.js';
import { secretMatches } from '../secrets.js';

/** `model`: the read model, when the server keeps one (expiry is compared here with `nowMs`, at every call). */
export async function authenticateWebhook(
  store: Store,
  userId: number,
  code: string,
  nowMs: number,
  model?: ReadModel,
): Promise<Caller> {
  const hooks = await store.read((db) => (model ? model.webhooksOf(db, userId) : webhooksWithUser(db, userId)));
  // Compare against every hook of the user so the time taken does not depend on which one matches.
  let match: (typeof hooks)[number] | undefined;
  for (const hook of hooks) if (secretMatches(code, hook.code_hash) && !match) match = hook;
  const nowIso = new Date(nowMs).toISOString();
  if (!match?.active || (match.expires_at !== null && match.expires_at <= nowIso)) {
    throw new RestError('NO_AUTH_FOUND');
  }
  if (!match.user_active) throw new RestError('NO_AUTH_FOUND');
  return {
    userId,
    isAdmin: match.user_is_admin === 1,
    authKind: 'webhook',
    credentialId: `webhook:${match.id}`,
    scopes: new Set(match.scopes.split(',').filter(Boolean)),
    strict: match.strict === 1,
  };
}
