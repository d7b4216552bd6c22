// imopenlines.config.update on a real server, per store: partial updates, the same-request pairings, the queue
// rules, strict errors, stamps and the all-or-nothing write. The round trip is generated from the catalogue.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WRITABLE_FIELDS } from '../../src/domain/lines/catalogue.js';
import type { FieldDescriptor } from '../../src/domain/lines/field-types.js';
import {
  addLine,
  addUser,
  assertError,
  assertResult,
  getLine,
  STRICT,
  testClock,
  warningsOf,
} from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';

/** A value as sent and as config.get prints it. */
type Sample = { sent: unknown; shown: unknown };

/** Two distinct valid values per field (A on add, B on update), written per kind, independent of the server code. */
function samplesOf(field: FieldDescriptor): [Sample, Sample] {
  const same = (v: string): Sample => ({ sent: v, shown: v });
  switch (field.kind) {
    case 'yn': {
      const other = field.default === 'Y' ? 'N' : 'Y';
      return [same(other), same(field.default)];
    }
    case 'int':
      return [
        { sent: 7, shown: '7' },
        { sent: '11', shown: '11' },
      ];
    case 'enum': {
      const others = field.values.filter((v) => v !== field.default);
      return [same(others[0]!), same(others[1] ?? field.default)];
    }
    case 'text':
      return field.name === 'LANGUAGE_ID'
        ? [same('de'), same('fr')]
        : [same(`A ${field.name}`), same(`B ${field.name}`)];
    case 'formId':
      return [
        { sent: 0, shown: '0' },
        { sent: '0', shown: '0' },
      ];
    case 'hour':
      return field.end === 'from'
        ? [
            { sent: '08:00', shown: '8' },
            { sent: '10.30', shown: '10.30' },
          ]
        : [
            { sent: '17:30', shown: '17.30' },
            { sent: 20, shown: '20' },
          ];
    case 'dayList':
      return [
        { sent: ['MO'], shown: ['MO'] },
        { sent: 'tu,we', shown: ['TU', 'WE'] },
      ];
    case 'holidays':
      return [
        { sent: '1.01', shown: ['1.01'] },
        { sent: ['25.12', '26.12'], shown: ['25.12', '26.12'] },
      ];
    case 'userList':
      return [
        { sent: [2], shown: ['2'] },
        { sent: ['3', 4], shown: ['3', '4'] },
      ];
    case 'operatorData':
      return [
        { sent: { NAME: 'Bot' }, shown: { NAME: 'Bot' } },
        {
          sent: { name: 'Desk', AVATAR: 'https://cdn.example.com/d.png' },
          shown: { NAME: 'Desk', AVATAR: 'https://cdn.example.com/d.png' },
        },
      ];
    case 'id':
    case 'date':
      throw new Error(`${field.name} is not writable`);
  }
}

const SAMPLES = new Map(WRITABLE_FIELDS.map((f) => [f.name, samplesOf(f)]));

/** The request pieces one field needs to stick: the field and the partners of its same-request rule or pair. */
function changeOf(field: FieldDescriptor, which: 0 | 1): Map<string, Sample> {
  const change = new Map<string, Sample>([[field.name, SAMPLES.get(field.name)![which]]]);
  if (field.kind === 'hour') change.set(field.pairedWith, SAMPLES.get(field.pairedWith)![which]);
  const rule = field.sameRequest;
  if (rule) {
    change.set(
      rule.field,
      rule.equals === '*' ? SAMPLES.get(rule.field)![0] : { sent: rule.equals, shown: rule.equals },
    );
  }
  return change;
}

const sentOf = (change: Map<string, Sample>) => Object.fromEntries([...change].map(([k, s]) => [k, s.sent]));

for (const store of STORES) {
  describe(`imopenlines.config.update: every catalogue field round-trips (${store})`, () => {
    const clock = testClock('2026-11-23T08:00:00Z');
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ store, clock: clock.clock });
      await addUser(t, { name: 'Two' });
      await addUser(t, { name: 'Three' });
      await addUser(t, { name: 'Four' });
    });
    after(() => t.close());

    it('imopenlines.config.update: add with a value → get prints it; update it → get prints the change and nothing else changed', async () => {
      const addParams: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      for (const field of WRITABLE_FIELDS) {
        for (const [name, sample] of changeOf(field, 0)) {
          addParams[name] = sample.sent;
          expected[name] = sample.shown;
        }
      }
      const id = await addLine(t, addParams);
      let before = await getLine(t, id);
      for (const [name, shown] of Object.entries(expected)) assert.deepEqual(before[name], shown, `add ${name}`);

      for (const field of WRITABLE_FIELDS) {
        if (field.kind === 'hour' && field.end === 'to') continue; // updated with its pair
        await clock.set(
          new Date(Date.parse('2026-11-23T08:00:00Z') + 60_000 * (WRITABLE_FIELDS.indexOf(field) + 1)).toISOString(),
        );
        const change = changeOf(field, 1);
        const answer = await t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: sentOf(change) });
        assertResult(answer, true);
        assert.deepEqual(warningsOf(answer), [], `${field.name}: no substitution`);
        const after = await getLine(t, id);
        const want = { ...before, DATE_MODIFY: new Date(clock.now()).toISOString().replace('.000Z', '+00:00') };
        for (const [name, sample] of change) want[name] = sample.shown;
        assert.deepEqual(after, want, `update ${field.name}`);
        before = after;
      }
    });
  });

  describe(`imopenlines.config.update (${store})`, () => {
    const clock = testClock('2026-11-23T08:00:00Z');
    let t: TestServer;
    let users: { a: number; b: number; c: number; fired: number };
    let emptyDepartment: number;
    let team: number;
    before(async () => {
      t = await startTestServer({ store, clock: clock.clock });
      emptyDepartment = await t.server.directory.addDepartment('Nobody here', null);
      team = await t.server.directory.addDepartment('Team', null);
      users = {
        a: await addUser(t, { name: 'A', departmentIds: [team] }),
        b: await addUser(t, { name: 'B' }),
        c: await addUser(t, { name: 'C' }),
        fired: await addUser(t, { name: 'Fired', active: false }),
      };
    });
    after(() => t.close());

    const update = (id: number, params: unknown, init = {}) =>
      t.call('imopenlines.config.update', { CONFIG_ID: id, PARAMS: params }, init);
    const queueOf = (...ids: number[]) => ids.map((id) => ({ ENTITY_TYPE: 'user', ENTITY_ID: String(id) }));

    it('imopenlines.config.update: changes only the fields sent; answers true', async () => {
      const id = await addLine(t, { LINE_NAME: 'Partial', MAX_CHAT: 3, QUEUE_TYPE: 'evenly' });
      const before = await getLine(t, id);
      assertResult(await update(id, { MAX_CHAT: 9 }), true);
      const after = await getLine(t, id);
      assert.deepEqual(after, { ...before, MAX_CHAT: '9' });
    });

    it('imopenlines.config.update: stamps DATE_MODIFY and MODIFY_USER_ID, keeps DATE_CREATE, even with empty PARAMS', async () => {
      await clock.set('2026-11-23T08:00:00Z');
      const id = await addLine(t, { LINE_NAME: 'Stamps' });
      await clock.set('2026-11-24T12:30:15Z');
      const other = await addUser(t, { name: 'Editor', admin: true });
      const hook = await t.webhookFor(other, ['imopenlines']);
      assertResult(await t.call('imopenlines.config.update', { CONFIG_ID: id }, { hook }), true);
      const line = await getLine(t, id);
      assert.equal(line.DATE_CREATE, '2026-11-23T08:00:00+00:00');
      assert.equal(line.DATE_MODIFY, '2026-11-24T12:30:15+00:00');
      assert.equal(line.MODIFY_USER_ID, String(other));
      assert.equal(line.LINE_NAME, 'Stamps');
    });

    it('imopenlines.config.update: an empty LINE_NAME is not written', async () => {
      const id = await addLine(t, { LINE_NAME: 'Keep me' });
      assertResult(await update(id, { LINE_NAME: '' }), true);
      assert.equal((await getLine(t, id)).LINE_NAME, 'Keep me');
    });

    it('imopenlines.config.update: WELCOME_BOT_ID/TIME/LEFT without WELCOME_BOT_ENABLE=Y in the same request reset to 0/600/queue', async () => {
      const id = await addLine(t, {
        WELCOME_BOT_ENABLE: 'Y',
        WELCOME_BOT_ID: 5,
        WELCOME_BOT_TIME: 30,
        WELCOME_BOT_LEFT: 'close',
      });
      const set = await getLine(t, id);
      assert.deepEqual([set.WELCOME_BOT_ID, set.WELCOME_BOT_TIME, set.WELCOME_BOT_LEFT], ['5', '30', 'close']);
      const answer = await update(id, { WELCOME_BOT_ID: 6, WELCOME_BOT_TIME: 40, WELCOME_BOT_LEFT: 'close' });
      assertResult(answer, true);
      const reset = await getLine(t, id);
      assert.deepEqual(
        [reset.WELCOME_BOT_ENABLE, reset.WELCOME_BOT_ID, reset.WELCOME_BOT_TIME, reset.WELCOME_BOT_LEFT],
        ['Y', '0', '600', 'queue'],
      );
      assert.deepEqual(
        warningsOf(answer).map((w) => [w.field, w.used]),
        [
          ['WELCOME_BOT_ID', 0],
          ['WELCOME_BOT_TIME', 600],
          ['WELCOME_BOT_LEFT', 'queue'],
        ],
      );
      assertResult(
        await update(id, {
          WELCOME_BOT_ENABLE: 'Y',
          WELCOME_BOT_ID: 6,
          WELCOME_BOT_TIME: 40,
          WELCOME_BOT_LEFT: 'close',
        }),
        true,
      );
      const kept = await getLine(t, id);
      assert.deepEqual([kept.WELCOME_BOT_ID, kept.WELCOME_BOT_TIME, kept.WELCOME_BOT_LEFT], ['6', '40', 'close']);
    });

    it('imopenlines.config.update: CATEGORY_ID sticks only with CATEGORY_ENABLE=Y in the same request', async () => {
      const id = await addLine(t, { CATEGORY_ENABLE: 'Y', CATEGORY_ID: 4 });
      assertResult(await update(id, { CATEGORY_ID: 8 }), true);
      assert.deepEqual([(await getLine(t, id)).CATEGORY_ENABLE, (await getLine(t, id)).CATEGORY_ID], ['Y', '0']);
      assertResult(await update(id, { CATEGORY_ENABLE: 'Y', CATEGORY_ID: 8 }), true);
      assert.equal((await getLine(t, id)).CATEGORY_ID, '8');
    });

    it('imopenlines.config.update: WORKTIME_FROM/TO apply only together; a lone one is ignored and reported', async () => {
      const id = await addLine(t, { WORKTIME_FROM: '8', WORKTIME_TO: '17' });
      const lone = await update(id, { WORKTIME_FROM: '10' });
      assertResult(lone, true);
      assert.deepEqual(
        warningsOf(lone).map((w) => [w.field, w.reason]),
        [['WORKTIME_FROM', 'applies only together with WORKTIME_TO; ignored']],
      );
      let line = await getLine(t, id);
      assert.deepEqual([line.WORKTIME_FROM, line.WORKTIME_TO], ['8', '17']);
      assertResult(await update(id, { WORKTIME_FROM: '22:00', WORKTIME_TO: '21:00' }), true);
      line = await getLine(t, id);
      assert.deepEqual([line.WORKTIME_FROM, line.WORKTIME_TO], ['22', '23']);
    });

    it('imopenlines.config.update: a QUEUE in object form replaces both queues', async () => {
      const id = await addLine(t, { QUEUE: queueOf(users.a, users.b) });
      assertResult(
        await update(id, { QUEUE: [...queueOf(users.c), { ENTITY_TYPE: 'department', ENTITY_ID: team }] }),
        true,
      );
      const line = await getLine(t, id);
      assert.deepEqual(line.QUEUE, [String(users.c), String(users.a)]);
      const listed = await t.call('imopenlines.config.list.get', {
        PARAMS: { select: ['ID'], filter: { ID: id } },
        OPTIONS: { CONFIG_QUEUE: 'Y' },
      });
      assert.deepEqual(listed.body.result[0].CONFIG_QUEUE, [
        { ENTITY_ID: String(users.c), ENTITY_TYPE: 'user' },
        { ENTITY_ID: String(team), ENTITY_TYPE: 'department' },
      ]);
    });

    it('imopenlines.config.update: QUEUE sent as form fields (PARAMS[QUEUE][0][ENTITY_TYPE]=user) works the same', async () => {
      const id = await addLine(t, { QUEUE: queueOf(users.a) });
      const body = `CONFIG_ID=${id}&PARAMS[QUEUE][0][ENTITY_TYPE]=user&PARAMS[QUEUE][0][ENTITY_ID]=${users.b}&PARAMS[MAX_CHAT]=2`;
      const answer = await t.request(`${t.hook}imopenlines.config.update`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
      assertResult(answer, true);
      const line = await getLine(t, id);
      assert.deepEqual([line.QUEUE, line.MAX_CHAT], [[String(users.b)], '2']);
    });

    const refusedQueues: [string, () => unknown][] = [
      ['plain user ids (accepted by add, not by update)', () => [String(users.a)]],
      ['one entry not in object form among valid ones', () => [...queueOf(users.a), users.b]],
      ['an unknown ENTITY_TYPE', () => [{ ENTITY_TYPE: 'group', ENTITY_ID: users.a }]],
      ['ENTITY_ID 0', () => [{ ENTITY_TYPE: 'user', ENTITY_ID: 0 }]],
      ['an empty array', () => []],
      ['a string', () => 'user_1'],
      ['only unknown and inactive users', () => queueOf(99_999, users.fired)],
      ['a department without members', () => [{ ENTITY_TYPE: 'department', ENTITY_ID: emptyDepartment }]],
      ['an unknown department', () => [{ ENTITY_TYPE: 'department', ENTITY_ID: 99_999 }]],
    ];
    for (const [name, queue] of refusedQueues) {
      it(`imopenlines.config.update: ${name} → result false, nothing written`, async () => {
        const id = await addLine(t, { QUEUE: queueOf(users.a), MAX_CHAT: 1 });
        const before = await getLine(t, id);
        const answer = await update(id, { QUEUE: queue(), MAX_CHAT: 5 });
        assertResult(answer, false);
        assert.ok(
          warningsOf(answer).some((w) => w.field === 'QUEUE'),
          answer.headers.get('x-openlines-warnings') ?? '',
        );
        assert.deepEqual(await getLine(t, id), before);
      });
    }

    it('imopenlines.config.update: inactive users and empty departments only → false; strict 400 ERROR_ARGUMENT naming QUEUE', async () => {
      const id = await addLine(t, { QUEUE: queueOf(users.a) });
      const queue = [
        { ENTITY_TYPE: 'user', ENTITY_ID: users.fired },
        { ENTITY_TYPE: 'department', ENTITY_ID: emptyDepartment },
      ];
      assertResult(await update(id, { QUEUE: queue }), false);
      assertError(
        await update(id, { QUEUE: queue }, STRICT),
        400,
        'ERROR_ARGUMENT',
        "Field 'QUEUE': the departments have no active users; the queue would have no operator",
        { argument: 'QUEUE' },
      );
      assertError(
        await update(id, { QUEUE: [7] }, STRICT),
        400,
        'ERROR_ARGUMENT',
        "Field 'QUEUE': entry 7 is not {ENTITY_TYPE: user|department, ENTITY_ID: id > 0}",
        { argument: 'QUEUE' },
      );
      assertError(
        await update(id, { QUEUE: [] }, STRICT),
        400,
        'ERROR_ARGUMENT',
        "Field 'QUEUE': expected a non-empty array of {ENTITY_TYPE, ENTITY_ID} entries",
        { argument: 'QUEUE' },
      );
      assert.deepEqual((await getLine(t, id)).QUEUE, [String(users.a)]);
    });

    it('imopenlines.config.update: operators who stay keep their QUEUE_USERS_FIELDS unless new ones are sent', async () => {
      const id = await addLine(t, {
        QUEUE: queueOf(users.a),
        QUEUE_USERS_FIELDS: { [users.a]: { USER_NAME: 'Desk A' } },
      });
      assertResult(await update(id, { QUEUE: queueOf(users.a, users.b) }), true);
      let fields = (await getLine(t, id)).QUEUE_USERS_FIELDS;
      assert.equal(fields[users.a].USER_NAME, 'Desk A');
      assert.equal(fields[users.b].USER_NAME, 'B');
      assertResult(
        await update(id, {
          QUEUE: queueOf(users.a, users.b),
          QUEUE_USERS_FIELDS: { [users.b]: { USER_NAME: 'Desk B' } },
        }),
        true,
      );
      fields = (await getLine(t, id)).QUEUE_USERS_FIELDS;
      assert.equal(fields[users.a].USER_NAME, 'A');
      assert.equal(fields[users.b].USER_NAME, 'Desk B');
    });

    it('imopenlines.config.update: QUEUE_USERS_FIELDS without QUEUE is ignored and reported', async () => {
      const id = await addLine(t, { QUEUE: queueOf(users.a) });
      const answer = await update(id, { QUEUE_USERS_FIELDS: { [users.a]: { USER_NAME: 'X' } } });
      assertResult(answer, true);
      assert.deepEqual(
        warningsOf(answer).map((w) => [w.field, w.reason]),
        [['QUEUE_USERS_FIELDS', 'applies only together with QUEUE; ignored']],
      );
      assert.equal((await getLine(t, id)).QUEUE_USERS_FIELDS[users.a].USER_NAME, 'A');
    });

    it('imopenlines.config.update: read-only and unknown keys are ignored and reported', async () => {
      const id = await addLine(t, { LINE_NAME: 'RO' });
      const before = await getLine(t, id);
      const answer = await update(id, { ID: 5, DATE_CREATE: '2020-01-01', MODIFY_USER_ID: 9, NOPE: 1 });
      assertResult(answer, true);
      assert.deepEqual(
        warningsOf(answer).map((w) => [w.field, w.reason]),
        [
          ['ID', 'read-only; ignored'],
          ['DATE_CREATE', 'read-only; ignored'],
          ['MODIFY_USER_ID', 'read-only; ignored'],
          ['NOPE', 'unknown field; ignored'],
        ],
      );
      const after = await getLine(t, id);
      assert.deepEqual({ ...after, DATE_MODIFY: before.DATE_MODIFY }, before);
    });

    it('imopenlines.config.update: an invalid value is replaced in compat mode and a 400 ERROR_ARGUMENT in strict mode', async () => {
      const id = await addLine(t, { QUEUE_TYPE: 'strictly' });
      const compat = await update(id, { QUEUE_TYPE: 'bogus' });
      assertResult(compat, true);
      assert.equal((await getLine(t, id)).QUEUE_TYPE, 'all');
      assertError(
        await update(id, { QUEUE_TYPE: 'bogus', MAX_CHAT: 3 }, STRICT),
        400,
        'ERROR_ARGUMENT',
        "Field 'QUEUE_TYPE': expected one of evenly, strictly, all, got 'bogus'",
        { argument: 'QUEUE_TYPE' },
      );
      assert.equal((await getLine(t, id)).MAX_CHAT, '0');
    });

    it('imopenlines.config.update: a value the reference refuses fails the whole write (false, nothing written)', async () => {
      const id = await addLine(t, { LINE_NAME: 'Whole' });
      const before = await getLine(t, id);
      const answer = await update(id, { MAX_CHAT: 3, LINE_NAME: 'x'.repeat(256) });
      assertResult(answer, false);
      assert.deepEqual(await getLine(t, id), before);
      assertError(
        await update(id, { LINE_NAME: 'x'.repeat(256) }, STRICT),
        400,
        'ERROR_ARGUMENT',
        "Field 'LINE_NAME': must be at most 255 characters, got 256",
        { argument: 'LINE_NAME' },
      );
    });

    it('imopenlines.config.update: a non-object PARAMS changes nothing and is reported', async () => {
      const id = await addLine(t, { LINE_NAME: 'Scalar params' });
      const answer = await update(id, 'MAX_CHAT=3');
      assertResult(answer, true);
      assert.deepEqual(
        warningsOf(answer).map((w) => [w.field, w.reason]),
        [['PARAMS', 'expected an object; ignored']],
      );
    });

    it('imopenlines.config.update: 400 CONFIG_ID_EMPTY when CONFIG_ID is missing or ≤ 0', async () => {
      for (const params of [{ PARAMS: { MAX_CHAT: 1 } }, { CONFIG_ID: 0 }, { CONFIG_ID: '-1' }, { CONFIG_ID: 'x' }]) {
        assertError(
          await t.call('imopenlines.config.update', params),
          400,
          'CONFIG_ID_EMPTY',
          "Config ID can't be empty",
        );
      }
    });

    it('imopenlines.config.update: a missing line is false (compat) and 404 CONFIG_NOT_FOUND (strict)', async () => {
      assertResult(await update(99_999, { MAX_CHAT: 1 }), false);
      assertError(await update(99_999, { MAX_CHAT: 1 }, STRICT), 404, 'CONFIG_NOT_FOUND', 'Config is not found.');
    });

    it('imopenlines.config.update: concurrent updates of different fields all land', async () => {
      const id = await addLine(t, { LINE_NAME: 'Race' });
      const fields = ['QUEUE_TIME', 'NO_ANSWER_TIME', 'MAX_CHAT', 'VOTE_TIME_LIMIT', 'AUTO_CLOSE_TIME', 'AGREEMENT_ID'];
      const answers = await Promise.all(fields.map((f, i) => update(id, { [f]: 100 + i })));
      for (const answer of answers) assertResult(answer, true);
      const line = await getLine(t, id);
      assert.deepEqual(
        fields.map((f) => line[f]),
        fields.map((_f, i) => String(100 + i)),
      );
    });
  });
}
