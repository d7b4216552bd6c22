// The operators' side of a line's chat over real HTTP, for every store (issue 16; runtime-sessions.md §7.19,
// runtime-connectors.md §11.1-§11.4): a connector application registers, binds its events to a real receiver on
// loopback, a customer writes (OnImConnectorDialogStart), an operator answers with im.message.add (the session is
// taken, OnImConnectorMessageAdd signed with the operator's name), the connector confirms delivery with ids, the
// operator edits and deletes (…Update / …Delete), and im.dialog.messages.get reads the chat. Bodies are parsed with
// the project's parse_str port and compared exactly. Then the im module's errors, one by one.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { mention } from '../../src/domain/sessions/system-texts.js';
import { getPortal } from '../../src/store/portal-repository.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

const CONNECTOR = 'im_bridge';
const START = Date.parse('2026-12-02T10:00:00Z');

function assertError(answer: CallResult, status: number, error: string, description: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, { error, error_description: description });
}

for (const store of STORES) {
  describe(`im.message.* in a line's chat [${store}]`, () => {
    let t: TestServer;
    const clock = new ManualClock(START);
    const receiver = new EventReceiver();
    let app: { clientId: string; applicationToken: string };
    let appToken: string;
    let operator: number;
    let stranger: number;
    let operatorHook: string;
    let strangerHook: string;
    let line: number;
    let memberId: string;

    before(async () => {
      await receiver.start();
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000 } });
      memberId = (await getPortal(t.server.store.db))?.member_id ?? '';
      operator = await t.server.directory.addUser({ name: 'Klaus', lastName: 'Weber' });
      stranger = await t.server.directory.addUser({ name: 'Somebody', lastName: 'Else' });
      operatorHook = await t.webhookFor(operator, ['im']);
      strangerHook = await t.webhookFor(stranger, ['im']);
      app = await t.server.oauth.createApp({ name: 'Bridge', scopes: ['imopenlines', 'imconnector'] });
      appToken = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const registered = await appCall('imconnector.register', {
        ID: CONNECTOR,
        NAME: 'Bridge',
        ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
        PLACEMENT_HANDLER: 'https://bridge.example.com/',
      });
      assert.equal(registered.status, 200, registered.text);
      const added = await t.call('imopenlines.config.add', {
        PARAMS: {
          LINE_NAME: 'Chat line',
          QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(operator) }],
          // Every event here is counted: no welcome message or vote request (issue 18) among them.
          WELCOME_MESSAGE: 'N',
          VOTE_MESSAGE: 'N',
        },
      });
      line = added.body.result as number;
      assert.equal((await appCall('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 })).body.result, true);
      for (const event of [
        'OnImConnectorDialogStart',
        'OnImConnectorMessageAdd',
        'OnImConnectorMessageUpdate',
        'OnImConnectorMessageDelete',
      ]) {
        const bound = await appCall('event.bind', { event, handler: receiver.url(`/${event}`) });
        assert.equal(bound.body.result, true, bound.text);
      }
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(async () => {
      receiver.reset();
      appToken = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
    });

    function appCall(method: string, params: Record<string, unknown>) {
      return t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: appToken }),
      });
    }
    const as = (hook: string, method: string, params: Record<string, unknown>) => t.call(method, params, { hook });
    const customerSays = async (chat: string, text: string, id: string) => {
      const sent = await appCall('imconnector.send.messages', {
        CONNECTOR,
        LINE: line,
        MESSAGES: [{ user: { id: `u-${chat}`, name: 'Anna' }, message: { id, text }, chat: { id: chat } }],
      });
      assert.equal(sent.status, 200, sent.text);
      return sent.body.result.DATA.RESULT[0] as { user: string; session: { ID: string; CHAT_ID: string } };
    };
    // biome-ignore lint/suspicious/noExplicitAny: event bodies are compared as parsed
    const bodies = (): { path: string; body: any }[] =>
      receiver.received.map((r) => ({ path: r.path, body: parsePhpQuery(r.body) }));
    /** The auth block of an event caused by `userId` (§12.2): a token minted for it, checked in event-auth.test. */
    const authOf = (userId: number, received: { auth?: Record<string, string> }) => {
      const base = t.server.httpUrl;
      return {
        access_token: received.auth?.access_token,
        expires: String(Math.floor(clock.now() / 1000) + 3600),
        expires_in: '3600',
        scope: 'imopenlines,imconnector',
        domain: base.replace('http://', ''),
        server_endpoint: `${base}/rest/`,
        status: 'L',
        client_endpoint: `${base}/rest/`,
        member_id: memberId,
        user_id: String(userId),
        application_token: app.applicationToken,
      };
    };
    const bindingId = async (event: string) =>
      String(
        (
          await t.server.store.read((db) =>
            db
              .selectFrom('event_bindings')
              .select('id')
              .where('event', '=', event.toUpperCase())
              .executeTakeFirstOrThrow(),
          )
        ).id,
      );
    const ts = () => String(Math.floor(clock.now() / 1000));

    it('customer writes, operator answers, connector confirms, operator edits and deletes: every event exact', async () => {
      const first = await customerSays('ext-1', 'Hello, anyone there?', 'cust-1');
      const chatId = first.session.CHAT_ID;
      await receiver.until(1);
      assert.deepEqual(bodies(), [
        {
          path: '/OnImConnectorDialogStart',
          body: {
            event: 'ONIMCONNECTORDIALOGSTART',
            event_handler_id: await bindingId('OnImConnectorDialogStart'),
            data: {
              CONNECTOR,
              LINE: String(line),
              DATA: [
                {
                  connector: { connector_id: CONNECTOR, line_id: String(line), chat_id: 'ext-1', user_id: first.user },
                  session: { id: first.session.ID, closed: 'N', parent_id: '0', close_term: '10' },
                  chat: { id: 'ext-1' },
                  user: { id: first.user },
                },
              ],
            },
            ts: ts(),
            auth: authOf(1, bodies()[0]!.body),
          },
        },
      ]);
      assert.ok(Number(first.user) > 1_000_000_000, 'customers never share an id with a directory user');

      receiver.reset();
      const posted = await as(operatorHook, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Guten Tag!' });
      assert.equal(posted.status, 200, posted.text);
      const messageId = posted.body.result as number;
      assert.ok(Number.isInteger(messageId));
      await receiver.until(1);
      assert.deepEqual(bodies(), [
        {
          path: '/OnImConnectorMessageAdd',
          body: {
            event: 'ONIMCONNECTORMESSAGEADD',
            event_handler_id: await bindingId('OnImConnectorMessageAdd'),
            data: {
              CONNECTOR,
              LINE: String(line),
              MESSAGES: [
                {
                  im: { chat_id: chatId, message_id: String(messageId) },
                  message: { user_id: String(operator), text: '[b]Klaus Weber:[/b] [br]Guten Tag!' },
                  chat: { id: 'ext-1' },
                },
              ],
            },
            ts: ts(),
            auth: authOf(operator, bodies()[0]!.body),
          },
        },
      ]);
      const session = await t.server.store.read((db) =>
        db.selectFrom('sessions').selectAll().where('id', '=', Number(first.session.ID)).executeTakeFirstOrThrow(),
      );
      assert.equal(Number(session.operator_id), operator, 'the writer took the unassigned session');
      assert.equal(Number(session.status), 40);

      // Not yet confirmed with ids: an edit stays inside openlines.
      receiver.reset();
      assert.equal(
        (await as(operatorHook, 'im.message.update', { MESSAGE_ID: messageId, MESSAGE: 'v2' })).body.result,
        true,
      );
      const delivered = await appCall('imconnector.send.status.delivery', {
        CONNECTOR,
        LINE: line,
        MESSAGES: [
          { im: { chat_id: chatId, message_id: messageId }, message: { id: ['ext-msg-5'] }, chat: { id: 'ext-1' } },
        ],
      });
      assert.equal(delivered.status, 200, delivered.text);
      const edited = await as(operatorHook, 'im.message.update', {
        message_id: messageId,
        message: 'What questions do you have?',
      });
      assert.equal(edited.body.result, true, edited.text);
      await receiver.until(1);
      assert.deepEqual(
        bodies().map((b) => b.body.data),
        [
          {
            CONNECTOR,
            LINE: String(line),
            MESSAGES: [
              {
                im: { chat_id: chatId, message_id: String(messageId) },
                message: { id: ['ext-msg-5'], text: '[b]Klaus Weber:[/b][br] What questions do you have?' },
                chat: { id: 'ext-1' },
              },
            ],
          },
        ],
      );

      receiver.reset();
      assert.equal((await as(operatorHook, 'im.message.delete', { MESSAGE_ID: messageId })).body.result, true);
      await receiver.until(1);
      assert.deepEqual(
        bodies().map((b) => [b.path, b.body.data]),
        [
          [
            '/OnImConnectorMessageDelete',
            {
              CONNECTOR,
              LINE: String(line),
              MESSAGES: [
                {
                  im: { chat_id: chatId, message_id: String(messageId) },
                  message: { id: 'ext-msg-5' },
                  chat: { id: 'ext-1' },
                },
              ],
            },
          ],
        ],
      );

      const note = await as(operatorHook, 'im.message.add', {
        DIALOG_ID: `chat${chatId}`,
        MESSAGE: 'internal note',
        SYSTEM: 'Y',
      });
      assert.equal(note.status, 200, note.text);
      const read = await as(operatorHook, 'im.dialog.messages.get', { DIALOG_ID: `chat${chatId}` });
      assert.equal(read.status, 200, read.text);
      const { messages, users, chat_id, files } = read.body.result;
      assert.equal(chat_id, Number(chatId));
      assert.deepEqual(files, []);
      assert.deepEqual(
        messages.map((m: Record<string, unknown>) => [m.author_id, m.text, m.params]),
        [
          [0, 'internal note', []],
          [
            operator,
            'This message has been deleted.',
            { CONNECTOR_MID: ['ext-msg-5'], IS_EDITED: 'Y', IS_DELETED: 'Y' },
          ],
          [0, `${mention(operator)} picked conversation`, []],
          [Number(first.user), 'Hello, anyone there?', { CONNECTOR_MID: ['cust-1'] }],
          [0, `Enquiry assigned to ${mention(operator)}`, []],
          [0, `Conversation #[URL=/online/?IM_HISTORY=imol|${first.session.ID}]${first.session.ID}[/URL] started`, []],
        ],
        'newest first: the engine notes, the customer, the operator who took it by writing',
      );
      assert.deepEqual(Object.keys(messages[0]), [
        'id',
        'chat_id',
        'author_id',
        'date',
        'text',
        'unread',
        'uuid',
        'replaces',
        'params',
      ]);
      assert.equal(messages[0].date, '2026-12-02T10:00:00+00:00');
      assert.deepEqual(
        users.map((u: Record<string, unknown>) => [u.id, u.name, u.connector, u.external_auth_id]),
        [
          [operator, 'Klaus Weber', false, 'default'],
          [Number(first.user), 'Anna', true, 'imconnector'],
        ],
      );
      const older = await as(operatorHook, 'im.dialog.messages.get', {
        DIALOG_ID: `chat${chatId}`,
        LAST_ID: messages[3].id,
        LIMIT: 2,
      });
      assert.deepEqual(
        older.body.result.messages.map((m: { id: number }) => m.id),
        [messages[4].id, messages[5].id],
      );
      const newer = await as(operatorHook, 'im.dialog.messages.get', {
        DIALOG_ID: `chat${chatId}`,
        FIRST_ID: messages[3].id,
        LIMIT: 2,
      });
      assert.deepEqual(
        newer.body.result.messages.map((m: { id: number }) => m.id),
        [messages[2].id, messages[1].id],
      );
    });

    it('OPERATOR_DATA=hide sends the text unsigned; a closed-off line refuses the message', async () => {
      const { session } = await customerSays('ext-2', 'hi', 'c-2');
      await receiver.until(1);
      receiver.reset();
      const hidden = await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { OPERATOR_DATA: 'hide' } });
      assert.equal(hidden.body.result, true, hidden.text);
      await as(operatorHook, 'im.message.add', { DIALOG_ID: `chat${session.CHAT_ID}`, MESSAGE: 'plain' });
      await receiver.until(1);
      assert.equal(bodies()[0]?.body.data.MESSAGES[0].message.text, 'plain');
      await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { OPERATOR_DATA: 'profile', ACTIVE: 'N' } });
      assertError(
        await as(operatorHook, 'im.message.add', { DIALOG_ID: `chat${session.CHAT_ID}`, MESSAGE: 'refused' }),
        400,
        'PARAMS_ERROR',
        "Message isn't added",
      );
      await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { ACTIVE: 'Y' } });
    });

    it("OPERATOR_DATA=queue signs with the line's own name for the operator (QUEUE_USERS_FIELDS)", async () => {
      const { session } = await customerSays('ext-q', 'hi', 'c-q');
      await receiver.until(1);
      receiver.reset();
      const named = await t.call('imopenlines.config.update', {
        CONFIG_ID: line,
        PARAMS: {
          OPERATOR_DATA: 'queue',
          QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(operator) }],
          QUEUE_USERS_FIELDS: { [operator]: { USER_NAME: 'Support Desk' } },
        },
      });
      assert.equal(named.body.result, true, named.text);
      await as(operatorHook, 'im.message.add', { DIALOG_ID: `chat${session.CHAT_ID}`, MESSAGE: 'signed' });
      await receiver.until(1);
      assert.equal(bodies()[0]?.body.data.MESSAGES[0].message.text, '[b]Support Desk:[/b] [br]signed');
      await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { OPERATOR_DATA: 'profile' } });
    });

    it("the im module's errors, each with its code, status and text", async () => {
      const { session } = await customerSays('ext-3', 'hi', 'c-3');
      const dialog = `chat${session.CHAT_ID}`;
      const add = (params: Record<string, unknown>, hook = operatorHook) => as(hook, 'im.message.add', params);
      assertError(await add({ DIALOG_ID: dialog }), 400, 'MESSAGE_EMPTY', "Message can't be empty");
      assertError(await add({ DIALOG_ID: dialog, MESSAGE: '  [br] ' }), 400, 'MESSAGE_EMPTY', "Message can't be empty");
      assertError(await add({ DIALOG_ID: dialog, MESSAGE: ['x'] }), 400, 'MESSAGE_EMPTY', 'Wrong message type');
      assertError(await add({ DIALOG_ID: 'chat0', MESSAGE: 'x' }), 400, 'CHAT_ID_EMPTY', "Chat ID can't be empty");
      assertError(await add({ DIALOG_ID: 'abc', MESSAGE: 'x' }), 400, 'USER_ID_EMPTY', "User ID can't be empty");
      assertError(
        await add({ DIALOG_ID: String(operator), MESSAGE: 'x' }),
        400,
        'DIALOG_NOT_SUPPORTED',
        "Only the chats of open lines are served here: DIALOG_ID must be chat<ID> of a line's chat",
      );
      const noAccess = "You don't have access or user isn't member in chat";
      assertError(await add({ DIALOG_ID: dialog, MESSAGE: 'x' }, strangerHook), 400, 'ACCESS_ERROR', noAccess);
      assertError(await add({ DIALOG_ID: 'chat999999', MESSAGE: 'x' }), 400, 'ACCESS_ERROR', noAccess);
      const mine = (await add({ DIALOG_ID: dialog, MESSAGE: 'mine' })).body.result as number;
      const cant = "Time has expired for modification or you don't have access";
      assertError(
        await as(operatorHook, 'im.message.update', { MESSAGE: 'x' }),
        400,
        'MESSAGE_ID_ERROR',
        "Message ID can't be empty",
      );
      assertError(
        await as(operatorHook, 'im.message.delete', { MESSAGE_ID: 'x' }),
        400,
        'MESSAGE_ID_ERROR',
        "Message ID can't be empty",
      );
      assertError(
        await as(strangerHook, 'im.message.update', { MESSAGE_ID: mine, MESSAGE: 'x' }),
        403,
        'CANT_EDIT_MESSAGE',
        cant,
      );
      assertError(await as(strangerHook, 'im.message.delete', { MESSAGE_ID: mine }), 403, 'CANT_EDIT_MESSAGE', cant);
      assert.equal(
        (await as(strangerHook, 'im.message.update', { MESSAGE_ID: mine })).body.result,
        true,
        'nothing to change',
      );
      // A text past the limit is cut and marked, as CIMMessenger does.
      const long = await add({ DIALOG_ID: dialog, MESSAGE: 'a'.repeat(20_007) });
      const stored = (await as(operatorHook, 'im.dialog.messages.get', { DIALOG_ID: dialog, LIMIT: 1 })).body.result
        .messages[0];
      assert.equal(stored.id, long.body.result);
      assert.equal(stored.text, `${'a'.repeat(20_000)} (...)`);
      await clock.advance(72 * 3600 * 1000 + 1000);
      assertError(
        await as(operatorHook, 'im.message.update', { MESSAGE_ID: mine, MESSAGE: 'late' }),
        403,
        'CANT_EDIT_MESSAGE',
        cant,
      );
      assert.equal(
        (await as(operatorHook, 'im.message.update', { MESSAGE_ID: mine, MESSAGE: '' })).body.result,
        true,
        'an empty text deletes, at any age',
      );
      assertError(await as(operatorHook, 'im.message.delete', { MESSAGE_ID: mine }), 403, 'CANT_EDIT_MESSAGE', cant);
      const get = (params: Record<string, unknown>, hook = operatorHook) => as(hook, 'im.dialog.messages.get', params);
      assertError(await get({}), 400, 'DIALOG_ID_EMPTY', "Dialog ID can't be empty");
      assertError(
        await get({ DIALOG_ID: dialog, FIRST_ID: 'x', LAST_ID: '1' }),
        400,
        'FIRST_ID_STRING',
        "First ID can't be string",
      );
      assertError(await get({ DIALOG_ID: dialog, LAST_ID: '-1' }), 400, 'LAST_ID_STRING', "Last ID can't be string");
      const denied = 'You do not have access to the specified dialog';
      assertError(await get({ DIALOG_ID: dialog }, strangerHook), 403, 'ACCESS_ERROR', denied);
      assertError(await get({ DIALOG_ID: 'sg5' }), 403, 'ACCESS_ERROR', denied);
      // Ids past the 32-bit ids (past bigint too): a chat that does not exist, bounds saturated; never a 500.
      assertError(await get({ DIALOG_ID: `chat${'9'.repeat(20)}` }), 403, 'ACCESS_ERROR', denied);
      const past = await get({ DIALOG_ID: dialog, FIRST_ID: '9'.repeat(20) });
      assert.deepEqual([past.status, past.body.result?.messages], [200, []], past.text);
      const before = await get({ DIALOG_ID: dialog, LAST_ID: '9'.repeat(20), LIMIT: 1 });
      assert.equal(before.body.result?.messages.length, 1, before.text);
      assert.equal((await get({ DIALOG_ID: String(operator) })).body.result, false, 'no private chats');
      const byChatId = await get({ CHAT_ID: session.CHAT_ID, LIMIT: 500 });
      assert.equal(byChatId.status, 200, byChatId.text);
      // 72 hours later the session has closed on its own (AUTO_CLOSE_TIME): the operator is no longer in the chat.
      assertError(await add({ DIALOG_ID: dialog, MESSAGE: 'x' }), 400, 'ACCESS_ERROR', noAccess);
    });
  });
}
