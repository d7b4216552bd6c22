// Done-when of issue 17: a whole conversation as a connector application and an operator would have it, the
// operator's calls made by the official @bitrix24/b24jssdk (B24OAuth, unmodified): a customer's message comes in
// and is offered to the operator, who answers it; replies go both ways (the operator's reach the connector as
// OnImConnectorMessageAdd); the operator finishes (the close text goes to the customer); FULL_CLOSE_TIME later, on
// the test clock, the session is closed and OnImConnectorDialogFinish arrives.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { B24OAuth } from '@bitrix24/b24jssdk';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { sdkOAuthClient } from '../helpers/sdk-oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

const CONNECTOR = 'sdk_conversation';

describe('@bitrix24/b24jssdk: a whole conversation, message in to closed', () => {
  let t: TestServer;
  let bridge: B24OAuth;
  let agent: B24OAuth;
  let operator: number;
  const clock = new ManualClock(Date.parse('2026-12-07T09:00:00Z'));
  const receiver = new EventReceiver();

  before(async () => {
    await receiver.start();
    t = await startTestServer({ clock, settings: { eventPollMs: 3_600_000 } });
    operator = await t.server.directory.addUser({ name: 'Klaus', lastName: 'Weber', online: true });
    bridge = await sdkOAuthClient(t, 'Bridge');
    agent = await sdkOAuthClient(t, 'Agent desk', { userId: operator, scopes: ['imopenlines', 'im'] });
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  const make = async (b24: B24OAuth, method: string, params: Record<string, unknown> = {}) => {
    const response = await b24.actions.v2.call.make({ method, params });
    assert.equal(response.isSuccess, true, `${method}: ${JSON.stringify(response.getErrorMessages())}`);
    return (response.getData() as { result: unknown }).result;
  };
  const session = async (id: number) =>
    t.server.store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const delivered = () =>
    receiver.received.map((r) => {
      const body = parsePhpQuery(r.body) as { event: string; data: { MESSAGES?: { message: { text: string } }[] } };
      return [body.event, body.data.MESSAGES?.[0]?.message.text ?? null];
    });

  it('in, offered, answered, replies both ways, finished, closed', async () => {
    await make(bridge, 'imconnector.register', {
      ID: CONNECTOR,
      NAME: 'SDK conversation',
      ICON: { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E' },
      PLACEMENT_HANDLER: 'https://app.example.com/settings',
    });
    for (const event of ['OnImConnectorMessageAdd', 'OnImConnectorDialogFinish']) {
      assert.equal(await make(bridge, 'event.bind', { event, handler: receiver.url(`/${event}`) }), true);
    }
    const line = (
      await t.call('imopenlines.config.add', {
        PARAMS: {
          LINE_NAME: 'Conversation',
          QUEUE_TYPE: 'strictly',
          QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(operator) }],
          CLOSE_RULE: 'text',
          CLOSE_TEXT: 'Thank you, goodbye!',
          FULL_CLOSE_TIME: 2,
        },
      })
    ).body.result as number;
    assert.equal(await make(bridge, 'imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 }), true);
    const customerSays = async (text: string) => {
      const result = (await make(bridge, 'imconnector.send.messages', {
        CONNECTOR,
        LINE: line,
        MESSAGES: [{ user: { id: 'anna' }, message: { text }, chat: { id: 'anna-chat' } }],
      })) as { DATA: { RESULT: { session: { ID: string; CHAT_ID: string } }[] } };
      return result.DATA.RESULT[0]!.session;
    };

    const first = await customerSays('My parcel has not arrived.');
    const sessionId = Number(first.ID);
    const chatId = Number(first.CHAT_ID);
    assert.deepEqual(
      [Number((await session(sessionId)).status), Number((await session(sessionId)).operator_id)],
      [0, operator],
    );

    assert.equal(await make(agent, 'imopenlines.operator.answer', { CHAT_ID: chatId }), true);
    assert.equal(Number((await session(sessionId)).status), 10);
    await make(agent, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Let me check that for you.' });
    assert.equal(Number((await session(sessionId)).status), 40);
    await customerSays('Thanks!');
    assert.equal(Number((await session(sessionId)).status), 25);
    await make(agent, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'It arrives tomorrow.' });

    assert.equal(await make(agent, 'imopenlines.operator.finish', { CHAT_ID: chatId }), true);
    assert.equal(Number((await session(sessionId)).status), 50);
    await clock.advance(2 * 60 * 1000);
    await t.server.scheduler.runDue();
    const closed = await session(sessionId);
    assert.deepEqual([Number(closed.status), Number(closed.closed)], [60, 1]);
    await receiver.until(6);
    // The line's defaults greet the customer (WELCOME_MESSAGE) and ask for a rating at the close (VOTE_MESSAGE).
    assert.deepEqual(delivered(), [
      [
        'ONIMCONNECTORMESSAGEADD',
        'Welcome to [b]openlines[/b] Open Channel![br]You will receive a reply shortly, please hold on.',
      ],
      ['ONIMCONNECTORMESSAGEADD', '[b]Klaus Weber:[/b] [br]Let me check that for you.'],
      ['ONIMCONNECTORMESSAGEADD', '[b]Klaus Weber:[/b] [br]It arrives tomorrow.'],
      ['ONIMCONNECTORMESSAGEADD', 'Thank you, goodbye!'],
      [
        'ONIMCONNECTORMESSAGEADD',
        'Please tell us how we did.[br][br]Just send 1 if you are satisfied, or 0 if we could do better.',
      ],
      ['ONIMCONNECTORDIALOGFINISH', null],
    ]);
    const history = (await make(agent, 'im.dialog.messages.get', { DIALOG_ID: `chat${chatId}`, LIMIT: 50 })) as {
      messages: { text: string }[];
    };
    assert.equal(history.messages[0]?.text, 'Conversation closed.');
  });
});
