// The line's automatic actions and the rating (issue 18; runtime-sessions.md §2.2 steps 4 and 9, §2.3, §2.4, §3.10,
// §5, §7.13), for every store, through real HTTP and a test clock: each setting with a test that shows its effect
// and one that shows its absence when it is off — WELCOME_MESSAGE / SEND_WELCOME_EACH_SESSION, NO_ANSWER_RULE /
// NO_ANSWER_TIME / NO_ANSWER_TEXT, VOTE_MESSAGE / VOTE_MESSAGE_2_* / VOTE_TIME_LIMIT / VOTE_CLOSING_DELAY, the vote in
// imopenlines.v2.Session.list, imopenlines.session.head.vote, and ACTIVE=N.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_TEXTS } from '../../src/domain/sessions/system-texts.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { MINUTE, Portal, SECOND } from '../helpers/portal.js';
import { STORES } from '../helpers/stores.js';

const CONNECTOR = 'auto_bridge';
const WELCOME = 'Hello! Your conversation is #SESSION_ID#.';
const VOTE_ASK = 'Rate us: 1 good, 0 bad.';
const LIKE = 'Glad to hear it!';
const DISLIKE = 'Sorry about that.';
const NO_ANSWER = 'Nobody is free right now, we will write back.';

for (const store of STORES) {
  describe(`welcome, no answer, rating, inactive line [${store}]`, () => {
    const portal = new Portal(store, { prefix: 'openlines-auto-', settings: { portalName: 'Acme' } });
    let a: number;
    let plain: number;

    before(async () => {
      await portal.start();
      await portal.connector(CONNECTOR);
      a = await portal.operator('Anna');
      plain = await portal.operator('Pavel');
    });
    after(() => portal.close());

    /** A line of operator A with nothing automatic but what `params` switches on. */
    const line = (name: string, params: Record<string, unknown> = {}) =>
      portal.line(CONNECTOR, {
        LINE_NAME: name,
        QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(a) }],
        WELCOME_MESSAGE: 'N',
        VOTE_MESSAGE: 'N',
        CLOSE_RULE: 'none',
        ...params,
      });
    /** What the automatic texts and votes change on a session. */
    const sessionState = async (id: number) => {
      const row = await portal.sessionRow(id);
      return {
        status: Number(row.status),
        closed: Number(row.closed) === 1,
        waitVote: Number(row.wait_vote) === 1,
        vote: Number(row.vote),
        sendNoAnswerText: Number(row.send_no_answer_text) === 1,
      };
    };
    const customerTexts = async (chatId: number) =>
      (await portal.systemMessages(chatId)).filter((n) => n.toCustomer).map((n) => n.text);
    const texts = async (chatId: number) => (await portal.systemMessages(chatId)).map((n) => n.text);

    // ---- Welcome (§5)

    it('WELCOME_MESSAGE=Y: WELCOME_MESSAGE_TEXT (#SESSION_ID# replaced) goes to the customer after the first message of a new chat, once', async () => {
      const id = await line('Welcome', { WELCOME_MESSAGE: 'Y', WELCOME_MESSAGE_TEXT: WELCOME });
      const first = await portal.customerSays(CONNECTOR, id, 'wel-1', 'hi');
      const welcome = { text: `Hello! Your conversation is ${first.sessionId}.`, toCustomer: true };
      assert.deepEqual((await portal.systemMessages(first.chatId)).at(-1), welcome);
      await portal.customerSays(CONNECTOR, id, 'wel-1', 'anyone?');
      assert.equal(
        (await portal.systemMessages(first.chatId)).filter((n) => n.toCustomer).length,
        1,
        'not on the second',
      );
      assert.ok(!(await texts(first.chatId)).includes(SYSTEM_TEXTS.lineInactive), 'an active line has no note');
      // SEND_WELCOME_EACH_SESSION=N: the chat's next session gets none.
      await portal.takeAndFinish(a, first.chatId);
      const again = await portal.customerSays(CONNECTOR, id, 'wel-1', 'me again');
      assert.notEqual(again.sessionId, first.sessionId);
      assert.equal(
        (await portal.systemMessages(first.chatId)).filter((n) => n.toCustomer).length,
        1,
        'not in the next session',
      );
    });

    it('SEND_WELCOME_EACH_SESSION=Y: the welcome opens every session of the chat', async () => {
      const id = await line('Welcome each', {
        WELCOME_MESSAGE: 'Y',
        WELCOME_MESSAGE_TEXT: WELCOME,
        SEND_WELCOME_EACH_SESSION: 'Y',
      });
      const first = await portal.customerSays(CONNECTOR, id, 'wel-each', 'hi');
      await portal.takeAndFinish(a, first.chatId);
      const again = await portal.customerSays(CONNECTOR, id, 'wel-each', 'me again');
      await portal.customerSays(CONNECTOR, id, 'wel-each', 'still me');
      assert.deepEqual(
        (await portal.systemMessages(first.chatId)).filter((n) => n.toCustomer).map((n) => n.text),
        [`Hello! Your conversation is ${first.sessionId}.`, `Hello! Your conversation is ${again.sessionId}.`],
      );
    });

    it('WELCOME_MESSAGE_TEXT: #COMPANY_NAME# is the portal name (PORTAL_NAME), in the default and in a text set with it', async () => {
      const byDefault = await line('Welcome default', { WELCOME_MESSAGE: 'Y' });
      const first = await portal.customerSays(CONNECTOR, byDefault, 'wel-company-1', 'hi');
      assert.deepEqual(await customerTexts(first.chatId), [
        'Welcome to [b]Acme[/b] Open Channel![br]You will receive a reply shortly, please hold on.',
      ]);
      const set = await line('Welcome set', { WELCOME_MESSAGE: 'Y', WELCOME_MESSAGE_TEXT: 'Hi from #COMPANY_NAME#.' });
      const second = await portal.customerSays(CONNECTOR, set, 'wel-company-2', 'hi');
      assert.deepEqual(await customerTexts(second.chatId), ['Hi from Acme.']);
    });

    it('WELCOME_MESSAGE=N: no welcome', async () => {
      const id = await line('No welcome', { WELCOME_MESSAGE_TEXT: WELCOME, SEND_WELCOME_EACH_SESSION: 'Y' });
      const first = await portal.customerSays(CONNECTOR, id, 'wel-none', 'hi');
      assert.deepEqual(
        (await portal.systemMessages(first.chatId)).filter((n) => n.toCustomer),
        [],
      );
    });

    // ---- No answer (§3.10)

    it('NO_ANSWER_RULE=text: NO_ANSWER_TIME after the start nobody took it, NO_ANSWER_TEXT goes out once; the queue goes on', async () => {
      const id = await line('No answer', {
        NO_ANSWER_RULE: 'text',
        NO_ANSWER_TIME: 120,
        NO_ANSWER_TEXT: NO_ANSWER,
        QUEUE_TIME: 60,
      });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'na-1', 'hello?');
      await portal.advance(119 * SECOND);
      assert.equal((await sessionState(sessionId)).sendNoAnswerText, false);
      await portal.advance(SECOND);
      assert.deepEqual(
        (await portal.systemMessages(chatId)).filter((n) => n.toCustomer),
        [{ text: NO_ANSWER, toCustomer: true }],
      );
      const state = await sessionState(sessionId);
      assert.equal(state.sendNoAnswerText, true);
      assert.ok(state.status < 10 && !state.closed, 'still waiting in the queue');
      await portal.customerSays(CONNECTOR, id, 'na-1', 'hello??');
      await portal.advance(30 * MINUTE);
      assert.equal((await portal.systemMessages(chatId)).filter((n) => n.text === NO_ANSWER).length, 1, 'at most once');
      // The queue was not stopped: A is still offered it and can take it.
      const answered = await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.answer', { CHAT_ID: chatId });
      assert.equal(answered.status, 200, answered.text);
    });

    it('NO_ANSWER_RULE=text: a session taken in time gets no text; NO_ANSWER_RULE=none never', async () => {
      const id = await line('Answered in time', {
        NO_ANSWER_RULE: 'text',
        NO_ANSWER_TIME: 120,
        NO_ANSWER_TEXT: NO_ANSWER,
      });
      const taken = await portal.customerSays(CONNECTOR, id, 'na-taken', 'hi');
      await portal.advance(60 * SECOND);
      await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.answer', { CHAT_ID: taken.chatId });
      await portal.advance(10 * MINUTE);
      assert.ok(!(await texts(taken.chatId)).includes(NO_ANSWER));
      const off = await line('No no-answer', { NO_ANSWER_RULE: 'none', NO_ANSWER_TIME: 60, NO_ANSWER_TEXT: NO_ANSWER });
      const waiting = await portal.customerSays(CONNECTOR, off, 'na-off', 'hi');
      await portal.advance(10 * MINUTE);
      assert.ok(!(await texts(waiting.chatId)).includes(NO_ANSWER));
    });

    it('NO_ANSWER_RULE=text off-hours: the off-hours text went out, so the no-answer text does not follow (§4)', async () => {
      const id = await line('No answer off-hours', {
        NO_ANSWER_RULE: 'text',
        NO_ANSWER_TIME: 60,
        NO_ANSWER_TEXT: NO_ANSWER,
        WORKTIME_ENABLE: 'Y',
        WORKTIME_TIMEZONE: 'UTC',
        WORKTIME_FROM: '18',
        WORKTIME_TO: '19',
        WORKTIME_DAYOFF_RULE: 'text',
        WORKTIME_DAYOFF_TEXT: 'We are closed now.',
      });
      const { chatId } = await portal.customerSays(CONNECTOR, id, 'na-offhours', 'hi');
      await portal.advance(10 * MINUTE);
      const sent = (await portal.systemMessages(chatId)).filter((n) => n.toCustomer).map((n) => n.text);
      assert.deepEqual(sent, ['We are closed now.']);
    });

    // ---- Closing and auto-close (§2.3)

    it("CLOSE_RULE=text: the operator's finish sends CLOSE_TEXT (status 50); FULL_CLOSE_TIME minutes later the final close", async () => {
      const id = await line('Close text', { CLOSE_RULE: 'text', CLOSE_TEXT: 'Bye!', FULL_CLOSE_TIME: 5 });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'close-1', 'hi');
      await portal.takeAndFinish(a, chatId);
      assert.deepEqual(await customerTexts(chatId), ['Bye!']);
      assert.deepEqual([(await sessionState(sessionId)).status, (await sessionState(sessionId)).closed], [50, false]);
      await portal.advance(5 * MINUTE - SECOND);
      assert.equal((await sessionState(sessionId)).closed, false, 'not before FULL_CLOSE_TIME');
      await portal.advance(SECOND);
      assert.equal((await sessionState(sessionId)).closed, true);
      assert.equal((await texts(chatId)).at(-1), SYSTEM_TEXTS.closedFinal);
      // After the final close a message opens a new session (§2.3).
      const next = await portal.customerSays(CONNECTOR, id, 'close-1', 'one more thing');
      assert.notEqual(next.sessionId, sessionId);
    });

    it('FULL_CLOSE_TIME: a message within the window continues the same session', async () => {
      const id = await line('Close window', { CLOSE_RULE: 'text', CLOSE_TEXT: 'Bye!', FULL_CLOSE_TIME: 5 });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'close-2', 'hi');
      await portal.takeAndFinish(a, chatId);
      await portal.advance(2 * MINUTE);
      const again = await portal.customerSays(CONNECTOR, id, 'close-2', 'wait, one more');
      assert.equal(again.sessionId, sessionId);
      assert.equal((await sessionState(sessionId)).closed, false);
    });

    it("CLOSE_RULE=none: the operator's finish sends the customer nothing and, with no vote to wait for, is final", async () => {
      const id = await line('Close silent', { CLOSE_RULE: 'none', CLOSE_TEXT: 'Bye!' });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'close-3', 'hi');
      await portal.takeAndFinish(a, chatId);
      assert.deepEqual(await customerTexts(chatId), []);
      assert.ok((await texts(chatId)).includes(SYSTEM_TEXTS.closedBy(a)));
      assert.deepEqual([(await sessionState(sessionId)).status, (await sessionState(sessionId)).closed], [60, true]);
    });

    it("AUTO_CLOSE_RULE=text: AUTO_CLOSE_TIME after the operator's last reply, AUTO_CLOSE_TEXT goes out (status 50)", async () => {
      const id = await line('Auto close', {
        AUTO_CLOSE_RULE: 'text',
        AUTO_CLOSE_TIME: 600,
        AUTO_CLOSE_TEXT: 'Closing now.',
      });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'auto-1', 'hi');
      await portal.call(portal.hooks.get(a)!, 'im.message.add', {
        DIALOG_ID: `chat${chatId}`,
        MESSAGE: 'Here to help',
      });
      await portal.advance(600 * SECOND - SECOND);
      assert.equal((await sessionState(sessionId)).status, 40);
      await portal.advance(SECOND);
      assert.deepEqual(await customerTexts(chatId), ['Closing now.']);
      assert.equal((await sessionState(sessionId)).status, 50);
    });

    it('AUTO_CLOSE_RULE=none: the automatic close sends the customer nothing and, with no vote to wait for, is final', async () => {
      const id = await line('Auto silent', {
        AUTO_CLOSE_RULE: 'none',
        AUTO_CLOSE_TIME: 600,
        AUTO_CLOSE_TEXT: 'Closing now.',
      });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'auto-2', 'hi');
      await portal.call(portal.hooks.get(a)!, 'im.message.add', {
        DIALOG_ID: `chat${chatId}`,
        MESSAGE: 'Here to help',
      });
      await portal.advance(600 * SECOND);
      assert.deepEqual(await customerTexts(chatId), []);
      assert.ok((await texts(chatId)).includes(SYSTEM_TEXTS.closedAutomatically));
      assert.deepEqual([(await sessionState(sessionId)).status, (await sessionState(sessionId)).closed], [60, true]);
    });

    // ---- Rating (§2.4)

    const voting = (name: string, params: Record<string, unknown> = {}) =>
      line(name, {
        VOTE_MESSAGE: 'Y',
        VOTE_MESSAGE_2_TEXT: VOTE_ASK,
        VOTE_MESSAGE_2_LIKE: LIKE,
        VOTE_MESSAGE_2_DISLIKE: DISLIKE,
        FULL_CLOSE_TIME: 10,
        ...params,
      });

    it('VOTE_MESSAGE=Y: the first close sends VOTE_MESSAGE_2_TEXT (status 50); `1 thanks` is a like, answered with VOTE_MESSAGE_2_LIKE; shown in v2', async () => {
      const id = await voting('Vote');
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'vote-1', 'hi');
      await portal.takeAndFinish(a, chatId);
      assert.deepEqual((await portal.systemMessages(chatId)).at(-1), { text: VOTE_ASK, toCustomer: true });
      assert.deepEqual(await sessionState(sessionId), {
        status: 50,
        closed: false,
        waitVote: true,
        vote: 0,
        sendNoAnswerText: true,
      });
      await portal.customerSays(CONNECTOR, id, 'vote-1', '1 thanks');
      assert.equal((await portal.said(chatId)).at(-1), '[like] thanks');
      assert.deepEqual((await portal.systemMessages(chatId)).at(-1), { text: LIKE, toCustomer: true });
      const voted = await sessionState(sessionId);
      assert.deepEqual([voted.status, voted.closed, voted.waitVote, voted.vote], [50, false, false, 5]);
      const listed = await portal.call(portal.adminHook, 'imopenlines.v2.Session.list', { configId: id });
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.body.result.sessions[0].vote, 'like');
      const likes = await portal.call(portal.adminHook, 'imopenlines.v2.Session.list', { configId: id, vote: 'like' });
      assert.equal(likes.body.result.sessions.length, 1);
      const none = await portal.call(portal.adminHook, 'imopenlines.v2.Session.list', { configId: id, vote: 'none' });
      assert.equal(none.body.result.sessions.length, 0);
      // VOTE_CLOSING_DELAY=N: it waits out FULL_CLOSE_TIME, then closes; the vote stays.
      await portal.advance(10 * MINUTE);
      assert.deepEqual(await sessionState(sessionId), {
        status: 60,
        closed: true,
        waitVote: false,
        vote: 5,
        sendNoAnswerText: true,
      });
    });

    it("OnOpenlinesSessionVote and the operator's rating notice: a counted vote notifies the operator (im.notify.get) and applications; a late one neither", async () => {
      const receiver = new EventReceiver();
      await receiver.start();
      try {
        await portal.refreshToken();
        const bound = await portal.app('event.bind', {
          event: 'OnOpenlinesSessionVote',
          handler: receiver.url('/vote'),
        });
        assert.equal(bound.body.result, true, bound.text);
        const id = await voting('Vote notice', { VOTE_TIME_LIMIT: 60 });
        const notices = async () => {
          const got = await portal.call(portal.hooks.get(a)!, 'im.notify.get');
          assert.equal(got.status, 200, got.text);
          return got.body.result.notifications as { text: string; notify_event: string; author_id: number }[];
        };
        const before = (await notices()).length;
        const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'vote-notice', 'hi');
        const customer = Number(
          (
            await portal.server.store.db
              .selectFrom('chats')
              .select('customer_id')
              .where('id', '=', chatId)
              .executeTakeFirstOrThrow()
          ).customer_id,
        );
        await portal.takeAndFinish(a, chatId);
        await portal.customerSays(CONNECTOR, id, 'vote-notice', '1');
        const [notice] = await notices();
        assert.deepEqual(
          [notice?.text, notice?.notify_event, notice?.author_id],
          [
            `[b]Conversation rated[/b][br][USER=${customer}][/USER] rated conversation #[url=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/url]: [like]`,
            'rating_client',
            customer,
          ],
        );
        await portal.advance(0);
        await receiver.until(1);
        const data = (parsePhpQuery(receiver.received[0]!.body) as { data: Record<string, unknown> }).data;
        assert.deepEqual(data, {
          LINE: String(id),
          SESSION_ID: String(sessionId),
          CHAT_ID: String(chatId),
          OPERATOR_ID: String(a),
          USER_ID: String(customer),
          VOTE: '5',
        });
        // Too late (VOTE_TIME_LIMIT): no notice, no event.
        const late = await portal.customerSays(CONNECTOR, id, 'vote-notice-late', 'hi');
        await portal.takeAndFinish(a, late.chatId);
        await portal.advance(61 * SECOND);
        await portal.customerSays(CONNECTOR, id, 'vote-notice-late', '0');
        await portal.advance(0);
        assert.equal((await notices()).length, before + 1);
        assert.equal(receiver.received.length, 1);
      } finally {
        await receiver.close();
      }
    });

    it('FULL_CLOSE_TIME: a vote after the final close reopens the session ("resumed"), is counted (VOTE_MESSAGE_2_DISLIKE), and it closes again', async () => {
      const id = await voting('Vote late', { FULL_CLOSE_TIME: 1 });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'vote-late', 'hi');
      await portal.takeAndFinish(a, chatId);
      await portal.advance(MINUTE);
      assert.equal((await sessionState(sessionId)).closed, true);
      const reply = await portal.customerSays(CONNECTOR, id, 'vote-late', '0');
      assert.equal(reply.sessionId, sessionId, 'no new session');
      assert.deepEqual(await sessionState(sessionId), {
        status: 60,
        closed: false,
        waitVote: false,
        vote: 1,
        sendNoAnswerText: true,
      });
      assert.deepEqual((await texts(chatId)).slice(-2), [SYSTEM_TEXTS.resumed(sessionId), DISLIKE]);
      assert.equal((await portal.said(chatId)).at(-1), '[dislike]');
      await portal.advance(MINUTE);
      assert.equal((await sessionState(sessionId)).closed, true);
      assert.equal((await texts(chatId)).at(-1), SYSTEM_TEXTS.closedFinal);
      // Not a vote attempt (`10`), or nothing waits for one: an ordinary message opens a new session.
      const next = await portal.customerSays(CONNECTOR, id, 'vote-late', '1');
      assert.notEqual(next.sessionId, sessionId);
    });

    it('the automatic close (AUTO_CLOSE_TIME after the last reply) asks for the vote too', async () => {
      const id = await voting('Vote auto', { AUTO_CLOSE_TIME: 600 });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'vote-auto', 'hi');
      const hook = portal.hooks.get(a)!;
      await portal.call(hook, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Here to help' });
      assert.equal((await sessionState(sessionId)).status, 40);
      await portal.advance(600 * SECOND);
      assert.deepEqual((await portal.systemMessages(chatId)).at(-1), { text: VOTE_ASK, toCustomer: true });
      const state = await sessionState(sessionId);
      assert.deepEqual([state.status, state.waitVote, state.closed], [50, true, false]);
    });

    it('VOTE_TIME_LIMIT: a vote after it gets "Cannot rate this conversation." and counts nothing', async () => {
      const id = await voting('Vote limit', { VOTE_TIME_LIMIT: 60 });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'vote-limit', 'hi');
      await portal.takeAndFinish(a, chatId);
      await portal.advance(61 * SECOND);
      await portal.customerSays(CONNECTOR, id, 'vote-limit', '1');
      assert.deepEqual((await portal.systemMessages(chatId)).at(-1), {
        text: SYSTEM_TEXTS.voteTimeOver,
        toCustomer: true,
      });
      const state = await sessionState(sessionId);
      assert.deepEqual([state.vote, state.status, state.closed], [0, 50, false]);
      assert.equal((await portal.said(chatId)).at(-1), '1');
    });

    it('VOTE_CLOSING_DELAY=Y: the vote closes the session at once; `10` is no vote and ends the wait', async () => {
      const id = await voting('Vote closes', { VOTE_CLOSING_DELAY: 'Y' });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'vote-close', 'hi');
      await portal.takeAndFinish(a, chatId);
      await portal.customerSays(CONNECTOR, id, 'vote-close', '10');
      const ordinary = await sessionState(sessionId);
      assert.deepEqual([ordinary.status, ordinary.waitVote, ordinary.vote], [25, false, 0], 'an ordinary message');
      assert.equal((await portal.said(chatId)).at(-1), '10');
      // Still unrated: the next close asks again; the answer closes it at once.
      await portal.finish(a, chatId);
      assert.equal((await sessionState(sessionId)).waitVote, true);
      await portal.customerSays(CONNECTOR, id, 'vote-close', '1');
      const closed = await sessionState(sessionId);
      assert.deepEqual([closed.closed, closed.vote, closed.status], [true, 5, 60]);
      assert.deepEqual((await texts(chatId)).slice(-2), [LIKE, SYSTEM_TEXTS.closedFinal]);
    });

    it('VOTE_MESSAGE=N: the close is final at once and `1` is an ordinary message', async () => {
      const id = await line('No vote', { VOTE_MESSAGE_2_TEXT: VOTE_ASK });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'novote', 'hi');
      await portal.takeAndFinish(a, chatId);
      assert.deepEqual(await sessionState(sessionId), {
        status: 60,
        closed: true,
        waitVote: false,
        vote: 0,
        sendNoAnswerText: true,
      });
      assert.ok(!(await texts(chatId)).includes(VOTE_ASK));
      const next = await portal.customerSays(CONNECTOR, id, 'novote', '1');
      assert.notEqual(next.sessionId, sessionId);
      assert.equal((await portal.said(chatId)).at(-1), '1');
    });

    it('imopenlines.session.head.vote: the supervisor rates a session, the operator gets the notice; its errors', async () => {
      const id = await line('Head vote');
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'head', 'hi');
      const taken = await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.answer', { CHAT_ID: chatId });
      assert.equal(taken.status, 200, taken.text);
      const notices = async () =>
        (await portal.call(portal.hooks.get(a)!, 'im.notify.get')).body.result.notifications as {
          text: string;
          notify_event: string;
        }[];
      const noticesBefore = (await notices()).length;
      const vote = (hook: string, params: Record<string, unknown>) =>
        portal.call(hook, 'imopenlines.session.head.vote', params);
      const empty = await vote(portal.adminHook, { RATING: 5 });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.error, 'EMPTY_SESSION_ID');
      const nothing = await vote(portal.adminHook, { SESSION_ID: sessionId, RATING: '0', COMMENT: '  ' });
      assert.equal(nothing.body.error, 'EMPTY_VOTE_PARAMS');
      const unknown = await vote(portal.adminHook, { SESSION_ID: 999_999, RATING: 5 });
      assert.equal(unknown.body.error, 'ACCESS_DENIED');
      const refused = await vote(portal.hooks.get(plain)!, { SESSION_ID: sessionId, RATING: 5 });
      assert.equal(refused.body.error, 'ACCESS_DENIED');
      const before = await portal.call(portal.adminHook, 'imopenlines.v2.Session.list', { configId: id });
      assert.deepEqual(
        [before.body.result.sessions[0].voteHead, before.body.result.sessions[0].commentHead],
        [null, null],
      );
      const done = await vote(portal.adminHook, { session_id: sessionId, rating: 4, comment: 'Polite and quick' });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.result, true);
      const listed = await portal.call(portal.adminHook, 'imopenlines.v2.Session.list', {
        configId: id,
        hasVoteHead: 'Y',
      });
      const row = listed.body.result.sessions[0];
      assert.deepEqual([row.id, row.voteHead, row.commentHead, row.vote], [sessionId, 4, 'Polite and quick', 'none']);
      const [notice] = await notices();
      assert.deepEqual(
        [notice?.text, notice?.notify_event],
        [
          `[b]Conversation rated[/b][br][USER=1][/USER] rated conversation #[url=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/url]: [RATING=4]`,
          'rating_head',
        ],
      );
      const out = await vote(portal.adminHook, { SESSION_ID: sessionId, RATING: 9 });
      assert.equal(out.status, 200, out.text);
      const unrated = await portal.call(portal.adminHook, 'imopenlines.v2.Session.list', {
        configId: id,
        hasVoteHead: 'N',
      });
      assert.equal(unrated.body.result.sessions[0].commentHead, '', 'a rating-only call clears the comment');
      assert.equal((await notices()).length, noticesBefore + 1, 'no rating (9 is none): no notice');
    });

    // ---- The line itself (§2.2 step 4, §2.3 step 2)

    it('ACTIVE=N: a new session gets the internal note; the first close is final, without text or vote', async () => {
      const id = await voting('Inactive', { ACTIVE: 'N', CLOSE_RULE: 'text', CLOSE_TEXT: 'Bye!' });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'inactive', 'hi');
      assert.deepEqual((await portal.systemMessages(chatId)).at(-1), {
        text: SYSTEM_TEXTS.lineInactive,
        toCustomer: false,
      });
      await portal.takeAndFinish(a, chatId);
      assert.deepEqual(await sessionState(sessionId), {
        status: 60,
        closed: true,
        waitVote: false,
        vote: 0,
        sendNoAnswerText: true,
      });
      const all = await texts(chatId);
      assert.equal(all.at(-1), SYSTEM_TEXTS.closedFinal);
      assert.ok(!all.includes('Bye!') && !all.includes(VOTE_ASK));
    });

    it('the no-answer timer survives a restart and acts once with two servers: one text per session', async () => {
      const id = await line('No answer, twice', {
        NO_ANSWER_RULE: 'text',
        NO_ANSWER_TIME: 120,
        NO_ANSWER_TEXT: NO_ANSWER,
      });
      const chats: number[] = [];
      for (const who of ['na-r1', 'na-r2', 'na-r3'])
        chats.push((await portal.customerSays(CONNECTOR, id, who, 'hi')).chatId);
      await portal.stopServer(portal.server);
      await portal.clock.advance(121 * SECOND);
      await portal.start();
      await portal.start();
      await Promise.all(portal.servers.map((server) => server.scheduler.runDue()));
      await portal.advance(10 * MINUTE);
      for (const chatId of chats) {
        assert.equal((await texts(chatId)).filter((t) => t === NO_ANSWER).length, 1, `chat ${chatId}`);
      }
    });

    it('ACTIVE=Y: the same line active closes with its text and the vote request', async () => {
      const id = await voting('Active', { CLOSE_RULE: 'text', CLOSE_TEXT: 'Bye!' });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, id, 'active', 'hi');
      assert.ok(!(await texts(chatId)).includes(SYSTEM_TEXTS.lineInactive));
      await portal.takeAndFinish(a, chatId);
      assert.deepEqual((await texts(chatId)).slice(-2), ['Bye!', VOTE_ASK]);
      assert.equal((await sessionState(sessionId)).status, 50);
    });
  });
}
