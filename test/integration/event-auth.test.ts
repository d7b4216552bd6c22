// The auth block with a user and the loop guard (runtime-connectors.md §12.2), over real HTTP on every store: a
// handler whose binding names no user gets an access token for the user who acted, a binding with auth_type
// gets one for its own user; the token is a real OAuth token of the application (stored hashed, valid 3600 s by
// the server clock, no refresh token) that works for REST calls as that user. Events fired by calls made with
// such tokens go one level deeper each time and are dropped after 3 levels. Without a user: the no-user form.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { hashSecret } from '../../src/domain/secrets.js';
import { listOutbox } from '../../src/store/events-repository.js';
import { getPortal } from '../../src/store/portal-repository.js';
import { type ParamTree, parsePhpQuery } from '../../src/wire/php-params.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { addUser } from '../helpers/lines.js';
import { SEED } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { ManualClock } from '../helpers/test-clock.js';

function assertResult(answer: CallResult, result: unknown): void {
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(answer.body.result, result);
}

const USER_AUTH_KEYS = [
  'access_token',
  'expires',
  'expires_in',
  'scope',
  'domain',
  'server_endpoint',
  'status',
  'client_endpoint',
  'member_id',
  'user_id',
  'application_token',
];

for (const store of STORES) {
  describe(`event auth [${store}]`, () => {
    let t: TestServer;
    const clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
    const receiver = new EventReceiver();
    let app: { clientId: string; applicationToken: string };
    let token: string;
    let memberId: string;
    let line: number;

    before(async () => {
      await receiver.start();
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000 } });
      app = await t.server.oauth.createApp({ name: 'Chained', scopes: ['imopenlines', 'imconnector'] });
      memberId = (await getPortal(t.server.store.db))?.member_id ?? '';
      const added = await t.call('imopenlines.config.add', SEED);
      assert.equal(added.status, 200, added.text);
      line = added.body.result as number;
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });
    beforeEach(async () => {
      receiver.reset();
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      await t.server.store.write(async (trx) => {
        await trx.deleteFrom('event_bindings').execute();
        await trx.deleteFrom('event_outbox').execute();
      });
    });

    const call = (auth: string, method: string, params: Record<string, unknown> = {}) =>
      t.request(`/rest/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth }),
      });
    const bind = (extra: Record<string, unknown> = {}) =>
      call(token, 'event.bind', { event: 'OnOpenlinesLineConfigChange', handler: receiver.url('/h'), ...extra });
    const update = (auth: string | null, queueTime: number) =>
      auth === null
        ? t.call('imopenlines.config.update', { CONFIG_ID: line, PARAMS: { QUEUE_TIME: queueTime } })
        : call(auth, 'imopenlines.config.update', { CONFIG_ID: line, PARAMS: { QUEUE_TIME: queueTime } });
    const base = () => t.server.httpUrl;
    /** The auth block with a user, the token taken from what arrived (it is random). */
    const userAuth = (received: ParamTree, userId: number) => {
      const auth = received.auth as Record<string, string>;
      assert.match(auth.access_token ?? '', /^[A-Za-z0-9]{64}$/);
      return {
        access_token: auth.access_token,
        expires: String(Math.floor(clock.now() / 1000) + 3600),
        expires_in: '3600',
        scope: 'imopenlines,imconnector',
        domain: base().replace('http://', ''),
        server_endpoint: `${base()}/rest/`,
        status: 'L',
        client_endpoint: `${base()}/rest/`,
        member_id: memberId,
        user_id: String(userId),
        application_token: app.applicationToken,
      };
    };
    const delivered = async (count: number): Promise<ParamTree[]> => {
      await t.server.scheduler.runDue();
      assert.equal(receiver.received.length, count);
      return receiver.received.map((r) => parsePhpQuery(r.body));
    };

    it('a binding without a user: a token for the user who acted, in the reference’s order, no refresh_token', async () => {
      assertResult(await bind(), true);
      assertResult(await update(null, 61), true);
      const [body] = await delivered(1);
      const auth = body!.auth as Record<string, string>;
      assert.deepEqual(Object.keys(auth), USER_AUTH_KEYS);
      assert.deepEqual(body!.auth, userAuth(body!, 1));
      assert.match(receiver.received[0]!.body, /&auth%5Baccess_token%5D=[A-Za-z0-9]{64}&auth%5Bexpires%5D=\d+&/);

      // A real token of the application for user 1, stored hashed, marked with the event session.
      const rows = await t.server.store.read((db) =>
        db.selectFrom('oauth_tokens').selectAll().where('access_hash', '=', hashSecret(auth.access_token!)).execute(),
      );
      assert.equal(rows.length, 1);
      assert.equal(Number(rows[0]!.user_id), 1);
      assert.equal(rows[0]!.scopes, 'imopenlines,imconnector');
      assert.equal(Number(rows[0]!.event_session), 3);
      const session = await call(auth.access_token!, 'openlines.admin.session.get');
      assertResult(session, { USER_ID: 1, AUTH_KIND: 'oauth', IS_ADMIN: true, STRICT: false, PORTAL: 'openlines' });

      // Valid 3600 s by the server's clock.
      await clock.advance(3600_000);
      const expired = await call(auth.access_token!, 'openlines.admin.session.get');
      assert.equal(expired.status, 401, expired.text);
      assert.equal(expired.body.error, 'expired_token');
    });

    it('a binding with auth_type: a token for the binding’s user, whoever acted', async () => {
      const operator = await addUser(t, { name: 'Bound operator' });
      assertResult(await bind({ auth_type: operator }), true);
      assertResult(await update(null, 62), true);
      const [body] = await delivered(1);
      assert.deepEqual(body!.auth, userAuth(body!, operator));
      const auth = body!.auth as Record<string, string>;
      // The token calls as the operator: a non-administrator, so the admin family refuses it.
      const refused = await call(auth.access_token!, 'openlines.admin.session.get');
      assert.equal(refused.status, 403, refused.text);
      assertResult(await call(auth.access_token!, 'event.get'), [
        { event: 'ONOPENLINESLINECONFIGCHANGE', handler: receiver.url('/h'), auth_type: String(operator), offline: 0 },
      ]);
    });

    it('no user acted: the no-user form, unchanged', async () => {
      assertResult(
        await call(token, 'event.bind', { event: 'OnImConnectorLineDelete', handler: receiver.url('/n') }),
        true,
      );
      await t.server.store.write(async (trx) => {
        await t.server.services.events.emit(trx, 'OnImConnectorLineDelete', { line: 999 });
        await t.server.services.events.emit(trx, 'OnImConnectorLineDelete', { line: 999 }, { userId: 0 });
      });
      const noUser = {
        domain: base().replace('http://', ''),
        client_endpoint: `${base()}/rest/`,
        server_endpoint: `${base()}/rest/`,
        member_id: memberId,
        application_token: app.applicationToken,
      };
      assert.deepEqual(
        (await delivered(2)).map((b) => b.auth),
        [noUser, noUser],
      );
    });

    it('each attempt gets a fresh token, valid an hour from that attempt', async () => {
      receiver.failFirst = 1;
      assertResult(await bind(), true);
      const minted = () =>
        t.server.store.read(async (db) =>
          Number(
            (
              await db
                .selectFrom('oauth_tokens')
                .select((eb) => eb.fn.countAll().as('n'))
                .where('event_session', 'is not', null)
                .executeTakeFirstOrThrow()
            ).n,
          ),
        );
      const before = await minted();
      assertResult(await update(null, 63), true);
      await t.server.scheduler.runDue();
      assert.equal(receiver.received.length, 0);
      const [row] = await t.server.store.read((db) => listOutbox(db));
      await clock.advance(row!.next_attempt_at_ms - clock.now());
      const [body] = await delivered(1);
      assert.deepEqual(body!.auth, userAuth(body!, 1));
      assert.equal(await minted(), before + 2);
      assertResult(await call((body!.auth as Record<string, string>).access_token!, 'event.get'), [
        { event: 'ONOPENLINESLINECONFIGCHANGE', handler: receiver.url('/h'), auth_type: '0', offline: 0 },
      ]);
    });

    it('the loop guard: handler → call → event stops after 3 levels, the 4th is dropped unqueued', async () => {
      assertResult(await bind(), true);
      assertResult(await update(null, 70), true);
      const sessions: number[] = [];
      for (let level = 1; level <= 3; level++) {
        const bodies = await delivered(level);
        const [row] = (await t.server.store.read((db) => listOutbox(db))).slice(-1);
        sessions.push(row!.event_session);
        const auth = bodies[level - 1]!.auth as Record<string, string>;
        // The handler reacts to the event with a call made with the token it was given.
        assertResult(await update(auth.access_token!, 70 + level), true);
      }
      await t.server.scheduler.runDue();
      assert.equal(receiver.received.length, 3);
      assert.deepEqual(sessions, [3, 2, 1]);
      assert.equal((await t.server.store.read((db) => listOutbox(db))).length, 3);
      // The call itself succeeded: the line changed, and a call with any other credential emits again.
      assert.equal((await t.call('imopenlines.config.get', { CONFIG_ID: line })).body.result.QUEUE_TIME, '73');
      assertResult(await update(token, 80), true);
      assert.equal((await delivered(4)).length, 4);
    });
  });
}
