// SQL injection through every string that reaches the store (issue 8): line names and texts, queue display
// overrides, list.get filter values on columns and on the JSON document (equality, negation, "contains"),
// connector ids, names and DATA, webhook codes and user ids in the URL, OAuth tokens and the token endpoint's
// parameters. Each payload must be stored and compared as the literal text it is, and afterwards the store must
// be intact: same tables, same directory, the canary line unchanged, nothing else matched or deleted.
// (list.get's field names, order keys and directions are refused by name: config-list.test.ts.)

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE lines; --",
  '"; DROP TABLE lines; --',
  "Robert'); DELETE FROM webhooks; --",
  "x') OR 1=1 --",
  "' UNION SELECT code_hash FROM webhooks --",
  "\\'; SELECT pg_sleep(0); --",
  "%' OR '%'='",
  '_%_',
  '!%!_!!',
  '$.LINE_NAME',
  '") || ("1"="1',
  "'||(SELECT 1)||'",
  '{"$ne": null}',
  '"},"ID":999,"x":{"',
  "ё'); DROP TABLE users; --",
  "a\\\\' or 1=1 --",
  "'/* */ OR 1=1 --",
  '`id`',
  '? $1 :name %s',
  "jsonb' ? 'x",
  "' AND 1=(SELECT COUNT(*) FROM sqlite_master) --",
];

/** Table names of the store, to prove none was dropped or added. */
async function tableNames(t: TestServer): Promise<string[]> {
  const db = t.server.store.db;
  const query =
    t.server.store.capabilities.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`
      : sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = 'public' order by table_name`;
  return (await query.execute(db)).rows.map((r) => r.name);
}

async function counts(t: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['users', 'webhooks', 'oauth_apps', 'oauth_tokens', 'portal', 'departments'] as const) {
    const row = await t.server.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

function ok(answer: CallResult, label: string) {
  assert.equal(answer.status, 200, `${label}: ${answer.text}`);
}

for (const store of STORES) {
  describe(`SQL injection stays data [${store}]`, () => {
    let t: TestServer;
    let token: string;
    let canary: unknown;
    let tablesBefore: string[];
    let countsBefore: Record<string, number>;
    const bearer = () => ({ headers: { Authorization: `Bearer ${token}` } });
    const ids = new Map<string, number>();

    before(async () => {
      t = await startTestServer({ store });
      const app = await t.server.oauth.createApp({ name: 'Injection', scopes: ['imopenlines', 'imconnector'] });
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const canaryAdd = await t.call('imopenlines.config.add', {
        PARAMS: { LINE_NAME: 'Canary', WELCOME_MESSAGE_TEXT: 'untouched' },
      });
      ok(canaryAdd, 'canary');
      canary = (await t.call('imopenlines.config.get', { CONFIG_ID: canaryAdd.body.result })).body.result;
      ok(
        await t.call(
          'imconnector.register',
          {
            ID: 'injection',
            NAME: 'Injection',
            ICON: { DATA_IMAGE: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' },
            PLACEMENT_HANDLER: 'https://app.example.com/',
          },
          bearer(),
        ),
        'register',
      );
      tablesBefore = await tableNames(t);
      countsBefore = await counts(t);
    });
    after(() => t.close());

    it('line names, texts and queue overrides are stored and read back literally', async () => {
      for (const [i, payload] of INJECTIONS.entries()) {
        const added = await t.call('imopenlines.config.add', {
          PARAMS: {
            LINE_NAME: payload,
            WELCOME_MESSAGE_TEXT: `${payload} #${i}`,
            QUEUE: [{ ENTITY_TYPE: 'user', ENTITY_ID: '1' }],
            QUEUE_USERS_FIELDS: { 1: { USER_NAME: payload, USER_WORK_POSITION: payload } },
          },
        });
        ok(added, payload);
        assert.equal(typeof added.body.result, 'number', `${payload}: ${added.text}`);
        ids.set(payload, added.body.result);
        const got = (await t.call('imopenlines.config.get', { CONFIG_ID: added.body.result })).body.result;
        assert.equal(got.LINE_NAME, payload);
        assert.equal(got.WELCOME_MESSAGE_TEXT, `${payload} #${i}`);
        assert.equal(got.QUEUE_USERS_FIELDS['1'].USER_NAME, payload);
        assert.equal(got.QUEUE_USERS_FIELDS['1'].USER_WORK_POSITION, payload);
      }
    });

    it('list.get compares filter values literally: columns, JSON-document fields, negation, contains', async () => {
      const list = async (filter: Record<string, unknown>) => {
        const answer = await t.call('imopenlines.config.list.get', {
          PARAMS: { filter, select: ['ID', 'LINE_NAME', 'WELCOME_MESSAGE_TEXT'], limit: 200 },
        });
        ok(answer, JSON.stringify(filter));
        return answer.body.result as { ID: string; LINE_NAME: string; WELCOME_MESSAGE_TEXT: string }[];
      };
      const all = await list({});
      for (const [i, payload] of INJECTIONS.entries()) {
        const id = String(ids.get(payload));
        assert.deepEqual(
          (await list({ LINE_NAME: payload })).map((r) => r.ID),
          [id],
          `= ${payload}`,
        );
        assert.deepEqual(
          (await list({ WELCOME_MESSAGE_TEXT: `${payload} #${i}` })).map((r) => r.ID),
          [id],
          `doc = ${payload}`,
        );
        assert.equal((await list({ '!LINE_NAME': payload })).length, all.length - 1, `! ${payload}`);
        const contains = await list({ '%LINE_NAME': payload });
        assert.ok(
          contains.some((r) => r.ID === id),
          `% ${payload} finds its line`,
        );
        for (const r of contains) {
          assert.ok(r.LINE_NAME.toLowerCase().includes(payload.toLowerCase()), `% ${payload} matched ${r.LINE_NAME}`);
        }
        assert.deepEqual(
          (await list({ LINE_NAME: [payload, 'Canary'] })).map((r) => r.LINE_NAME).sort(),
          ['Canary', payload].sort(),
        );
      }
    });

    it('config.update writes the payload literally and touches no other line', async () => {
      for (const payload of INJECTIONS) {
        const id = ids.get(payload)!;
        ok(await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: { LINE_NAME: `${payload}!` } }), payload);
        assert.equal((await t.call('imopenlines.config.get', { CONFIG_ID: id })).body.result.LINE_NAME, `${payload}!`);
      }
    });

    it('connector ids, names, lines and DATA are literal; unknown ids are refused, never run', async () => {
      const line = ids.get(INJECTIONS[0]!)!;
      ok(await t.call('imconnector.activate', { CONNECTOR: 'injection', LINE: line, ACTIVE: 1 }, bearer()), 'activate');
      for (const [i, payload] of INJECTIONS.entries()) {
        const data = { ID: payload, NAME: payload, URL: `https://x.example/${i}`, URL_IM: `https://x.example/${i}` };
        const set = await t.call(
          'imconnector.connector.data.set',
          { CONNECTOR: 'injection', LINE: line, DATA: data },
          bearer(),
        );
        ok(set, payload);
        const got = await t.call('imconnector.connector.data.get', { CONNECTOR: 'injection', LINE: line }, bearer());
        ok(got, payload);
        assert.equal(got.body.result.NAME, payload);
        assert.equal(got.body.result.ID, payload);

        const status = await t.call('imconnector.status', { CONNECTOR: payload, LINE: line }, bearer());
        assert.equal(status.status, 400, `${payload}: ${status.text}`);
        assert.equal(status.body.error, 'NOT_AVAILABLE_CONNECTOR');
        const lineInjection = await t.call('imconnector.status', { CONNECTOR: 'injection', LINE: payload }, bearer());
        assert.ok(lineInjection.status < 500, `${payload}: ${lineInjection.text}`);

        const named = await t.call(
          'imconnector.register',
          {
            ID: `named${i}`,
            NAME: payload,
            ICON: { DATA_IMAGE: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' },
            PLACEMENT_HANDLER: 'https://app.example.com/',
          },
          bearer(),
        );
        ok(named, payload);
        assert.equal((await t.call('imconnector.list', {}, bearer())).body.result[`named${i}`], payload);
        // An ID with quotes and spaces is stored as the text it is (with a warning); one with a dot is refused as
        // the reference refuses it. Never SQL.
        const oddId = await t.call(
          'imconnector.register',
          {
            ID: payload,
            NAME: 'Odd',
            ICON: { DATA_IMAGE: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' },
            PLACEMENT_HANDLER: 'https://app.example.com/',
          },
          bearer(),
        );
        ok(oddId, payload);
        const listed = (await t.call('imconnector.list', {}, bearer())).body.result;
        if (payload.includes('.')) {
          assert.deepEqual(oddId.body.result, {
            result: false,
            error: 'APPLICATION_REGISTRATION_ERROR_POINT',
            error_description: 'Application registration error. Connector ID cannot contain dots (.).',
          });
          assert.equal(listed[payload.toLowerCase()], undefined, `${payload} not registered`);
        } else {
          assert.deepEqual(oddId.body.result, { result: true }, payload);
          assert.equal(listed[payload.toLowerCase()], 'Odd', `${payload} listed literally`);
          const unregistered = await t.call('imconnector.unregister', { ID: payload }, bearer());
          ok(unregistered, `unregister ${payload}`);
          assert.deepEqual(unregistered.body.result, { result: true }, `unregister ${payload}`);
        }
      }
    });

    it('credentials carrying SQL are refused: webhook codes and user ids, tokens, the token endpoint', async () => {
      for (const payload of INJECTIONS) {
        const encoded = encodeURIComponent(payload);
        const hook = await t.request(`/rest/1/${encoded}/imopenlines.config.get`, { method: 'POST' });
        assert.ok([401, 404].includes(hook.status), `code ${payload}: ${hook.status} ${hook.text}`);
        const user = await t.request(`/rest/${encoded}/${t.webhookCode}/imopenlines.config.get`, { method: 'POST' });
        assert.ok([401, 404].includes(user.status), `user ${payload}: ${user.status} ${user.text}`);
        const tokenAnswer = await t.call(
          'imopenlines.config.get',
          { CONFIG_ID: 1, auth: payload },
          { hook: `${t.url}/rest/` },
        );
        assert.equal(tokenAnswer.status, 401, `auth ${payload}: ${tokenAnswer.text}`);
        for (const grant of ['refresh_token', 'authorization_code', payload]) {
          const form = new URLSearchParams({
            grant_type: grant,
            client_id: payload,
            client_secret: payload,
            refresh_token: payload,
            code: payload,
          });
          const answer = await t.request('/oauth/token/', {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
          });
          assert.ok([400, 401].includes(answer.status), `token endpoint ${grant}/${payload}: ${answer.text}`);
          assert.ok(typeof answer.body?.error === 'string', answer.text);
        }
      }
    });

    it('afterwards the store is intact: same tables and directory, the canary line unchanged', async () => {
      assert.deepEqual(await tableNames(t), tablesBefore);
      assert.deepEqual(await counts(t), countsBefore);
      const now = (await t.call('imopenlines.config.get', { CONFIG_ID: 1 })).body.result;
      assert.deepEqual(now, canary);
      const total = (await t.call('imopenlines.config.list.get', { PARAMS: { limit: 0 } })).body.total;
      assert.equal(total, INJECTIONS.length + 1);
    });
  });
}
