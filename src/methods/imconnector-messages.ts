// imconnector.send.messages (customer → line, runtime-connectors.md §3): wire parameters → typed input → the
// dialog service → the reference's nested answer `{"SUCCESS": true, "DATA": {"RESULT": [...]}}`. Application
// context only; scope imopenlines (the reference) or imconnector (the docs), as the other imconnector methods.

import { readSendMessages, type SendMessagesInput } from '../domain/connectors/messages-input.js';
import type { SendOutcome } from '../domain/dialogs/dialog-service.js';
import type { MethodRegistry } from './registry.js';

const SCOPES = ['imopenlines', 'imconnector'];

export function defineConnectorMessageMethods(registry: MethodRegistry): void {
  registry.define({
    name: 'imconnector.send.messages',
    scopes: SCOPES,
    appContextOnly: true,
    handler: async (ctx) => {
      const input = readSendMessages(ctx.params);
      ctx.input.take(input.findings);
      const outcomes = await ctx.services.dialogs.sendMessages(input);
      return { result: { SUCCESS: true, DATA: { RESULT: presentResults(input, outcomes) } } };
    },
  });
}

/**
 * DATA.RESULT, keyed as MESSAGES was (a list gives a list). A stored item is the sent item (lower-cased) with the
 * processed values merged in, then SUCCESS and session (§3.3); the customer's id is always a string (DECISIONS.md).
 */
function presentResults(input: SendMessagesInput, outcomes: Map<string, SendOutcome>): unknown {
  const items = input.items.map(([key, item]) => {
    const outcome = outcomes.get(key);
    if (!item.ok || !outcome?.ok)
      return [key, { SUCCESS: false, ERRORS: outcome && !outcome.ok ? outcome.errors : [] }];
    const { stored } = outcome;
    return [
      key,
      {
        ...item.echo,
        user: String(stored.customerId),
        SUCCESS: true,
        session: { ID: String(stored.sessionId), CHAT_ID: String(stored.chatId) },
      },
    ];
  });
  return input.isList ? items.map(([, value]) => value) : Object.fromEntries(items);
}
