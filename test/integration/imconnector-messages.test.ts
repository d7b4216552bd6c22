// imconnector.send.messages (and update/delete.messages, send.status.delivery/reading) over real HTTP with OAuth tokens, for every store (runtime-connectors.md §2, §3): the
// documented example answered exactly, key-case rules, per-item failures, the argument errors with `argument`,
// IMCONNECTOR_NO_CORRECT_PROVIDER, NOT_ACTIVE_LINE, the text and count limits, a chat reused across messages, and
// one open session per user code, also under concurrent sends.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { insertMessage } from '../../src/store/dialogs-repository.js';
import { SEED } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';

const ICON = { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E', COLOR: '#69acc0' };

function assertError(answer: CallResult, status: number, body: Record<string, unknown>): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, body);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
function resultOf(answer: CallResult): { SUCCESS: boolean; DATA: { RESULT: any } } {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body), ['result', 'time']);
  return answer.body.result;
}

const argumentError = (argument: string, error_description: string) => ({
  error: 'ERROR_ARGUMENT',
  error_description,
  argument,
});

for (const store of STORES) {
  describe(`imconnector.send.messages [${store}]`, () => {
    let t: TestServer;
    let token: string;
    let unique = 0;
    const next = (prefix: string) => `${prefix}_${++unique}`;

    before(async () => {
      t = await startTestServer({ store });
      const app = await t.server.oauth.createApp({ name: 'Bridge', scopes: ['imopenlines', 'imconnector'] });
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
    });
    after(() => t.close());

    const call = (method: string, params: Record<string, unknown> = {}, strict = false) =>
      t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(strict ? { 'X-Openlines-Strict': '1' } : {}) },
        body: JSON.stringify({ ...params, auth: token }),
      });
    const send = (connector: string, line: unknown, messages: unknown, strict = false) =>
      call('imconnector.send.messages', { CONNECTOR: connector, LINE: line, MESSAGES: messages }, strict);

    /** A registered connector, active on a new line. */
    const channel = async (activate = true, chatGroup = false) => {
      const connector = next('bridge');
      const registered = await call('imconnector.register', {
        ID: connector,
        NAME: connector,
        ICON,
        PLACEMENT_HANDLER: 'https://app.example.com/settings',
        CHAT_GROUP: chatGroup,
      });
      assert.deepEqual(registered.body.result, { result: true }, registered.text);
      const added = await t.call('imopenlines.config.add', SEED);
      const line = added.body.result as number;
      if (activate) {
        const activated = await call('imconnector.activate', { CONNECTOR: connector, LINE: line, ACTIVE: 1 });
        assert.equal(activated.body.result, true, activated.text);
      }
      return { connector, line };
    };
    const message = (user: string, chat: string, text: string, id = next('m')) => ({
      user: { id: user, name: 'Ann' },
      message: { id, text },
      chat: { id: chat },
    });
    const rows = async (table: 'customers' | 'chats' | 'sessions') =>
      t.server.store.db.selectFrom(table).selectAll().orderBy('id').execute();
    // The customers' messages only: the session engine adds its system messages to the chats (issue 17).
    const customerMessages = () =>
      t.server.store.db
        .selectFrom('messages')
        .selectAll()
        .where('author_kind', '=', 'customer')
        .orderBy('id')
        .execute();

    it('the documented example: echo, processed values, extra, SUCCESS and session, exactly', async () => {
      const { connector, line } = await channel();
      const answer = await send(connector, line, [
        {
          user: { id: 'ext-user-42', name: 'John', last_name: 'Smith', skip_phone_validate: 'Y' },
          message: { id: 'ext-msg-1001', date: 1_700_000_000, text: 'Good afternoon', disable_crm: 'Y', files: [] },
          chat: { id: 'channel-123', name: 'Support Channel', url: 'https://example.com/chats/123' },
        },
      ]);
      const customer = (await rows('customers')).at(-1)!;
      const chat = (await rows('chats')).at(-1)!;
      const session = (await rows('sessions')).at(-1)!;
      assert.deepEqual(resultOf(answer), {
        SUCCESS: true,
        DATA: {
          RESULT: [
            {
              user: String(customer.id),
              message: { id: 'ext-msg-1001', date: {}, text: 'Good afternoon', files: [] },
              chat: {
                id: 'channel-123',
                name: 'Support Channel',
                description: 'Link to original post: https://example.com/chats/123',
              },
              extra: { skip_phone_validate: 'Y', disable_tracker: 'Y' },
              SUCCESS: true,
              session: { ID: String(session.id), CHAT_ID: String(chat.id) },
            },
          ],
        },
      });
      assert.equal(answer.headers.get('x-openlines-warnings'), null);
      assert.equal(customer.external_id, 'ext-user-42');
      assert.deepEqual([customer.name, customer.last_name], ['John', 'Smith']);
      assert.equal(chat.user_code, `${connector}|${line}|channel-123|${customer.id}`);
      // Waiting (status 0), offered to the first available operator of the queue (user 1; 15 and 23 do not exist).
      assert.deepEqual([session.status, session.operator_id, session.closed], [0, 1, 0]);
      const stored = (await customerMessages()).at(-1)!;
      assert.deepEqual(
        [stored.author_kind, Number(stored.author_id), stored.text, JSON.parse(stored.connector_mid)],
        ['customer', customer.id, 'Good afternoon', ['ext-msg-1001']],
      );
    });

    it('parameter names in any case; keys inside MESSAGES lower-cased and echoed lower-case', async () => {
      const { connector, line } = await channel();
      const answer = await call('imconnector.send.messages', {
        connector,
        Line: String(line),
        messages: [{ USER: { ID: 'u1', Name: 'Bob' }, Message: { TEXT: 'hi', Custom: 1 }, CHAT: { Id: 'c1' } }],
      });
      const [item] = resultOf(answer).DATA.RESULT;
      assert.deepEqual(Object.keys(item), ['user', 'message', 'chat', 'SUCCESS', 'session']);
      assert.deepEqual(item.message, { text: 'hi', custom: 1 });
      assert.deepEqual(item.chat, { id: 'c1' });
    });

    it('a chat is reused across messages; the session stays open; the profile is rewritten', async () => {
      const { connector, line } = await channel();
      const first = resultOf(await send(connector, line, [message('u', 'c', 'one')])).DATA.RESULT[0];
      const second = resultOf(
        await send(connector, line, [
          { user: { id: 'u', name: 'Ann Lee' }, message: { text: 'two' }, chat: { id: 'c' } },
        ]),
      ).DATA.RESULT[0];
      assert.equal(second.user, first.user);
      assert.deepEqual(second.session, first.session);
      const customer = await t.server.store.db
        .selectFrom('customers')
        .selectAll()
        .where('id', '=', Number(first.user))
        .executeTakeFirstOrThrow();
      assert.deepEqual([customer.name, customer.last_name], ['Ann', 'Lee']);
      const other = resultOf(await send(connector, line, [message('u', 'c2', 'elsewhere')])).DATA.RESULT[0];
      assert.equal(other.user, first.user);
      assert.notEqual(other.session.CHAT_ID, first.session.CHAT_ID);
      assert.notEqual(other.session.ID, first.session.ID);
      const texts = await t.server.store.db
        .selectFrom('messages')
        .where('author_kind', '=', 'customer')
        .select('text')
        .where('chat_id', '=', Number(first.session.CHAT_ID))
        .orderBy('id')
        .execute();
      assert.deepEqual(
        texts.map((m) => m.text),
        ['one', 'two'],
      );
    });

    it('concurrent sends for one user code open exactly one session', async () => {
      const { connector, line } = await channel();
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => send(connector, line, [message('racer', 'room', `m${i}`)])),
      );
      const sessions = new Set(answers.map((a) => JSON.stringify(resultOf(a).DATA.RESULT[0].session)));
      assert.equal(sessions.size, 1, [...sessions].join(' '));
      const [only] = [...sessions].map((s) => JSON.parse(s));
      const open = await t.server.store.db
        .selectFrom('sessions')
        .selectAll()
        .where('chat_id', '=', Number(only.CHAT_ID))
        .execute();
      assert.equal(open.length, 1);
      const count = await t.server.store.db
        .selectFrom('messages')
        .where('author_kind', '=', 'customer')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('chat_id', '=', Number(only.CHAT_ID))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 12);
    });

    it('a malformed item fails alone with its errors; the others are stored', async () => {
      const { connector, line } = await channel();
      const before = (await customerMessages()).length;
      const answer = await send(connector, line, [
        message('a', 'c', 'fine'),
        { user: { id: 'a' }, message: { text: '  ' }, chat: { id: 'c' } },
        {
          user: { id: 'a' },
          message: { text: 'x', files: [{ url: 'ftp://example.com/f.txt', name: 'f' }] },
          chat: { id: 'c' },
        },
        {
          user: { id: 'a' },
          message: { files: [{ url: 'https://example.com/a.png', name: 'a.png' }] },
          chat: { id: 'c' },
        },
        { user: 'a', message: { text: 'x' }, chat: { id: 'c' } },
      ]);
      const { SUCCESS, DATA } = resultOf(answer);
      assert.equal(SUCCESS, true);
      assert.deepEqual(
        DATA.RESULT.map((r: { SUCCESS: boolean }) => r.SUCCESS),
        [true, false, false, true, false],
      );
      assert.deepEqual(DATA.RESULT[1], { SUCCESS: false, ERRORS: ['Incomplete data'] });
      assert.deepEqual(DATA.RESULT[2], {
        SUCCESS: false,
        ERRORS: ["Field 'message.files[0].url' must be an http or https URL"],
      });
      assert.deepEqual(DATA.RESULT[3].message, { files: [{ url: 'https://example.com/a.png', name: 'a.png' }] });
      assert.deepEqual(DATA.RESULT[4], { SUCCESS: false, ERRORS: ['Incomplete data'] });
      const after = await customerMessages();
      assert.equal(after.length, before + 2);
      assert.deepEqual(JSON.parse(after.at(-1)!.files), [{ url: 'https://example.com/a.png', name: 'a.png' }]);
    });

    it('MESSAGES keyed by an object answers an object with the same keys; [] answers []', async () => {
      const { connector, line } = await channel();
      const keyed = resultOf(
        await send(connector, line, {
          5: message('k', 'c', 'x'),
          9: { user: { id: 'k' }, message: {}, chat: { id: 'c' } },
        }),
      );
      assert.deepEqual(Object.keys(keyed.DATA.RESULT), ['5', '9']);
      assert.equal(keyed.DATA.RESULT['5'].SUCCESS, true);
      assert.deepEqual(keyed.DATA.RESULT['9'], { SUCCESS: false, ERRORS: ['Incomplete data'] });
      assert.deepEqual(resultOf(await send(connector, line, [])), { SUCCESS: true, DATA: { RESULT: [] } });
    });

    it('argument errors name the argument; the structure errors an empty one', async () => {
      const { connector, line } = await channel();
      const ok = [message('x', 'c', 'y')];
      const cases: [Record<string, unknown>, Record<string, unknown>][] = [
        [{ LINE: line, MESSAGES: ok }, argumentError('CONNECTOR', "Argument 'CONNECTOR' is null or empty")],
        [{ CONNECTOR: connector, MESSAGES: ok }, argumentError('LINE', "Argument 'LINE' is null or empty")],
        [{ CONNECTOR: connector, LINE: line }, argumentError('MESSAGES', "Argument 'MESSAGES' is null or empty")],
        [
          { CONNECTOR: connector, LINE: line, MESSAGES: 'text' },
          argumentError('MESSAGES', "The value of an argument 'MESSAGES' must be of type array"),
        ],
        [
          { CONNECTOR: connector, LINE: line, MESSAGES: ['text'] },
          argumentError('', 'The MESSAGES parameter must be an array of messages (arrays)'),
        ],
        [
          { CONNECTOR: connector, LINE: line, MESSAGES: [{ user: { id: 1 }, message: { text: 'a' }, chat: null }] },
          argumentError('', 'The incorrect structure of a message inside MESSAGES parameter.'),
        ],
        [
          { CONNECTOR: connector, LINE: line, MESSAGES: Array.from({ length: 101 }, () => ok[0]) },
          argumentError('MESSAGES', "Field 'MESSAGES': at most 100 messages per call, got 101"),
        ],
      ];
      const before = (await customerMessages()).length;
      for (const [params, body] of cases) assertError(await call('imconnector.send.messages', params), 400, body);
      assert.equal((await customerMessages()).length, before);
    });

    it('IMCONNECTOR_NO_CORRECT_PROVIDER for a code no connector has (compared exactly); NOT_ACTIVE_LINE', async () => {
      const { connector, line } = await channel();
      const noProvider = {
        error: 'IMCONNECTOR_NO_CORRECT_PROVIDER',
        error_description: 'Failed to find a suitable provider for the connector',
      };
      const notActive = {
        error: 'NOT_ACTIVE_LINE',
        error_description: 'The line with this ID is inactive or does not exist',
      };
      const ok = [message('x', 'c', 'y')];
      assertError(await send('no_such_connector', line, ok), 400, noProvider);
      assertError(await send(connector.toUpperCase(), line, ok), 400, noProvider);
      assertError(await send('', line, ok), 400, noProvider);
      assertError(await send(connector, 'abc', ok), 400, notActive);
      assertError(await send(connector, line + 1000, ok), 400, notActive);
      assertError(await send('livechat', line, ok), 400, notActive);
      const idle = await channel(false);
      assertError(await send(idle.connector, idle.line, ok), 400, notActive);
      await call('imconnector.activate', { CONNECTOR: connector, LINE: line, ACTIVE: 0 });
      assertError(await send(connector, line, ok), 400, notActive);
    });

    it('a text over 20 000 characters: compat cuts it and names it in the warnings; strict refuses the call', async () => {
      const { connector, line } = await channel();
      const long = 'a'.repeat(20_001);
      const answer = await send(connector, line, [message('l', 'c', long)]);
      const [item] = resultOf(answer).DATA.RESULT;
      assert.equal(item.message.text.length, 20_000);
      const warnings = JSON.parse(answer.headers.get('x-openlines-warnings') ?? '[]');
      assert.deepEqual(
        warnings.map((w: { field: string }) => w.field),
        ['MESSAGES[0][message][text]'],
      );
      const before = (await customerMessages()).length;
      const strict = await send(connector, line, [message('l', 'c', long)], true);
      assertError(strict, 400, {
        error: 'ERROR_ARGUMENT',
        error_description: "Field 'MESSAGES[0][message][text]': a message text is at most 20000 characters; cut",
        argument: 'MESSAGES[0][message][text]',
      });
      assert.equal((await customerMessages()).length, before);
    });

    it('a webhook is refused: application context only', async () => {
      const { connector, line } = await channel();
      const answer = await t.call('imconnector.send.messages', {
        CONNECTOR: connector,
        LINE: line,
        MESSAGES: [message('w', 'c', 'x')],
      });
      assertError(answer, 403, {
        error: 'WRONG_AUTH_TYPE',
        error_description: 'Current authorization type is denied for this method Application context required',
      });
    });

    it('imconnector.update.messages: the messages with that external id get the new text; no session in the answer', async () => {
      const { connector, line } = await channel();
      const sent = resultOf(await send(connector, line, [message('e', 'c', 'old', 'ext-1')])).DATA.RESULT[0];
      const answer = await call('imconnector.update.messages', {
        CONNECTOR: connector,
        LINE: line,
        MESSAGES: [
          {
            user: { id: 'e', name: 'Ann' },
            message: { id: 'ext-1', date: 1, text: 'new' },
            chat: { id: 'c', url: 'https://x.example/1' },
          },
          { user: { id: 'e' }, message: { id: 'unknown', text: 'nothing to change' }, chat: { id: 'c' } },
          { user: { id: 'e' }, message: { id: 'ext-1' }, chat: { id: 'c' } },
          { user: { id: 'e' }, message: { id: 'ext-1', text: 'no chat' } },
        ],
      });
      assert.deepEqual(resultOf(answer), {
        SUCCESS: true,
        DATA: {
          RESULT: [
            {
              user: sent.user,
              message: { id: 'ext-1', date: {}, text: 'new' },
              chat: { id: 'c', description: 'Link to original post: https://x.example/1' },
              SUCCESS: true,
            },
            {
              user: sent.user,
              message: { id: 'unknown', text: 'nothing to change' },
              chat: { id: 'c' },
              SUCCESS: true,
            },
            { SUCCESS: false, ERRORS: ['Incomplete data'] },
            { SUCCESS: false, ERRORS: ['Incomplete data'] },
          ],
        },
      });
      const texts = await t.server.store.db
        .selectFrom('messages')
        .where('author_kind', '=', 'customer')
        .select('text')
        .where('chat_id', '=', Number(sent.session.CHAT_ID))
        .execute();
      assert.deepEqual(
        texts.map((m) => m.text),
        ['new'],
      );
    });

    it('imconnector.delete.messages: marks the messages deleted; echo without session; line and provider checked', async () => {
      const { connector, line } = await channel();
      const sent = resultOf(await send(connector, line, [message('d', 'c', 'bye', 'ext-d')])).DATA.RESULT[0];
      const answer = await call('imconnector.delete.messages', {
        CONNECTOR: connector,
        LINE: line,
        MESSAGES: [{ user: { id: 'd' }, message: { id: 'ext-d' }, chat: { id: 'c' } }, { message: { id: 'ext-d' } }],
      });
      assert.deepEqual(resultOf(answer), {
        SUCCESS: true,
        DATA: {
          RESULT: [
            { user: sent.user, message: { id: 'ext-d' }, chat: { id: 'c' }, SUCCESS: true },
            { SUCCESS: false, ERRORS: ['Incomplete data'] },
          ],
        },
      });
      const stored = await t.server.store.db
        .selectFrom('messages')
        .where('author_kind', '=', 'customer')
        .selectAll()
        .where('chat_id', '=', Number(sent.session.CHAT_ID))
        .executeTakeFirstOrThrow();
      assert.equal(stored.deleted, 1);
      const items = [{ user: { id: 'd' }, message: { id: 'ext-d' }, chat: { id: 'c' } }];
      assertError(await call('imconnector.delete.messages', { CONNECTOR: 'nope', LINE: line, MESSAGES: items }), 400, {
        error: 'IMCONNECTOR_NO_CORRECT_PROVIDER',
        error_description: 'Failed to find a suitable provider for the connector',
      });
      assertError(
        await call('imconnector.update.messages', { CONNECTOR: connector, LINE: line + 1000, MESSAGES: items }),
        400,
        { error: 'NOT_ACTIVE_LINE', error_description: 'The line with this ID is inactive or does not exist' },
      );
      assertError(
        await call('imconnector.update.messages', { CONNECTOR: connector, MESSAGES: items }),
        400,
        argumentError('LINE', "Argument 'LINE' is null or empty"),
      );
    });

    it('imconnector.send.status.delivery: clears sending once and stores the external ids; no line check', async () => {
      const { connector, line } = await channel();
      const sent = resultOf(await send(connector, line, [message('o', 'c', 'question')])).DATA.RESULT[0];
      const operatorMessage = await t.server.store.write((trx) =>
        insertMessage(trx, {
          chatId: Number(sent.session.CHAT_ID),
          sessionId: Number(sent.session.ID),
          author: { kind: 'operator', userId: 1 },
          text: 'answer',
          files: [],
          connectorMid: [],
          sending: true,
          stamp: new Date().toISOString(),
        }),
      );
      const deliver = (ids: unknown) =>
        call('imconnector.send.status.delivery', {
          CONNECTOR: connector,
          LINE: line,
          MESSAGES: [
            {
              im: { chat_id: sent.session.CHAT_ID, message_id: operatorMessage.id },
              message: { id: ids, date: 1 },
              chat: { id: 'c' },
            },
          ],
        });
      await call('imconnector.activate', { CONNECTOR: connector, LINE: line, ACTIVE: 0 });
      assert.deepEqual(resultOf(await deliver(['tg-900'])), { SUCCESS: true, DATA: [] });
      const row = async () =>
        t.server.store.db
          .selectFrom('messages')
          .selectAll()
          .where('id', '=', operatorMessage.id)
          .executeTakeFirstOrThrow();
      const first = await row();
      assert.deepEqual([first.sending, first.delivered, JSON.parse(first.connector_mid)], [0, 1, ['tg-900']]);
      assert.deepEqual(resultOf(await deliver('tg-901')), { SUCCESS: true, DATA: [] });
      assert.deepEqual(JSON.parse((await row()).connector_mid), ['tg-900']);
      const reading = await call('imconnector.send.status.reading', { CONNECTOR: connector, LINE: line, MESSAGES: [] });
      assert.deepEqual(resultOf(reading), { SUCCESS: true, DATA: [] });
      assertError(
        await call('imconnector.send.status.delivery', { CONNECTOR: 'nope', LINE: line, MESSAGES: [] }),
        400,
        {
          error: 'IMCONNECTOR_NO_CORRECT_PROVIDER',
          error_description: 'Failed to find a suitable provider for the connector',
        },
      );
      assertError(
        await call('imconnector.send.status.reading', { CONNECTOR: connector, LINE: line }),
        400,
        argumentError('MESSAGES', "Argument 'MESSAGES' is null or empty"),
      );
    });

    it('imconnector.set.error: the connector is in error (status, NOT_ACTIVE_LINE) until activated again', async () => {
      const { connector, line } = await channel();
      const ok = [message('s', 'c', 'x')];
      assert.deepEqual(resultOf(await call('imconnector.set.error', { CONNECTOR: connector, LINE: line })), {
        SUCCESS: true,
        DATA: [],
      });
      const status = await call('imconnector.status', { CONNECTOR: connector, LINE: line });
      assert.deepEqual(status.body.result, {
        LINE: line,
        CONNECTOR: connector,
        ERROR: true,
        CONFIGURED: true,
        STATUS: false,
      });
      assertError(await send(connector, line, ok), 400, {
        error: 'NOT_ACTIVE_LINE',
        error_description: 'The line with this ID is inactive or does not exist',
      });
      await call('imconnector.activate', { CONNECTOR: connector, LINE: line, ACTIVE: 1 });
      assert.equal(resultOf(await send(connector, line, ok)).DATA.RESULT[0].SUCCESS, true);
      assertError(
        await call('imconnector.set.error', { CONNECTOR: connector }),
        400,
        argumentError('LINE', "Argument 'LINE' is null or empty"),
      );
    });

    it("imconnector.chat.name.set: renames the open dialog's chat; empty() argument checks; CHAT_RENAMING_FAILED", async () => {
      const { connector, line } = await channel();
      const sent = resultOf(await send(connector, line, [message('n', 'room', 'x')])).DATA.RESULT[0];
      const rename = (params: Record<string, unknown>) => call('imconnector.chat.name.set', params);
      const base = { CONNECTOR: connector, LINE: line, CHAT_ID: 'room', NAME: 'Renamed', USER_ID: 'n' };
      assert.deepEqual(resultOf(await rename(base)), { SUCCESS: true, DATA: { RESULT: {} } });
      const chat = await t.server.store.db
        .selectFrom('chats')
        .selectAll()
        .where('id', '=', Number(sent.session.CHAT_ID))
        .executeTakeFirstOrThrow();
      assert.equal(chat.name, 'Renamed');
      assertError(await rename({ ...base, LINE: 0 }), 400, argumentError('LINE', "Argument 'LINE' is null or empty"));
      assertError(await rename({ ...base, NAME: '' }), 400, argumentError('NAME', "Argument 'NAME' is null or empty"));
      assertError(
        await rename({ ...base, USER_ID: '' }),
        400,
        argumentError('USER_ID', "Argument 'USER_ID' is null or empty"),
      );
      assertError(await rename({ ...base, CHAT_ID: 'other' }), 400, {
        error: 'CHAT_RENAMING_FAILED',
        error_description: 'Chat renaming failed',
      });
      assert.deepEqual(resultOf(await rename({ ...base, USER_ID: 'nobody' })), { SUCCESS: true, DATA: { RESULT: {} } });
      assertError(await rename({ ...base, CONNECTOR: 'nope' }), 400, {
        error: 'IMCONNECTOR_NO_CORRECT_PROVIDER',
        error_description: 'Failed to find a suitable provider for the connector',
      });
    });

    it('a CHAT_GROUP connector keeps one dialog per external chat: the user code ends in 0', async () => {
      const { connector, line } = await channel(true, true);
      const [a, b] = resultOf(await send(connector, line, [message('p1', 'group', 'x'), message('p2', 'group', 'y')]))
        .DATA.RESULT;
      assert.notEqual(a.user, b.user);
      assert.deepEqual(a.session, b.session);
      const chat = await t.server.store.db
        .selectFrom('chats')
        .selectAll()
        .where('id', '=', Number(a.session.CHAT_ID))
        .executeTakeFirstOrThrow();
      assert.equal(chat.user_code, `${connector}|${line}|group|0`);
      const renamed = await call('imconnector.chat.name.set', {
        CONNECTOR: connector,
        LINE: line,
        CHAT_ID: 'group',
        NAME: 'G',
      });
      assert.deepEqual(resultOf(renamed), { SUCCESS: true, DATA: { RESULT: {} } });
    });

    it('deleting the line, or unregistering the connector, removes its chats, sessions and messages', async () => {
      const count = async (
        table: 'chats' | 'sessions' | 'messages' | 'customers',
        column: 'line_id' | 'connector_id',
        id: number,
      ) => (await t.server.store.db.selectFrom(table).select('id').where(column, '=', id).execute()).length;
      const { connector, line } = await channel();
      const sent = resultOf(await send(connector, line, [message('z', 'c', 'x')])).DATA.RESULT[0];
      assert.equal(await count('sessions', 'line_id', line), 1);
      const deleted = await t.call('imopenlines.config.delete', { CONFIG_ID: line });
      assert.equal(deleted.body.result, true, deleted.text);
      assert.equal(await count('chats', 'line_id', line), 0);
      assert.equal(await count('sessions', 'line_id', line), 0);
      const messages = await t.server.store.db
        .selectFrom('messages')
        .where('author_kind', '=', 'customer')
        .select('id')
        .where('chat_id', '=', Number(sent.session.CHAT_ID))
        .execute();
      assert.equal(messages.length, 0);
      const other = await channel();
      await send(other.connector, other.line, [message('z', 'c', 'x')]);
      const row = await t.server.store.db
        .selectFrom('connectors')
        .select('id')
        .where('code', '=', other.connector)
        .executeTakeFirstOrThrow();
      const unregistered = await call('imconnector.unregister', { ID: other.connector });
      assert.deepEqual(unregistered.body.result, { result: true }, unregistered.text);
      assert.equal(await count('customers', 'connector_id', Number(row.id)), 0);
      assert.equal(await count('chats', 'connector_id', Number(row.id)), 0);
    });
  });
}
