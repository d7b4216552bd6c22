// imconnector.send.messages, update.messages, delete.messages, send.status.delivery and send.status.reading
// (customer → line, runtime-connectors.md §3-§7): wire parameters → typed input → the
// dialog service → the reference's nested answer `{"SUCCESS": true, "DATA": {"RESULT": [...]}}`. Application
// context only; scope imopenlines (the reference) or imconnector (the docs), as the other imconnector methods.

import {
  type MessageCommand,
  readChatName,
  readConnectorError,
  readSendMessages,
  readStatusMessages,
  type SendMessagesInput,
} from '../domain/connectors/messages-input.js';
import type { ChangeOutcome, SendOutcome } from '../domain/dialogs/dialog-service.js';
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
  // The customer edited or deleted a message (§4, §5): no structure check, no session in the answer.
  for (const [name, command] of [
    ['imconnector.update.messages', 'update'],
    ['imconnector.delete.messages', 'delete'],
  ] as const) {
    registry.define({
      name,
      scopes: SCOPES,
      appContextOnly: true,
      handler: async (ctx) => {
        const input = readSendMessages(ctx.params, command satisfies MessageCommand);
        ctx.input.take(input.findings);
        const outcomes = await ctx.services.dialogs.changeMessages(input, command);
        return { result: { SUCCESS: true, DATA: { RESULT: presentChanges(input, outcomes) } } };
      },
    });
  }
  // The connector confirms delivery (§6) or reading (§7) of an operator's message: always `DATA: []`.
  registry.define({
    name: 'imconnector.send.status.delivery',
    scopes: SCOPES,
    appContextOnly: true,
    handler: async (ctx) => {
      await ctx.services.dialogs.confirmDelivery(readStatusMessages(ctx.params));
      return { result: { SUCCESS: true, DATA: [] } };
    },
  });
  registry.define({
    name: 'imconnector.send.status.reading',
    scopes: SCOPES,
    appContextOnly: true,
    handler: async (ctx) => {
      await ctx.services.dialogs.confirmReading(readStatusMessages(ctx.params));
      return { result: { SUCCESS: true, DATA: [] } };
    },
  });
  // The connector reports an error on the line (§9, undocumented) / renames a chat (§8).
  registry.define({
    name: 'imconnector.set.error',
    scopes: SCOPES,
    appContextOnly: true,
    handler: async (ctx) => {
      await ctx.services.dialogs.setError(readConnectorError(ctx.params));
      return { result: { SUCCESS: true, DATA: [] } };
    },
  });
  registry.define({
    name: 'imconnector.chat.name.set',
    scopes: SCOPES,
    appContextOnly: true,
    handler: async (ctx) => {
      await ctx.services.dialogs.renameChat(readChatName(ctx.params));
      return { result: { SUCCESS: true, DATA: { RESULT: {} } } };
    },
  });
}

/** DATA.RESULT of update/delete: the item with the customer's id and SUCCESS, no session (§4). */
function presentChanges(input: SendMessagesInput, outcomes: Map<string, ChangeOutcome>): unknown {
  const items = input.items.map(([key, item]) => {
    const outcome = outcomes.get(key);
    if (!item.ok || !outcome?.ok)
      return [key, { SUCCESS: false, ERRORS: outcome && !outcome.ok ? outcome.errors : [] }];
    return [key, { ...item.echo, user: String(outcome.customerId), SUCCESS: true }];
  });
  return input.isList ? items.map(([, value]) => value) : Object.fromEntries(items);
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
