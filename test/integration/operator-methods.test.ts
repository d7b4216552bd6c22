// The operators' methods over real HTTP, for every store (issue 17; runtime-sessions.md §7): a connector application
// sends customers' messages into a strictly-distributed line (QUEUE [Anna, Boris]) and a second line (QUEUE
// [Carla]); operators with webhooks answer, skip, transfer, close, pin, intercept, join and start sessions; an
// administrator (user 1) acts with the line's join permission. For each method: its effect on the session, the
// system messages in the chat (texts of §10, exact), the connector events the customer sees, its errors one by one
// and who may call it.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

const CONNECTOR = 'op_bridge';
const START = Date.parse('2026-12-02T10:00:00Z');
const NO_ACCESS = 'You do not have permission to access this chat.';
const u = (id: number) => `[USER=${id}][/USER]`;
const link = (id: number) => `#[URL=/online/?IM_HISTORY=imol|${id}]${id}[/URL]`;

function assertError(answer: CallResult, status: number, error: string, description: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, { error, error_description: description });
}

function assertTrue(answer: CallResult): void {
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.result, true, answer.text);
}

for (const store of STORES) {
  describe(`the operators' methods [${store}]`, () => {
    let t: TestServer;
    const clock = new ManualClock(START);
    const receiver = new EventReceiver();
    let app: { clientId: string };
    let appToken: string;
    let anna: number;
    let boris: number;
    let carla: number;
    const hooks: Record<string, string> = {};
    let first: number;
    let second: number;
    let solo: number;
    let everyone: number;
    let checked: number;
    let dora: number;
    let dialogs = 0;

    before(async () => {
      await receiver.start();
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000 } });
      anna = await t.server.directory.addUser({ name: 'Anna', lastName: 'Agent' });
      boris = await t.server.directory.addUser({ name: 'Boris', lastName: 'Baker' });
      carla = await t.server.directory.addUser({ name: 'Carla', lastName: 'Cruz' });
      hooks.anna = await t.webhookFor(anna, ['imopenlines', 'im']);
      hooks.boris = await t.webhookFor(boris, ['imopenlines', 'im']);
      hooks.carla = await t.webhookFor(carla, ['imopenlines', 'im']);
      dora = await t.server.directory.addUser({ name: 'Dora', lastName: 'Online', online: true });
      hooks.dora = await t.webhookFor(dora, ['imopenlines', 'im']);
      app = await t.server.oauth.createApp({ name: 'Bridge', scopes: ['imopenlines', 'imconnector'] });
      appToken = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const registered = await appCall('imconnector.register', {
        ID: CONNECTOR,
        NAME: 'Bridge',
        ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
        PLACEMENT_HANDLER: 'https://bridge.example.com/',
      });
      assert.equal(registered.status, 200, registered.text);
      const queue = (...ids: number[]) => ids.map((id) => ({ ENTITY_TYPE: 'user', ENTITY_ID: String(id) }));
      const addLine = async (name: string, ids: number[], type = 'strictly', more: Record<string, unknown> = {}) => {
        const added = await t.call('imopenlines.config.add', {
          // No welcome message or vote request (issue 18): these tests count the chat's messages.
          PARAMS: {
            LINE_NAME: name,
            QUEUE_TYPE: type,
            QUEUE_TIME: 60,
            QUEUE: queue(...ids),
            WELCOME_MESSAGE: 'N',
            VOTE_MESSAGE: 'N',
            ...more,
          },
        });
        assert.equal(added.status, 200, added.text);
        const line = added.body.result as number;
        assert.equal((await appCall('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 })).body.result, true);
        return line;
      };
      first = await addLine('First', [anna, boris]);
      second = await addLine('Second', [carla]);
      solo = await addLine('Solo', [anna]);
      everyone = await addLine('Everyone', [anna, boris], 'all');
      checked = await addLine('Checked', [dora, anna], 'strictly', { CHECK_AVAILABLE: 'Y' });
      for (const event of ['OnImConnectorMessageAdd', 'OnImConnectorDialogStart', 'OnImConnectorDialogFinish']) {
        const bound = await appCall('event.bind', { event, handler: receiver.url(`/${event}`) });
        assert.equal(bound.body.result, true, bound.text);
      }
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(async () => {
      appToken = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
    });

    function appCall(method: string, params: Record<string, unknown>) {
      return t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: appToken }),
      });
    }
    const as = (who: string, method: string, params: Record<string, unknown> = {}) =>
      who === 'admin' ? t.call(method, params) : t.call(method, params, { hook: hooks[who] });

    /** A new customer writes on `line`: the chat and session ids (offered to the line's first operator). */
    async function newDialog(line = first): Promise<{ chatId: number; sessionId: number; userCode: string }> {
      const n = ++dialogs;
      const sent = await appCall('imconnector.send.messages', {
        CONNECTOR,
        LINE: line,
        MESSAGES: [
          { user: { id: `c${n}`, name: 'Cust' }, message: { id: `m${n}`, text: 'Hello' }, chat: { id: `x${n}` } },
        ],
      });
      assert.equal(sent.status, 200, sent.text);
      const item = sent.body.result.DATA.RESULT[0] as { user: string; session: { ID: string; CHAT_ID: string } };
      const chatId = Number(item.session.CHAT_ID);
      const row = await t.server.store.read((db) =>
        db.selectFrom('chats').select('user_code').where('id', '=', chatId).executeTakeFirstOrThrow(),
      );
      return { chatId, sessionId: Number(item.session.ID), userCode: row.user_code };
    }
    const sessionRow = (id: number) =>
      t.server.store.read((db) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    const openSessionOf = (chatId: number) =>
      t.server.store.read((db) =>
        db.selectFrom('sessions').selectAll().where('chat_id', '=', chatId).where('closed', '=', 0).executeTakeFirst(),
      );
    const lastMessageId = async (chatId: number) =>
      Number(
        (
          await t.server.store.read((db) =>
            db
              .selectFrom('messages')
              .select((eb) => eb.fn.max('id').as('id'))
              .where('chat_id', '=', chatId)
              .executeTakeFirst(),
          )
        )?.id ?? 0,
      );
    /** The system messages of the chat after message `afterId`, oldest first. */
    const systemAfter = async (chatId: number, afterId: number) =>
      (
        await t.server.store.read((db) =>
          db
            .selectFrom('messages')
            .select('text')
            .where('chat_id', '=', chatId)
            .where('id', '>', afterId)
            .where('author_kind', '=', 'system')
            .orderBy('id')
            .execute(),
        )
      ).map((r) => r.text);
    const offers = async (sessionId: number) =>
      (
        await t.server.store.read((db) =>
          db.selectFrom('session_offers').select('user_id').where('session_id', '=', sessionId).execute(),
        )
      ).map((r) => Number(r.user_id));
    // biome-ignore lint/suspicious/noExplicitAny: event bodies are compared as parsed
    const eventsOf = (name: string): any[] =>
      receiver.received.filter((r) => r.path === `/${name}`).map((r) => parsePhpQuery(r.body));
    /** The deliveries of `name` that match, once at least one has arrived (woken after each commit). */
    // biome-ignore lint/suspicious/noExplicitAny: event bodies are compared as parsed
    const arrived = async (name: string, match: (body: any) => boolean): Promise<any[]> => {
      while (!eventsOf(name).some(match)) {
        await receiver.until(receiver.received.length + 1);
      }
      return eventsOf(name).filter(match);
    };

    describe('imopenlines.operator.answer', () => {
      it('answer: the offered operator takes the session (status 10, "picked conversation"), then cannot again', async () => {
        const { chatId, sessionId } = await newDialog();
        assert.deepEqual(await offers(sessionId), [anna]);
        const mark = await lastMessageId(chatId);
        // operator.answer upper-cases the keys: chat_id works.
        assertTrue(await as('anna', 'imopenlines.operator.answer', { chat_id: chatId }));
        const row = await sessionRow(sessionId);
        assert.equal(Number(row.status), 10);
        assert.equal(Number(row.operator_id), anna);
        assert.equal(Number(row.wait_answer), 0);
        assert.deepEqual(await offers(sessionId), []);
        assert.deepEqual(await systemAfter(chatId, mark), [`${u(anna)} picked conversation`]);
        assertError(
          await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId }),
          400,
          'ANSWER_ALREADY_RESPONSIBLE',
          'The agent you are trying to assign is already assigned to this conversation',
        );
      });

      it('answer: two operators offered it at the same moment (all) — one wins, the other ANSWER_COMPETITIVE_REQUEST', async () => {
        const { chatId, sessionId } = await newDialog(everyone);
        assert.deepEqual(await offers(sessionId), [anna, boris]);
        const mark = await lastMessageId(chatId);
        const answers = await Promise.all(
          ['anna', 'boris'].map((who) => as(who, 'imopenlines.operator.answer', { CHAT_ID: chatId })),
        );
        const won = answers.findIndex((a) => a.status === 200);
        assert.notEqual(won, -1, answers.map((a) => a.text).join(' '));
        const winner = won === 0 ? anna : boris;
        assertTrue(answers[won]!);
        assertError(
          answers[1 - won]!,
          400,
          'ANSWER_COMPETITIVE_REQUEST',
          'There is a concurrent request to accept this conversation',
        );
        assert.equal(Number((await sessionRow(sessionId)).operator_id), winner);
        assert.deepEqual(await systemAfter(chatId, mark), [`${u(winner)} picked conversation`]);
      });

      it('answer: errors — CHAT_ID missing or unknown, a user who was not offered it, no open session', async () => {
        const { chatId } = await newDialog();
        assertError(await as('anna', 'imopenlines.operator.answer', {}), 400, 'CHAT_ID', 'Chat ID is invalid.');
        assertError(
          await as('anna', 'imopenlines.operator.answer', { CHAT_ID: 999_999 }),
          400,
          'CHAT_ID',
          'Chat ID is invalid.',
        );
        assertError(
          await as('boris', 'imopenlines.operator.answer', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        // The administrator has the join permission: may take any session; without one there is nothing to take.
        assertTrue(await as('admin', 'imopenlines.operator.answer', { CHAT_ID: chatId }));
        assertTrue(await as('admin', 'imopenlines.operator.spam', { CHAT_ID: chatId }));
        assertError(
          await as('admin', 'imopenlines.operator.answer', { CHAT_ID: chatId }),
          400,
          'SESSION_NOT_LOADED',
          'Cannot load session',
        );
        // The operator it was offered to, after someone else took it: no longer offered, no access.
        assertError(
          await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
      });
    });

    describe('imopenlines.operator.skip', () => {
      it('skip: passed to the next operator by the queue (status 5), with both notes', async () => {
        const { chatId, sessionId } = await newDialog();
        const mark = await lastMessageId(chatId);
        assertTrue(await as('anna', 'imopenlines.operator.skip', { CHAT_ID: chatId }));
        const row = await sessionRow(sessionId);
        assert.equal(Number(row.status), 5);
        assert.equal(Number(row.operator_id), boris);
        assert.deepEqual(await offers(sessionId), [boris]);
        assert.deepEqual(await systemAfter(chatId, mark), [
          `${u(anna)} rejected conversation`,
          `Enquiry transferred to ${u(boris)} according to queuing rules`,
        ]);
        assertError(
          await as('anna', 'imopenlines.operator.skip', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
      });

      it('skip: the only operator of the line cannot (SKIP_ALONE, the note stays); no session', async () => {
        const { chatId, sessionId } = await newDialog(solo);
        const mark = await lastMessageId(chatId);
        assertError(
          await as('anna', 'imopenlines.operator.skip', { CHAT_ID: chatId }),
          400,
          'SKIP_ALONE',
          'You cannot reject the conversation because you are the only person available in the queue.',
        );
        assert.deepEqual(await systemAfter(chatId, mark), [
          'You cannot reject the conversation because you are the only person available in the queue.',
        ]);
        assert.equal(Number((await sessionRow(sessionId)).operator_id), anna);
        assertTrue(await as('admin', 'imopenlines.operator.spam', { CHAT_ID: chatId }));
        assertError(
          await as('admin', 'imopenlines.operator.skip', { CHAT_ID: chatId }),
          400,
          'SESSION_NOT_LOADED',
          'Cannot load session',
        );
        assertError(
          await as('anna', 'imopenlines.operator.skip', { CHAT_ID: 0 }),
          400,
          'CHAT_ID',
          'Chat ID is invalid.',
        );
      });
    });

    describe('imopenlines.operator.spam', () => {
      it('spam: closed for good as spam (65), "marked … as spam", "Conversation closed.", the dialog finish event', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const mark = await lastMessageId(chatId);
        receiver.reset();
        assertTrue(await as('anna', 'imopenlines.operator.spam', { CHAT_ID: chatId }));
        const row = await sessionRow(sessionId);
        assert.equal(Number(row.status), 65);
        assert.equal(Number(row.closed), 1);
        assert.equal(row.close_reason, 'spam');
        assert.deepEqual(await systemAfter(chatId, mark), [
          `${u(anna)} marked the current conversation as spam`,
          'Conversation closed.',
        ]);
        const finished = await arrived(
          'OnImConnectorDialogFinish',
          (e) => e.data.DATA[0].session.id === String(sessionId),
        );
        assert.deepEqual(
          finished.map((e) => e.data.DATA[0].session),
          [{ id: String(sessionId), closed: 'Y', parent_id: '0', close_term: '10' }],
        );
        // No session any more: still true for whoever may act (the administrator), refused to the others.
        assertTrue(await as('admin', 'imopenlines.operator.spam', { CHAT_ID: chatId }));
        assertError(
          await as('anna', 'imopenlines.operator.spam', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        assertError(
          await as('anna', 'imopenlines.operator.spam', { CHAT_ID: 'x' }),
          400,
          'CHAT_ID',
          'Chat ID is invalid.',
        );
      });
    });

    describe('imopenlines.operator.transfer', () => {
      it('transfer to a user: the target takes it at once (§7.4), "transfered conversation to"', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const mark = await lastMessageId(chatId);
        assertTrue(await as('anna', 'imopenlines.operator.transfer', { CHAT_ID: chatId, TRANSFER_ID: carla }));
        const row = await sessionRow(sessionId);
        assert.deepEqual([Number(row.operator_id), Number(row.status), Number(row.wait_answer)], [carla, 10, 0]);
        assert.deepEqual(await offers(sessionId), []);
        assert.deepEqual(await systemAfter(chatId, mark), [`${u(anna)} transfered conversation to ${u(carla)}`]);
        // The new operator writes in it at once; the former one may not.
        const reply = await as('carla', 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Carla here' });
        assert.equal(reply.status, 200, reply.text);
      });

      it('transfer to a line: the session follows it, history reset, distributed there at once; the note names both LINE_NAME', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const mark = await lastMessageId(chatId);
        assertTrue(
          await as('anna', 'imopenlines.operator.transfer', { CHAT_ID: chatId, TRANSFER_ID: `queue${second}` }),
        );
        const row = await sessionRow(sessionId);
        assert.equal(Number(row.line_id), second);
        assert.equal(Number(row.status), 5);
        assert.equal(Number(row.operator_id), carla);
        assert.equal(Number(row.wait_answer), 1);
        assert.equal(row.queue_history, JSON.stringify([carla]));
        assert.deepEqual(await offers(sessionId), [carla]);
        assert.deepEqual(await systemAfter(chatId, mark), [
          `${u(anna)} redirected conversation from queue "[b]First[/b]" to queue "[b]Second[/b]"`,
          `Enquiry transferred to ${u(carla)} according to queuing rules`,
        ]);
        // To its own line (QUEUE_ID): "rejected conversation", and the queue starts again from its first operator.
        const own = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: own.chatId });
        const ownMark = await lastMessageId(own.chatId);
        assertTrue(await as('anna', 'imopenlines.operator.transfer', { CHAT_ID: own.chatId, QUEUE_ID: first }));
        assert.equal(Number((await sessionRow(own.sessionId)).status), 5);
        assert.deepEqual(await systemAfter(own.chatId, ownMark), [
          `${u(anna)} rejected conversation`,
          `Enquiry transferred to ${u(anna)} according to queuing rules`,
        ]);
        assert.deepEqual(await offers(own.sessionId), [anna]);
      });

      it('transfer: errors for each parameter, then OPERATOR_WRONG for every later failure', async () => {
        const { chatId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const call = (params: Record<string, unknown>, who = 'anna') =>
          as(who, 'imopenlines.operator.transfer', params);
        assertError(await call({ TRANSFER_ID: boris }), 400, 'CHAT_ID_EMPTY', "Chat ID can't be empty");
        assertError(await call({ CHAT_ID: chatId }), 400, 'TRANSFER_ID_EMPTY', "Queue ID or User ID can't be empty");
        assertError(
          await call({ CHAT_ID: chatId, TRANSFER_ID: 'abc' }),
          400,
          'USER_ID_EMPTY',
          "User ID can't be empty",
        );
        assertError(await call({ CHAT_ID: chatId, USER_ID: 0 }), 400, 'USER_ID_EMPTY', "User ID can't be empty");
        assertError(
          await call({ CHAT_ID: chatId, TRANSFER_ID: 'queue#123#' }),
          400,
          'QUEUE_ID_EMPTY',
          "QUEUE ID can't be empty",
        );
        const wrong = 'You can not redirect to this operator';
        assertError(await call({ CHAT_ID: chatId, TRANSFER_ID: anna }), 400, 'OPERATOR_WRONG', wrong);
        assertError(await call({ CHAT_ID: chatId, TRANSFER_ID: 999_999 }), 400, 'OPERATOR_WRONG', wrong);
        assertError(await call({ CHAT_ID: chatId, TRANSFER_ID: 'queue999999' }), 400, 'OPERATOR_WRONG', wrong);
        assertError(await call({ CHAT_ID: 999_999, TRANSFER_ID: boris }), 400, 'OPERATOR_WRONG', wrong);
        assertError(await call({ CHAT_ID: chatId, TRANSFER_ID: anna }, 'boris'), 400, 'OPERATOR_WRONG', wrong);
        // USER_ID wins over QUEUE_ID when both are sent.
        assertTrue(await call({ CHAT_ID: chatId, QUEUE_ID: second, USER_ID: boris }));
        assert.equal(Number((await openSessionOf(chatId))?.line_id), first);
      });
    });

    describe('imopenlines.operator.finish and .another.finish', () => {
      it('finish: the operator closes (close text to the customer, status 50); others may not', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        assertError(
          await as('admin', 'imopenlines.operator.finish', { CHAT_ID: chatId }),
          400,
          'ERROR_USER_NOT_OPERATOR',
          'Attempt to close the dialog by a user who is not an operator',
        );
        assertError(
          await as('boris', 'imopenlines.operator.finish', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        const mark = await lastMessageId(chatId);
        receiver.reset();
        assertTrue(await as('anna', 'imopenlines.operator.finish', { chat_id: chatId }));
        const row = await sessionRow(sessionId);
        assert.equal(Number(row.status), 50);
        assert.equal(Number(row.wait_action), 1);
        assert.deepEqual(await systemAfter(chatId, mark), ['Thank you for doing business with us.']);
        const [added] = await arrived(
          'OnImConnectorMessageAdd',
          (e) => e.data.MESSAGES[0].im.chat_id === String(chatId),
        );
        assert.deepEqual(added.data.MESSAGES[0].message, {
          user_id: String(anna),
          text: 'Thank you for doing business with us.',
        });
        // In closing mode a second finish is final.
        assertTrue(await as('anna', 'imopenlines.operator.finish', { CHAT_ID: chatId }));
        assert.equal(Number((await sessionRow(sessionId)).status), 60);
        assertError(
          await as('admin', 'imopenlines.operator.finish', { CHAT_ID: chatId }),
          400,
          'NOT_LOAD_SESSION_OR_CHAT',
          'Session or chat failed to load',
        );
      });

      it('another.finish: someone else closes ("closed the conversation"); an offered session is taken first', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const mark = await lastMessageId(chatId);
        assertTrue(await as('admin', 'imopenlines.operator.another.finish', { CHAT_ID: chatId }));
        assert.deepEqual(await systemAfter(chatId, mark), [
          `${u(1)} closed the conversation`,
          'Thank you for doing business with us.',
        ]);
        assert.equal(Number((await sessionRow(sessionId)).status), 50);

        const offered = await newDialog();
        const offeredMark = await lastMessageId(offered.chatId);
        assertTrue(await as('anna', 'imopenlines.operator.another.finish', { CHAT_ID: offered.chatId }));
        assert.deepEqual(await systemAfter(offered.chatId, offeredMark), [
          `${u(anna)} picked conversation`,
          'Thank you for doing business with us.',
        ]);
        assert.equal(Number((await sessionRow(offered.sessionId)).operator_id), anna);
        assertError(
          await as('boris', 'imopenlines.operator.another.finish', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        // Keys are read as sent: chat_id is not CHAT_ID here.
        assertError(
          await as('anna', 'imopenlines.operator.another.finish', { chat_id: chatId }),
          400,
          'CHAT_ID',
          'Chat ID is invalid.',
        );
      });
    });

    describe('imopenlines.session.intercept', () => {
      it('intercept: takes a session someone else took ("took conversation from"); otherwise nothing', async () => {
        const { chatId, sessionId } = await newDialog();
        const mark = await lastMessageId(chatId);
        // Not taken yet: true, nothing happens.
        assertTrue(await as('admin', 'imopenlines.session.intercept', { CHAT_ID: chatId }));
        assert.deepEqual(await systemAfter(chatId, mark), []);
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const taken = await lastMessageId(chatId);
        assertTrue(await as('admin', 'imopenlines.session.intercept', { CHAT_ID: chatId }));
        assert.equal(Number((await sessionRow(sessionId)).operator_id), 1);
        assert.deepEqual(await systemAfter(chatId, taken), [`${u(1)} took conversation from ${u(anna)}`]);
        const wrong = 'You can not redirect to this operator';
        assertError(
          await as('anna', 'imopenlines.session.intercept', { CHAT_ID: chatId }),
          400,
          'OPERATOR_WRONG',
          wrong,
        );
        assertError(
          await as('anna', 'imopenlines.session.intercept', {}),
          400,
          'CHAT_ID_EMPTY',
          "Chat ID can't be empty",
        );
      });
    });

    describe('imopenlines.session.join', () => {
      it('join: the caller becomes a member and may write after the queue moved on; strangers may not join', async () => {
        const { chatId, sessionId } = await newDialog();
        assertTrue(await as('anna', 'imopenlines.session.join', { CHAT_ID: chatId }));
        assertTrue(await as('anna', 'imopenlines.operator.skip', { CHAT_ID: chatId }));
        assert.deepEqual(await offers(sessionId), [boris]);
        const posted = await as('anna', 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'still here' });
        assert.equal(posted.status, 200, posted.text);
        assertError(
          await as('carla', 'imopenlines.session.join', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        assertError(await as('carla', 'imopenlines.session.join', {}), 400, 'CHAT_ID', 'Chat ID is invalid.');
      });
    });

    describe('imopenlines.session.start', () => {
      it('start: a new output session of the caller in a chat without one; a join into an open one', async () => {
        const { chatId, sessionId } = await newDialog();
        assertTrue(await as('admin', 'imopenlines.operator.spam', { CHAT_ID: chatId }));
        const mark = await lastMessageId(chatId);
        receiver.reset();
        assertTrue(await as('admin', 'imopenlines.session.start', { CHAT_ID: chatId }));
        const open = await openSessionOf(chatId);
        assert.ok(open);
        assert.equal(open.mode, 'output');
        assert.equal(Number(open.status), 10);
        assert.equal(Number(open.operator_id), 1);
        assert.equal(Number(open.parent_id), sessionId);
        assert.deepEqual(await systemAfter(chatId, mark), [`Conversation ${link(Number(open.id))} started`]);
        const started = (
          await arrived('OnImConnectorDialogStart', (e) => e.data.DATA[0].session.id === String(open.id))
        ).map((e) => e.data.DATA[0].session);
        assert.deepEqual(started, [
          { id: String(open.id), closed: 'N', parent_id: String(sessionId), close_term: '10' },
        ]);
        // An open session: the caller joins it, nothing else changes.
        const other = await newDialog();
        assertTrue(await as('admin', 'imopenlines.session.start', { CHAT_ID: other.chatId }));
        assert.equal(Number((await sessionRow(other.sessionId)).operator_id), anna);
        assertError(
          await as('carla', 'imopenlines.session.start', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
      });
    });

    describe('imopenlines.message.session.start', () => {
      it('message.session.start: the open session closes, a forked one of the caller starts with the message', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const customerMessage = await t.server.store.read((db) =>
          db
            .selectFrom('messages')
            .select('id')
            .where('chat_id', '=', chatId)
            .where('author_kind', '=', 'customer')
            .executeTakeFirstOrThrow(),
        );
        const mark = await lastMessageId(chatId);
        assertTrue(
          await as('anna', 'imopenlines.message.session.start', {
            CHAT_ID: chatId,
            MESSAGE_ID: Number(customerMessage.id),
          }),
        );
        const old = await sessionRow(sessionId);
        assert.equal(Number(old.status), 60);
        assert.equal(Number(old.closed), 1);
        const open = await openSessionOf(chatId);
        assert.ok(open);
        assert.equal(Number(open.parent_id), sessionId);
        assert.equal(Number(open.operator_id), anna);
        assert.equal(Number(open.status), 10);
        assert.deepEqual(await systemAfter(chatId, mark), [
          `${u(anna)} closed the current conversation and started a new one`,
          'Conversation closed.',
          `New conversation ${link(Number(open.id))} started (forked from ${link(sessionId)})`,
        ]);
        const reposted = await t.server.store.read((db) =>
          db
            .selectFrom('messages')
            .selectAll()
            .where('chat_id', '=', chatId)
            .where('id', '>', mark)
            .where('author_kind', '=', 'customer')
            .execute(),
        );
        assert.deepEqual(
          reposted.map((m) => [m.text, Number(m.session_id)]),
          [['Hello', Number(open.id)]],
        );
        // A message of another chat or none: true, nothing happens.
        assertTrue(await as('anna', 'imopenlines.message.session.start', { CHAT_ID: chatId, MESSAGE_ID: 999_999 }));
        assert.equal(Number((await openSessionOf(chatId))?.id), Number(open.id));
        assertError(
          await as('boris', 'imopenlines.message.session.start', { CHAT_ID: chatId, MESSAGE_ID: 1 }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
      });
    });

    describe('imopenlines.session.mode.pin / unpin / pinAll / unpinAll', () => {
      it('pin: pinned for a week (the note names the day), unpin: the other note; only the operator', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        assertError(
          await as('admin', 'imopenlines.session.mode.pin', { CHAT_ID: chatId }),
          400,
          'ERROR_USER_NOT_OPERATOR',
          'Attempt to change the mode by a user who is not an operator',
        );
        const mark = await lastMessageId(chatId);
        assertTrue(await as('anna', 'imopenlines.session.mode.pin', { CHAT_ID: chatId }));
        assertTrue(await as('anna', 'imopenlines.session.mode.pin', { CHAT_ID: chatId, ACTIVATE: 'Y' }));
        const row = await sessionRow(sessionId);
        assert.equal(Number(row.pause), 1);
        const alarm = await t.server.store.read((db) =>
          db
            .selectFrom('session_alarms')
            .select('due_at_ms')
            .where('session_id', '=', sessionId)
            .where('kind', '=', 'close')
            .executeTakeFirstOrThrow(),
        );
        assert.equal(Number(alarm.due_at_ms), clock.now() + 7 * 24 * 3600 * 1000);
        const unpinned = 'The conversation is unassigned from agent, auto close date set according to the queue rules.';
        assertTrue(await as('anna', 'imopenlines.session.mode.pin', { CHAT_ID: chatId, ACTIVATE: 'N' }));
        assertTrue(await as('anna', 'imopenlines.session.mode.pin', { CHAT_ID: chatId }));
        assertTrue(await as('anna', 'imopenlines.session.mode.unpin', { CHAT_ID: chatId }));
        assert.deepEqual(await systemAfter(chatId, mark), [
          'The conversation is assigned to agent, auto close date moved to [b]09 December[/b]',
          unpinned,
          'The conversation is assigned to agent, auto close date moved to [b]09 December[/b]',
          unpinned,
        ]);
        assert.equal(Number((await sessionRow(sessionId)).pause), 0);
        assertError(
          await as('anna', 'imopenlines.session.mode.pin', {}),
          400,
          'CHAT_ID_EMPTY',
          "Chat ID can't be empty",
        );
        assertError(
          await as('anna', 'imopenlines.session.mode.unpin', { CHAT_ID: '0' }),
          400,
          'CHAT_ID_EMPTY',
          "Chat ID can't be empty",
        );
        assertError(
          await as('boris', 'imopenlines.session.mode.pin', { CHAT_ID: chatId }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        assertTrue(await as('admin', 'imopenlines.operator.spam', { CHAT_ID: chatId }));
        assertError(
          await as('admin', 'imopenlines.session.mode.pin', { CHAT_ID: chatId }),
          400,
          'NOT_LOAD_SESSION_OR_CHAT',
          'Session or chat failed to load',
        );
      });

      it('unpin with CHECK_AVAILABLE=Y: a session not answered yet of an operator gone offline goes back to the queue', async () => {
        const { chatId, sessionId } = await newDialog(checked);
        // Anna is offline: only Dora is offered it.
        assert.deepEqual(await offers(sessionId), [dora]);
        assertTrue(await as('dora', 'imopenlines.operator.answer', { CHAT_ID: chatId }));
        assertTrue(await as('dora', 'imopenlines.session.mode.pin', { CHAT_ID: chatId }));
        await t.server.services.presence.setPresence(dora, { status: 'offline' });
        try {
          const mark = await lastMessageId(chatId);
          assertTrue(await as('dora', 'imopenlines.session.mode.unpin', { CHAT_ID: chatId }));
          const row = await sessionRow(sessionId);
          assert.equal(Number(row.pause), 0);
          assert.equal(Number(row.status), 5);
          assert.equal(Number(row.wait_answer), 1);
          // No word about the return itself (NONWORKING_SILENT); the queue then finds nobody available.
          assert.deepEqual((await systemAfter(chatId, mark)).slice(0, 1), [
            'The conversation is unassigned from agent, auto close date set according to the queue rules.',
          ]);
        } finally {
          await t.server.services.presence.setPresence(dora, { status: 'online' });
        }
      });

      it('pinAll / unpinAll: the caller’s sessions in work, their ids, newest first', async () => {
        // Boris's sessions in work: the two transferred to him here (he takes them at once), newest first, after
        // any an earlier test of this suite left with him.
        const earlier = (await as('boris', 'imopenlines.session.mode.pinAll')).body.result as number[];
        await as('boris', 'imopenlines.session.mode.unpinAll');
        const a = await newDialog();
        const b = await newDialog();
        for (const d of [a, b]) {
          assertTrue(await as('anna', 'imopenlines.operator.transfer', { CHAT_ID: d.chatId, TRANSFER_ID: boris }));
        }
        const pinned = await as('boris', 'imopenlines.session.mode.pinAll');
        assert.equal(pinned.status, 200, pinned.text);
        assert.deepEqual(pinned.body.result, [b.sessionId, a.sessionId, ...earlier]);
        assert.deepEqual((await as('boris', 'imopenlines.session.mode.pinAll')).body.result, []);
        assert.deepEqual((await as('boris', 'imopenlines.session.mode.unpinAll')).body.result, [
          b.sessionId,
          a.sessionId,
          ...earlier,
        ]);
        assert.deepEqual((await as('carla', 'imopenlines.session.mode.unpinAll')).body.result, []);
      });
    });

    describe('imopenlines.session.open', () => {
      it('open: the chat of a user code for its operator or an administrator', async () => {
        const { chatId, userCode } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const opened = await as('anna', 'imopenlines.session.open', { USER_CODE: userCode });
        assert.equal(opened.status, 200, opened.text);
        assert.deepEqual(opened.body.result, { chatId });
        assert.deepEqual((await as('admin', 'imopenlines.session.open', { USER_CODE: userCode })).body.result, {
          chatId,
        });
        assertError(
          await as('boris', 'imopenlines.session.open', { USER_CODE: userCode }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        assertError(
          await as('anna', 'imopenlines.session.open', { USER_CODE: 'x|1|2|3' }),
          400,
          'ACCESS_DENIED',
          NO_ACCESS,
        );
        assertError(await as('anna', 'imopenlines.session.open', {}), 400, 'ACCESS_DENIED', NO_ACCESS);
      });
    });

    describe('imopenlines.session.history.get', () => {
      it('history.get: the session’s messages for its operator, by SESSION_ID or CHAT_ID', async () => {
        const { chatId, sessionId } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const answer = await as('anna', 'imopenlines.session.history.get', { SESSION_ID: sessionId });
        assert.equal(answer.status, 200, answer.text);
        const result = answer.body.result;
        assert.equal(result.chatId, chatId);
        assert.equal(result.sessionId, sessionId);
        assert.equal(result.userId, `chat${chatId}`);
        assert.equal(result.canJoin, 'N');
        const texts = Object.values(result.message as Record<string, { text: string; recipientid: string }>).map(
          (m) => m.text,
        );
        assert.deepEqual(texts, [
          `Conversation ${link(sessionId)} started`,
          `Enquiry assigned to ${u(anna)}`,
          'Hello',
          `${u(anna)} picked conversation`,
        ]);
        assert.deepEqual(result.usersMessage[`chat${chatId}`], Object.keys(result.message).map(Number));
        const byChat = await as('anna', 'imopenlines.session.history.get', { CHAT_ID: chatId });
        assert.equal(byChat.body.result.sessionId, sessionId);
        assertError(
          await as('anna', 'imopenlines.session.history.get', {}),
          400,
          'MISSING_REQUIRED_PARAM',
          'Session ID or Chat ID must be provided',
        );
        assertError(
          await as('anna', 'imopenlines.session.history.get', { CHAT_ID: 999_999 }),
          400,
          'INVALID_SESSION_ID',
          'Unable to determine session ID from provided parameters',
        );
        assertError(
          await as('boris', 'imopenlines.session.history.get', { SESSION_ID: sessionId }),
          400,
          'ACCESS_DENIED',
          'Access denied!',
        );
        assert.equal((await as('admin', 'imopenlines.session.history.get', { SESSION_ID: sessionId })).status, 200);
      });
    });

    describe('imopenlines.dialog.get', () => {
      it('dialog.get: the chat by CHAT_ID, DIALOG_ID, SESSION_ID or USER_CODE; ACCESS_ERROR otherwise', async () => {
        const { chatId, sessionId, userCode } = await newDialog();
        await as('anna', 'imopenlines.operator.answer', { CHAT_ID: chatId });
        const got = await as('anna', 'imopenlines.dialog.get', { chat_id: chatId });
        assert.equal(got.status, 200, got.text);
        const chat = got.body.result;
        assert.equal(chat.id, chatId);
        assert.equal(chat.owner, anna);
        assert.equal(chat.type, 'lines');
        assert.equal(chat.entity_type, 'LINES');
        assert.equal(chat.entity_id, userCode);
        assert.equal(chat.dialog_id, `chat${chatId}`);
        assert.equal(chat.entity_data_1.split('|')[5], String(sessionId));
        for (const params of [
          { DIALOG_ID: `chat${chatId}` },
          { SESSION_ID: sessionId },
          { USER_CODE: `imol|${userCode}` },
        ]) {
          assert.equal((await as('anna', 'imopenlines.dialog.get', params)).body.result?.id, chatId);
        }
        // The line's operators may read it (Boris is in the queue); Carla is not.
        assert.equal((await as('boris', 'imopenlines.dialog.get', { CHAT_ID: chatId })).status, 200);
        const denied = 'You do not have access to the specified dialog';
        assertError(await as('carla', 'imopenlines.dialog.get', { CHAT_ID: chatId }), 400, 'ACCESS_ERROR', denied);
        assertError(await as('anna', 'imopenlines.dialog.get', {}), 400, 'ACCESS_ERROR', denied);
        assertError(await as('anna', 'imopenlines.dialog.get', { CHAT_ID: 999_999 }), 400, 'ACCESS_ERROR', denied);
      });
    });

    describe('imopenlines.v2.Session.list and imopenlines.v2.Operator.list', () => {
      it('Session.list: filters, string statuses, paging; administrators see all, operators their own', async () => {
        const waiting = await newDialog(second);
        const taken = await newDialog(second);
        await as('carla', 'imopenlines.operator.answer', { CHAT_ID: taken.chatId });
        const list = async (params: Record<string, unknown>, who = 'admin') => {
          const answer = await as(who, 'imopenlines.v2.Session.list', params);
          assert.equal(answer.status, 200, answer.text);
          return answer.body.result as { sessions: Record<string, unknown>[]; hasNextPage: boolean };
        };
        const onSecond = await list({ configId: second, order: 'dateCreate', orderDirection: 'asc' });
        const ids = onSecond.sessions.map((s) => s.id);
        assert.ok(ids.includes(waiting.sessionId) && ids.includes(taken.sessionId));
        const item = onSecond.sessions.find((s) => s.id === taken.sessionId);
        assert.deepEqual(
          { ...item, dateCreate: typeof item?.dateCreate, dateOperatorAnswer: typeof item?.dateOperatorAnswer },
          {
            id: taken.sessionId,
            configId: second,
            source: CONNECTOR,
            operatorId: carla,
            userId: item?.userId,
            userCode: taken.userCode,
            chatId: taken.chatId,
            dateCreate: 'string',
            dateClose: null,
            dateFirstAnswer: null,
            dateOperatorAnswer: 'string',
            status: 'answered',
            closeReason: null,
            vote: 'none',
            voteHead: null,
            commentHead: null,
            crmEntityType: null,
            crmEntityId: null,
            queueTransfers: 0,
            waitAnswer: 0,
            waitClose: null,
            kpiFirstAnswer: false,
            messageCount: item?.messageCount,
          },
        );
        const fresh = (await list({ configId: second, status: 'new' })).sessions;
        assert.ok(fresh.every((s) => s.status === 'new'));
        assert.ok(fresh.some((s) => s.id === waiting.sessionId));
        assert.ok(!fresh.some((s) => s.id === taken.sessionId));
        const answered = (await list({ configId: second, status: 'answered' })).sessions.map((s) => s.id);
        assert.ok(answered.includes(taken.sessionId));
        const byWait = await list({ configId: second, order: 'waitAnswer', orderDirection: 'asc' });
        assert.deepEqual(byWait.sessions.map((s) => s.id).sort(), onSecond.sessions.map((s) => s.id).sort());
        const page = await list({ configId: second, limit: 1 });
        assert.equal(page.sessions.length, 1);
        assert.equal(page.hasNextPage, true);
        const mine = await list({}, 'carla');
        assert.ok(mine.sessions.every((s) => s.operatorId === carla));
        const invalid = 'Invalid filter value';
        const err = async (params: Record<string, unknown>) => as('admin', 'imopenlines.v2.Session.list', params);
        assertError(await err({ status: 'open' }), 400, 'INVALID_FILTER', invalid);
        assertError(await err({ limit: 500 }), 400, 'INVALID_FILTER', invalid);
        assertError(await err({ order: 'id' }), 400, 'INVALID_FILTER', invalid);
        assertError(await err({ configIdList: ['x'] }), 400, 'INVALID_FILTER', invalid);
        assertError(await err({ status: 'closed', closeReason: 'spam' }), 400, 'INVALID_FILTER', invalid);
        assertError(await err({ dateCreateFrom: 'yesterday' }), 400, 'INVALID_FILTER', invalid);
        assertError(await err({ offset: 10_001 }), 400, 'OFFSET_TOO_LARGE', 'Offset is too large');
        assertError(
          await err({ dateCreateFrom: '2025-01-01T00:00:00Z', dateCreateTo: '2026-12-01T00:00:00Z' }),
          400,
          'PERIOD_TOO_LARGE',
          'The requested period exceeds the maximum of 1 year',
        );
      });

      it('Operator.list: one row per operator and line, status, load and free slots', async () => {
        const answer = await as('admin', 'imopenlines.v2.Operator.list', { configId: first });
        assert.equal(answer.status, 200, answer.text);
        const rows = answer.body.result.operators as Record<string, unknown>[];
        assert.deepEqual(
          rows.map((r) => [r.userId, r.configId, r.status, r.maxChat, r.freeSlots, r.lastActivityDate]),
          [
            // Online by activity: both made REST calls a moment ago (DECISIONS.md availability).
            [anna, first, 'online', 0, null, null],
            [boris, first, 'online', 0, null, null],
          ],
        );
        assert.equal(answer.body.result.hasNextPage, false);
        const own = await as('carla', 'imopenlines.v2.Operator.list', {});
        assert.deepEqual(
          (own.body.result.operators as Record<string, unknown>[]).map((r) => [r.userId, r.configId]),
          [[carla, second]],
        );
        assertError(
          await as('admin', 'imopenlines.v2.Operator.list', { status: 'busy' }),
          400,
          'INVALID_FILTER',
          'Invalid status filter value',
        );
        assertError(
          await as('admin', 'imopenlines.v2.Operator.list', { offset: 20_000 }),
          400,
          'OFFSET_TOO_LARGE',
          'Offset is too large',
        );
      });
    });
  });
}
