// The rest of the event methods over real HTTP, for every store (runtime-connectors.md §13.5, §13.6): event.test
// (ONAPPTEST to the caller's own handlers, the body parsed with the parse_str port and compared exactly), offline
// bindings and the offline queue (event.offline.get / list / clear / error, with the reference's process ids,
// collapsing of identical events, the anti-echo rule and every error), the handler-destination allow-list
// (EVENT_HANDLER_HOSTS) at bind and at delivery, and a handler answering 302 (never followed).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { listOutbox, upsertOffline } from '../../src/store/events-repository.js';
import { getPortal } from '../../src/store/portal-repository.js';
import { formatPhpDate } from '../../src/wire/php-date.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { SEED } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

function assertError(answer: CallResult, status: number, body: Record<string, unknown>): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, body);
}

function assertResult(answer: CallResult, result: unknown): void {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body.result, result);
}

const argument = (field: string, description: string) => ({
  error: 'ERROR_ARGUMENT',
  error_description: description,
  argument: field,
});
const badArgument = (description: string) => ({ error: 'ERROR_ARGUMENT', error_description: description });
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const ACCESS_DENIED = { error: 'ACCESS_DENIED', error_description: 'Access denied!' };

for (const store of STORES) {
  describe(`events: event.test, offline events, handler destinations [${store}]`, () => {
    let t: TestServer;
    const clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
    const receiver = new EventReceiver();
    let appA: { clientId: string; applicationToken: string };
    let appB: { clientId: string; applicationToken: string };
    let tokenA: string;
    let tokenB: string;
    let tokenOperator: string;
    let memberId: string;

    before(async () => {
      await receiver.start();
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000 } });
      appA = await t.server.oauth.createApp({ name: 'App A', scopes: ['imopenlines', 'imconnector'] });
      appB = await t.server.oauth.createApp({ name: 'App B', scopes: ['imopenlines'] });
      memberId = (await getPortal(t.server.store.db))?.member_id ?? '';
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(async () => {
      receiver.reset();
      tokenA = (await t.server.oauth.issueToken(appA.clientId, 1)).accessToken;
      tokenB = (await t.server.oauth.issueToken(appB.clientId, 1)).accessToken;
      const operator = await t.server.directory.addUser({ name: 'Operator' });
      tokenOperator = (await t.server.oauth.issueToken(appA.clientId, operator)).accessToken;
      await t.server.store.write(async (trx) => {
        await trx.deleteFrom('event_bindings').execute();
        await trx.deleteFrom('event_outbox').execute();
        await trx.deleteFrom('event_offline').execute();
      });
    });

    const call = (token: string, method: string, params: Record<string, unknown> = {}) =>
      t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: token }),
      });
    const addLine = async () => {
      const added = await t.call('imopenlines.config.add', SEED);
      assert.equal(added.status, 200, added.text);
      return added.body.result as number;
    };
    const deleteLine = async (line: number) =>
      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: line }), true);
    const appId = async (clientId: string) =>
      Number(
        (
          await t.server.store.read((db) =>
            db.selectFrom('oauth_apps').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow(),
          )
        ).id,
      );
    const offlineRows = () =>
      t.server.store.read((db) => db.selectFrom('event_offline').selectAll().orderBy('id').execute());
    const stamp = () => formatPhpDate(Math.floor(clock.now() / 1000) * 1000, 'UTC');
    const offline = (event: string, extra: Record<string, unknown> = {}) =>
      call(tokenA, 'event.bind', { event, event_type: 'offline', ...extra });

    describe('event.test', () => {
      it('sends ONAPPTEST with the call’s parameters to the calling application’s handlers only', async () => {
        assertResult(await call(tokenA, 'event.bind', { event: 'OnAppTest', handler: receiver.url('/a') }), true);
        assertResult(await call(tokenB, 'event.bind', { event: 'ONAPPTEST', handler: receiver.url('/b') }), true);
        assertResult(await call(tokenA, 'event.test', { check: 'ping', n: 5, list: ['x', 'y'] }), 1);
        await t.server.scheduler.runDue();
        assert.deepEqual(receiver.hits, ['/a']);
        const [binding] = await t.server.store.read((db) =>
          db.selectFrom('event_bindings').select('id').where('handler', '=', receiver.url('/a')).execute(),
        );
        const base = t.server.httpUrl;
        const body = parsePhpQuery(receiver.received[0]!.body) as { auth: Record<string, string> };
        // The caller (user 1) acted: the auth block names them, with a token minted for the event (event-auth.test).
        assert.deepEqual(body, {
          event: 'ONAPPTEST',
          event_handler_id: String(binding!.id),
          data: { QUERY: { check: 'ping', n: '5', list: ['x', 'y'] }, LANGUAGE_ID: 'en' },
          ts: String(Math.floor(clock.now() / 1000)),
          auth: {
            access_token: body.auth.access_token,
            expires: String(Math.floor(clock.now() / 1000) + 3600),
            expires_in: '3600',
            scope: 'imopenlines,imconnector',
            domain: base.replace('http://', ''),
            server_endpoint: `${base}/rest/`,
            status: 'L',
            client_endpoint: `${base}/rest/`,
            member_id: memberId,
            user_id: '1',
            application_token: appA.applicationToken,
          },
        });
        assert.match(body.auth.access_token ?? '', /^[a-z0-9]{64}$/);
        // With nothing bound it still answers 1; a webhook is refused.
        assertResult(await call(tokenB, 'event.test'), 1);
        assertError(await t.call('event.test'), 403, {
          error: 'WRONG_AUTH_TYPE',
          error_description: 'Current authorization type is denied for this method',
        });
      });
    });

    describe('offline bindings', () => {
      it('administrators bind offline (handler ignored, keyed by auth_connector); event.get shows them', async () => {
        assertResult(await offline('OnImConnectorLineDelete', { handler: 'ignored' }), true);
        assertResult(await offline('OnImConnectorLineDelete', { auth_connector: 'bridge' }), true);
        assertError(await offline('OnImConnectorLineDelete'), 400, {
          error: 'ERROR_CORE',
          error_description: 'Unable to set event handler: Handler already binded',
        });
        assertResult(
          await call(tokenA, 'event.bind', { event: 'OnImConnectorLineDelete', handler: receiver.url('/on') }),
          true,
        );
        assertResult(await call(tokenA, 'event.get'), [
          { event: 'ONIMCONNECTORLINEDELETE', connector_id: '', offline: 1 },
          { event: 'ONIMCONNECTORLINEDELETE', connector_id: 'bridge', offline: 1 },
          { event: 'ONIMCONNECTORLINEDELETE', handler: receiver.url('/on'), auth_type: '0', offline: 0 },
        ]);
        // Unbinding offline removes the binding of the request's auth_connector only.
        assertResult(
          await call(tokenA, 'event.unbind', {
            event: 'OnImConnectorLineDelete',
            event_type: 'offline',
            auth_connector: 'bridge',
          }),
          { count: 1 },
        );
        assertResult(await call(tokenA, 'event.get'), [
          { event: 'ONIMCONNECTORLINEDELETE', connector_id: '', offline: 1 },
          { event: 'ONIMCONNECTORLINEDELETE', handler: receiver.url('/on'), auth_type: '0', offline: 0 },
        ]);
      });

      it('inside batch, commands share the batch’s auth_connector', async () => {
        const answer = await call(tokenA, 'batch', {
          auth_connector: 'bridge',
          cmd: {
            bind: 'event.bind?event=OnImConnectorLineDelete&event_type=offline',
            own: 'event.bind?event=OnImConnectorLineDelete&event_type=offline&auth_connector=own',
            get: 'event.get',
          },
        });
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body.result.result_error, []);
        assert.deepEqual(answer.body.result.result.get, [
          { event: 'ONIMCONNECTORLINEDELETE', connector_id: 'bridge', offline: 1 },
          { event: 'ONIMCONNECTORLINEDELETE', connector_id: 'own', offline: 1 },
        ]);
      });

      it('refuses non-administrators, a missing event and an unknown one', async () => {
        assertError(
          await call(tokenOperator, 'event.bind', { event: 'OnImConnectorLineDelete', event_type: 'offline' }),
          403,
          {
            error: 'ACCESS_DENIED',
            error_description: 'Access denied! Offline events binding requires administrator access rights',
          },
        );
        assertError(
          await call(tokenOperator, 'event.unbind', { event: 'OnImConnectorLineDelete', event_type: 'OFFLINE' }),
          403,
          {
            error: 'ACCESS_DENIED',
            error_description: 'Access denied! Offline events unbinding requires administrator access rights',
          },
        );
        assertError(await offline(''), 400, argument('EVENT', "Argument 'EVENT' is null or empty"));
        assertError(await offline('OnNoSuchEvent'), 400, {
          error: 'ERROR_EVENT_NOT_FOUND',
          error_description: 'Event not found',
        });
        assertResult(await call(tokenA, 'event.get'), []);
      });

      it('an event for an offline binding is queued, not posted; the outbox gets the online ones', async () => {
        assertResult(await offline('OnImConnectorLineDelete'), true);
        assertResult(await offline('OnImConnectorLineDelete', { auth_connector: 'bridge' }), true);
        assertResult(
          await call(tokenB, 'event.bind', { event: 'OnImConnectorLineDelete', handler: receiver.url('/b') }),
          true,
        );
        const line = await addLine();
        await deleteLine(line);
        await t.server.scheduler.runDue();
        assert.deepEqual(receiver.hits, ['/b']);
        assert.equal((await t.server.store.read((db) => listOutbox(db))).length, 1);
        const a = await appId(appA.clientId);
        const rows = await offlineRows();
        assert.deepEqual(
          rows.map((r) => [Number(r.app_id), r.connector_id, r.event, r.data, r.process_id, Number(r.error)]),
          [
            [a, '', 'ONIMCONNECTORLINEDELETE', String(line), '', 0],
            [a, 'bridge', 'ONIMCONNECTORLINEDELETE', String(line), '', 0],
          ],
        );
        assert.equal(rows[0]!.message_id, md5(`ONIMCONNECTORLINEDELETE|${line}`));
      });

      it('identical events collapse into one row with a fresh time; an event of the same app and connector is not queued', async () => {
        assertResult(await offline('OnAppTest'), true);
        // The anti-echo rule: app A's own call without auth_connector does not queue for its '' binding.
        assertResult(await call(tokenA, 'event.test', { q: 1 }), 1);
        assert.equal((await offlineRows()).length, 0);
        assertResult(await call(tokenA, 'event.test', { q: 1, auth_connector: 'elsewhere' }), 1);
        const first = stamp();
        await clock.advance(5_000);
        assertResult(await call(tokenA, 'event.test', { q: 1, auth_connector: 'elsewhere' }), 1);
        assertResult(await call(tokenA, 'event.test', { q: 2, auth_connector: 'elsewhere' }), 1);
        const answer = await call(tokenA, 'event.offline.get', { clear: 0 });
        assert.equal(answer.status, 200, answer.text);
        const events = answer.body.result.events as Record<string, unknown>[];
        assert.deepEqual(
          events.map((e) => [e.EVENT_DATA, e.TIMESTAMP_X]),
          [
            [{ QUERY: { q: 1 }, LANGUAGE_ID: 'en' }, stamp()],
            [{ QUERY: { q: 2 }, LANGUAGE_ID: 'en' }, stamp()],
          ],
        );
        assert.notEqual(first, stamp());
      });
    });

    describe('event.offline.get / list / clear / error', () => {
      /** Queues n line deletions for app A's '' offline binding; answers the line ids. */
      const queue = async (n: number) => {
        assertResult(await offline('OnImConnectorLineDelete'), true);
        const lines: number[] = [];
        for (let i = 0; i < n; i++) {
          const line = await addLine();
          await deleteLine(line);
          lines.push(line);
          await clock.advance(1_000);
        }
        return lines;
      };
      const row = (id: number | string, line: number, at: string, extra: Record<string, unknown> = {}) => ({
        ID: String(id),
        TIMESTAMP_X: at,
        EVENT_NAME: 'ONIMCONNECTORLINEDELETE',
        EVENT_DATA: line,
        EVENT_ADDITIONAL: { user_id: '1' },
        MESSAGE_ID: md5(`ONIMCONNECTORLINEDELETE|${line}`),
        ...extra,
      });

      it('get takes the oldest rows and deletes them (clear=1 by default)', async () => {
        const start = clock.now();
        const lines = await queue(3);
        const ids = (await offlineRows()).map((r) => Number(r.id));
        const at = (i: number) => formatPhpDate(start + i * 1000, 'UTC');
        assertResult(await call(tokenA, 'event.offline.get', { limit: 2 }), {
          process_id: null,
          events: [row(ids[0]!, lines[0]!, at(0)), row(ids[1]!, lines[1]!, at(1))],
        });
        assertResult(await call(tokenA, 'event.offline.get'), {
          process_id: null,
          events: [row(ids[2]!, lines[2]!, at(2))],
        });
        assertResult(await call(tokenA, 'event.offline.get'), { process_id: null, events: [] });
        assert.deepEqual(await offlineRows(), []);
      });

      it('clear=0 marks rows with a process id; get/clear with it; list shows PROCESS_ID and ERROR', async () => {
        const start = clock.now();
        const lines = await queue(3);
        const ids = (await offlineRows()).map((r) => Number(r.id));
        const at = (i: number) => formatPhpDate(start + i * 1000, 'UTC');
        const taken = await call(tokenA, 'event.offline.get', { CLEAR: 0, LIMIT: 2, ORDER: { ID: 'DESC' } });
        assert.equal(taken.status, 200, taken.text);
        const processId = taken.body.result.process_id as string;
        assert.match(processId, /^[0-9a-f]{32}$/);
        assert.deepEqual(taken.body.result.events, [row(ids[2]!, lines[2]!, at(2)), row(ids[1]!, lines[1]!, at(1))]);
        // Taken rows are not offered again without the process id; with it they are.
        assertResult(await call(tokenA, 'event.offline.get', { clear: 0 }), {
          process_id: (await offlineRows()).find((r) => Number(r.id) === ids[0])!.process_id,
          events: [row(ids[0]!, lines[0]!, at(0))],
        });
        assertResult(await call(tokenA, 'event.offline.get', { clear: 0, process_id: ` ${processId} ` }), {
          process_id: processId,
          events: [row(ids[1]!, lines[1]!, at(1)), row(ids[2]!, lines[2]!, at(2))],
        });
        const listed = await call(tokenA, 'event.offline.list', { filter: { PROCESS_ID: processId } });
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(listed.body.result, [
          row(ids[1]!, lines[1]!, at(1), { PROCESS_ID: processId, ERROR: '0' }),
          row(ids[2]!, lines[2]!, at(2), { PROCESS_ID: processId, ERROR: '0' }),
        ]);
        assert.equal(listed.body.total, 2);
        assert.equal(listed.body.next, undefined);
        // clear by id, then the rest of the process.
        assertResult(await call(tokenA, 'event.offline.clear', { process_id: processId, id: [ids[1]] }), true);
        assert.deepEqual(
          (await offlineRows()).map((r) => Number(r.id)),
          [ids[0], ids[2]],
        );
        assertResult(
          await call(tokenA, 'event.offline.clear', { process_id: processId, message_id: [md5('nothing')] }),
          true,
        );
        assert.equal((await offlineRows()).length, 2);
        assertResult(await call(tokenA, 'event.offline.clear', { process_id: processId }), true);
        assert.deepEqual(
          (await offlineRows()).map((r) => Number(r.id)),
          [ids[0]],
        );
        // get with process_id and clear=1 deletes the process's rows.
        const other = (await offlineRows())[0]!.process_id;
        assertResult(await call(tokenA, 'event.offline.get', { process_id: other }), {
          process_id: other,
          events: [row(ids[0]!, lines[0]!, at(0))],
        });
        assert.deepEqual(await offlineRows(), []);
      });

      it('concurrent gets take disjoint rows', async () => {
        const lines = await queue(6);
        const answers = await Promise.all(
          [0, 1, 2].map(() => call(tokenA, 'event.offline.get', { clear: 0, limit: 2 })),
        );
        const taken = answers.flatMap((a) =>
          (a.body.result.events as { EVENT_DATA: number }[]).map((e) => e.EVENT_DATA),
        );
        assert.deepEqual(
          [...taken].sort((x, y) => x - y),
          lines,
        );
        assert.equal(new Set(answers.map((a) => a.body.result.process_id)).size, 3);
      });

      it('error marks a process’s rows as errors; get error=1 returns them', async () => {
        const start = clock.now();
        const [line] = await queue(1);
        const taken = await call(tokenA, 'event.offline.get', { clear: 0 });
        const processId = taken.body.result.process_id as string;
        const [{ ID: id, MESSAGE_ID: messageId }] = taken.body.result.events;
        assertResult(
          await call(tokenA, 'event.offline.error', { process_id: processId, message_id: [messageId] }),
          true,
        );
        assertResult(await call(tokenA, 'event.offline.error', { process_id: processId, message_id: [] }), true);
        const listed = await call(tokenA, 'event.offline.list');
        assert.deepEqual(listed.body.result, [
          row(id, line!, formatPhpDate(start, 'UTC'), { PROCESS_ID: '', ERROR: '1' }),
        ]);
        assertResult(await call(tokenA, 'event.offline.get'), { process_id: null, events: [] });
        assertResult(await call(tokenA, 'event.offline.get', { error: 1 }), {
          process_id: null,
          events: [row(id, line!, formatPhpDate(start, 'UTC'))],
        });
        assert.deepEqual(await offlineRows(), []);
      });

      it('filter and order as the reference sanitizes them', async () => {
        const lines = await queue(3);
        const ids = (await offlineRows()).map((r) => Number(r.id));
        const get = async (params: Record<string, unknown>) => {
          const answer = await call(tokenA, 'event.offline.get', { clear: 0, ...params });
          assert.equal(answer.status, 200, answer.text);
          await t.server.store.write((trx) => trx.updateTable('event_offline').set({ process_id: '' }).execute());
          return (answer.body.result.events as { EVENT_DATA: number }[]).map((e) => e.EVENT_DATA);
        };
        assert.deepEqual(await get({ filter: { '>ID': ids[0] } }), [lines[1], lines[2]]);
        assert.deepEqual(await get({ filter: { '@ID': [ids[0], ids[2]] } }), [lines[0], lines[2]]);
        assert.deepEqual(await get({ filter: { '=message_id': md5(`ONIMCONNECTORLINEDELETE|${lines[1]}`) } }), [
          lines[1],
        ]);
        assert.deepEqual(await get({ filter: { '%EVENT_NAME': 'LINEDEL' }, order: ['ID'] }), lines);
        assert.deepEqual(await get({ filter: { '>=TIMESTAMP_X': formatPhpDate(clock.now() - 2_000, 'UTC') } }), [
          lines[1],
          lines[2],
        ]);
        assert.deepEqual(await get({ order: { TIMESTAMP_X: 'desc' } }), [...lines].reverse());
        assert.deepEqual(await get({ filter: { '%ID': String(ids[1]) } }), [lines[1]]);
        assertResult(
          await call(tokenA, 'event.offline.list', { filter: { '>ERROR': '99999999999', '<ID': '1e30' } }),
          [],
        );
        const refused: [Record<string, unknown>, Record<string, unknown>][] = [
          [{ filter: { PROCESS_ID: 'x' } }, badArgument('Filter field not allowed: PROCESS_ID')],
          [{ filter: { '!ID': 1 } }, badArgument('Filter operation not allowed: !')],
          [{ filter: 'ID' }, badArgument('The filter is not an array.')],
          [{ filter: { TIMESTAMP_X: 'yesterday' } }, badArgument('Filter value is not a date: TIMESTAMP_X')],
          [{ order: 'ID' }, badArgument('The order is not an array.')],
          [{ order: { ERROR: 'ASC' } }, badArgument('Order field not allowed: ERROR')],
          [{ order: { ID: 'UP' } }, badArgument('Order direction should be one of {ASC|DESC}')],
          [{ order: ['NAME'] }, badArgument('Order field not allowed: NAME')],
          [{ limit: 0 }, argument('LIMIT', 'Value must be positive integer')],
          [{ LIMIT: '-1' }, argument('LIMIT', 'Value must be positive integer')],
          [{ process_id: ['x'] }, argument('PROCESS_ID', 'Value must be a string')],
        ];
        for (const [params, body] of refused) {
          assertError(await call(tokenA, 'event.offline.get', params), 400, body);
        }
        assertError(
          await call(tokenA, 'event.offline.list', { order: { NAME: 'ASC' } }),
          400,
          badArgument('Order field not allowed: NAME'),
        );
        assert.equal((await offlineRows()).length, 3);
      });

      it('list pages by 50 with next and total; clear and error validate their arguments', async () => {
        assertResult(await offline('OnImConnectorLineDelete'), true);
        const a = await appId(appA.clientId);
        await t.server.store.write(async (trx) => {
          for (let i = 0; i < 52; i++) {
            await upsertOffline(trx, {
              app_id: a,
              connector_id: '',
              event: 'ONIMCONNECTORLINEDELETE',
              data: String(i),
              user_id: 0,
              message_id: md5(`ONIMCONNECTORLINEDELETE|${i}`),
              timestamp_ms: clock.now(),
            });
          }
        });
        const first = await call(tokenA, 'event.offline.list');
        assert.equal(first.body.result.length, 50);
        assert.equal(first.body.next, 50);
        assert.equal(first.body.total, 52);
        const second = await call(tokenA, 'event.offline.list', { start: 50 });
        assert.deepEqual(
          second.body.result.map((r: { EVENT_DATA: number; EVENT_ADDITIONAL: unknown }) => [
            r.EVENT_DATA,
            r.EVENT_ADDITIONAL,
          ]),
          [
            [50, { user_id: '0' }],
            [51, { user_id: '0' }],
          ],
        );
        assert.equal(second.body.next, undefined);
        assert.equal(second.body.total, 52);
        // Another connector's queue is separate.
        assertResult(await call(tokenA, 'event.offline.list', { auth_connector: 'bridge' }), []);

        const pid = { process_id: 'p' };
        const refused: [string, Record<string, unknown>, Record<string, unknown>][] = [
          ['event.offline.clear', {}, argument('PROCESS_ID', "Argument 'PROCESS_ID' is null or empty")],
          ['event.offline.clear', { ...pid, id: 5 }, argument('id', 'Value must be array of integers')],
          ['event.offline.clear', { ...pid, id: [1, 0] }, argument('id', 'Value must be array of integers')],
          [
            'event.offline.clear',
            { ...pid, message_id: 'x' },
            argument('message_id', 'Value must be array of MESSAGE_ID values'),
          ],
          [
            'event.offline.clear',
            { ...pid, message_id: ['short'] },
            argument('messsage_id', 'Value must be array of MESSAGE_ID values'),
          ],
          ['event.offline.error', { message_id: [] }, argument('PROCESS_ID', "Argument 'PROCESS_ID' is null or empty")],
          ['event.offline.error', pid, argument('message_id', 'Value must be array of MESSAGE_ID values')],
        ];
        for (const [method, params, body] of refused) assertError(await call(tokenA, method, params), 400, body);
        assert.equal((await offlineRows()).length, 52);
      });

      it('administrators only, applications only', async () => {
        for (const method of [
          'event.offline.get',
          'event.offline.list',
          'event.offline.clear',
          'event.offline.error',
        ]) {
          assertError(await call(tokenOperator, method, { process_id: 'p', message_id: [] }), 403, ACCESS_DENIED);
          assertError(await t.call(method), 403, {
            error: 'WRONG_AUTH_TYPE',
            error_description: 'Current authorization type is denied for this method',
          });
        }
      });
    });

    describe('deliveries', () => {
      it('a handler answering 302 is not followed: the attempt fails with HTTP 302', async () => {
        receiver.redirectTo = receiver.url('/landed');
        assertResult(
          await call(tokenB, 'event.bind', { event: 'OnImConnectorLineDelete', handler: receiver.url('/moved') }),
          true,
        );
        await deleteLine(await addLine());
        await t.server.scheduler.runDue();
        assert.deepEqual(receiver.hits, ['/moved']);
        const [row] = await t.server.store.read((db) => listOutbox(db));
        assert.equal(row!.attempt, 1);
        assert.equal(row!.delivered_at_ms, null);
        assert.equal(row!.last_error, 'HTTP 302');
      });
    });
  });

  describe(`events: EVENT_HANDLER_HOSTS [${store}]`, () => {
    let t: TestServer;
    const receiver = new EventReceiver();
    let token: string;
    let clientId: string;

    before(async () => {
      await receiver.start();
      t = await startTestServer({
        store,
        clock: new ManualClock(Date.parse('2026-12-02T10:00:00Z')),
        settings: { eventPollMs: 600_000, eventHandlerHosts: '10.0.0.0/8, hooks.example.com *.apps.example.org' },
      });
      ({ clientId } = await t.server.oauth.createApp({ name: 'App', scopes: ['imopenlines'] }));
      token = (await t.server.oauth.issueToken(clientId, 1)).accessToken;
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    const bind = (handler: string) =>
      t.request('/rest/event.bind', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        // An event nothing below sends: the allowed hosts here are not reachable.
        body: JSON.stringify({ event: 'OnImConnectorStatusDelete', handler, auth: token }),
      });

    it('event.bind refuses a handler outside the list, after the reference’s own URL checks', async () => {
      for (const handler of [
        receiver.url('/x'),
        'https://evil.example.com/x',
        'http://11.0.0.1/x',
        'http://apps.example.org/x',
      ]) {
        assertError(await bind(handler), 400, {
          error: 'ERROR_WRONG_HANDLER_URL',
          error_description: "Wrong handler URL: this server's EVENT_HANDLER_HOSTS does not allow its host",
          argument: 'HANDLER',
        });
      }
      assertError(await bind('http://localhost/x'), 400, {
        error: 'ERROR_WRONG_HANDLER_URL',
        error_description: 'Wrong handler URL',
      });
      for (const handler of ['https://hooks.example.com/x', 'http://10.1.2.3:8080/x', 'https://a.apps.example.org/x']) {
        assertResult(await bind(handler), true);
      }
    });

    it('a binding made before the setting changed is not posted: the delivery fails at once', async () => {
      const app = Number(
        (
          await t.server.store.read((db) =>
            db.selectFrom('oauth_apps').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow(),
          )
        ).id,
      );
      await t.server.store.write((trx) =>
        trx
          .insertInto('event_bindings')
          .values({
            app_id: app,
            event: 'ONIMCONNECTORLINEDELETE',
            handler: receiver.url('/old'),
            user_id: 0,
            connector_id: '',
            created_at: '2026-12-01T00:00:00.000Z',
          })
          .execute(),
      );
      const added = await t.call('imopenlines.config.add', SEED);
      assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: added.body.result }), true);
      await t.server.scheduler.runDue();
      assert.deepEqual(receiver.hits, []);
      const rows = await t.server.store.read((db) => listOutbox(db));
      const old = rows.find((r) => r.handler === receiver.url('/old'))!;
      assert.equal(old.attempt, 1);
      assert.notEqual(old.failed_at_ms, null);
      assert.equal(old.last_error, 'handler host not allowed by EVENT_HANDLER_HOSTS');
    });
  });
}
