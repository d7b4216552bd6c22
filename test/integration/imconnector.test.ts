// imconnector.* over real HTTP with OAuth tokens, for every store: register/unregister with the reference's
// nested HTTP-200 failures, list, activate, status, connector.data.set (and the openlines data.get), every error
// row of openlines-api.md §4, webhooks refused, both scopes, strict mode, and the isolation between applications.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setLinePermissions } from '../../src/domain/access/permissions.js';
import type { Caller } from '../../src/domain/caller.js';
import { readRegistration, readUnregistration } from '../../src/domain/connectors/connector-input.js';
import { deleteLine } from '../../src/store/lines-repository.js';
import { SEED } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';

const ICON = { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E', COLOR: '#69acc0', SIZE: '90%' };
const WRONG_AUTH_TYPE = {
  error: 'WRONG_AUTH_TYPE',
  error_description: 'Current authorization type is denied for this method Application context required',
};
const NOT_ACTIVE_LINE = {
  error: 'NOT_ACTIVE_LINE',
  error_description: 'The line with this ID is inactive or does not exist',
};
const METHODS = [
  'imconnector.register',
  'imconnector.unregister',
  'imconnector.list',
  'imconnector.activate',
  'imconnector.status',
  'imconnector.connector.data.set',
  'imconnector.connector.data.get',
];

const registration = (id: string, extra: Record<string, unknown> = {}) => ({
  ID: id,
  NAME: `Connector ${id}`,
  ICON,
  PLACEMENT_HANDLER: 'https://app.example.com/connector/settings',
  ...extra,
});

function assertError(answer: CallResult, status: number, body: Record<string, unknown>): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, body);
}

function assertResult(answer: CallResult, result: unknown): void {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body), ['result', 'time']);
  assert.deepEqual(answer.body.result, result);
}

function nested(error: string, error_description: string) {
  return { result: false, error, error_description };
}

function warningsOf(answer: CallResult): { field: string; reason: string }[] {
  const header = answer.headers.get('x-openlines-warnings');
  return header ? JSON.parse(header) : [];
}

for (const store of STORES) {
  describe(`imconnector.* [${store}]`, () => {
    let t: TestServer;
    let appA: { clientId: string; clientSecret: string };
    let appB: { clientId: string; clientSecret: string };
    let tokenA: string;
    let tokenB: string;
    let unique = 0;
    const nextId = (prefix: string) => `${prefix}_${++unique}`;

    before(async () => {
      t = await startTestServer({ store });
      appA = await t.server.oauth.createApp({ name: 'App A', scopes: ['imopenlines', 'imconnector', 'basic'] });
      appB = await t.server.oauth.createApp({ name: 'App B', scopes: ['imopenlines', 'imconnector'] });
      tokenA = (await t.server.oauth.issueToken(appA.clientId, 1)).accessToken;
      tokenB = (await t.server.oauth.issueToken(appB.clientId, 1)).accessToken;
    });
    after(() => t.close());

    /** POST /rest/{method} with the token in the JSON body, as b24jssdk sends it. */
    const call = (token: string, method: string, params: Record<string, unknown> = {}, strict = false) =>
      t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(strict ? { 'X-Openlines-Strict': '1' } : {}) },
        body: JSON.stringify({ ...params, auth: token }),
      });
    const addLine = async () => {
      const added = await t.call('imopenlines.config.add', SEED);
      assert.equal(added.status, 200, added.text);
      return added.body.result as number;
    };
    const register = async (token: string, id: string) => {
      assertResult(await call(token, 'imconnector.register', registration(id)), { result: true });
      return id;
    };
    const status = (token: string, connector: string, line?: number) =>
      call(token, 'imconnector.status', { CONNECTOR: connector, ...(line === undefined ? {} : { LINE: line }) });
    const statusBody = (line: number, connector: string, on: boolean) => ({
      LINE: line,
      CONNECTOR: connector,
      ERROR: false,
      CONFIGURED: on,
      STATUS: on,
    });

    it('imconnector.register: {"result":{"result":true}}, ID lower-cased, parameter names in any case', async () => {
      const answer = await call(tokenA, 'imconnector.register', {
        id: 'My_Conn_Case',
        name: 'My Connector',
        icon: { data_image: ICON.DATA_IMAGE, color: '#fff' },
        placement_handler: 'https://app.example.com/settings',
        chat_group: 'N',
      });
      assertResult(answer, { result: true });
      assert.equal(answer.headers.get('x-openlines-warnings'), null);
      const row = await t.server.store.db
        .selectFrom('connectors')
        .selectAll()
        .where('code', '=', 'my_conn_case')
        .executeTakeFirstOrThrow();
      assert.equal(row.name, 'My Connector');
      assert.deepEqual(JSON.parse(row.doc), {
        ICON: { DATA_IMAGE: ICON.DATA_IMAGE, COLOR: '#fff' },
        PLACEMENT_HANDLER: 'https://app.example.com/settings',
        DEL_EXTERNAL_MESSAGES: true,
        EDIT_INTERNAL_MESSAGES: true,
        DEL_INTERNAL_MESSAGES: true,
        NEWSLETTER: true,
        NEED_SYSTEM_MESSAGES: true,
        NEED_SIGNATURE: true,
        CHAT_GROUP: false,
      });
    });

    it('imconnector.register: the same ID again from the same application updates the connector', async () => {
      const id = await register(tokenA, nextId('update'));
      assertResult(await call(tokenA, 'imconnector.register', registration(id, { NAME: 'Renamed' })), {
        result: true,
      });
      const list = await call(tokenA, 'imconnector.list');
      assert.equal(list.body.result[id], 'Renamed');
      const rows = await t.server.store.db.selectFrom('connectors').select('id').where('code', '=', id).execute();
      assert.equal(rows.length, 1);
    });

    it('imconnector.register: each failure is HTTP 200 with the nested result of the reference', async () => {
      const cases: [Record<string, unknown>, ReturnType<typeof nested>][] = [
        [
          registration('with.dot'),
          nested(
            'APPLICATION_REGISTRATION_ERROR_POINT',
            'Application registration error. Connector ID cannot contain dots (.).',
          ),
        ],
        [registration('x', { ID: undefined }), nested('CONNECTOR_ID_REQUIRED', 'The connector ID is not specified')],
        [registration(''), nested('CONNECTOR_ID_REQUIRED', 'The connector ID is not specified')],
        [registration('no_name', { NAME: '' }), nested('NAME_REQUIRED', 'Connector name is not specified')],
        [registration('no_icon', { ICON: undefined }), nested('ICON_REQUIRED', 'Connector icon is not specified')],
        [
          registration('no_image', { ICON: { COLOR: '#000' } }),
          nested('ICON_REQUIRED', 'Connector icon is not specified'),
        ],
        [
          registration('icon_text', { ICON: 'data:image/svg+xml,x' }),
          nested('ICON_REQUIRED', 'Connector icon is not specified'),
        ],
        [
          registration('no_handler', { PLACEMENT_HANDLER: '' }),
          nested('NO_PLACEMENT_HANDLER', 'Cannot get the embedding handler URL'),
        ],
        [
          registration('livechat'),
          nested(
            'APPLICATION_REGISTRATION_ERROR',
            "Error registering app: connector ID 'livechat' is a built-in connector",
          ),
        ],
        [
          registration('x'.repeat(256)),
          nested('APPLICATION_REGISTRATION_ERROR', 'Error registering app: ID is longer than 255 characters'),
        ],
        [
          registration('array_name', { NAME: ['a'] }),
          nested('APPLICATION_REGISTRATION_ERROR', 'Error registering app: NAME must be a string'),
        ],
      ];
      for (const [params, expected] of cases) {
        const answer = await call(tokenA, 'imconnector.register', params);
        assertResult(answer, expected);
      }
      const count = await t.server.store.db
        .selectFrom('connectors')
        .select('code')
        .where('code', 'in', ['with.dot', 'no_name', 'no_icon', 'no_handler', 'livechat', 'array_name'])
        .execute();
      assert.deepEqual(count, []);
    });

    it('imconnector.register: NO_APPLICATION_ID when the calling application no longer exists', async () => {
      const caller: Caller = {
        userId: 1,
        isAdmin: true,
        authKind: 'oauth',
        credentialId: 'app:local.gone',
        clientId: 'local.gone',
        scopes: new Set(['imopenlines']),
        strict: false,
      };
      const connectors = t.server.services.connectors;
      assert.deepEqual(await connectors.register(caller, readRegistration(registration('orphan'))), {
        result: false,
        error: 'NO_APPLICATION_ID',
        error_description: 'Cannot get the app ID',
      });
      assert.deepEqual(await connectors.unregister(caller, readUnregistration({ ID: 'orphan' }).code), {
        result: false,
        error: 'NO_APPLICATION_ID',
        error_description: 'Cannot get the app ID',
      });
    });

    it('imconnector.register: an ID outside the documented form is stored with a warning; strict refuses it', async () => {
      const compat = await call(tokenA, 'imconnector.register', registration('With-Dash'));
      assertResult(compat, { result: true });
      assert.deepEqual(
        warningsOf(compat).map((w) => w.field),
        ['ID'],
      );
      const strict = await call(tokenA, 'imconnector.register', registration('other-dash'), true);
      assertError(strict, 400, {
        error: 'ERROR_ARGUMENT',
        error_description: "Field 'ID': the documented form is digits, lower-case latin letters and _; stored as sent",
        argument: 'ID',
      });
      const badFlag = await call(tokenA, 'imconnector.register', registration(nextId('flag'), { NEWSLETTER: 'maybe' }));
      assertResult(badFlag, { result: true });
      assert.deepEqual(warningsOf(badFlag), [
        { field: 'NEWSLETTER', sent: 'maybe', used: true, reason: "expected Y or N, got 'maybe'; default used" },
      ]);
    });

    it('imconnector.unregister: removes the connector; unknown or missing ID is the nested failure', async () => {
      const id = await register(tokenA, nextId('gone'));
      assertResult(await call(tokenA, 'imconnector.unregister', { ID: id.toUpperCase() }), { result: true });
      assert.equal((await call(tokenA, 'imconnector.list')).body.result[id], undefined);
      assertResult(
        await call(tokenA, 'imconnector.unregister', { ID: id }),
        nested(
          'APPLICATION_UNREGISTRATION_ERROR',
          `Error unregistering app: connector '${id}' is not registered by this application`,
        ),
      );
      assertResult(
        await call(tokenA, 'imconnector.unregister', {}),
        nested('APPLICATION_UNREGISTRATION_ERROR', 'Error unregistering app: the connector ID is not specified'),
      );
    });

    it('every imconnector method refuses a webhook with 403 WRONG_AUTH_TYPE', async () => {
      for (const method of METHODS) {
        assertError(await t.call(method, { CONNECTOR: 'x', LINE: 1, ACTIVE: 1 }), 403, WRONG_AUTH_TYPE);
      }
      const imconnectorOnly = await t.webhookFor(1, ['imconnector']);
      assertError(
        await t.call('imconnector.status', { CONNECTOR: 'livechat' }, { hook: imconnectorOnly }),
        403,
        WRONG_AUTH_TYPE,
      );
    });

    it('either scope grants every method; a token with neither gets 403 insufficient_scope', async () => {
      const id = await register(tokenA, nextId('scoped'));
      const line = await addLine();
      for (const scope of ['imopenlines', 'imconnector']) {
        const token = (await t.server.oauth.issueToken(appA.clientId, 1, scope)).accessToken;
        assertResult(await call(token, 'imconnector.register', registration(id)), { result: true });
        assertResult(await call(token, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 1 }), true);
        assertResult(
          await call(token, 'imconnector.status', { CONNECTOR: id, LINE: line }),
          statusBody(line, id, true),
        );
        assertResult(
          await call(token, 'imconnector.connector.data.set', { CONNECTOR: id, LINE: line, DATA: { ID: 'c' } }),
          true,
        );
        assertResult(await call(token, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), { ID: 'c' });
        assert.equal((await call(token, 'imconnector.list')).body.result[id], `Connector ${id}`);
      }
      const basic = (await t.server.oauth.issueToken(appA.clientId, 1, 'basic')).accessToken;
      for (const method of METHODS) {
        assertError(await call(basic, method, { CONNECTOR: id, LINE: line }), 403, {
          error: 'insufficient_scope',
          error_description: 'The request requires higher privileges than provided by the access token',
        });
      }
    });

    it('missing arguments: 400 ERROR_ARGUMENT "Argument \'X\' is null or empty" in the reference order', async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ['imconnector.connector.data.set', { LINE: 1, DATA: { ID: 'x' } }, 'CONNECTOR'],
        ['imconnector.connector.data.set', { CONNECTOR: 'x', DATA: { ID: 'x' } }, 'LINE'],
        ['imconnector.connector.data.set', { CONNECTOR: 'x', LINE: 1 }, 'DATA'],
        ['imconnector.connector.data.set', { CONNECTOR: 'x', LINE: 1, DATA: null }, 'DATA'],
        ['imconnector.activate', { LINE: 1, ACTIVE: 1 }, 'CONNECTOR'],
        ['imconnector.activate', { CONNECTOR: '', LINE: 1, ACTIVE: 1 }, 'CONNECTOR'],
        ['imconnector.activate', { CONNECTOR: 'x', ACTIVE: 1 }, 'LINE'],
        ['imconnector.activate', { CONNECTOR: 'x', LINE: 1 }, 'ACTIVE'],
        ['imconnector.activate', {}, 'CONNECTOR'],
        ['imconnector.status', { LINE: 1 }, 'CONNECTOR'],
        ['imconnector.connector.data.get', { LINE: 1 }, 'CONNECTOR'],
        ['imconnector.connector.data.get', { CONNECTOR: 'x' }, 'LINE'],
      ];
      for (const [method, params, argument] of cases) {
        assertError(await call(tokenA, method, params), 400, {
          error: 'ERROR_ARGUMENT',
          error_description: `Argument '${argument}' is null or empty`,
          argument,
        });
      }
      assertError(
        await call(tokenA, 'imconnector.connector.data.set', { CONNECTOR: 'x', LINE: 1, DATA: 'text' }),
        400,
        {
          error: 'ERROR_ARGUMENT',
          error_description: "The value of an argument 'DATA' must be of type array",
          argument: 'DATA',
        },
      );
    });

    it('the whole path: activate → data.set → status configured → deactivate → status off', async () => {
      const id = await register(tokenA, nextId('path'));
      const line = await addLine();
      assertResult(await status(tokenA, id, line), statusBody(line, id, false));
      assertResult(
        await call(tokenA, 'imconnector.activate', { connector: id, line: String(line), active: 'Y' }),
        true,
      );
      assertResult(await status(tokenA, id, line), statusBody(line, id, true));
      assertResult(
        await call(tokenA, 'imconnector.connector.data.set', {
          Connector: id,
          Line: line,
          DATA: { id: 'channel-123', url: 'https://example.com/chats/123', name: 'Support Channel' },
        }),
        true,
      );
      assertResult(await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), {
        ID: 'channel-123',
        URL: 'https://example.com/chats/123',
        URL_IM: 'https://example.com/chats/123',
        NAME: 'Support Channel',
      });
      // The keys sent replace theirs, the others stay; a given URL_IM is kept.
      assertResult(
        await call(tokenA, 'imconnector.connector.data.set', {
          CONNECTOR: id,
          LINE: line,
          DATA: { ID: 'channel-9', URL_IM: 'https://im.example.com/9' },
        }),
        true,
      );
      assertResult(await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), {
        ID: 'channel-9',
        URL: 'https://example.com/chats/123',
        URL_IM: 'https://im.example.com/9',
        NAME: 'Support Channel',
      });
      assertResult(await status(tokenA, id, line), statusBody(line, id, true));
      assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 'N' }), true);
      assertResult(await status(tokenA, id, line), statusBody(line, id, false));
      // Switching off disconnects the connector from the line, DATA included (the reference's Status::delete).
      assertResult(await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), {});
    });

    it('connector.data.set: a second set merges its non-empty keys over the first (issue 14)', async () => {
      const id = await register(tokenA, nextId('merge'));
      const line = await addLine();
      const set = (DATA: Record<string, unknown>) =>
        call(tokenA, 'imconnector.connector.data.set', { CONNECTOR: id, LINE: line, DATA });
      const get = () => call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line });
      assertResult(await set({ ID: 'channel-1', NAME: 'First name' }), true);
      assertResult(await get(), { ID: 'channel-1', NAME: 'First name' });
      // The reference's array_merge: URL arrives, NAME is replaced, ID stays; an empty value changes nothing.
      assertResult(await set({ url: 'https://example.com/chats/1', Name: 'Second name', ID: '' }), true);
      assertResult(await get(), {
        ID: 'channel-1',
        URL: 'https://example.com/chats/1',
        URL_IM: 'https://example.com/chats/1',
        NAME: 'Second name',
      });
      // URL_IM never sent reads as URL, so it follows a new URL; once sent, it stays.
      assertResult(await set({ URL: 'https://example.com/chats/2' }), true);
      assert.equal((await get()).body.result.URL_IM, 'https://example.com/chats/2');
      assertResult(await set({ URL_IM: 'https://im.example.com/2' }), true);
      assertResult(await set({ URL: 'https://example.com/chats/3' }), true);
      assertResult(await get(), {
        ID: 'channel-1',
        URL: 'https://example.com/chats/3',
        URL_IM: 'https://im.example.com/2',
        NAME: 'Second name',
      });
      // data.set before activate leaves the connector off; activate keeps the DATA.
      assertResult(await status(tokenA, id, line), statusBody(line, id, false));
      assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 'Y' }), true);
      assert.equal((await get()).body.result.NAME, 'Second name');
    });

    it('connector.data.set: concurrent sets of different keys on a new binding lose none of them', async () => {
      const id = await register(tokenA, nextId('race'));
      for (let round = 0; round < 5; round++) {
        const line = await addLine();
        const answers = await Promise.all(
          [
            { ID: `c-${round}` },
            { URL: 'https://example.com/u' },
            { URL_IM: 'https://im.example.com/u' },
            { NAME: 'N' },
          ].map((DATA) => call(tokenA, 'imconnector.connector.data.set', { CONNECTOR: id, LINE: line, DATA })),
        );
        for (const answer of answers) assertResult(answer, true);
        assertResult(await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), {
          ID: `c-${round}`,
          URL: 'https://example.com/u',
          URL_IM: 'https://im.example.com/u',
          NAME: 'N',
        });
      }
    });

    it('imconnector.activate: empty, 0, N and false switch off; other values on; off twice is false (strict: 400)', async () => {
      const id = await register(tokenA, nextId('flags'));
      const line = await addLine();
      for (const off of ['', '0', 0, 'N', 'n', 'false', false]) {
        assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 1 }), true);
        assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: off }), true);
        assertResult(await status(tokenA, id, line), statusBody(line, id, false));
      }
      for (const on of ['1', 1, 'Y', true, 'yes']) {
        assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: on }), true);
        assertResult(await status(tokenA, id, line), statusBody(line, id, true));
        assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 0 }), true);
      }
      const again = await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 0 });
      assertResult(again, false);
      assert.deepEqual(warningsOf(again), [
        {
          field: 'ACTIVE',
          sent: 0,
          used: false,
          reason: `connector '${id}' is not connected to line ${line}; nothing to switch off`,
        },
      ]);
      assertError(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 0 }, true), 400, {
        error: 'DELETE_NOT_EXISTING_CONNECTOR',
        error_description: `Attempt to delete an inactive connector: '${id}' is not connected to line ${line}`,
      });
    });

    it('imconnector.status: LINE omitted or 0 answers all false; a line that does not exist is 400 NOT_ACTIVE_LINE', async () => {
      const id = await register(tokenA, nextId('status'));
      assertResult(await status(tokenA, id), statusBody(0, id, false));
      assertResult(await status(tokenA, id, 0), statusBody(0, id, false));
      assertError(await status(tokenA, id, 999_999), 400, NOT_ACTIVE_LINE);
      assertResult(await status(tokenA, 'LiveChat'), statusBody(0, 'livechat', false));
      const line = await addLine();
      assertResult(await status(tokenA, 'livechat', line), statusBody(line, 'livechat', false));
    });

    it('an unknown connector is 400 NOT_AVAILABLE_CONNECTOR and an unknown line 400 NOT_ACTIVE_LINE', async () => {
      const line = await addLine();
      const unknown = {
        error: 'NOT_AVAILABLE_CONNECTOR',
        error_description: "Attempt to connect to an inactive or unavailable connector: 'nobody' is not registered",
      };
      assertError(
        await call(tokenA, 'imconnector.activate', { CONNECTOR: 'nobody', LINE: line, ACTIVE: 1 }),
        400,
        unknown,
      );
      assertError(await status(tokenA, 'nobody', line), 400, unknown);
      assertError(
        await call(tokenA, 'imconnector.connector.data.set', { CONNECTOR: 'nobody', LINE: line, DATA: { ID: 'x' } }),
        400,
        unknown,
      );
      assertError(
        await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: 'nobody', LINE: line }),
        400,
        unknown,
      );
      const id = await register(tokenA, nextId('noline'));
      for (const missing of [999_999, 0, -1, 'abc']) {
        assertError(
          await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: missing, ACTIVE: 1 }),
          400,
          NOT_ACTIVE_LINE,
        );
        assertError(
          await call(tokenA, 'imconnector.connector.data.set', { CONNECTOR: id, LINE: missing, DATA: { ID: 'x' } }),
          400,
          NOT_ACTIVE_LINE,
        );
      }
      const rows = await t.server.store.db
        .selectFrom('connector_lines')
        .selectAll()
        .where('line_id', '=', 999_999)
        .execute();
      assert.deepEqual(rows, []);
    });

    it('another application cannot unregister, activate, set or read the data of a connector it did not register', async () => {
      const id = await register(tokenA, nextId('owned'));
      const line = await addLine();
      assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 1 }), true);
      assertResult(
        await call(tokenA, 'imconnector.connector.data.set', { CONNECTOR: id, LINE: line, DATA: { ID: 'a' } }),
        true,
      );
      const wrongApp = {
        error: 'WRONG_APP_ID',
        error_description: `Wrong app! Connector '${id}' was registered by another application`,
      };
      assertResult(
        await call(tokenB, 'imconnector.unregister', { ID: id }),
        nested(
          'APPLICATION_UNREGISTRATION_ERROR',
          `Error unregistering app: connector '${id}' is not registered by this application`,
        ),
      );
      assertResult(
        await call(tokenB, 'imconnector.register', registration(id)),
        nested(
          'APPLICATION_REGISTRATION_ERROR',
          `Error registering app: connector ID '${id}' is registered by another application`,
        ),
      );
      assertError(
        await call(tokenB, 'imconnector.connector.data.set', { CONNECTOR: id, LINE: line, DATA: { ID: 'b' } }),
        400,
        wrongApp,
      );
      assertError(await call(tokenB, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 0 }), 400, wrongApp);
      assertError(await call(tokenB, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), 400, wrongApp);
      // Nothing changed, and the status stays readable by anyone.
      assertResult(await status(tokenB, id, line), statusBody(line, id, true));
      assertResult(await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), {
        ID: 'a',
      });
      assert.equal((await call(tokenA, 'imconnector.list')).body.result[id], `Connector ${id}`);
      // A built-in connector belongs to no application.
      assertError(await call(tokenA, 'imconnector.activate', { CONNECTOR: 'livechat', LINE: line, ACTIVE: 1 }), 400, {
        error: 'WRONG_APP_ID',
        error_description:
          "Wrong app! Connector 'livechat' is built in; an application configures only the connectors it registered",
      });
    });

    it('imconnector.list: built-in connectors, then the registered ones; 400 ACCESS_DENIED for other users', async () => {
      const id = await register(tokenA, nextId('listed'));
      const answer = await call(tokenA, 'imconnector.list');
      assert.equal(answer.status, 200, answer.text);
      const entries = Object.entries(answer.body.result as Record<string, string>);
      assert.deepEqual(entries.slice(0, 10), [
        ['livechat', 'Live Chat'],
        ['whatsappbytwilio', 'WhatsApp'],
        ['viber', 'Viber'],
        ['telegrambot', 'Telegram'],
        ['imessage', 'Apple Messages for Business'],
        ['facebook', 'Facebook'],
        ['facebookcomments', 'Facebook: Comments'],
        ['fbinstagramdirect', 'Instagram Direct'],
        ['fbinstagram', 'Instagram Business'],
        ['network', 'Bitrix24.Network'],
      ]);
      assert.deepEqual(entries.at(-1), [id, `Connector ${id}`]);

      const employee = await t.server.directory.addUser({ name: 'Employee' });
      const employeeToken = (await t.server.oauth.issueToken(appA.clientId, employee)).accessToken;
      assertError(await call(employeeToken, 'imconnector.list'), 400, {
        error: 'ACCESS_DENIED',
        error_description: "You don't have access to this action",
      });
      await setLinePermissions(t.server.store.db, employee, { MODIFY: 'any' });
      assert.equal((await call(employeeToken, 'imconnector.list')).status, 200);
    });

    it('deleting a line removes its bindings; unregistering a connector removes them on every line', async () => {
      const db = t.server.store.db;
      const kept = await register(tokenA, nextId('kept'));
      const dropped = await register(tokenA, nextId('dropped'));
      const line1 = await addLine();
      const line2 = await addLine();
      for (const connector of [kept, dropped]) {
        for (const line of [line1, line2]) {
          assertResult(
            await call(tokenA, 'imconnector.activate', { CONNECTOR: connector, LINE: line, ACTIVE: 1 }),
            true,
          );
        }
      }
      const bindings = async (line: number) =>
        (await db.selectFrom('connector_lines').select('line_id').where('line_id', '=', line).execute()).length;
      assert.equal(await bindings(line1), 2);

      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: line1 }), true);
      assert.equal(await bindings(line1), 0);
      assertError(await status(tokenA, kept, line1), 400, NOT_ACTIVE_LINE);
      assertResult(await status(tokenA, kept, line2), statusBody(line2, kept, true));

      assertResult(await call(tokenA, 'imconnector.unregister', { ID: dropped }), { result: true });
      const left = await db
        .selectFrom('connector_lines')
        .innerJoin('connectors', 'connectors.id', 'connector_lines.connector_id')
        .select(['code', 'line_id'])
        .where('code', 'in', [kept, dropped])
        .execute();
      assert.deepEqual(
        left.map((r) => [r.code, Number(r.line_id)]),
        [[kept, line2]],
      );
      assertError(await status(tokenA, dropped, line2), 400, {
        error: 'NOT_AVAILABLE_CONNECTOR',
        error_description: `Attempt to connect to an inactive or unavailable connector: '${dropped}' is not registered`,
      });
    });

    it('a line deleted outside config.delete (no hook, e.g. apply --prune) loses its bindings by foreign key', async () => {
      const id = await register(tokenA, nextId('cascade'));
      const line = await addLine();
      assertResult(await call(tokenA, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 1 }), true);
      assert.equal(await deleteLine(t.server.store.db, line), true);
      const rows = await t.server.store.db
        .selectFrom('connector_lines')
        .selectAll()
        .where('line_id', '=', line)
        .execute();
      assert.deepEqual(rows, []);
    });

    it('removing an application removes its connectors and their bindings', async () => {
      const app = await t.server.oauth.createApp({ name: 'Short-lived', scopes: ['imopenlines'] });
      const token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const id = await register(token, nextId('shortlived'));
      const line = await addLine();
      assertResult(await call(token, 'imconnector.activate', { CONNECTOR: id, LINE: line, ACTIVE: 1 }), true);
      await t.server.oauth.removeApp(app.clientId);
      assert.equal((await call(tokenA, 'imconnector.list')).body.result[id], undefined);
      const rows = await t.server.store.db
        .selectFrom('connector_lines')
        .selectAll()
        .where('line_id', '=', line)
        .execute();
      assert.deepEqual(rows, []);
    });

    it('connector.data.set: unknown DATA keys and non-text values are reported (compat) or refused (strict)', async () => {
      const id = await register(tokenA, nextId('data'));
      const line = await addLine();
      const compat = await call(tokenA, 'imconnector.connector.data.set', {
        CONNECTOR: id,
        LINE: line,
        DATA: { ID: 42, NAME: { a: 1 }, URL: '', COLOR: 'red' },
      });
      assertResult(compat, true);
      assert.deepEqual(
        warningsOf(compat).map((w) => [w.field, w.reason]),
        [
          ['DATA.COLOR', 'unknown parameter; ignored'],
          ['DATA.NAME', 'expected a string; ignored'],
        ],
      );
      assertResult(await call(tokenA, 'imconnector.connector.data.get', { CONNECTOR: id, LINE: line }), { ID: '42' });
      assertError(
        await call(
          tokenA,
          'imconnector.connector.data.set',
          { CONNECTOR: id, LINE: line, DATA: { COLOR: 'red' } },
          true,
        ),
        400,
        {
          error: 'ERROR_ARGUMENT',
          error_description: "Field 'DATA.COLOR': unknown parameter; ignored",
          argument: 'DATA.COLOR',
        },
      );
    });

    it('runs inside batch with the application token', async () => {
      const id = await register(tokenA, nextId('batched'));
      const line = await addLine();
      const answer = await call(tokenA, 'batch', {
        halt: 1,
        cmd: {
          on: `imconnector.activate?CONNECTOR=${id}&LINE=${line}&ACTIVE=1`,
          status: `imconnector.status?CONNECTOR=${id}&LINE=${line}`,
        },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.result.result, { on: true, status: statusBody(line, id, true) });
    });
  });
}
