// The official client, @bitrix24/b24jssdk, unmodified, sends customer messages into a line (issue 16): an OAuth
// application registers its connector, activates it on a line and calls imconnector.send.messages; the second
// message reuses the chat and the session the first opened.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { B24OAuth } from '@bitrix24/b24jssdk';
import { sdkOAuthClient } from '../helpers/sdk-oauth.js';
import { SEED } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CONNECTOR = 'sdk_bridge';

describe('@bitrix24/b24jssdk B24OAuth: imconnector.send.messages', () => {
  let t: TestServer;
  let b24: B24OAuth;

  before(async () => {
    t = await startTestServer();
    b24 = await sdkOAuthClient(t, 'Bridge app');
  });
  after(() => t.close());

  const make = async (method: string, params: Record<string, unknown> = {}) => {
    const response = await b24.actions.v2.call.make({ method, params });
    assert.equal(response.isSuccess, true, `${method}: ${JSON.stringify(response.getErrorMessages())}`);
    return (response.getData() as { result: unknown }).result;
  };

  it('sends two messages: one chat, one session, the customer as a string id', async () => {
    await make('imconnector.register', {
      ID: CONNECTOR,
      NAME: 'SDK Bridge',
      ICON: { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E' },
      PLACEMENT_HANDLER: 'https://app.example.com/settings',
    });
    const line = (await t.call('imopenlines.config.add', SEED)).body.result as number;
    assert.equal(await make('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 }), true);
    const send = (id: string, text: string) =>
      make('imconnector.send.messages', {
        CONNECTOR,
        LINE: line,
        MESSAGES: [
          {
            user: { id: 'tg-777', name: 'Maria', last_name: 'Lopez', email: 'maria@example.com' },
            message: { id, date: 1_700_000_000, text },
            chat: { id: 'tg-chat-1', name: 'Maria' },
          },
        ],
      }) as Promise<{ SUCCESS: boolean; DATA: { RESULT: Record<string, unknown>[] } }>;
    const first = await send('tg-1', 'Hello');
    const second = await send('tg-2', 'Anyone there?');
    const customer = await t.server.store.db.selectFrom('customers').selectAll().executeTakeFirstOrThrow();
    const chat = await t.server.store.db.selectFrom('chats').selectAll().executeTakeFirstOrThrow();
    const session = await t.server.store.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    const expected = (id: string, text: string) => ({
      SUCCESS: true,
      DATA: {
        RESULT: [
          {
            user: String(customer.id),
            message: { id, date: {}, text },
            chat: { id: 'tg-chat-1', name: 'Maria' },
            SUCCESS: true,
            session: { ID: String(session.id), CHAT_ID: String(chat.id) },
          },
        ],
      },
    });
    assert.deepEqual(first, expected('tg-1', 'Hello'));
    assert.deepEqual(second, expected('tg-2', 'Anyone there?'));
    assert.equal(customer.email, 'maria@example.com');
  });
});
