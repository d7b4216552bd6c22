// Parameters the official clients add to calls for their own bookkeeping. They mean nothing to a method, so the
// envelope removes them before any method sees the parameters: never a warning, never a strict-mode error, in
// every family and inside batch (DECISIONS.md "Envelope"; issue 14). Matched in any letter case, because the
// connector family upper-cases parameter names before it reads them.
//
// - `bx24_*`: b24jssdk appends `bx24_request_id`, `bx24_sdk_ver` and `bx24_sdk_type` to every call
//   (packages/jssdk/src/core/request-id-generator.ts), b24phpsdk `bx24_request_id`
//   (src/Infrastructure/HttpClient/RequestId/DefaultRequestIdGenerator.php); the whole prefix is theirs.
// - `__order`: fast_bitrix24's call() labels each batched command with it (fast_bitrix24/user_request.py,
//   CallUserRequest).

import type { ParamTree } from '../wire/php-params.js';

/** Prefixes of client-added keys, lower case. */
const CLIENT_KEY_PREFIXES: readonly string[] = ['bx24_'];
/** Whole client-added keys, lower case. */
const CLIENT_KEYS: readonly string[] = ['__order'];

export function isClientKey(name: string): boolean {
  const lower = name.toLowerCase();
  return CLIENT_KEYS.includes(lower) || CLIENT_KEY_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** The top-level parameters without the client-added keys (a copy; the tree sent is left as it is). */
export function withoutClientKeys(params: ParamTree): ParamTree {
  return Object.fromEntries(Object.entries(params).filter(([key]) => !isClientKey(key)));
}
