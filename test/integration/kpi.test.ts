// KPI deadlines and their alerts (issue 18; runtime-sessions.md §6), on every store, through real HTTP and a test
// clock: a first-answer deadline that passes alerts every user of KPI_FIRST_ANSWER_LIST once, with #OPERATOR# and
// #DIALOG# replaced, as a notification im.notify.get returns and as OnOpenlinesKpiAlert; an answer in time stops it;
// no alert when it is off or no time is set; further-answer deadlines after an operator's reply.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { MINUTE, Portal, SECOND } from '../helpers/portal.js';
import { STORES } from '../helpers/stores.js';

const CONNECTOR = 'kpi_bridge';
const dialog = (sessionId: number) => `[url=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/url]`;

interface Notification {
  id: number;
  chat_id: number;
  author_id: number;
  date: string;
  notify_type: number;
  notify_module: string;
  notify_event: string;
  notify_tag: string;
  notify_sub_tag: string;
  notify_title: string;
  setting_name: string;
  text: string;
  notify_read: string;
  params: unknown;
}

for (const store of STORES) {
  describe(`KPI deadlines [${store}]`, () => {
    const portal = new Portal(store, { prefix: 'openlines-kpi-' });
    let a: number;
    let head: number;
    let deputy: number;

    before(async () => {
      await portal.start();
      await portal.connector(CONNECTOR);
      a = await portal.operator('Anna', 'Smith');
      head = await portal.operator('Helga');
      deputy = await portal.operator('Dmitri');
    });
    after(() => portal.close());

    const queue = () => [{ ENTITY_TYPE: 'user', ENTITY_ID: String(a) }];
    const say = (userId: number, chatId: number, text: string) =>
      portal.call(portal.hooks.get(userId)!, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: text });
    const notifyGet = (userId: number, params: Record<string, unknown> = {}) =>
      portal.call(portal.hooks.get(userId)!, 'im.notify.get', params);
    const texts = async (userId: number): Promise<string[]> => {
      const got = await notifyGet(userId);
      assert.equal(got.status, 200, got.text);
      return (got.body.result.notifications as Notification[]).map((n) => n.text);
    };
    const kpiAlarm = async (sessionId: number) =>
      portal.server.store.db
        .selectFrom('session_alarms')
        .select('due_at_ms')
        .where('session_id', '=', sessionId)
        .where('kind', '=', 'kpi')
        .executeTakeFirst();

    it('KPI_FIRST_ANSWER_TIME passed with KPI_FIRST_ANSWER_ALERT: each user of KPI_FIRST_ANSWER_LIST is notified once, KPI_FIRST_ANSWER_TEXT substituted', async () => {
      const receiver = new EventReceiver();
      await receiver.start();
      try {
        await portal.refreshToken();
        const bound = await portal.app('event.bind', { event: 'OnOpenlinesKpiAlert', handler: receiver.url('/kpi') });
        assert.equal(bound.body.result, true, bound.text);
        const line = await portal.line(CONNECTOR, {
          LINE_NAME: 'KPI first',
          QUEUE: queue(),
          QUEUE_TYPE: 'strictly',
          KPI_FIRST_ANSWER_TIME: 300,
          KPI_FIRST_ANSWER_ALERT: 'Y',
          KPI_FIRST_ANSWER_LIST: [head, deputy],
        });
        const started = portal.clock.now();
        const { sessionId } = await portal.customerSays(CONNECTOR, line, 'first', 'hello?');
        assert.equal((await kpiAlarm(sessionId))?.due_at_ms !== undefined, true, 'the deadline is a session alarm');
        await portal.advance(5 * MINUTE - SECOND);
        assert.deepEqual(await texts(head), [], 'not before the deadline');
        await portal.advance(SECOND);
        const expected = `Smith Anna exceeded maximum initial response time in conversation #${dialog(sessionId)}.`;
        assert.deepEqual(await texts(head), [expected]);
        assert.deepEqual(await texts(deputy), [expected]);
        assert.deepEqual(await texts(a), [], 'the operator is not on the list');
        // Once per deadline: time goes on, the customer writes again (no new deadline while one waits).
        await portal.advance(30 * MINUTE);
        await portal.customerSays(CONNECTOR, line, 'first', 'anybody?');
        await portal.advance(30 * MINUTE);
        assert.deepEqual(await texts(head), [expected]);

        const got = await notifyGet(head);
        const [note] = got.body.result.notifications as Notification[];
        assert.deepEqual(got.body.result, {
          total_count: 1,
          total_unread_count: 1,
          chat_id: 0,
          notifications: [
            {
              id: note!.id,
              chat_id: 0,
              author_id: 0,
              date: new Date(started + 5 * MINUTE).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
              notify_type: 4,
              notify_module: 'imopenlines',
              notify_event: 'default',
              notify_tag: '',
              notify_sub_tag: '',
              notify_title: '',
              setting_name: 'imopenlines|default',
              text: expected,
              notify_read: 'N',
              params: null,
            },
          ],
          users: [],
        });
        assert.deepEqual((await notifyGet(a)).body.result, { notifications: [], users: [] });

        await portal.advance(0);
        await receiver.until(1);
        const [delivery] = receiver.received;
        const chatId = String(
          (
            await portal.server.store.db
              .selectFrom('sessions')
              .select('chat_id')
              .where('id', '=', sessionId)
              .executeTakeFirstOrThrow()
          ).chat_id,
        );
        const data = (parsePhpQuery(delivery!.body) as { event: string; data: Record<string, unknown> }).data;
        assert.deepEqual(data, {
          LINE: String(line),
          SESSION_ID: String(sessionId),
          CHAT_ID: chatId,
          OPERATOR_ID: String(a),
          KPI: 'first',
          MESSAGE_ID: data.MESSAGE_ID,
          TIME_RECEIVED: String(Math.floor(started / 1000)),
          TIME_EXPIRED: String(Math.floor(started / 1000) + 300),
          USERS: [String(head), String(deputy)],
          TEXT: expected,
        });
        assert.equal(receiver.received.length, 1);
      } finally {
        await receiver.close();
      }
    });

    it('an operator answer before KPI_FIRST_ANSWER_TIME stops the deadline: no alert', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI answered',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 120,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [deputy],
        KPI_FIRST_ANSWER_TEXT: '#OPERATOR# late in #DIALOG#',
      });
      const before = await texts(deputy);
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, line, 'answered', 'hi');
      await portal.advance(119 * SECOND);
      assert.equal((await say(a, chatId, 'Hello, Anna here')).status, 200);
      assert.equal(await kpiAlarm(sessionId), undefined);
      await portal.advance(10 * MINUTE);
      assert.deepEqual(await texts(deputy), before);
    });

    it('KPI_FIRST_ANSWER_ALERT off, or no KPI time: a deadline passes without a notification', async () => {
      const off = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI alert off',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 60,
        KPI_FIRST_ANSWER_ALERT: 'N',
        KPI_FIRST_ANSWER_LIST: [deputy],
        KPI_FURTHER_ANSWER_ALERT: 'Y',
        KPI_FURTHER_ANSWER_LIST: [deputy],
      });
      const none = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI no time',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 0,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [deputy],
      });
      const before = await texts(deputy);
      await portal.customerSays(CONNECTOR, off, 'alert-off', 'hi');
      const { sessionId } = await portal.customerSays(CONNECTOR, none, 'no-time', 'hi');
      assert.equal(await kpiAlarm(sessionId), undefined, 'no time: no deadline');
      await portal.advance(10 * MINUTE);
      assert.deepEqual(await texts(deputy), before);
    });

    it('KPI_FURTHER_ANSWER_TIME: each customer message after an operator reply has its own deadline; KPI_FURTHER_ANSWER_ALERT sends KPI_FURTHER_ANSWER_TEXT to KPI_FURTHER_ANSWER_LIST', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI further',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 300,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [deputy],
        KPI_FURTHER_ANSWER_TIME: 120,
        KPI_FURTHER_ANSWER_ALERT: 'Y',
        KPI_FURTHER_ANSWER_LIST: [head],
        KPI_FURTHER_ANSWER_TEXT: '#OPERATOR# is slow in #DIALOG#',
      });
      const deputyBefore = await texts(deputy);
      const headBefore = await texts(head);
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, line, 'further', 'hi');
      await portal.advance(10 * SECOND);
      await say(a, chatId, 'Hello');
      await portal.advance(10 * SECOND);
      await portal.customerSays(CONNECTOR, line, 'further', 'a question');
      await portal.advance(60 * SECOND);
      await portal.customerSays(CONNECTOR, line, 'further', 'still there?');
      // 120 s after 'a question', not after the later message.
      await portal.advance(60 * SECOND - SECOND);
      assert.deepEqual(await texts(head), headBefore);
      await portal.advance(SECOND);
      const slow = `Smith Anna is slow in ${dialog(sessionId)}`;
      assert.deepEqual(await texts(head), [slow, ...headBefore]);
      // Answered, asked again, answered in time: nothing more.
      await say(a, chatId, 'Sorry, here it is');
      await portal.customerSays(CONNECTOR, line, 'further', 'thanks, one more');
      await portal.advance(100 * SECOND);
      await say(a, chatId, 'Sure');
      await portal.advance(10 * MINUTE);
      assert.deepEqual(await texts(head), [slow, ...headBefore]);
      assert.deepEqual(await texts(deputy), deputyBefore, 'the first answer came in time');
    });

    it('KPI_FIRST_ANSWER_TIME 0: the first message gets the further time, alerted by the first-answer settings', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI fallback',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 0,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [deputy],
        KPI_FIRST_ANSWER_TEXT: 'first #DIALOG#',
        KPI_FURTHER_ANSWER_TIME: 90,
        KPI_FURTHER_ANSWER_ALERT: 'Y',
        KPI_FURTHER_ANSWER_LIST: [head],
      });
      const headBefore = await texts(head);
      const before = await texts(deputy);
      const { sessionId } = await portal.customerSays(CONNECTOR, line, 'fallback', 'hi');
      await portal.advance(90 * SECOND);
      assert.deepEqual(await texts(deputy), [`first ${dialog(sessionId)}`, ...before]);
      assert.deepEqual(await texts(head), headBefore);
    });

    it('finishing the session stops its deadline', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI finish',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 60,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [deputy],
      });
      const before = await texts(deputy);
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, line, 'finished', 'hi');
      const answered = await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.answer', { CHAT_ID: chatId });
      assert.equal(answered.body.result, true, answered.text);
      const finished = await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.finish', { CHAT_ID: chatId });
      assert.equal(finished.body.result, true, finished.text);
      assert.equal(await kpiAlarm(sessionId), undefined);
      await portal.advance(5 * MINUTE);
      assert.deepEqual(await texts(deputy), before);
    });

    it('a transfer to another line restarts a waiting deadline as a first answer, by the settings of that line', async () => {
      const from = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI from',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 300,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [deputy],
      });
      const to = await portal.line(CONNECTOR, {
        LINE_NAME: 'KPI to',
        QUEUE: queue(),
        KPI_FIRST_ANSWER_TIME: 60,
        KPI_FIRST_ANSWER_ALERT: 'Y',
        KPI_FIRST_ANSWER_LIST: [head],
        KPI_FIRST_ANSWER_TEXT: 'to: #OPERATOR# #DIALOG#',
      });
      const deputyBefore = await texts(deputy);
      const headBefore = await texts(head);
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, from, 'moved', 'hi');
      const answered = await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.answer', { CHAT_ID: chatId });
      assert.equal(answered.body.result, true, answered.text);
      await portal.advance(30 * SECOND);
      const moved = await portal.call(portal.hooks.get(a)!, 'imopenlines.operator.transfer', {
        CHAT_ID: chatId,
        TRANSFER_ID: `queue${to}`,
      });
      assert.equal(moved.body.result, true, moved.text);
      await portal.advance(59 * SECOND);
      assert.deepEqual(await texts(head), headBefore);
      await portal.advance(SECOND);
      // QUEUE_TYPE all (the default): the session is offered, held by nobody, so #OPERATOR# is empty.
      assert.deepEqual(await texts(head), [`to:  ${dialog(sessionId)}`, ...headBefore]);
      await portal.advance(10 * MINUTE);
      assert.deepEqual(await texts(deputy), deputyBefore, 'the deadline of the first line is gone');
    });

    it('im.notify.get pages by LAST_ID and LAST_TYPE; the pair goes together and LAST_ID is a number', async () => {
      const all = (await notifyGet(head)).body.result.notifications as Notification[];
      assert.ok(all.length >= 2, 'earlier tests notified the head twice');
      const first = await notifyGet(head, { LIMIT: 1 });
      assert.deepEqual(
        (first.body.result.notifications as Notification[]).map((n) => n.id),
        [all[0]!.id],
      );
      const next = await notifyGet(head, { LIMIT: 1, LAST_ID: all[0]!.id, LAST_TYPE: 3 });
      assert.deepEqual(
        (next.body.result.notifications as Notification[]).map((n) => n.id),
        [all[1]!.id],
      );
      assert.equal(next.body.result.total_count, all.length);
      const confirmations = await notifyGet(head, { LAST_ID: all[0]!.id, LAST_TYPE: 1 });
      assert.equal((confirmations.body.result.notifications as Notification[]).length, all.length);

      const alone = await notifyGet(head, { LAST_ID: 5 });
      assert.equal(alone.status, 400);
      assert.equal(alone.body.error, 'LAST_ID_AND_LAST_TYPE');
      assert.equal(alone.body.error_description, 'Parameters LAST_ID and LAST_TYPE should be used together.');
      const typeAlone = await notifyGet(head, { LAST_TYPE: 3 });
      assert.equal(typeAlone.body.error, 'LAST_ID_AND_LAST_TYPE');
      const word = await notifyGet(head, { LAST_ID: 'abc', LAST_TYPE: 3 });
      assert.equal(word.status, 400);
      assert.equal(word.body.error, 'LAST_ID_STRING');
      assert.equal(word.body.error_description, "Last notification ID can't be string");
    });
  });
}
