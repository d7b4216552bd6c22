// Working hours at work (issue 18; runtime-sessions.md §4), for every store, through real HTTP and a test clock: a
// session a customer opens off-hours is marked WORKTIME=N and gets the off-hours text once (and is still offered to
// the operators), one opened in working hours gets nothing, a line with WORKTIME_ENABLE=N never sends it, an
// operator's message in working time re-arms it; and openlines.line.schedule answers from the same rules.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';
import { type CallResult, parseAnswer } from '../helpers/server.js';
import { createTestDatabase, STORES, type TestDatabase } from '../helpers/stores.js';
import { ManualClock } from '../helpers/test-clock.js';

// Tuesday 22 December 2026, 11:00 in Berlin.
const T0 = Date.parse('2026-12-22T10:00:00Z');
const CONNECTOR = 'wt_bridge';
const OFF_TEXT = 'We are closed; we answer from 9:00.';

const HOURS = {
  WORKTIME_ENABLE: 'Y',
  WORKTIME_FROM: '9',
  WORKTIME_TO: '18',
  WORKTIME_TIMEZONE: 'Europe/Berlin',
  WORKTIME_DAYOFF: ['SA', 'SU'],
  WORKTIME_HOLIDAYS: '25.12,26.12',
  WORKTIME_DAYOFF_RULE: 'text',
  WORKTIME_DAYOFF_TEXT: OFF_TEXT,
  // The operator's reply must not auto-close the session while the test moves the clock by hours.
  AUTO_CLOSE_TIME: 86_400,
};

/** One in-process server on a test clock, a connector application, an operator. */
class Portal {
  readonly clock = new ManualClock(T0);
  server!: RunningServer;
  private database!: TestDatabase;
  private dataDir = '';
  adminHook = '';
  appToken = '';
  private appClient = '';
  operatorHook = '';

  constructor(readonly store: 'sqlite' | 'postgres') {}

  async start(): Promise<void> {
    this.dataDir = mkdtempSync(join(tmpdir(), 'openlines-wt-'));
    this.database = await createTestDatabase(this.store, this.dataDir);
    const settings = {
      ...loadSettings({}, { data: this.dataDir, database: this.database.url }),
      port: 0,
      httpsPort: -1,
      ratePlan: 'off' as const,
      logLevel: 'silent' as const,
      eventPollMs: 3_600_000,
    };
    this.server = await startServer(settings, { logger: pino({ level: 'silent' }), clock: this.clock });
    if (this.server.firstWebhook) this.adminHook = `${this.server.httpUrl}/rest/1/${this.server.firstWebhook.code}/`;
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.database.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async call(hook: string, method: string, params: Record<string, unknown> = {}): Promise<CallResult> {
    return parseAnswer(
      await fetch(`${hook}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
      }),
    );
  }

  async app(method: string, params: Record<string, unknown>): Promise<CallResult> {
    return this.call(`${this.server.httpUrl}/rest/`, method, { ...params, auth: this.appToken });
  }

  async operator(name: string): Promise<number> {
    const id = await this.server.directory.addUser({ name, online: true });
    const created = await this.server.directory.createWebhook({ userId: id, scopes: ['imopenlines', 'im'] });
    this.operatorHook = `${this.server.httpUrl}/rest/${id}/${created.code}/`;
    return id;
  }

  async connector(code: string): Promise<void> {
    const app = await this.server.oauth.createApp({ name: code, scopes: ['imopenlines', 'imconnector'] });
    this.appClient = app.clientId;
    this.appToken = (await this.server.oauth.issueToken(this.appClient, 1)).accessToken;
    const registered = await this.app('imconnector.register', {
      ID: code,
      NAME: code,
      ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
      PLACEMENT_HANDLER: 'https://bridge.example.com/',
    });
    assert.equal(registered.status, 200, registered.text);
  }

  async line(params: Record<string, unknown>): Promise<number> {
    const added = await this.call(this.adminHook, 'imopenlines.config.add', { PARAMS: params });
    assert.equal(added.status, 200, added.text);
    const line = added.body.result as number;
    const activated = await this.app('imconnector.activate', { CONNECTOR, LINE: line, ACTIVE: 1 });
    assert.equal(activated.body.result, true, activated.text);
    return line;
  }

  async customerSays(line: number, who: string, text: string) {
    this.appToken = (await this.server.oauth.issueToken(this.appClient, 1)).accessToken;
    const sent = await this.app('imconnector.send.messages', {
      CONNECTOR,
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
      .execute();
    return {
      worktime: Number(row.worktime) === 1,
      sendNoWorkTimeText: Number(row.send_no_work_time_text) === 1,
      sendNoAnswerText: Number(row.send_no_answer_text) === 1,
      offers: offers.map((o) => Number(o.user_id)),
    };
  }

  /** The off-hours texts posted into the chat, and whether each went to the customer. */
  async offHoursTexts(chatId: number): Promise<{ text: string; toCustomer: boolean }[]> {
    const rows = await this.server.store.db
      .selectFrom('messages')
      .select(['text', 'sending'])
      .where('chat_id', '=', chatId)
      .where('author_kind', '=', 'system')
      .where('text', '=', OFF_TEXT)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ text: r.text, toCustomer: Number(r.sending) === 1 }));
  }

  async setTime(iso: string): Promise<void> {
    await this.clock.set(Date.parse(iso));
    await this.server.scheduler.runDue();
  }
}

for (const store of STORES) {
  describe(`working hours [${store}]`, () => {
    const portal = new Portal(store);
    let operator: number;
    let line: number;
    let always: number;

    before(async () => {
      await portal.start();
      await portal.connector(CONNECTOR);
      operator = await portal.operator('Olga');
      const queue = [{ ENTITY_TYPE: 'user', ENTITY_ID: String(operator) }];
      line = await portal.line({ LINE_NAME: 'Hours', QUEUE: queue, QUEUE_TYPE: 'all', ...HOURS });
      always = await portal.line({
        LINE_NAME: 'No hours',
        QUEUE: queue,
        QUEUE_TYPE: 'all',
        ...HOURS,
        WORKTIME_ENABLE: 'N',
      });
    });
    after(() => portal.close());

    it('WORKTIME_DAYOFF_TEXT: a session opened in working hours gets no off-hours text', async () => {
      const { sessionId, chatId } = await portal.customerSays(line, 'day', 'hello');
      assert.deepEqual(await portal.offHoursTexts(chatId), []);
      assert.deepEqual(await portal.session(sessionId), {
        worktime: true,
        sendNoWorkTimeText: false,
        sendNoAnswerText: false,
        offers: [operator],
      });
    });

    it('WORKTIME_DAYOFF_RULE=text: a session opened off-hours is WORKTIME=N, gets the text once, and is still offered', async () => {
      await portal.setTime('2026-12-22T19:00:00Z'); // Tuesday 20:00 in Berlin
      const { sessionId, chatId } = await portal.customerSays(line, 'night', 'anyone there?');
      await portal.customerSays(line, 'night', 'hello?');
      assert.deepEqual(await portal.offHoursTexts(chatId), [{ text: OFF_TEXT, toCustomer: true }]);
      assert.deepEqual(await portal.session(sessionId), {
        worktime: false,
        sendNoWorkTimeText: true,
        sendNoAnswerText: true,
        offers: [operator],
      });
    });

    it('WORKTIME_ENABLE=N: never the off-hours text, WORKTIME stays Y', async () => {
      const { sessionId, chatId } = await portal.customerSays(always, 'night', 'anyone there?');
      assert.deepEqual(await portal.offHoursTexts(chatId), []);
      assert.equal((await portal.session(sessionId)).worktime, true);
    });

    it('an operator who writes in working time re-arms the text (WorkTime::automaticSendMessage)', async () => {
      await portal.setTime('2026-12-23T09:30:00Z'); // Wednesday 10:30 in Berlin
      const { sessionId, chatId } = await portal.customerSays(line, 'night', 'still there?');
      assert.equal((await portal.session(sessionId)).sendNoWorkTimeText, true);
      const answered = await portal.call(portal.operatorHook, 'imopenlines.operator.answer', { CHAT_ID: chatId });
      assert.equal(answered.status, 200, answered.text);
      const posted = await portal.call(portal.operatorHook, 'im.message.add', {
        DIALOG_ID: `chat${chatId}`,
        MESSAGE: 'Good morning!',
      });
      assert.equal(posted.status, 200, posted.text);
      assert.equal((await portal.session(sessionId)).sendNoWorkTimeText, false);
      // Taken (status ≥ 10): off-hours again, no text.
      await portal.setTime('2026-12-23T17:30:00Z'); // 18:30 in Berlin
      await portal.customerSays(line, 'night', 'thanks');
      assert.equal((await portal.offHoursTexts(chatId)).length, 1);
    });

    it('WORKTIME_HOLIDAYS: 25.12 is off-hours at noon', async () => {
      await portal.setTime('2026-12-25T11:00:00Z');
      const { sessionId, chatId } = await portal.customerSays(line, 'xmas', 'hi');
      assert.equal((await portal.offHoursTexts(chatId)).length, 1);
      assert.equal((await portal.session(sessionId)).worktime, false);
    });

    it('openlines.line.schedule: open or closed at a moment, the next change, in the line zone', async () => {
      // Christmas Day, 12:00 in Berlin: closed; the 26th is a holiday too, then the weekend: opens Monday 9:00.
      const now = await portal.call(portal.operatorHook, 'openlines.line.schedule', { CONFIG_ID: line });
      assert.equal(now.status, 200, now.text);
      assert.deepEqual(now.body.result, {
        CONFIG_ID: line,
        OPEN: false,
        TIME: '2026-12-25T12:00:00+01:00',
        NEXT_CHANGE: '2026-12-28T09:00:00+01:00',
        TIMEZONE: 'Europe/Berlin',
      });
      // Friday 24 December 2027 is a working day; the holidays 25-26 and the weekend follow: opens Monday 27th.
      const eve = await portal.call(portal.operatorHook, 'openlines.line.schedule', {
        CONFIG_ID: line,
        TIME: '2027-12-24T17:30:00Z',
      });
      assert.deepEqual(eve.body.result, {
        CONFIG_ID: line,
        OPEN: false,
        TIME: '2027-12-24T18:30:00+01:00',
        NEXT_CHANGE: '2027-12-27T09:00:00+01:00',
        TIMEZONE: 'Europe/Berlin',
      });
      // Summer time: the offset follows the date.
      const summer = await portal.call(portal.operatorHook, 'openlines.line.schedule', {
        CONFIG_ID: line,
        TIME: '2027-07-01T10:00:00Z',
      });
      assert.deepEqual(summer.body.result, {
        CONFIG_ID: line,
        OPEN: true,
        TIME: '2027-07-01T12:00:00+02:00',
        NEXT_CHANGE: '2027-07-01T18:01:00+02:00',
        TIMEZONE: 'Europe/Berlin',
      });
      const off = await portal.call(portal.operatorHook, 'openlines.line.schedule', { CONFIG_ID: always });
      assert.deepEqual(off.body.result, {
        CONFIG_ID: always,
        OPEN: true,
        TIME: '2026-12-25T12:00:00+01:00',
        NEXT_CHANGE: null,
        TIMEZONE: 'Europe/Berlin',
      });
    });

    it('openlines.line.schedule: errors as openlines.route.simulate', async () => {
      const cases: [Record<string, unknown>, string, string | undefined][] = [
        [{}, 'CONFIG_ID_EMPTY', undefined],
        [{ CONFIG_ID: 9999 }, 'CONFIG_NOT_FOUND', undefined],
        [{ CONFIG_ID: line, TIME: 'next tuesday' }, 'ERROR_ARGUMENT', 'TIME'],
        [{ CONFIG_ID: line, TIME: 7 }, 'ERROR_ARGUMENT', 'TIME'],
      ];
      for (const [params, error, argument] of cases) {
        const answer = await portal.call(portal.operatorHook, 'openlines.line.schedule', params);
        assert.equal(answer.status >= 400, true, answer.text);
        assert.deepEqual([answer.body.error, answer.body.argument], [error, argument], answer.text);
      }
    });

    it('WORKTIME_FROM and WORKTIME_TO are read in WORKTIME_TIMEZONE: 09:30 Berlin is open, 18:30 Berlin closed', async () => {
      // 08:30 UTC would be before 9:00 and 17:30 UTC before 18:00 in UTC: only the line's zone gives these answers.
      await portal.setTime('2026-12-28T08:30:00Z'); // Monday 09:30 in Berlin
      const morning = await portal.customerSays(line, 'tz-morning', 'hi');
      assert.deepEqual(await portal.offHoursTexts(morning.chatId), []);
      assert.equal((await portal.session(morning.sessionId)).worktime, true);
      await portal.setTime('2026-12-28T17:30:00Z'); // Monday 18:30 in Berlin
      const evening = await portal.customerSays(line, 'tz-evening', 'hi');
      assert.equal((await portal.offHoursTexts(evening.chatId)).length, 1);
      assert.equal((await portal.session(evening.sessionId)).worktime, false);
    });

    it('WORKTIME_DAYOFF: a Saturday is off-hours at noon', async () => {
      await portal.setTime('2027-01-02T11:00:00Z'); // Saturday 12:00 in Berlin, no holiday
      const { sessionId, chatId } = await portal.customerSays(line, 'saturday', 'hi');
      assert.equal((await portal.offHoursTexts(chatId)).length, 1);
      assert.equal((await portal.session(sessionId)).worktime, false);
    });
  });
}
