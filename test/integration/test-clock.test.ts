// The test clock on every store (issue 17, DECISIONS.md "Test clock"): a server started with clock 'manual'
// (`serve --clock manual`) answers openlines.clock.get with its own time, and openlines.clock.advance / .set move
// it and run every job that fell due before answering (here an event retry, delivered to a real handler). Without
// the flag, advance and set refuse with 400 ERROR_ARGUMENT naming the field.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKOFF_MAX_MS } from '../../src/jobs/backoff.js';
import { EventReceiver } from '../helpers/event-receiver.js';
import { addUser, assertError, assertResult } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

const DAY_S = 86_400;

for (const store of STORES) {
  describe(`test clock [${store}]`, () => {
    let t: TestServer;
    let system: TestServer;
    const receiver = new EventReceiver();
    let token: string;

    before(async () => {
      await receiver.start();
      [t, system] = await Promise.all([
        startTestServer({ store, settings: { clock: 'manual' } }),
        startTestServer({ store }),
      ]);
      const app = await t.server.oauth.createApp({ name: 'Watcher', scopes: ['imopenlines'] });
      token = (await t.server.oauth.issueToken(app.clientId, 1)).accessToken;
      const bound = await t.request('/rest/event.bind', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: 'OnOpenlinesLineConfigChange', handler: receiver.url('/d'), auth: token }),
      });
      assertResult(bound, true);
    });
    after(async () => {
      await Promise.all([t.close(), system.close()]);
      await receiver.close();
    });

    const now = async (server: TestServer) => {
      const answer = await server.call('openlines.clock.get');
      assert.equal(answer.status, 200, answer.text);
      return answer.body.result as { TIME: string; MANUAL: boolean };
    };

    it('openlines.clock.get: the manual clock starts at the real time and stands still', async () => {
      const before = Date.now();
      const first = await now(t);
      assert.equal(first.MANUAL, true);
      assert.match(first.TIME, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
      assert.ok(Math.abs(Date.parse(first.TIME) - before) < 120_000, `${first.TIME} is about now`);
      assert.equal((await now(t)).TIME, first.TIME);
      assert.equal(Date.parse(first.TIME), Math.floor(t.server.services.clock.now() / 1000) * 1000);
    });

    it('openlines.clock.advance: an event retry that falls due is delivered before the call answers', async () => {
      receiver.reset();
      receiver.failFirst = 1;
      const added = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Watched' } });
      assert.equal(added.status, 200, added.text);
      await t.server.scheduler.runDue();
      assert.equal(receiver.hits.length, 1, 'the first attempt failed');
      assert.equal(receiver.received.length, 0);

      // The first retry waits between 60 and 120 s.
      const start = t.server.services.clock.now();
      const early = await t.call('openlines.clock.advance', { SECONDS: 30 });
      assert.equal(early.status, 200, early.text);
      assert.deepEqual(early.body.result, {
        TIME: new Date(Math.floor((start + 30_000) / 1000) * 1000).toISOString().replace('.000Z', '+00:00'),
        MANUAL: true,
      });
      assert.equal(receiver.received.length, 0, 'not due yet');
      const due = await t.call('openlines.clock.advance', { SECONDS: '90' });
      assert.equal(due.status, 200, due.text);
      assert.equal(receiver.received.length, 1, 'delivered before the answer');
      assert.equal(receiver.received[0]!.headers['x-openlines-attempt'], '2');
      assert.equal(t.server.services.clock.now(), start + 120_000);
    });

    it('openlines.clock.advance: a long jump (30 days) answers at once, fractions of a second kept', async () => {
      const start = t.server.services.clock.now();
      const began = Date.now();
      const answer = await t.call('openlines.clock.advance', { SECONDS: 30 * DAY_S });
      assert.equal(answer.status, 200, answer.text);
      assert.ok(Date.now() - began < 10_000, 'no tick per poll interval of test time');
      assert.equal(t.server.services.clock.now(), start + 30 * DAY_S * 1000);
      assert.equal((await t.call('openlines.clock.advance', { SECONDS: 0.25 })).status, 200);
      assert.equal(t.server.services.clock.now(), start + 30 * DAY_S * 1000 + 250);
      // Not counted as operating time: the jump is not work.
      assert.equal(answer.body.time.operating, 0);
    });

    it('openlines.clock.set: to a moment not before now; the retries on the way run', async () => {
      receiver.reset();
      receiver.failFirst = 1;
      const added = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Watched again' } });
      assert.equal(added.status, 200, added.text);
      await t.server.scheduler.runDue();
      assert.equal(receiver.received.length, 0);
      const target = Math.ceil((t.server.services.clock.now() + BACKOFF_MAX_MS) / 1000) * 1000;
      const iso = new Date(target).toISOString().replace('.000Z', '+00:00');
      const answer = await t.call('openlines.clock.set', { TIME: iso });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.result, { TIME: iso, MANUAL: true });
      assert.equal(receiver.received.length, 1, 'delivered before the answer');
      // Another offset, the same moment; the moment itself is allowed.
      const local = new Date(target + 3 * 3_600_000).toISOString().replace('.000Z', '+03:00');
      assert.equal((await t.call('openlines.clock.set', { TIME: local })).status, 200);
      assert.equal(t.server.services.clock.now(), target);
    });

    it('openlines.clock.advance: a session timer that falls due acts before the call answers (QUEUE_TIME)', async () => {
      const connector = await t.server.oauth.createApp({ name: 'Bridge', scopes: ['imopenlines', 'imconnector'] });
      const appToken = (await t.server.oauth.issueToken(connector.clientId, 1)).accessToken;
      const app = (method: string, params: Record<string, unknown>) =>
        t.request(`/rest/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...params, auth: appToken }),
        });
      const registered = await app('imconnector.register', {
        ID: 'clock_bridge',
        NAME: 'clock_bridge',
        ICON: { DATA_IMAGE: 'data:image/svg+xml,x' },
        PLACEMENT_HANDLER: 'https://bridge.example.com/',
      });
      assert.equal(registered.status, 200, registered.text);
      const anna = await addUser(t, { name: 'Anna', online: true });
      const boris = await addUser(t, { name: 'Boris', online: true });
      const added = await t.call('imopenlines.config.add', {
        PARAMS: {
          LINE_NAME: 'Timed',
          QUEUE_TYPE: 'strictly',
          QUEUE_TIME: 60,
          QUEUE: [anna, boris].map((id) => ({ ENTITY_TYPE: 'user', ENTITY_ID: String(id) })),
        },
      });
      assert.equal(added.status, 200, added.text);
      const line = added.body.result as number;
      const activated = await app('imconnector.activate', { CONNECTOR: 'clock_bridge', LINE: line, ACTIVE: 1 });
      assert.equal(activated.body.result, true, activated.text);
      const sent = await app('imconnector.send.messages', {
        CONNECTOR: 'clock_bridge',
        LINE: line,
        MESSAGES: [{ user: { id: 'timed' }, message: { text: 'hi' }, chat: { id: 'chat-timed' } }],
      });
      assert.equal(sent.status, 200, sent.text);
      const sessionId = Number(sent.body.result.DATA.RESULT[0].session.ID);
      const operator = async () =>
        Number(
          (
            await t.server.store.db
              .selectFrom('sessions')
              .select('operator_id')
              .where('id', '=', sessionId)
              .executeTakeFirstOrThrow()
          ).operator_id,
        );
      assert.equal(await operator(), anna);
      assert.equal((await t.call('openlines.clock.advance', { SECONDS: 59 })).status, 200);
      assert.equal(await operator(), anna, 'not due yet');
      assert.equal((await t.call('openlines.clock.advance', { SECONDS: 1 })).status, 200);
      assert.equal(await operator(), boris, 'redistributed before the answer');
    });

    it('openlines.clock.advance/.set: bad SECONDS and TIME named', async () => {
      const nowIso = (await now(t)).TIME;
      const refusals: [string, Record<string, unknown>, string, string][] = [
        ['openlines.clock.advance', {}, 'SECONDS', "Argument 'SECONDS' is null or empty"],
        ['openlines.clock.advance', { SECONDS: '' }, 'SECONDS', "Argument 'SECONDS' is null or empty"],
        ...['abc', '-5', '0', '1e3', '0.0001', ' ', 'Infinity'].map(
          (sent): [string, Record<string, unknown>, string, string] => [
            'openlines.clock.advance',
            { SECONDS: sent },
            'SECONDS',
            sent === ' '
              ? "Argument 'SECONDS' is null or empty"
              : "Argument 'SECONDS' must be a positive number of seconds",
          ],
        ),
        [
          'openlines.clock.advance',
          { SECONDS: -5 },
          'SECONDS',
          "Argument 'SECONDS' must be a positive number of seconds",
        ],
        [
          'openlines.clock.advance',
          { SECONDS: 0 },
          'SECONDS',
          "Argument 'SECONDS' must be a positive number of seconds",
        ],
        [
          'openlines.clock.advance',
          { SECONDS: [1] },
          'SECONDS',
          "Argument 'SECONDS' must be a positive number of seconds",
        ],
        [
          'openlines.clock.advance',
          { SECONDS: 315_360_001 },
          'SECONDS',
          "Argument 'SECONDS' must be at most 315360000 (ten years)",
        ],
        ['openlines.clock.set', {}, 'TIME', "Argument 'TIME' is null or empty"],
        ...['tomorrow', '2026-12-02', '2026-12-02T10:00:00', '2026-13-45T10:00:00Z', '1733130000'].map(
          (sent): [string, Record<string, unknown>, string, string] => [
            'openlines.clock.set',
            { TIME: sent },
            'TIME',
            "Argument 'TIME' must be an ISO-8601 date and time with its offset, e.g. 2026-12-02T15:00:00+00:00",
          ],
        ),
        [
          'openlines.clock.set',
          { TIME: '2020-01-01T00:00:00Z' },
          'TIME',
          `Argument 'TIME' is before the clock's time (${nowIso}): the test clock only moves forward`,
        ],
      ];
      const before = t.server.services.clock.now();
      for (const [method, params, field, description] of refusals) {
        assertError(await t.call(method, params), 400, 'ERROR_ARGUMENT', description, { argument: field });
      }
      assert.equal(t.server.services.clock.now(), before, 'the clock did not move');
    });

    it('openlines.clock.*: administrators only', async () => {
      const operator = await addUser(t, { name: 'Operator' });
      const hook = await t.webhookFor(operator, ['imopenlines']);
      for (const [method, params] of [
        ['openlines.clock.get', {}],
        ['openlines.clock.advance', { SECONDS: 10 }],
        ['openlines.clock.set', { TIME: '2099-01-01T00:00:00Z' }],
      ] as const) {
        assertError(
          await t.call(method, params, { hook }),
          403,
          'ACCESS_DENIED',
          'Only portal administrators may read or move the clock',
        );
      }
    });

    it('without --clock manual: get answers the system time, advance and set refuse naming the field', async () => {
      const read = await now(system);
      assert.equal(read.MANUAL, false);
      assert.ok(Math.abs(Date.parse(read.TIME) - Date.now()) < 5_000);
      const why =
        'this server runs on the system clock, which cannot be moved; start it with --clock manual (OPENLINES_CLOCK=manual) to test with a clock you move';
      assertError(
        await system.call('openlines.clock.advance', { SECONDS: 60 }),
        400,
        'ERROR_ARGUMENT',
        `Argument 'SECONDS': ${why}`,
        { argument: 'SECONDS' },
      );
      assertError(
        await system.call('openlines.clock.set', { TIME: '2099-01-01T00:00:00Z' }),
        400,
        'ERROR_ARGUMENT',
        `Argument 'TIME': ${why}`,
        { argument: 'TIME' },
      );
    });
  });
}
