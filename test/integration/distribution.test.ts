// Sessions distributed to operators by the line's settings (issue 17; runtime-sessions.md §1-§3, §11), for every
// store, through real HTTP and a test clock: the reference scenario of §11 step by step (strictly), the same start
// with evenly and all, the eligibility rules of §3.1 (an inactive operator, MAX_CHAT by TYPE_MAX_CHAT, a freed slot
// requeueing a waiting session), and timers that survive a restart and act once with two servers on one store.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mention, SYSTEM_TEXTS } from '../../src/domain/sessions/system-texts.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { Portal, SECOND } from '../helpers/portal.js';
import { STORES } from '../helpers/stores.js';

const CONNECTOR = 'dist_bridge';

for (const store of STORES) {
  describe(`distribution [${store}]`, () => {
    const portal = new Portal(store, {
      prefix: 'openlines-dist-',
      lineDefaults: { WELCOME_MESSAGE: 'N', VOTE_MESSAGE: 'N' },
    });
    let a: number;
    let b: number;

    before(async () => {
      await portal.start();
      await portal.connector(CONNECTOR);
      a = await portal.operator('Anna');
      b = await portal.operator('Boris');
    });
    after(() => portal.close());

    const queue = () => [
      { ENTITY_TYPE: 'user', ENTITY_ID: String(a) },
      { ENTITY_TYPE: 'user', ENTITY_ID: String(b) },
    ];

    it('QUEUE_TYPE=strictly, the reference scenario (§11): offered in QUEUE order every QUEUE_TIME, looping; taken; closed', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Strictly',
        QUEUE: queue(),
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
        MAX_CHAT: 0,
        AUTO_CLOSE_RULE: 'text',
        AUTO_CLOSE_TEXT: 'We close this conversation now.',
        AUTO_CLOSE_TIME: 14_400,
        FULL_CLOSE_TIME: 10,
      });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, line, 'ref', 'hi');
      assert.deepEqual(await portal.session(sessionId), {
        status: 0,
        operator: a,
        closed: false,
        history: [a],
        offers: [a],
      });
      assert.deepEqual(await portal.notes(chatId), [
        SYSTEM_TEXTS.sessionStarted(sessionId),
        SYSTEM_TEXTS.assignedTo(a),
      ]);

      await portal.advance(59 * SECOND);
      assert.equal((await portal.session(sessionId)).operator, a, 'not before QUEUE_TIME');
      await portal.advance(1 * SECOND);
      assert.deepEqual(await portal.session(sessionId), {
        status: 5,
        operator: b,
        closed: false,
        history: [a, b],
        offers: [b],
      });
      await portal.advance(60 * SECOND);
      assert.deepEqual(await portal.session(sessionId), {
        status: 5,
        operator: a,
        closed: false,
        history: [a],
        offers: [a],
      });
      assert.deepEqual((await portal.notes(chatId)).slice(2), [
        SYSTEM_TEXTS.transferredByQueue(b),
        SYSTEM_TEXTS.transferredByQueue(a),
      ]);

      // B is no longer offered it: B may not write. A writes: A takes it first, then the message (status 40).
      await portal.advance(10 * SECOND);
      const refused = await portal.call(portal.hooks.get(b)!, 'im.message.add', {
        DIALOG_ID: `chat${chatId}`,
        MESSAGE: 'me?',
      });
      assert.equal(refused.body.error, 'ACCESS_ERROR', refused.text);
      const answered = await portal.call(portal.hooks.get(a)!, 'im.message.add', {
        DIALOG_ID: `chat${chatId}`,
        MESSAGE: 'Hello, Anna here',
      });
      assert.equal(answered.status, 200, answered.text);
      assert.deepEqual(await portal.session(sessionId), {
        status: 40,
        operator: a,
        closed: false,
        history: [a],
        offers: [],
      });
      await portal.advance(120 * SECOND);
      assert.equal((await portal.session(sessionId)).operator, a, 'a taken session is not redistributed');

      await portal.customerSays(CONNECTOR, line, 'ref', 'one more question');
      assert.equal((await portal.session(sessionId)).status, 25);
      await portal.call(portal.hooks.get(a)!, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Sure' });
      assert.equal((await portal.session(sessionId)).status, 40);

      // AUTO_CLOSE_TIME after the operator's last reply: the auto-close text, status 50; FULL_CLOSE_TIME later: closed.
      await portal.advance(14_400 * SECOND - SECOND);
      assert.equal((await portal.session(sessionId)).status, 40);
      await portal.advance(SECOND);
      assert.equal((await portal.session(sessionId)).status, 50);
      await portal.advance(10 * 60 * SECOND);
      assert.deepEqual(await portal.session(sessionId), {
        status: 60,
        operator: a,
        closed: true,
        history: [a],
        offers: [],
      });
      assert.deepEqual((await portal.notes(chatId)).slice(-3), [
        `${mention(a)} picked conversation`,
        'We close this conversation now.',
        SYSTEM_TEXTS.closedFinal,
      ]);
      const next = await portal.customerSays(CONNECTOR, line, 'ref', 'hello again');
      assert.notEqual(next.sessionId, sessionId, 'a message after the final close opens a new session');
      assert.equal(next.chatId, chatId, 'in the same chat');
    });

    it('QUEUE_TYPE=evenly: the least recently offered operator first, ties by queue order', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Evenly',
        QUEUE: queue(),
        QUEUE_TYPE: 'evenly',
        QUEUE_TIME: 60,
      });
      const first = await portal.customerSays(CONNECTOR, line, 'even-1', 'hi');
      const second = await portal.customerSays(CONNECTOR, line, 'even-2', 'hi');
      assert.equal((await portal.session(first.sessionId)).operator, a);
      assert.equal((await portal.session(second.sessionId)).operator, b);
      const third = await portal.customerSays(CONNECTOR, line, 'even-3', 'hi');
      assert.equal((await portal.session(third.sessionId)).operator, a);
    });

    it('QUEUE_TYPE=all: offered to everyone, no change after QUEUE_TIME, the first to write takes it', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'All',
        QUEUE: queue(),
        QUEUE_TYPE: 'all',
        QUEUE_TIME: 60,
      });
      const { sessionId, chatId } = await portal.customerSays(CONNECTOR, line, 'all-1', 'hi');
      assert.deepEqual(await portal.session(sessionId), {
        status: 0,
        operator: 0,
        closed: false,
        history: [a, b],
        offers: [a, b],
      });
      assert.deepEqual((await portal.notes(chatId)).slice(1), [SYSTEM_TEXTS.assignedToAll]);
      await portal.advance(60 * SECOND);
      assert.deepEqual((await portal.session(sessionId)).offers, [a, b], 'all re-offers every 3 600 s only');
      const [first, second] = await Promise.all([
        portal.call(portal.hooks.get(b)!, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Boris here' }),
        portal.call(portal.hooks.get(a)!, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Anna here' }),
      ]);
      const winners = [first, second].filter((r) => r.status === 200);
      assert.equal(winners.length, 1, `${first.text} ${second.text}`);
      const loser = [first, second].find((r) => r.status !== 200)!;
      assert.equal(loser.body.error, 'ACCESS_ERROR');
      const state = await portal.session(sessionId);
      assert.equal(state.status, 40);
      assert.deepEqual(state.offers, []);
    });

    it('eligibility: an inactive operator is skipped; MAX_CHAT counts by TYPE_MAX_CHAT; a freed slot requeues', async () => {
      const gone = await portal.operator('Gone');
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Slots',
        QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(gone) }, ...queue()],
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
        MAX_CHAT: 1,
        TYPE_MAX_CHAT: 'answered_new',
      });
      await portal.dismiss(gone);
      const s1 = await portal.customerSays(CONNECTOR, line, 'slot-1', 'hi');
      assert.equal((await portal.session(s1.sessionId)).operator, a, 'the inactive first operator is skipped');
      const s2 = await portal.customerSays(CONNECTOR, line, 'slot-2', 'hi');
      assert.equal((await portal.session(s2.sessionId)).operator, b, 'A has no free slot');
      const s3 = await portal.customerSays(CONNECTOR, line, 'slot-3', 'hi');
      assert.deepEqual(await portal.session(s3.sessionId), {
        status: 0,
        operator: 0,
        closed: false,
        history: [],
        offers: [],
      });
      // A answers s1 (status 40): with answered_new it no longer counts; the waiting session is offered at once.
      await portal.call(portal.hooks.get(a)!, 'im.message.add', { DIALOG_ID: `chat${s1.chatId}`, MESSAGE: 'hi' });
      await portal.advance(0);
      assert.equal((await portal.session(s3.sessionId)).operator, a);
    });

    it('openlines.route.simulate: who a new session would go to, and why not the others; nothing is created', async () => {
      const gone = await portal.operator('Left');
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Simulated',
        QUEUE: [...queue(), { ENTITY_TYPE: 'user', ENTITY_ID: String(gone) }],
        QUEUE_TYPE: 'strictly',
        MAX_CHAT: 1,
        TYPE_MAX_CHAT: 'answered',
      });
      await portal.dismiss(gone);
      await portal.customerSays(CONNECTOR, line, 'sim-1', 'hi');
      const sessionsBefore = (await portal.server.store.db.selectFrom('sessions').select('id').execute()).length;
      const simulated = await portal.call(portal.hooks.get(b)!, 'openlines.route.simulate', { CONFIG_ID: line });
      assert.equal(simulated.status, 200, simulated.text);
      assert.deepEqual(simulated.body.result, {
        CONFIG_ID: line,
        TIME: new Date(portal.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        QUEUE_TYPE: 'strictly',
        OFFERED_TO: [b],
        OPERATORS: [
          { USER_ID: a, ELIGIBLE: false, REASON: 'no free slot', BUSY: 1, LAST_OFFERED: null },
          { USER_ID: b, ELIGIBLE: true, REASON: null, BUSY: 0, LAST_OFFERED: null },
          { USER_ID: gone, ELIGIBLE: false, REASON: 'inactive', BUSY: 0, LAST_OFFERED: null },
        ],
      });
      assert.equal((await portal.server.store.db.selectFrom('sessions').select('id').execute()).length, sessionsBefore);
      const missing = await portal.call(portal.adminHook, 'openlines.route.simulate', { CONFIG_ID: 999_999 });
      assert.equal(missing.body.error, 'CONFIG_NOT_FOUND');
      const badTime = await portal.call(portal.adminHook, 'openlines.route.simulate', {
        CONFIG_ID: line,
        TIME: 'soon',
      });
      assert.deepEqual([badTime.status, badTime.body.error, badTime.body.argument], [400, 'ERROR_ARGUMENT', 'TIME']);
      const empty = await portal.call(portal.adminHook, 'openlines.route.simulate', {});
      assert.equal(empty.body.error, 'CONFIG_ID_EMPTY');
    });

    it('OnSessionStart and OnSessionFinish go to every application bound to them, with the documented DATA', async () => {
      const receiver = new EventReceiver();
      await receiver.start();
      try {
        await portal.refreshToken();
        for (const event of ['OnSessionStart', 'OnSessionFinish']) {
          const bound = await portal.app('event.bind', { event, handler: receiver.url(`/${event}`) });
          assert.equal(bound.body.result, true, bound.text);
        }
        const line = await portal.line(CONNECTOR, {
          LINE_NAME: 'Events',
          QUEUE: queue(),
          AUTO_CLOSE_TIME: 60,
          AUTO_CLOSE_RULE: 'none',
          FULL_CLOSE_TIME: 5,
        });
        const { sessionId, chatId } = await portal.customerSays(CONNECTOR, line, 'ev-1', 'hi');
        await portal.call(portal.hooks.get(a)!, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'hello' });
        await portal.advance(60 * SECOND);
        assert.equal((await portal.session(sessionId)).closed, true);
        await portal.advance(0);
        await receiver.until(2);
        const customer = String(
          (
            await portal.server.store.db
              .selectFrom('chats')
              .select('customer_id')
              .where('id', '=', chatId)
              .executeTakeFirstOrThrow()
          ).customer_id,
        );
        const item = (closed: 'N' | 'Y') => ({
          connector: { connector_id: CONNECTOR, line_id: String(line), chat_id: 'chat-ev-1', user_id: customer },
          session: { id: String(sessionId), closed, parent_id: '0', close_term: '5' },
          chat: { id: 'chat-ev-1' },
          user: { id: customer },
        });
        const bodies = receiver.received.map((r) => [r.path, (parsePhpQuery(r.body) as { data: unknown }).data]);
        assert.deepEqual(bodies, [
          ['/OnSessionStart', { DATA: [item('N')] }],
          ['/OnSessionFinish', { DATA: [item('Y')] }],
        ]);
      } finally {
        await receiver.close();
      }
    });

    it('presence (CHECK_AVAILABLE=Y): a pause returns offered sessions, nobody left waits, a pause stopped takes it', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Presence',
        QUEUE: queue(),
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 600,
        CHECK_AVAILABLE: 'Y',
      });
      const { sessionId } = await portal.customerSays(CONNECTOR, line, 'presence-1', 'hi');
      assert.equal((await portal.session(sessionId)).operator, a);
      const pause = (user: number, method: string) => portal.call(portal.hooks.get(user)!, method, {});
      assert.equal((await pause(a, 'imopenlines.operator.pause.start')).body.result, true);
      await portal.advance(0);
      assert.equal((await portal.session(sessionId)).operator, b, 'A paused: the offer moved to B at once');
      assert.equal((await pause(b, 'imopenlines.operator.pause.start')).body.result, true);
      await portal.advance(0);
      assert.deepEqual(await portal.session(sessionId), {
        status: 5,
        operator: 0,
        closed: false,
        history: [],
        offers: [],
      });
      assert.equal((await pause(a, 'imopenlines.operator.pause.stop')).body.result, true);
      await portal.advance(0);
      assert.equal((await portal.session(sessionId)).operator, a, 'A back: the waiting session is offered at once');
      assert.equal((await pause(b, 'imopenlines.operator.pause.stop')).body.result, true);
      const offline = await portal.call(portal.adminHook, 'openlines.user.presence.set', {
        USER_ID: a,
        STATUS: 'offline',
      });
      assert.equal(offline.status, 200, offline.text);
      await portal.advance(0);
      assert.equal((await portal.session(sessionId)).operator, b, 'A set offline: the offer moved to B');
      await portal.call(portal.adminHook, 'openlines.user.presence.set', { USER_ID: a, STATUS: 'online' });
    });

    it('deleting a line with an open session finishes it for good: OnSessionFinish with closed Y', async () => {
      const receiver = new EventReceiver();
      await receiver.start();
      try {
        await portal.refreshToken();
        const bound = await portal.app('event.bind', { event: 'OnSessionFinish', handler: receiver.url('/finish') });
        assert.equal(bound.body.result, true, bound.text);
        const line = await portal.line(CONNECTOR, { LINE_NAME: 'Doomed', QUEUE: queue() });
        const { sessionId } = await portal.customerSays(CONNECTOR, line, 'doomed-1', 'hi');
        const deleted = await portal.call(portal.adminHook, 'imopenlines.config.delete', { CONFIG_ID: line });
        assert.equal(deleted.body.result, true, deleted.text);
        await portal.advance(0);
        await receiver.until(1);
        const body = parsePhpQuery(receiver.received[0]!.body) as {
          data: { DATA: { session: { id: string; closed: string } }[] };
        };
        assert.deepEqual(body.data.DATA[0]?.session.id, String(sessionId));
        assert.equal(body.data.DATA[0]?.session.closed, 'Y');
        await portal.app('event.unbind', { event: 'OnSessionFinish', handler: receiver.url('/finish') });
      } finally {
        await receiver.close();
      }
    });

    it('QUEUE changed: a removed operator loses the session (REMOVING), waiting sessions are offered at once', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Changing',
        QUEUE: queue(),
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 600,
      });
      const taken = await portal.customerSays(CONNECTOR, line, 'change-1', 'hi');
      await portal.call(portal.hooks.get(a)!, 'im.message.add', { DIALOG_ID: `chat${taken.chatId}`, MESSAGE: 'mine' });
      assert.equal((await portal.session(taken.sessionId)).status, 40);
      const waiting = await portal.customerSays(CONNECTOR, line, 'change-2', 'hi');
      assert.equal((await portal.session(waiting.sessionId)).operator, a, 'strictly: a new session starts at the top');
      const updated = await portal.call(portal.adminHook, 'imopenlines.config.update', {
        CONFIG_ID: line,
        PARAMS: { QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(b) }] },
      });
      assert.equal(updated.body.result, true, updated.text);
      await portal.advance(0);
      assert.deepEqual(await portal.session(taken.sessionId), {
        status: 5,
        operator: b,
        closed: false,
        history: [a, b],
        offers: [b],
      });
      assert.ok((await portal.notes(taken.chatId)).includes(SYSTEM_TEXTS.returned.REMOVING));
      assert.equal((await portal.session(waiting.sessionId)).operator, b, 'an offer to a removed operator moves on');
      const typeChanged = await portal.call(portal.adminHook, 'imopenlines.config.update', {
        CONFIG_ID: line,
        PARAMS: { QUEUE: queue(), QUEUE_TYPE: 'all' },
      });
      assert.equal(typeChanged.body.result, true, typeChanged.text);
      await portal.advance(0);
      assert.deepEqual(
        (await portal.session(waiting.sessionId)).offers,
        [a, b],
        'redistributed as all, without waiting',
      );
    });

    it('a timer survives a restart: the server stops with a session offered, the next one redistributes it', async () => {
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Restart',
        QUEUE: queue(),
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
      });
      const { sessionId } = await portal.customerSays(CONNECTOR, line, 'restart-1', 'hi');
      assert.equal((await portal.session(sessionId)).operator, a);
      await portal.stopServer(portal.server);
      await portal.clock.advance(61 * SECOND);
      await portal.start();
      await portal.advance(0);
      assert.deepEqual(await portal.session(sessionId), {
        status: 5,
        operator: b,
        closed: false,
        history: [a, b],
        offers: [b],
      });
    });

    it('two servers on one store: every redistribution happens exactly once', async () => {
      await portal.start();
      assert.equal(portal.servers.length, 2);
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Twice',
        QUEUE: queue(),
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
      });
      const sessions = [];
      for (let i = 0; i < 20; i++) sessions.push(await portal.customerSays(CONNECTOR, line, `twice-${i}`, 'hi'));
      await portal.clock.advance(60 * SECOND);
      await Promise.all(portal.servers.map((server) => server.scheduler.runDue()));
      for (const { sessionId, chatId } of sessions) {
        assert.equal((await portal.session(sessionId)).operator, b);
        const moved = (await portal.notes(chatId)).filter((n) => n === SYSTEM_TEXTS.transferredByQueue(b));
        assert.equal(moved.length, 1, `session ${sessionId} moved once`);
      }
    });
  });
}
