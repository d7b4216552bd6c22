// imopenlines.config.get, .path.get and imopenlines.revision.get on a real server, per store.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { GET_KEY_ORDER } from '../fixtures/spec-facts.js';
import {
  addLine,
  addUser,
  assertError,
  assertResult,
  fillUsersUpTo,
  getLine,
  STRICT,
  testClock,
} from '../helpers/lines.js';
import { SEED, SEED_PARAMS } from '../helpers/seed.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

/** What the reference prints for the seed line (openlines-api.md §3.3 key order; defaults reference-behaviour.md §2.2). */
function seedExpectation(created: string) {
  return {
    ID: '1',
    ACTIVE: 'Y',
    LINE_NAME: 'Online Store Support Line',
    CRM: 'Y',
    CRM_CREATE: 'deal',
    CRM_CREATE_SECOND: '',
    CRM_CREATE_THIRD: 'Y',
    CRM_FORWARD: 'Y',
    CRM_CHAT_TRACKER: 'Y',
    CRM_TRANSFER_CHANGE: 'Y',
    CRM_SOURCE: 'openline_web',
    QUEUE_TIME: '45',
    NO_ANSWER_TIME: '120',
    QUEUE_TYPE: 'strictly',
    CHECK_AVAILABLE: 'N',
    WATCH_TYPING: 'Y',
    WELCOME_BOT_ENABLE: 'N',
    WELCOME_MESSAGE: 'Y',
    WELCOME_MESSAGE_TEXT: 'Hello! We will respond within a couple of minutes',
    VOTE_MESSAGE: 'Y',
    VOTE_TIME_LIMIT: '0',
    VOTE_BEFORE_FINISH: 'Y',
    VOTE_CLOSING_DELAY: 'N',
    VOTE_MESSAGE_1_TEXT: 'Please tell us how we did.',
    VOTE_MESSAGE_1_LIKE: 'Thank you!',
    VOTE_MESSAGE_1_DISLIKE: 'We are sorry we could not help you. Your opinion will help us improve our service.',
    VOTE_MESSAGE_2_TEXT:
      'Please tell us how we did.[br][br]Just send 1 if you are satisfied, or 0 if we could do better.',
    VOTE_MESSAGE_2_LIKE: 'Thank you!',
    VOTE_MESSAGE_2_DISLIKE: 'We are sorry we could not help you. Your opinion will help us improve our service.',
    AGREEMENT_MESSAGE: 'N',
    AGREEMENT_ID: '0',
    CATEGORY_ENABLE: 'N',
    CATEGORY_ID: '0',
    WELCOME_BOT_JOIN: 'always',
    WELCOME_BOT_ID: '0',
    WELCOME_BOT_TIME: '600',
    WELCOME_BOT_LEFT: 'queue',
    NO_ANSWER_RULE: 'none',
    NO_ANSWER_FORM_ID: '0',
    NO_ANSWER_BOT_ID: '0',
    NO_ANSWER_TEXT:
      'Unfortunately we cannot currently serve your request. We will get back to you as soon as possible.',
    WORKTIME_ENABLE: 'Y',
    WORKTIME_FROM: '9',
    WORKTIME_TO: '21',
    WORKTIME_TIMEZONE: 'Europe/Berlin',
    WORKTIME_HOLIDAYS: [''],
    WORKTIME_DAYOFF: ['SA', 'SU'],
    WORKTIME_DAYOFF_RULE: 'text',
    WORKTIME_DAYOFF_FORM_ID: '0',
    WORKTIME_DAYOFF_BOT_ID: '0',
    WORKTIME_DAYOFF_TEXT: 'The line is currently closed. Please write, and we will respond during working hours',
    CLOSE_RULE: 'text',
    CLOSE_FORM_ID: '0',
    CLOSE_BOT_ID: '0',
    CLOSE_TEXT: 'Thank you for doing business with us.',
    FULL_CLOSE_TIME: '10',
    AUTO_CLOSE_RULE: 'none',
    AUTO_CLOSE_FORM_ID: '0',
    AUTO_CLOSE_BOT_ID: '0',
    AUTO_CLOSE_TIME: '14400',
    AUTO_CLOSE_TEXT: null,
    AUTO_EXPIRE_TIME: '86400',
    DATE_CREATE: created,
    DATE_MODIFY: created,
    MODIFY_USER_ID: '1',
    TEMPORARY: 'N',
    XML_ID: null,
    LANGUAGE_ID: null,
    QUICK_ANSWERS_IBLOCK_ID: null,
    SESSION_PRIORITY: '0',
    TYPE_MAX_CHAT: 'answered_new',
    MAX_CHAT: '4',
    OPERATOR_DATA: 'profile',
    DEFAULT_OPERATOR_DATA: [],
    KPI_FIRST_ANSWER_TIME: '0',
    KPI_FIRST_ANSWER_ALERT: 'N',
    KPI_FIRST_ANSWER_LIST: null,
    KPI_FIRST_ANSWER_TEXT: '#OPERATOR# exceeded maximum initial response time in conversation ##DIALOG#.',
    KPI_FURTHER_ANSWER_TIME: '0',
    KPI_FURTHER_ANSWER_ALERT: 'N',
    KPI_FURTHER_ANSWER_LIST: null,
    KPI_FURTHER_ANSWER_TEXT: '#OPERATOR# exceeded maximum response time in conversation ##DIALOG#.',
    KPI_CHECK_OPERATOR_ACTIVITY: 'N',
    SEND_NOTIFICATION_EMPTY_QUEUE: 'N',
    USE_WELCOME_FORM: 'N',
    WELCOME_FORM_ID: null,
    WELCOME_FORM_DELAY: 'Y',
    SEND_WELCOME_EACH_SESSION: 'N',
    CONFIRM_CLOSE: 'N',
    IGNORE_WELCOME_FORM_RESPONSIBLE: 'N',
    QUEUE: ['1', '15', '23'],
    QUEUE_FULL: {
      1: {
        ID: '1',
        SORT: '0',
        USER_ID: '1',
        DEPARTMENT_ID: '0',
        USER_NAME: 'Admin',
        USER_WORK_POSITION: '',
        USER_AVATAR: '',
        USER_AVATAR_ID: '0',
      },
      15: {
        ID: '2',
        SORT: '1',
        USER_ID: '15',
        DEPARTMENT_ID: '0',
        USER_NAME: 'Anna Schmidt',
        USER_WORK_POSITION: 'Support lead',
        USER_AVATAR: 'https://cdn.example.com/anna.png',
        USER_AVATAR_ID: '0',
      },
      23: {
        ID: '3',
        SORT: '2',
        USER_ID: '23',
        DEPARTMENT_ID: '0',
        USER_NAME: 'Ben Novak',
        USER_WORK_POSITION: 'Operator',
        USER_AVATAR: '',
        USER_AVATAR_ID: '0',
      },
    },
    QUEUE_USERS_FIELDS: {
      1: { USER_NAME: 'Admin', USER_WORK_POSITION: '', USER_AVATAR: '', USER_AVATAR_ID: '0' },
      15: {
        USER_NAME: 'Anna Schmidt',
        USER_WORK_POSITION: 'Support lead',
        USER_AVATAR: 'https://cdn.example.com/anna.png',
        USER_AVATAR_ID: '0',
      },
      23: { USER_NAME: 'Ben Novak', USER_WORK_POSITION: 'Operator', USER_AVATAR: '', USER_AVATAR_ID: '0' },
    },
    QUEUE_ONLINE: 'Y',
  };
}

/** A raw HTTP request with a Host header of our choosing (fetch does not allow setting it). */
function rawPost(url: string, path: string, host: string, body: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

for (const store of STORES) {
  describe(`imopenlines.config.get: the seed line (${store})`, () => {
    const clock = testClock('2026-11-23T09:25:59.250Z');
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ store, clock: clock.clock, settings: { timeZone: 'Europe/Berlin' } });
      await fillUsersUpTo(t, 14);
      assert.equal(
        await addUser(t, {
          name: 'Anna',
          lastName: 'Schmidt',
          workPosition: 'Support lead',
          avatar: 'https://cdn.example.com/anna.png',
        }),
        15,
      );
      await fillUsersUpTo(t, 22);
      assert.equal(await addUser(t, { name: 'Ben', lastName: 'Novak', workPosition: 'Operator' }), 23);
    });
    after(() => t.close());

    it('imopenlines.config.get: prints the seed line field by field as the reference would', async () => {
      assert.equal(await addLine(t, SEED_PARAMS), 1);
      const answer = await t.call('imopenlines.config.get', { CONFIG_ID: 1 });
      const expected = seedExpectation('2026-11-23T10:25:59+01:00');
      assertResult(answer, expected);
      assert.deepEqual(Object.keys(answer.body.result), GET_KEY_ORDER);
      assert.deepEqual(Object.keys(answer.body), ['result', 'time']);
      // The acceptance facts of issue #3, on the wire bytes.
      assert.match(answer.text, /"QUEUE_TYPE":"strictly","CHECK_AVAILABLE"/);
      assert.match(answer.text, /"MAX_CHAT":"4"/);
      assert.match(answer.text, /"WORKTIME_FROM":"9","WORKTIME_TO":"21"/);
      assert.match(answer.text, /"WORKTIME_DAYOFF":\["SA","SU"\]/);
      assert.match(answer.text, /"DATE_CREATE":"2026-11-23T10:25:59\+01:00"/);
    });

    it('imopenlines.config.get: reads CONFIG_ID from the query string and the seed body shape alike', async () => {
      const byQuery = await t.request(`${t.hook}imopenlines.config.get.json?CONFIG_ID=1&WITH_QUEUE=N`);
      assert.equal(byQuery.status, 200);
      assert.equal(byQuery.body.result.ID, '1');
      assert.deepEqual(byQuery.body.result.QUEUE, []);
      const id = await addLine(t, SEED.PARAMS);
      assert.equal((await getLine(t, id)).LINE_NAME, 'Online Store Support Line');
    });
  });

  describe(`imopenlines.config.get (${store})`, () => {
    let t: TestServer;
    let users: { online: number; offline: number; fired: number; head: number; deputy: number };
    let sales: number;
    let support: number;
    before(async () => {
      t = await startTestServer({ store });
      sales = await t.server.directory.addDepartment('Sales', null);
      support = await t.server.directory.addDepartment('Support', sales);
      users = {
        online: await addUser(t, { name: 'On', online: true }),
        offline: await addUser(t, { name: 'Off' }),
        fired: await addUser(t, { name: 'Fired' }),
        head: await addUser(t, { name: 'Head', departmentIds: [sales] }),
        deputy: await addUser(t, { name: 'Deputy', departmentIds: [support], online: true }),
      };
    });
    after(() => t.close());

    it('imopenlines.config.get: WITH_QUEUE and SHOW_OFFLINE default to Y; only Y turns them on when sent', async () => {
      const id = await addLine(t, {
        QUEUE: [
          { ENTITY_TYPE: 'user', ENTITY_ID: users.offline },
          { ENTITY_TYPE: 'user', ENTITY_ID: users.online },
        ],
      });
      const all = await getLine(t, id);
      assert.deepEqual(all.QUEUE, [String(users.offline), String(users.online)]);
      assert.equal(all.QUEUE_ONLINE, 'Y');
      for (const value of ['N', 'y', '1', 'true']) {
        const none = await getLine(t, id, { WITH_QUEUE: value });
        assert.deepEqual(
          [none.QUEUE, none.QUEUE_FULL, none.QUEUE_USERS_FIELDS, none.QUEUE_ONLINE],
          [[], [], [], 'N'],
          value,
        );
      }
      assert.deepEqual((await getLine(t, id, { WITH_QUEUE: 'Y' })).QUEUE, all.QUEUE);
      const online = await getLine(t, id, { SHOW_OFFLINE: 'N' });
      assert.deepEqual(online.QUEUE, [String(users.online)]);
      assert.deepEqual(Object.keys(online.QUEUE_FULL), [String(users.online)]);
      assert.equal(online.QUEUE_ONLINE, 'Y');
    });

    it('imopenlines.config.get: QUEUE_ONLINE is N when no listed operator is online', async () => {
      const id = await addLine(t, { QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: users.offline }] });
      const line = await getLine(t, id);
      assert.equal(line.QUEUE_ONLINE, 'N');
      const onlineOnly = await getLine(t, id, { SHOW_OFFLINE: 'N' });
      assert.deepEqual([onlineOnly.QUEUE, onlineOnly.QUEUE_FULL, onlineOnly.QUEUE_ONLINE], [[], [], 'N']);
    });

    it('imopenlines.config.get: leaves out operators deactivated after the line was made', async () => {
      const id = await addLine(t, {
        QUEUE: [
          { ENTITY_TYPE: 'user', ENTITY_ID: users.fired },
          { ENTITY_TYPE: 'user', ENTITY_ID: users.offline },
        ],
      });
      await t.server.store.db.updateTable('users').set({ active: 0 }).where('id', '=', users.fired).execute();
      const line = await getLine(t, id);
      assert.deepEqual(line.QUEUE, [String(users.offline)]);
      assert.deepEqual(Object.keys(line.QUEUE_USERS_FIELDS), [String(users.offline)]);
    });

    it('imopenlines.config.get: a department expands to its members and sub-departments, with DEPARTMENT_ID', async () => {
      const id = await addLine(t, { QUEUE: [{ ENTITY_TYPE: 'department', ENTITY_ID: String(sales) }] });
      const line = await getLine(t, id);
      assert.deepEqual(line.QUEUE, [String(users.head), String(users.deputy)]);
      assert.equal(line.QUEUE_FULL[users.deputy].DEPARTMENT_ID, String(sales));
      assert.equal(line.QUEUE_FULL[users.deputy].USER_NAME, 'Deputy');
    });

    it('imopenlines.config.get: per-line QUEUE_USERS_FIELDS win over the directory', async () => {
      const id = await addLine(t, {
        QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: users.head }],
        QUEUE_USERS_FIELDS: {
          [users.head]: { USER_NAME: 'Desk', USER_WORK_POSITION: 'Front', USER_AVATAR: 'a.png', USER_AVATAR_ID: 7 },
        },
      });
      const line = await getLine(t, id);
      assert.deepEqual(line.QUEUE_USERS_FIELDS, {
        [users.head]: { USER_NAME: 'Desk', USER_WORK_POSITION: 'Front', USER_AVATAR: 'a.png', USER_AVATAR_ID: '7' },
      });
    });

    it('imopenlines.config.get: 400 CONFIG_ID_EMPTY when CONFIG_ID is missing, not a number or ≤ 0', async () => {
      for (const params of [{}, { CONFIG_ID: 0 }, { CONFIG_ID: -3 }, { CONFIG_ID: 'abc' }, { config_id: 1 }]) {
        const answer = await t.call('imopenlines.config.get', params);
        assertError(answer, 400, 'CONFIG_ID_EMPTY', "Config ID can't be empty");
        assert.equal(answer.body.time, undefined);
      }
    });

    it('imopenlines.config.get: CONFIG_ID is cast like PHP (int): "1abc" is line 1', async () => {
      const id = await addLine(t, { LINE_NAME: 'cast' });
      assert.equal((await getLine(t, `${id}abc` as unknown as number)).LINE_NAME, 'cast');
    });

    it('imopenlines.config.get: a missing line is result false with 200 in compat mode', async () => {
      assertResult(await t.call('imopenlines.config.get', { CONFIG_ID: 99_999 }), false);
    });

    it('imopenlines.config.get: a missing line is 404 CONFIG_NOT_FOUND in strict mode (header or webhook)', async () => {
      assertError(
        await t.call('imopenlines.config.get', { CONFIG_ID: 99_999 }, STRICT),
        404,
        'CONFIG_NOT_FOUND',
        'Config is not found.',
      );
      const strictHook = await t.webhookFor(1, ['imopenlines'], { strict: true });
      assertError(
        await t.call('imopenlines.config.get', { CONFIG_ID: 99_999 }, { hook: strictHook }),
        404,
        'CONFIG_NOT_FOUND',
        'Config is not found.',
      );
    });

    it('imopenlines.config.get: needs the imopenlines scope', async () => {
      const hook = await t.webhookFor(1, ['imconnector']);
      const answer = await t.call('imopenlines.config.get', { CONFIG_ID: 1 }, { hook });
      assertError(
        answer,
        403,
        'insufficient_scope',
        'The request requires higher privileges than provided by the webhook token',
      );
    });

    it('imopenlines.revision.get: answers {rest: 2, web: 1, mobile: 1} as integers', async () => {
      const answer = await t.call('imopenlines.revision.get');
      assertResult(answer, { rest: 2, web: 1, mobile: 1 });
      assert.match(answer.text, /^\{"result":\{"rest":2,"web":1,"mobile":1\},"time":/);
    });

    it('imopenlines.config.path.get: the address the client used and /contact_center/', async () => {
      const answer = await t.call('imopenlines.config.path.get');
      assertResult(answer, { SERVER_ADDRESS: t.url, PUBLIC_PATH: '/contact_center/' });
      assert.match(answer.text, /"PUBLIC_PATH":"\\\/contact_center\\\/"/);
      const path = `/rest/1/${t.webhookCode}/imopenlines.config.path.get`;
      const named = JSON.parse(await rawPost(t.url, path, 'support.example.com:8080', '{}'));
      assert.equal(named.result.SERVER_ADDRESS, 'http://support.example.com:8080');
      // A Host header that is not a plain host[:port] is never echoed: the listening address is used instead.
      const hostile = JSON.parse(await rawPost(t.url, path, 'evil.example.com/"<script>', '{}'));
      assert.equal(hostile.result.SERVER_ADDRESS, t.url);
    });
  });

  describe(`imopenlines.config.path.get with PUBLIC_URL (${store})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ store, settings: { publicUrl: 'https://support.example.com' } });
    });
    after(() => t.close());

    it('imopenlines.config.path.get: SERVER_ADDRESS is PUBLIC_URL when set', async () => {
      assertResult(await t.call('imopenlines.config.path.get'), {
        SERVER_ADDRESS: 'https://support.example.com',
        PUBLIC_PATH: '/contact_center/',
      });
    });
  });
}
