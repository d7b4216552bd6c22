// Sessions distributed to operators by the line's settings (issue 17; runtime-sessions.md §1-§3, §11), for every
// store, through real HTTP and a test clock: the reference scenario of §11 step by step (strictly), the same start
// with evenly and all, the eligibility rules of §3.1 (an inactive operator, MAX_CHAT by TYPE_MAX_CHAT, a freed slot
// requeueing a waiting session), and timers that survive a restart and act once with two servers on one store.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { mention, SYSTEM_TEXTS } from '../../src/domain/sessions/system-texts.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { type CallResult, parseAnswer } from '../helpers/server.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { ManualClock } from '../helpers/test-clock.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const SECOND = 1000;

/** A line, its connector and its operators on one or more in-process servers sharing a store and a test clock. */
class Portal {
  readonly clock = new ManualClock(T0);
  readonly servers: RunningServer[] = [];
  private database!: TestDatabase;
  private dataDir = '';
  private settings!: Settings;
  adminHook = '';
  appToken = '';
  readonly hooks = new Map<number, string>();

  constructor(readonly store: 'sqlite' | 'postgres') {}

  async start(): Promise<RunningServer> {
    if (!this.dataDir) {
      this.dataDir = mkdtempSync(join(tmpdir(), 'openlines-dist-'));
      this.database = await createTestDatabase(this.store, this.dataDir);
      this.settings = {
        ...loadSettings({}, { data: this.dataDir, database: this.database.url }),
        port: 0,
        httpsPort: -1,
        ratePlan: 'off',
        logLevel: 'silent',
        // Only the test moves time: ticks run when it calls tick().
        eventPollMs: 3_600_000,
      };
    }
    const server = await startServer(this.settings, { logger: pino({ level: 'silent' }), clock: this.clock });
    this.servers.push(server);
    if (server.firstWebhook) this.adminHook = `${server.httpUrl}/rest/1/${server.firstWebhook.code}/`;
    return server;
  }

  get server(): RunningServer {
    const server = this.servers.at(-1);
    if (!server) throw new Error('no server');
    return server;
  }

  async stopServer(server: RunningServer): Promise<void> {
    await server.close();
    this.servers.splice(this.servers.indexOf(server), 1);
  }

  async close(): Promise<void> {
    for (const server of this.servers.splice(0)) await server.close();
    await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private rebase(url: string): string {
    return url.replace(/^http:\/\/127\.0\.0\.1:\d+/, this.server.httpUrl);
  }

  async call(hook: string, method: string, params: Record<string, unknown> = {}): Promise<CallResult> {
    return parseAnswer(
      await fetch(`${this.rebase(hook)}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
      }),
    );
  }

  async app(method: string, params: Record<string, unknown>): Promise<CallResult> {
    return parseAnswer(
      await fetch(`${this.server.httpUrl}/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: this.appToken }),
      }),
    );
  }

  async operator(name: string, options: { active?: boolean } = {}): Promise<number> {
    const id = await this.server.directory.addUser({ name, active: options.active ?? true, online: true });
    const created = await this.server.directory.createWebhook({ userId: id, scopes: ['imopenlines', 'im'] });
    this.hooks.set(id, `${this.server.httpUrl}/rest/${id}/${created.code}/`);
    return id;
  }

  /** A connector application (its token refreshed: tests move the clock by hours). */
  async connector(code: string): Promise<void> {
    const app = await this.server.oauth.createApp({ name: code, scopes: ['imopenlines', 'imconnector'] });
    this.appClient = app.clientId;
    await this.refreshToken();
    const registered = await this.app('imconnector.register', {
      ID: code,
      NAME: code,
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: 'https://bridge.example.com/',
    });
    assert.equal(registered.status, 200, registered.text);
  }
  private appClient = '';
  async refreshToken(): Promise<void> {
    this.appToken = (await this.server.oauth.issueToken(this.appClient, 1)).accessToken;
  }

  async line(code: string, params: Record<string, unknown>): Promise<number> {
    const added = await this.call(this.adminHook, 'imopenlines.config.add', { PARAMS: params });
    assert.equal(added.status, 200, added.text);
    const line = added.body.result as number;
    assert.equal(
      (await this.app('imconnector.activate', { CONNECTOR: code, LINE: line, ACTIVE: 1 })).body.result,
      true,
    );
    return line;
  }

  async customerSays(code: string, line: number, who: string, text: string) {
    await this.refreshToken();
    const sent = await this.app('imconnector.send.messages', {
      CONNECTOR: code,
      LINE: line,
      MESSAGES: [{ user: { id: who }, message: { text }, chat: { id: `chat-${who}` } }],
    });
    assert.equal(sent.status, 200, sent.text);
    const item = sent.body.result.DATA.RESULT[0];
    return { sessionId: Number(item.session.ID), chatId: Number(item.session.CHAT_ID) };
  }

  async session(id: number) {
    const row = await this.server.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const offers = await this.server.store.db
      .selectFrom('session_offers')
      .select('user_id')
      .where('session_id', '=', id)
      .orderBy('user_id')
      .execute();
    return {
      status: Number(row.status),
      operator: Number(row.operator_id),
      closed: Number(row.closed) === 1,
      history: JSON.parse(row.queue_history) as number[],
      offers: offers.map((o) => Number(o.user_id)),
    };
  }

  /** The chat's system messages after `fromId`, oldest first. */
  async notes(chatId: number): Promise<string[]> {
    const rows = await this.server.store.db
      .selectFrom('messages')
      .select('text')
      .where('chat_id', '=', chatId)
      .where('author_kind', '=', 'system')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.text);
  }

  /** Moves the test clock and runs every timer that fell due on every server. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
    for (const server of this.servers) await server.scheduler.runDue();
  }
}

const CONNECTOR = 'dist_bridge';

for (const store of STORES) {
  describe(`distribution [${store}]`, () => {
    const portal = new Portal(store);
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

    it('the reference scenario (§11), strictly: offered in queue order every QUEUE_TIME, looping; taken; closed', async () => {
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

    it('evenly: the least recently offered operator first, ties by queue order', async () => {
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

    it('all: offered to everyone, no change after QUEUE_TIME, the first to write takes it', async () => {
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
      const gone = await portal.operator('Gone', { active: false });
      const line = await portal.line(CONNECTOR, {
        LINE_NAME: 'Slots',
        QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: String(gone) }, ...queue()],
        QUEUE_TYPE: 'strictly',
        QUEUE_TIME: 60,
        MAX_CHAT: 1,
        TYPE_MAX_CHAT: 'answered_new',
      });
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
