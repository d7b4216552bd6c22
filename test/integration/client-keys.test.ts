// Parameters the official clients add to every call for themselves (issue 14 point 3; DECISIONS.md "Envelope"):
// b24jssdk's and b24phpsdk's bx24_* tracing keys and fast_bitrix24's __order label. Every registered method, with
// strict and compat credentials (OAuth application and webhook), with those keys in the query string, in the body
// and inside batch commands: a success, and not one warning.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildRegistry } from '../../src/methods/index.js';
import { phpHttpBuildQuery } from '../helpers/query-encoders.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';

/** The keys as the clients send them (b24jssdk: all three; b24phpsdk: the id; fast_bitrix24: __order). */
const CLIENT_KEYS: Record<string, string> = {
  bx24_request_id: '01936b4e-7f2a-7c3d-9a1b-2c3d4e5f6a7b',
  bx24_sdk_ver: '2.2.0',
  bx24_sdk_type: 'b24-js-sdk',
  __order: 'order0000000000',
};
/** Any bx24_* key in any case: the connector family upper-cases parameter names before reading them. */
const OTHER_CASES: Record<string, string> = { BX24_REQUEST_ID: 'upper', Bx24_Trace_Id: 'mixed', __ORDER: 'order1' };
const ALL_KEYS = { ...CLIENT_KEYS, ...OTHER_CASES };
const QUERY = new URLSearchParams(ALL_KEYS).toString();

const METHODS = buildRegistry().list();
/** Commands in one batch call (ERROR_BATCH_LENGTH_EXCEEDED beyond). */
const BATCH_MAX = 50;
const ICON = { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E' };

type Params = Record<string, unknown>;

interface Credential {
  readonly label: string;
  readonly appContext: boolean;
  /** One call: `query` is appended to the URL, `params` go in the JSON body (with the token for an application). */
  send(method: string, params: Params, query?: string): Promise<CallResult>;
}

/** Plain calls that make what a method needs, through the credential under test (so connectors are its own). */
interface Setup {
  line(): Promise<number>;
  connector(): Promise<string>;
  /** A connector active on a new line, with one customer message sent (user 'u', chat 'c', message 'm'). */
  dialog(): Promise<{ CONNECTOR: string; LINE: number }>;
  /** The chat of a customer's message, made by a helper application (webhooks cannot send as a connector). */
  chat(): Promise<number>;
  /** The session of such a chat (session.head.vote). */
  session(): Promise<number>;
  /** An operator's message in such a chat, posted through the credential under test. */
  message(): Promise<number>;
  /** A failed event delivery (to a handler nobody listens on), for openlines.admin.events.retry. */
  delivery(): Promise<number>;
  /** A minute after the server's test clock now, ISO-8601 (openlines.clock.set, even after an advance in batch). */
  soon(): Promise<string>;
  /** A chat whose session the credential's user (the administrator) has taken. */
  takenChat(): Promise<number>;
  /** A chat on a strictly distributed line of two operators, offered to the first (operator.skip passes it on). */
  queuedChat(): Promise<number>;
  /** The user code of a new chat (session.open). */
  userCode(): Promise<string>;
  /** An operator the credential's user may transfer a chat to. */
  operator(): number;
}

const ITEM = { user: { id: 'u', name: 'Ann' }, message: { id: 'm', text: 'hi' }, chat: { id: 'c' } };

/** Valid parameters for each registered method; a method without an entry fails the first test. */
const FIXTURES: Record<string, (setup: Setup) => Promise<Params>> = {
  'imopenlines.config.add': async () => ({ PARAMS: { LINE_NAME: 'Client keys' } }),
  'imopenlines.config.get': async (s) => ({ CONFIG_ID: await s.line() }),
  'imopenlines.config.update': async (s) => ({ CONFIG_ID: await s.line(), PARAMS: { LINE_NAME: 'Renamed' } }),
  'imopenlines.config.delete': async (s) => ({ CONFIG_ID: await s.line() }),
  'imopenlines.config.list.get': async () => ({}),
  'imopenlines.config.path.get': async () => ({}),
  'imopenlines.revision.get': async () => ({}),
  'imconnector.register': async () => ({
    ID: `keys_${++unique}`,
    NAME: 'Keys',
    ICON,
    PLACEMENT_HANDLER: 'https://app.example.com/settings',
  }),
  'imconnector.unregister': async (s) => ({ ID: await s.connector() }),
  'imconnector.list': async () => ({}),
  'imconnector.activate': async (s) => ({ CONNECTOR: await s.connector(), LINE: await s.line(), ACTIVE: 1 }),
  'imconnector.status': async (s) => ({ CONNECTOR: await s.connector(), LINE: await s.line() }),
  'imconnector.connector.data.set': async (s) => ({
    CONNECTOR: await s.connector(),
    LINE: await s.line(),
    DATA: { ID: 'chan', URL: 'https://chat.example.com/', NAME: 'Channel' },
  }),
  'imconnector.connector.data.get': async (s) => ({ CONNECTOR: await s.connector(), LINE: await s.line() }),
  'imconnector.send.messages': async (s) => ({ ...(await s.dialog()), MESSAGES: [ITEM] }),
  'imconnector.update.messages': async (s) => ({ ...(await s.dialog()), MESSAGES: [ITEM] }),
  'imconnector.delete.messages': async (s) => ({ ...(await s.dialog()), MESSAGES: [ITEM] }),
  'imconnector.send.status.delivery': async (s) => ({
    ...(await s.dialog()),
    MESSAGES: [{ im: { chat_id: 1, message_id: 1 }, message: { id: ['x'] }, chat: { id: 'c' } }],
  }),
  'imconnector.send.status.reading': async (s) => ({
    ...(await s.dialog()),
    MESSAGES: [{ im: { chat_id: 1, message_id: 1 }, message: { id: ['x'] }, chat: { id: 'c' } }],
  }),
  'imconnector.set.error': async (s) => ({ CONNECTOR: await s.connector(), LINE: await s.line() }),
  'imconnector.chat.name.set': async (s) => ({ ...(await s.dialog()), CHAT_ID: 'c', USER_ID: 'u', NAME: 'Chat' }),
  'event.bind': async () => ({ event: 'OnImConnectorLineDelete', handler: `https://h${++unique}.example.com/` }),
  'event.unbind': async () => ({ event: 'OnImConnectorLineDelete', handler: 'https://h.example.com/' }),
  'event.get': async () => ({}),
  events: async () => ({}),
  'im.message.add': async (s) => ({ DIALOG_ID: `chat${await s.chat()}`, MESSAGE: 'hello' }),
  'im.message.update': async (s) => ({ MESSAGE_ID: await s.message(), MESSAGE: 'edited' }),
  'im.message.delete': async (s) => ({ MESSAGE_ID: await s.message() }),
  'im.dialog.messages.get': async (s) => ({ DIALOG_ID: `chat${await s.chat()}` }),
  'im.notify.get': async () => ({ LIMIT: 5 }),
  'event.test': async () => ({ check: 'ping' }),
  'event.offline.get': async () => ({}),
  'event.offline.list': async () => ({}),
  'event.offline.clear': async () => ({ process_id: 'p' }),
  'event.offline.error': async () => ({ process_id: 'p', message_id: ['0123456789abcdef0123456789abcdef'] }),
  'openlines.route.simulate': async (s) => ({ CONFIG_ID: await s.line() }),
  'openlines.line.schedule': async (s) => ({ CONFIG_ID: await s.line() }),
  'openlines.admin.session.get': async () => ({}),
  'openlines.admin.catalogue.get': async () => ({}),
  'openlines.admin.history.get': async (s) => ({ LINE_ID: await s.line(), LIMIT: 5 }),
  'openlines.admin.events.failed': async () => ({ LIMIT: 5 }),
  'openlines.admin.events.retry': async (s) => ({ ID: await s.delivery() }),
  'imopenlines.operator.pause.start': async () => ({}),
  'imopenlines.operator.pause.stop': async () => ({}),
  'imopenlines.operator.pause.get': async () => ({}),
  'openlines.user.presence.set': async () => ({ USER_ID: 1, STATUS: 'online' }),
  'openlines.user.presence.get': async () => ({ USER_ID: 1 }),
  'openlines.livechat.get': async (s) => ({ CONFIG_ID: await s.line() }),
  'openlines.livechat.set': async (s) => ({ CONFIG_ID: await s.line(), ACTIVE: 'Y' }),
  'openlines.clock.get': async () => ({}),
  'openlines.workplace.stream': async () => ({}),
  'openlines.clock.advance': async () => ({ SECONDS: 1 }),
  'openlines.clock.set': async (s) => ({ TIME: await s.soon() }),
  'imopenlines.operator.answer': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.operator.skip': async (s) => ({ CHAT_ID: await s.queuedChat() }),
  'imopenlines.operator.spam': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.operator.transfer': async (s) => ({ CHAT_ID: await s.chat(), TRANSFER_ID: s.operator() }),
  'imopenlines.operator.finish': async (s) => ({ CHAT_ID: await s.takenChat() }),
  'imopenlines.operator.another.finish': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.session.intercept': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.session.join': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.session.start': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.session.open': async (s) => ({ USER_CODE: await s.userCode() }),
  'imopenlines.message.session.start': async (s) => ({ CHAT_ID: await s.chat(), MESSAGE_ID: 1 }),
  'imopenlines.session.mode.pin': async (s) => ({ CHAT_ID: await s.takenChat() }),
  'imopenlines.session.mode.unpin': async (s) => ({ CHAT_ID: await s.takenChat() }),
  'imopenlines.session.head.vote': async (s) => ({ SESSION_ID: await s.session(), RATING: 5, COMMENT: 'Fine' }),
  'imopenlines.session.mode.pinAll': async () => ({}),
  'imopenlines.session.mode.unpinAll': async () => ({}),
  'imopenlines.session.history.get': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.dialog.get': async (s) => ({ CHAT_ID: await s.chat() }),
  'imopenlines.v2.Session.list': async () => ({ limit: 5 }),
  'imopenlines.v2.Operator.list': async () => ({}),
};
let unique = 0;

function assertCleanSuccess(answer: CallResult, label: string): void {
  assert.equal(answer.status, 200, `${label}: ${answer.text}`);
  assert.equal(answer.headers.get('x-openlines-warnings'), null, `${label}: no warning`);
  // The workplace stream answers text/event-stream: its first chunk opens the stream.
  if (answer.headers.get('content-type')?.startsWith('text/event-stream')) {
    assert.match(answer.text, /^(retry:|:|id:|event:)/, label);
    return;
  }
  const result = answer.body.result;
  // register/unregister answer a failure as HTTP 200 with a nested result: false.
  assert.ok(!(result !== null && typeof result === 'object' && result.result === false), `${label}: ${answer.text}`);
}

for (const store of STORES) {
  describe(`parameters the clients add for themselves [${store}]`, () => {
    let t: TestServer;
    const credentials: Credential[] = [];
    let helper: Credential;
    let operators: number[] = [];

    before(async () => {
      // The test clock, so that openlines.clock.advance and .set succeed too.
      t = await startTestServer({ store, settings: { clock: 'manual' } });
      const helperApp = await t.server.oauth.createApp({ name: 'Keys helper', scopes: ['imopenlines', 'imconnector'] });
      const helperToken = (await t.server.oauth.issueToken(helperApp.clientId, 1)).accessToken;
      helper = {
        label: 'helper application',
        appContext: true,
        send: (method, params) =>
          t.request(`/rest/${method}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ ...params, auth: helperToken }),
          }),
      };
      operators = [
        await t.server.directory.addUser({ name: 'First', lastName: 'Operator' }),
        await t.server.directory.addUser({ name: 'Second', lastName: 'Operator' }),
      ];
      for (const strict of [true, false]) {
        const mode = strict ? 'strict' : 'compat';
        const app = await t.server.oauth.createApp({
          name: `Keys ${mode}`,
          scopes: ['imopenlines', 'imconnector', 'im'],
          strict,
        });
        const token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
        credentials.push({
          label: `${mode} application`,
          appContext: true,
          send: (method, params, query) =>
            t.request(`/rest/${method}${query ? `?${query}` : ''}`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ ...params, auth: token }),
            }),
        });
        const hook = await t.webhookFor(1, ['imopenlines', 'imconnector', 'im'], { strict });
        credentials.push({
          label: `${mode} webhook`,
          appContext: false,
          send: (method, params, query) => t.call(query ? `${method}?${query}` : method, params, { hook }),
        });
      }
    });
    after(() => t.close());

    const setupFor = (credential: Credential): Setup => ({
      async line() {
        const answer = await credential.send('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Keys line' } });
        assert.equal(answer.status, 200, answer.text);
        return answer.body.result;
      },
      async connector() {
        const params = await FIXTURES['imconnector.register']!(this);
        assertCleanSuccess(await credential.send('imconnector.register', params), 'setup register');
        return params.ID as string;
      },
      async dialog() {
        const CONNECTOR = await this.connector();
        const LINE = await this.line();
        assertCleanSuccess(await credential.send('imconnector.activate', { CONNECTOR, LINE, ACTIVE: 1 }), 'activate');
        assertCleanSuccess(
          await credential.send('imconnector.send.messages', { CONNECTOR, LINE, MESSAGES: [ITEM] }),
          'setup send',
        );
        return { CONNECTOR, LINE };
      },
      async chat() {
        const setup = setupFor(helper);
        const sent = await helper.send('imconnector.send.messages', { ...(await setup.dialog()), MESSAGES: [ITEM] });
        assertCleanSuccess(sent, 'setup chat');
        return Number(sent.body.result.DATA.RESULT[0].session.CHAT_ID);
      },
      async session() {
        const setup = setupFor(helper);
        const sent = await helper.send('imconnector.send.messages', { ...(await setup.dialog()), MESSAGES: [ITEM] });
        assertCleanSuccess(sent, 'setup session');
        return Number(sent.body.result.DATA.RESULT[0].session.ID);
      },
      async message() {
        const posted = await credential.send('im.message.add', {
          DIALOG_ID: `chat${await this.chat()}`,
          MESSAGE: 'hi',
        });
        assertCleanSuccess(posted, 'setup message');
        return posted.body.result as number;
      },
      async takenChat() {
        const chatId = await this.chat();
        assertCleanSuccess(await credential.send('imopenlines.operator.answer', { CHAT_ID: chatId }), 'setup answer');
        return chatId;
      },
      async queuedChat() {
        const queue = operators.map((id) => ({ ENTITY_TYPE: 'user', ENTITY_ID: String(id) }));
        const line = await helper.send('imopenlines.config.add', {
          PARAMS: { LINE_NAME: 'Keys queue', QUEUE_TYPE: 'strictly', QUEUE: queue },
        });
        assert.equal(line.status, 200, line.text);
        const CONNECTOR = await setupFor(helper).connector();
        const LINE = line.body.result as number;
        assertCleanSuccess(await helper.send('imconnector.activate', { CONNECTOR, LINE, ACTIVE: 1 }), 'activate');
        const sent = await helper.send('imconnector.send.messages', { CONNECTOR, LINE, MESSAGES: [ITEM] });
        assertCleanSuccess(sent, 'setup queued chat');
        return Number(sent.body.result.DATA.RESULT[0].session.CHAT_ID);
      },
      async userCode() {
        const chatId = await this.chat();
        const row = await t.server.store.read((db) =>
          db.selectFrom('chats').select('user_code').where('id', '=', chatId).executeTakeFirstOrThrow(),
        );
        return row.user_code;
      },
      operator() {
        return operators[0]!;
      },
      async delivery() {
        const now = Date.now();
        const row = await t.server.store.write((trx) =>
          trx
            .insertInto('event_outbox')
            .values({
              binding_id: 0,
              app_id: 0,
              event: 'ONIMCONNECTORLINEDELETE',
              handler: 'http://127.0.0.1:9/nobody',
              user_id: 0,
              data: '1',
              ts: Math.floor(now / 1000),
              created_at_ms: now,
              attempt: 6,
              next_attempt_at_ms: now,
              claimed_by: null,
              claimed_until_ms: null,
              delivered_at_ms: null,
              failed_at_ms: now,
              last_error: 'ECONNREFUSED',
              local_user: 0,
              event_session: 3,
            })
            .returning('id')
            .executeTakeFirstOrThrow(),
        );
        return Number(row.id);
      },
      async soon() {
        return new Date(t.server.services.clock.now() + 60_000).toISOString();
      },
    });
    /** The methods a credential may call: webhooks are refused by imconnector.* before parameters are read. */
    const methodsFor = (credential: Credential) => METHODS.filter((m) => credential.appContext || !m.appContextOnly);

    it('client keys: every registered method has a fixture here', () => {
      assert.deepEqual(METHODS.map((m) => m.name).sort(), Object.keys(FIXTURES).sort());
    });

    it('client keys in the query string: every method, strict and compat, succeeds without a warning', async () => {
      for (const credential of credentials) {
        for (const method of methodsFor(credential)) {
          const params = await FIXTURES[method.name]!(setupFor(credential));
          assertCleanSuccess(await credential.send(method.name, params, QUERY), `${credential.label} ${method.name}`);
        }
      }
    });

    it('client keys in the body: every method, strict and compat, succeeds without a warning', async () => {
      for (const credential of credentials) {
        for (const method of methodsFor(credential)) {
          const params = await FIXTURES[method.name]!(setupFor(credential));
          const answer = await credential.send(method.name, { ...ALL_KEYS, ...params });
          assertCleanSuccess(answer, `${credential.label} ${method.name}`);
        }
      }
    });

    it('client keys inside batch commands and on batch itself: every command succeeds without a warning', async () => {
      // A batch holds at most 50 commands: the methods go in as many batches as that takes.
      for (const credential of credentials) {
        const methods = methodsFor(credential).filter((m) => m.batchAllowed !== false);
        for (let from = 0; from < methods.length; from += BATCH_MAX) {
          const cmd: Record<string, string> = {};
          for (const method of methods.slice(from, from + BATCH_MAX)) {
            const params = await FIXTURES[method.name]!(setupFor(credential));
            // fast_bitrix24's row: its __order label first, then the parameters (clients.md §6.1).
            cmd[method.name] = `${method.name}?${phpHttpBuildQuery({ ...ALL_KEYS, ...params })}`;
          }
          const answer = await credential.send('batch', { ...ALL_KEYS, halt: 0, cmd }, QUERY);
          assertCleanSuccess(answer, `${credential.label} batch`);
          const { result, result_error, result_time } = answer.body.result;
          assert.deepEqual(result_error, [], `${credential.label} batch: ${JSON.stringify(result_error)}`);
          assert.deepEqual(Object.keys(result), Object.keys(cmd));
          assert.deepEqual(Object.keys(result_time), Object.keys(cmd));
          for (const [name, value] of Object.entries(result)) {
            assert.ok(
              !(value !== null && typeof value === 'object' && (value as Params).result === false),
              `${credential.label} batch ${name}: ${JSON.stringify(value)}`,
            );
          }
        }
      }
    });
  });
}
