// Events to applications over real HTTP, for every store: event.bind/unbind/get/events with the reference's
// validations (runtime-connectors.md §13), and delivery from the transactional outbox to a real HTTP receiver on
// loopback, the body parsed with the project's parse_str port and compared exactly: line deletion
// (OnImConnectorStatusDelete for the owner, then OnImConnectorLineDelete for every binding), the openlines
// line-configuration event, retries with backoff on a ManualClock, and nothing for a rolled-back change.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Caller } from '../../src/domain/caller.js';
import { BACKOFF_MAX_MS } from '../../src/jobs/backoff.js';
import { listOutbox } from '../../src/store/events-repository.js';
import { getPortal } from '../../src/store/portal-repository.js';
import { joinedStore } from '../../src/store/store.js';
import { parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { SEED } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

const WRONG_AUTH_TYPE = {
  error: 'WRONG_AUTH_TYPE',
  error_description: 'Current authorization type is denied for this method',
};

function assertError(answer: CallResult, status: number, body: Record<string, unknown>): void {
  assert.equal(answer.status, status, answer.text);
  assert.deepEqual(answer.body, body);
}

function assertResult(answer: CallResult, result: unknown): void {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body.result, result);
}

for (const store of STORES) {
  describe(`events [${store}]`, () => {
    let t: TestServer;
    const clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
    const receiver = new EventReceiver();
    let appA: { clientId: string; applicationToken: string };
    let appB: { clientId: string; applicationToken: string };
    let tokenA: string;
    let tokenB: string;
    let memberId: string;

    before(async () => {
      await receiver.start();
      // A long poll: in these tests only a commit or a due retry starts a tick.
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000 } });
      appA = await t.server.oauth.createApp({ name: 'App A', scopes: ['imopenlines', 'imconnector'] });
      appB = await t.server.oauth.createApp({ name: 'App B', scopes: ['imopenlines'] });
      tokenA = (await t.server.oauth.issueToken(appA.clientId, 1)).accessToken;
      tokenB = (await t.server.oauth.issueToken(appB.clientId, 1)).accessToken;
      memberId = (await getPortal(t.server.store.db))?.member_id ?? '';
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(async () => {
      receiver.reset();
      // Fresh tokens: the retry tests move the clock past an hour.
      tokenA = (await t.server.oauth.issueToken(appA.clientId, 1)).accessToken;
      tokenB = (await t.server.oauth.issueToken(appB.clientId, 1)).accessToken;
      await t.server.store.write(async (trx) => {
        await trx.deleteFrom('event_bindings').execute();
        await trx.deleteFrom('event_outbox').execute();
      });
    });

    const call = (token: string, method: string, params: Record<string, unknown> = {}) =>
      t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: token }),
      });
    const bind = (token: string, event: string, handler: string, extra: Record<string, unknown> = {}) =>
      call(token, 'event.bind', { event, handler, ...extra });
    const addLine = async () => {
      const added = await t.call('imopenlines.config.add', SEED);
      assert.equal(added.status, 200, added.text);
      return added.body.result as number;
    };
    /**
     * What the server's auth block carries for an application when user 1 acted (§12.2; the token is random,
     * so taken from what arrived: test/integration/event-auth.test.ts checks it).
     */
    const auth = (applicationToken: string, scope: string, received: { auth?: unknown }) => {
      const base = t.server.httpUrl;
      return {
        access_token: (received.auth as Record<string, string>).access_token,
        expires: String(Math.floor(clock.now() / 1000) + 3600),
        expires_in: '3600',
        scope,
        domain: base.replace('http://', ''),
        server_endpoint: `${base}/rest/`,
        status: 'L',
        client_endpoint: `${base}/rest/`,
        member_id: memberId,
        user_id: '1',
        application_token: applicationToken,
      };
    };
    const ts = () => String(Math.floor(clock.now() / 1000));
    const bindingIds = async () =>
      new Map(
        (await t.server.store.read((db) => db.selectFrom('event_bindings').selectAll().execute())).map((b) => [
          `${b.app_id}:${b.event}:${b.handler}`,
          String(b.id),
        ]),
      );
    const appId = async (clientId: string) =>
      Number(
        (
          await t.server.store.read((db) =>
            db.selectFrom('oauth_apps').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow(),
          )
        ).id,
      );

    describe('event.bind / event.unbind / event.get / events', () => {
      it('webhooks are refused with the event methods’ own WRONG_AUTH_TYPE text', async () => {
        for (const method of ['event.bind', 'event.unbind', 'event.get', 'events']) {
          assertError(await t.call(method, {}), 403, WRONG_AUTH_TYPE);
        }
      });

      it('binds, lists, refuses a duplicate, unbinds with a count', async () => {
        const handler = receiver.url('/a');
        assertResult(await bind(tokenA, 'onImConnectorLineDelete', handler), true);
        assertError(await bind(tokenA, 'ONIMCONNECTORLINEDELETE', handler), 400, {
          error: 'ERROR_CORE',
          error_description: 'Unable to set event handler: Handler already binded',
        });
        assertResult(await bind(tokenA, 'OnImConnectorStatusDelete', handler, { auth_type: 1 }), true);
        assertResult(await call(tokenA, 'event.get'), [
          { event: 'ONIMCONNECTORLINEDELETE', handler, auth_type: '0', offline: 0 },
          { event: 'ONIMCONNECTORSTATUSDELETE', handler, auth_type: '1', offline: 0 },
        ]);
        assertResult(await call(tokenB, 'event.get'), []);
        assertResult(await call(tokenA, 'event.unbind', { EVENT: 'OnImConnectorLineDelete', HANDLER: handler }), {
          count: 1,
        });
        assertResult(await call(tokenA, 'event.unbind', { EVENT: 'OnImConnectorLineDelete', HANDLER: handler }), {
          count: 0,
        });
        assertResult(await call(tokenA, 'event.get'), [
          { event: 'ONIMCONNECTORSTATUSDELETE', handler, auth_type: '1', offline: 0 },
        ]);
      });

      it('validates as the reference: handler, event, URL, protocol, event type, offline', async () => {
        assertError(await bind(tokenA, 'OnImConnectorLineDelete', ''), 400, {
          error: 'ERROR_ARGUMENT',
          error_description: "Argument 'HANDLER' is null or empty",
          argument: 'HANDLER',
        });
        assertError(await bind(tokenA, 'OnNoSuchEvent', receiver.url('/')), 400, {
          error: 'ERROR_EVENT_NOT_FOUND',
          error_description: 'Event not found',
        });
        for (const url of ['http://localhost/x', 'http://.example/x', 'not a url']) {
          assertError(await bind(tokenA, 'OnImConnectorLineDelete', url), 400, {
            error: 'ERROR_WRONG_HANDLER_URL',
            error_description: 'Wrong handler URL',
          });
        }
        assertError(await bind(tokenA, 'OnImConnectorLineDelete', 'ftp://files.example.com/x'), 400, {
          error: 'ERROR_UNSUPPORTED_PROTOCOL',
          error_description: 'Unsupported handler protocol',
        });
        assertError(
          await bind(tokenA, 'OnImConnectorLineDelete', receiver.url('/'), { event_type: 'sometimes' }),
          400,
          {
            error: 'ERROR_ARGUMENT',
            error_description: 'Value must be one of {online|offline}',
            argument: 'EVENT_TYPE',
          },
        );
        assertError(await call(tokenA, 'event.unbind', { handler: receiver.url('/') }), 400, {
          error: 'ERROR_ARGUMENT',
          error_description: "Argument 'EVENT' is null or empty",
          argument: 'EVENT',
        });
        assertResult(await call(tokenA, 'event.get'), []);
      });

      it('an auth_type past the 32-bit user ids is saturated to them (docs/decisions.md), never a 500', async () => {
        const handler = receiver.url('/big');
        for (const big of ['99999999999', 2 ** 31, 9.9e20]) {
          assertResult(await bind(tokenA, 'OnImConnectorLineDelete', handler, { auth_type: big }), true);
          assertResult(await call(tokenA, 'event.get'), [
            { event: 'ONIMCONNECTORLINEDELETE', handler, auth_type: '2147483647', offline: 0 },
          ]);
          assertResult(
            await call(tokenA, 'event.unbind', { event: 'OnImConnectorLineDelete', handler, auth_type: big }),
            { count: 1 },
          );
        }
        assertResult(
          await call(tokenA, 'event.unbind', { event: 'OnImConnectorLineDelete', handler, auth_type: -(2 ** 31) - 1 }),
          { count: 0 },
        );
      });

      it('events lists the upper-case codes of the token’s scopes, or of one scope', async () => {
        const codes = [
          'ONAPPTEST',
          'ONIMCONNECTORMESSAGEADD',
          'ONIMCONNECTORMESSAGEUPDATE',
          'ONIMCONNECTORMESSAGEDELETE',
          'ONIMCONNECTORDIALOGSTART',
          'ONIMCONNECTORDIALOGFINISH',
          'ONIMCONNECTORSTATUSDELETE',
          'ONIMCONNECTORLINEDELETE',
          'ONSESSIONSTART',
          'ONSESSIONFINISH',
          'ONOPENLINESLINECONFIGCHANGE',
          'ONOPENLINESKPIALERT',
          'ONOPENLINESSESSIONVOTE',
        ];
        assertResult(await call(tokenB, 'events'), codes);
        assertResult(await call(tokenB, 'events', { SCOPE: 'crm' }), []);
        assertResult(await call(tokenB, 'events', { SCOPE: '_global' }), ['ONAPPTEST']);
      });
    });

    describe('delivery', () => {
      it('a line deletion: the owner gets OnImConnectorStatusDelete, then every binding OnImConnectorLineDelete', async () => {
        const line = await addLine();
        assertResult(
          await call(tokenA, 'imconnector.register', {
            ID: 'evt_conn',
            NAME: 'Events',
            ICON: { DATA_IMAGE: 'data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E' },
            PLACEMENT_HANDLER: 'https://app.example.com/settings',
          }),
          { result: true },
        );
        assertResult(
          await call(tokenA, 'imconnector.activate', { CONNECTOR: 'evt_conn', LINE: line, ACTIVE: 1 }),
          true,
        );
        assertResult(await bind(tokenA, 'OnImConnectorStatusDelete', receiver.url('/a/status')), true);
        assertResult(await bind(tokenB, 'OnImConnectorStatusDelete', receiver.url('/b/status')), true);
        assertResult(await bind(tokenA, 'OnImConnectorLineDelete', receiver.url('/a/line')), true);
        assertResult(await bind(tokenB, 'OnImConnectorLineDelete', receiver.url('/b/line')), true);
        const ids = await bindingIds();
        const [a, b] = [await appId(appA.clientId), await appId(appB.clientId)];

        assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: line }), true);
        await t.server.scheduler.runDue();

        const byPath = new Map(receiver.received.map((r) => [r.path, r]));
        assert.deepEqual([...byPath.keys()].sort(), ['/a/line', '/a/status', '/b/line']);
        const status = parsePhpQuery(byPath.get('/a/status')!.body);
        assert.deepEqual(status, {
          event: 'ONIMCONNECTORSTATUSDELETE',
          event_handler_id: ids.get(`${a}:ONIMCONNECTORSTATUSDELETE:${receiver.url('/a/status')}`),
          data: { connector: 'evt_conn', line: String(line) },
          ts: ts(),
          auth: auth(appA.applicationToken, 'imopenlines,imconnector', status),
        });
        const lineDelete = parsePhpQuery(byPath.get('/b/line')!.body);
        assert.deepEqual(lineDelete, {
          event: 'ONIMCONNECTORLINEDELETE',
          event_handler_id: ids.get(`${b}:ONIMCONNECTORLINEDELETE:${receiver.url('/b/line')}`),
          data: String(line),
          ts: ts(),
          auth: auth(appB.applicationToken, 'imopenlines', lineDelete),
        });
        // The bytes: data=<id>, keys in the reference's order, brackets percent-encoded.
        const raw = byPath.get('/a/line')!;
        assert.match(
          raw.body,
          new RegExp(
            `^event=ONIMCONNECTORLINEDELETE&event_handler_id=\\d+&data=${line}&ts=\\d+&auth%5Baccess_token%5D=`,
          ),
        );
        assert.equal(raw.headers['content-type'], 'application/x-www-form-urlencoded');
        assert.equal(raw.headers['x-openlines-attempt'], '1');
        assert.match(String(raw.headers['x-openlines-delivery']), /^\d+$/);
        // The status event was queued before the line event, as the reference orders them.
        const rows = await t.server.store.read((db) => listOutbox(db));
        const first = rows.find((r) => r.event === 'ONIMCONNECTORSTATUSDELETE')!;
        const lineRows = rows.filter((r) => r.event === 'ONIMCONNECTORLINEDELETE');
        assert.ok(lineRows.every((r) => r.id > first.id));
        assert.ok(rows.every((r) => r.delivered_at_ms !== null && r.attempt === 1));
      });

      it('switching a connector off sends OnImConnectorStatusDelete to its owner', async () => {
        const line = await addLine();
        assertResult(await bind(tokenA, 'OnImConnectorStatusDelete', receiver.url('/off')), true);
        assertResult(
          await call(tokenA, 'imconnector.activate', { CONNECTOR: 'evt_conn', LINE: line, ACTIVE: 1 }),
          true,
        );
        assertResult(
          await call(tokenA, 'imconnector.activate', { CONNECTOR: 'evt_conn', LINE: line, ACTIVE: 0 }),
          true,
        );
        await t.server.scheduler.runDue();
        assert.equal(receiver.received.length, 1);
        assert.deepEqual(parsePhpQuery(receiver.received[0]!.body).data, { connector: 'evt_conn', line: String(line) });
      });

      it('the openlines extension: a line change carries the history’s field diff', async () => {
        assertResult(await bind(tokenB, 'OnOpenlinesLineConfigChange', receiver.url('/config')), true);
        const line = await addLine();
        assertResult(await t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { QUEUE_TIME: 120 } }), true);
        await t.server.scheduler.runDue();
        const bodies = receiver.received.map((r) => parsePhpQuery(r.body));
        assert.deepEqual(
          bodies.map((b) => [b.event, (b.data as Record<string, unknown>).ACTION]),
          [
            ['ONOPENLINESLINECONFIGCHANGE', 'add'],
            ['ONOPENLINESLINECONFIGCHANGE', 'update'],
          ],
        );
        const update = bodies[1]!.data as Record<string, unknown>;
        assert.equal(update.LINE, String(line));
        assert.deepEqual(update.CHANGES, [
          { field: 'QUEUE_TIME', before: String(SEED.PARAMS.QUEUE_TIME), after: '120' },
        ]);
      });

      it('a handler failing the first attempts gets the event after backoff, same delivery id', async () => {
        receiver.failFirst = 2;
        assertResult(await bind(tokenB, 'OnImConnectorLineDelete', receiver.url('/flaky')), true);
        const line = await addLine();
        assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: line }), true);
        await t.server.scheduler.runDue();
        assert.equal(receiver.received.length, 0);
        let [row] = await t.server.store.read((db) => listOutbox(db));
        assert.equal(row!.attempt, 1);
        assert.equal(row!.last_error, 'HTTP 500');
        assert.ok(row!.next_attempt_at_ms > clock.now());
        await clock.advance(BACKOFF_MAX_MS);
        await clock.advance(BACKOFF_MAX_MS);
        assert.equal(receiver.received.length, 1);
        assert.equal(receiver.received[0]!.headers['x-openlines-attempt'], '3');
        assert.equal(receiver.received[0]!.headers['x-openlines-delivery'], String(row!.id));
        [row] = await t.server.store.read((db) => listOutbox(db));
        assert.equal(row!.attempt, 3);
        assert.notEqual(row!.delivered_at_ms, null);
      });

      it('after the last attempt the delivery is kept as failed', async () => {
        receiver.failFirst = 100;
        assertResult(await bind(tokenB, 'OnImConnectorLineDelete', receiver.url('/down')), true);
        const line = await addLine();
        assertResult(await t.call('imopenlines.config.delete', { CONFIG_ID: line }), true);
        await t.server.scheduler.runDue();
        for (let i = 0; i < t.server.settings.eventAttempts; i++) await clock.advance(BACKOFF_MAX_MS);
        const [row] = await t.server.store.read((db) => listOutbox(db, { failedOnly: true }));
        assert.equal(row!.attempt, t.server.settings.eventAttempts);
        assert.equal(row!.delivered_at_ms, null);
        assert.equal(row!.last_error, 'HTTP 500');
      });

      it('a change that rolls back emits nothing', async () => {
        assertResult(await bind(tokenB, 'OnImConnectorLineDelete', receiver.url('/never')), true);
        const line = await addLine();
        const caller: Caller = {
          userId: 1,
          isAdmin: true,
          authKind: 'cli',
          credentialId: 'test',
          scopes: new Set(['imopenlines']),
          strict: false,
        };
        await assert.rejects(
          t.server.store.write(async (trx) => {
            assert.equal(await t.server.services.lines.over(joinedStore(trx)).delete(caller, line), true);
            assert.equal((await listOutbox(trx)).length, 1);
            throw new Error('roll back');
          }),
          /roll back/,
        );
        await t.server.scheduler.runDue();
        assert.deepEqual(await t.server.store.read((db) => listOutbox(db)), []);
        assert.equal(receiver.received.length, 0);
      });
    });
  });
}
