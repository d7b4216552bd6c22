// Operator presence on every store, through real HTTP (issue 17, runtime-sessions.md §7.18, §8; DECISIONS.md
// "Operator availability"): the soft pause methods, openlines.user.presence.set/.get for administrators, online by
// activity (a REST call recorded at most once a minute, online for 1 440 s), the listeners the session engine
// subscribes to (inside the change's transaction) and the one-query read of the states.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { operatorStates, PRESENCE_AVAILABILITY } from '../../src/domain/operators/operator-states.js';
import type { LostReason } from '../../src/domain/operators/presence-service.js';
import { addUser, assertError, assertResult } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { manualClockAt } from '../helpers/test-clock.js';

const START = '2026-12-02T10:00:00+00:00';

for (const store of STORES) {
  describe(`operator presence [${store}]`, () => {
    let t: TestServer;
    const clock = manualClockAt(START);
    const heard: string[] = [];
    /** A user whose pause start makes the engine's listener fail: the change must roll back. */
    let failing = 0;

    before(async () => {
      t = await startTestServer({ store, clock, settings: { eventPollMs: 600_000 } });
      t.server.services.presence.onAvailabilityGained(async (trx, userId) => {
        assert.ok(trx, 'the listener gets the transaction');
        heard.push(`gained ${userId}`);
      });
      t.server.services.presence.onAvailabilityLost(async (_trx, userId, reason: LostReason) => {
        if (userId === failing) throw new Error('the engine failed');
        heard.push(`lost ${userId} ${reason}`);
      });
    });
    after(() => t.close());

    const operator = async () => {
      const id = await addUser(t, { name: 'Operator' });
      return { id, hook: await t.webhookFor(id, ['imopenlines']) };
    };
    const presence = async (id: number) => {
      const answer = await t.call('openlines.user.presence.get', { USER_ID: id });
      assert.equal(answer.status, 200, answer.text);
      return answer.body.result;
    };
    /** What the listeners heard since the last drain, of users other than the administrator making the calls. */
    const drain = () => heard.splice(0, heard.length).filter((entry) => !/ 1( |$)/.test(entry));

    it('imopenlines.operator.pause.start/.stop/.get: the caller pauses themselves; false when already so', async () => {
      const { id, hook } = await operator();
      drain();
      assertResult(await t.call('imopenlines.operator.pause.get', {}, { hook }), false);
      assert.deepEqual(drain(), [`gained ${id}`], 'the first call: online by activity');
      assertResult(await t.call('imopenlines.operator.pause.start', {}, { hook }), true);
      assert.deepEqual(drain(), [`lost ${id} NONWORKING`]);
      assertResult(await t.call('imopenlines.operator.pause.start', {}, { hook }), false);
      assertResult(await t.call('imopenlines.operator.pause.get', {}, { hook }), true);
      assert.deepEqual((await presence(id)).PAUSED, 'Y');
      assert.deepEqual((await presence(id)).REASON, 'NONWORKING');
      // USER_ID is not a parameter of these methods: a user cannot pause another.
      assertResult(await t.call('imopenlines.operator.pause.stop', { USER_ID: 1 }), false);
      assertResult(await t.call('imopenlines.operator.pause.stop', {}, { hook }), true);
      assert.deepEqual(drain(), [`gained ${id}`]);
      assertResult(await t.call('imopenlines.operator.pause.stop', {}, { hook }), false);
      assertResult(await t.call('imopenlines.operator.pause.get', {}, { hook }), false);
      assert.deepEqual(drain(), []);
    });

    it('imopenlines.operator.pause.*: scope imopenlines', async () => {
      const id = await addUser(t, { name: 'Messenger only' });
      const hook = await t.webhookFor(id, ['im']);
      const answer = await t.call('imopenlines.operator.pause.start', {}, { hook });
      assertError(
        answer,
        403,
        'insufficient_scope',
        'The request requires higher privileges than provided by the webhook token',
      );
    });

    it('a listener that fails rolls the change back with it', async () => {
      const { id, hook } = await operator();
      failing = id;
      const answer = await t.call('imopenlines.operator.pause.start', {}, { hook });
      assert.equal(answer.status, 500, answer.text);
      failing = 0;
      assertResult(await t.call('imopenlines.operator.pause.get', {}, { hook }), false);
    });

    it('online by activity: a REST call makes its user online for 1 440 s, recorded at most once a minute', async () => {
      const { id, hook } = await operator();
      assert.deepEqual(await presence(id), {
        USER_ID: id,
        ACTIVE: 'Y',
        ABSENT: 'N',
        PAUSED: 'N',
        STATUS: 'auto',
        ONLINE: 'N',
        LAST_ACTIVITY: null,
        AVAILABLE: 'N',
        REASON: 'OFFLINE',
      });
      drain();
      const first = clock.now();
      assertResult(await t.call('imopenlines.operator.pause.get', {}, { hook }), false);
      assert.deepEqual(drain(), [`gained ${id}`], 'coming online by activity is availability gained');
      const online = await presence(id);
      assert.equal(online.ONLINE, 'Y');
      assert.equal(online.AVAILABLE, 'Y');
      assert.equal(online.REASON, null);
      assert.equal(Date.parse(online.LAST_ACTIVITY), first);

      // Within the minute: not written again.
      await clock.advance(59_000);
      await t.call('imopenlines.operator.pause.get', {}, { hook });
      assert.equal(Date.parse((await presence(id)).LAST_ACTIVITY), first);
      await clock.advance(1_000);
      const second = clock.now();
      await t.call('imopenlines.operator.pause.get', {}, { hook });
      assert.equal(Date.parse((await presence(id)).LAST_ACTIVITY), second);
      assert.deepEqual(drain(), [], 'already online: nothing gained');

      // 1 440 s after the last recorded call: offline, lazily (no event), and online again with the next call.
      await clock.advance(1_439_000);
      assert.equal((await presence(id)).ONLINE, 'Y');
      await clock.advance(1_000);
      assert.equal((await presence(id)).REASON, 'OFFLINE');
      assert.deepEqual(drain(), []);
      await t.call('imopenlines.operator.pause.get', {}, { hook });
      assert.equal((await presence(id)).ONLINE, 'Y');
      assert.deepEqual(drain(), [`gained ${id}`]);
    });

    it('openlines.user.presence.set: STATUS and ABSENT, answered with the availability that results', async () => {
      const { id } = await operator();
      drain();
      const set = async (params: Record<string, unknown>) => {
        const answer = await t.call('openlines.user.presence.set', { USER_ID: id, ...params });
        assert.equal(answer.status, 200, answer.text);
        return answer.body.result;
      };
      const online = await set({ STATUS: 'online' });
      assert.deepEqual(online, {
        USER_ID: id,
        ACTIVE: 'Y',
        ABSENT: 'N',
        PAUSED: 'N',
        STATUS: 'online',
        ONLINE: 'Y',
        LAST_ACTIVITY: null,
        AVAILABLE: 'Y',
        REASON: null,
      });
      assert.deepEqual(drain(), [`gained ${id}`]);
      assert.equal((await set({ STATUS: 'online' })).AVAILABLE, 'Y');
      assert.deepEqual(drain(), [], 'no change, no event');

      const absent = await set({ ABSENT: 'Y' });
      assert.deepEqual([absent.ABSENT, absent.AVAILABLE, absent.REASON], ['Y', 'N', 'VACATION']);
      assert.deepEqual(drain(), [`lost ${id} VACATION`]);
      const offline = await set({ ABSENT: 'N', STATUS: 'offline' });
      assert.deepEqual(
        [offline.ABSENT, offline.STATUS, offline.ONLINE, offline.REASON],
        ['N', 'offline', 'N', 'OFFLINE'],
      );
      assert.deepEqual(drain(), [`lost ${id} OFFLINE`]);
      // The explicit status wins over activity: a call does not make an offline user online.
      await t.call('imopenlines.operator.pause.get', {}, { hook: await t.webhookFor(id, ['imopenlines']) });
      assert.equal((await presence(id)).ONLINE, 'N');
      const auto = await set({ status: 'AUTO' });
      assert.deepEqual([auto.STATUS, auto.ONLINE, auto.AVAILABLE], ['auto', 'Y', 'Y']);
      assert.deepEqual(drain(), [`gained ${id}`]);

      const inactive = await addUser(t, { name: 'Fired', active: false });
      const dismissed = (await t.call('openlines.user.presence.set', { USER_ID: inactive, STATUS: 'online' })).body
        .result;
      assert.deepEqual([dismissed.ACTIVE, dismissed.AVAILABLE, dismissed.REASON], ['N', 'N', 'DISMISSAL']);
    });

    it('openlines.user.presence.set/.get: bad input named, administrators only', async () => {
      const { id, hook } = await operator();
      const refusals: [string, Record<string, unknown>, string, string][] = [
        ['openlines.user.presence.set', { STATUS: 'online' }, 'USER_ID', "Argument 'USER_ID' is null or empty"],
        [
          'openlines.user.presence.set',
          { USER_ID: 'x', STATUS: 'online' },
          'USER_ID',
          "Argument 'USER_ID' must be a user id",
        ],
        [
          'openlines.user.presence.set',
          { USER_ID: 0, STATUS: 'online' },
          'USER_ID',
          "Argument 'USER_ID' must be a user id",
        ],
        [
          'openlines.user.presence.set',
          { USER_ID: 999_999, STATUS: 'online' },
          'USER_ID',
          "Argument 'USER_ID': user 999999 does not exist",
        ],
        [
          'openlines.user.presence.set',
          { USER_ID: id },
          'STATUS',
          "Argument 'STATUS' or 'ABSENT' is needed: what to set",
        ],
        [
          'openlines.user.presence.set',
          { USER_ID: id, STATUS: 'away' },
          'STATUS',
          "Argument 'STATUS' must be one of {online|offline|auto}",
        ],
        [
          'openlines.user.presence.set',
          { USER_ID: id, ABSENT: 'yes' },
          'ABSENT',
          "Argument 'ABSENT' must be one of {Y|N}",
        ],
        ['openlines.user.presence.get', {}, 'USER_ID', "Argument 'USER_ID' is null or empty"],
        [
          'openlines.user.presence.get',
          { USER_ID: 999_999 },
          'USER_ID',
          "Argument 'USER_ID': user 999999 does not exist",
        ],
      ];
      for (const [method, params, field, description] of refusals) {
        assertError(await t.call(method, params), 400, 'ERROR_ARGUMENT', description, { argument: field });
      }
      for (const method of ['openlines.user.presence.set', 'openlines.user.presence.get']) {
        assertError(
          await t.call(method, { USER_ID: id, STATUS: 'online' }, { hook }),
          403,
          'ACCESS_DENIED',
          "Only portal administrators may read or set a user's presence",
        );
      }
      assert.equal((await presence(id)).STATUS, 'auto', 'nothing was set');
    });

    it('operatorStates: every known user of the list in one read, unknown ids left out', async () => {
      const { id } = await operator();
      await t.call('openlines.user.presence.set', { USER_ID: id, STATUS: 'offline', ABSENT: 'Y' });
      const states = await t.server.store.read((db) => operatorStates(db, [id, 1, 999_999, id], clock.now()));
      assert.deepEqual(
        [...states.keys()].sort((a, b) => a - b),
        [1, id],
      );
      assert.deepEqual(states.get(id), {
        active: true,
        absent: true,
        paused: false,
        online: false,
        explicitStatus: 'offline',
        lastActivityMs: null,
      });
      const admin = states.get(1)!;
      assert.equal(admin.explicitStatus, 'online', 'the first administrator is created shown as online');
      assert.equal(admin.online, true);
      assert.equal(typeof admin.lastActivityMs, 'number', 'user 1 has called');
      // A user added shown as online (user add --online) is online by an explicit status.
      const shown = await addUser(t, { name: 'Shown online', online: true });
      assert.deepEqual([(await presence(shown)).STATUS, (await presence(shown)).AVAILABLE], ['online', 'Y']);
    });

    it("PRESENCE_AVAILABILITY: the session engine's reader — null when available, else the reason; unknown ids DISMISSAL", async () => {
      const paused = await operator();
      await t.call('imopenlines.operator.pause.start', {}, { hook: paused.hook });
      const away = await addUser(t, { name: 'Away', online: true });
      await t.call('openlines.user.presence.set', { USER_ID: away, ABSENT: 'Y' });
      const silent = await addUser(t, { name: 'Never called' });
      const fired = await addUser(t, { name: 'Fired', active: false, online: true });
      const ids = [1, paused.id, away, silent, fired, 999_999];
      const read = (checkAvailable: boolean) =>
        t.server.store.read((db) => PRESENCE_AVAILABILITY.unavailable(db, ids, { checkAvailable, nowMs: clock.now() }));
      assert.deepEqual(
        [...(await read(true))],
        [
          [1, null],
          [paused.id, 'NONWORKING'],
          [away, 'VACATION'],
          [silent, 'OFFLINE'],
          [fired, 'DISMISSAL'],
          [999_999, 'DISMISSAL'],
        ],
      );
      assert.deepEqual(
        [...(await read(false))].map(([, reason]) => reason),
        [null, null, null, null, 'DISMISSAL', 'DISMISSAL'],
      );
    });
  });
}
