// The line's automatic texts with several `openlines serve` processes on one PostgreSQL (issue 18): the welcome
// after each customer's first message, the no-answer text when NO_ANSWER_TIME passes, and the auto-close text with
// the vote request when AUTO_CLOSE_TIME passes after the operator's reply. The timers fall due on two servers at
// once and one of them is killed with SIGKILL while it works — twice, for the no-answer and for the auto-close
// timers; the survivor takes over what the dead one had claimed once its claims expire. Every session gets each
// text exactly once: none twice, none lost. Both servers run on the test clock (`OPENLINES_CLOCK=manual`), moved
// together through `openlines.clock.set`.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServeCluster } from '../helpers/serve-cluster.js';
import type { ServeProcess } from '../helpers/server-process.js';
import { STORES } from '../helpers/stores.js';

const onPostgres = STORES.includes('postgres');
const SESSIONS = 120;
const WELCOME = 'Welcome (multi-server)';
const NO_ANSWER = 'No answer yet (multi-server)';
const AUTO_CLOSE = 'Closing automatically (multi-server)';
const VOTE = 'Rate us (multi-server): 1 or 0';
const SECOND = 1000;

describe('automatic texts with several servers on one PostgreSQL, one killed mid-run', {
  skip: onPostgres ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  const cluster = new ServeCluster('openlines-auto-ms-');
  const admin = cluster.admin.bind(cluster);
  const app = cluster.app.bind(cluster);
  const setClock = cluster.setClock.bind(cluster);
  /** How many times each chat of the line got `text`, by chat id. */
  const countsOf = async (text: string) => {
    const rows = await cluster.store.read((db) =>
      db
        .selectFrom('messages')
        .select(['chat_id', (eb) => eb.fn.countAll().as('n')])
        .where('text', '=', text)
        .where('author_kind', '=', 'system')
        .groupBy('chat_id')
        .execute(),
    );
    return new Map(rows.map((r) => [Number(r.chat_id), Number(r.n)]));
  };

  /**
   * Both servers reach `dueMs`; `victim` is killed while it works — once the first of the phase's texts (`text`) is
   * stored, so that the kill falls mid-run — and the survivor then waits out the victim's claims.
   */
  const dueOnBothKillOne = async (victim: ServeProcess, survivor: ServeProcess, dueMs: number, text: string) => {
    const onVictim = admin(victim, 'openlines.clock.set', { TIME: new Date(dueMs).toISOString() }).catch(() => null);
    const started = Date.now();
    while ((await countsOf(text)).size === 0 && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const onSurvivor = admin(survivor, 'openlines.clock.set', { TIME: new Date(dueMs).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const killed = await victim.kill('SIGKILL');
    assert.equal(killed.signal, 'SIGKILL', 'killed, not finished');
    await onVictim;
    assert.equal((await onSurvivor).status, 200);
    // Alarms still due now are the ones the victim had claimed when it died (the survivor skips claimed alarms).
    const held = await cluster.store.read((db) =>
      db
        .selectFrom('session_alarms')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('due_at_ms', '<=', dueMs)
        .executeTakeFirstOrThrow(),
    );
    // What the victim had claimed is the survivor's once the claims expire (30 s by the clock).
    await setClock(survivor, dueMs + 31 * SECOND);
    return Number(held.n);
  };
  before(() => cluster.start(2));
  after(() => cluster.close());

  it('welcome, no-answer, auto-close and vote texts: each exactly once per session across two kills', async (t) => {
    const [a, b] = cluster.servers as [ServeProcess, ServeProcess];
    const operator = 1; // the first-start webhook's user, scopes imopenlines and im
    // A common moment for both clocks, ahead of either.
    const t0 = Date.now() + 60_000;
    for (const server of [a, b]) await setClock(server, t0);
    await cluster.connector(a, 'texts');
    const added = await admin(a, 'imopenlines.config.add', {
      PARAMS: {
        LINE_NAME: 'Texts',
        QUEUE_TYPE: 'all',
        QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(operator) }],
        WELCOME_MESSAGE: 'Y',
        WELCOME_MESSAGE_TEXT: WELCOME,
        NO_ANSWER_RULE: 'text',
        NO_ANSWER_TIME: 60,
        NO_ANSWER_TEXT: NO_ANSWER,
        AUTO_CLOSE_RULE: 'text',
        AUTO_CLOSE_TIME: 120,
        AUTO_CLOSE_TEXT: AUTO_CLOSE,
        CLOSE_RULE: 'none',
        VOTE_MESSAGE: 'Y',
        VOTE_MESSAGE_2_TEXT: VOTE,
        FULL_CLOSE_TIME: 60,
      },
    });
    assert.equal(added.status, 200, added.text);
    const line = added.body.result as number;
    assert.equal(
      (await app(a, 'imconnector.activate', { CONNECTOR: 'texts', LINE: line, ACTIVE: 1 })).body.result,
      true,
    );

    // The customers write, half through each server: the welcome goes out in the message's own transaction.
    for (let i = 0; i < SESSIONS; i += 40) {
      const messages = [];
      for (let j = i; j < i + 40; j++)
        messages.push({ user: { id: `t${j}` }, message: { text: 'hi' }, chat: { id: `tc${j}` } });
      const sent = await app(i % 80 === 0 ? a : b, 'imconnector.send.messages', {
        CONNECTOR: 'texts',
        LINE: line,
        MESSAGES: messages,
      });
      assert.equal(sent.status, 200, sent.text);
    }
    const sessions = await cluster.store.read((db) =>
      db.selectFrom('sessions').select(['id', 'chat_id']).where('line_id', '=', line).execute(),
    );
    assert.equal(sessions.length, SESSIONS);
    const chats = sessions.map((s) => Number(s.chat_id));

    // NO_ANSWER_TIME falls due on both servers; A dies while it sends.
    const heldByA = await dueOnBothKillOne(a, b, t0 + 60 * SECOND, NO_ANSWER);
    t.diagnostic(`no-answer alarms the killed server held: ${heldByA} of ${SESSIONS}`);

    // The operator answers every customer (through B); a new server takes A's place on the same clock.
    const replied = t0 + 91 * SECOND;
    const c = await cluster.serve();
    await setClock(c, replied);
    for (let i = 0; i < chats.length; i += 10) {
      const batch = chats.slice(i, i + 10).map(async (chatId) => {
        const sent = await admin(b, 'im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: 'Here to help' });
        assert.equal(sent.status, 200, sent.text);
      });
      await Promise.all(batch);
    }

    // AUTO_CLOSE_TIME after the reply falls due on B and C; C dies while it closes.
    const heldByC = await dueOnBothKillOne(c, b, replied + 120 * SECOND, AUTO_CLOSE);
    t.diagnostic(`auto-close alarms the killed server held: ${heldByC} of ${SESSIONS}`);

    const welcome = await countsOf(WELCOME);
    const noAnswer = await countsOf(NO_ANSWER);
    const autoClose = await countsOf(AUTO_CLOSE);
    const vote = await countsOf(VOTE);
    const states = await cluster.store.read((db) =>
      db.selectFrom('sessions').select(['id', 'chat_id', 'status', 'wait_vote']).where('line_id', '=', line).execute(),
    );
    for (const session of states) {
      const chatId = Number(session.chat_id);
      const got = [welcome.get(chatId), noAnswer.get(chatId), autoClose.get(chatId), vote.get(chatId)];
      assert.deepEqual(got, [1, 1, 1, 1], `session ${session.id}: welcome, no-answer, auto-close, vote once each`);
      assert.equal(Number(session.status), 50, `session ${session.id} waits for the vote`);
      assert.equal(Number(session.wait_vote), 1);
    }
  });
});
